"""Input checks name the argument, what was expected and what came."""

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import validation as v


def test_require_frame_accepts_a_good_frame_and_returns_it():
    df = pd.DataFrame({"a": [1], "b": [2.0]})
    assert v.require_frame(df, ["a", "b"]) is df


@pytest.mark.parametrize(
    ("value", "cols", "error", "match"),
    [
        ([1, 2], [], TypeError, r"orders: expected a pandas DataFrame, got list"),
        (pd.DataFrame({"a": []}), [], ValueError, r"orders: expected a non-empty DataFrame, got one with shape \(0, 1\)"),
        (pd.DataFrame({"a": [1]}), ["a", "b"], ValueError, r"orders: expected columns \['a', 'b'\], missing \['b'\]"),
    ],
)
def test_require_frame_errors(value, cols, error, match):
    with pytest.raises(error, match=match):
        v.require_frame(value, cols, "orders")


def test_empty_allowed_when_asked():
    v.require_frame(pd.DataFrame({"a": []}), ["a"], allow_empty=True)


def test_dtype_checks():
    df = pd.DataFrame({"n": [1.0], "s": ["x"], "b": [True], "t": pd.to_datetime(["2020-01-01"])})
    v.require_numeric(df, ["n"])
    v.require_datetime(df, ["t"])
    with pytest.raises(TypeError, match=r"df: expected column 's' to be numeric, got dtype"):
        v.require_numeric(df, ["s"])
    with pytest.raises(TypeError, match="'b' to be numeric"):
        v.require_numeric(df, ["b"])
    with pytest.raises(TypeError, match="'n' to be datetime64"):
        v.require_datetime(df, ["n"])


def test_require_no_nan_counts_them():
    df = pd.DataFrame({"x": [1.0, np.nan, np.nan]})
    with pytest.raises(ValueError, match="no missing values in column 'x', found 2"):
        v.require_no_nan(df, ["x"])


def test_require_series_converts_and_checks():
    assert v.require_series([1, 2]).tolist() == [1, 2]
    with pytest.raises(TypeError, match="values: expected a pandas Series"):
        v.require_series(3)
    with pytest.raises(ValueError, match="at least one value"):
        v.require_series([])
    with pytest.raises(TypeError, match="numeric"):
        v.require_series(["a"])
    assert v.require_series(["a"], numeric=False).tolist() == ["a"]


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [(0.0, ValueError, r"support: expected a value in \(0, 1\], got 0.0"), (1.5, ValueError, r"\(0, 1\]"),
     (float("nan"), ValueError, "support"), ("0.5", TypeError, "support: expected a number, got str"),
     (True, TypeError, "got bool")],
)
def test_require_in_range(value, error, match):
    with pytest.raises(error, match=match):
        v.require_in_range(value, "support", 0, 1, low_inclusive=False)
    assert v.require_in_range(1, "support", 0, 1, low_inclusive=False) == 1.0


def test_require_positive_int():
    assert v.require_positive_int(np.int64(3), "k") == 3
    for bad, error in [(0, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError)]:
        with pytest.raises(error, match="k: expected a positive integer"):
            v.require_positive_int(bad, "k")


def test_require_probabilities():
    np.testing.assert_array_equal(v.require_probabilities([0, 0.5, 1]), [0, 0.5, 1])
    with pytest.raises(ValueError, match=r"p_click: expected probabilities in \[0, 1\], got 2 outside it \(first: 1.2\)"):
        v.require_probabilities([0.1, 1.2, -0.1], "p_click")
    with pytest.raises(ValueError, match="got 1 outside"):
        v.require_probabilities([np.nan], "p_click")
    with pytest.raises(ValueError, match="at least one"):
        v.require_probabilities([], "p_click")


def test_require_day():
    import pandas as pd

    from pmkt_lessons.validation import require_day

    assert require_day("2011-12-10") == pd.Timestamp("2011-12-10")
    with pytest.raises(TypeError, match="snapshot: expected a date"):
        require_day([1, 2])
    with pytest.raises(ValueError, match="when: expected a date at midnight"):
        require_day("2011-12-10 10:00", "when")
    with pytest.raises(ValueError, match="snapshot: expected a date at midnight"):
        require_day(None)
