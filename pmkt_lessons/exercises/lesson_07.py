"""Exercises and quiz of lesson 07 (collaborative filtering).

Exercises 1 and 2 use the lesson's 4 x 5 worked example; exercise 3 the
validation split of the cleaned Online Retail (its reference solution refits
the model). Introduced in lesson 07.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from .. import columns as C
from .. import recsys as rs
from . import Exercise, number_checker, quiz_question
from . import _online_retail as retail

TINY = pd.DataFrame(
    [[2, 1, 0, 1, 0], [1, 0, 3, 0, 1], [0, 2, 0, 1, 1], [1, 1, 1, 0, 0]],
    index=pd.Index(["Ann", "Ben", "Cara", "Dev"], name=C.USER),
    columns=pd.Index(list("ABCDE"), name=C.ITEM),
)

JACCARD_CE = 1 / 3  # buyers of C {Ben, Dev}, of E {Ben, Cara}
COSINE_CE = 3 / math.sqrt(10 * 2)  # printed by the lesson (0.671)
OVERLAP_CE = 1 / 2
DEV_D_SUM = 3 / math.sqrt(12) + 3 / math.sqrt(27)  # sim(D, B) * 1 + sim(D, A) * 1
DEV_D_NORMALISED = 1.0
VALIDATION_JACCARD20_PRECISION = 0.087983
VALIDATION_COSINE20_PRECISION = 0.085694
VALIDATION_JACCARD50_PRECISION = 0.090272
VALIDATION_JACCARD20_NDCG = 0.118840


def tiny_interactions() -> rs.Interactions:
    """Give the 4 x 5 example of lesson 07 as an Interactions object (count weights)."""
    long = TINY.stack().rename(C.RATING).reset_index()
    long = long[long[C.RATING] > 0]
    return rs.build_interactions(long, C.USER, C.ITEM, weight=C.RATING, users=TINY.index, items=TINY.columns)


@lru_cache(maxsize=1)
def validation_split() -> rs.CourseSplit:
    """Give ``rs.course_validation_split`` of the cleaned data (cached; treat it as read-only)."""
    return rs.course_validation_split(retail.clean())


ex1 = Exercise(
    name="07.1 Jaccard by hand",
    question=(
        "In the 4 x 5 example, what is the Jaccard similarity of products C and E? Work it out by hand, "
        "then check with rs.similarity_matrix. (answer: a number)"
    ),
    checker=number_checker(
        JACCARD_CE,
        "Jaccard(C, E)",
        {
            COSINE_CE: "that is the cosine of C and E (printed in the lesson); Jaccard ignores the counts.",
            OVERLAP_CE: "that divides by the smaller set of buyers; Jaccard divides by the union.",
            1: "that is the number of customers who bought both; divide by those who bought either.",
        },
    ),
    hint_text="Jaccard only asks who bought each product, not how much: turn every count into bought / not bought.",
    hint_code=(
        "Section 1's formula |U_i and U_j| / |U_i or U_j|; read U_C and U_E off the columns of tiny "
        "(a customer is in U_i when the cell is above 0)."
    ),
    solution_code=(
        "buyers_c = set(tiny.index[tiny['C'] > 0])     # {Ben, Dev}: the counts 3 and 1 do not matter\n"
        "buyers_e = set(tiny.index[tiny['E'] > 0])     # {Ben, Cara}\n"
        "answer = len(buyers_c & buyers_e) / len(buyers_c | buyers_e)   # 1 / 3\n"
        "# check: rs.similarity_matrix(tiny_inter.matrix, 'jaccard')[2, 4]"
    ),
    reference=lambda: float(rs.similarity_matrix(tiny_interactions().matrix, "jaccard")[2, 4]),
    wrong_answers=lambda: [COSINE_CE, OVERLAP_CE, 1, 0.25],
    explanation=(
        "Jaccard is 1/3 where cosine is 0.67: Ben's 3 purchases of C pull the cosine up, while Jaccard "
        "only sees that one customer of three bought both."
    ),
)


def _dev_d_sum() -> float:
    model = rs.ItemKNN("cosine", k_neighbours=2).fit(tiny_interactions())
    return float(model.score(["Dev"])[0][3])


ex2 = Exercise(
    name="07.2 item-kNN score by hand",
    question=(
        "In the same example, with cosine and k_neighbours=2, what is Dev's weighted-sum (not normalised) "
        "item-kNN score for product D? Work it out by hand, then check with rs.ItemKNN. (answer: a number)"
    ),
    checker=number_checker(
        DEV_D_SUM,
        "Dev's weighted-sum score for D",
        {
            DEV_D_NORMALISED: "that is the normalised score (a weighted average); the question asks for the weighted sum.",
            3 / math.sqrt(12): "that counts only one neighbour; Dev may have both of D's neighbours.",
        },
    ),
    hint_text=(
        "The score of a product sums over its own nearest neighbours, but only over those the customer "
        "actually bought."
    ),
    hint_code=(
        "Section 2's item-based score, as worked for Ann: find D's neighbourhood in the cosine table, "
        "then keep the neighbours in Dev's row of tiny."
    ),
    solution_code=(
        "# D's two nearest products in the cosine table are B (0.866) and A (0.577); Dev bought both, once each\n"
        "answer = 0.866 * 1 + 0.577 * 1      # about 1.44\n"
        "# check: rs.ItemKNN('cosine', k_neighbours=2).fit(tiny_inter).score(['Dev'])[0][3]"
    ),
    reference=_dev_d_sum,
    wrong_answers=lambda: [DEV_D_NORMALISED, 3 / math.sqrt(12), 0.0],
    explanation=(
        "The weighted sum (1.44) grows with the evidence behind D: two strong neighbours in Dev's basket. "
        "The normalised form would give 1.0, like every product with any neighbour in the basket, which "
        "is why it cannot rank on purchase data."
    ),
)


def _validation_jaccard20() -> float:
    validation = validation_split()
    users = validation.truth[C.USER].unique()
    recs = rs.ItemKNN("jaccard", 20).fit(validation.interactions).recommend(users, k=10)
    return rs.precision_at_k(recs, validation.truth, 10)


ex3 = Exercise(
    name="07.3 another similarity on validation",
    question=(
        "Section 4 tuned the neighbourhood size of item-kNN with cosine on the validation split. Try "
        "another setting there: fit rs.ItemKNN('jaccard', 20) on the validation split's interactions "
        "(fit before August 2011) and give its precision@10 on the validation truth (August). "
        "(answer: a number between 0 and 1)"
    ),
    checker=number_checker(
        VALIDATION_JACCARD20_PRECISION,
        "precision@10 of item-kNN Jaccard (20 neighbours) on validation",
        {
            VALIDATION_COSINE20_PRECISION: "that is cosine; use 'jaccard'.",
            VALIDATION_JACCARD50_PRECISION: "that is 50 neighbours; use 20.",
            VALIDATION_JACCARD20_NDCG: "that is NDCG@10; the question asks for precision@10.",
        },
        share=True,
    ),
    hint_text=(
        "Settings are compared on the validation month only; the test period stays untouched until the "
        "final model is chosen."
    ),
    hint_code=(
        "Section 4 built validation = rs.course_validation_split(clean); fit on validation.interactions, "
        "recommend for the users of validation.truth, and score with rs.precision_at_k."
    ),
    solution_code=(
        "val_users = validation.truth[C.USER].unique()\n"
        "val_recs = rs.ItemKNN('jaccard', 20).fit(validation.interactions).recommend(val_users, k=10)\n"
        "answer = rs.precision_at_k(val_recs, validation.truth, 10)\n"
        "# about 0.088; scored on August, never on the test, so the choice it informs stays honest"
    ),
    reference=_validation_jaccard20,
    wrong_answers=lambda: [VALIDATION_COSINE20_PRECISION, VALIDATION_JACCARD50_PRECISION, VALIDATION_JACCARD20_NDCG],
    explanation=(
        "0.088 against 0.086 for cosine at the same size: a difference far inside the validation "
        "month's noise (699 customers). Before picking a setting by such a gap, compute its paired interval."
    ),
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "07.q1 tuning on the test",
        "Why is the neighbourhood size chosen on a validation month carved from training, and not on the test period?",
        {
            "a": "Because the test period is too small.",
            "b": "A setting picked for its test score has seen the test: the reported score is then optimistic, "
            "the best of several tries on the same data, not a measure of the future.",
            "c": "Because validation is faster to compute.",
            "d": "It makes no difference when the curve is flat.",
        },
        correct="b",
        explanation=(
            "Every choice made by looking at a data set fits that data set a little. Keeping the test for one "
            "final measurement, and choosing on a validation period split off by time, keeps the reported "
            "number honest. A flat curve makes the leak small, not absent, and you only know it is flat after looking."
        ),
        traps={"d": "You learn that the curve is flat by looking at it, which is exactly the leak."},
    ),
    quiz_question(
        "07.q2 the normalised score",
        "Why does the normalised (weighted-average) item-kNN score rank so badly on 0/1 purchase data?",
        {
            "a": "Because cosine similarity is wrong for binary data.",
            "b": "Every r_uj is 1, so the weighted average is 1 for every product with any neighbour in the basket: it cannot tell strong evidence from weak.",
            "c": "Because it needs mean-centring first.",
            "d": "Because 50 neighbours are too many.",
        },
        correct="b",
        explanation=(
            "The normalised form predicts a value on the scale of r, and on 0/1 data that value is always 1. "
            "The weighted sum keeps how much evidence backs a product, which is what a top-10 list needs."
        ),
    ),
    quiz_question(
        "07.q3 which Pearson",
        "The lesson's item-item 'Pearson' on purchase data averages over all customers, zeros included. What is it, and why not Sarwar's co-rated Pearson?",
        {
            "a": "It is Sarwar's Pearson; the two are the same.",
            "b": "It is the phi coefficient of 'bought i' and 'bought j'; Sarwar's Pearson uses only customers who rated both, where on purchase data every value is 1, so it is undefined.",
            "c": "It is the Jaccard similarity in disguise.",
            "d": "It is the adjusted cosine, which subtracts each customer's mean.",
        },
        correct="b",
        explanation=(
            "With zeros counted, Pearson on 0/1 columns is the phi coefficient (Matthews' correlation). "
            "Sarwar et al.'s co-rated Pearson and adjusted cosine need ratings that vary among co-raters; "
            "on purchases they have no variance left, so with implicit feedback the all-customers form is used."
        ),
        traps={"d": "The adjusted cosine centres by each customer's mean over co-rated items: on 0/1 data it is 0 everywhere."},
    ),
    quiz_question(
        "07.q4 a winner in the table",
        "Item-kNN Jaccard has the highest precision@10 in the results table (0.1007 against 0.0988 for cosine). What should the lesson conclude?",
        {
            "a": "Jaccard is the best similarity for this shop.",
            "b": "Nothing about a winner: the paired interval of Jaccard - cosine contains 0, so the two are within noise.",
            "c": "Cosine is better, because it is the standard.",
            "d": "Jaccard is better by 2 %.",
        },
        correct="b",
        explanation=(
            "The highest number in a table is a winner only when the paired interval of the difference "
            "excludes 0. Here +0.0020 [-0.0003, +0.0041] does not, so the choice between cosine and Jaccard "
            "can rest on other grounds (simplicity, coverage)."
        ),
        traps={"a": "The interval of Jaccard - cosine includes 0: the data cannot separate them."},
    ),
]
