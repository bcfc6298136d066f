"""Exercises and concept quiz of lesson 08 (content-based and hybrid recommendation).

08.1 asks for a function (content scores from item vectors), checked on
hidden random cases; 08.2 sizes the cold start in the validation period (the
lesson measured it on the test period); 08.3 asks for a paired interval on a
metric the lesson did not compare. The reference solutions recompute
everything with ``pmkt_lessons.recsys`` on the course split. Introduced in
lesson 08.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import columns as C
from .. import recsys as rs
from ..evaluation import paired_bootstrap
from . import Exercise, function_checker, number_checker, quiz_question
from . import _online_retail as retail

#: The lesson's settings: lesson 03's tokenizer, the blend weight chosen on validation.
CONTENT_PARAMS = {"min_df": 2, "min_letters": 3}
HYBRID_ALPHA = 0.8


# --------------------------------------------------------------------------- 08.1


def content_scores(item_vectors, weights):
    """The lesson's content score of every item for one customer (the reference of 08.1).

    ``p = sum_j w_j v_j / sum_j w_j`` (the weighted mean of the vectors of what
    the customer bought) and ``s_i = p . v_i / |p|``.
    """
    profile = weights @ item_vectors / weights.sum()
    return item_vectors @ profile / np.linalg.norm(profile)


def _score_cases(rng):
    cases = []
    for n_items, n_words in ((6, 4), (12, 9), (30, 20)):
        vectors = rng.random((n_items, n_words)) * (rng.random((n_items, n_words)) < 0.5)
        vectors[:, 0] += 0.1  # every item has a word, so no profile is empty
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        weights = np.where(rng.random(n_items) < 0.4, rng.integers(1, 4, n_items), 0).astype(float)
        weights[0] = 2.0  # at least one purchase, weighted 2
        cases.append((vectors, weights))
    return cases


def _unnormalised(item_vectors, weights):
    return item_vectors @ (weights @ item_vectors / weights.sum())


def _unweighted(item_vectors, weights):
    profile = item_vectors[weights > 0].mean(axis=0)
    return item_vectors @ profile / np.linalg.norm(profile)


def _all_items(item_vectors, weights):
    profile = item_vectors.mean(axis=0)
    return item_vectors @ profile / np.linalg.norm(profile)


ex1 = Exercise(
    name="08.1 write the content score",
    question=(
        "Write a function content_scores(item_vectors, weights) that gives the content score of every "
        "product for one customer, as in section 2: item_vectors is a numpy array (products x words, "
        "each row of length 1), weights the customer's weight r_uj of every product (0 for products "
        "not bought; at least one is positive). Return a 1-d array with one score per product. "
        "Answer with the function itself (answer = content_scores); it is checked on hidden cases."
    ),
    checker=function_checker(content_scores, _score_cases, "content_scores"),
    hint_text=(
        "Two steps: the profile is a weighted mean of the rows of the products bought; a product's "
        "score is the cosine between profile and product, and the product rows already have length 1."
    ),
    hint_code=(
        "Section 2's formulas: weights @ item_vectors is the weighted sum of rows; divide by the sum of "
        "the weights, then take item_vectors @ profile and divide by np.linalg.norm(profile)."
    ),
    solution_code='''
def content_scores(item_vectors, weights):
    # the profile is the weighted mean of what the customer bought (section 2) ...
    profile = weights @ item_vectors / weights.sum()
    # ... and a score is a cosine: the rows have length 1, so divide by the profile's length only
    return item_vectors @ profile / np.linalg.norm(profile)

answer = content_scores
''',
    reference=lambda: content_scores,
    wrong_answers=lambda: [_unnormalised, _unweighted, _all_items, "content_scores"],
    kind="function",
)


# --------------------------------------------------------------------------- 08.2


@lru_cache(maxsize=1)
def validation_split():
    """Give ``rs.course_validation_split`` of the cleaned data (cached; treat it as read-only)."""
    return rs.course_validation_split(retail.clean())


def _new_in_august(by: str = "customers") -> float:
    validation = validation_split()
    new_items = validation.pairs.loc[validation.pairs["new_item"], C.ITEM].unique()
    truth = validation.truth
    is_new = truth[C.ITEM].isin(new_items)
    if by == "pairs":
        return float(is_new.mean())
    return truth.loc[is_new, C.USER].nunique() / truth[C.USER].nunique()


NEW_IN_AUGUST_CUSTOMERS = 0.251788
NEW_IN_AUGUST_PAIRS = 0.036980
TEST_PERIOD_CUSTOMERS = 0.734003

ex2 = Exercise(
    name="08.2 cold start in August",
    question=(
        "Size the cold start in the validation period instead of the test period: what share of the "
        "customers of validation.truth (August 2011) bought at least one product that nobody had bought "
        "before 1 August 2011? Answer with a number between 0 and 1."
    ),
    checker=number_checker(
        NEW_IN_AUGUST_CUSTOMERS,
        "the share of August's customers",
        {
            NEW_IN_AUGUST_PAIRS: "that is the share of (customer, product) pairs; count distinct customers instead.",
            TEST_PERIOD_CUSTOMERS: "that is the test period's share, printed in section 3; use the validation split.",
        },
        share=True,
    ),
    hint_text=(
        "The same three steps as in section 3, on the other split: which products are new, which truth "
        "pairs are on them, how many distinct customers those pairs belong to."
    ),
    hint_code=(
        "validation.pairs has a 'new_item' column (as split.pairs does); filter validation.truth with "
        ".isin(...) and divide nunique() of user_id by all the truth's customers."
    ),
    solution_code='''
new_in_august = validation.pairs.loc[validation.pairs["new_item"], C.ITEM].unique()
is_new = validation.truth[C.ITEM].isin(new_in_august)
# count customers, not pairs: the question is how many customers meet a new product at all
answer = validation.truth.loc[is_new, C.USER].nunique() / validation.truth[C.USER].nunique()
''',
    reference=_new_in_august,
    wrong_answers=lambda: [NEW_IN_AUGUST_PAIRS, TEST_PERIOD_CUSTOMERS, 1 - NEW_IN_AUGUST_CUSTOMERS],
)


# --------------------------------------------------------------------------- 08.3


@lru_cache(maxsize=1)
def _precision_interval():
    split = rs.course_split(retail.clean())
    inter = rs.build_interactions(split.train, items=split.catalogue.index)
    knn = rs.ItemKNN("cosine", 50).fit(inter)
    content = rs.ContentRecommender(**CONTENT_PARAMS).fit(inter, split.catalogue)
    hybrid = rs.HybridRecommender(knn, content, weight=HYBRID_ALPHA, prefit=True).fit(inter)
    users = split.truth[C.USER].unique()
    per_user = {
        name: rs.per_user_metrics(model.recommend(users, k=10), split.truth, 10)
        for name, model in (("hybrid", hybrid), ("knn", knn))
    }
    return {
        metric: paired_bootstrap(per_user["hybrid"][metric].to_numpy(), per_user["knn"][metric].to_numpy(),
                                 random_state=0)
        for metric in ("precision", "ndcg")
    }


PRECISION_LOW = -0.00047726
PRECISION_DIFFERENCE = 0.00158646
PRECISION_HIGH = 0.00365019
NDCG_LOW = 0.00045593

ex3 = Exercise(
    name="08.3 is the hybrid more precise?",
    question=(
        "The lesson compared the hybrid with item-kNN on NDCG@10. Do it for precision@10: with the "
        "per-customer precision of the hybrid and of item-kNN on the test truth and "
        "paired_bootstrap(hybrid, knn, random_state=0), what is the LOWER end of the 95% interval of "
        "the difference hybrid - item-kNN? Answer with a number."
    ),
    checker=number_checker(
        PRECISION_LOW,
        "the lower end of the interval",
        {
            PRECISION_DIFFERENCE: "that is the mean difference; the question asks for the lower end of its interval.",
            PRECISION_HIGH: "that is the upper end of the interval.",
            -PRECISION_HIGH: "that is the interval of item-kNN - hybrid; put the hybrid first.",
            NDCG_LOW: "that is the lower end for NDCG@10; use the 'precision' column.",
        },
        sig=2,
    ),
    hint_text=(
        "A paired interval needs one number per customer for each model, on the same customers in the "
        "same order; the lesson built those for NDCG@10."
    ),
    hint_code=(
        "per_user (section 5) holds rs.per_user_metrics for each model; take its 'precision' column "
        "instead of 'ndcg' and read .low of the PairedDifference."
    ),
    solution_code='''
gap = paired_bootstrap(per_user["hybrid"]["precision"].to_numpy(),
                       per_user["item-kNN cosine"]["precision"].to_numpy(), random_state=0)
print(gap)
# the interval of precision@10 contains 0 (the lower end is just below it): unlike NDCG@10,
# precision cannot tell the two apart on these customers; the hybrid's gain is mostly in the ranking
answer = gap.low
''',
    reference=lambda: _precision_interval()["precision"].low,
    wrong_answers=lambda: [PRECISION_DIFFERENCE, PRECISION_HIGH, -PRECISION_HIGH, NDCG_LOW],
)

EXERCISES = [ex1, ex2, ex3]


# --------------------------------------------------------------------------- quiz

QUIZ = [
    quiz_question(
        "08.q1 choosing the blend on the test",
        "Why is the blend weight alpha chosen on August 2011 rather than on the test period, where the "
        "sweep was computed anyway?",
        {
            "a": "August is more representative of the Christmas season than September-December.",
            "b": "A weight picked for its test score makes that test score optimistic: the test would have "
                 "been used for fitting, and no untouched data would be left to report.",
            "c": "The test period has too few customers to compute NDCG@10.",
            "d": "It makes no difference: the best alpha is the same on both periods.",
        },
        correct="b",
        explanation=(
            "Every choice made by looking at a score is fitted to the noise of that score. Picking alpha "
            "by test NDCG would report the best of 11 noisy values, an upward-biased number. A validation "
            "period carved from the end of training keeps the test for one final, honest measurement; the "
            "lesson's test sweep is only an illustration of how well the choice transferred."
        ),
        traps={"d": "Here they happen to be close (0.8 against 0.7), but you can only know that after "
                    "spending the test; in general they differ, and the test score of the best is biased."},
    ),
    quiz_question(
        "08.q2 the new products",
        "Why can item-kNN and popularity never recommend a product first sold in the test period?",
        {
            "a": "Their top-k selection filters out products without a description.",
            "b": "Both score a product from its purchases in training; a product nobody bought has no "
                 "co-purchases and no popularity, so its score is 0 for everyone.",
            "c": "The new products are more expensive, so they rank lower.",
            "d": "They can, but only for customers with many purchases.",
        },
        correct="b",
        explanation=(
            "Collaborative filtering and popularity learn only from behaviour. A new product has an empty "
            "column in the training matrix, so every similarity and every count involving it is 0. Content "
            "reaches it because its description exists from the day it is listed: the cold-start case."
        ),
    ),
    quiz_question(
        "08.q3 a small but real gain",
        "The hybrid's NDCG@10 is +0.0025 above item-kNN's, with a paired 95% interval of +0.0005 to "
        "+0.0045 over 1,891 customers. What does that support?",
        {
            "a": "The hybrid is much better and should replace item-kNN at any cost.",
            "b": "Nothing: the difference is within noise.",
            "c": "On customers like these the hybrid ranks a little better on average; whether the small gain "
                 "is worth running two models is a business question the interval does not answer.",
            "d": "95% of customers get better lists from the hybrid.",
        },
        correct="c",
        explanation=(
            "The interval excludes 0, so the sign of the average gain is supported; its size is tiny (about "
            "2% of item-kNN's NDCG). A paired interval is about the mean difference, not about the share of "
            "customers who gain: most customers get the same hits from both models."
        ),
        traps={"b": "Within noise means the interval contains 0; this one does not.",
               "d": "The interval is about the average difference, not about how many customers gain."},
    ),
    quiz_question(
        "08.q4 whose purchases make the profile",
        "Customer 12347 bought 103 products over the year but the lesson's profile uses 82. Why is that "
        "right?",
        {
            "a": "The other 21 products have no description.",
            "b": "The profile is built from the training period only; purchases after the cutoff are what the "
                 "model must predict, so using them would leak the answer.",
            "c": "Products bought only once are dropped by min_df=2.",
            "d": "It is a bug: the profile should use the whole year.",
        },
        correct="b",
        explanation=(
            "A model is fitted on what was known at the cutoff. Lesson 03 described customers after the "
            "fact, with the whole year; lesson 08 predicts, so the profile may only use purchases before the "
            "cutoff. Using later purchases would make the model look better than it can be in production."
        ),
        traps={"c": "min_df drops words used by a single product, not products."},
    ),
]
