"""Exercises and quiz of lesson 06 (recommender evaluation).

Exercise 1 is a by-hand metric, 2 a function to write (checked on hidden
random lists against the package's ``precision_at_k``), 3 the course's
evaluation at another cutoff date. Introduced in lesson 06.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from .. import columns as C
from .. import recsys as rs
from . import Exercise, function_checker, number_checker, quiz_question
from . import _online_retail as retail

NDCG_TOY = (1 + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
DCG_TOY = 1 + 1 / math.log2(5)
OCTOBER_CUTOFF = "2011-10-01"
PRECISION_OCTOBER = 0.040668
RECALL_OCTOBER = 0.016800
PRECISION_SEPTEMBER = 0.048493  # the lesson's cutoff, printed by the lesson


@lru_cache(maxsize=1)
def course_split() -> rs.CourseSplit:
    """Give ``rs.course_split`` of the cleaned data (cached; treat it as read-only)."""
    return rs.course_split(retail.clean())


ex1 = Exercise(
    name="06.1 NDCG by hand",
    question=(
        "A customer bought p1, p4 and p9 in the test period. Your list, best first, is "
        "p4, p2, p7, p1, p5. What is NDCG@5 with binary relevance? (answer: a number)"
    ),
    checker=number_checker(
        NDCG_TOY,
        "NDCG@5",
        {
            DCG_TOY: "that is the DCG; divide it by the DCG of the ideal list.",
            0.4: "that is precision@5 (2 hits / 5).",
            2 / 3: "that is recall@5 (2 of 3 found).",
        },
    ),
    hint_text=(
        "NDCG rewards a hit more the higher it sits, then divides by what the best possible list for "
        "this customer would have scored."
    ),
    hint_code=(
        "Section 4 worked one customer by hand: hits at positions r get 1 / log2(r + 1); the ideal list "
        "puts every relevant product first (at most k of them)."
    ),
    solution_code=(
        "import math\n"
        "dcg = 1 / math.log2(1 + 1) + 1 / math.log2(4 + 1)          # hits at positions 1 (p4) and 4 (p1)\n"
        "idcg = sum(1 / math.log2(r + 1) for r in (1, 2, 3))        # 3 relevant products, best placed first\n"
        "answer = dcg / idcg                                         # about 0.67"
    ),
    reference=lambda: NDCG_TOY,
    wrong_answers=lambda: [DCG_TOY, 0.4, 2 / 3],
    explanation=(
        "The list found 2 of the 3 products, one at the top: NDCG 0.67. Moving p1 from position 4 to 2 "
        "would raise it, although precision and recall would not change."
    ),
)


def _precision_reference(recommended, bought, k):
    recs = pd.DataFrame({C.USER: 0, C.ITEM: list(recommended), C.RANK: range(1, len(recommended) + 1)})
    truth = pd.DataFrame({C.USER: 0, C.ITEM: sorted(bought)})
    return rs.precision_at_k(recs, truth, k)


def _precision_cases(rng):
    catalogue = [f"p{i}" for i in range(30)]
    cases = [(["a", "b", "c", "d"], {"a", "c", "e"}, 4), (["a", "b"], {"a", "b"}, 5), (["x", "y", "z"], {"z"}, 2)]
    for _ in range(20):
        recommended = list(rng.choice(catalogue, size=int(rng.integers(1, 16)), replace=False))
        bought = set(rng.choice(catalogue, size=int(rng.integers(1, 9)), replace=False))
        cases.append((recommended, bought, int(rng.integers(1, 13))))
    return cases


def _divides_by_list_length(recommended, bought, k):
    top = recommended[:k]
    return sum(item in bought for item in top) / len(top)


def _recall_instead(recommended, bought, k):
    return sum(item in bought for item in recommended[:k]) / len(bought)


def _whole_list(recommended, bought, k):
    return sum(item in bought for item in recommended) / k


ex2 = Exercise(
    name="06.2 write precision@k",
    question=(
        "Write a function precision_at_k(recommended, bought, k) for one customer: recommended is a list "
        "of product ids, best first (it may be shorter or longer than k); bought is a set of the "
        "products they bought in the test period; it returns precision@k as the lesson defines it. "
        "It is checked on hidden random cases against rs.precision_at_k. (answer: the function, "
        "answer = precision_at_k)"
    ),
    checker=function_checker(_precision_reference, _precision_cases, "precision_at_k(recommended, bought, k)"),
    hint_text=(
        "Precision@k is about the first k slots of the e-mail. What should an empty slot count as, "
        "when the list is shorter than k?"
    ),
    hint_code=(
        "Section 4's formula: |L_u^k intersected with T_u| / k. Slice the list to its first k items, "
        "count those in bought, and divide by k itself."
    ),
    solution_code=(
        "def precision_at_k(recommended, bought, k):\n"
        "    hits = sum(item in bought for item in recommended[:k])   # only the first k slots count\n"
        "    return hits / k          # divide by k, not len(list): an empty slot is a wasted slot\n"
        "answer = precision_at_k"
    ),
    reference=lambda: _precision_reference,
    wrong_answers=lambda: [_divides_by_list_length, _recall_instead, _whole_list],
    kind="function",
    explanation=(
        "Dividing by k, not by the length of the list, means a model cannot look more precise by "
        "recommending fewer products: the e-mail has k slots whether or not it fills them."
    ),
)


def _precision_october() -> float:
    split = rs.course_split(retail.clean(), OCTOBER_CUTOFF)
    users = split.truth[C.USER].unique()
    recs = rs.PopularityRecommender().fit(split.interactions).recommend(users, k=10)
    return rs.precision_at_k(recs, split.truth, 10)


ex3 = Exercise(
    name="06.3 a later cutoff",
    question=(
        f"Move the course's cutoff one month later, to {OCTOBER_CUTOFF} (rs.course_split(clean, "
        f"cutoff='{OCTOBER_CUTOFF}')), so training includes September. What is the popularity "
        "baseline's precision@10 on that split's truth? (answer: a number between 0 and 1)"
    ),
    checker=number_checker(
        PRECISION_OCTOBER,
        "precision@10 with the October cutoff",
        {
            PRECISION_SEPTEMBER: "that is the lesson's cutoff (1 September); pass cutoff='2011-10-01'.",
            RECALL_OCTOBER: "that is recall@10; precision divides the hits by the 10 slots.",
        },
        share=True,
    ),
    hint_text=(
        "Everything downstream of the cutoff changes: the training matrix, the best-sellers, the "
        "customers who count as known, and the truth."
    ),
    hint_code=(
        "Sections 2-4: build the split with the new cutoff, fit rs.PopularityRecommender() on its "
        "interactions, recommend 10 for the users of its truth, then rs.precision_at_k."
    ),
    solution_code=(
        "later = rs.course_split(clean, cutoff='2011-10-01')\n"
        "later_users = later.truth[C.USER].unique()\n"
        "later_recs = rs.PopularityRecommender().fit(later.interactions).recommend(later_users, k=10)\n"
        "answer = rs.precision_at_k(later_recs, later.truth, 10)\n"
        "# about 0.041, lower than 0.0485: a shorter test period means fewer purchases per customer to hit"
    ),
    reference=_precision_october,
    wrong_answers=lambda: [PRECISION_SEPTEMBER, RECALL_OCTOBER, 0.5],
    explanation=(
        "More training (September included) does not raise precision here: the test period is now two "
        "months and a bit, so each customer has fewer new products to hit (median 19 against 23) and "
        "precision falls. A metric is only comparable on the same split, which is why lessons 07-10 "
        "all use the same cutoff."
    ),
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "06.q1 a random split",
        "Why does a random split of the purchase lines overstate how well a recommender will do?",
        {
            "a": "Because random splits have smaller test sets.",
            "b": "It trains on the future (December to predict September) and puts half of an invoice in training "
            "and the other half in the test, so completing a basket becomes easy.",
            "c": "It does not: a random split is unbiased.",
            "d": "Because the popularity baseline cannot be fitted on a random split.",
        },
        correct="b",
        explanation=(
            "The shop will use the model on customers' future purchases, so the test must be later than "
            "everything the model learned from. A random split leaks seasonal and basket information "
            "from the test into training, and the score measures recall of the past, not prediction."
        ),
        traps={"c": "Unbiased for a random sample of lines, yes; but the question the shop asks is about the future."},
    ),
    quiz_question(
        "06.q2 customers without a list",
        "A model gives no list to customers it knows little about. Why does the course count them as 0 instead of leaving them out?",
        {
            "a": "Because pandas cannot average over missing values.",
            "b": "Leaving them out would let a model look better by skipping the hard customers.",
            "c": "Because those customers bought nothing.",
            "d": "To make the metric symmetric.",
        },
        correct="b",
        explanation=(
            "Every model is averaged over the same customers of the truth, so a model that abstains on "
            "hard cases pays for it. Otherwise two models' averages would be over different people and "
            "could not be compared."
        ),
    ),
    quiz_question(
        "06.q3 within noise",
        "Model A minus model B, precision@10 = +0.0020 with a 95% paired interval [-0.0003, +0.0042]. What may you write?",
        {
            "a": "A is better than B.",
            "b": "A is 0.2 points better, but only at 95% confidence.",
            "c": "The difference is within noise: these data cannot tell A and B apart.",
            "d": "B is better, because the interval includes negative values.",
        },
        correct="c",
        explanation=(
            "The interval contains 0, so a difference of zero is compatible with the data. A higher number "
            "in a table is not a winner; the honest sentence is 'within noise', and the choice between A "
            "and B can rest on something else (cost, coverage, simplicity)."
        ),
        traps={"a": "The point estimate is higher, but the interval includes 0: no winner can be named."},
    ),
    quiz_question(
        "06.q4 a good-looking baseline",
        "The best-sellers reach precision@10 0.0485, five times random. Why is that still a poor recommender for a shop?",
        {
            "a": "Because precision@10 should be above 0.5.",
            "b": "It shows everyone the same 61 products (1.8 % of the catalogue) and never surfaces the long tail.",
            "c": "Because it cannot recommend to new customers.",
            "d": "Because it was not tuned on validation.",
        },
        correct="b",
        explanation=(
            "Accuracy alone hides that popularity pushes the head of the long tail to everyone; coverage "
            "and mean popularity show it. A personalised model must beat its accuracy *and* widen what "
            "customers see, or it is not worth its cost."
        ),
        traps={"c": "It can (best-sellers need no history): that is why it is the usual fallback for new customers."},
    ),
]
