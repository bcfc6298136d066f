"""Uplift modelling: whom does the campaign change, and what is targeting them worth?

Three learners of the uplift ``P(y=1 | x, e-mailed) - P(y=1 | x, not
e-mailed)``, each with ``fit(X, treatment, y)`` and ``predict_uplift(X)``:
the two-model (T-) learner, the one-model (S-) learner and the class
transformation. Then the evaluation tools for randomised data, where no
individual uplift is ever observed: uplift and Qini curves, the Qini
coefficient, and the value of a targeting policy. Introduced in lesson 16.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from .device import limit_threads
from .randomness import check_random_state
from .validation import (
    require_binary,
    require_bool,
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
)

HILLSTROM_NUMERIC = ("recency", "history", "mens", "womens", "newbie")
HILLSTROM_CATEGORICAL = ("zip_code", "channel")


# --------------------------------------------------------------------------- checks


def _features(X: object, arg: str = "X") -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise TypeError(f"{arg}: expected numeric columns, got non-numeric {non_numeric}")
        arr = X.to_numpy(dtype=float)
    else:
        try:
            arr = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{arg}: expected a numeric 2-d array or DataFrame, got {type(X).__name__}") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{arg}: expected a non-empty 2-d array (rows x features), got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{arg}: expected no NaN, got {int(np.isnan(arr).sum())} NaN value(s)")
    return arr


def _binary(values: object, arg: str, n: int | None = None, *, both: bool = True) -> np.ndarray:
    return require_binary(values, arg, n, both=both, what="binary 0/1 values")


def _scores(values: object, arg: str, n: int) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"{arg}: expected {n} values (one per customer), got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{arg}: expected no NaN, got {int(np.isnan(arr).sum())} NaN value(s)")
    return arr


def _fit_inputs(X: object, treatment: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate what a learner's ``fit`` takes: features, 0/1 treatment and 0/1 outcome, both outcomes in each arm."""
    arr = _features(X)
    t = _binary(treatment, "treatment", len(arr))
    y = _binary(y, "y", len(arr))
    for arm in (0, 1):
        if np.unique(y[t == arm]).size < 2:
            group = "treated" if arm else "control"
            raise ValueError(f"y: expected both outcomes (0 and 1) among the {group} customers, got only one")
    return arr, t, y


def _default_estimator(estimator: object) -> BaseEstimator:
    est = LogisticRegression(max_iter=1000) if estimator is None else estimator
    if not hasattr(est, "fit") or not hasattr(est, "predict_proba"):
        raise TypeError(
            f"estimator: expected a scikit-learn classifier with predict_proba, got {type(est).__name__}"
        )
    return clone(est)


def _threads_limited(method):
    """Run a learner's method under ``device.limit_threads(self.n_threads)`` (no global thread setting)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with limit_threads(self.n_threads):
            return method(self, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- learners


class _UpliftLearner(BaseEstimator):
    """What the learners share: an optional classifier and a thread limit (see the subclasses)."""

    def __init__(self, estimator=None, n_threads=1):
        self.estimator = estimator
        self.n_threads = n_threads


class TwoModelUplift(_UpliftLearner):
    """Two-model (T-) learner: one classifier per arm; uplift = difference of their probabilities.

    Simple and flexible, but each model only sees half the data, and the
    uplift is the difference of two noisy estimates. Introduced in lesson 16.

    Parameters
    ----------
    estimator : classifier, optional
        A scikit-learn classifier with ``predict_proba`` (cloned for each arm);
        ``LogisticRegression(max_iter=1000)`` if omitted.
    n_threads : int or None
        BLAS/OpenMP threads while fitting and predicting (``device.limit_threads``);
        1 by default, ``None`` leaves the limits as they are.
    """

    @_threads_limited
    def fit(self, X, treatment, y):
        """Fit one model on the treated customers and one on the control; give ``self``."""
        arr, t, y = _fit_inputs(X, treatment, y)
        self.model_treatment_ = _default_estimator(self.estimator).fit(arr[t == 1], y[t == 1])
        self.model_control_ = _default_estimator(self.estimator).fit(arr[t == 0], y[t == 0])
        self.n_features_in_ = arr.shape[1]
        return self

    @_threads_limited
    def predict_outcomes(self, X) -> pd.DataFrame:
        """Give ``p_control`` and ``p_treatment``, the predicted response without and with the e-mail."""
        check_is_fitted(self, "model_treatment_")
        arr = _features(X)
        return pd.DataFrame(
            {
                "p_control": self.model_control_.predict_proba(arr)[:, 1],
                "p_treatment": self.model_treatment_.predict_proba(arr)[:, 1],
            }
        )

    def predict_uplift(self, X) -> np.ndarray:
        """Give the predicted uplift ``p_treatment - p_control`` of each row of ``X``."""
        p = self.predict_outcomes(X)
        return (p["p_treatment"] - p["p_control"]).to_numpy()


class SingleModelUplift(BaseEstimator):
    """One-model (S-) learner: the treatment is one more feature; uplift = p(x, 1) - p(x, 0).

    With ``interactions=True`` the features are also multiplied by the
    treatment, so a linear model can give each customer their own effect
    (without them a logistic regression can only shift every customer's log
    odds by the same amount). Tree models find interactions themselves.
    Introduced in lesson 16.

    Parameters
    ----------
    estimator : classifier, optional
        A scikit-learn classifier with ``predict_proba``;
        ``LogisticRegression(max_iter=1000)`` if omitted.
    interactions : bool
        Add the columns ``X * treatment``.
    n_threads : int or None
        BLAS/OpenMP threads while fitting and predicting (``device.limit_threads``);
        1 by default, ``None`` leaves the limits as they are.
    """

    def __init__(self, estimator=None, interactions=True, n_threads=1):
        self.estimator = estimator
        self.interactions = interactions
        self.n_threads = n_threads

    def _design(self, arr: np.ndarray, t: np.ndarray) -> np.ndarray:
        blocks = [arr, t[:, None]]
        if self.interactions:
            blocks.append(arr * t[:, None])
        return np.hstack(blocks)

    @_threads_limited
    def fit(self, X, treatment, y):
        """Fit one model on the features, the treatment (and interactions); give ``self``."""
        require_bool(self.interactions, "interactions")
        arr, t, y = _fit_inputs(X, treatment, y)
        self.model_ = _default_estimator(self.estimator).fit(self._design(arr, t.astype(float)), y)
        self.n_features_in_ = arr.shape[1]
        return self

    @_threads_limited
    def predict_outcomes(self, X) -> pd.DataFrame:
        """Give ``p_control`` and ``p_treatment``, the predicted response without and with the e-mail."""
        check_is_fitted(self, "model_")
        arr = _features(X)
        ones, zeros = np.ones(len(arr)), np.zeros(len(arr))
        return pd.DataFrame(
            {
                "p_control": self.model_.predict_proba(self._design(arr, zeros))[:, 1],
                "p_treatment": self.model_.predict_proba(self._design(arr, ones))[:, 1],
            }
        )

    def predict_uplift(self, X) -> np.ndarray:
        """Give the predicted uplift ``p_treatment - p_control`` of each row of ``X``."""
        p = self.predict_outcomes(X)
        return (p["p_treatment"] - p["p_control"]).to_numpy()


class ClassTransformationUplift(_UpliftLearner):
    """Class-transformation learner: one classifier of ``z = 1`` if (treated and responded) or (control and did not).

    With a 50/50 split, ``uplift(x) = 2 P(z = 1 | x) - 1`` (Jaskowski &
    Jaroszewicz, 2012). For any other split the customers are weighted so
    that both arms carry half the total weight, which restores the identity.
    Introduced in lesson 16.

    Parameters
    ----------
    estimator : classifier, optional
        A scikit-learn classifier with ``predict_proba`` whose ``fit`` takes
        ``sample_weight``; ``LogisticRegression(max_iter=1000)`` if omitted.
    n_threads : int or None
        BLAS/OpenMP threads while fitting and predicting (``device.limit_threads``);
        1 by default, ``None`` leaves the limits as they are.
    """

    @_threads_limited
    def fit(self, X, treatment, y):
        """Fit the classifier of the transformed target ``z``; give ``self``."""
        arr, t, y = _fit_inputs(X, treatment, y)
        z = (y == t).astype(int)
        share = t.mean()
        weight = np.where(t == 1, 0.5 / share, 0.5 / (1 - share))
        model = _default_estimator(self.estimator)
        try:
            self.model_ = model.fit(arr, z, sample_weight=weight)
        except (TypeError, ValueError) as exc:
            if "sample_weight" not in str(exc):
                raise
            raise TypeError(
                f"estimator: expected a classifier whose fit takes sample_weight, "
                f"got {type(model).__name__} ({exc})"
            ) from None
        self.treatment_share_ = share
        self.n_features_in_ = arr.shape[1]
        return self

    @_threads_limited
    def predict_uplift(self, X) -> np.ndarray:
        """Give the predicted uplift ``2 P(z = 1 | x) - 1`` of each row of ``X``."""
        check_is_fitted(self, "model_")
        return 2 * self.model_.predict_proba(_features(X))[:, 1] - 1


# --------------------------------------------------------------------------- features


def hillstrom_features(df: pd.DataFrame) -> pd.DataFrame:
    """Give the Hillstrom customer attributes as a numeric matrix (one-hot zip code and channel).

    ``recency``, ``log1p(history)`` (spend history is skewed), ``mens``,
    ``womens``, ``newbie`` and one column per ``zip_code`` and ``channel``
    category (all categories kept, in a fixed order). The arm and the
    outcomes are left out. The caller's frame is not changed. Introduced in
    lesson 16.
    """
    cols = list(HILLSTROM_NUMERIC + HILLSTROM_CATEGORICAL)
    require_frame(df, cols)
    require_no_nan(df, cols)
    out = df[list(HILLSTROM_NUMERIC)].astype(float)
    out["history"] = np.log1p(out["history"])
    dummies = [
        pd.get_dummies(df[c].astype("category"), prefix=c, dtype=float) for c in HILLSTROM_CATEGORICAL
    ]
    return pd.concat([out, *dummies], axis=1)


# --------------------------------------------------------------------------- evaluation


def _evaluation_inputs(y: object, treatment: object, score: object) -> tuple:
    t = _binary(treatment, "treatment")
    y = _binary(y, "y", len(t), both=False)
    s = _scores(score, "score", len(t))
    return y, t, s


def uplift_curve(y, treatment, score) -> pd.DataFrame:
    """Give the uplift and Qini curves of a ranking of customers by ``score`` (highest first).

    For the ``k`` top-ranked customers, with ``n_t, n_c`` treated and control
    customers among them and ``r_t, r_c`` responders:

    - ``uplift = r_t / n_t - r_c / n_c`` (the response-rate difference in the top k);
    - ``incremental = uplift * k`` (extra responses if all k were treated);
    - ``qini = r_t - r_c * n_t / n_c`` (extra responses among the treated of
      the top k, Radcliffe 2007).

    A rate with no control (or treated) customer yet is taken as 0. Customers
    with tied scores enter together, so the curve does not depend on the row
    order. The first row is the empty targeting (k = 0). Introduced in
    lesson 16.

    Returns
    -------
    DataFrame
        ``n_targeted, fraction, n_treated, n_control, responders_treated,
        responders_control, uplift, incremental, qini``.
    """
    y, t, s = _evaluation_inputs(y, treatment, score)
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    # the last position of each group of tied scores
    cut = np.r_[np.flatnonzero(np.diff(s_sorted)), len(s) - 1]
    n_t = np.cumsum(t[order])[cut]
    n_c = (cut + 1) - n_t
    r_t = np.cumsum(y[order] * t[order])[cut]
    r_c = np.cumsum(y[order] * (1 - t[order]))[cut]
    rate_t = np.divide(r_t, n_t, out=np.zeros(len(cut)), where=n_t > 0)
    rate_c = np.divide(r_c, n_c, out=np.zeros(len(cut)), where=n_c > 0)
    k = cut + 1
    curve = pd.DataFrame(
        {
            "n_targeted": k,
            "fraction": k / len(s),
            "n_treated": n_t,
            "n_control": n_c,
            "responders_treated": r_t,
            "responders_control": r_c,
            "uplift": rate_t - rate_c,
            "incremental": (rate_t - rate_c) * k,
            "qini": r_t - rate_c * n_t,
        }
    )
    start = pd.DataFrame([dict.fromkeys(curve.columns, 0)])
    return pd.concat([start, curve], ignore_index=True).astype({"fraction": float, "uplift": float})


def qini_coefficient(y, treatment, score) -> float:
    """Give the area between the Qini curve of ``score`` and the random-targeting line.

    The x axis is the fraction targeted (0 to 1) and the y axis the Qini
    value (extra responses), so the coefficient reads as "extra responses
    above random targeting, averaged over every targeting depth". Random
    targeting is the straight line from 0 to the Qini value of treating
    everyone. Positive: the ranking finds the persuadables; 0: no better than
    random; negative: worse. Introduced in lesson 16.
    """
    curve = uplift_curve(y, treatment, score)
    x = curve["fraction"].to_numpy()
    q = curve["qini"].to_numpy()
    model_area = np.trapezoid(q, x)
    random_area = q[-1] / 2
    return float(model_area - random_area)


def normalised_qini(y, treatment, score) -> float:
    """Give Radcliffe's normalised Qini coefficient: the model's area over the perfect ranking's area.

    Both areas are taken between a Qini curve and the random-targeting line
    (:func:`qini_coefficient`). The perfect ranking knows the outcomes: the
    treated responders first, the control responders last (score
    ``y t - y (1 - t)``, ties entering together). So 1 is the best any
    ranking could do *on this sample*, 0 is random, negative is worse than
    random; unlike the unnormalised area, which counts extra responses, it
    has no unit and can be compared across data sets of different size.
    The same as ``sklift.metrics.qini_auc_score(y, score, treatment)``
    (tested). Introduced in lesson 16.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted
    lift: building and assessing uplift models. *Direct Marketing Analytics
    Journal* 1, 14-21.
    """
    y, t, s = _evaluation_inputs(y, treatment, score)
    perfect = qini_coefficient(y, t, y * t - y * (1 - t))
    if perfect <= 0:
        raise ValueError("y: expected some treated responders to rank first, got a perfect Qini area <= 0")
    return qini_coefficient(y, t, s) / perfect


class QiniInterval(NamedTuple):
    """A Qini coefficient (or a difference of two) with its bootstrap interval. Introduced in lesson 16."""

    estimate: float
    low: float
    high: float


def _resampled_qini(y: np.ndarray, t: np.ndarray, s: np.ndarray):
    """Give ``f(idx)``: the Qini coefficient of the fixed ranking by ``s`` on resamples ``idx``.

    A resample only changes how often each customer counts, not the ranking,
    so each resample becomes a row of weights and the curve is a cumulative
    sum of weights in the fixed order (no sort per resample). ``idx`` holds
    positions in the ranking: customers are sorted once, up front.
    """
    order = np.argsort(-s, kind="stable")
    ys, ts = y[order].astype(np.int64), t[order].astype(np.int64)
    n = len(s)
    cut = np.r_[np.flatnonzero(np.diff(s[order])), n - 1]
    at_cut = slice(None) if len(cut) == n else cut  # no ties: every position is a cut

    def statistic(idx: np.ndarray) -> np.ndarray:
        idx = np.atleast_2d(idx)
        b = idx.shape[0]
        w = np.bincount((idx + n * np.arange(b)[:, None]).ravel(), minlength=b * n)
        w = w.reshape(b, n)
        w_t = w * ts
        n_all = np.cumsum(w, axis=1)[:, at_cut]
        n_t = np.cumsum(w_t, axis=1)[:, at_cut]
        r_t = np.cumsum(w_t * ys, axis=1)[:, at_cut]
        r_c = np.cumsum((w - w_t) * ys, axis=1)[:, at_cut]
        n_c = n_all - n_t
        q = r_t - np.divide(r_c * n_t, n_c, out=np.zeros(n_c.shape), where=n_c > 0)
        # the curve starts at (0, 0): add the first trapezoid by hand
        x = n_all / n
        area = np.trapezoid(q, x, axis=1) + q[:, 0] * x[:, 0] / 2
        return area - q[:, -1] / 2

    return statistic


def qini_interval(
    y,
    treatment,
    score,
    *,
    baseline_score=None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    random_state=0,
) -> QiniInterval:
    """Give the Qini coefficient of ``score`` with a percentile bootstrap interval over customers.

    With ``baseline_score`` it gives the *difference* of the two Qini
    coefficients (``score`` minus baseline), both computed on the same
    resamples, to ask whether one ranking is really better than another.
    The models are held fixed: the interval shows the noise of the test set,
    not of the training. Uses ``scipy.stats.bootstrap`` (seeded).
    Introduced in lesson 16.
    """
    y, t, s = _evaluation_inputs(y, treatment, score)
    require_in_range(confidence, "confidence", 0, 1, low_inclusive=False, high_inclusive=False)
    n_resamples = require_positive_int(n_resamples, "n_resamples")
    model = _resampled_qini(y, t, s)
    if baseline_score is None:
        def statistic(idx, axis=-1):
            return model(idx)
    else:
        base = _resampled_qini(y, t, _scores(baseline_score, "baseline_score", len(t)))

        def statistic(idx, axis=-1):
            return model(idx) - base(idx)
    every = np.arange(len(t))
    estimate = float(statistic(every)[0])
    boot = stats.bootstrap(
        (every,), statistic, vectorized=True, n_resamples=n_resamples,
        confidence_level=confidence, method="percentile", batch=50,
        rng=check_random_state(random_state),
    )
    ci = boot.confidence_interval
    return QiniInterval(estimate, float(ci.low), float(ci.high))


def policy_value(y, treatment, target, *, propensity: float | None = None) -> float:
    """Give the estimated response rate if exactly the customers with ``target`` were treated.

    Randomised data show, for each customer, the outcome of one arm; the
    customers whose arm agrees with the policy stand for everyone the policy
    would have treated that way. Each is weighted by one over the chance of
    that arm (``propensity`` = chance of treatment, the observed treated share
    if omitted) and the weighted mean taken (the self-normalised inverse
    propensity estimate). For "treat everyone" it is the treated arm's
    response rate, for "treat no one" the control's. Introduced in lesson 16.
    """
    t = _binary(treatment, "treatment")
    y = _binary(y, "y", len(t), both=False)
    target = np.asarray(target)
    if target.shape != t.shape or not np.isin(target, (0, 1, True, False)).all():
        raise ValueError(f"target: expected {len(t)} booleans (one per customer), got shape {target.shape}")
    target = target.astype(bool)
    e = t.mean() if propensity is None else require_in_range(
        propensity, "propensity", 0, 1, low_inclusive=False, high_inclusive=False
    )
    match = target == (t == 1)
    weight = np.where(t == 1, 1 / e, 1 / (1 - e)) * match
    return float(np.sum(weight * y) / np.sum(weight))


def targeting_table(
    y,
    treatment,
    score,
    fractions=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    *,
    value_per_response: float | None = None,
    cost_per_treatment: float = 0.0,
) -> pd.DataFrame:
    """Give the estimated response rate of "treat the top x % by score", for each x in ``fractions``.

    The top ``x`` are the highest scores (ties broken by row order, stably).
    Columns: ``fraction``, ``n_targeted``, ``value`` (the response rate,
    :func:`policy_value`), ``gain_vs_none`` and ``gain_vs_all`` (``value``
    minus that of treating no one / everyone). With ``value_per_response``,
    also ``net_value``: money per customer, ``value * value_per_response -
    fraction * cost_per_treatment``, and ``net_gain_vs_none``. Introduced in
    lesson 16.
    """
    y, t, s = _evaluation_inputs(y, treatment, score)
    fr = np.asarray(fractions, dtype=float).ravel()
    if fr.size == 0 or np.isnan(fr).any() or (fr < 0).any() or (fr > 1).any():
        raise ValueError(f"fractions: expected values in [0, 1], got {fr.tolist()}")
    if value_per_response is not None:
        value_per_response = require_in_range(value_per_response, "value_per_response", 0, np.inf)
    cost = require_in_range(cost_per_treatment, "cost_per_treatment", 0, np.inf)
    rank = np.empty(len(s), dtype=int)
    rank[np.argsort(-s, kind="stable")] = np.arange(len(s))
    none = policy_value(y, t, np.zeros(len(s), bool))
    everyone = policy_value(y, t, np.ones(len(s), bool))
    rows = []
    for f in fr:
        n_top = int(round(f * len(s)))
        value = policy_value(y, t, rank < n_top)
        rows.append({"fraction": f, "n_targeted": n_top, "value": value,
                     "gain_vs_none": value - none, "gain_vs_all": value - everyone})
    table = pd.DataFrame(rows)
    if value_per_response is not None:
        table["net_value"] = table["value"] * value_per_response - table["n_targeted"] / len(s) * cost
        table["net_gain_vs_none"] = table["net_value"] - none * value_per_response
    return table


def uplift_by_group(y, treatment, score, *, n_groups: int = 10) -> pd.DataFrame:
    """Give the observed response rates and uplift in each group of equal size, ranked by ``score``.

    Group 1 holds the highest scores. A good uplift model shows the observed
    uplift falling from group 1 to the last. Introduced in lesson 16.

    Returns
    -------
    DataFrame
        Indexed by ``group``: ``n_treated, n_control, rate_treated,
        rate_control, uplift``.
    """
    y, t, s = _evaluation_inputs(y, treatment, score)
    n_groups = require_positive_int(n_groups, "n_groups")
    if n_groups > len(s):
        raise ValueError(f"n_groups: expected at most {len(s)} groups (one per customer), got {n_groups}")
    rank = np.empty(len(s), dtype=int)
    rank[np.argsort(-s, kind="stable")] = np.arange(len(s))
    group = rank * n_groups // len(s) + 1
    frame = pd.DataFrame({"group": group, "t": t, "y": y})
    g = frame.groupby(["group", "t"])["y"].agg(["sum", "count"]).unstack("t", fill_value=0)
    out = pd.DataFrame(
        {
            "n_treated": g[("count", 1)],
            "n_control": g[("count", 0)],
            "rate_treated": g[("sum", 1)] / g[("count", 1)].where(g[("count", 1)] > 0),
            "rate_control": g[("sum", 0)] / g[("count", 0)].where(g[("count", 0)] > 0),
        }
    )
    out["uplift"] = out["rate_treated"] - out["rate_control"]
    return out
