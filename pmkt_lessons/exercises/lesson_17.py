"""Exercises of lesson 17 (bandits and off-policy evaluation).

Introduced in lesson 17.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..bandits import action_distribution, effective_sample_size, lookup_probabilities
from ..data import load_open_bandit
from . import Exercise, close_enough

CTRS = [0.01, 0.02, 0.04]
HORIZON = 20_000
RANDOM_REGRET = HORIZON * (max(CTRS) - float(np.mean(CTRS)))  # 333.3 clicks

TINY_REWARDS = [1, 0, 0, 1, 0]
TINY_LOGGING = [0.5, 0.25, 0.25, 0.5, 0.5]
TINY_TARGET = [0.2, 0.6, 0.6, 0.2, 0.2]
TINY_IPS = float(np.mean(np.array(TINY_TARGET) / np.array(TINY_LOGGING) * np.array(TINY_REWARDS)))  # 0.16
TINY_SNIPS = 0.8 / 6.0

BTS_FROM_RANDOM_ESS = 2638.873


def _number(answer) -> float | None:
    """Give the answer as a float, or None if it is not a number (a str or bool is not)."""
    if isinstance(answer, (str, bool)):
        return None
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


def _check_random_regret(answer):
    per_step = max(CTRS) - float(np.mean(CTRS))
    value = _number(answer)
    if value is None:
        return f"expected a number of clicks, got {type(answer).__name__}"
    if np.isclose(value, per_step):
        return "that is the regret of one impression; multiply by the number of impressions."
    if np.isclose(value, HORIZON * max(CTRS)):
        return "that is the clicks of the best creative; regret is what random play loses against it."
    return close_enough(answer, RANDOM_REGRET, "the expected regret")


ex1 = Exercise(
    name="17.1 the price of never learning",
    question=(
        f"A uniform-random policy shows three creatives with CTRs {CTRS}. What is its expected "
        f"cumulative regret (clicks lost against always showing the best) after {HORIZON:,} "
        "impressions? (answer: a float)"
    ),
    checker=_check_random_regret,
    hint_text="Each impression loses, on average, the best CTR minus the mean CTR.",
    solution_code=f"ctrs = {CTRS}\nanswer = {HORIZON} * (max(ctrs) - sum(ctrs) / len(ctrs))",
    reference=lambda: RANDOM_REGRET,
    wrong_answers=lambda: [RANDOM_REGRET / HORIZON, HORIZON * max(CTRS), 90.0, "333.3"],
)


def _check_tiny_ips(answer):
    value = _number(answer)
    if value is None:
        return f"expected a number, got {type(answer).__name__}"
    if np.isclose(value, np.mean(TINY_REWARDS)):
        return "that is the logging policy's own click rate; reweight each row by target / logging."
    if np.isclose(value, TINY_SNIPS):
        return "that is the self-normalised estimate (divided by the sum of weights); IPS divides by n."
    return close_enough(answer, TINY_IPS, "your IPS estimate")


ex2 = Exercise(
    name="17.2 IPS by hand",
    question=(
        f"A log of five impressions has clicks {TINY_REWARDS}; the logging policy had shown each "
        f"action with probability {TINY_LOGGING}, and the new policy would show it with probability "
        f"{TINY_TARGET}. What is the IPS estimate of the new policy's CTR? (answer: a float)"
    ),
    checker=_check_tiny_ips,
    hint_text="IPS = mean over rows of (target / logging) * click.",
    solution_code=(
        f"r = np.array({TINY_REWARDS})\n"
        f"answer = np.mean(np.array({TINY_TARGET}) / np.array({TINY_LOGGING}) * r)"
    ),
    reference=lambda: TINY_IPS,
    wrong_answers=lambda: [float(np.mean(TINY_REWARDS)), TINY_SNIPS, 0.8, "0.16"],
)


@cache
def _bts_from_random_ess() -> float:
    random_log = load_open_bandit("random").log
    bts_policy = action_distribution(load_open_bandit("bts").log)
    weights = lookup_probabilities(bts_policy, random_log) / random_log["propensity_score"].to_numpy()
    return effective_sample_size(weights)


def _check_ess(answer):
    value = _number(answer)
    if value is None:
        return f"expected a number, got {type(answer).__name__}"
    if value == 10_000:
        return "10,000 is the number of rows; the unequal weights make the log worth fewer."
    return close_enough(answer, BTS_FROM_RANDOM_ESS, "the effective sample size", rel=1e-3)


ex3 = Exercise(
    name="17.3 how much is the log worth",
    question=(
        "When we evaluate the Thompson-sampling policy on the random log, each row gets the weight "
        "pi_bts(item | position) / propensity_score. What is Kish's effective sample size "
        "(sum w)^2 / sum w^2 of these 10,000 weights? (answer: a float)"
    ),
    checker=_check_ess,
    hint_text=(
        "Build the weights as in section 4 (action_distribution of the bts log, lookup_probabilities "
        "on the random log, divided by propensity_score), then effective_sample_size(weights)."
    ),
    solution_code=(
        "from pmkt_lessons.bandits import effective_sample_size\n"
        "random_log = load_open_bandit('random').log\n"
        "bts_policy = action_distribution(load_open_bandit('bts').log)\n"
        "w = lookup_probabilities(bts_policy, random_log) / random_log['propensity_score'].to_numpy()\n"
        "answer = effective_sample_size(w)"
    ),
    reference=_bts_from_random_ess,
    wrong_answers=lambda: [10_000, 9_970, 100.0],
)


EXERCISES = [ex1, ex2, ex3]
