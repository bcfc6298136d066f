"""Tests for pmkt_lessons.experiments.variance (lesson 15): CUPED, the delta method, mSPRT bounds."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from pmkt_lessons.experiments import (
    always_valid_bounds,
    compare_means_cuped,
    compare_ratios,
    cuped_adjust,
    cuped_difference,
    cuped_theta,
    ratio_and_se,
)


def _experiment(n=20_000, effect=0.5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2.0, 2.0, size=(n, 2))
    t = rng.integers(0, 2, n).astype(float)
    y = 1.0 + 0.8 * x[:, 0] - 0.3 * x[:, 1] + effect * t + rng.normal(0, 1.0, n)
    return y, t, x


# --- CUPED ------------------------------------------------------------------------------


def test_theta_is_the_least_squares_slope_of_statsmodels():
    y, _, x = _experiment()
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose(cuped_theta(y, x), ols.params[1:], rtol=1e-10)
    one = cuped_theta(y, x[:, 0])
    np.testing.assert_allclose(one, [np.cov(y, x[:, 0])[0, 1] / np.var(x[:, 0], ddof=1)], rtol=1e-10)


def test_adjustment_keeps_the_mean_and_removes_the_explained_variance():
    y, _, x = _experiment()
    adjusted = cuped_adjust(y, x[:, 0])
    assert np.isclose(adjusted.mean(), y.mean())
    r = np.corrcoef(y, x[:, 0])[0, 1]
    assert np.isclose(adjusted.var(), y.var() * (1 - r**2), rtol=1e-10)


def test_cuped_recovers_a_known_effect_and_agrees_with_ols():
    y, t, x = _experiment(effect=0.5)
    result = cuped_difference(y, t, x)
    assert result.low < 0.5 < result.high
    ols = sm.OLS(y, sm.add_constant(np.column_stack([t, x - x.mean(axis=0)]))).fit(cov_type="HC1")
    assert np.isclose(result.difference, ols.params[1], rtol=1e-3)
    assert np.isclose(result.se, ols.bse[1], rtol=2e-2)
    # the plain Welch interval is much wider
    welch = stats.ttest_ind(y[t == 1], y[t == 0], equal_var=False)
    plain_se = (y[t == 1].mean() - y[t == 0].mean()) / welch.statistic
    assert result.se < 0.6 * plain_se
    assert 0.5 < result.variance_reduction < 1


def test_cuped_under_no_effect_covers_zero_and_useless_covariate_changes_nothing():
    y, t, x = _experiment(effect=0.0, seed=3)
    result = cuped_difference(y, t, x)
    assert result.low < 0 < result.high and result.p_value > 0.05
    noise = np.random.default_rng(9).normal(size=len(y))
    plain = cuped_difference(y, t, noise)
    welch = stats.ttest_ind(y[t == 1], y[t == 0], equal_var=False)
    assert np.isclose(plain.difference, y[t == 1].mean() - y[t == 0].mean(), atol=0.01)
    assert np.isclose(plain.p_value, welch.pvalue, atol=0.02)


def test_compare_means_cuped_by_arm():
    y, t, x = _experiment()
    df = pd.DataFrame({"arm": np.where(t == 1, "B", "A"), "y": y, "x0": x[:, 0], "x1": x[:, 1]})
    before = df.copy()
    table = compare_means_cuped(df, "arm", "y", "A", ["x0", "x1"])
    pd.testing.assert_frame_equal(df, before)
    assert list(table.index) == ["B"]
    row = table.loc["B"]
    assert np.isclose(row["cuped_diff"], cuped_difference(y, t, x).difference)
    assert np.isclose(row["diff"], y[t == 1].mean() - y[t == 0].mean())
    assert row["se_ratio"] < 0.6


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda y, t, x: cuped_difference(y, t[:-1], x), ValueError, "treatment: expected"),
        (lambda y, t, x: cuped_difference(y, t + 1, x), ValueError, "treatment: expected 0/1"),
        (lambda y, t, x: cuped_difference(y, t, np.ones(len(y))), ValueError, "covariates: expected every"),
        (lambda y, t, x: cuped_difference(np.r_[np.nan, y[1:]], t, x), ValueError, "y: expected no NaN"),
        (lambda y, t, x: cuped_difference(y, t, x, alpha=1.5), ValueError, "alpha"),
        (lambda y, t, x: cuped_difference("abc", t, x), TypeError, "y: expected numbers"),
        (lambda y, t, x: cuped_adjust(y, x, theta=[1.0]), ValueError, "theta: expected 2"),
        (lambda y, t, x: compare_means_cuped(pd.DataFrame({"a": [1]}), "a", "y", 0, "x"), TypeError, "covariates"),
    ],
)
def test_bad_input(call, error, text):
    y, t, x = _experiment(n=200)
    with pytest.raises(error, match=text):
        call(y, t, x)


# --- the delta method ------------------------------------------------------------------


def test_ratio_se_matches_the_expanded_formula_and_the_bootstrap():
    rng = np.random.default_rng(1)
    den = rng.binomial(1, 0.2, 5_000).astype(float)
    num = den * rng.gamma(2.0, 40.0, 5_000)
    ratio, se = ratio_and_se(num, den)
    assert np.isclose(ratio, num.sum() / den.sum())
    mu_n, mu_d = num.mean(), den.mean()
    c = np.cov(num, den)
    expanded = np.sqrt((c[0, 0] / mu_d**2 - 2 * mu_n * c[0, 1] / mu_d**3 + mu_n**2 * c[1, 1] / mu_d**4) / len(num))
    assert np.isclose(se, expanded, rtol=1e-10)
    boot = stats.bootstrap((np.arange(len(num)),), lambda i, axis=-1: num[i].sum(axis=-1) / den[i].sum(axis=-1),
                           vectorized=True, n_resamples=2000, rng=np.random.default_rng(0), batch=200)
    assert np.isclose(se, boot.standard_error, rtol=0.1)


def test_rate_among_visitors_gets_the_binomial_se():
    rng = np.random.default_rng(2)
    visit = rng.binomial(1, 0.3, 50_000).astype(float)
    buy = visit * rng.binomial(1, 0.1, 50_000)
    ratio, se = ratio_and_se(buy, visit)
    visitors = visit.sum()
    assert np.isclose(se, np.sqrt(ratio * (1 - ratio) / visitors), rtol=1e-3)


def test_compare_ratios_recovers_a_difference():
    rng = np.random.default_rng(4)
    n = 40_000
    arm = np.where(rng.random(n) < 0.5, "T", "C")
    visit = rng.binomial(1, 0.2, n).astype(float)
    spend = visit * rng.gamma(2.0, np.where(arm == "T", 6.0, 5.0))
    df = pd.DataFrame({"arm": arm, "spend": spend, "visit": visit})
    table = compare_ratios(df, "arm", "spend", "visit", "C")
    row = table.loc["T"]
    assert row["ci_low"] < 2.0 < row["ci_high"] and row["ci_low"] > 0
    assert np.isclose(row["z"], row["diff"] / row["se"])


def test_ratio_bad_input():
    with pytest.raises(ValueError, match="denominator: expected a positive mean"):
        ratio_and_se([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="denominator: expected 2 values"):
        ratio_and_se([1.0, 2.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="control: expected one of"):
        compare_ratios(pd.DataFrame({"a": ["x", "y"], "n": [1.0, 2.0], "d": [1.0, 1.0]}), "a", "n", "d", "z")


# --- always-valid bounds ----------------------------------------------------------------


def test_always_valid_bound_is_the_likelihood_ratio_threshold():
    v = np.array([1e-4, 1e-5, 1e-6])
    tau, alpha = 0.01, 0.05
    z = always_valid_bounds(v, tau=tau, alpha=alpha)
    likelihood_ratio = np.sqrt(v / (v + tau**2)) * np.exp(z**2 * tau**2 / (2 * (v + tau**2)))
    np.testing.assert_allclose(likelihood_ratio, 1 / alpha)
    # always stricter than one look at 1.96, and growing without end as the data grow
    assert (z > 1.96).all()
    assert always_valid_bounds([1e-9], tau=tau, alpha=alpha)[0] > z[-1]


def test_always_valid_bound_holds_alpha_under_daily_peeking():
    rng = np.random.default_rng(5)
    n_tests, n_days, per_day = 4_000, 30, 500
    increments = rng.normal(0, 1, (n_tests, n_days))  # daily sums, in units of their sd
    cum = np.cumsum(increments, axis=1)
    looks = per_day * np.arange(1, n_days + 1)
    z = cum / np.sqrt(np.arange(1, n_days + 1))
    bounds = always_valid_bounds(1.0 / looks, tau=0.05)
    crossed = (np.abs(z) >= bounds).any(axis=1).mean()
    assert crossed < 0.05
    assert (np.abs(z) >= 1.96).any(axis=1).mean() > 0.2


def test_always_valid_bad_input():
    with pytest.raises(ValueError, match="variances: expected"):
        always_valid_bounds([1e-3, -1.0], tau=0.1)
    with pytest.raises(ValueError, match="tau"):
        always_valid_bounds([1e-3], tau=0.0)
    with pytest.raises(TypeError, match="tau"):
        always_valid_bounds([1e-3], tau="0.1")


def test_ratio_se_equals_statsmodels_robust_regression_through_the_origin():
    # With a 0/1 denominator (visited) and a numerator that is 0 off it (spend), the ratio
    # sum(spend) / sum(visit) is the no-intercept OLS slope of spend on visit, and the
    # delta-method standard error is its HC1 (robust) standard error, exactly.
    rng = np.random.default_rng(6)
    visit = rng.binomial(1, 0.15, 8_000).astype(float)
    spend = visit * rng.gamma(1.5, 50.0, 8_000) * rng.binomial(1, 0.3, 8_000)
    ratio, se = ratio_and_se(spend, visit)
    ols = sm.OLS(spend, visit[:, None]).fit(cov_type="HC1")
    assert ratio == pytest.approx(ols.params[0], rel=1e-12)
    assert se == pytest.approx(ols.bse[0], rel=1e-10)


def test_array_inputs_are_not_modified():
    y, t, x = _experiment(n=500)
    copies = (y.copy(), t.copy(), x.copy())
    cuped_difference(y, t, x)
    cuped_adjust(y, x)
    ratio_and_se(np.abs(y), np.abs(x[:, 0]))
    for before, after in zip(copies, (y, t, x), strict=True):
        np.testing.assert_array_equal(before, after)


# --- bad input found by tests/test_bad_input.py ---------------------------------------------


def _arms_frame(outcome, arms=("A", "B") * 3):
    return pd.DataFrame({"arm": list(arms), "y": outcome, "pre": np.arange(6.0) ** 2, "d": np.ones(6)})


def test_collinear_covariates_are_named_not_a_singular_matrix():
    y, _, x = _experiment(n=200)
    with pytest.raises(ValueError, match="covariates: expected linearly independent"):
        cuped_theta(y, np.c_[x[:, 0], 2 * x[:, 0]])


def test_a_constant_outcome_is_refused_not_a_nan_reduction():
    _, t, x = _experiment(n=200)
    with pytest.raises(ValueError, match="y: expected an outcome that varies"):
        cuped_difference(np.ones(200), t, x)
    with pytest.raises(ValueError, match="outcome: expected 'y' to vary"):
        compare_means_cuped(_arms_frame(np.ones(6)), "arm", "y", "A", ["pre"])


def test_an_arm_of_one_customer_names_the_frame_and_the_arm():
    one = _arms_frame(np.arange(6.0), arms=["A"] * 5 + ["B"])
    with pytest.raises(ValueError, match="df: expected at least 2 customers in every arm, got 1 in arm 'B'"):
        compare_means_cuped(one, "arm", "y", "A", ["pre"])
    with pytest.raises(ValueError, match="df: expected at least 2 customers in every arm, got 1 in arm 'B'"):
        compare_ratios(one, "arm", "y", "d", "A")


def test_alpha_and_column_names_are_checked_before_any_arithmetic():
    df = _arms_frame(np.arange(6.0))
    with pytest.raises(TypeError, match="alpha: expected a number"):
        compare_means_cuped(df, "arm", "y", "A", ["pre"], alpha="0.05")
    with pytest.raises(ValueError, match="alpha"):
        compare_means_cuped(df, "arm", "y", "A", ["pre"], alpha=np.inf)
    with pytest.raises(TypeError, match="outcome: expected a column name"):
        compare_means_cuped(df, "arm", ["y"], "A", ["pre"])
    with pytest.raises(TypeError, match="arm: expected a column name"):
        compare_ratios(df, ["arm"], "y", "d", "A")


def test_always_valid_bounds_names_the_shape_of_a_matrix():
    with pytest.raises(ValueError, match=r"variances: expected a non-empty 1-d array .*shape \(1, 1\)"):
        always_valid_bounds([[0.1]], tau=0.1)


def test_good_input_gives_the_same_numbers_after_the_checks():
    y, t, x = _experiment(n=400)
    df = pd.DataFrame({"arm": np.where(t == 1, "B", "A"), "y": y, "pre": x[:, 0], "d": np.abs(x[:, 1]) + 0.1})
    row = compare_means_cuped(df, "arm", "y", "A", ["pre"]).loc["B"]
    assert row["cuped_diff"] == cuped_difference(y, t, x[:, 0]).difference
    r = compare_ratios(df, "arm", "y", "d", "A").loc["B"]
    assert r["ratio_treatment"] == ratio_and_se(y[t == 1], df["d"].to_numpy()[t == 1])[0]
