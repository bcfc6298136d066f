"""Exercises of lesson 02 (exploring customer behaviour) on the cleaned Online Retail, and its quiz.

The checkers compare with the figures of the bundled file; the reference
solutions recompute them with ``pmkt_lessons.behaviour``. Introduced in lesson 02.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import behaviour as B
from .. import columns as C
from . import Exercise, count_checker, function_checker, number_checker, quiz_question
from . import _online_retail as retail

SUNDAY_CUSTOMERS = 1_225
SUNDAY_ORDERS = 2_169
SUNDAY_LINES = 61_212
ALL_CUSTOMERS = 4_338

# top 1% of 3,665 products = 36.65 products; shares of net revenue (returns netted)
TOP1_PRODUCTS_NET = 0.174082539  # top_share, interpolated between the top 36 and the top 37
TOP36_PRODUCTS_NET = 0.172273168
TOP37_PRODUCTS_NET = 0.175056816
BY_HAND_TOLERANCE = 0.015  # both by-hand brackets lie within 1.5% of the interpolated share
TOP1_PRODUCTS_GROSS = 0.195192362
TOP36_PRODUCTS_GROSS = 0.193425296
TOP37_PRODUCTS_GROSS = 0.196143859
TOP1_CUSTOMERS_NET = 0.298072506

FEBRUARY_COHORT_NOVEMBER = 0.305263158  # 2011-02 cohort, 9 months later
FEBRUARY_COHORT_OCTOBER = 0.247368421
FEBRUARY_COHORT_DECEMBER = 0.068421053
DECEMBER_COHORT_MONTH9 = 0.395480226
FEBRUARY_COHORT_NOVEMBER_COUNT = 116


def _sunday_customers_reference() -> int:
    clean = retail.clean()
    sunday = clean[clean[C.INVOICE_DATE].dt.day_name() == "Sunday"]
    return int(sunday[C.CUSTOMER_ID].nunique())


ex1 = Exercise(
    name="02.1 Sunday customers",
    question=(
        "Section 2 counted Sunday orders by hour. How many distinct customers placed at least "
        "one order on a Sunday? (an int)"
    ),
    checker=count_checker(
        SUNDAY_CUSTOMERS,
        "customers who bought on a Sunday",
        {
            SUNDAY_ORDERS: "that is the number of Sunday orders (invoices); several come from the same customer.",
            SUNDAY_LINES: "that is the number of Sunday lines; count distinct customers instead.",
            ALL_CUSTOMERS: "that is every customer of the year; keep only the Sunday lines first.",
        },
    ),
    hint_text=(
        "Keep the lines placed on a Sunday, then count each customer once, however many lines "
        "or orders they have."
    ),
    hint_code=(
        "clean['InvoiceDate'].dt.day_name() (or .dt.day_of_week == 6) selects Sundays; "
        "a Series has .nunique()."
    ),
    solution_code=(
        "sunday = clean[clean['InvoiceDate'].dt.day_name() == 'Sunday']\n"
        "# nunique counts each customer once, whatever their number of lines and orders\n"
        "answer = sunday['CustomerID'].nunique()"
    ),
    reference=_sunday_customers_reference,
    wrong_answers=lambda: [SUNDAY_ORDERS, SUNDAY_LINES, ALL_CUSTOMERS, 1_225.5],
)


_GROSS = "that counts the products' gross revenue; net the returns (returns=result.cancellations) as the lesson does."

ex2 = Exercise(
    name="02.2 top products",
    question=(
        "What share of net revenue (returns netted, as in section 4) do the top 1% of products "
        "(StockCode) bring? (a number between 0 and 1; the by-hand bracketing of section 4 is "
        "accepted: any answer within 1.5% of top_share's interpolated value counts)"
    ),
    checker=number_checker(
        TOP1_PRODUCTS_NET,
        "the top 1% of products' share of net revenue",
        {
            TOP1_PRODUCTS_GROSS: _GROSS,
            TOP36_PRODUCTS_GROSS: _GROSS,
            TOP37_PRODUCTS_GROSS: _GROSS,
            TOP1_CUSTOMERS_NET: "that is the top 1% of customers; rank the products (by='StockCode').",
            0.01: "0.01 is the share of products, not the share of revenue they bring.",
        },
        rel=BY_HAND_TOLERANCE,
        share=True,
    ),
    hint_text=(
        "Same Pareto question as for customers, with products as the entities and the returns "
        "netted; 1% of 3,665 products is 36.65 products."
    ),
    hint_code=(
        "top_share(clean, by=..., fraction=..., returns=result.cancellations), or by hand: net "
        "revenue per StockCode, sorted, and the shares of the top 36 and top 37 around it."
    ),
    solution_code=(
        "# interpolated between the top 36 and the top 37 products (36.65 = 1% of 3,665);\n"
        "# the netted returns take the 80,995 cancelled paper birds out of the top product\n"
        "answer = top_share(clean, by='StockCode', fraction=0.01, returns=result.cancellations)"
    ),
    reference=lambda: B.top_share(
        retail.clean(), by=C.STOCK_CODE, fraction=0.01, returns=retail.result().cancellations
    ),
    wrong_answers=lambda: [
        TOP1_PRODUCTS_GROSS, TOP36_PRODUCTS_GROSS, TOP1_CUSTOMERS_NET, 0.01, 17.4, 0.16,
    ],
)


ex3 = Exercise(
    name="02.3 February cohort in November",
    question=(
        "What share of the customers who first bought in February 2011 bought again in "
        "November 2011? (a number between 0 and 1)"
    ),
    checker=number_checker(
        FEBRUARY_COHORT_NOVEMBER,
        "the February cohort's share active in November",
        {
            FEBRUARY_COHORT_OCTOBER: "that is October (8 months later); February to November is 9 months.",
            FEBRUARY_COHORT_DECEMBER: "that is the partial December (10 months later); February to November is 9 months.",
            DECEMBER_COHORT_MONTH9: "that is the December 2010 cohort; pick the 2011-02 row.",
        },
        share=True,
    ),
    hint_text=(
        "Find the cohort's row, then count the months from February to November: that is the "
        "column."
    ),
    hint_code="cohort_retention(clean) is indexed by monthly periods ('2011-02'); its columns are months since the first purchase.",
    solution_code=(
        "# February + 9 months = November; the table printed in the lesson stops at month 6\n"
        "answer = cohort_retention(clean).loc['2011-02', 9]"
    ),
    reference=lambda: float(B.cohort_retention(retail.clean()).loc["2011-02", 9]),
    wrong_answers=lambda: [
        FEBRUARY_COHORT_OCTOBER, FEBRUARY_COHORT_DECEMBER, DECEMBER_COHORT_MONTH9,
        FEBRUARY_COHORT_NOVEMBER_COUNT, 30.5, 0.5,
    ],
)

def _share_of_top_reference(revenues: list[float], fraction: float) -> float:
    frame = pd.DataFrame({C.CUSTOMER_ID: np.arange(len(revenues)), C.REVENUE: revenues})
    return B.top_share(frame, C.CUSTOMER_ID, fraction)


def _share_cases(rng: np.random.Generator) -> list[tuple[list[float], float]]:
    cases = [([50.0, 30.0, 15.0, 5.0], 0.25), ([10.0, 40.0, 20.0, 30.0], 0.5), ([5.0, 20.0, 75.0], 0.5)]
    for n, fraction in [(10, 0.2), (37, 0.01), (200, 0.2), (1_000, 0.013)]:
        cases.append((rng.pareto(1.5, size=n).round(2).tolist(), fraction))
    return cases


def _share_without_interpolation(revenues: list[float], fraction: float) -> float:
    ranked = np.sort(np.asarray(revenues, dtype=float))[::-1]
    top = int(fraction * len(ranked))
    return float(ranked[:top].sum() / ranked.sum())


def _share_unsorted(revenues: list[float], fraction: float) -> float:
    values = np.asarray(revenues, dtype=float)
    x = np.arange(len(values) + 1) / len(values)
    y = np.concatenate([[0.0], np.cumsum(values)]) / values.sum()
    return float(np.interp(fraction, x, y))


ex4 = Exercise(
    name="02.4 a Pareto share by hand",
    question=(
        "Write a function share_of_top(revenues, fraction) that takes a list of revenues (one per "
        "customer, none negative) and a fraction in (0, 1], and gives the share of the total that "
        "the top fraction of customers bring, interpolated between customers as top_share does "
        "(the curve joined by straight lines from (0, 0)). Set answer = share_of_top; it is "
        "checked on hidden lists against the package."
    ),
    checker=function_checker(_share_of_top_reference, _share_cases, "share_of_top(revenues, fraction)"),
    hint_text=(
        "The concentration curve has one point per customer, largest first: (k / n, share of the "
        "top k), plus (0, 0). A fraction between two points lies on the straight line joining them."
    ),
    hint_code=(
        "Section 4's by-hand cell ranks and accumulates; np.cumsum gives the curve's heights and "
        "np.interp reads a value off a polyline."
    ),
    solution_code=(
        "def share_of_top(revenues, fraction):\n"
        "    ranked = np.sort(np.asarray(revenues, dtype=float))[::-1]  # largest first\n"
        "    x = np.arange(len(ranked) + 1) / len(ranked)  # 0, 1/n, ..., 1\n"
        "    y = np.concatenate([[0.0], np.cumsum(ranked)]) / ranked.sum()\n"
        "    # the curve is joined by straight lines, so 36.65 customers lie 65% of the way\n"
        "    # from the top 36 to the top 37\n"
        "    return float(np.interp(fraction, x, y))\n"
        "\n"
        "answer = share_of_top"
    ),
    reference=lambda: _share_of_top_reference,
    wrong_answers=lambda: [_share_without_interpolation, _share_unsorted, TOP1_PRODUCTS_NET],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "02.q1 the December dip",
        "The monthly bar for December 2011 is less than half of November's. Why is it wrong to report 'sales collapsed in December'?",
        {
            "a": "Because December is always a weak month for gift shops.",
            "b": "Because the data stop on 9 December: it is a partial month, so compare revenue per trading day (and check the largest lines) before saying anything.",
            "c": "Because the bar chart starts its y-axis at zero.",
            "d": "It is right: the bar is lower, so sales fell.",
        },
        correct="b",
        explanation=(
            "A partial last period always looks like a slump. Per trading day, December 2011 even "
            "looks like a boom, until you see that one order of 80,995 paper birds, cancelled 12 "
            "minutes later, makes the difference. Check the edges of the data and its extremes before "
            "telling a story."
        ),
    ),
    quiz_question(
        "02.q2 the loyal first cohort",
        "The December 2010 cohort keeps far more customers than any cohort of 2011. What is the most likely reason?",
        {
            "a": "Christmas shoppers are more loyal.",
            "b": "The data start on 1 December 2010, so every customer who had bought before then is counted as 'new' in December: that cohort is the shop's existing loyal base (left censoring).",
            "c": "The shop ran a retention campaign in December 2010.",
            "d": "December has more trading days.",
        },
        correct="b",
        explanation=(
            "A cohort is defined by the first purchase *in the data*. When the data begin, old "
            "customers and genuinely new ones are mixed in the first cohort. Compare cohorts that "
            "start well after the data do, or use a longer history to know who was really new."
        ),
        traps={"c": "Nothing in the data shows a campaign; the data's start date alone explains the pattern."},
    ),
    quiz_question(
        "02.q3 orders or revenue",
        "To decide when to send a newsletter, why does the lesson's heatmap count orders per hour and weekday rather than sum revenue?",
        {
            "a": "Because revenue cannot be summed by hour.",
            "b": "Because a revenue cell can be dominated by a single huge order (57% of the top cell is one cancelled line); order counts show when customers actually buy.",
            "c": "Because orders are always proportional to revenue.",
            "d": "Because revenue would make the heatmap too dark.",
        },
        correct="b",
        explanation=(
            "Sums of skewed money are driven by their largest terms. When the question is 'when are "
            "customers active', count customers or orders; when it is 'where is the money', use "
            "revenue, and look at the largest contributions before trusting a peak."
        ),
    ),
    quiz_question(
        "02.q4 gross or net",
        "Why does the Pareto curve of section 4 net the returns instead of using the gross sales?",
        {
            "a": "Because the gross sales are not in the clean data.",
            "b": "Because two orders cancelled within minutes (£168k and £77k) would otherwise count as revenue and make their customers top accounts, overstating the concentration (top 1%: 31.9% gross, 29.8% net).",
            "c": "Because net revenue is always larger.",
            "d": "It makes no difference; it is only a convention.",
        },
        correct="b",
        explanation=(
            "Value measures of customers and products should count what was paid. Totals of sales "
            "activity (orders per hour, revenue per month) can stay gross, but say so; whichever you "
            "use, state it, because the numbers differ."
        ),
    ),
]
