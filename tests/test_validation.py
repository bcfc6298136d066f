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


# --------------------------------------------------------------------------- typed helpers (issue 10)


def test_require_bool_refuses_truthy_text_and_numbers():
    assert v.require_bool(True, "flag") is True
    assert v.require_bool(np.bool_(False), "flag") is False
    for bad in ("no", "False", 1, 0, None):
        with pytest.raises(TypeError, match="flag: expected True or False, got"):
            v.require_bool(bad, "flag")


def test_require_finite_scalars_and_arrays():
    assert v.require_finite(3, "x") == 3.0 and isinstance(v.require_finite(3, "x"), float)
    np.testing.assert_array_equal(v.require_finite([1, 2], "x"), [1.0, 2.0])
    assert v.require_finite(0.5, "x", low=0, high=1) == 0.5
    cases = [(np.nan, ValueError, "x: expected a finite number, got nan"),
             (np.inf, ValueError, "x: expected a finite number, got inf"),
             ([1.0, np.nan], ValueError, "x: expected finite numbers, got 1 NaN"),
             ([1.0, -np.inf], ValueError, "got -inf"),
             ("0.5", TypeError, "x: expected .*got str '0.5'"),
             (True, TypeError, "got bool True"),
             (["a"], TypeError, "holding non-numbers")]
    for value, error, match in cases:
        with pytest.raises(error, match=match):
            v.require_finite(value, "x")
    with pytest.raises(ValueError, match=r"x: expected a value in \(0, 1\], got 0.0"):
        v.require_finite(0.0, "x", low=0, high=1, low_inclusive=False)
    with pytest.raises(ValueError, match=r"x: expected values in \[0, inf\), got 1 outside it \(first: -2.0\)"):
        v.require_finite([1, -2], "x", low=0)


def test_require_in_range_refuses_infinity_even_when_unbounded():
    assert v.require_in_range(1e300, "c", 0, np.inf) == 1e300
    with pytest.raises(ValueError, match="c: expected a finite number, got inf"):
        v.require_in_range(np.inf, "c", 0, np.inf)


def test_require_binary_labels():
    np.testing.assert_array_equal(v.require_binary([0, 1, 1], "y"), [0, 1, 1])
    np.testing.assert_array_equal(v.require_binary(np.array([True, False]), "y"), [1, 0])
    assert v.require_binary([0.0, 1.0], "y").dtype == np.int64
    cases = [([0, 2], ValueError, r"y: expected 0/1 labels, got values \[0.0, 2.0\]"),
             ([0, np.nan], ValueError, "y: expected 0/1 labels, got 1 NaN"),
             (["no", "yes"], TypeError, "y: expected 0/1 labels, got dtype"),
             ("abc", TypeError, "y: expected a 1-d array"),
             (np.zeros((3, 1)), ValueError, r"got shape \(3, 1\)"),
             ([], ValueError, "y: expected at least one value")]
    for value, error, match in cases:
        with pytest.raises(error, match=match):
            v.require_binary(value, "y")
    with pytest.raises(ValueError, match=r"y: expected 3 labels \(one per row\), got 2"):
        v.require_binary([0, 1], "y", 3)
    with pytest.raises(ValueError, match="y: expected both 0 and 1 to occur, got only 1"):
        v.require_binary([1, 1], "y", both=True)


def test_require_seed_and_random_state():
    assert v.require_seed(np.int64(7), "seed") == 7
    for bad, error in ((-1, ValueError), (2**32, ValueError), (1.0, TypeError), ("3", TypeError), (True, TypeError)):
        with pytest.raises(error, match="seed: expected"):
            v.require_seed(bad, "seed")
    a, b = v.require_random_state(3), v.require_random_state(3)
    assert a.integers(10**9) == b.integers(10**9)
    rng = np.random.default_rng(0)
    assert v.require_random_state(rng) is rng


def test_shapes_are_not_broadcast():
    np.testing.assert_array_equal(v.require_1d([1, 2], "x", n=2), [1, 2])
    with pytest.raises(ValueError, match=r"x: expected a 1-d array of values, got shape \(2, 1\)"):
        v.require_1d(np.zeros((2, 1)), "x")
    with pytest.raises(ValueError, match="x: expected 3 values, got 2"):
        v.require_1d([1, 2], "x", n=3)
    assert v.require_shape(np.zeros((4, 2)), "X", (None, 2)).shape == (4, 2)
    with pytest.raises(ValueError, match=r"X: expected shape \(any, 3\), got shape \(4, 2\)"):
        v.require_shape(np.zeros((4, 2)), "X", (None, 3))


def test_require_matrix_uses_check_array_in_the_package_style():
    X = v.require_matrix([[1, 2], [3, 4]])
    assert X.dtype == float and X.shape == (2, 2)
    with pytest.raises(ValueError, match=r"X: expected a finite 2-d array of numbers, got ndarray of shape \(2, 2\)"):
        v.require_matrix(np.array([[1.0, np.nan], [3, 4]]))
    with pytest.raises(ValueError, match="X: expected 3 features as in fit, got 2"):
        v.require_matrix([[1, 2]], n_features=3)


def test_require_probabilities_says_what_came_for_text():
    with pytest.raises(TypeError, match="p: expected probabilities .*got str 'abc'"):
        v.require_probabilities("abc")
    with pytest.raises(TypeError, match="p: expected probabilities .*holding non-numbers"):
        v.require_probabilities(["a", 0.5])


def test_frame_checks_refuse_a_non_frame_and_a_string_of_columns():
    with pytest.raises(TypeError, match="df: expected a pandas DataFrame, got str"):
        v.require_numeric("abc", ["a"])
    with pytest.raises(TypeError, match="cols: expected a list of column names, got str 'ab'"):
        v.require_columns(pd.DataFrame({"a": [1]}), "ab")
    with pytest.raises(TypeError, match="allow_empty: expected True or False, got str 'no'"):
        v.require_dataframe(pd.DataFrame(), allow_empty="no")


def test_count_and_tensor():
    import torch

    assert v.require_count(0, "n") == 0
    with pytest.raises(ValueError, match="n: expected an integer >= 0, got -1"):
        v.require_count(-1, "n")
    t = torch.zeros(2)
    assert v.require_tensor(t, "q") is t
    with pytest.raises(TypeError, match="q: expected a torch.Tensor, got list"):
        v.require_tensor([1.0], "q")


def test_typed_helpers_do_not_change_their_input():
    values = np.array([0.0, 1.0, 1.0])
    before = values.copy()
    v.require_binary(values, "y")
    v.require_finite(values, "x")
    v.require_probabilities(values)
    np.testing.assert_array_equal(values, before)
