"""Exercises of lesson 08 (content-based and hybrid recommendation).

All three use the course split of the cleaned Online Retail; the checkers
hold its figures and the reference solutions recompute them with
``pmkt_lessons.recsys``. Introduced in lesson 08.
"""

from __future__ import annotations

from functools import lru_cache, partial

from .. import columns as C
from .. import recsys as rs
from . import Exercise, close_enough, number_checker
from .lesson_06 import course_split

CONTENT_NEAREST = "22776"          # SWEETHEART CAKESTAND 3 TIER
CF_NEAREST = "22699"               # ROSES REGENCY TEACUP AND SAUCER
SECOND_NEAREST = "22828"           # REGENCY MIRROR WITH SHUTTERS
NEW_PRODUCT_CUSTOMERS = 0.734003
NEW_PRODUCT_PAIRS = 0.144164
NEW_PRODUCT_LINES = 0.089348
HYBRID_05_NDCG = 0.114336
HYBRID_08_NDCG = 0.115045
KNN_NDCG = 0.112537
HYBRID_05_PRECISION = 0.099313


@lru_cache(maxsize=1)
def _catalogue_models():
    split = course_split()
    inter = rs.build_interactions(split.train, items=split.catalogue.index)
    knn = rs.ItemKNN("cosine", 50).fit(inter)
    content = rs.ContentRecommender(min_df=2).fit(inter, split.catalogue)
    return inter, knn, content


def _check_code(answer):
    if not isinstance(answer, str):
        return f"expected a stock code as a string such as '22423', got {type(answer).__name__}"
    code = answer.strip().upper()
    if code == CONTENT_NEAREST:
        return None
    if code == "22423":
        return "that is the product itself; similar_items leaves it out."
    if code == CF_NEAREST:
        return "that is its nearest neighbour by co-purchase (item-kNN); the question asks about descriptions."
    if code == SECOND_NEAREST:
        return "that one is second by description; look at the first row."
    return f"{code} is not the product whose description is closest"


ex1 = Exercise(
    name="08.1 nearest by description",
    question="Which product's description is most similar to that of 22423 REGENCY CAKESTAND 3 TIER?",
    checker=_check_code,
    hint_text="content.similar_items('22423', k=3) gives the nearest products with their cosine.",
    solution_code="""
print(content.similar_items("22423", k=3))
answer = content.similar_items("22423", k=1).index[0]     # '22776' SWEETHEART CAKESTAND 3 TIER
""",
    reference=lambda: str(_catalogue_models()[2].similar_items("22423", k=1).index[0]),
    wrong_answers=lambda: ["22423", CF_NEAREST, SECOND_NEAREST, 22776],
)


_share_checker = partial(number_checker, share=True)


def _new_product_customers() -> float:
    split = course_split()
    new_items = split.pairs.loc[split.pairs["new_item"], C.ITEM].unique()
    truth = split.truth
    buyers = truth.loc[truth[C.ITEM].isin(new_items), C.USER].nunique()
    return buyers / truth[C.USER].nunique()


ex2 = Exercise(
    name="08.2 who meets new products",
    question="What share of the truth's customers bought at least one product new in the test period?",
    checker=_share_checker(
        NEW_PRODUCT_CUSTOMERS,
        "the share of customers",
        {
            NEW_PRODUCT_PAIRS: "that is the share of truth pairs; count distinct customers instead.",
            NEW_PRODUCT_LINES: "that is the share of test lines; the question is about the truth's customers.",
        },
    ),
    hint_text="Filter split.truth to items in new_items, count distinct user_id, divide by all distinct user_id of the truth.",
    solution_code="""
bought_new = truth.loc[truth[C.ITEM].isin(new_items), C.USER].nunique()
answer = bought_new / truth[C.USER].nunique()
""",
    reference=_new_product_customers,
    wrong_answers=lambda: [NEW_PRODUCT_PAIRS, NEW_PRODUCT_LINES, 1_388],
)


def _hybrid_05() -> float:
    split = course_split()
    inter, knn, content = _catalogue_models()
    users = split.truth[C.USER].unique()
    recs = rs.HybridRecommender(knn, content, alpha=0.5, prefit=True).fit(inter).recommend(users, k=10)
    return rs.ndcg_at_k(recs, split.truth, 10)


def _check_hybrid(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected a number for NDCG@10, got {type(answer).__name__}"
    traps = {
        HYBRID_08_NDCG: "that is the hybrid at alpha = 0.8; the question asks for alpha = 0.5.",
        KNN_NDCG: "that is item-kNN alone (alpha = 1).",
        HYBRID_05_PRECISION: "that is precision@10; use rs.ndcg_at_k.",
    }
    for trap, message in traps.items():
        if abs(value - trap) <= 1e-5:
            return message
    return close_enough(value, HYBRID_05_NDCG, "NDCG@10", rel=1e-3)


ex3 = Exercise(
    name="08.3 an even blend",
    question="What is the test NDCG@10 of the hybrid of item-kNN and content with alpha = 0.5?",
    checker=_check_hybrid,
    hint_text="rs.HybridRecommender(knn, content, alpha=0.5, prefit=True).fit(inter), then recommend(users, k=10) and rs.ndcg_at_k.",
    solution_code="""
even = rs.HybridRecommender(knn, content, alpha=0.5, prefit=True).fit(inter)
answer = rs.ndcg_at_k(even.recommend(users, k=10), truth, 10)
""",
    reference=_hybrid_05,
    wrong_answers=lambda: [HYBRID_08_NDCG, KNN_NDCG, HYBRID_05_PRECISION, "0.11"],
)

EXERCISES = [ex1, ex2, ex3]
