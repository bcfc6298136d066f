"""Exercises of lesson 02 (exploring customer behaviour) on the cleaned Online Retail.

The checkers compare with the figures of the bundled file; the reference
solutions recompute them with ``pmkt_lessons.behaviour``. Introduced in lesson 02.
"""

from __future__ import annotations

import numbers
from functools import partial

from .. import behaviour as B
from .. import columns as C
from . import Exercise, number_checker
from . import _online_retail as retail

NOVEMBER_CUSTOMERS = 1_664
NOVEMBER_ORDERS = 2_657
TOP1_PRODUCTS_SHARE = 0.19519
TOP1_CUSTOMERS_SHARE = 0.31925
JANUARY_COHORT_MONTH1 = 0.22062
DECEMBER_COHORT_MONTH1 = 0.36610


def _check_november_customers(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return f"expected a whole number of customers, got {type(answer).__name__}"
    if answer == NOVEMBER_CUSTOMERS:
        return None
    if answer == NOVEMBER_ORDERS:
        return "that is the number of orders (invoices); several come from the same customer."
    if answer == 4_338:
        return "that is every customer of the year; the question asks about November 2011 only."
    return f"{answer:,} is not the number of distinct customers who bought in November 2011"


ex1 = Exercise(
    name="02.1 busiest month",
    question="How many distinct customers bought something in November 2011? (an int)",
    checker=_check_november_customers,
    hint_text="monthly_revenue(clean) has a 'customers' column indexed by the first day of the month.",
    solution_code="answer = int(monthly_revenue(clean).loc['2011-11-01', 'customers'])",
    reference=lambda: int(B.monthly_revenue(retail.clean()).loc["2011-11-01", B.CUSTOMERS]),
    wrong_answers=lambda: [NOVEMBER_ORDERS, 4_338, 1_664.0],
)


_share_checker = partial(number_checker, share=True, trap_tol=1e-3)


ex2 = Exercise(
    name="02.2 top products",
    question=(
        "What share of revenue do the top 1% of products (StockCode) bring? "
        "(a number between 0 and 1)"
    ),
    checker=_share_checker(
        TOP1_PRODUCTS_SHARE,
        "the top 1% of products' share",
        {
            TOP1_CUSTOMERS_SHARE: "that is the top 1% of customers; use by='StockCode'.",
            0.01: "0.01 is the share of products, not the share of revenue they bring.",
        },
    ),
    hint_text="top_share(clean, by=..., fraction=...) reads it off the concentration curve.",
    solution_code="answer = top_share(clean, by='StockCode', fraction=0.01)",
    reference=lambda: B.top_share(retail.clean(), by=C.STOCK_CODE, fraction=0.01),
    wrong_answers=lambda: [TOP1_CUSTOMERS_SHARE, 0.01, 19.5],
)

ex3 = Exercise(
    name="02.3 January cohort",
    question=(
        "What share of the customers who first bought in January 2011 bought again "
        "in February 2011? (a number between 0 and 1)"
    ),
    checker=_share_checker(
        JANUARY_COHORT_MONTH1,
        "the January cohort's month-1 retention",
        {DECEMBER_COHORT_MONTH1: "that is the December 2010 cohort; pick the 2011-01 row."},
    ),
    hint_text="cohort_retention(clean) has one row per cohort month and a column per months_since.",
    solution_code="answer = cohort_retention(clean).loc['2011-01', 1]",
    reference=lambda: float(B.cohort_retention(retail.clean()).loc["2011-01", 1]),
    wrong_answers=lambda: [DECEMBER_COHORT_MONTH1, 92, 22.06, 0.5],
)

EXERCISES = [ex1, ex2, ex3]
