"""The lessons' customer tables in SQL, run by DuckDB inside the Python process.

DuckDB is a columnar SQL engine that runs in-process (no server): it reads a
pandas frame where it lies in memory, or a Parquet file straight from disk,
and uses every core. The queries here rebuild three tables of earlier lessons
so they can be checked against the pandas versions of the package:

* the RFM table of lesson 03 (:func:`pmkt_lessons.features.rfm_table`);
* the monthly cohort retention of lesson 02
  (:func:`pmkt_lessons.behaviour.cohort_retention`), with a window function;
* the basket pair counts behind lesson 05's rules (the length-2 itemsets of
  :func:`pmkt_lessons.rules.frequent_itemsets`), with a self-join.

Each function takes its input as a DataFrame or as the path of a Parquet file,
and an optional DuckDB connection. Introduced in lesson 23.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from ..behaviour import COHORT, MONTHS_SINCE
from ..features import FREQUENCY, GROSS_REVENUE, MONETARY, RECENCY, RETURNED_REVENUE, RFM_COLUMNS
from ..rules import ITEMSETS, frequent_itemsets, transactions_to_one_hot
from ..validation import (
    require_bool,
    require_datetime,
    require_day,
    require_frame,
    require_positive_int,
)

ITEM_A = "item_a"
ITEM_B = "item_b"
PAIR_COUNT = "count"
_RFM_NEEDS = (C.INVOICE, C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE)
_RETURN_NEEDS = (C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE)


def connect(threads: int | None = None):
    """Give a new in-memory DuckDB connection (``threads`` caps its worker threads). Introduced in lesson 23.

    DuckDB's progress bar is off: on a slow machine it would print into a
    notebook's outputs, so a run would depend on the load.
    """
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    if threads is not None:
        con.execute(f"SET threads = {require_positive_int(threads, 'threads')}")
    return con


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike, *, con=None) -> Path:
    """Write ``frame`` to a Parquet file at ``path`` (through DuckDB) and give the path.

    Refuses to write inside the course's ``datasets/`` folder. Introduced in lesson 23.
    """
    require_frame(frame, [], "frame")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file path, got {type(path).__name__}")
    path = Path(path)
    from ..data import data_dir

    if data_dir().resolve() in path.resolve().parents:
        raise ValueError(f"path: expected a place outside datasets/, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect() if con is None else con
    con.register("_frame_to_write", frame)
    try:
        con.execute(f"COPY _frame_to_write TO '{_quote(path)}' (FORMAT parquet)")
    finally:
        con.unregister("_frame_to_write")
    return path


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _relation(con, source: object, arg: str, needs, *, allow_empty: bool = False) -> str:
    """Register ``source`` (a DataFrame or a Parquet path) under the name ``arg``; give the name."""
    if isinstance(source, pd.DataFrame):
        require_frame(source, needs, arg, allow_empty=allow_empty)
        if C.INVOICE_DATE in needs:
            require_datetime(source, [C.INVOICE_DATE], arg)
        con.register(arg, source)
        return arg
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"{arg}: expected a DataFrame or an existing Parquet file, got {str(path)!r}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {arg} AS SELECT * FROM read_parquet('{_quote(path)}')")
        present = {row[0] for row in con.execute(f"DESCRIBE {arg}").fetchall()}
        missing = [c for c in needs if c not in present]
        if missing:
            raise ValueError(f"{arg}: expected columns {missing} in {path.name}, found {sorted(present)}")
        return arg
    raise TypeError(f"{arg}: expected a DataFrame or the path of a Parquet file, got {type(source).__name__}")


def _snapshot_sql(snapshot) -> str:
    if snapshot is None:
        return "NULL"
    day = require_day(snapshot, "snapshot")
    return f"TIMESTAMP '{day.strftime('%Y-%m-%d')}'"


RFM_SQL = """
WITH snap AS (
    SELECT coalesce({snapshot}, date_trunc('day', max(InvoiceDate)) + INTERVAL 1 DAY) AS day
    FROM clean
),
returned AS (
    SELECT r.CustomerID, sum(r.Revenue) AS returned_revenue
    FROM cancellations AS r, snap
    WHERE r.InvoiceDate < snap.day
    GROUP BY r.CustomerID
)
SELECT
    s.CustomerID,
    date_diff('day', CAST(max(s.InvoiceDate) AS DATE), CAST(any_value(snap.day) AS DATE)) AS recency,
    count(DISTINCT s.InvoiceNo) AS frequency,
    sum(s.Revenue) AS gross_revenue,
    coalesce(any_value(r.returned_revenue), 0.0) AS returned_revenue,
    sum(s.Revenue) + coalesce(any_value(r.returned_revenue), 0.0) AS monetary
FROM clean AS s
CROSS JOIN snap
LEFT JOIN returned AS r ON r.CustomerID = s.CustomerID
WHERE s.InvoiceDate < snap.day
GROUP BY s.CustomerID
ORDER BY s.CustomerID
"""


def rfm_duckdb(clean, cancellations, *, snapshot=None, con=None) -> pd.DataFrame:
    """Give the RFM table of :func:`pmkt_lessons.features.rfm_table`, computed by DuckDB in SQL.

    One ``GROUP BY CustomerID`` over the sales before the snapshot
    (recency = days from the last purchase day to the snapshot, frequency =
    distinct invoices, gross revenue = sum), joined to the returns summed per
    customer. Introduced in lesson 23.

    Parameters
    ----------
    clean, cancellations : DataFrame or path of a Parquet file
        ``CleaningResult.clean`` and ``CleaningResult.cancellations`` (or the
        same written to Parquet).
    snapshot : date, optional
        Only transactions before it count; default: the day after the last invoice.
    con : duckdb connection, optional

    Returns
    -------
    DataFrame indexed by ``CustomerID`` (sorted) with ``recency``,
    ``frequency``, ``monetary``, ``gross_revenue``, ``returned_revenue``.
    """
    day = _snapshot_sql(snapshot)
    con = connect() if con is None else con
    _relation(con, clean, "clean", _RFM_NEEDS)
    _relation(con, cancellations, "cancellations", _RETURN_NEEDS, allow_empty=True)
    table = con.execute(RFM_SQL.format(snapshot=day)).df()
    if table.empty:
        raise ValueError("clean: expected purchases before the snapshot, found none")
    table = table.set_index(C.CUSTOMER_ID)
    table.index = table.index.astype("Int64")
    table = table.astype({RECENCY: "int64", FREQUENCY: "int64"})
    table = table.astype({c: "float64" for c in (GROSS_REVENUE, RETURNED_REVENUE, MONETARY)})
    return table[list(RFM_COLUMNS)]


COHORT_SQL = """
WITH active AS (
    SELECT DISTINCT CustomerID, (year(InvoiceDate) - 1970) * 12 + month(InvoiceDate) - 1 AS month
    FROM clean
),
labelled AS (
    SELECT CustomerID, month, min(month) OVER (PARTITION BY CustomerID) AS cohort
    FROM active
)
SELECT cohort, month - cohort AS months_since, count(*) AS customers,
       max(max(month)) OVER () AS last_month
FROM labelled
GROUP BY cohort, month - cohort
ORDER BY cohort, months_since
"""


def cohort_counts_duckdb(clean, *, con=None) -> pd.DataFrame:
    """Give the long cohort table: ``cohort`` and ``months_since`` (month numbers), active ``customers``.

    A window function (``min(month) OVER (PARTITION BY CustomerID)``) labels
    every active month of a customer with the month of their first purchase;
    ``GROUP BY`` counts customers per cohort and month. ``last_month`` is the
    last month with a sale. Month numbers count from January 1970 (pandas'
    monthly Period ordinals). Introduced in lesson 23.
    """
    con = connect() if con is None else con
    _relation(con, clean, "clean", (C.CUSTOMER_ID, C.INVOICE_DATE))
    if isinstance(clean, pd.DataFrame) and clean[C.CUSTOMER_ID].isna().any():
        raise ValueError(f"clean: expected no missing {C.CUSTOMER_ID}, found {int(clean[C.CUSTOMER_ID].isna().sum())}")
    return con.execute(COHORT_SQL).df()


def cohort_retention_duckdb(clean, *, counts: bool = False, con=None) -> pd.DataFrame:
    """Give the cohort retention matrix of :func:`pmkt_lessons.behaviour.cohort_retention`, counted by DuckDB.

    The counting is :func:`cohort_counts_duckdb` (SQL); only the pivot of a
    few hundred cells into the matrix is done in pandas. Introduced in lesson 23.
    """
    require_bool(counts, "counts")
    long = cohort_counts_duckdb(clean, con=con)
    if long.empty:
        raise ValueError("clean: expected at least one transaction, got none")
    last_month = int(long["last_month"].iloc[0])
    matrix = long.pivot(index=COHORT, columns=MONTHS_SINCE, values="customers")
    cohorts = matrix.index.to_numpy(dtype=np.int64)
    horizon = np.arange(last_month - cohorts[0] + 1)
    matrix = matrix.reindex(columns=horizon).fillna(0).astype(float)
    matrix = matrix.where(cohorts[:, None] + horizon[None, :] <= last_month)
    matrix = matrix.astype("Int64") if counts else matrix.div(matrix[0], axis=0)
    matrix.index = pd.PeriodIndex.from_ordinals(cohorts, freq="M", name=COHORT)
    matrix.columns = pd.Index(horizon, name=MONTHS_SINCE)
    return matrix


PAIRS_SQL = """
WITH lines AS (
    SELECT DISTINCT "{basket}" AS basket, CAST("{item}" AS VARCHAR) AS item
    FROM clean
    WHERE "{basket}" IS NOT NULL AND "{item}" IS NOT NULL
)
SELECT a.item AS item_a, b.item AS item_b, count(*) AS count
FROM lines AS a
JOIN lines AS b ON a.basket = b.basket AND a.item < b.item
GROUP BY a.item, b.item
HAVING count(*) >= {min_count}
ORDER BY count DESC, item_a, item_b
"""


def pair_counts_duckdb(
    clean, *, basket_col: str = C.INVOICE, item_col: str = C.STOCK_CODE, min_count: int = 1, con=None
) -> pd.DataFrame:
    """Give how many baskets hold each pair of items, for pairs seen in at least ``min_count`` baskets.

    A self-join of the distinct (basket, item) lines on the basket, keeping
    ``item_a < item_b`` so each unordered pair is counted once. These are the
    supports of the length-2 itemsets that rule mining starts from (lesson 05).
    The join's size grows with the square of the basket size: a few huge
    baskets dominate its cost. Introduced in lesson 23.

    Returns
    -------
    DataFrame with ``item_a``, ``item_b`` (``item_a < item_b``) and
    ``count``, most frequent first (ties by the items).
    """
    for arg, value in (("basket_col", basket_col), ("item_col", item_col)):
        if not isinstance(value, str):
            raise TypeError(f"{arg}: expected a column name (str), got {type(value).__name__}")
    min_count = require_positive_int(min_count, "min_count")
    con = connect() if con is None else con
    _relation(con, clean, "clean", (basket_col, item_col))
    sql = PAIRS_SQL.format(basket=basket_col.replace('"', ""), item=item_col.replace('"', ""), min_count=min_count)
    table = con.execute(sql).df()
    return table.astype({PAIR_COUNT: "int64", ITEM_A: object, ITEM_B: object})


def pair_counts_pandas(
    clean: pd.DataFrame, *, basket_col: str = C.INVOICE, item_col: str = C.STOCK_CODE, min_count: int = 1
) -> pd.DataFrame:
    """Give the pair counts of :func:`pair_counts_duckdb` from the package's pandas route (lesson 05).

    One-hot baskets (:func:`pmkt_lessons.rules.transactions_to_one_hot`), then
    the length-2 itemsets of :func:`pmkt_lessons.rules.frequent_itemsets`
    (mlxtend's FP-growth). The support threshold is set half a basket below
    ``min_count / n``: exactly at ``min_count / n`` the product
    ``min_support * n`` can round to just above ``min_count`` and drop the
    pairs seen exactly ``min_count`` times. Introduced in lesson 23.
    """
    min_count = require_positive_int(min_count, "min_count")
    require_frame(clean, [basket_col, item_col], "clean")
    onehot = transactions_to_one_hot(clean, basket_col=basket_col, item_col=item_col)
    onehot.columns = onehot.columns.astype(str)
    itemsets = frequent_itemsets(onehot, min(1.0, (min_count - 0.5) / len(onehot)), max_len=2)
    pairs = itemsets[itemsets["length"] == 2]
    items = pairs[ITEMSETS].map(sorted)
    table = pd.DataFrame(
        {ITEM_A: items.str[0], ITEM_B: items.str[1], PAIR_COUNT: pairs["count"].astype("int64")}
    )
    table = table.sort_values([PAIR_COUNT, ITEM_A, ITEM_B], ascending=[False, True, True], kind="stable")
    return table.reset_index(drop=True).astype({ITEM_A: object, ITEM_B: object})
