"""Exercises and concept quiz of lesson 12 (deep CTR models).

12.1 computes the FM term on embeddings the lesson did not show, 12.2 counts
what factorising saves for fields the lesson did not use, and 12.3 asks for
the FM term as a function, checked on hidden random embeddings. Introduced in
lesson 12.
"""

from __future__ import annotations

import itertools

import numpy as np

from . import Exercise, function_checker, number_checker, quiz_question, sequence_checker

_V = ((1.0, 0.0, 2.0), (0.5, -1.0, 1.5), (-2.0, 1.0, 1.5))
_LEVELS = (8, 15, 40, 6)
_K = 5


def fm_term(v) -> float:
    """Give the factorisation-machine term sum_{i<j} <v_i, v_j> of a (fields, k) array.

    Computed in O(fields x k) as 0.5 * sum_k((sum_i v_ik)^2 - sum_i v_ik^2) (Rendle, 2010).
    """
    v = np.asarray(v, dtype=float)
    return float(0.5 * ((v.sum(axis=0) ** 2).sum() - (v**2).sum()))


def _fm_traps() -> dict[float, str]:
    v = np.asarray(_V)
    square_of_sum, sum_of_squares = float((v.sum(axis=0) ** 2).sum()), float((v**2).sum())
    return {
        square_of_sum - sum_of_squares: "that counts every pair twice (<v1, v2> and <v2, v1>): halve it.",
        square_of_sum: "that is |v1 + v2 + v3|^2, which still holds each field's product with itself "
        "(|v_i|^2): subtract those, then halve.",
        0.5 * square_of_sum: "you halved |v1 + v2 + v3|^2 but kept the squares |v_i|^2 of each field with itself.",
        float(v[0] @ v[1]): "that is only <v1, v2>; the FM term adds all three pairs.",
    }


ex1 = Exercise(
    name="12.1 the FM interaction term",
    question=(
        "An impression has three fields whose levels have the 3-dimensional embeddings "
        "v1 = (1, 0, 2), v2 = (0.5, -1, 1.5) and v3 = (-2, 1, 1.5). What does the factorisation-machine "
        "term add to the logit? (answer: a number)"
    ),
    checker=number_checker(fm_term(_V), "the FM term", _fm_traps()),
    hint_text=(
        "The FM term adds one dot product per pair of different fields; with three fields there are "
        "three pairs, and a field is never paired with itself."
    ),
    hint_code=(
        "Section 2 gives the shortcut 0.5 * sum_k((sum_i v_ik)^2 - sum_i v_ik^2): with numpy, "
        "v.sum(axis=0) and (v ** 2).sum()."
    ),
    solution_code=(
        "import numpy as np\n"
        "v = np.array([[1, 0, 2], [0.5, -1, 1.5], [-2, 1, 1.5]])\n"
        "# the square of the sum holds every pair twice plus each field with itself:\n"
        "# subtract the squares, then halve (Rendle's O(fields x k) form)\n"
        "answer = 0.5 * ((v.sum(axis=0) ** 2).sum() - (v ** 2).sum())\n"
        "# the same as <v1, v2> + <v1, v3> + <v2, v3>"
    ),
    reference=lambda: fm_term(_V),
    wrong_answers=lambda: [*_fm_traps(), True, "4.75", -fm_term(_V)],
)


def _parameter_counts() -> tuple[int, int]:
    fm = sum(_LEVELS) * _K
    crosses = sum(a * b for a, b in itertools.combinations(_LEVELS, 2))
    return fm, crosses


def _count_traps() -> dict[tuple, str]:
    fm, crosses = _parameter_counts()
    return {
        (crosses, fm): "the two counts are swapped: (a) is the factorisation machine, (b) the crosses.",
        (sum(_LEVELS), crosses): "(a) counts levels, but every level has an embedding of k = 5 numbers.",
        (fm + sum(_LEVELS), crosses): "(a) includes the linear weights; the question asks for the interaction weights only.",
        (fm, int(np.prod(_LEVELS))): "(b) crosses all four fields at once; a pairwise wide model crosses each pair of fields.",
        (fm, crosses + sum(_LEVELS)): "(b) includes one weight per level of each field; count only the crosses.",
    }


ex2 = Exercise(
    name="12.2 what factorising saves",
    question=(
        "Four fields have 8, 15, 40 and 6 levels. (a) How many interaction weights does a "
        "factorisation machine with embedding size 5 learn for them? (b) How many weights does a "
        "wide model need if it crosses every pair of these fields? (answer: a pair (a, b) of whole numbers)"
    ),
    checker=sequence_checker(_parameter_counts(), "the pair (FM weights, cross weights)", rel=0.0,
                             traps=_count_traps()),
    hint_text=(
        "(a) The FM stores one short vector per level, whatever the pairs. (b) A cross of a field with "
        "n levels and one with m levels has n x m levels of its own, one weight each."
    ),
    hint_code=(
        "(a) sum of the levels times k; (b) itertools.combinations(levels, 2) gives the pairs to multiply "
        "and add."
    ),
    solution_code=(
        "import itertools\n"
        "levels, k = [8, 15, 40, 6], 5\n"
        "fm = sum(levels) * k                                            # one k-vector per level\n"
        "crosses = sum(a * b for a, b in itertools.combinations(levels, 2))  # one weight per pair of levels\n"
        "answer = (fm, crosses)\n"
        "# the FM grows with the levels, the crosses with the products of levels: that is what factorising saves"
    ),
    reference=_parameter_counts,
    wrong_answers=lambda: [
        *_count_traps(),
        (345.9, 1418.9), ("345", "1418"), {345: 1, 1418: 2}, (345,), True, 345,
    ],
)


def _embedding_cases(rng: np.random.Generator) -> list[tuple[np.ndarray]]:
    shapes = [(2, 1), (3, 4), (5, 8), (10, 3), (1, 6)]
    cases = [(rng.normal(size=shape),) for shape in shapes]
    cases.append((np.ones((4, 2)),))  # six pairs of dot product 2: the term is 12
    return cases


ex3 = Exercise(
    name="12.3 the FM term as a function",
    question=(
        "Write a function fm_term(v) that takes a numpy array of shape (fields, k), one embedding per "
        "field, and returns the factorisation-machine term sum over i < j of <v_i, v_j> as a float. "
        "It is checked on hidden random embeddings (one field too). (answer: the function)"
    ),
    checker=function_checker(fm_term, _embedding_cases, "fm_term", rel=1e-9),
    hint_text=(
        "Pairs of *different* fields only, each pair once. A single field has no pair, so its term is 0."
    ),
    hint_code=(
        "Either two loops over i < j with v[i] @ v[j], or Rendle's shortcut from section 2 with "
        "v.sum(axis=0) and (v ** 2).sum()."
    ),
    solution_code=(
        "def fm_term(v):\n"
        "    v = np.asarray(v, dtype=float)\n"
        "    # (sum_i v_i)^2 holds each pair twice and each field with itself: remove the squares, halve\n"
        "    return float(0.5 * ((v.sum(axis=0) ** 2).sum() - (v ** 2).sum()))\n"
        "answer = fm_term"
    ),
    reference=lambda: fm_term,
    wrong_answers=lambda: [
        lambda v: float((v.sum(axis=0) ** 2).sum() - (v**2).sum()),
        lambda v: float((v.sum(axis=0) ** 2).sum()),
        lambda v: float(sum(v[i] @ v[j] for i in range(len(v)) for j in range(len(v)))),
        fm_term(_V),
    ],
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
