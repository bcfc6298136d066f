"""Exercises of lesson 01 (data cleaning) on Online Retail.

The checkers compare with the figures of the bundled file (its sha256 is
fixed); the reference solutions recompute them from the data, so the test
suite proves the two agree. Introduced in lesson 01.
"""

from __future__ import annotations

import pandas as pd

from .. import columns as C
from ..cleaning import clean_transactions, iqr_outliers
from . import Exercise, close_enough, count_checker
from . import _online_retail as retail

ROWS_WITHOUT_NON_PRODUCT = 391_150
CANCELLED_REVENUE = 611_342.09
IQR_PRICE_OUTLIERS = 34_112
MAD_PRICE_OUTLIERS = 33_622
CLEAN_COUNTRIES = 37


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
    hint_text="clean_transactions(raw, drop_non_product=True) gives a CleaningResult; count its .clean.",
    solution_code="answer = len(clean_transactions(raw, drop_non_product=True).clean)",
    reference=lambda: len(clean_transactions(retail.raw(), drop_non_product=True).clean),
    wrong_answers=lambda: [392_692, 1_542, 391_150.5],
)


def _check_cancelled_revenue(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected an amount in pounds (a number), got {type(answer).__name__}"
    if value < 0:
        return "give the amount as a positive number of pounds (flip the sign)."
    if abs(value - 8_905) < 1:
        return "8,905 is the number of cancellation lines; the question asks for their revenue."
    return close_enough(value, CANCELLED_REVENUE, "the revenue taken back", rel=1e-4)


ex2 = Exercise(
    name="01.2 what returns cost",
    question=(
        "The cleaning set the cancellation lines of known customers aside in result.cancellations. "
        "How much revenue (in pounds, as a positive number) did they take back?"
    ),
    checker=_check_cancelled_revenue,
    hint_text="result.cancellations has a Revenue column (negative, since quantities are negative).",
    solution_code="answer = -result.cancellations['Revenue'].sum()",
    reference=lambda: float(-retail.result().cancellations[C.REVENUE].sum()),
    wrong_answers=lambda: [-CANCELLED_REVENUE, 8_905, 1_447_682.12],
)


ex3 = Exercise(
    name="01.3 IQR on prices",
    question="How many lines of the clean data does iqr_outliers (k = 1.5) flag on UnitPrice? (an int)",
    checker=count_checker(
        IQR_PRICE_OUTLIERS,
        "lines flagged",
        {MAD_PRICE_OUTLIERS: "that is what mad_outliers flags; the question asks for the IQR rule."},
    ),
    hint_text="iqr_outliers(clean['UnitPrice']) is a boolean Series; its .sum() counts the True values.",
    solution_code="answer = int(iqr_outliers(clean['UnitPrice']).sum())",
    reference=lambda: int(iqr_outliers(retail.clean()[C.UNIT_PRICE]).sum()),
    wrong_answers=lambda: [MAD_PRICE_OUTLIERS, 0],
)


ex4 = Exercise(
    name="01.4 one-hot countries",
    question=(
        "How many columns does pd.get_dummies(clean['Country']) have, i.e. how many "
        "indicator columns does one-hot encoding of the country create? (an int)"
    ),
    checker=count_checker(
        CLEAN_COUNTRIES,
        "indicator columns",
        {
            38: "38 countries appear in the raw data; one of them has no known customer left after cleaning.",
            36: "that is with drop_first=True; the plain encoding keeps one column per country.",
        },
    ),
    hint_text="pd.get_dummies(...) gives a DataFrame; .shape[1] is its number of columns.",
    solution_code="answer = pd.get_dummies(clean['Country']).shape[1]",
    reference=lambda: pd.get_dummies(retail.clean()[C.COUNTRY]).shape[1],
    wrong_answers=lambda: [38, 36, "37"],
)

EXERCISES = [ex1, ex2, ex3, ex4]
