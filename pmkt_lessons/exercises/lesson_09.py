"""Exercises of lesson 09 (matrix factorisation).

Exercises 1 and 2 use the seeded 80/20 MovieLens split of the lesson (their
reference solutions recompute the figures with ``pmkt_lessons.recsys.mf``);
exercise 3 is one implicit-ALS step by hand on a toy customer. Introduced in
lesson 09.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import columns as C
from . import Exercise, number_checker

COLD_START_TEST_RATINGS = 36
COLD_START_SHARE = 36 / 20_000
BIAS_RMSE_GAIN = 0.184471
BIAS_MAE_GAIN = 0.199982
GLOBAL_RMSE = 1.123930
BIAS_RMSE = 0.939459

TOY_ITEM_FACTORS = np.array([[1.0, 0.5], [0.2, -1.0], [-0.5, 0.8], [0.3, 0.3]])
"""Four products' factors (rows) for exercise 09.3."""
TOY_BOUGHT, TOY_ALPHA, TOY_REG = (0, 2), 2.0, 0.5


@lru_cache(maxsize=1)
def movielens_split():
    """Give the lesson's ``(train, test)`` split of MovieLens 100K (cached; treat it as read-only)."""
    from ..data import load_movielens_100k
    from ..recsys.mf import split_ratings

    return split_ratings(load_movielens_100k().ratings)


def _cold_start() -> int:
    train, test = movielens_split()
    unknown = ~test[C.USER].isin(train[C.USER]) | ~test[C.ITEM].isin(train[C.ITEM])
    return int(unknown.sum())


ex1 = Exercise(
    name="09.1 cold start in the test set",
    question=(
        "How many of the 20,000 test ratings of split_ratings(ratings) belong to a user or a film "
        "that has no rating at all in the training part? Answer with a count."
    ),
    checker=number_checker(
        COLD_START_TEST_RATINGS,
        "the number of cold-start test ratings",
        {
            0: "no test *user* is new, but some films are: count ratings whose user OR film is unseen.",
            COLD_START_SHARE: "that is a share; the question asks for the number of ratings.",
        },
        rel=0,
    ),
    hint_text="test[C.USER].isin(train[C.USER]) says which test users were seen; do the same for films.",
    solution_code="""
unknown = ~test[C.USER].isin(train[C.USER]) | ~test[C.ITEM].isin(train[C.ITEM])
answer = int(unknown.sum())        # 36: all of them films with no training rating
""",
    reference=_cold_start,
    wrong_answers=lambda: [0, COLD_START_SHARE, 20_000],
)


def _bias_gain() -> float:
    from ..recsys.mf import BiasBaseline, GlobalMean

    train, test = movielens_split()
    return float(GlobalMean().fit(train).score_ratings(test)["RMSE"] - BiasBaseline().fit(train).score_ratings(test)["RMSE"])


ex2 = Exercise(
    name="09.2 what the biases buy",
    question=(
        "By how much does BiasBaseline() lower the test RMSE compared with GlobalMean()? "
        "Answer RMSE(global mean) - RMSE(biases), a positive number."
    ),
    checker=number_checker(
        BIAS_RMSE_GAIN,
        "the RMSE gain",
        {
            -BIAS_RMSE_GAIN: "the sign is reversed: subtract the biases' RMSE from the global mean's.",
            BIAS_MAE_GAIN: "that is the gain in MAE; the question asks about RMSE.",
            BIAS_RMSE / GLOBAL_RMSE: "that is a ratio; give the difference.",
        },
    ),
    hint_text="model.score_ratings(test) gives a Series with 'RMSE' and 'MAE'.",
    solution_code="""
gm = GlobalMean().fit(train).score_ratings(test)["RMSE"]
bb = BiasBaseline().fit(train).score_ratings(test)["RMSE"]
answer = gm - bb        # about 0.184
""",
    reference=_bias_gain,
    wrong_answers=lambda: [-BIAS_RMSE_GAIN, BIAS_MAE_GAIN, BIAS_RMSE / GLOBAL_RMSE],
)


def _toy_step(conf_on: bool = True, reg: float = TOY_REG, all_items: bool = True) -> np.ndarray:
    y = TOY_ITEM_FACTORS
    conf = np.ones(len(y))
    pref = np.zeros(len(y))
    pref[list(TOY_BOUGHT)] = 1.0
    if conf_on:
        conf[list(TOY_BOUGHT)] += TOY_ALPHA
    if not all_items:
        keep = list(TOY_BOUGHT)
        y, conf, pref = y[keep], conf[keep], pref[keep]
    lhs = y.T @ (conf[:, None] * y) + reg * np.eye(y.shape[1])
    return np.linalg.solve(lhs, y.T @ (conf * pref))


TOY_ANSWER = _toy_step()


def _check_toy(answer):
    arr = np.asarray(answer, dtype=float).ravel()
    if arr.shape != (2,):
        return f"expected the customer's 2 factors, got {arr.size} number(s)"
    traps = {
        "plain ridge regression: c_ui = 1 + alpha for the bought products, 1 for the others.": _toy_step(conf_on=False),
        "the penalty reg * I is missing from the left-hand side.": _toy_step(reg=0.0),
        "the products the customer did NOT buy count too (p = 0, c = 1): use all four rows.": _toy_step(all_items=False),
    }
    for message, trap in traps.items():
        if np.allclose(arr, trap, atol=1e-4):
            return message
    if not np.allclose(arr, TOY_ANSWER, atol=1e-3):
        return f"{np.round(arr, 4).tolist()} is not the ALS solution; check C_u, p_u and reg."
    return None


ex3 = Exercise(
    name="09.3 one ALS step by hand",
    question=(
        "ex.TOY_ITEM_FACTORS holds four products' factors (rows). A customer bought products 0 and 2 "
        "once (r = 1). With alpha = 2 and reg = 0.5, compute the customer's ALS factors "
        "x_u = (Y^T C_u Y + reg I)^-1 Y^T C_u p_u with numpy. Answer with the array of 2 numbers."
    ),
    checker=_check_toy,
    hint_text=(
        "p_u = [1, 0, 1, 0]; C_u = diag(1 + alpha * r_u) = diag(3, 1, 3, 1). "
        "np.linalg.solve(Y.T @ C @ Y + reg * np.eye(2), Y.T @ C @ p)."
    ),
    solution_code="""
Y = ex.TOY_ITEM_FACTORS
p = np.array([1.0, 0.0, 1.0, 0.0])
C_u = np.diag(1 + 2.0 * p)
answer = np.linalg.solve(Y.T @ C_u @ Y + 0.5 * np.eye(2), Y.T @ C_u @ p)   # [0.3033, 0.902]
""",
    reference=lambda: TOY_ANSWER.copy(),
    wrong_answers=lambda: [_toy_step(conf_on=False), _toy_step(reg=0.0), _toy_step(all_items=False), [1.0]],
)

EXERCISES = [ex1, ex2, ex3]
