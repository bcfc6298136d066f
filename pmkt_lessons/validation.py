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
    allow_empty = require_bool(allow_empty, "allow_empty")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{arg}: expected a pandas DataFrame, got {_kind(df)}")
    if not allow_empty and df.empty:
        raise ValueError(f"{arg}: expected a non-empty DataFrame, got one with shape {df.shape}")
    return df


def require_columns(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise naming ``arg`` and the missing columns if ``df`` lacks any of ``cols``."""
    require_dataframe(df, arg, allow_empty=True)
    cols = _column_list(cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(
            f"{arg}: expected columns {cols}, missing {missing} (has {list(df.columns)})"
        )


def _column_list(cols: object, arg: str = "cols") -> list:
    if isinstance(cols, (str, bytes)) or not isinstance(cols, Iterable):
        raise TypeError(f"{arg}: expected a list of column names, got {_show(cols)}")
    return list(cols)


def require_frame(
    df: object, cols: Iterable[str] = (), arg: str = "df", *, allow_empty: bool = False
) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with ``cols`` (and rows unless ``allow_empty``)."""
    require_dataframe(df, arg, allow_empty=allow_empty)
    require_columns(df, cols, arg)
    return df


def require_numeric(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise a ``TypeError`` naming ``arg`` and the column if a column is not numeric."""
    require_columns(df, cols, arg)
    for col in cols:
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            raise TypeError(f"{arg}: expected column {col!r} to be numeric, got dtype {df[col].dtype}")


def require_datetime(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise a ``TypeError`` naming ``arg`` if a column is not datetime64."""
    require_columns(df, cols, arg)
    for col in cols:
        if not pd.api.types.is_datetime64_any_dtype(df[col]):
            raise TypeError(
                f"{arg}: expected column {col!r} to be datetime64, got dtype {df[col].dtype}"
            )


def require_no_nan(df: pd.DataFrame, cols: Iterable[str], arg: str = "df") -> None:
    """Raise naming ``arg`` and the column if a column holds missing values."""
    require_columns(df, cols, arg)
    for col in cols:
        n = int(df[col].isna().sum())
        if n:
            raise ValueError(f"{arg}: expected no missing values in column {col!r}, found {n}")


def require_series(values: object, arg: str = "values", *, numeric: bool = True) -> pd.Series:
    """Give ``values`` as a Series (from a Series, array or list), checking it is numeric."""
    if isinstance(values, pd.Series):
        series = values
    elif isinstance(values, (np.ndarray, list, tuple)):
        if np.ndim(values) != 1:
            raise ValueError(f"{arg}: expected a 1-d array of values, got shape {np.shape(values)}")
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
    """Check that a finite number lies in a range; the message shows the interval in maths notation.

    Infinity is refused even where ``high`` is ``np.inf``: an unbounded range
    means "any finite size", and an infinite setting only yields NaN later.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{arg}: expected a number, got {_show(value)}")
    if np.isinf(value):
        raise ValueError(f"{arg}: expected a finite number, got {float(value)!r}")
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


def require_count(value: object, arg: str) -> int:
    """Check that ``value`` is an integer >= 0 (a size that may be zero, such as ``n_dense``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{arg}: expected an integer >= 0, got {_show(value)}")
    if value < 0:
        raise ValueError(f"{arg}: expected an integer >= 0, got {value!r}")
    return int(value)


def require_tensor(value: object, arg: str):
    """Give ``value`` if it is a ``torch.Tensor``, else raise naming ``arg``."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{arg}: expected a torch.Tensor, got {_show(value)}")
    return value


def require_probabilities(values: object, arg: str = "p") -> np.ndarray:
    """Give ``values`` as a float array after checking every entry is in [0, 1] and not NaN."""
    arr = _float_array(values, arg, "probabilities (numbers in [0, 1])")
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


# --------------------------------------------------------------------------- typed helpers (issue 10)
#
# One place for the checks every public helper repeats: flags, finite numbers,
# 0/1 labels, probabilities, seeds and shapes. Each gives the value back in the
# type the caller computes with, or raises naming the argument.

MAX_SEED = 2**32


def _show(value: object) -> str:
    """Describe a bad value briefly: its type, and for text and numbers the value too."""
    if isinstance(value, (str, bytes)):
        text = repr(value)
        return f"{_kind(value)} {text}" if len(text) <= 40 else f"{_kind(value)} {text[:37]}...'"
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
        return f"{_kind(value)} {value!r}"
    return _kind(value)


def require_bool(value: object, arg: str) -> bool:
    """Give ``value`` as a ``bool`` if it is ``True`` or ``False``, else raise naming ``arg``.

    A string such as ``"no"`` is truthy in Python; a flag given as text is
    refused rather than read as ``True``.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{arg}: expected True or False, got {_show(value)}")


def _is_number(value: object) -> bool:
    return not isinstance(value, (bool, np.bool_)) and isinstance(
        value, (int, float, np.integer, np.floating)
    )


def _interval(low, high, low_inclusive: bool, high_inclusive: bool) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{'[' if low_inclusive and low is not None else '('}{lo}, {hi}{']' if high_inclusive and high is not None else ')'}"


def _float_array(values: object, arg: str, what: str = "numbers") -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{arg}: expected {what}, got {_show(values)}")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{arg}: expected {what}, got {_kind(values)} holding non-numbers") from None
    if arr.dtype == object:  # pragma: no cover - asarray(float) never gives object
        raise TypeError(f"{arg}: expected {what}, got {_kind(values)}")
    return arr


def require_finite(
    value: object,
    arg: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
):
    """Give a finite number (as ``float``) or array of them (as a float ndarray), else raise naming ``arg``.

    A scalar (``int``/``float``, not ``bool`` or text) gives a ``float``; an
    array-like gives a float ndarray. NaN and +-inf are refused; ``low`` and
    ``high`` bound the values (inclusive unless told otherwise).
    """
    scalar = np.ndim(value) == 0 and not isinstance(value, (str, bytes)) and not isinstance(value, np.ndarray)
    if scalar:
        if not _is_number(value):
            raise TypeError(f"{arg}: expected a finite number, got {_show(value)}")
        arr = np.asarray(float(value))
    else:
        arr = _float_array(value, arg, "finite numbers")
    if np.isnan(arr).any():
        n = int(np.isnan(arr).sum())
        raise ValueError(f"{arg}: expected a finite number, got nan" if scalar else
                         f"{arg}: expected finite numbers, got {n} NaN value(s)")
    if np.isinf(arr).any():
        first = float(arr[np.isinf(arr)].ravel()[0])
        raise ValueError(f"{arg}: expected a finite number, got {first!r}" if scalar else
                         f"{arg}: expected finite numbers, got {first!r}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= arr < low if low_inclusive else arr <= low
    if high is not None:
        bad |= arr > high if high_inclusive else arr >= high
    if bad.any():
        first = float(arr[bad].ravel()[0])
        where = _interval(low, high, low_inclusive, high_inclusive)
        raise ValueError(f"{arg}: expected a value in {where}, got {first!r}" if scalar else
                         f"{arg}: expected values in {where}, got {int(bad.sum())} outside it (first: {first!r})")
    return float(arr) if scalar else arr


def require_1d(values: object, arg: str, *, n: int | None = None, allow_empty: bool = False, what: str = "values") -> np.ndarray:
    """Give ``values`` as a 1-d ndarray of length ``n`` (if given); a column vector or matrix is refused.

    Refusing a ``(n, 1)`` array here is what stops numpy from broadcasting it
    against an ``(n,)`` one into an ``n x n`` result.
    """
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0 and not isinstance(values, np.ndarray):
        raise TypeError(f"{arg}: expected a 1-d array of {what}, got {_show(values)}")
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{arg}: expected a 1-d array of {what}, got a DataFrame")
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{arg}: expected a 1-d array of {what}, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise ValueError(f"{arg}: expected {n} {what}, got {arr.size}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{arg}: expected at least one value, got none")
    return arr


def require_shape(values: object, arg: str, shape: tuple) -> np.ndarray:
    """Give ``values`` as an ndarray of exactly ``shape`` (``None`` = any length on that axis)."""
    arr = np.asarray(values)
    ok = arr.ndim == len(shape) and all(s is None or s == d for s, d in zip(shape, arr.shape, strict=False))
    if not ok:
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{arg}: expected shape {want}, got shape {arr.shape}")
    return arr


def require_binary(
    values: object, arg: str, n: int | None = None, *, both: bool = False, what: str = "0/1 labels"
) -> np.ndarray:
    """Give ``values`` as a 1-d int array of 0/1 (labels, treatment flags), else raise naming ``arg``.

    ``n`` is the length it must have (one per row of ``X``); ``both`` asks for
    both classes to occur (a model cannot learn from one). Booleans are
    accepted as 0/1; NaN, text and any other value are refused.
    """
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0 and not isinstance(values, np.ndarray):
        raise TypeError(f"{arg}: expected a 1-d array of {what}, got {_show(values)}")
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{arg}: expected a 1-d array of {what}, got a DataFrame")
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{arg}: expected {what}, got dtype {arr.dtype}")
    arr = require_1d(arr, arg, what=what)
    if n is not None and arr.size != n:
        raise ValueError(f"{arg}: expected {n} labels (one per row), got {arr.size}")
    arr = arr.astype(float)
    if np.isnan(arr).any():
        raise ValueError(f"{arg}: expected {what}, got {int(np.isnan(arr).sum())} NaN value(s)")
    if not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{arg}: expected {what}, got values {np.unique(arr)[:5].tolist()}")
    if both and np.unique(arr).size < 2:
        raise ValueError(f"{arg}: expected both 0 and 1 to occur, got only {int(arr[0])}")
    return arr.astype(np.int64)


def require_seed(value: object, arg: str = "random_state") -> int:
    """Give an integer seed in [0, 2**32), else raise naming ``arg`` (the one integer-seed check)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{arg}: expected an integer seed, got {_show(value)}")
    if not 0 <= int(value) < MAX_SEED:
        raise ValueError(f"{arg}: expected an integer in [0, 2**32), got {int(value)}")
    return int(value)


def require_random_state(value: object, arg: str = "random_state") -> np.random.Generator:
    """Give a ``numpy.random.Generator`` for ``None``, an integer seed or a Generator (see ``randomness``)."""
    from .randomness import check_random_state

    return check_random_state(value, arg)


def require_matrix(X: object, arg: str = "X", *, n_features: int | None = None, accept_sparse: bool = False):
    """Give ``X`` as a finite 2-d float array (scikit-learn's ``check_array``), re-raising in the package style."""
    from sklearn.utils import check_array

    if isinstance(X, (str, bytes)):
        raise TypeError(f"{arg}: expected a 2-d array of numbers, got {_show(X)}")
    try:
        arr = check_array(X, accept_sparse="csr" if accept_sparse else False, dtype=float,
                          ensure_all_finite=True, ensure_2d=True)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{arg}: expected a finite 2-d array of numbers, got {_describe_array(X)} ({exc})") from None
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{arg}: expected {n_features} features as in fit, got {arr.shape[1]}")
    return arr


def _describe_array(X: object) -> str:
    shape = getattr(X, "shape", None)
    return f"{_kind(X)} of shape {shape}" if shape is not None else _kind(X)
