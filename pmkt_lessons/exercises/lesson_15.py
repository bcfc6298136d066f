"""Exercises of lesson 15 (A/B testing) on the Hillstrom e-mail test.

The checkers compare with figures of the bundled file (its sha256 is fixed)
or with the package's tested formulas; the reference solutions recompute
them, so the test suite proves the two agree. Introduced in lesson 15.
"""

from __future__ import annotations

from scipy import stats

from ..data import load_hillstrom
from ..experiments import (
    campaign_metrics,
    compare_proportions,
    sample_size_per_arm,
    sequential_bounds,
)
from . import Exercise, close_enough

CONTROL = "No E-Mail"

# n per arm for 10 % -> 11 %, alpha 0.05 two-sided, power 0.8 (arcsine formula; the
# textbook normal formula gives 14,752, also accepted)
SAMPLE_SIZE = 14_745
SAMPLE_SIZE_ONE_SIDED = 11_614
SAMPLE_SIZE_POWER_90 = 19_739

# Womens E-Mail vs No E-Mail, visit rate: 3,238 / 21,387 - 2,262 / 21,306
WOMENS_VISIT_DIFF = 3_238 / 21_387 - 2_262 / 21_306
WOMENS_VISIT_RELATIVE = WOMENS_VISIT_DIFF / (2_262 / 21_306)
MENS_VISIT_DIFF = 3_894 / 21_307 - 2_262 / 21_306

# Womens E-Mail ROI with 0.05 dollars per e-mail and a 30 % margin
ROI_COST, ROI_MARGIN = 0.05, 0.30
WOMENS_INCREMENTAL_REVENUE = (23_038.11 / 21_387 - 13_908.33 / 21_306) * 21_387
WOMENS_COST = ROI_COST * 21_387
WOMENS_ROI = (ROI_MARGIN * WOMENS_INCREMENTAL_REVENUE - WOMENS_COST) / WOMENS_COST

POCOCK_5_LOOKS_P = 0.015815  # 2 * (1 - Phi(2.413))


def _number(answer, what):
    try:
        return float(answer), None
    except (TypeError, ValueError):
        return None, f"expected a number for {what}, got {type(answer).__name__}"


def _check_sample_size(answer):
    value, problem = _number(answer, "the customers per arm")
    if problem:
        return problem
    traps = {
        2 * SAMPLE_SIZE: "that is both arms together; the question asks for one arm.",
        SAMPLE_SIZE_ONE_SIDED: "that is a one-sided test; the question asks for a two-sided one.",
        SAMPLE_SIZE_POWER_90: "that is for 90 % power; the question asks for 80 %.",
    }
    for trap, message in traps.items():
        if abs(value - trap) <= 0.005 * trap:
            return message
    return close_enough(value, SAMPLE_SIZE, "the customers per arm", rel=0.005)


ex1 = Exercise(
    name="15.1 sample size",
    question=(
        "The shop's visit rate is 10 %. How many customers per arm does a two-sided test at "
        "alpha = 0.05 need to detect a rise to 11 % with 80 % power?"
    ),
    checker=_check_sample_size,
    hint_text=(
        "sample_size_per_arm(p_base, mde) with an absolute mde of one point (0.01), or "
        "NormalIndPower().solve_power on proportion_effectsize(0.11, 0.10)."
    ),
    solution_code="answer = sample_size_per_arm(0.10, 0.01, alpha=0.05, power=0.8)  # 14,745",
    reference=lambda: sample_size_per_arm(0.10, 0.01, alpha=0.05, power=0.8),
    wrong_answers=lambda: [2 * SAMPLE_SIZE, SAMPLE_SIZE_ONE_SIDED, SAMPLE_SIZE_POWER_90, 1000],
)


def _check_womens_diff(answer):
    value, problem = _number(answer, "the difference in visit rate")
    if problem:
        return problem
    if abs(value - 100 * WOMENS_VISIT_DIFF) < 0.01:
        return "that is in percentage points; give the difference as a fraction (0.01 = one point)."
    if abs(value - WOMENS_VISIT_RELATIVE) < 1e-3:
        return "that is the relative lift; the question asks for the absolute difference of the rates."
    if abs(value - MENS_VISIT_DIFF) < 1e-4:
        return "that is the Mens E-Mail arm; compare the Womens E-Mail arm with No E-Mail."
    if abs(value + WOMENS_VISIT_DIFF) < 1e-4:
        return "the sign is reversed: treatment minus control."
    return close_enough(value, WOMENS_VISIT_DIFF, "the difference in visit rate", rel=1e-3)


def _womens_diff_reference() -> float:
    table = compare_proportions(load_hillstrom(), "segment", "visit", CONTROL)
    return float(table.loc["Womens E-Mail", "diff"])


ex2 = Exercise(
    name="15.2 womens e-mail lift",
    question=(
        "By how much did the Womens E-Mail raise the visit rate over No E-Mail? Give the "
        "absolute difference of the two rates as a fraction (0.01 = one point)."
    ),
    checker=_check_womens_diff,
    hint_text="compare_proportions(hillstrom, 'segment', 'visit', 'No E-Mail'), column 'diff'.",
    solution_code=(
        "table = compare_proportions(hillstrom, 'segment', 'visit', 'No E-Mail')\n"
        "answer = table.loc['Womens E-Mail', 'diff']  # about 0.045"
    ),
    reference=_womens_diff_reference,
    wrong_answers=lambda: [
        100 * WOMENS_VISIT_DIFF, WOMENS_VISIT_RELATIVE, MENS_VISIT_DIFF, -WOMENS_VISIT_DIFF,
    ],
)


def _check_roi(answer):
    value, problem = _number(answer, "the ROI")
    if problem:
        return problem
    revenue_roi = (WOMENS_INCREMENTAL_REVENUE - WOMENS_COST) / WOMENS_COST
    if abs(value - revenue_roi) < 1e-3:
        return "you used the whole incremental revenue; only the margin (30 %) of it is profit."
    total_roi = (ROI_MARGIN * 23_038.11 - WOMENS_COST) / WOMENS_COST
    if abs(value - total_roi) < 1e-3:
        return "you used the arm's whole revenue; only the revenue above the control's is caused by the e-mail."
    if abs(value - 100 * WOMENS_ROI) < 0.1:
        return "give the ROI as a ratio (1.0 = 100 %), not in percent."
    return close_enough(value, WOMENS_ROI, "the ROI", rel=1e-3)


def _roi_reference() -> float:
    metrics = campaign_metrics(
        load_hillstrom(), "segment", CONTROL, cost_per_contact=ROI_COST, margin=ROI_MARGIN
    )
    return float(metrics.loc["Womens E-Mail", "roi"])


ex3 = Exercise(
    name="15.3 ROI of the womens e-mail",
    question=(
        "Assume an e-mail costs 0.05 dollars and 30 % of revenue is profit. What is the ROI "
        "of the Womens E-Mail, (profit from its incremental revenue - cost) / cost?"
    ),
    checker=_check_roi,
    hint_text=(
        "campaign_metrics(hillstrom, 'segment', 'No E-Mail', cost_per_contact=..., margin=...), "
        "column 'roi'. Incremental revenue is the revenue per customer above the control's, "
        "times the customers e-mailed."
    ),
    solution_code=(
        "metrics = campaign_metrics(hillstrom, 'segment', 'No E-Mail', cost_per_contact=0.05, margin=0.3)\n"
        "answer = metrics.loc['Womens E-Mail', 'roi']  # about 1.55"
    ),
    reference=_roi_reference,
    wrong_answers=lambda: [
        (WOMENS_INCREMENTAL_REVENUE - WOMENS_COST) / WOMENS_COST,
        (ROI_MARGIN * 23_038.11 - WOMENS_COST) / WOMENS_COST,
        100 * WOMENS_ROI,
        0.2732,
    ],
)


def _check_pocock(answer):
    value, problem = _number(answer, "the per-look p-value threshold")
    if problem:
        return problem
    if abs(value - 0.01) < 1e-9:
        return "that is the Bonferroni threshold 0.05 / 5, stricter than needed because the looks are correlated."
    if abs(value - 0.05) < 1e-9:
        return "that is the threshold of a single look; checking five times at 0.05 inflates false positives."
    if value > 1:
        return "give the p-value threshold (a probability), not the z bound."
    return close_enough(value, POCOCK_5_LOOKS_P, "the per-look threshold", rel=0.01)


def _pocock_reference() -> float:
    bound = sequential_bounds(5, alpha=0.05, kind="pocock")[0]
    return float(2 * stats.norm.sf(bound))


ex4 = Exercise(
    name="15.4 Pocock threshold",
    question=(
        "A test will be looked at 5 times, equally spaced, with Pocock's boundary and an overall "
        "false-positive rate of 5 %. Below which p-value may it stop at a look?"
    ),
    checker=_check_pocock,
    hint_text=(
        "sequential_bounds(5, kind='pocock') gives the z bound of each look; a two-sided p-value "
        "below 2 * (1 - Phi(bound)) crosses it."
    ),
    solution_code=(
        "bound = sequential_bounds(5, alpha=0.05, kind='pocock')[0]  # 2.413\n"
        "answer = 2 * stats.norm.sf(bound)  # about 0.0158"
    ),
    reference=_pocock_reference,
    wrong_answers=lambda: [0.01, 0.05, 2.413, 0.025],
)

EXERCISES = [ex1, ex2, ex3, ex4]
