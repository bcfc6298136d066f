"""Exercises of lesson 06 (recommender evaluation).

Exercise 1 is a by-hand metric; 2 and 3 use the course split of the cleaned
Online Retail, whose figures the checkers hold and the reference solutions
recompute with ``pmkt_lessons.recsys``. Introduced in lesson 06.
"""

from __future__ import annotations

import math
from functools import lru_cache, partial

from .. import columns as C
from .. import recsys as rs
from . import Exercise, number_checker
from . import _online_retail as retail

NDCG_TOY = (1 + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
DCG_TOY = 1 + 1 / math.log2(5)
REPEAT_SHARE = 0.295769
REPEAT_SHARE_OF_ALL = 27_915 / 131_882
POPULARITY_RECALL_20 = 0.029644
POPULARITY_PRECISION_20 = 0.045531
POPULARITY_RECALL_10 = 0.017045


@lru_cache(maxsize=1)
def course_split() -> rs.CourseSplit:
    """Give ``rs.course_split`` of the cleaned data (cached; treat it as read-only)."""
    return rs.course_split(retail.clean())


_number_checker = partial(number_checker, share=True)


ex1 = Exercise(
    name="06.1 NDCG by hand",
    question=(
        "A customer bought p1, p4 and p9 in the test period. Your list, best first, is "
        "p4, p2, p7, p1, p5. What is NDCG@5 with binary relevance?"
    ),
    checker=_number_checker(
        NDCG_TOY,
        "NDCG@5",
        {
            DCG_TOY: "that is the DCG; divide it by the DCG of the ideal list (three hits at positions 1-3).",
            0.4: "that is precision@5 (2 hits / 5).",
            2 / 3: "that is recall@5 (2 of 3 found).",
        },
        share=False,
    ),
    hint_text=(
        "Hits are at positions 1 (p4) and 4 (p1). DCG = sum of 1/log2(position + 1) over hits; "
        "the ideal list puts the 3 relevant products at positions 1, 2, 3."
    ),
    solution_code="""
import math
dcg = 1 / math.log2(1 + 1) + 1 / math.log2(4 + 1)
idcg = sum(1 / math.log2(r + 1) for r in (1, 2, 3))
answer = dcg / idcg        # 0.6714
""",
    reference=lambda: NDCG_TOY,
    wrong_answers=lambda: [DCG_TOY, 0.4, 2 / 3, "high"],
)


def _repeat_share() -> float:
    pairs = course_split().pairs
    return float(pairs.loc[pairs["known_user"], "repeat"].mean())


ex2 = Exercise(
    name="06.2 repeat purchases",
    question=(
        "On the course split, what share of the test (customer, product) pairs of customers with "
        "training history are repeat purchases?"
    ),
    checker=_number_checker(
        REPEAT_SHARE,
        "the share of repeats",
        {
            REPEAT_SHARE_OF_ALL: "that divides by all test pairs; keep only customers with training history.",
            1 - REPEAT_SHARE: "that is the share of pairs that are NOT repeats.",
        },
    ),
    hint_text="split.pairs has boolean columns 'known_user' and 'repeat'; the mean of a boolean is a share.",
    solution_code="""
pairs = split.pairs
answer = pairs.loc[pairs["known_user"], "repeat"].mean()
""",
    reference=_repeat_share,
    wrong_answers=lambda: [REPEAT_SHARE_OF_ALL, 1 - REPEAT_SHARE, 27_915],
)


def _popularity_recall_20() -> float:
    split = course_split()
    users = split.truth[C.USER].unique()
    recs = rs.PopularityRecommender().fit(split.interactions).recommend(users, k=20)
    return rs.recall_at_k(recs, split.truth, 20)


ex3 = Exercise(
    name="06.3 recall at 20",
    question="What is the popularity baseline's recall@20 on the course truth?",
    checker=_number_checker(
        POPULARITY_RECALL_20,
        "recall@20",
        {
            POPULARITY_PRECISION_20: "that is precision@20; recall divides the hits by what the customer bought.",
            POPULARITY_RECALL_10: "that is recall@10; ask for k=20 in both recommend and the metric.",
        },
    ),
    hint_text="pop.recommend(users, k=20), then rs.recall_at_k(recs, split.truth, 20).",
    solution_code="""
recs20 = pop.recommend(users, k=20)
answer = rs.recall_at_k(recs20, split.truth, 20)
""",
    reference=_popularity_recall_20,
    wrong_answers=lambda: [POPULARITY_PRECISION_20, POPULARITY_RECALL_10, 2.0],
)

EXERCISES = [ex1, ex2, ex3]
