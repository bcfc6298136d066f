"""Exercises of lesson 07 (collaborative filtering).

Exercises 1 and 2 use the lesson's 4 x 5 worked example; exercise 3 the
course split of the cleaned Online Retail (its reference solution refits the
model). Introduced in lesson 07.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import columns as C
from .. import recsys as rs
from . import Exercise, number_checker
from .lesson_06 import course_split

TINY = pd.DataFrame(
    [[2, 1, 0, 1, 0], [1, 0, 3, 0, 1], [0, 2, 0, 1, 1], [1, 1, 1, 0, 0]],
    index=pd.Index(["Ann", "Ben", "Cara", "Dev"], name=C.USER),
    columns=pd.Index(list("ABCDE"), name=C.ITEM),
)

COSINE_BE = 2 / math.sqrt(12)
JACCARD_BE = 1 / 4
DEV_D_SUM = 3 / math.sqrt(12) + 2 / math.sqrt(12)  # sim(D,B) * 1 + sim(D,A) * 1
JACCARD20_NDCG = 0.110403
JACCARD50_NDCG = 0.113952
JACCARD20_PRECISION = 0.097990


def tiny_interactions() -> rs.Interactions:
    """Give the 4 x 5 example of lesson 07 as an Interactions object (count weights)."""
    long = TINY.stack().rename(C.RATING).reset_index()
    long = long[long[C.RATING] > 0]
    return rs.build_interactions(long, C.USER, C.ITEM, weight=C.RATING, users=TINY.index, items=TINY.columns)


ex1 = Exercise(
    name="07.1 cosine by hand",
    question="In the 4 x 5 example, what is the cosine similarity of products B and E?",
    checker=number_checker(
        COSINE_BE,
        "cosine(B, E)",
        {
            JACCARD_BE: "that is the Jaccard similarity; cosine uses the counts: r_B . r_E / (|r_B| |r_E|).",
            2.0: "that is the dot product r_B . r_E; divide by the two norms.",
        },
    ),
    hint_text="r_B = (1, 0, 2, 1) and r_E = (0, 1, 1, 0) over Ann, Ben, Cara, Dev.",
    solution_code="""
b, e = tiny["B"].to_numpy(), tiny["E"].to_numpy()
answer = b @ e / (np.linalg.norm(b) * np.linalg.norm(e))      # 2 / sqrt(12) = 0.5774
""",
    reference=lambda: float(rs.cosine_similarity(tiny_interactions().matrix)[1, 4]),
    wrong_answers=lambda: [JACCARD_BE, 2.0, "0.58x"],
)


def _dev_d() -> float:
    model = rs.ItemKNN("cosine", k_neighbours=2).fit(tiny_interactions())
    return float(model.score(["Dev"])[0, 3])


ex2 = Exercise(
    name="07.2 item-kNN score by hand",
    question=(
        "With cosine and k_neighbours=2, what is Dev's weighted-sum (not normalised) item-kNN "
        "score for product D in the 4 x 5 example?"
    ),
    checker=number_checker(
        DEV_D_SUM,
        "Dev's score for D",
        {
            1.0: "that is the normalised score (a weighted average of Dev's 1s is 1); use the plain weighted sum.",
            3 / math.sqrt(12): "that uses only one neighbour; D has two, and Dev bought both.",
        },
    ),
    hint_text=(
        "D's cosine similarities: B 0.866, A 0.577, E 0.5, C 0. Its 2 neighbours are B and A; "
        "Dev bought both, once each."
    ),
    solution_code="""
answer = 0.8660 * 1 + 0.5774 * 1                     # 1.4434
model = rs.ItemKNN("cosine", k_neighbours=2).fit(tiny_inter)
print(model.score(["Dev"])[0, 3])                  # the same
""",
    reference=_dev_d,
    wrong_answers=lambda: [1.0, 3 / math.sqrt(12), np.float64(0.5)],
)


def _jaccard20_ndcg() -> float:
    split = course_split()
    users = split.truth[C.USER].unique()
    recs = rs.ItemKNN("jaccard", k_neighbours=20).fit(split.interactions).recommend(users, k=10)
    return rs.ndcg_at_k(recs, split.truth, 10)


ex3 = Exercise(
    name="07.3 fewer neighbours",
    question='On the course split, what is the NDCG@10 of rs.ItemKNN("jaccard", k_neighbours=20)?',
    checker=number_checker(
        JACCARD20_NDCG,
        "NDCG@10",
        {
            JACCARD50_NDCG: "that is the model with 50 neighbours; pass k_neighbours=20.",
            JACCARD20_PRECISION: "that is precision@10; use rs.ndcg_at_k.",
        },
    ),
    hint_text="Fit on split.interactions, recommend(users, k=10) for the truth's users, then rs.ndcg_at_k(recs, split.truth, 10).",
    solution_code="""
model = rs.ItemKNN("jaccard", k_neighbours=20).fit(split.interactions)
answer = rs.ndcg_at_k(model.recommend(users, k=10), split.truth, 10)
""",
    reference=_jaccard20_ndcg,
    wrong_answers=lambda: [JACCARD50_NDCG, JACCARD20_PRECISION, 0.5],
)

EXERCISES = [ex1, ex2, ex3]
