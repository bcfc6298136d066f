"""Exercises of lesson 12: the FM term on new embeddings, what factorising saves, and fm_term as a function."""

from __future__ import annotations

import itertools

import numpy as np

from . import Exercise, close_enough, quiz_question

_V = ((1.0, 0.0, 2.0), (0.5, -1.0, 1.0), (-2.0, 1.0, 0.5))
_LEVELS = (8, 15, 40, 6)
_K = 5


def fm_term(v) -> float:
    """The factorisation-machine term sum_{i<j} <v_i, v_j> of a (fields, k) array (the O(fields x k) form)."""
    v = np.asarray(v, dtype=float)
    return float(0.5 * ((v.sum(axis=0) ** 2).sum() - (v**2).sum()))


ex1 = Exercise(
    name="12.1 the FM interaction term",
    question=(
        "An impression has three fields whose levels have the 3-dimensional embeddings "
        "v1 = (1, 0, 2), v2 = (0.5, -1, 1) and v3 = (-2, 1, 0.5). What does the factorisation-machine "
        "term add to the logit?"
    ),
    checker=lambda a: close_enough(a, fm_term(_V), "the FM term", rel=1e-3),
    hint_text="Three pairs: <v1, v2>, <v1, v3>, <v2, v3>. A dot product multiplies coordinates and adds.",
    solution_code="",
    reference=lambda: fm_term(_V),
)


def _parameter_counts() -> tuple[int, int]:
    fm = sum(_LEVELS) * _K
    crosses = sum(a * b for a, b in itertools.combinations(_LEVELS, 2))
    return fm, crosses


ex2 = Exercise(
    name="12.2 what factorising saves",
    question="",
    checker=lambda a: None if tuple(a) == _parameter_counts() else "no",
    hint_text="",
    solution_code="",
    reference=_parameter_counts,
)

ex3 = Exercise(
    name="12.3 the FM term as a function",
    question="",
    checker=lambda f: None,
    hint_text="",
    solution_code="",
    reference=lambda: fm_term,
    kind="function",
)

EXERCISES = [ex1, ex2, ex3]

QUIZ = [
    quiz_question(
        "12.q1 a model at its epoch cap",
        "A deep CTR model's validation log loss is still falling when training reaches its 10th and "
        "last epoch. What can you conclude when it loses to the trees?",
        {
            "a": "Deep models are worse than trees on this data.",
            "b": "Little: it may just be under-trained. Raise the cap (or the learning rate) until early "
            "stopping triggers, then compare.",
            "c": "The trees overfit, since they were trained longer.",
            "d": "The model overfits and needs more dropout.",
        },
        correct="b",
        explanation=(
            "A model stopped by its epoch cap has not converged: its validation loss would still go "
            "down. Comparing it with a converged baseline compares a budget, not a model. Early "
            "stopping on a validation set decides when to stop; the cap is only a safety net, so "
            "check that it was not reached (the lesson asserts stopped_early_ for every model)."
        ),
    ),
    quiz_question(
        "12.q2 a paired interval",
        "On the same test impressions, model A's AUC is 0.004 higher than B's, and the paired "
        "bootstrap interval of the difference is [-0.001, +0.009]. What do you report?",
        {
            "a": "A is better: its AUC is higher.",
            "b": "B is better, since the interval starts below zero.",
            "c": "The difference is within noise on this test set: the data do not separate A and B.",
            "d": "Nothing can be said without a larger model.",
        },
        correct="c",
        explanation=(
            "The interval contains zero, so resampling the same impressions makes B win about as "
            "easily as A: the ranking of the two is not supported. Pairing (resampling each "
            "impression with both models' scores) removes the difficulty the models share, which "
            "is why it is tighter than comparing two separate intervals."
        ),
    ),
    quiz_question(
        "12.q3 the wide part",
        "Why does Wide&Deep need cross-product features in its wide part, while DeepFM does not?",
        {
            "a": "DeepFM's FM part already gives every pair of fields an interaction (the dot product of "
            "their embeddings); without crosses, Wide&Deep's only route to interactions is its MLP, "
            "which learns them slowly from concatenated embeddings.",
            "b": "Cross-products make the model smaller.",
            "c": "Wide&Deep has no embeddings.",
            "d": "The crosses replace the deep part, which is then switched off.",
        },
        correct="a",
        explanation=(
            "Cheng et al. (2016) pair a wide linear model on raw and crossed columns, which memorises "
            "combinations seen in training, with a deep part that generalises. Without the crosses "
            "the wide part is plain logistic regression. DeepFM replaces hand-picked crosses by the FM "
            "term, which covers every pair with embeddings and also scores pairs never seen together."
        ),
    ),
    quiz_question(
        "12.q4 when not to reach for DeepFM",
        "Which table favours well-tuned gradient-boosted trees over FM or DeepFM?",
        {
            "a": "Billions of ad impressions with dozens of categorical fields of thousands of levels each.",
            "b": "A few tens of thousands of rows with a handful of fields, several of them numeric with "
            "thresholds that matter (age, balance, days since the last contact).",
            "c": "Any table: trees always win.",
            "d": "Any table: deep models always win once tuned.",
        },
        correct="b",
        explanation=(
            "Factorisation shines when there are many sparse categorical fields whose pairs matter and "
            "many pairs are rare: embeddings share strength across them. Small tabular data with "
            "strong numeric thresholds suit trees, which split on them directly. Which wins on a given "
            "table is an empirical question: tune both on validation, compare on the same test rows "
            "with a paired interval."
        ),
    ),
]
