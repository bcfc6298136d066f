"""Exercises and concept quiz of lesson 09 (matrix factorisation).

09.1 counts cold-start test ratings on another seeded split of MovieLens
100K; 09.2 removes the shrinkage of the bias baseline for one film; 09.3 asks
for a function, one implicit-ALS solve, checked on hidden random cases
against :func:`pmkt_lessons.recsys.als.als_exact_solve`. Introduced in
lesson 09.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .. import columns as C
from . import Exercise, count_checker, function_checker, number_checker, quiz_question

SPLIT_SEED = 7
COLD_START_SEED_7 = 35
COLD_START_LESSON = 36
FILM = 1122  # They Made Me a Criminal: one rating, five stars
FILM_BIAS_UNSHRUNK = 1.240379
FILM_BIAS_LESSON = 0.114267
FILM_RAW_DEVIATION = 1.471412
FILM_BIAS_NO_REG = 1.196357


@lru_cache(maxsize=2)
def movielens_split(random_state: int = 42):
    """Give ``split_ratings`` of MovieLens 100K with ``random_state`` (cached; treat it as read-only)."""
    from ..data import load_movielens_100k
    from ..recsys.mf import split_ratings

    return split_ratings(load_movielens_100k().ratings, random_state=random_state)


def _cold_start(random_state: int = SPLIT_SEED) -> int:
    train, test = movielens_split(random_state)
    unknown = ~test[C.USER].isin(train[C.USER]) | ~test[C.ITEM].isin(train[C.ITEM])
    return int(unknown.sum())


ex1 = Exercise(
    name="09.1 cold start on another split",
    question=(
        f"Split the ratings with another seed, split_ratings(ratings, random_state={SPLIT_SEED}). How many "
        "of its 20,000 test ratings belong to a user or a film that has no rating at all in its training "
        "part? Answer with a count."
    ),
    checker=count_checker(
        COLD_START_SEED_7,
        "the number of cold-start test ratings",
        {
            COLD_START_LESSON: "that is the count of the lesson's split; use random_state=7.",
            0: "no test *user* is new, but some films are: count ratings whose user OR film is unseen.",
        },
    ),
    hint_text=(
        "A rating is cold-start when the model has never seen its user or its film: compare the test "
        "rows with what the training part contains, for both columns."
    ),
    hint_code=(
        "test[C.USER].isin(train[C.USER]) says which test users were seen; do the same for C.ITEM, "
        "combine the two 'not seen' masks with | and sum."
    ),
    solution_code=f"""
train7, test7 = split_ratings(ratings, random_state={SPLIT_SEED})
# a model knows nothing specific about a user or film it never saw: either one makes the rating cold
unknown = ~test7[C.USER].isin(train7[C.USER]) | ~test7[C.ITEM].isin(train7[C.ITEM])
answer = int(unknown.sum())
""",
    reference=_cold_start,
    wrong_answers=lambda: [COLD_START_LESSON, 0, COLD_START_SEED_7 / 20_000, 20_000],
)


def _film_bias(**params) -> float:
    import pandas as pd

    from ..recsys.mf import BiasBaseline

    train, _ = movielens_split()
    model = BiasBaseline(**params).fit(train)
    return float(pd.Series(model.item_bias_, index=model.item_ids_)[FILM])


ex2 = Exercise(
    name="09.2 a bias without shrinkage",
    question=(
        f"Fit BiasBaseline(reg_item=0) on the lesson's training ratings: the film penalty is gone, the "
        f"user penalty stays. What is the bias b_i of film {FILM} (They Made Me a Criminal, rated once "
        "with five stars)? Answer with a number."
    ),
    checker=number_checker(
        FILM_BIAS_UNSHRUNK,
        "the film's bias",
        {
            FILM_BIAS_LESSON: "that is the shrunk bias of section 2 (reg_item=10); set reg_item=0.",
            FILM_RAW_DEVIATION: "that is the raw deviation from the mean; the bias also subtracts the user's bias.",
            FILM_BIAS_NO_REG: "that is with both penalties at 0; keep the user penalty (reg_user=15).",
        },
        sig=3,
    ),
    hint_text=(
        "With lambda_i = 0 a film's bias is its mean deviation after the user biases are taken out; "
        "nothing pulls a film with one rating towards 0 any more."
    ),
    hint_code=(
        "Section 2's code: BiasBaseline(...).fit(train), then pd.Series(model.item_bias_, "
        "index=model.item_ids_) and look the film up."
    ),
    solution_code=f"""
unshrunk = BiasBaseline(reg_item=0).fit(train)
answer = pd.Series(unshrunk.item_bias_, index=unshrunk.item_ids_)[{FILM}]
# about 1.24 instead of 0.11: one enthusiastic rating now counts as firm evidence, which is
# exactly what the shrinkage lambda_i / (lambda_i + n_i) protects against
""",
    reference=lambda: _film_bias(reg_item=0),
    wrong_answers=lambda: [FILM_BIAS_LESSON, FILM_RAW_DEVIATION, FILM_BIAS_NO_REG, -FILM_BIAS_UNSHRUNK],
)


def als_user_factors(item_factors, weights, alpha, reg):
    """One customer's exact implicit-ALS factors (the reference of 09.3).

    ``x_u = (Y^T C_u Y + reg I)^-1 Y^T C_u p_u`` with ``c = 1 + alpha r`` and
    ``p = (r > 0)``, via :func:`pmkt_lessons.recsys.als.als_exact_solve`.
    """
    from ..recsys.als import als_exact_solve

    row = sp.csr_matrix(np.asarray(weights, dtype=float)[None, :])
    return als_exact_solve(row, item_factors, reg=reg, alpha=alpha)[0]


def _als_cases(rng):
    cases = []
    for n_items, k in ((5, 2), (12, 3), (40, 4)):
        factors = rng.normal(0, 0.5, (n_items, k))
        weights = np.where(rng.random(n_items) < 0.3, rng.integers(1, 4, n_items), 0).astype(float)
        weights[0] = 1.0
        cases.append((factors, weights, float(rng.choice([1.0, 2.0, 10.0])), float(rng.choice([0.1, 0.5, 2.0]))))
    return cases


def _no_confidence(item_factors, weights, alpha, reg):
    y, p = item_factors, (weights > 0).astype(float)
    return np.linalg.solve(y.T @ y + reg * np.eye(y.shape[1]), y.T @ p)


def _no_penalty(item_factors, weights, alpha, reg):
    return als_user_factors(item_factors, weights, alpha, 0.0)


def _bought_only(item_factors, weights, alpha, reg):
    keep = weights > 0
    y, c = item_factors[keep], 1 + alpha * weights[keep]
    return np.linalg.solve(y.T @ (c[:, None] * y) + reg * np.eye(y.shape[1]), y.T @ c)


ex3 = Exercise(
    name="09.3 write one ALS step",
    question=(
        "Write a function als_user_factors(item_factors, weights, alpha, reg) that gives one customer's "
        "ALS factors x_u = (Y^T C_u Y + reg I)^-1 Y^T C_u p_u of section 5: item_factors is Y (products x "
        "factors), weights the customer's r_ui for every product (0 where not bought), c_ui = 1 + alpha r_ui "
        "and p_ui = 1 if r_ui > 0 else 0. Return a 1-d array. Answer with the function itself; it is "
        "checked on hidden cases."
    ),
    checker=function_checker(als_user_factors, _als_cases, "als_user_factors"),
    hint_text=(
        "Every product counts, bought or not: the not-bought ones have preference 0 and confidence 1. "
        "Build p and c for all products, then solve one small linear system."
    ),
    hint_code=(
        "Section 5's closed form, built from two vectors over all products (p and c); "
        "Y.T @ (c[:, None] * Y) is Y^T C_u Y without a diagonal matrix, and np.linalg.solve(A, b) solves A x = b."
    ),
    solution_code="""
def als_user_factors(item_factors, weights, alpha, reg):
    Y = item_factors
    p = (weights > 0).astype(float)          # preference: bought or not
    c = 1 + alpha * weights                  # confidence: 1 for every cell, more where bought
    # every product is in the sum (p = 0, c = 1 where not bought): that is what implicit ALS fits
    lhs = Y.T @ (c[:, None] * Y) + reg * np.eye(Y.shape[1])
    return np.linalg.solve(lhs, Y.T @ (c * p))

answer = als_user_factors
""",
    reference=lambda: als_user_factors,
    wrong_answers=lambda: [_no_confidence, _no_penalty, _bought_only, "als_user_factors"],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "09.q1 where the penalty sits",
        "Explicit MF can put lambda |p_u|^2 inside the sum over ratings (once per rating) or outside it "
        "(once per user). Which form pulls the factors of users with few ratings towards 0 hardest?",
        {
            "a": "Inside the sum: a user with few ratings gets the strongest penalty.",
            "b": "Outside the sum: the penalty stays fixed while the error terms grow with the number of "
                 "ratings, so sparse users are shrunk hardest.",
            "c": "Both shrink every user equally.",
            "d": "Neither: L2 penalties do not depend on the number of ratings.",
        },
        correct="b",
        explanation=(
            "Inside the sum a user with n_u ratings carries n_u lambda |p_u|^2: penalty and data grow "
            "together, so the balance is the same for everyone (weighted-lambda regularisation). Outside, the "
            "penalty is lambda |p_u|^2 whatever n_u is, so a user with three ratings is dominated by it and a "
            "user with 300 is not: the shrinkage of the bias baseline, b_i divided by lambda_i + n_i."
        ),
        traps={"a": "Inside the sum the penalty grows with the ratings, so a sparse user has the smallest "
                    "penalty, and also the fewest error terms: the balance does not change."},
    ),
    quiz_question(
        "09.q2 why every cell",
        "Implicit ALS fits all users x products cells, not only the purchases. Why?",
        {
            "a": "Because fitting only the purchases, which are all 1, is solved by predicting 1 everywhere: "
                 "the model would learn nothing about what customers do not buy.",
            "b": "Because the non-purchases are known dislikes.",
            "c": "Because the closed form needs a dense matrix.",
            "d": "It is only faster; the result is the same.",
        },
        correct="a",
        explanation=(
            "With only positive cells any model that outputs 1 is perfect. Implicit ALS treats an empty cell "
            "as a weak 0 (confidence 1) and a purchase as a stronger 1 (confidence 1 + alpha): not a dislike, "
            "just less evidence. The algebra Y^T C_u Y = Y^T Y + sum over purchases keeps it cheap."
        ),
        traps={"b": "An empty cell may be a product the customer never saw; that is why its confidence is low, not zero."},
    ),
    quiz_question(
        "09.q3 copying alpha from the paper",
        "Hu et al. used alpha = 40. Why is that not a good reason to use 40 on the shop's data?",
        {
            "a": "It is: published settings are tuned and transfer between data sets.",
            "b": "Their r_ui counted hours of TV watched, ours is 0 or 1, and lambda's scale depends on the "
                 "data's size: the settings must be chosen on a validation period of this data.",
            "c": "Because 40 is too large for float32.",
            "d": "Because alpha has no effect on top-10 lists.",
        },
        correct="b",
        explanation=(
            "alpha weighs evidence measured in the units of r_ui, and lambda competes with a sum over every "
            "cell of this matrix. The lesson's validation sweep found alpha = 40 far below the best at every "
            "lambda, and alpha = 1 with lambda = 30 best; only the validation period, never the test, chose it."
        ),
        traps={"d": "The sweep in section 5.1 shows NDCG@10 falling from about 0.12 to 0.07 as alpha grows."},
    ),
    quiz_question(
        "09.q4 within noise",
        "ALS with the bench settings scores NDCG@10 0.0033 above item-kNN, paired 95% interval -0.0024 to "
        "+0.0087. What may the lesson write?",
        {
            "a": "ALS is the best model.",
            "b": "Item-kNN is the best model.",
            "c": "The two are within noise on this test period: the data cannot tell which ranks better.",
            "d": "ALS is better for 95% of customers.",
        },
        correct="c",
        explanation=(
            "An interval that contains 0 supports neither sign. Reporting the larger mean as the winner "
            "would be reading noise; only the tuned ALS, whose interval lies above 0, may be called better "
            "than item-kNN here."
        ),
        traps={"a": "The mean is higher, but the interval contains 0: the sign is not supported."},
    ),
]
