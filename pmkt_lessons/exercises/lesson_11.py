"""Exercises of lesson 11: the hashing trick, log loss of the base rate, the best possible AUC."""

from __future__ import annotations

import numpy as np

from . import Exercise, close_enough


def _expected_collision_share() -> float:
    return 1.0 - (1.0 - 1.0 / 1000) ** 99


ex1 = Exercise(
    name="11.1 hashing collisions",
    question=(
        "You hash 100 distinct 'field=value' tokens into 1,000 buckets with a hash that "
        "spreads them uniformly. What share of the tokens do you expect to share their "
        "bucket with at least one other token? Give a number between 0 and 1."
    ),
    checker=lambda a: close_enough(a, _expected_collision_share(), "the expected share", rel=1e-3),
    hint_text=(
        "A given token is alone when each of the other 99 tokens lands elsewhere, "
        "which each does with probability 1 - 1/1000."
    ),
    solution_code="answer = 1 - (1 - 1 / 1000) ** 99   # about 0.094",
    reference=_expected_collision_share,
    wrong_answers=lambda: [100 / 1000, (1 - 1 / 1000) ** 99, 0.5],
)


def _base_rate_log_loss() -> float:
    rate = 0.05
    return float(-(rate * np.log(rate) + (1 - rate) * np.log(1 - rate)))


ex2 = Exercise(
    name="11.2 log loss of the average",
    question=(
        "A click log has a click rate of exactly 5%. A lazy model predicts 0.05 for every "
        "impression. What is its log loss (natural log, as scikit-learn computes it), and "
        "so the denominator of normalised entropy?"
    ),
    checker=lambda a: close_enough(a, _base_rate_log_loss(), "the log loss", rel=1e-3),
    hint_text=(
        "5% of rows are clicks, each costing -log(0.05); 95% are not, each costing -log(0.95). "
        "Average them."
    ),
    solution_code="import numpy as np\nanswer = -(0.05 * np.log(0.05) + 0.95 * np.log(0.95))   # about 0.199",
    reference=_base_rate_log_loss,
    wrong_answers=lambda: [-np.log(0.05), -(0.05 * np.log2(0.05) + 0.95 * np.log2(0.95)), 0.05],
)


def _three_impressions_auc() -> float:
    # ordered pairs (click i, no-click j): 0.5>0.1: .5*.9, 0.9>0.1: .9*.9, 0.9>0.5: .9*.5
    return (0.5 * 0.9 + 0.9 * 0.9 + 0.9 * 0.5) / (1.5 * 1.5 - (0.09 + 0.25 + 0.09))


ex3 = Exercise(
    name="11.3 the best possible AUC",
    question=(
        "Three impressions have true click probabilities 0.1, 0.5 and 0.9, and a model "
        "scores them with exactly these probabilities. Clicks are drawn at random from "
        "them. What AUC does the model have on average, in the sense of "
        "`pmkt_lessons.ctr.metrics.expected_auc` (expected correctly ordered click / "
        "no-click pairs over expected pairs)? Work it out by hand, then check with "
        "`expected_auc`."
    ),
    checker=lambda a: close_enough(a, _three_impressions_auc(), "the expected AUC", rel=1e-3),
    hint_text=(
        "A pair (i clicked, j not) has probability p_i (1 - p_j). Add these over the pairs "
        "where p_i > p_j, then divide by the sum over all pairs i != j."
    ),
    solution_code=(
        "from pmkt_lessons.ctr.metrics import expected_auc\n"
        "answer = expected_auc([0.1, 0.5, 0.9])   # 1.71 / 1.82, about 0.940"
    ),
    reference=_three_impressions_auc,
    wrong_answers=lambda: [1.0, 1.71 / 2.25, 0.5],
)

EXERCISES = [ex1, ex2, ex3]
