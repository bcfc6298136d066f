"""Exercises of lesson 01 (data cleaning) on Online Retail, and its quiz.

The checkers compare with the figures of the bundled file (its sha256 is
fixed); the reference solutions recompute them from the data, so the test
suite proves the two agree. Introduced in lesson 01.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..cleaning import clean_transactions, iqr_bounds, iqr_outliers
from . import Exercise, count_checker, function_checker, number_checker, quiz_question
from . import _online_retail as retail

ROWS_WITHOUT_NON_PRODUCT = 391_150

RETURNS_CUSTOMER = 14911
RETURNED_SHARE_14911 = 0.078298994  # 11,252.44 taken back of 143,711.17 bought
RETURNED_AMOUNT_14911 = 11_252.44
RETURNED_OF_NET_14911 = 0.084950535  # divided by the net instead of the gross

IQR_K3_LOG_REVENUE = 231
IQR_K15_LOG_REVENUE = 11_183
IQR_K3_RAW_REVENUE = 20_852
MAD_LOG_REVENUE = 4_916


ex1 = Exercise(
    name="01.1 non-product codes",
    question=(
        "Clean raw with the default choices plus drop_non_product=True. "
        "How many rows are left? (an int)"
    ),
    checker=count_checker(
        ROWS_WITHOUT_NON_PRODUCT,
        "rows left",
        {
            392_692: "that is the default cleaning; pass drop_non_product=True as well.",
            392_692 - ROWS_WITHOUT_NON_PRODUCT: "that is how many rows the extra step removes; "
            "the question asks how many are left.",
        },
    ),
    hint_text="The extra decision is one more step of the same cleaning, switched on by an argument.",
    hint_code="clean_transactions(raw, drop_non_product=True) gives a CleaningResult; count the rows of its .clean.",
    solution_code=(
        "# the non-product step runs after the others, so it only removes postage, fees, ...\n"
        "# that survived them\n"
        "answer = len(clean_transactions(raw, drop_non_product=True).clean)"
    ),
    reference=lambda: len(clean_transactions(retail.raw(), drop_non_product=True).clean),
    wrong_answers=lambda: [392_692, 1_542, 391_150.5],
)


def _returned_share_reference() -> float:
    result = retail.result()
    bought = result.clean.loc[result.clean[C.CUSTOMER_ID] == RETURNS_CUSTOMER, C.REVENUE].sum()
    returns = result.cancellations
    taken_back = -returns.loc[returns[C.CUSTOMER_ID] == RETURNS_CUSTOMER, C.REVENUE].sum()
    return float(taken_back / bought)


ex2 = Exercise(
    name="01.2 one customer's returns",
    question=(
        f"Customer {RETURNS_CUSTOMER} is the shop's largest account in EIRE. What share of their "
        "gross sales (the revenue of their lines in clean) did their cancellations "
        "(result.cancellations) take back? (a number between 0 and 1)"
    ),
    checker=number_checker(
        RETURNED_SHARE_14911,
        f"the share of customer {RETURNS_CUSTOMER}'s sales taken back",
        {
            RETURNED_OF_NET_14911: "that divides by the net spend (sales minus returns); the question asks for a share of the gross sales.",
        },
        share=True,
    ),
    hint_text=(
        "Two sums for one customer: what they bought (the clean sales) and what they took back "
        "(the cancellations kept aside); the share is the second over the first."
    ),
    hint_code=(
        "Filter result.clean and result.cancellations on CustomerID; both have a Revenue column "
        "(negative in the cancellations)."
    ),
    solution_code=(
        "bought = clean.loc[clean['CustomerID'] == 14911, 'Revenue'].sum()\n"
        "returns = result.cancellations\n"
        "# cancellation lines have negative quantities, hence negative revenue: flip the sign\n"
        "taken_back = -returns.loc[returns['CustomerID'] == 14911, 'Revenue'].sum()\n"
        "answer = taken_back / bought  # about 7.8%: returns are data about a customer"
    ),
    reference=_returned_share_reference,
    wrong_answers=lambda: [RETURNED_AMOUNT_14911, -RETURNED_SHARE_14911, RETURNED_OF_NET_14911, 0.5],
)


ex3 = Exercise(
    name="01.3 a wider fence",
    question=(
        "Tukey also used wider fences, k = 3 ('far out' values). How many lines of clean does "
        "iqr_outliers flag with k = 3 on the log10 of the line revenue? (an int)"
    ),
    checker=count_checker(
        IQR_K3_LOG_REVENUE,
        "lines flagged",
        {
            IQR_K15_LOG_REVENUE: "that is k = 1.5, the default; pass k=3.",
            IQR_K3_RAW_REVENUE: "that is k = 3 on the raw revenue; take np.log10 of it first.",
            MAD_LOG_REVENUE: "that is the MAD rule; the question asks for the IQR fences.",
        },
    ),
    hint_text=(
        "Same rule as section 4, on the same log scale as the histogram, only with the fences "
        "twice as far out: expect far fewer flags."
    ),
    hint_code="iqr_outliers(values, k=...) gives a boolean Series; np.log10(clean['Revenue']) is the log scale.",
    solution_code=(
        "flags = iqr_outliers(np.log10(clean['Revenue']), k=3)\n"
        "# the log scale makes the bulk symmetric; k = 3 keeps only values far out in either tail\n"
        "answer = int(flags.sum())"
    ),
    reference=lambda: int(iqr_outliers(np.log10(retail.clean()[C.REVENUE]), k=3).sum()),
    wrong_answers=lambda: [IQR_K15_LOG_REVENUE, IQR_K3_RAW_REVENUE, MAD_LOG_REVENUE, 231.5],
)


def _fence_cases(rng: np.random.Generator) -> list[tuple[pd.Series, float]]:
    cases = [(pd.Series([1.0, 2.0, 3.0, 4.0, 100.0]), 1.5), (pd.Series([5.0, 5.0, 5.0, 6.0]), 3.0)]
    for n, k in [(7, 1.5), (40, 1.5), (101, 3.0), (250, 2.0)]:
        cases.append((pd.Series(rng.lognormal(1.0, 1.0, size=n).round(2)), k))
    return cases


def _fences_without_k(values: pd.Series, k: float = 1.5) -> tuple[float, float]:
    q1, q3 = np.percentile(values, [25, 75])
    return float(q1 - 1.5 * (q3 - q1)), float(q3 + 1.5 * (q3 - q1))


def _fences_around_the_median(values: pd.Series, k: float = 1.5) -> tuple[float, float]:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return float(median - k * (q3 - q1)), float(median + k * (q3 - q1))


ex4 = Exercise(
    name="01.4 Tukey's fences by hand",
    question=(
        "Write a function iqr_fences(values, k) that gives Tukey's fences (low, high) of a Series "
        "of numbers: Q1 - k IQR and Q3 + k IQR, with the quartiles as np.percentile computes them. "
        "Set answer = iqr_fences; it is checked against the package on hidden Series and values of k."
    ),
    checker=function_checker(iqr_bounds, _fence_cases, "iqr_fences(values, k)"),
    hint_text=(
        "The fences hang from the quartiles, not from the median: the lower one k interquartile "
        "ranges below Q1, the upper one k ranges above Q3."
    ),
    hint_code="Section 4 computes the fences of Quantity by hand in its first cell; your function generalises that cell.",
    solution_code=(
        "def iqr_fences(values, k=1.5):\n"
        "    q1, q3 = np.percentile(values, [25, 75])\n"
        "    iqr = q3 - q1\n"
        "    # the fences move out with the spread of the middle half, which extreme values do not\n"
        "    # drag along: that is why the rule is robust\n"
        "    return q1 - k * iqr, q3 + k * iqr\n"
        "\n"
        "answer = iqr_fences"
    ),
    reference=lambda: iqr_bounds,
    wrong_answers=lambda: [_fences_without_k, _fences_around_the_median, (-13.0, 27.0)],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "01.q1 keep the returns",
        "The cleaning takes the cancellation lines out of the sales. Why does it keep them aside (result.cancellations) instead of deleting them?",
        {
            "a": "To be able to undo the cleaning later.",
            "b": "Because returns are data: they net a customer's spend, give a return rate, and explain huge orders that were cancelled minutes later.",
            "c": "Because pandas cannot delete rows from a large frame.",
            "d": "No good reason: returns say nothing about customers.",
        },
        correct="b",
        explanation=(
            "Deleting the cancellations would leave the cancelled orders in the sales (they are "
            "ordinary invoice lines) with nothing to offset them: customer 12346 would look like a "
            "top customer on an order of 74,215 jars they sent back. Kept aside, the returns let "
            "lessons 02 and 03 net revenue and compute a return rate."
        ),
    ),
    quiz_question(
        "01.q2 fences on skewed money",
        "On the raw line revenue, Tukey's IQR fences flag 8% of all lines. What does that tell you?",
        {
            "a": "That 8% of the lines are data errors to delete.",
            "b": "That the rule assumes a roughly symmetric bulk and the revenue is heavily right-skewed: apply it on a log scale and look at the flagged rows before acting.",
            "c": "That k = 1.5 is too large.",
            "d": "That the robust z-score must be used instead, on the raw scale.",
        },
        correct="b",
        explanation=(
            "A wholesaler's order of 480 mugs is normal business, not an error. Both rules measure "
            "distance from a symmetric bulk, which money data only have on a log scale; and even "
            "there an outlier flag is a reason to look (the two largest lines were cancelled "
            "orders), not a reason to delete."
        ),
        traps={"a": "Outliers are not errors by definition: most of these lines are large but genuine orders."},
    ),
    quiz_question(
        "01.q3 one-hot on new data",
        "You one-hot encode the weekday of a training month and of a test month with pd.get_dummies on plain strings. What can go wrong?",
        {
            "a": "Nothing: get_dummies always gives the seven weekdays.",
            "b": "A day missing from one month (no Saturday sales) gives that month fewer columns, so the model sees a different feature layout; declare the categories, or fit an encoder on the training data.",
            "c": "The test month gets more rows than the training month.",
            "d": "The encoding leaks the test labels into the training set.",
        },
        correct="b",
        explanation=(
            "get_dummies makes a column per value that *occurs*. A categorical with all seven days "
            "declared, or an OneHotEncoder fitted on the training data (handle_unknown='ignore' or "
            "infrequent pooling), keeps the columns the same whatever the new data contain."
        ),
    ),
    quiz_question(
        "01.q4 dropping unknown customers",
        "The cleaning drops the 25% of lines without a CustomerID. When would that decision be wrong?",
        {
            "a": "Never: a line without a customer is an error.",
            "b": "When you report the shop's total sales: those lines are real sales (15% of the revenue), so the total would be understated.",
            "c": "When you compute recency per customer.",
            "d": "When you build a recommender.",
        },
        correct="b",
        explanation=(
            "A cleaning decision belongs to an analysis. For customer analytics (recency, segments, "
            "recommendations) a line nobody can be tied to is useless; for turnover it is money the "
            "shop took. Write the decision down with what it removes, as the waterfall does."
        ),
    ),
]
