"""Exercises of lesson 10 (neural recommenders).

Exercise 1 uses the course split of Online Retail (the reference solution
recomputes it with ``pmkt_lessons.recsys``); 2 and 3 are by hand: one GMF
prediction and one early-stopping decision. Introduced in lesson 10.
"""

from __future__ import annotations

import math
from functools import partial

from . import Exercise, number_checker

TRAIN_PURCHASES = 162_825
ROWS_PER_EPOCH = 5 * TRAIN_PURCHASES

GMF_P = (0.5, -1.0, 2.0)
GMF_Q = (1.0, 0.5, 0.25)
GMF_H = (1.0, 2.0, -1.0)
GMF_B = 0.1
_LOGIT = sum(h * p * q for h, p, q in zip(GMF_H, GMF_P, GMF_Q, strict=True)) + GMF_B
GMF_PROBABILITY = 1 / (1 + math.exp(-_LOGIT))
_DOT = sum(p * q for p, q in zip(GMF_P, GMF_Q, strict=True))

VAL_NDCG = (0.052, 0.071, 0.080, 0.079, 0.083, 0.081, 0.080)
"""Validation NDCG@10 after epochs 1..7, for exercise 10.3."""


_number = partial(number_checker, rel=1e-3)


def _rows_per_epoch() -> int:
    from .lesson_06 import course_split

    return 5 * course_split().interactions.nnz


ex1 = Exercise(
    name="10.1 rows per epoch",
    question=(
        "With the default n_negatives=4, how many (customer, product, label) rows does NeuMF train on "
        "in one epoch on the course split's training interactions?"
    ),
    checker=_number(
        ROWS_PER_EPOCH,
        "the rows per epoch",
        {
            4 * TRAIN_PURCHASES: "those are the negatives only; every purchase is a row too (label 1).",
            TRAIN_PURCHASES: "those are the purchases only; each brings n_negatives sampled non-purchases.",
        },
        rel=0,
    ),
    hint_text="Every stored cell of split.interactions.matrix is one positive; each positive gets n_negatives negatives.",
    solution_code="""
answer = (1 + 4) * split.interactions.nnz        # 814,125
""",
    reference=_rows_per_epoch,
    wrong_answers=lambda: [4 * TRAIN_PURCHASES, TRAIN_PURCHASES, 3317 * 3394],
)

ex2 = Exercise(
    name="10.2 a GMF prediction",
    question=(
        f"A GMF model has user embedding p = {list(GMF_P)}, item embedding q = {list(GMF_Q)}, output "
        f"weights h = {list(GMF_H)} and bias b = {GMF_B}. What probability of purchase does it predict, "
        "sigmoid(h . (p * q) + b)?"
    ),
    checker=_number(
        GMF_PROBABILITY,
        "the predicted probability",
        {
            _LOGIT: "that is the logit; pass it through the sigmoid 1 / (1 + exp(-z)).",
            1 / (1 + math.exp(-(_DOT + GMF_B))): "that ignores the output weights h: it is plain MF, sigmoid(p . q + b).",
            _DOT: "that is the dot product p . q (plain MF without h, b and the sigmoid).",
        },
    ),
    hint_text="The element-wise product p * q is [0.5, -0.5, 0.5]; weight it with h, add b, apply the sigmoid.",
    solution_code="""
import numpy as np
p, q, h, b = np.array([0.5, -1, 2]), np.array([1, 0.5, 0.25]), np.array([1, 2, -1]), 0.1
answer = 1 / (1 + np.exp(-(h @ (p * q) + b)))        # 0.2891
""",
    reference=lambda: GMF_PROBABILITY,
    wrong_answers=lambda: [_LOGIT, 1 / (1 + math.exp(-(_DOT + GMF_B))), _DOT],
)


def _early_stop(history, patience):
    best, best_epoch, waited = -math.inf, 0, 0
    for epoch, value in enumerate(history, start=1):
        if value > best:
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
        if waited >= patience:
            return epoch, best_epoch
    return len(history), best_epoch


EARLY_STOP = _early_stop(VAL_NDCG, 2)


def _check_stop(answer):
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return "answer with a pair (epoch at which training stops, epoch whose weights are kept)"
    try:
        stop, kept = int(answer[0]), int(answer[1])
    except (TypeError, ValueError):
        return "both entries must be epoch numbers (1-7)"
    if (stop, kept) == _early_stop(VAL_NDCG, 1):
        return "that is patience 1 (stop at the first epoch without gain); here patience is 2."
    if stop != EARLY_STOP[0]:
        return f"training does not stop at epoch {stop}: count epochs without a new best, resetting at each gain."
    if kept != EARLY_STOP[1]:
        return f"epoch {kept} is not the best validation epoch; early stopping keeps the best weights, not the last."
    return None


ex3 = Exercise(
    name="10.3 when does early stopping stop?",
    question=(
        f"Validation NDCG@10 after epochs 1-7 is {list(VAL_NDCG)} (ex.VAL_NDCG). With patience=2 "
        "(stop after 2 epochs in a row without a new best), at which epoch does training stop, and "
        "which epoch's weights does the model keep? Answer with a pair (stop_epoch, kept_epoch)."
    ),
    checker=_check_stop,
    hint_text="Walk the list: a new best resets the count of epochs without gain; stop when the count reaches 2.",
    solution_code="""
answer = (7, 5)   # best 0.083 at epoch 5; epochs 6 and 7 bring no gain, so it stops after epoch 7
""",
    reference=lambda: EARLY_STOP,
    wrong_answers=lambda: [_early_stop(VAL_NDCG, 1), (7, 7), (5, 5), 7],
)

EXERCISES = [ex1, ex2, ex3]
