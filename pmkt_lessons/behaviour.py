"""Exploring customer behaviour: revenue over time, hour x weekday, countries, Pareto, cohorts.

Every function takes the cleaned Online Retail frame (``clean_transactions(raw).clean``,
which has a ``Revenue`` column) and gives a small DataFrame (or a number) that a
lesson plots or prints. The input is never changed. Introduced in lesson 02.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from .validation import (
    require_bool,
    require_columns,
    require_datetime,
    require_frame,
    require_in_range,
    require_no_nan,
    require_numeric,
    require_positive_int,
)

# Output column and index names
MONTH = "month"
ORDERS = "orders"
CUSTOMERS = "customers"
DAYS_WITH_SALES = "days_with_sales"
SHARE = "share"
ENTITY_SHARE = "entity_share"
REVENUE_SHARE = "revenue_share"
COHORT = "cohort"
MONTHS_SINCE = "months_since"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOUR_WEEKDAY_VALUES = ("revenue", "orders")


def _check_transactions(clean: object, cols) -> pd.DataFrame:
    """Check the common input: a non-empty frame with ``cols``, numeric Revenue, datetime dates."""
    require_frame(clean, cols, "clean")
    if C.REVENUE in cols:
        require_numeric(clean, [C.REVENUE], "clean")
        require_no_nan(clean, [C.REVENUE], "clean")  # a sum would count NaN revenue as 0
    if C.INVOICE_DATE in cols:
        require_datetime(clean, [C.INVOICE_DATE], "clean")
    return clean


def _month_ordinal(dates: pd.Series) -> np.ndarray:
    """Give each date's month as a pandas monthly Period ordinal (months since 1970-01)."""
    return ((dates.dt.year - 1970) * 12 + dates.dt.month - 1).to_numpy(dtype=np.int64)


def monthly_revenue(clean: pd.DataFrame) -> pd.DataFrame:
    """Give revenue, orders, active customers and trading days per calendar month.

    Introduced in lesson 02.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``InvoiceDate``, ``InvoiceNo``, ``CustomerID`` and ``Revenue``.

    Returns
    -------
    DataFrame
        Index ``month`` (the first day of each month, every month from the
        first to the last sale, months without sales filled with 0); columns
        ``revenue``, ``orders`` (distinct invoices), ``customers`` (distinct
        customers) and ``days_with_sales``, which shows a partial month.
    """
    cols = [C.INVOICE_DATE, C.INVOICE, C.CUSTOMER_ID, C.REVENUE]
    _check_transactions(clean, cols)
    dates = clean[C.INVOICE_DATE]
    month = dates.dt.to_period("M").dt.to_timestamp().rename(MONTH)
    grouped = clean.groupby(month)
    table = pd.DataFrame(
        {
            C.REVENUE_TOTAL: grouped[C.REVENUE].sum(),
            ORDERS: grouped[C.INVOICE].nunique(),
            CUSTOMERS: grouped[C.CUSTOMER_ID].nunique(),
            DAYS_WITH_SALES: dates.dt.normalize().groupby(month).nunique(),
        }
    )
    full = pd.date_range(table.index.min(), table.index.max(), freq="MS", name=MONTH)
    return table.reindex(full, fill_value=0)


def hour_weekday_table(clean: pd.DataFrame, value: str = "revenue") -> pd.DataFrame:
    """Give an hour x weekday table of revenue (or of distinct orders), for a heatmap.

    Introduced in lesson 02.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``InvoiceDate`` and ``Revenue`` (and ``InvoiceNo`` for orders).
    value : {"revenue", "orders"}
        Sum of line revenue, or number of distinct invoices started in that hour.

    Returns
    -------
    DataFrame
        Index ``hour`` (every hour from the earliest to the latest seen);
        columns Monday..Sunday in that order, all seven even where a day has
        no sales; empty cells are 0.
    """
    if value not in HOUR_WEEKDAY_VALUES:
        raise ValueError(f"value: expected one of {list(HOUR_WEEKDAY_VALUES)}, got {value!r}")
    cols = [C.INVOICE_DATE, C.REVENUE] if value == "revenue" else [C.INVOICE_DATE, C.INVOICE]
    _check_transactions(clean, cols)
    dates = clean[C.INVOICE_DATE]
    keys = [dates.dt.hour.rename(C.HOUR), dates.dt.day_name().rename("weekday")]
    if value == "revenue":
        cells = clean[C.REVENUE].groupby(keys).sum()
    else:
        cells = clean[C.INVOICE].groupby(keys).nunique()
    table = cells.unstack("weekday", fill_value=0)
    hours = pd.RangeIndex(int(table.index.min()), int(table.index.max()) + 1, name=C.HOUR)
    table = table.reindex(index=hours, columns=list(WEEKDAYS), fill_value=0).astype(cells.dtype)
    table.columns.name = "weekday"
    return table


def revenue_by_country(clean: pd.DataFrame, top: int | None = 10) -> pd.DataFrame:
    """Give revenue, share of all revenue, customers and orders per country, largest first.

    Introduced in lesson 02.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``Country``, ``Revenue``, ``CustomerID`` and ``InvoiceNo``.
    top : int or None
        Keep the ``top`` countries by revenue (ties by name); ``None`` keeps all.
        ``share`` is always relative to the revenue of all countries.
    """
    if top is not None:
        require_positive_int(top, "top")
    _check_transactions(clean, [C.COUNTRY, C.REVENUE, C.CUSTOMER_ID, C.INVOICE])
    grouped = clean.groupby(C.COUNTRY, observed=True)
    table = pd.DataFrame(
        {
            C.REVENUE_TOTAL: grouped[C.REVENUE].sum(),
            CUSTOMERS: grouped[C.CUSTOMER_ID].nunique(),
            ORDERS: grouped[C.INVOICE].nunique(),
        }
    )
    table.insert(1, SHARE, table[C.REVENUE_TOTAL] / clean[C.REVENUE].sum())
    table = table.rename_axis(C.COUNTRY).reset_index()
    table = table.sort_values([C.REVENUE_TOTAL, C.COUNTRY], ascending=[False, True])
    table = table.set_index(C.COUNTRY)
    return table if top is None else table.head(top)


def _net_totals(clean: pd.DataFrame, by: str, returns) -> pd.DataFrame:
    """Give one row per entity of ``clean``: its revenue total, net of ``returns`` if given."""
    require_frame(clean, [], "clean")
    require_columns(clean, [by, C.REVENUE], "clean")
    require_numeric(clean, [C.REVENUE], "clean")
    require_no_nan(clean, [by, C.REVENUE], "clean")
    totals = clean.groupby(by, observed=True)[C.REVENUE].sum()
    if returns is not None:
        require_frame(returns, [by, C.REVENUE], "returns", allow_empty=True)
        require_numeric(returns, [C.REVENUE], "returns")
        require_no_nan(returns, [by, C.REVENUE], "returns")
        positive = int((returns[C.REVENUE] > 0).sum())
        if positive:
            raise ValueError(
                f"returns: expected cancellation lines with {C.REVENUE} <= 0, got {positive} above 0 "
                "(pass CleaningResult.cancellations, not the clean sales)"
            )
        taken_back = returns.groupby(by, observed=True)[C.REVENUE].sum()
        # an entity whose returns exceed its sales in the data (returns of purchases made
        # before the data start) counts as 0: it brought nothing, it did not take revenue
        # away from the others
        totals = (totals + taken_back.reindex(totals.index, fill_value=0.0)).clip(lower=0.0)
    return totals.rename(C.REVENUE_TOTAL).reset_index()


def concentration_curve(
    clean: pd.DataFrame, by: str = C.CUSTOMER_ID, *, returns: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Give the Pareto (concentration) curve: cumulative share of entities vs share of revenue.

    Entities (customers, products...) are ranked by their total revenue,
    largest first (ties by id); row ``k`` says that the top ``entity_share``
    of entities bring ``revenue_share`` of all revenue. Introduced in lesson 02.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``Revenue`` and the ``by`` column (no missing values).
    by : str
        The entity column, e.g. ``CustomerID`` or ``StockCode``.
    returns : DataFrame, optional
        Cancellation lines (``CleaningResult.cancellations``, ``Revenue <= 0``)
        to net off each entity's total, so that an order cancelled minutes
        later does not count as revenue. A net total below 0 counts as 0.
        Only entities that appear in ``clean`` are ranked. Default: gross totals.

    Returns
    -------
    DataFrame
        Columns ``by``, ``revenue`` (the entity's total), ``rank`` (1 = largest),
        ``entity_share`` (rank / number of entities) and ``revenue_share``
        (cumulative revenue / total revenue), one row per entity.
    """
    if not isinstance(by, str):
        raise TypeError(f"by: expected a column name (str), got {type(by).__name__}")
    totals = _net_totals(clean, by, returns)
    negative = int((totals[C.REVENUE_TOTAL] < 0).sum())
    if negative:
        raise ValueError(
            f"clean: expected every {by} to have a total revenue >= 0, got {negative} below 0 "
            "(clean the returns out first)"
        )
    total = totals[C.REVENUE_TOTAL].sum()
    if total <= 0:
        raise ValueError(f"clean: expected a positive total revenue, got {total!r}")
    totals = totals.sort_values([C.REVENUE_TOTAL, by], ascending=[False, True], ignore_index=True)
    n = len(totals)
    rank = np.arange(1, n + 1)
    return totals.assign(
        **{
            C.RANK: rank,
            ENTITY_SHARE: rank / n,
            REVENUE_SHARE: totals[C.REVENUE_TOTAL].cumsum() / total,
        }
    )


def top_share(
    clean: pd.DataFrame,
    by: str = C.CUSTOMER_ID,
    fraction: float = 0.2,
    *,
    returns: pd.DataFrame | None = None,
) -> float:
    """Give the share of revenue that the top ``fraction`` of entities bring.

    Read off the concentration curve, joined by straight lines from (0, 0),
    so a fraction between two entities is interpolated (with 4 entities,
    ``fraction=0.25`` is exactly the top one). Introduced in lesson 02.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``Revenue`` and the ``by`` column.
    by : str
        The entity column, e.g. ``CustomerID`` or ``StockCode``.
    fraction : float
        The top share of entities, in (0, 1]; 0.2 gives the "80/20" figure.
    returns : DataFrame, optional
        Cancellation lines to net off each entity's revenue (see ``concentration_curve``).
    """
    require_in_range(fraction, "fraction", 0, 1, low_inclusive=False)
    curve = concentration_curve(clean, by, returns=returns)
    x = np.concatenate([[0.0], curve[ENTITY_SHARE].to_numpy()])
    y = np.concatenate([[0.0], curve[REVENUE_SHARE].to_numpy()])
    return float(np.interp(fraction, x, y))


def cohort_retention(clean: pd.DataFrame, *, counts: bool = False) -> pd.DataFrame:
    """Give the monthly cohort retention matrix: share of each cohort active k months later.

    A customer's cohort is the month of their first purchase in ``clean``;
    they are active in a month if they bought anything in it. Introduced in
    lesson 02.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``CustomerID`` (no missing values) and ``InvoiceDate``.
    counts : bool
        Give the number of active customers instead of the share (column 0 is
        then the cohort size).

    Returns
    -------
    DataFrame
        Index ``cohort`` (monthly Period; only months in which someone
        bought for the first time), columns ``months_since`` 0, 1, ...;
        column 0 is 1.0 (everyone is active in their first month), 0 means
        nobody came back, NaN means the month lies after the last sale in the data.
    """
    require_bool(counts, "counts")
    _check_transactions(clean, [C.CUSTOMER_ID, C.INVOICE_DATE])
    require_no_nan(clean, [C.CUSTOMER_ID, C.INVOICE_DATE], "clean")
    active = pd.DataFrame(
        {"customer": clean[C.CUSTOMER_ID].to_numpy(), "month": _month_ordinal(clean[C.INVOICE_DATE])}
    ).drop_duplicates()
    first = active.groupby("customer")["month"].transform("min")
    active = active.assign(cohort=first, since=active["month"] - first)
    matrix = active.groupby(["cohort", "since"]).size().unstack("since", fill_value=0)
    last_month = int(active["month"].max())
    cohorts = matrix.index.to_numpy(dtype=np.int64)
    horizon = np.arange(last_month - cohorts[0] + 1)
    matrix = matrix.reindex(columns=horizon, fill_value=0).astype(float)
    matrix = matrix.where(cohorts[:, None] + horizon[None, :] <= last_month)
    matrix = matrix.astype("Int64") if counts else matrix.div(matrix[0], axis=0)
    matrix.index = pd.PeriodIndex.from_ordinals(cohorts, freq="M", name=COHORT)
    matrix.columns = pd.Index(horizon, name=MONTHS_SINCE)
    return matrix
