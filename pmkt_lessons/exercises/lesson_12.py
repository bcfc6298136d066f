"""Exercises of lesson 12: the FM interaction term by hand, and the parameters it saves."""

from __future__ import annotations

from . import Exercise, close_enough

_V = ((1.0, 0.0), (0.5, 1.0), (-1.0, 2.0))


def _fm_term() -> float:
    return sum(
        sum(a * b for a, b in zip(_V[i], _V[j], strict=True)) for i in range(3) for j in range(i + 1, 3)
    )


ex1 = Exercise(
    name="12.1 the FM interaction term",
    question=(
        "An impression has three fields whose levels have the 2-dimensional embeddings "
        "v1 = (1, 0), v2 = (0.5, 1) and v3 = (-1, 2). What does the factorisation-machine "
        "term add to the logit? Compute it as the sum over pairs, then check it with "
        "0.5 * (|v1 + v2 + v3|^2 - (|v1|^2 + |v2|^2 + |v3|^2))."
    ),
    checker=lambda a: close_enough(a, _fm_term(), "the FM term", rel=1e-6, abs_=1e-9),
    hint_text="Three pairs: <v1, v2>, <v1, v3>, <v2, v3>. A dot product multiplies coordinates and adds.",
    solution_code=(
        "import numpy as np\n"
        "v = np.array([[1, 0], [0.5, 1], [-1, 2]])\n"
        "answer = 0.5 * ((v.sum(axis=0) ** 2).sum() - (v ** 2).sum())   # 1.0"
    ),
    reference=_fm_term,
    wrong_answers=lambda: [0.0, 2.0, 9.25],
)


def _parameter_counts() -> tuple[int, int]:
    levels = (10, 12, 30)
    fm = sum(levels) * 4
    crosses = levels[0] * levels[1] + levels[0] * levels[2] + levels[1] * levels[2]
    return fm, crosses


def _check_counts(answer) -> str | None:
    try:
        fm, crosses = (int(x) for x in answer)
    except (TypeError, ValueError):
        return "expected a pair (fm_weights, cross_weights) of two integers"
    want_fm, want_crosses = _parameter_counts()
    if fm != want_fm:
        return f"the FM needs one 4-number embedding per level; {fm} is not that count"
    if crosses != want_crosses:
        return f"crossing every pair of fields gives one weight per pair of levels; {crosses} is not that count"
    return None


ex2 = Exercise(
    name="12.2 what factorising saves",
    question=(
        "Three fields have 10, 12 and 30 levels. (a) How many interaction weights does a "
        "factorisation machine with embedding size 4 learn for them? (b) How many weights "
        "does logistic regression need if you cross every pair of these fields? Answer "
        "with a pair (a, b)."
    ),
    checker=_check_counts,
    hint_text=(
        "(a) one embedding of 4 numbers per level of every field; (b) a cross of fields with "
        "n and m levels has n x m levels, and there are three pairs."
    ),
    solution_code="answer = ((10 + 12 + 30) * 4, 10 * 12 + 10 * 30 + 12 * 30)   # (208, 780)",
    reference=_parameter_counts,
    wrong_answers=lambda: [(208, 3600), (52, 780), (780, 208), "208"],
)

EXERCISES = [ex1, ex2]
