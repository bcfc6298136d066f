"""Input checks shared by the public helpers.

Each check raises a ``TypeError`` or ``ValueError`` whose message names the
argument, what was expected and what came, so a student sees at once which
call to fix. Introduced in lesson 01.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def _kind(value: object) -> str:
    return type(value).__name__


def require_dataframe(df: object, arg: str = "df", *, allow_empty: bool = False) -> pd.DataFrame:
    """Give ``df`` back if it is a non-empty DataFrame, else raise naming ``arg``."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{arg}: expected a pandas DataFrame, got {_kind(df)}")
    if not allow_empty and df.empty:
        raise ValueError(f"{arg}: expected a non-empty DataFrame, got one with shape {df.shape}")
    return df


def require_columns(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise naming ``arg`` and the missing columns if ``df`` lacks any of ``cols``."""
    cols = list(cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(
            f"{arg}: expected columns {cols}, missing {missing} (has {list(df.columns)})"
        )


def require_frame(
    df: object, cols: Iterable[str] = (), arg: str = "df", *, allow_empty: bool = False
) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with ``cols`` (and rows unless ``allow_empty``)."""
    require_dataframe(df, arg, allow_empty=allow_empty)
    require_columns(df, cols, arg)
    return df


def require_numeric(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise a ``TypeError`` naming ``arg`` and the column if a column is not numeric."""
    for col in cols:
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            raise TypeError(f"{arg}: expected column {col!r} to be numeric, got dtype {df[col].dtype}")


def require_datetime(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise a ``TypeError`` naming ``arg`` if a column is not datetime64."""
    for col in cols:
        if not pd.api.types.is_datetime64_any_dtype(df[col]):
            raise TypeError(
                f"{arg}: expected column {col!r} to be datetime64, got dtype {df[col].dtype}"
            )


def require_no_nan(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise naming ``arg`` and the column if a column holds missing values."""
    for col in cols:
        n = int(df[col].isna().sum())
        if n:
            raise ValueError(f"{arg}: expected no missing values in column {col!r}, found {n}")


def require_series(values: object, arg: str = "values", *, numeric: bool = True) -> pd.Series:
    """Give ``values`` as a Series (from a Series, array or list), checking it is numeric."""
    if isinstance(values, pd.Series):
        series = values
    elif isinstance(values, (np.ndarray, list, tuple)):
        series = pd.Series(values)
    else:
        raise TypeError(f"{arg}: expected a pandas Series, numpy array or list, got {_kind(values)}")
    if series.empty:
        raise ValueError(f"{arg}: expected at least one value, got none")
    if numeric and (
        not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
    ):
        raise TypeError(f"{arg}: expected numeric values, got dtype {series.dtype}")
    return series


def require_in_range(
    value: object,
    arg: str,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that a number lies in a range; the message shows the interval in maths notation."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{arg}: expected a number, got {_kind(value)}")
    ok_low = value >= low if low_inclusive else value > low
    ok_high = value <= high if high_inclusive else value < high
    if not (ok_low and ok_high) or np.isnan(value):
        value = float(value)
        interval = f"{'[' if low_inclusive else '('}{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{arg}: expected a value in {interval}, got {value!r}")
    return float(value)


def require_positive_int(value: object, arg: str) -> int:
    """Check that ``value`` is an integer >= 1 (``k``, ``n_clusters``, ``epochs``...)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{arg}: expected a positive integer, got {_kind(value)}")
    if value < 1:
        raise ValueError(f"{arg}: expected a positive integer, got {value!r}")
    return int(value)


def require_probabilities(values: object, arg: str = "p") -> np.ndarray:
    """Give ``values`` as a float array after checking every entry is in [0, 1] and not NaN."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError(f"{arg}: expected at least one probability, got none")
    bad = np.isnan(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        first = arr[bad][0]
        raise ValueError(
            f"{arg}: expected probabilities in [0, 1], got {int(bad.sum())} outside it "
            f"(first: {float(first)!r})"
        )
    return arr


def require_day(value: object, arg: str = "snapshot") -> pd.Timestamp:
    """Give ``value`` as a ``pd.Timestamp`` at midnight (a date such as '2011-12-10'), else raise naming ``arg``."""
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{arg}: expected a date, got {value!r}") from exc
    if pd.isna(day) or day != day.normalize():
        raise ValueError(f"{arg}: expected a date at midnight such as '2011-12-10', got {value!r}")
    return day
