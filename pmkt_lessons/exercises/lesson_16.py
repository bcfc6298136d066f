"""Exercises of lesson 16 (uplift modelling).

Small worked cases and a targeting rule on the Hillstrom test that the lesson
did not show; the reference solutions use the package. Introduced in lesson 16.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import load_hillstrom
from ..uplift import policy_value, uplift_curve
from . import Exercise, number_checker, quiz_question, sequence_checker

# --- 16.1: name the four kinds of customers --------------------------------------------

# (response if e-mailed, response if not e-mailed) of four customers
POTENTIAL_OUTCOMES = {"Ann": (1, 1), "Ben": (1, 0), "Cat": (0, 1), "Dan": (0, 0)}
TYPES = ("sure thing", "persuadable", "sleeping dog", "lost cause")

ex1 = Exercise(
    name="16.1 four kinds of customers",
    question=(
        "Four customers' responses (if e-mailed, if not e-mailed): Ann (1, 1), Ben (1, 0), "
        "Cat (0, 1), Dan (0, 0). Give a list of their types in the order Ann, Ben, Cat, Dan, each "
        "one of 'sure thing', 'persuadable', 'lost cause' or 'sleeping dog'. (answer: a list of 4 str)"
    ),
    checker=sequence_checker(
        TYPES,
        "the four types",
        traps={
            ("sure thing", "sleeping dog", "persuadable", "lost cause"): (
                "persuadable and sleeping dog are swapped: the first number is the response *with* the e-mail."
            ),
            ("lost cause", "persuadable", "sleeping dog", "sure thing"): (
                "sure thing and lost cause are swapped: a sure thing responds either way, a lost cause never."
            ),
        },
    ),
    hint_text="A customer's uplift is the response with the e-mail minus the response without it: +1, -1 or 0.",
    hint_code="The table at the top of section 1 names the four kinds by their two potential responses.",
    solution_code=(
        "# uplift = Y(1) - Y(0): Ann 0 (responds anyway), Ben +1, Cat -1, Dan 0 (never responds)\n"
        "answer = ['sure thing', 'persuadable', 'sleeping dog', 'lost cause']"
    ),
    reference=lambda: list(TYPES),
    wrong_answers=lambda: [
        ["sure thing", "sleeping dog", "persuadable", "lost cause"],
        ["lost cause", "persuadable", "sleeping dog", "sure thing"],
        ["persuadable", "persuadable", "lost cause", "lost cause"],
        {"Ann": "sure thing"},
    ],
)

# --- 16.2: a Qini value by hand -------------------------------------------------------

TOY_Y = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0, 1])
TOY_T = np.array([1, 1, 0, 1, 0, 0, 1, 1, 0, 1])
TOY_SCORE = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
# top 5: treated 3 (2 responded), control 2 (1 responded): 2 - 1 * 3 / 2
TOY_QINI_TOP5 = 0.5

ex2 = Exercise(
    name="16.2 Qini by hand",
    question=(
        f"Ten customers, ranked by score {TOY_SCORE.tolist()}, were treated "
        f"{TOY_T.tolist()} and responded {TOY_Y.tolist()}. What is the Qini value of targeting "
        "the top 5, r_t - r_c * n_t / n_c? (answer: a float, extra responses)"
    ),
    checker=number_checker(
        TOY_QINI_TOP5,
        "the Qini value at the top 5",
        {
            1.0: "that is treated responders minus control responders; scale the control's by n_t / n_c.",
            5 * (2 / 3 - 1 / 2): "that is the uplift times k (the 'incremental' column); the Qini value counts the treated only.",
            2 / 3 - 1 / 2: "that is the uplift (a rate difference); the Qini value is a number of extra responses.",
            -0.5: "the sign is reversed: treated responders minus the control's, scaled.",
        },
        trap_tol=1e-6,
    ),
    hint_text=(
        "The Qini value asks: among the treated of the top k, how many more responded than the "
        "control's response rate would predict?"
    ),
    hint_code="Section 4's formula; or uplift_curve(y, t, score) and its 'qini' column at n_targeted == 5.",
    solution_code=(
        "# top 5: n_t = 3 treated (r_t = 2 responded), n_c = 2 control (r_c = 1)\n"
        "# the control's rate 1/2 predicts 1.5 responses among 3 treated; they gave 2\n"
        "curve = uplift_curve(y, t, score)\n"
        "answer = curve.loc[curve['n_targeted'] == 5, 'qini'].item()"
    ),
    reference=lambda: float(
        uplift_curve(TOY_Y, TOY_T, TOY_SCORE).set_index("n_targeted").loc[5, "qini"]
    ),
    wrong_answers=lambda: [1.0, 5 * (2 / 3 - 1 / 2), 2 / 3 - 1 / 2, -0.5, True],
)

# --- 16.3: value of a simple rule on Hillstrom -------------------------------------------


@cache
def _rule_values() -> dict[str, float]:
    df = load_hillstrom()
    df = df[df["segment"].isin(["Mens E-Mail", "No E-Mail"])]
    treated = (df["segment"] == "Mens E-Mail").to_numpy()
    visit = df["visit"].to_numpy()
    mens = df["mens"].to_numpy() == 1
    return {
        "rule": policy_value(visit, treated, mens),
        "treated mens": float(visit[treated & mens].mean()),
        "everyone": float(visit[treated].mean()),
        "no one": float(visit[~treated].mean()),
    }


def _rule_traps() -> dict:
    v = _rule_values()
    return {
        v["treated mens"]: (
            "that is the visit rate of the e-mailed men's buyers only; the policy's value counts every "
            "customer, including those it leaves out (they visit at the control's rate)."
        ),
        v["everyone"]: "that is the value of e-mailing everyone.",
        v["no one"]: "that is the value of e-mailing no one.",
        100 * v["rule"]: "give the rate as a fraction between 0 and 1.",
    }


def _check_rule(answer):
    return number_checker(_rule_values()["rule"], "the policy's visit rate", _rule_traps(), trap_tol=1e-4)(answer)


ex3 = Exercise(
    name="16.3 value of a simple rule",
    question=(
        "On the Mens E-Mail and No E-Mail customers of Hillstrom (all 42,613), estimate the "
        "visit rate if only the customers who bought men's merchandise last year (mens == 1) "
        "got the Mens E-Mail. Is the rule better than e-mailing everyone? (answer: a float)"
    ),
    checker=_check_rule,
    hint_text=(
        "In a randomised test, the customers whose random arm agrees with the rule stand for "
        "everyone the rule would treat that way; weight them by one over the chance of that arm."
    ),
    hint_code="Section 6: policy_value(y, treatment, target) with target = (mens == 1).",
    solution_code=(
        "pair = hillstrom[hillstrom['segment'].isin(['Mens E-Mail', 'No E-Mail'])]\n"
        "treated = (pair['segment'] == 'Mens E-Mail').to_numpy()\n"
        "# inverse-propensity value of the rule: each agreeing customer stands for 1 / P(their arm)\n"
        "answer = policy_value(pair['visit'], treated, pair['mens'].to_numpy() == 1)\n"
        "# worse than e-mailing everyone: the e-mail raises the visits of the others too"
    ),
    reference=lambda: _rule_values()["rule"],
    wrong_answers=lambda: [*_rule_traps(), "0.151"],
)

# --- 16.4: break-even uplift -------------------------------------------------------------

VISIT_VALUE, EMAIL_COST = 2.5, 0.12

ex4 = Exercise(
    name="16.4 break-even uplift",
    question=(
        f"An extra visit is worth ${VISIT_VALUE} of profit and an e-mail costs ${EMAIL_COST}. Above "
        "which predicted uplift (extra visit probability) is an e-mail worth sending? (answer: a float)"
    ),
    checker=number_checker(
        EMAIL_COST / VISIT_VALUE,
        "the break-even uplift",
        {
            VISIT_VALUE / EMAIL_COST: "that is value / cost; the break-even uplift is cost / value.",
            EMAIL_COST: "that is the cost of an e-mail, not the uplift at which it pays for itself.",
            100 * EMAIL_COST / VISIT_VALUE: "give the uplift as a fraction (0.01 = one point of visit rate), not in points.",
            0.10 / 2.0: "that is section 6's break-even ($0.10 and $2); use this question's cost and value.",
        },
        trap_tol=1e-6,
    ),
    hint_text="An e-mail pays when the extra visits it causes are worth more than it costs.",
    hint_code="Section 6: uplift x value per visit > cost per e-mail; solve for the uplift.",
    solution_code=(
        "# uplift x 2.5 > 0.12  <=>  uplift > 0.12 / 2.5\n"
        "answer = 0.12 / 2.5"
    ),
    reference=lambda: EMAIL_COST / VISIT_VALUE,
    wrong_answers=lambda: [VISIT_VALUE / EMAIL_COST, EMAIL_COST, 100 * EMAIL_COST / VISIT_VALUE, 0.05],
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "16.q1 the response model",
        "Why does a model of P(respond | e-mailed) target the wrong customers for an e-mail campaign?",
        {
            "a": "Because logistic regression is too simple for marketing data.",
            "b": "It ranks customers by how likely they respond, which puts sure things (who respond anyway) first; the campaign needs how much the e-mail changes the response.",
            "c": "Because it is trained on too few customers.",
            "d": "It does not: the most likely responders are always the ones the e-mail persuades.",
        },
        correct="b",
        explanation=(
            "Sure things respond with or without the e-mail, so e-mailing them is wasted; sleeping "
            "dogs may even respond less. On the simulated customers the response model's top 10 % "
            "was 39 % sure things. On Hillstrom, where the e-mail helps almost everyone, the two "
            "rankings were not distinguishable: compare both on a randomised hold-out."
        ),
        traps={"d": "Section 2's top 10 % of the response model was heavy on sure things and held some sleeping dogs."},
    ),
    quiz_question(
        "16.q2 data for uplift",
        "Why can an uplift model not be trained and evaluated on last year's campaign if the e-mail went to the customers a response model picked?",
        {
            "a": "Because last year's customers have changed.",
            "b": "Because who got the e-mail then depended on the customers themselves, so e-mailed and not e-mailed customers differ in more than the e-mail; only a randomised (or known-propensity) assignment separates the two.",
            "c": "Because uplift models need at least a million customers.",
            "d": "It can, as long as both groups are large.",
        },
        correct="b",
        explanation=(
            "Uplift compares treated and untreated customers who are alike. A targeted campaign "
            "makes them unlike by design (confounding). Keep a random control group in every "
            "campaign: it is the training and test set of the next uplift model."
        ),
    ),
    quiz_question(
        "16.q3 two Qini numbers",
        "The true uplift itself reaches a normalised Qini coefficient of only 0.14 on the simulated test set. Why?",
        {
            "a": "Because the normalised Qini has a bug.",
            "b": "The perfect ranking it is divided by knows who actually responded, coin flips included; no ranking by probabilities can reach it, so compare models with each other, not with 1.",
            "c": "Because the simulated uplift is negative for most customers.",
            "d": "Because the unnormalised area was computed in responses.",
        },
        correct="b",
        explanation=(
            "Radcliffe's normalisation divides by the area of the ranking that puts treated "
            "responders first and control responders last: an oracle of the outcomes, not of the "
            "uplift. The unnormalised area keeps a unit (extra responses) and grows with the test "
            "set; the normalised one has no unit. Say which you report."
        ),
    ),
    quiz_question(
        "16.q4 choosing the depth",
        "The best 'e-mail the top x %' depth was read off the value curve of the same test half that values it. What is the problem?",
        {
            "a": "None: the test half is randomised.",
            "b": "The chosen depth is the one whose noise happened to be favourable, so its value is flattered; choose it on a validation split and confirm it on fresh data.",
            "c": "The value curve must be computed on the training half.",
            "d": "The depth should always be 50 %.",
        },
        correct="b",
        explanation=(
            "Picking the maximum of a noisy curve selects upward noise (the winner's curse again). "
            "The gains at $0.15 per e-mail were of the size the Qini intervals showed to be noise."
        ),
    ),
]
