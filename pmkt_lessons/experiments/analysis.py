"""Analysing an A/B test: rates (two-proportion z-test), means (Welch, bootstrap), several arms, set-up checks.

The two-proportion z-test is written out because lesson 15 builds it and
shows it agrees with statsmodels; confidence intervals, Welch's t-test, the
bootstrap (``scipy.stats.bootstrap``), the chi-square test of the sample
ratio and multiple-testing corrections are the libraries' work. Also the
campaign's business metrics. Introduced in lesson 15.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from ..randomness import check_random_state
from ..validation import (
    require_binary,
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
)
from .common import _alternative, _counts, _number_array, _p_value, _scalar_or_array


class ZTest(NamedTuple):
    """A test statistic and its p-value (floats, or arrays for vectorised input). Introduced in lesson 15."""

    z: float | np.ndarray
    p_value: float | np.ndarray


class SRMCheck(NamedTuple):
    """Result of a sample-ratio-mismatch check. Introduced in lesson 15."""

    statistic: float
    p_value: float
    expected: np.ndarray
    mismatch: bool


# --------------------------------------------------------------------------- tests for rates


def two_proportion_ztest(
    successes_a: object,
    trials_a: object,
    successes_b: object,
    trials_b: object,
    *,
    alternative: str = "two-sided",
) -> ZTest:
    """Give the pooled two-proportion z-test of B against A (vectorised).

    ``z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b))`` with ``p`` the
    pooled rate under the null hypothesis of equal rates. Arrays broadcast,
    so thousands of simulated experiments are tested in one call. When both
    groups have a rate of exactly 0 (or 1) there is no evidence either way:
    ``z = 0`` and ``p = 1``. Agrees with
    ``statsmodels.stats.proportion.proportions_ztest([s_b, s_a], [n_b, n_a])``.
    Introduced in lesson 15.

    Parameters
    ----------
    successes_a, trials_a : int or array
        Conversions and group size of A (the control); sizes must be > 0.
    successes_b, trials_b : int or array
        The same for B (the treatment).
    alternative : {"two-sided", "larger", "smaller"}
        "larger" tests whether B's rate is higher than A's.

    Returns
    -------
    ZTest
        ``z`` and ``p_value``, floats for scalar input, arrays otherwise.
    """
    s_a, n_a = _counts(successes_a, trials_a, "successes_a", "trials_a")
    s_b, n_b = _counts(successes_b, trials_b, "successes_b", "trials_b")
    alternative = _alternative(alternative)
    pooled = (s_a + s_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    diff = s_b / n_b - s_a / n_a
    z = np.divide(diff, se, out=np.zeros(np.broadcast(diff, se).shape), where=se > 0)
    return ZTest(_scalar_or_array(z), _scalar_or_array(_p_value(z, alternative)))


def _binary_outcome(df: pd.DataFrame, outcome: str, arg: str = "df") -> None:
    require_binary(df[outcome].to_numpy(), f"{arg}[{outcome!r}]", what="0/1 values")


def _arms(df: pd.DataFrame, arm: str, control: object) -> list:
    present = pd.unique(df[arm])
    if control not in present:
        raise ValueError(f"control: expected one of the arms {sorted(map(str, present))}, got {control!r}")
    others = sorted((a for a in present if a != control), key=str)
    if not others:
        raise ValueError(f"df: expected at least one arm besides the control {control!r} in {arm!r}")
    return others


def _check_experiment(df: object, arm: object, outcome: object, control: object) -> pd.DataFrame:
    for value, name in ((arm, "arm"), (outcome, "outcome")):
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected a column name (str), got {type(value).__name__}")
    require_frame(df, [arm, outcome])
    require_no_nan(df, [arm, outcome])
    return df


def compare_proportions(
    df: pd.DataFrame,
    arm: str,
    outcome: str,
    control: object,
    *,
    alpha: float = 0.05,
    ci_method: str = "wald",
) -> pd.DataFrame:
    """Give, for every arm against the control, the rates, their difference, its interval and test.

    The test is :func:`two_proportion_ztest`; the confidence interval of the
    difference comes from statsmodels' ``confint_proportions_2indep``
    (``ci_method="wald"``: the unpooled normal interval that goes with the
    z-test; "newcomb" and "agresti-caffo" behave better for tiny counts).
    Introduced in lesson 15.

    Parameters
    ----------
    df : DataFrame
        One row per customer, with the arm and a 0/1 outcome column.
    arm, outcome : str
        Column names.
    control : object
        The value of ``arm`` that marks the control group.
    alpha : float
        1 - confidence level of the interval.
    ci_method : str
        Passed to ``confint_proportions_2indep`` as ``method``.

    Returns
    -------
    DataFrame
        Indexed by treatment arm (sorted): ``n_control, n_treatment,
        rate_control, rate_treatment, diff, ci_low, ci_high, relative_lift,
        z, p_value``.
    """
    _check_experiment(df, arm, outcome, control)
    _binary_outcome(df, outcome)
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    others = _arms(df, arm, control)
    totals = df.groupby(df[arm].astype(object))[outcome].agg(["sum", "count"])
    s_c, n_c = totals.loc[control]
    rows = []
    for name in others:
        s_t, n_t = totals.loc[name]
        low, high = confint_proportions_2indep(
            s_t, n_t, s_c, n_c, method=ci_method, compare="diff", alpha=alpha
        )
        test = two_proportion_ztest(s_c, n_c, s_t, n_t)
        rate_c, rate_t = s_c / n_c, s_t / n_t
        rows.append(
            {
                arm: name,
                "n_control": int(n_c),
                "n_treatment": int(n_t),
                "rate_control": rate_c,
                "rate_treatment": rate_t,
                "diff": rate_t - rate_c,
                "ci_low": float(low),
                "ci_high": float(high),
                "relative_lift": (rate_t - rate_c) / rate_c if rate_c > 0 else np.nan,
                "z": test.z,
                "p_value": test.p_value,
            }
        )
    return pd.DataFrame(rows).set_index(arm)


def compare_means(
    df: pd.DataFrame,
    arm: str,
    outcome: str,
    control: object,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    random_state=0,
) -> pd.DataFrame:
    """Give, for every arm against the control, the difference in mean, Welch's test and a bootstrap interval.

    Made for skewed, zero-inflated outcomes such as spend: Welch's t-test
    (``scipy.stats.ttest_ind(equal_var=False)``) does not assume equal
    variances, and the percentile bootstrap interval of the difference in
    means (``scipy.stats.bootstrap``, seeded) does not assume normality.
    Introduced in lesson 15.

    Parameters
    ----------
    df : DataFrame
        One row per customer, with the arm and a numeric outcome.
    arm, outcome : str
        Column names.
    control : object
        The value of ``arm`` that marks the control group.
    confidence : float
        Confidence level of both intervals.
    n_resamples : int
        Bootstrap resamples.
    random_state : None, int or numpy Generator
        Seed of the bootstrap's random generator.

    Returns
    -------
    DataFrame
        Indexed by treatment arm (sorted): ``n_control, n_treatment,
        mean_control, mean_treatment, diff, t, p_value, welch_ci_low,
        welch_ci_high, boot_ci_low, boot_ci_high``.
    """
    _check_experiment(df, arm, outcome, control)
    if not pd.api.types.is_numeric_dtype(df[outcome]) or pd.api.types.is_bool_dtype(df[outcome]):
        raise TypeError(f"df: expected column {outcome!r} to be numeric, got dtype {df[outcome].dtype}")
    require_in_range(confidence, "confidence", 0, 1, low_inclusive=False, high_inclusive=False)
    n_resamples = require_positive_int(n_resamples, "n_resamples")
    others = _arms(df, arm, control)
    labels = df[arm].astype(object)
    y_c = df.loc[labels == control, outcome].to_numpy(dtype=float)
    rng = check_random_state(random_state)
    rows = []
    for name in others:
        y_t = df.loc[labels == name, outcome].to_numpy(dtype=float)
        if len(y_t) < 2 or len(y_c) < 2:
            raise ValueError(f"df: expected at least 2 customers per arm, got {len(y_t)} and {len(y_c)}")
        welch = stats.ttest_ind(y_t, y_c, equal_var=False)
        welch_ci = welch.confidence_interval(confidence_level=confidence)
        boot = stats.bootstrap(
            (y_t, y_c),
            _diff_in_means,
            n_resamples=n_resamples,
            vectorized=True,
            confidence_level=confidence,
            method="percentile",
            batch=200,
            rng=rng,
        )
        rows.append(
            {
                arm: name,
                "n_control": len(y_c),
                "n_treatment": len(y_t),
                "mean_control": y_c.mean(),
                "mean_treatment": y_t.mean(),
                "diff": y_t.mean() - y_c.mean(),
                "t": float(welch.statistic),
                "p_value": float(welch.pvalue),
                "welch_ci_low": float(welch_ci.low),
                "welch_ci_high": float(welch_ci.high),
                "boot_ci_low": float(boot.confidence_interval.low),
                "boot_ci_high": float(boot.confidence_interval.high),
            }
        )
    return pd.DataFrame(rows).set_index(arm)


def _diff_in_means(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return x.mean(axis=axis) - y.mean(axis=axis)


# --------------------------------------------------------------------------- checks of the set-up


def sample_ratio_mismatch(
    counts: object, expected_shares: object = None, *, threshold: float = 0.001
) -> SRMCheck:
    """Give the chi-square check that the arms' sizes match the planned split.

    A sample-ratio mismatch (say 50.6 % / 49.4 % when 50 / 50 was planned, on
    tens of thousands of users) means the randomisation or the logging is
    broken, and no effect estimate from the test can be trusted. The
    customary alarm level is ``p < 0.001``. Uses ``scipy.stats.chisquare``.
    Introduced in lesson 15.

    Parameters
    ----------
    counts : array-like or Series
        Customers per arm (at least two arms, each > 0).
    expected_shares : array-like, optional
        The planned shares (normalised to sum to 1); equal shares if omitted.
    threshold : float
        p-value below which ``mismatch`` is True.
    """
    observed = _number_array(counts, "counts").ravel()
    if observed.size < 2:
        raise ValueError(f"counts: expected at least two arms, got {observed.size}")
    if (observed <= 0).any():
        raise ValueError("counts: expected every arm to have customers (> 0), got a zero-size arm")
    if expected_shares is None:
        shares = np.full(observed.size, 1 / observed.size)
    else:
        shares = _number_array(expected_shares, "expected_shares").ravel()
        if shares.shape != observed.shape or (shares <= 0).any():
            raise ValueError(
                f"expected_shares: expected {observed.size} positive shares, got {shares.tolist()}"
            )
        shares = shares / shares.sum()
    require_in_range(threshold, "threshold", 0, 1)
    expected = shares * observed.sum()
    result = stats.chisquare(observed, expected)
    p = float(result.pvalue)
    return SRMCheck(float(result.statistic), p, expected, p < threshold)


def adjust_pvalues(pvalues: object, *, method: str = "holm", alpha: float = 0.05) -> pd.DataFrame:
    """Give p-values adjusted for testing several hypotheses at once, and which survive.

    A thin, checked wrapper of ``statsmodels.stats.multitest.multipletests``
    ("holm", "bonferroni", "fdr_bh", ...). Introduced in lesson 15.

    Parameters
    ----------
    pvalues : Series or array-like
        Raw p-values in [0, 1]; a Series keeps its index.
    method : str
        Passed to ``multipletests``.
    alpha : float
        Family-wise error rate (or false discovery rate for "fdr_*").

    Returns
    -------
    DataFrame
        ``p_value``, ``p_adjusted``, ``reject``.
    """
    index = pvalues.index if isinstance(pvalues, pd.Series) else None
    p = _number_array(pvalues, "pvalues").ravel()
    if p.size == 0:
        raise ValueError("pvalues: expected at least one p-value, got none")
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"pvalues: expected values in [0, 1], got {p[(p < 0) | (p > 1)][0]!r}")
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    try:
        reject, adjusted, _, _ = multipletests(p, alpha=alpha, method=method)
    except ValueError:
        raise ValueError(f"method: expected a multipletests method such as 'holm', got {method!r}") from None
    return pd.DataFrame({"p_value": p, "p_adjusted": adjusted, "reject": reject}, index=index)


# --------------------------------------------------------------------------- business metrics


def campaign_metrics(
    df: pd.DataFrame,
    arm: str,
    control: object,
    *,
    visit: str = "visit",
    conversion: str = "conversion",
    spend: str = "spend",
    cost_per_contact: float,
    margin: float = 1.0,
) -> pd.DataFrame:
    """Give the funnel and money of each arm of an e-mail test, with ROI against the control.

    Per arm: ``customers, visits, conversions, revenue``; ``visit_rate``
    (visits / customers: the click-through proxy when, as in Hillstrom, only
    site visits are logged); ``conversion_rate`` (conversions / customers);
    ``cvr`` (conversions / visits); ``revenue_per_customer``;
    ``revenue_per_visitor`` (revenue / visits); ``incremental_revenue``
    (revenue per customer above the control's, times the arm's customers);
    ``cost`` (``cost_per_contact`` per customer e-mailed; the control is not
    contacted); ``roi = (margin * incremental_revenue - cost) / cost``.
    Introduced in lesson 15.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    arm : str
        The column with the arm.
    control : object
        The arm that was not contacted.
    visit, conversion, spend : str
        Outcome columns (0/1, 0/1, money).
    cost_per_contact : float
        Assumed cost of one e-mail (>= 0), in the currency of ``spend``.
    margin : float
        Share of revenue that is profit, in (0, 1]; 1 gives ROI on revenue.
    """
    if not isinstance(arm, str):
        raise TypeError(f"arm: expected a column name (str), got {type(arm).__name__}")
    require_frame(df, [arm, visit, conversion, spend])
    require_no_nan(df, [arm, visit, conversion, spend])
    _binary_outcome(df, visit)
    _binary_outcome(df, conversion)
    cost_per_contact = require_in_range(cost_per_contact, "cost_per_contact", 0, np.inf)
    margin = require_in_range(margin, "margin", 0, 1, low_inclusive=False)
    _arms(df, arm, control)
    g = df.groupby(df[arm].astype(object)).agg(
        customers=(visit, "size"), visits=(visit, "sum"), conversions=(conversion, "sum"),
        revenue=(spend, "sum"),
    )
    g = g.sort_index(key=lambda idx: idx.map(str))
    g.index.name = arm
    out = g.astype({"customers": int, "visits": int, "conversions": int})
    out["visit_rate"] = out["visits"] / out["customers"]
    out["conversion_rate"] = out["conversions"] / out["customers"]
    out["cvr"] = out["conversions"] / out["visits"].where(out["visits"] > 0)
    out["revenue_per_customer"] = out["revenue"] / out["customers"]
    out["revenue_per_visitor"] = out["revenue"] / out["visits"].where(out["visits"] > 0)
    base = out.loc[control, "revenue_per_customer"]
    out["incremental_revenue"] = (out["revenue_per_customer"] - base) * out["customers"]
    out["cost"] = np.where(out.index == control, 0.0, out["customers"] * cost_per_contact)
    profit = margin * out["incremental_revenue"] - out["cost"]
    out["roi"] = profit / out["cost"].where(out["cost"] > 0)
    return out
