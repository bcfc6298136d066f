"""Exercises of lesson 15 (A/B testing) on the Hillstrom e-mail test.

Cases the lesson did not show: another rate and power, the CUPED adjustment
as a function checked on hidden data, another cost per e-mail, another
number of looks. The reference solutions use the package. Introduced in lesson 15.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import stats

from ..data import load_hillstrom
from ..experiments import campaign_metrics, cuped_adjust, sample_size_per_arm, sequential_bounds
from . import Exercise, function_checker, number_checker, quiz_question

CONTROL = "No E-Mail"

# --- 15.1: sample size for another rate and another power ---------------------------------

BASE, TARGET, POWER = 0.06, 0.066, 0.90
SAMPLE_SIZE = sample_size_per_arm(BASE, TARGET - BASE, alpha=0.05, power=POWER)  # 34,441

ex1 = Exercise(
    name="15.1 sample size",
    question=(
        f"A shop's conversion rate is {BASE:.0%}. How many customers per arm does a two-sided test at "
        f"alpha = 0.05 need to detect a rise to {TARGET:.1%} (+10 % relative) with {POWER:.0%} power? "
        "(answer: a number of customers; the arcsine and the textbook formula both count, within 0.5 %)"
    ),
    checker=number_checker(
        SAMPLE_SIZE,
        "the customers per arm",
        {
            2 * SAMPLE_SIZE: "that is both arms together; the question asks for one arm.",
            sample_size_per_arm(BASE, TARGET - BASE, alpha=0.05, power=0.8): "that is for 80 % power; the question asks for 90 %.",
            sample_size_per_arm(BASE, TARGET - BASE, alpha=0.10, power=POWER): "that is a one-sided test (or alpha = 0.10); the question asks for a two-sided test at 0.05.",
            sample_size_per_arm(BASE, 0.10, alpha=0.05, power=POWER): "that detects +10 points, not +10 %: the difference is 0.006.",
        },
        rel=0.005,
        trap_tol=0.002,
    ),
    hint_text=(
        "Power and alpha each fix a z value; the effect size of two rates (Cohen's h) fixes how "
        "far apart the arms must be in units of noise."
    ),
    hint_code=(
        "Section 2: sample_size_per_arm(p_base, mde, alpha=..., power=...) with an absolute mde, "
        "or NormalIndPower().solve_power on proportion_effectsize."
    ),
    solution_code=(
        "# the MDE is absolute: 0.066 - 0.06; more power needs more customers\n"
        "answer = sample_size_per_arm(0.06, 0.006, alpha=0.05, power=0.9)"
    ),
    reference=lambda: sample_size_per_arm(BASE, TARGET - BASE, alpha=0.05, power=POWER),
    wrong_answers=lambda: [
        2 * SAMPLE_SIZE,
        sample_size_per_arm(BASE, TARGET - BASE, alpha=0.05, power=0.8),
        sample_size_per_arm(BASE, 0.10, alpha=0.05, power=POWER),
        14_745,
        "34441",
    ],
)

# --- 15.2: write the CUPED adjustment -----------------------------------------------------


def _cuped_reference(y, x):
    return cuped_adjust(y, x)


def _cuped_cases(rng):
    cases = []
    for n in (40, 200, 1_000):
        x = rng.gamma(2.0, 3.0, n)
        y = 2.0 + 0.5 * x + rng.normal(0, 2.0, n)
        cases.append((y, x))
    x = rng.integers(1, 13, 300).astype(float)       # a recency-like covariate
    cases.append(((rng.random(300) < 0.3 - 0.015 * x).astype(float), x))
    return cases


ex2 = Exercise(
    name="15.2 write CUPED",
    question=(
        "Write a function `cuped(y, x)` that takes two numpy arrays (an outcome and a pre-period "
        "covariate of the same customers) and returns the CUPED-adjusted outcome "
        "y - theta (x - mean(x)) with theta = cov(y, x) / var(x). (answer: the function)"
    ),
    checker=function_checker(_cuped_reference, _cuped_cases, "cuped(y, x)"),
    hint_text=(
        "theta is the slope of the least-squares line of y on x; subtracting theta times the "
        "centred covariate keeps the mean of y."
    ),
    hint_code=(
        "Section 5, the CUPED by-hand cell: np.cov(y, x)[0, 1] / np.var(x, ddof=1). Covariance and "
        "variance must use the same ddof."
    ),
    solution_code=(
        "def cuped(y, x):\n"
        "    # the least-squares slope; ddof=1 in both so that they match\n"
        "    theta = np.cov(y, x)[0, 1] / np.var(x, ddof=1)\n"
        "    # centring x keeps the mean of y, so the difference of the arms keeps its meaning\n"
        "    return y - theta * (x - x.mean())\n"
        "answer = cuped"
    ),
    reference=lambda: _cuped_reference,
    wrong_answers=lambda: [
        lambda y, x: y - np.cov(y, x)[0, 1] / np.var(x) * (x - x.mean()),     # ddof mismatch
        lambda y, x: y - np.cov(y, x)[0, 1] / np.var(x, ddof=1) * x,           # not centred: shifts the mean
        lambda y, x: y - np.corrcoef(y, x)[0, 1] * (x - x.mean()),             # correlation, not slope
        lambda y, x: None,
    ],
    kind="function",
)

# --- 15.3: ROI at another cost -------------------------------------------------------------

ROI_COST, ROI_MARGIN = 0.05, 0.30


@cache
def _roi_table():
    return campaign_metrics(load_hillstrom(), "segment", CONTROL, cost_per_contact=ROI_COST, margin=ROI_MARGIN)


def _roi_reference() -> float:
    return float(_roi_table().loc["Womens E-Mail", "roi"])


def _roi_traps() -> dict:
    table = _roi_table()
    incremental = float(table.loc["Womens E-Mail", "incremental_revenue"])
    cost = float(table.loc["Womens E-Mail", "cost"])
    revenue = float(table.loc["Womens E-Mail", "revenue"])
    return {
        (incremental - cost) / cost: "you used the whole incremental revenue; only the margin (30 %) of it is profit.",
        (ROI_MARGIN * revenue - cost) / cost: "you used the arm's whole revenue; only the revenue above the control's is caused by the e-mail.",
        100 * _roi_reference(): "give the ROI as a ratio (1.0 = 100 %), not in percent.",
        0.2732: "that is the ROI at $0.10 per e-mail (section 8); the question assumes $0.05.",
    }


def _check_roi(answer):
    return number_checker(_roi_reference(), "the ROI", _roi_traps(), trap_tol=1e-3)(answer)


ex3 = Exercise(
    name="15.3 ROI of the womens e-mail",
    question=(
        "Assume an e-mail costs $0.05 and 30 % of revenue is profit. What is the ROI of the Womens "
        "E-Mail, (profit from its incremental revenue - cost) / cost? (answer: a float)"
    ),
    checker=_check_roi,
    hint_text=(
        "Only the revenue the e-mail caused counts (its arm's revenue per customer above the "
        "control's), and only its margin is profit."
    ),
    hint_code="Section 8: campaign_metrics(hillstrom, 'segment', 'No E-Mail', cost_per_contact=..., margin=...), column 'roi'.",
    solution_code=(
        "# incremental revenue = (revenue per customer - the control's) x customers e-mailed\n"
        "metrics = campaign_metrics(hillstrom, 'segment', 'No E-Mail', cost_per_contact=0.05, margin=0.3)\n"
        "answer = metrics.loc['Womens E-Mail', 'roi']  # cheaper e-mails: the same profit over half the cost"
    ),
    reference=_roi_reference,
    wrong_answers=lambda: [*_roi_traps(), "1.55"],
)

# --- 15.4: Pocock threshold for five looks -----------------------------------------------------

LOOKS = 5
POCOCK_P = float(2 * stats.norm.sf(sequential_bounds(LOOKS, alpha=0.05, kind="pocock")[0]))  # 0.0158

ex4 = Exercise(
    name="15.4 Pocock threshold",
    question=(
        f"A test will be looked at {LOOKS} times, equally spaced, with Pocock's boundary and an "
        "overall false-positive rate of 5 %. Below which two-sided p-value may it stop at a look? "
        "(answer: a float)"
    ),
    checker=number_checker(
        POCOCK_P,
        "the per-look p-value threshold",
        {
            0.05 / LOOKS: "that is the Bonferroni threshold 0.05 / 5, stricter than needed because the looks are correlated.",
            0.05: "that is the threshold of a single look; checking five times at 0.05 inflates false positives.",
            float(sequential_bounds(LOOKS, alpha=0.05, kind="pocock")[0]): "that is the z bound; give the p-value it corresponds to.",
            float(stats.norm.sf(sequential_bounds(LOOKS, alpha=0.05, kind="pocock")[0])): "that is one-sided; the test is two-sided (both tails).",
        },
        share=True,
        trap_tol=1e-4,
    ),
    hint_text="Pocock uses one z threshold at every look, chosen so that the chance of ever crossing stays 5 %.",
    hint_code="Section 7: sequential_bounds(n_looks, alpha=0.05, kind='pocock') gives the z bound; 2 * stats.norm.sf(z) turns it into a p-value.",
    solution_code=(
        "# one bound for all five looks, from the joint distribution of the correlated looks\n"
        "bound = sequential_bounds(5, alpha=0.05, kind='pocock')[0]\n"
        "answer = 2 * stats.norm.sf(bound)  # two tails"
    ),
    reference=lambda: float(2 * stats.norm.sf(sequential_bounds(LOOKS, alpha=0.05, kind="pocock")[0])),
    wrong_answers=lambda: [0.01, 0.05, float(sequential_bounds(LOOKS, alpha=0.05, kind="pocock")[0]), 0.025],
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "15.q1 conversion per visitor",
        "The men's e-mail's visitors converted at 6.9 %, the control's at 5.4 %. Why is that not a clean measure of the e-mail's effect on buying?",
        {
            "a": "Because the delta method was not used.",
            "b": "Because visiting is itself an outcome of the e-mail: the e-mail brought extra, different visitors, so the two groups of visitors are not comparable any more.",
            "c": "Because the sample is too small to say anything.",
            "d": "It is clean: the visitors were randomised.",
        },
        correct="b",
        explanation=(
            "Only the customers were randomised. Conditioning on a post-treatment variable (visited) "
            "compares groups the treatment itself selected. The delta method gives a ratio's noise, "
            "not its meaning; the causal comparisons are per customer."
        ),
        traps={"a": "The delta method fixes the standard error of a ratio, not the selection of who is in its denominator."},
    ),
    quiz_question(
        "15.q2 peeking",
        "A team checks its test every day and stops the first time p < 0.05. Why does it find far more than 5 % false winners?",
        {
            "a": "Because the p-value is computed with the wrong formula.",
            "b": "Every look is another chance for noise to cross the line, and stopping at the first crossing keeps every false alarm.",
            "c": "Because the daily samples are too small.",
            "d": "It does not: each look has a 5 % false-positive rate, so the total is 5 %.",
        },
        correct="b",
        explanation=(
            "Fourteen correlated looks at 0.05 gave about 22 % false positives in section 7. Fix the "
            "horizon, spend alpha over planned looks (O'Brien-Fleming, Pocock), or use an always-valid "
            "test (mSPRT) when the looks cannot be planned."
        ),
        traps={"d": "Each look alone has 5 %; the chance that *any* of them crosses is much larger."},
    ),
    quiz_question(
        "15.q3 which covariate for CUPED",
        "Which covariate may CUPED use to narrow the interval of a two-week e-mail test?",
        {
            "a": "Anything that predicts the outcome well, such as the number of pages the customer viewed during the test.",
            "b": "Only something measured before the randomisation, such as last month's visits: the treatment cannot have moved it.",
            "c": "Only the treatment indicator.",
            "d": "The covariate that makes the interval narrowest, chosen after trying several.",
        },
        correct="b",
        explanation=(
            "A pre-period covariate differs between the arms only by chance, so adjusting for it "
            "removes noise without bias. A covariate the e-mail can move (pages viewed during the "
            "test) absorbs part of the effect, and choosing among many after the fact is p-hacking."
        ),
        traps={
            "a": "Pages viewed during the test are themselves moved by the e-mail: adjusting for them removes part of the effect.",
            "d": "Trying covariates until an interval excludes zero is a garden of forking paths; fix the recipe in advance.",
        },
    ),
    quiz_question(
        "15.q4 does the effect differ by band",
        "The women's e-mail is significant in band 1 of past spend and not in band 3. What does that show?",
        {
            "a": "That the e-mail works in band 1 and not in band 3.",
            "b": "Nothing about a difference between the bands: that needs one test of the interaction treatment x band.",
            "c": "That band 3 should not be e-mailed.",
            "d": "That the overall effect is not significant.",
        },
        correct="b",
        explanation=(
            "A non-significant band may just have less power, and its interval can contain band 1's "
            "effect. 'Significant here, not there' is not a test of 'different'. A likelihood-ratio "
            "or Wald test of the interaction terms asks that one question (section 6)."
        ),
    ),
]
