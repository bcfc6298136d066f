"""Sharper and honest intervals for A/B tests: CUPED, the delta method for ratio metrics, always-valid bounds.

* **CUPED** (Deng, Xu, Kohavi and Walker, 2013) subtracts from each
  customer's outcome the part a *pre-period* covariate predicts,
  ``y_cuped = y - theta (x - mean(x))`` with ``theta = cov(y, x) / var(x)``.
  The covariate was fixed before randomisation, so the adjustment cannot
  bias the difference of the arms, but it removes the variance the
  covariate explains: ``var(y_cuped) = var(y) (1 - corr(y, x)^2)``.
* **The delta method** gives the standard error of a ratio of two means
  measured on the same customers, such as revenue per visitor
  ``sum(spend) / sum(visit)``, whose numerator and denominator are random
  and correlated. The randomisation unit stays the customer.
* **Always-valid bounds** of the mixture sequential probability ratio test
  (mSPRT; Robbins 1970, Johari et al. 2017): a z threshold per look that
  keeps the false-positive rate below alpha however often the test is
  looked at, with no number of looks fixed in advance.

Introduced in lesson 15.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from ..validation import require_frame, require_in_range, require_no_nan, require_numeric
from .analysis import _arms
from .common import _number_array


class AdjustedDifference(NamedTuple):
    """A difference in means (treatment minus control) with its normal interval. Introduced in lesson 15.

    ``theta`` is the CUPED coefficient (one per covariate) and
    ``variance_reduction`` the share of the outcome's variance the
    covariates removed, ``1 - var(y_cuped) / var(y)``.
    """

    difference: float
    se: float
    low: float
    high: float
    p_value: float
    theta: np.ndarray
    variance_reduction: float


# --------------------------------------------------------------------------- checks


def _vector(values: object, arg: str, n: int | None = None) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{arg}: expected a 1-d array or Series, got a DataFrame")
    arr = _number_array(values, arg)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{arg}: expected a 1-d array of at least 2 values, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise ValueError(f"{arg}: expected {n} values (one per customer), got {arr.size}")
    return arr


def _matrix(covariates: object, n: int, arg: str = "covariates") -> np.ndarray:
    arr = _number_array(covariates.to_numpy(dtype=float) if isinstance(covariates, pd.DataFrame) else covariates, arg)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n or arr.shape[1] == 0:
        raise ValueError(f"{arg}: expected {n} rows (one per customer) and at least one column, got shape {arr.shape}")
    if np.any(arr.std(axis=0) == 0):
        raise ValueError(f"{arg}: expected every covariate to vary, got a constant column")
    if arr.shape[1] > 1 and np.linalg.matrix_rank(arr - arr.mean(axis=0)) < arr.shape[1]:
        raise ValueError(
            f"{arg}: expected linearly independent covariates, got {arr.shape[1]} columns of which one is a "
            "combination of the others (drop it)"
        )
    return arr


def _treatment(values: object, n: int) -> np.ndarray:
    t = _vector(values, "treatment", n)
    if not np.isin(t, (0, 1)).all():
        raise ValueError(f"treatment: expected 0/1 values, got {np.unique(t)[:5].tolist()}")
    for arm in (0, 1):
        if (t == arm).sum() < 2:
            raise ValueError(f"treatment: expected at least 2 customers in each arm, got {int((t == arm).sum())} with {arm}")
    return t.astype(bool)


def _column_name(value: object, arg: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{arg}: expected a column name (str), got {type(value).__name__}")
    return value


def _arm_sizes(labels: pd.Series, arms: list, arg: str = "df") -> None:
    """Raise naming ``arg`` if an arm has fewer than 2 customers (no variance within it)."""
    for name in arms:
        size = int((labels == name).sum())
        if size < 2:
            raise ValueError(f"{arg}: expected at least 2 customers in every arm, got {size} in arm {name!r}")


def _normal_interval(diff: float, se: float, alpha: float) -> tuple[float, float, float]:
    z = stats.norm.isf(alpha / 2)
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else float(diff == 0)
    return diff - z * se, diff + z * se, p


# --------------------------------------------------------------------------- CUPED


def cuped_theta(y: object, covariates: object) -> np.ndarray:
    """Give the CUPED coefficients ``theta = cov(X)^-1 cov(X, y)``, one per covariate.

    With one covariate this is ``cov(y, x) / var(x)``, the slope of the
    least-squares line of ``y`` on ``x``: the ``theta`` that makes the
    variance of ``y - theta (x - mean(x))`` smallest. With several it is the
    vector of multiple-regression slopes (the same as the slopes of
    ``statsmodels.api.OLS(y, add_constant(X))``). Computed on all customers
    of both arms together, as in Deng et al. (2013). Introduced in lesson 15.

    References
    ----------
    Deng, A., Xu, Y., Kohavi, R. and Walker, T. (2013). Improving the
    sensitivity of online controlled experiments by utilizing pre-experiment
    data. *WSDM*, 123-132.
    """
    y = _vector(y, "y")
    x = _matrix(covariates, len(y))
    xc = x - x.mean(axis=0)
    return np.linalg.solve(xc.T @ xc, xc.T @ (y - y.mean()))


def cuped_adjust(y: object, covariates: object, theta: object | None = None) -> np.ndarray:
    """Give ``y - (X - mean(X)) theta``: the outcome with the part the covariates predict removed.

    The mean of ``y`` is unchanged, so a difference of arm means keeps its
    meaning. ``theta`` defaults to :func:`cuped_theta` of the same data.
    Introduced in lesson 15.
    """
    y = _vector(y, "y")
    x = _matrix(covariates, len(y))
    theta = cuped_theta(y, x) if theta is None else _number_array(theta, "theta").reshape(-1)
    if theta.size != x.shape[1]:
        raise ValueError(f"theta: expected {x.shape[1]} coefficient(s), one per covariate, got {theta.size}")
    return y - (x - x.mean(axis=0)) @ theta


def cuped_difference(y: object, treatment: object, covariates: object, *, alpha: float = 0.05) -> AdjustedDifference:
    """Give the CUPED difference in means (treated minus control) with a normal interval.

    ``diff = mean(y_cuped | treated) - mean(y_cuped | control)`` and
    ``se = sqrt(var_t / n_t + var_c / n_c)`` of the adjusted outcomes
    (unequal variances, as Welch). Without covariates it would be the plain
    difference in means and its Welch standard error; with them, the same
    estimand with a standard error smaller by about ``sqrt(1 - R^2)``.
    Agrees with the treatment coefficient of ``OLS(y ~ treatment + X)`` and
    its HC1 standard error up to terms of order ``1/n``. Introduced in
    lesson 15.

    Parameters
    ----------
    y : array-like
        The outcome of every customer (both arms).
    treatment : array-like of 0/1
        1 for the treated arm, 0 for the control.
    covariates : array-like (n,) or (n, k), or DataFrame
        Pre-period covariates, measured before the randomisation.
    alpha : float
        One minus the confidence level.

    References
    ----------
    Deng, A., Xu, Y., Kohavi, R. and Walker, T. (2013). *WSDM*, 123-132.
    """
    y = _vector(y, "y")
    t = _treatment(treatment, len(y))
    x = _matrix(covariates, len(y))
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    if y.var() == 0:
        raise ValueError(f"y: expected an outcome that varies, got the same value {y[0]:g} for every customer")
    theta = cuped_theta(y, x)
    adjusted = cuped_adjust(y, x, theta)
    a_t, a_c = adjusted[t], adjusted[~t]
    diff = float(a_t.mean() - a_c.mean())
    se = float(np.sqrt(a_t.var(ddof=1) / a_t.size + a_c.var(ddof=1) / a_c.size))
    low, high, p = _normal_interval(diff, se, alpha)
    reduction = float(1 - adjusted.var(ddof=1) / y.var(ddof=1))
    return AdjustedDifference(diff, se, low, high, p, theta, reduction)


def compare_means_cuped(
    df: pd.DataFrame, arm: str, outcome: str, control: object, covariates: list[str], *, alpha: float = 0.05
) -> pd.DataFrame:
    """Give, for every arm against the control, the plain and the CUPED difference in means with intervals.

    ``theta`` is estimated on the customers of the two arms being compared.
    The ``se_ratio`` column is the CUPED standard error over the plain one:
    how much narrower the interval became. Introduced in lesson 15.

    Returns
    -------
    DataFrame
        Indexed by treatment arm (sorted): ``diff, se, ci_low, ci_high,
        p_value`` (plain, Welch), ``cuped_diff, cuped_se, cuped_ci_low,
        cuped_ci_high, cuped_p_value, variance_reduction, se_ratio``.
    """
    if not isinstance(covariates, (list, tuple)) or not covariates:
        raise TypeError(f"covariates: expected a non-empty list of column names, got {covariates!r}")
    _column_name(arm, "arm")
    _column_name(outcome, "outcome")
    require_frame(df, [arm, outcome, *covariates])
    require_no_nan(df, [arm, outcome, *covariates])
    require_numeric(df, [outcome, *covariates])
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    labels = df[arm].astype(object)
    arms = _arms(df, arm, control)
    _arm_sizes(labels, [control, *arms])
    rows = []
    for name in arms:
        pair = df[(labels == control) | (labels == name)]
        t = (pair[arm].astype(object) == name).to_numpy(dtype=float)
        y = pair[outcome].to_numpy(dtype=float)
        if y.var() == 0:
            raise ValueError(
                f"outcome: expected {outcome!r} to vary among the customers of arms {control!r} and {name!r}, "
                f"got the same value {y[0]:g} for all"
            )
        y_t, y_c = y[t == 1], y[t == 0]
        diff = float(y_t.mean() - y_c.mean())
        se = float(np.sqrt(y_t.var(ddof=1) / y_t.size + y_c.var(ddof=1) / y_c.size))
        low, high, p = _normal_interval(diff, se, alpha)
        adjusted = cuped_difference(y, t, pair[list(covariates)], alpha=alpha)
        rows.append({
            arm: name, "diff": diff, "se": se, "ci_low": low, "ci_high": high, "p_value": p,
            "cuped_diff": adjusted.difference, "cuped_se": adjusted.se, "cuped_ci_low": adjusted.low,
            "cuped_ci_high": adjusted.high, "cuped_p_value": adjusted.p_value,
            "variance_reduction": adjusted.variance_reduction, "se_ratio": adjusted.se / se,
        })
    return pd.DataFrame(rows).set_index(arm)


# --------------------------------------------------------------------------- the delta method


def ratio_and_se(numerator: object, denominator: object) -> tuple[float, float]:
    """Give the ratio of means ``R = sum(num) / sum(den)`` and its delta-method standard error.

    Numerator and denominator are per-customer values (spend and visits, for
    revenue per visitor), so both are random and correlated. A first-order
    Taylor expansion of ``mean(num) / mean(den)`` gives

    ``se(R) = sd(num - R den) / (sqrt(n) mean(den))``,

    the same as ``sqrt(var_nn / mu_d^2 - 2 mu_n cov_nd / mu_d^3 + mu_n^2 var_dd / mu_d^4) / sqrt(n)``.
    When the denominator is 0/1 (visited) and the numerator is 0 wherever it
    is 0 (spend), this is exactly the HC1 robust standard error of the
    no-intercept regression ``statsmodels.api.OLS(num, den)`` (tested).
    Introduced in lesson 15.

    References
    ----------
    Deng, A., Knoblich, U. and Lu, J. (2018). Applying the delta method in
    metric analytics: a practical guide with novel ideas. *KDD*, 233-242.
    """
    num = _vector(numerator, "numerator")
    den = _vector(denominator, "denominator", len(num))
    if den.mean() <= 0:
        raise ValueError(f"denominator: expected a positive mean, got {den.mean():g}")
    ratio = float(num.sum() / den.sum())
    se = float((num - ratio * den).std(ddof=1) / (np.sqrt(num.size) * den.mean()))
    return ratio, se


def compare_ratios(
    df: pd.DataFrame, arm: str, numerator: str, denominator: str, control: object, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Give, for every arm against the control, the difference of a ratio metric with a delta-method interval.

    The customer stays the unit: each arm's ``sum(numerator) / sum(denominator)``
    gets its standard error from :func:`ratio_and_se`, and the arms are
    independent, so ``se(diff) = sqrt(se_t^2 + se_c^2)``. The interval is
    honest about noise, not about meaning: when the treatment changes the
    denominator (who visits), the ratio compares different customers.
    Introduced in lesson 15.

    Returns
    -------
    DataFrame
        Indexed by treatment arm (sorted): ``ratio_control, ratio_treatment,
        diff, se, ci_low, ci_high, z, p_value``.
    """
    for value, name in ((arm, "arm"), (numerator, "numerator"), (denominator, "denominator")):
        _column_name(value, name)
    require_frame(df, [arm, numerator, denominator])
    require_no_nan(df, [arm, numerator, denominator])
    require_numeric(df, [numerator, denominator])
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    labels = df[arm].astype(object)
    arms = _arms(df, arm, control)
    _arm_sizes(labels, [control, *arms])
    control_rows = df[labels == control]
    rows = []
    for name in arms:
        treated_rows = df[labels == name]
        r_c, se_c = ratio_and_se(control_rows[numerator], control_rows[denominator])
        r_t, se_t = ratio_and_se(treated_rows[numerator], treated_rows[denominator])
        diff, se = r_t - r_c, float(np.hypot(se_t, se_c))
        low, high, p = _normal_interval(diff, se, alpha)
        rows.append({arm: name, "ratio_control": r_c, "ratio_treatment": r_t, "diff": diff, "se": se,
                     "ci_low": low, "ci_high": high, "z": diff / se, "p_value": p})
    return pd.DataFrame(rows).set_index(arm)


# --------------------------------------------------------------------------- always-valid bounds


def always_valid_bounds(variances: object, *, tau: float, alpha: float = 0.05) -> np.ndarray:
    """Give the |z| a look needs under the mixture SPRT (mSPRT): valid at any number of looks.

    At a look where the estimated difference has variance ``v``, the
    mixture likelihood ratio against a normal prior ``N(0, tau^2)`` on the
    effect is ``L = sqrt(v / (v + tau^2)) exp(z^2 tau^2 / (2 (v + tau^2)))``.
    Stopping the first time ``L >= 1 / alpha`` keeps the false-positive rate
    below ``alpha`` however often one looks (Ville's inequality), so

    ``|z| >= sqrt((v + tau^2) / tau^2 * (2 ln(1/alpha) + ln((v + tau^2) / v)))``.

    ``tau`` (in the units of the difference) is the size of effect the test
    is tuned to find. Introduced in lesson 15.

    References
    ----------
    Robbins, H. (1970). Statistical methods related to the law of the
    iterated logarithm. *Annals of Mathematical Statistics* 41(5), 1397-1409.
    Johari, R., Koomen, P., Pekelis, L. and Walsh, D. (2017). Peeking at A/B
    tests: why it matters, and what to do about it. *KDD*, 1517-1525.
    """
    v = _number_array(variances, "variances")
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"variances: expected a non-empty 1-d array of variances (one per look), got shape {v.shape}")
    if (v <= 0).any():
        raise ValueError(f"variances: expected positive variances, got {v[v <= 0][:3].tolist()}")
    require_in_range(tau, "tau", 0, np.inf, low_inclusive=False, high_inclusive=False)
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    tau2 = float(tau) ** 2
    return np.sqrt((v + tau2) / tau2 * (2 * np.log(1 / alpha) + np.log((v + tau2) / v)))
