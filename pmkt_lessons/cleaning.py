"""Cleaning the Online Retail transactions: quality report, cleaning steps, outliers, time features.

The standard choices (drop missing customer, cancellations, exact duplicates,
quantity <= 0, price <= 0) leave the widely quoted 392,692 rows and 4,338
customers. Nothing removed is lost: every dropped row is kept with the reason
it was dropped, so later lessons can use the cancellations (returns).
Introduced in lesson 01.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import columns as C
from .validation import (
    require_bool,
    require_datetime,
    require_frame,
    require_in_range,
    require_no_nan,
    require_numeric,
    require_series,
)

PRODUCT_CODE_PATTERN = r"^\d{5}[A-Za-z]{0,3}$"
ODD_COUNTRIES = ("Unspecified", "European Community")

STEP_MISSING_CUSTOMER = "missing CustomerID"
STEP_CANCELLATION = "cancellation invoice"
STEP_DUPLICATE = "exact duplicate"
STEP_QUANTITY = "quantity <= 0"
STEP_PRICE = "unit price <= 0"
STEP_NON_PRODUCT = "non-product stock code"


def is_cancellation(invoices: pd.Series) -> pd.Series:
    """Give a boolean Series: True where the invoice number starts with "C"."""
    invoices = require_series(invoices, "invoices", numeric=False)
    return invoices.astype("string").str.startswith("C").fillna(False).astype(bool)


def is_non_product_code(codes: pd.Series) -> pd.Series:
    """Give a boolean Series: True for stock codes that are not products.

    Products have five digits and up to three letters (``85123A``,
    ``15056BL``); postage (``POST``, ``DOT``), manual entries (``M``), fees,
    discounts, samples and gift vouchers do not.
    """
    codes = require_series(codes, "codes", numeric=False)
    return ~codes.astype("string").str.match(PRODUCT_CODE_PATTERN).fillna(False).astype(bool)


def quality_report(df: pd.DataFrame) -> pd.DataFrame:
    """Give one row per data-quality issue of a raw Online Retail frame: rows affected and share.

    The issues are the known dirt of the source: missing customer and
    description, cancellations, negative quantities, exact duplicates,
    non-positive prices, non-product codes and countries that are not countries.
    """
    require_frame(df, C.ONLINE_RETAIL_COLUMNS, "df")
    require_numeric(df, [C.QUANTITY, C.UNIT_PRICE], "df")
    checks = {
        "missing CustomerID": df[C.CUSTOMER_ID].isna(),
        "missing Description": df[C.DESCRIPTION].isna(),
        "cancellation invoice (InvoiceNo starts with C)": is_cancellation(df[C.INVOICE]),
        "quantity <= 0": df[C.QUANTITY] <= 0,
        "unit price <= 0": df[C.UNIT_PRICE] <= 0,
        "exact duplicate (repeat of an earlier row)": df.duplicated(keep="first"),
        "non-product stock code": is_non_product_code(df[C.STOCK_CODE]),
        "country not a country": df[C.COUNTRY].isin(ODD_COUNTRIES),
    }
    report = pd.DataFrame(
        {"issue": list(checks), "rows": [int(mask.sum()) for mask in checks.values()]}
    )
    report["share"] = (report["rows"] / len(df)).round(4)
    return report.set_index("issue")


@dataclass(frozen=True)
class CleaningResult:
    """What ``clean_transactions`` gives: the clean rows, the removed rows and the waterfall."""

    clean: pd.DataFrame
    removed: pd.DataFrame
    steps: pd.DataFrame

    @property
    def cancellations(self) -> pd.DataFrame:
        """Give the cancellation lines of known customers that cleaning set aside (returns)."""
        return self.removed[self.removed[C.REMOVAL_REASON] == STEP_CANCELLATION]


def clean_transactions(
    df: pd.DataFrame,
    *,
    drop_missing_customer: bool = True,
    drop_cancellations: bool = True,
    drop_duplicates: bool = True,
    drop_nonpositive_quantity: bool = True,
    drop_nonpositive_price: bool = True,
    drop_non_product: bool = False,
) -> CleaningResult:
    """Give the cleaned transactions, every removed row with its reason, and rows removed per step.

    Steps run in the order of the arguments; a row is charged to the first
    step that removes it. The clean frame gains a ``Revenue`` column
    (``Quantity * UnitPrice``) and a fresh 0..n-1 index; ``df`` is not changed.

    Parameters
    ----------
    df : DataFrame
        Raw Online Retail, as from ``pmkt_lessons.data.load_online_retail()``.
    drop_* : bool
        Which cleaning decisions to apply (lesson 01 argues each one).
    """
    require_frame(df, C.ONLINE_RETAIL_COLUMNS, "df")
    require_numeric(df, [C.QUANTITY, C.UNIT_PRICE], "df")
    require_no_nan(df, [C.QUANTITY, C.UNIT_PRICE], "df")  # NaN would reach clean as NaN Revenue
    require_datetime(df, [C.INVOICE_DATE], "df")
    for name, flag in {
        "drop_missing_customer": drop_missing_customer,
        "drop_cancellations": drop_cancellations,
        "drop_duplicates": drop_duplicates,
        "drop_nonpositive_quantity": drop_nonpositive_quantity,
        "drop_nonpositive_price": drop_nonpositive_price,
        "drop_non_product": drop_non_product,
    }.items():
        require_bool(flag, name)

    steps = [
        (STEP_MISSING_CUSTOMER, drop_missing_customer, lambda d: d[C.CUSTOMER_ID].isna()),
        (STEP_CANCELLATION, drop_cancellations, lambda d: is_cancellation(d[C.INVOICE])),
        (STEP_DUPLICATE, drop_duplicates, lambda d: d.duplicated(keep="first")),
        (STEP_QUANTITY, drop_nonpositive_quantity, lambda d: d[C.QUANTITY] <= 0),
        (STEP_PRICE, drop_nonpositive_price, lambda d: d[C.UNIT_PRICE] <= 0),
        (STEP_NON_PRODUCT, drop_non_product, lambda d: is_non_product_code(d[C.STOCK_CODE])),
    ]
    current = df
    removed_parts, waterfall = [], [("raw data", 0, len(df))]
    for name, active, rule in steps:
        if not active:
            continue
        mask = rule(current).to_numpy(dtype=bool)
        removed_parts.append(current[mask].assign(**{C.REMOVAL_REASON: name}))
        current = current[~mask]
        waterfall.append((name, int(mask.sum()), len(current)))

    clean = current.reset_index(drop=True)
    clean = clean.assign(**{C.REVENUE: clean[C.QUANTITY] * clean[C.UNIT_PRICE]})
    if removed_parts:
        removed = pd.concat(removed_parts).sort_index(kind="stable")
    else:
        removed = df.iloc[:0].assign(**{C.REMOVAL_REASON: pd.Series(dtype=str)})
    removed = removed.assign(**{C.REVENUE: removed[C.QUANTITY] * removed[C.UNIT_PRICE]})
    steps_table = pd.DataFrame(waterfall, columns=["step", "rows_removed", "rows_left"]).set_index("step")
    return CleaningResult(clean=clean, removed=removed, steps=steps_table)


def iqr_bounds(values: pd.Series, k: float = 1.5) -> tuple[float, float]:
    """Give Tukey's fences ``(Q1 - k IQR, Q3 + k IQR)`` of ``values``."""
    values = require_series(values, "values").dropna()
    require_in_range(k, "k", 0, np.inf, low_inclusive=False)
    q1, q3 = np.percentile(values, [25, 75])
    iqr = q3 - q1
    return float(q1 - k * iqr), float(q3 + k * iqr)


def iqr_outliers(values: pd.Series, k: float = 1.5) -> pd.Series:
    """Give a boolean Series: True outside Tukey's fences (see ``iqr_bounds``)."""
    series = require_series(values, "values")
    low, high = iqr_bounds(series, k)
    return (series < low) | (series > high)


def robust_zscore(values: pd.Series) -> pd.Series:
    """Give the robust z-score ``0.6745 (x - median) / MAD`` (Iglewicz & Hoaglin).

    The MAD (median absolute deviation) ignores the extreme values that
    inflate a standard deviation. If the MAD is 0 (more than half the values
    equal), the mean absolute deviation times 1.2533 stands in for it.
    """
    series = require_series(values, "values").astype(float)
    median = series.median()
    mad = (series - median).abs().median()
    if mad > 0:
        return 0.6745 * (series - median) / mad
    mean_ad = (series - median).abs().mean()
    if mean_ad == 0:
        return series * 0.0
    return (series - median) / (1.2533 * mean_ad)


def mad_outliers(values: pd.Series, threshold: float = 3.5) -> pd.Series:
    """Give a boolean Series: True where ``|robust z-score| > threshold`` (3.5 is the usual cut)."""
    require_in_range(threshold, "threshold", 0, np.inf, low_inclusive=False)
    return robust_zscore(values).abs() > threshold


def add_time_features(
    df: pd.DataFrame,
    *,
    date_col: str = C.INVOICE_DATE,
    customer_col: str = C.CUSTOMER_ID,
) -> pd.DataFrame:
    """Give a copy of ``df`` with time features of each row's date.

    Adds ``hour`` (0-23), ``weekday`` (0 = Monday), ``weekday_name`` (an
    ordered category with all seven days), ``month`` (the month number,
    1 = January ... 12 = December, the seasonal feature), ``month_start``
    (the first day of the calendar month, a timestamp, to group by month
    across years) and ``days_since_first_purchase`` (per customer).
    Introduced in lesson 01.
    """
    require_frame(df, [date_col, customer_col], "df")
    require_datetime(df, [date_col], "df")
    dates = df[date_col]
    first = dates.groupby(df[customer_col]).transform("min")
    return df.assign(
        hour=dates.dt.hour.astype("int8"),
        weekday=dates.dt.day_of_week.astype("int8"),
        weekday_name=pd.Categorical(
            dates.dt.day_name(),
            categories=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            ordered=True,
        ),
        month=dates.dt.month.astype("int8"),
        month_start=dates.dt.to_period("M").dt.to_timestamp(),
        days_since_first_purchase=(dates - first).dt.days,
    )
