"""Exercises and the concept quiz of lesson 23 (scaling out: DuckDB, Spark, how cost grows).

The exercises need no JVM: they are answered with DuckDB or pandas, so they
check quickly. Introduced in lesson 23.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from . import Exercise, count_checker, quiz_question
from ._online_retail import result as cleaned

PAIR_MIN_COUNT = 300
SNAPSHOT = "2011-06-01"


@cache
def _pair_count() -> int:
    from ..scale.duck import pair_counts_pandas

    return int(len(pair_counts_pandas(cleaned().clean, min_count=PAIR_MIN_COUNT)))


@cache
def _pairs_at_400() -> int:
    from ..scale.duck import pair_counts_pandas

    return int(len(pair_counts_pandas(cleaned().clean, min_count=400)))


ex1 = Exercise(
    name="23.1 pairs behind the rules",
    question=(
        f"With DuckDB (`pair_counts_duckdb`, or your own SQL self-join), how many pairs of stock codes "
        f"appear together in at least {PAIR_MIN_COUNT} invoices of the cleaned data? (answer: an int)"
    ),
    checker=lambda answer: count_checker(
        _pair_count(), "pairs", traps={_pairs_at_400(): f"that is the count at 400 invoices; use {PAIR_MIN_COUNT}."}
    )(answer),
    hint_text='A pair is counted once per invoice that contains both products; keep the pairs at or above the threshold.',
    hint_code="pair_counts_duckdb(clean, min_count=...) gives one row per pair; count the rows.",
    solution_code=f"answer = len(duck.pair_counts_duckdb(clean, min_count={PAIR_MIN_COUNT}))",
    reference=_pair_count,
    wrong_answers=lambda: [34, _pair_count() + 1, "many"],
)


@cache
def _customers_before() -> int:
    from ..features import rfm_table

    result = cleaned()
    return int(len(rfm_table(result.clean, result.cancellations, snapshot=SNAPSHOT)))


ex2 = Exercise(
    name="23.2 RFM as of an earlier day",
    question=(
        f"Compute the RFM table with DuckDB as of the snapshot {SNAPSHOT} (only purchases before it "
        "count). How many customers does it hold? (answer: an int)"
    ),
    checker=lambda answer: count_checker(_customers_before(), "customers", traps={4338: (
        "4,338 is every customer of the year; the snapshot keeps only those who bought before it."
    )})(answer),
    hint_text='An RFM table as of a snapshot keeps only the purchases before that day: customers who first bought later are not in it.',
    hint_code=f"duck.rfm_duckdb(clean, cancellations, snapshot='{SNAPSHOT}'); count its rows.",
    solution_code=f"answer = len(duck.rfm_duckdb(clean, cancellations, snapshot='{SNAPSHOT}'))",
    reference=_customers_before,
    wrong_answers=lambda: [4338, _customers_before() - 1, 2.5],
)

_SLOPE_CASES = (
    ([1, 2, 4, 8], [3.0, 6.0, 12.0, 24.0], 1.0),
    ([1, 2, 4, 8], [10.0, 10.0, 10.0, 10.0], 0.0),
    ([1000, 2000, 4000], [1.0, 4.0, 16.0], 2.0),
    ([1, 3, 9, 27], [5.0, 7.1, 12.2, 30.0], float(np.polyfit(np.log([1, 3, 9, 27]), np.log([5.0, 7.1, 12.2, 30.0]), 1)[0])),
)


def _check_slope(func) -> str | None:
    if not callable(func):
        return f"expected a function slope(sizes, seconds), got {type(func).__name__}"
    for sizes, seconds, expected in _SLOPE_CASES:
        got = float(func(list(sizes), list(seconds)))
        if not np.isclose(got, expected, atol=1e-6):
            if np.isclose(got, float(np.polyfit(sizes, seconds, 1)[0]), atol=1e-6):
                return "that is the slope on plain axes; take logarithms of both first."
            return f"slope({sizes}, {seconds}) should be {expected:.4f}, got {got:.4f}"
    return None


def _slope_reference(sizes, seconds):
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


ex3 = Exercise(
    name="23.3 the log-log slope",
    question=(
        "Write a function slope(sizes, seconds) that gives the least-squares slope b of "
        "log(seconds) = a + b log(sizes): 1 means time doubles when the data doubles. "
        "(answer: the function)"
    ),
    checker=_check_slope,
    hint_text='On log axes a power law is a straight line; its slope is the exponent.',
    hint_code="np.polyfit(np.log(sizes), np.log(seconds), 1) gives [b, a].",
    solution_code=(
        "def slope(sizes, seconds):\n"
        "    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])\n"
        "answer = slope"
    ),
    reference=lambda: _slope_reference,
    wrong_answers=lambda: [
        lambda sizes, seconds: float(np.polyfit(sizes, seconds, 1)[0]),
        lambda sizes, seconds: seconds[-1] / seconds[0],
        1.0,
    ],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3]

QUIZ = [
    quiz_question(
        "23.Q1 one machine first",
        "The shop's full transaction history is 3 GB of Parquet and grows 20 % a year. Which engine "
        "should the nightly RFM job start with?",
        {
            "a": "Spark on a cluster: it is the tool for big data",
            "b": "DuckDB (or pandas) on one machine: it fits in memory many times over",
            "c": "A GPU, because RFM is a matrix computation",
        },
        "b",
        "A few GB fit in the memory of one machine; DuckDB reads Parquet column by column on every "
        "core with no JVM to start and no network to cross. Spark pays for itself when the data or "
        "the work no longer fits one machine.",
        traps={"a": "'Big' is relative: a cluster adds start-up, scheduling and network costs that "
                    "only pay when one machine is not enough."},
    ),
    quiz_question(
        "23.Q2 reading a plan",
        "In a Spark physical plan, what does an `Exchange hashpartitioning(CustomerID, 4)` node mean?",
        {
            "a": "The data is cached in memory",
            "b": "A shuffle: rows are moved so that each customer's rows end up in one partition",
            "c": "The query is sent to another Spark session",
        },
        "b",
        "An Exchange is a shuffle: every partition sends each row to the partition its key hashes "
        "to. On a cluster this crosses the network and is usually the costliest step of a job.",
    ),
    quiz_question(
        "23.Q3 when to cache",
        "When does `df.cache()` speed a Spark job up?",
        {
            "a": "Always: cached data is faster",
            "b": "When the same DataFrame is used by two or more actions (e.g. count, then a groupBy)",
            "c": "When the DataFrame is read only once",
        },
        "b",
        "Spark is lazy: every action recomputes the plan from the source. Caching keeps the result "
        "of the first action in memory for the next ones; used once, it only costs memory.",
        traps={"a": "Caching a DataFrame used once costs memory and time to store it, and gains nothing."},
    ),
    quiz_question(
        "23.Q4 reading a slope",
        "On log-log axes, Spark's time for RFM grows with slope 0.3 from 1x to 8x the data, pandas' "
        "with slope 1.0, and Spark is slower at every size. What follows?",
        {
            "a": "Spark is badly written",
            "b": "Spark's time is mostly a fixed cost (start-up, scheduling); it may overtake pandas only "
                 "at much larger data, or with more machines",
            "c": "pandas will run out of time before Spark at 16x",
        },
        "b",
        "A small slope with a large intercept is a fixed cost. Extrapolating the two lines gives the "
        "size where they would cross, if one machine's memory holds out that far.",
    ),
]
