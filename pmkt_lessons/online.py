"""Online learning for clicks: FTRL-proximal, River's online models, drift detection, daily retrains.

A click model in production sees one impression at a time and the world
under it changes (a new season, a new creative, a competitor). This module
gives the pieces lesson 21 compares on a simulated click stream whose true
click rates change mid-stream:

- :class:`FTRLProximalClassifier`: logistic regression trained one
  impression at a time by FTRL-proximal (McMahan et al. 2013), written out
  so the update can be read, with ``progressive_predict`` for
  test-then-train evaluation;
- :func:`river_progressive`: the same protocol for any River classifier
  (e.g. ``LogisticRegression(optimizer=optim.FTRLProximal())``);
- :func:`adwin_alarms`: River's ADWIN change detector over a stream of
  numbers (a click indicator, or a model's per-impression loss);
- :func:`daily_batch_predictions`: the batch alternative, a scikit-learn
  logistic regression refitted every night;
- :func:`simulate_click_stream`, :func:`click_features`, :func:`daily_metrics`.

The click stream is simulated because only a simulation knows the true
click probabilities and the moment they change, which is what lets the
lesson measure how fast each learner notices. Introduced in lesson 21.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.utils.validation import check_is_fitted

from .columns import CLICK
from .randomness import check_random_state
from .validation import (
    _float_array,
    require_binary,
    require_bool,
    require_frame,
    require_in_range,
    require_positive_int,
)

CLICK_FIELDS = ("creative", "segment", "device")
DAY = "day"
P_CLICK = "p_click"


# =========================================================================== FTRL-proximal


def _check_xy(X, y=None, n_features: int | None = None):
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
    else:
        arr = _float_array(X, "X", "a 2-d array of numbers (rows x features)")
        if arr.ndim != 2:
            raise ValueError(f"X: expected a 2-d array (rows x features), got shape {arr.shape}")
        X = sp.csr_matrix(arr)
    if X.shape[0] == 0:
        raise ValueError("X: expected at least one row, got an empty stream")
    if not np.isfinite(X.data).all():
        raise ValueError("X: expected finite values, found NaN or inf")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X: expected {n_features} features as in fit, got {X.shape[1]}")
    if y is None:
        return X, None
    y = require_binary(y, "y", X.shape[0], what="0/1 labels")
    return X, y.astype(np.float64)


class FTRLProximalClassifier(ClassifierMixin, BaseEstimator):
    """Give an online logistic regression trained by FTRL-proximal, one row at a time.

    Per coordinate ``i`` the learner keeps ``z_i`` and ``n_i`` (both 0 at
    the start). For each row ``x`` with label ``y`` (McMahan et al. 2013,
    Algorithm 1)::

        w_i = 0                                               if |z_i| <= l1
        w_i = -(z_i - sign(z_i) l1) / ((beta + sqrt(n_i)) / alpha + l2)   otherwise
        p   = sigmoid(w . x)                                  (predict)
        g_i = (p - y) x_i                                     (log-loss gradient)
        s_i = (sqrt(n_i + g_i^2) - sqrt(n_i)) / alpha
        z_i += g_i - s_i w_i ;   n_i += g_i^2                 (learn)

    ``n_i`` makes the learning rate per coordinate, ``alpha / (beta +
    sqrt(n_i))``: rare features keep learning fast. ``l1`` sets weights
    exactly to 0 (sparse models at ad scale). Only the row's non-zero
    coordinates are touched, so a step costs O(non-zeros). Rows are
    learned in order: that loop is the algorithm, not a missed
    vectorisation. Introduced in lesson 21.

    River's ``optim.FTRLProximal`` implements the same update but computes
    the gradient with the weights of the previous step (it refreshes ``w``
    from ``z`` after predicting); the two agree closely, not exactly.

    Parameters
    ----------
    alpha, beta : float
        Learning-rate scale and smoothing (> 0 and >= 0).
    l1, l2 : float
        Regularisation (>= 0).
    fit_intercept : bool
        Add a constant feature (coordinate 0 of ``z_``) learned the same way.

    Attributes
    ----------
    z_, n_ : ndarray (n_features + fit_intercept,)
    coef_ : ndarray (1, n_features)
    intercept_ : ndarray (1,)
    classes_ : ndarray [0, 1]
    n_seen_ : int

    References
    ----------
    McMahan, H. B., Holt, G., Sculley, D., et al. (2013). Ad click prediction:
    a view from the trenches. KDD 2013, 1222-1230.
    """

    def __init__(self, alpha: float = 0.1, beta: float = 1.0, l1: float = 0.0, l2: float = 1.0,
                 fit_intercept: bool = True):
        self.alpha = alpha
        self.beta = beta
        self.l1 = l1
        self.l2 = l2
        self.fit_intercept = fit_intercept

    def _check_params(self) -> None:
        require_in_range(self.alpha, "alpha", 0, np.inf, low_inclusive=False)
        require_in_range(self.beta, "beta", 0, np.inf)
        require_in_range(self.l1, "l1", 0, np.inf)
        require_in_range(self.l2, "l2", 0, np.inf)
        require_bool(self.fit_intercept, "fit_intercept")

    def _weights(self, idx: np.ndarray) -> np.ndarray:
        z = self.z_[idx]
        w = -(z - np.sign(z) * self.l1) / ((self.beta + np.sqrt(self.n_[idx])) / self.alpha + self.l2)
        w[np.abs(z) <= self.l1] = 0.0
        return w

    def _augment(self, X: sp.csr_matrix) -> sp.csr_matrix:
        if not self.fit_intercept:
            return X
        return sp.hstack([np.ones((X.shape[0], 1)), X], format="csr")

    def _run(self, X, y, *, record: bool) -> np.ndarray | None:
        X = self._augment(X)
        indptr, indices, data = X.indptr.tolist(), X.indices.tolist(), X.data.tolist()
        labels = y.tolist()
        # plain floats: a row has a handful of non-zeros, where numpy's per-call cost would dominate
        z, n = self.z_.tolist(), self.n_.tolist()
        alpha, beta, l1, l2 = float(self.alpha), float(self.beta), float(self.l1), float(self.l2)
        out = []
        for r in range(len(labels)):
            lo, hi = indptr[r], indptr[r + 1]
            cols, xs = indices[lo:hi], data[lo:hi]
            ws = []
            dot = 0.0
            for i, x in zip(cols, xs, strict=True):
                zi = z[i]
                if abs(zi) <= l1:
                    w = 0.0
                else:
                    w = -(zi - math.copysign(l1, zi)) / ((beta + math.sqrt(n[i])) / alpha + l2)
                ws.append(w)
                dot += w * x
            p = 1.0 / (1.0 + math.exp(-min(max(dot, -35.0), 35.0)))
            out.append(p)
            err = p - labels[r]
            for i, x, w in zip(cols, xs, ws, strict=True):
                g = err * x
                ni = n[i]
                sigma = (math.sqrt(ni + g * g) - math.sqrt(ni)) / alpha
                z[i] += g - sigma * w
                n[i] = ni + g * g
        self.z_, self.n_ = np.array(z), np.array(n)
        self.n_seen_ += len(labels)
        return np.array(out) if record else None

    def _start(self, n_features: int) -> None:
        self._check_params()
        size = n_features + int(self.fit_intercept)
        self.z_ = np.zeros(size)
        self.n_ = np.zeros(size)
        self.n_features_in_ = n_features
        self.classes_ = np.array([0, 1])
        self.n_seen_ = 0

    def partial_fit(self, X, y) -> FTRLProximalClassifier:
        """Learn the rows of ``X`` in order (continuing from earlier calls); give ``self``."""
        first = not hasattr(self, "z_")
        X, y = _check_xy(X, y, None if first else self.n_features_in_)
        if first:
            self._start(X.shape[1])
        self._run(X, y, record=False)
        return self

    def fit(self, X, y) -> FTRLProximalClassifier:
        """Learn the rows of ``X`` in order from a fresh start (one pass); give ``self``."""
        X, y = _check_xy(X, y)
        self._start(X.shape[1])
        self._run(X, y, record=False)
        return self

    def progressive_predict(self, X, y) -> np.ndarray:
        """Give P(click) of each row predicted *before* learning it, then learn it (test-then-train).

        Starts fresh if not fitted yet, else continues. The mean log loss of
        the result is the progressive validation loss (Blum et al. 1999).
        """
        first = not hasattr(self, "z_")
        X, y = _check_xy(X, y, None if first else self.n_features_in_)
        if first:
            self._start(X.shape[1])
        return self._run(X, y, record=True)

    @property
    def coef_(self) -> np.ndarray:
        check_is_fitted(self, "z_")
        w = self._weights(np.arange(len(self.z_)))
        return w[int(self.fit_intercept):][None, :]

    @property
    def intercept_(self) -> np.ndarray:
        check_is_fitted(self, "z_")
        return self._weights(np.array([0]))[:1] if self.fit_intercept else np.zeros(1)

    def decision_function(self, X) -> np.ndarray:
        """Give the logit ``w . x + b`` of each row."""
        check_is_fitted(self, "z_")
        X, _ = _check_xy(X, None, self.n_features_in_)
        return np.asarray(X @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        """Give ``[P(0), P(1)]`` per row."""
        p = 1.0 / (1.0 + np.exp(-np.clip(self.decision_function(X), -35.0, 35.0)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        """Give 1 where P(click) >= 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)


# =========================================================================== River


def river_progressive(model, rows, y, metrics=()) -> np.ndarray:
    """Give a River classifier's P(1) for each row, predicted before it learns that row.

    ``rows`` are River's dict rows (see :func:`click_features` with
    ``as_dicts=True``); each River metric in ``metrics`` (e.g.
    ``metrics.LogLoss()``) is updated as River's ``progressive_val_score``
    would. The model is updated in place (River models are stateful).
    Introduced in lesson 21.
    """
    if not (hasattr(model, "learn_one") and hasattr(model, "predict_proba_one")):
        raise TypeError(f"model: expected a River classifier with learn_one/predict_proba_one, got {type(model).__name__}")
    if isinstance(rows, (str, bytes, dict)) or not hasattr(rows, "__iter__"):
        raise TypeError(f"rows: expected an iterable of dict rows (click_features(..., as_dicts=True)), got {type(rows).__name__}")
    rows = list(rows)
    y = np.asarray(y)
    if not rows:
        raise ValueError("rows: expected at least one row, got an empty stream")
    if y.shape != (len(rows),):
        raise ValueError(f"y: expected {len(rows)} labels (one per row), got shape {y.shape}")
    out = np.empty(len(rows))
    for i, (x, label) in enumerate(zip(rows, y.tolist(), strict=True)):
        proba = model.predict_proba_one(x)
        out[i] = proba.get(True, proba.get(1, 0.0))
        for metric in metrics:
            metric.update(bool(label), proba)
        model.learn_one(x, bool(label))
    return out


def adwin_alarms(values, delta: float = 0.002, *, grace_period: int = 10, clock: int = 32) -> np.ndarray:
    """Give the positions at which River's ADWIN detector signals a change in the mean of ``values``.

    ADWIN (Bifet & Gavaldà 2007) keeps a window of recent values and drops
    its older part whenever the two parts' means differ by more than a
    Hoeffding-style bound set by ``delta`` (smaller: fewer false alarms,
    later detection). Introduced in lesson 21.
    """
    from river import drift

    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"values: expected a non-empty 1-d array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("values: expected finite numbers, found NaN or inf")
    require_in_range(delta, "delta", 0, 1, low_inclusive=False, high_inclusive=False)
    detector = drift.ADWIN(delta=delta, grace_period=require_positive_int(grace_period, "grace_period"),
                           clock=require_positive_int(clock, "clock"))
    alarms = []
    for i, v in enumerate(arr.tolist()):
        detector.update(v)
        if detector.drift_detected:
            alarms.append(i)
    return np.array(alarms, dtype=np.int64)


# =========================================================================== the simulated world


def simulate_click_stream(
    n_days: int = 20,
    impressions_per_day: int = 2000,
    change_day: int = 10,
    *,
    n_creatives: int = 4,
    n_segments: int = 4,
    random_state=0,
) -> pd.DataFrame:
    """Give a simulated impression stream whose click rates change on ``change_day`` (a new season).

    Each impression shows one of ``n_creatives`` creatives to a customer of
    one of ``n_segments`` segments on one of two devices. The true logit is
    a base rate plus creative, segment and device effects plus a creative x
    segment effect (which creative suits whom). On ``change_day`` the
    creative and creative x segment effects are redrawn: the season turns
    and yesterday's best creative for a segment may now be poor. Rows are
    in time order. Introduced in lesson 21.

    Returns
    -------
    DataFrame
        ``day``, ``time`` (days as a float), ``creative``, ``segment``,
        ``device``, ``p_click`` (the true probability) and ``click`` (0/1);
        ``attrs["change_day"]`` holds the change day.
    """
    n_days = require_positive_int(n_days, "n_days")
    per_day = require_positive_int(impressions_per_day, "impressions_per_day")
    n_creatives = require_positive_int(n_creatives, "n_creatives")
    n_segments = require_positive_int(n_segments, "n_segments")
    if isinstance(change_day, bool) or not isinstance(change_day, (int, np.integer)) or not 0 < change_day < n_days:
        raise ValueError(f"change_day: expected an integer in [1, n_days - 1] = [1, {n_days - 1}], got {change_day!r}")
    rng = check_random_state(random_state)
    seasons = [
        (rng.normal(0, 0.5, n_creatives), rng.normal(0, 0.8, (n_creatives, n_segments)))
        for _ in range(2)
    ]
    segment_effect = rng.normal(0, 0.4, n_segments)
    device_effect = np.array([0.0, -0.4])
    n = n_days * per_day
    day = np.repeat(np.arange(n_days), per_day)
    time = day + np.sort(rng.random((n_days, per_day)), axis=1).ravel()
    creative = rng.integers(0, n_creatives, n)
    segment = rng.integers(0, n_segments, n)
    device = (rng.random(n) < 0.4).astype(np.int64)
    after = day >= change_day
    logit = np.full(n, -2.2) + segment_effect[segment] + device_effect[device]
    for season, mask in ((0, ~after), (1, after)):
        c_eff, cs_eff = seasons[season]
        logit[mask] += c_eff[creative[mask]] + cs_eff[creative[mask], segment[mask]]
    p = 1.0 / (1.0 + np.exp(-logit))
    frame = pd.DataFrame(
        {DAY: day, "time": time, "creative": creative, "segment": segment, "device": device,
         P_CLICK: p, CLICK: (rng.random(n) < p).astype(np.int64)}
    )
    frame.attrs["change_day"] = int(change_day)
    return frame


def click_features(frame: pd.DataFrame, *, as_dicts: bool = False):
    """Give the one-hot features of a click stream: creative, segment, device and creative x segment.

    Returns ``(X, names)`` with ``X`` a sparse CSR 0/1 matrix, or with
    ``as_dicts=True`` a list of River dict rows ``{"creative=2": 1, ...}``
    (plus ``"bias": 1``, so River's model can learn the intercept through
    its optimiser). Introduced in lesson 21.
    """
    require_frame(frame, CLICK_FIELDS, "frame")
    require_bool(as_dicts, "as_dicts")
    values = {f: frame[f].to_numpy() for f in CLICK_FIELDS}
    values["creative_x_segment"] = values["creative"] * 1000 + values["segment"]
    if as_dicts:
        keys = list(values)
        cols = [[f"{k}={v}" for v in values[k].tolist()] for k in keys]
        return [dict.fromkeys(("bias", *names), 1.0) for names in zip(*cols, strict=True)]
    blocks, names = [], []
    for field, v in values.items():
        codes, levels = pd.factorize(v, sort=True)
        blocks.append(sp.csr_matrix((np.ones(len(v)), (np.arange(len(v)), codes)), shape=(len(v), len(levels))))
        names += [f"{field}={level}" for level in levels]
    return sp.hstack(blocks, format="csr"), names


def daily_batch_predictions(frame: pd.DataFrame, X, *, window_days: int | None = None, C: float = 1.0,
                            random_state=0) -> np.ndarray:
    """Give P(click) of each row from a logistic regression refitted every night on earlier days.

    The model used on day ``d`` is fitted on days ``< d`` (the last
    ``window_days`` of them if given); day 0 has no model and gets NaN.
    Introduced in lesson 21.
    """
    require_frame(frame, [DAY, CLICK], "frame")
    n_x = X.shape[0] if hasattr(X, "shape") and len(X.shape) else None
    if n_x is not None and n_x != len(frame):
        raise ValueError(f"X: expected one row per row of frame ({len(frame)}), got {n_x}")
    X, y = _check_xy(X, frame[CLICK].to_numpy())
    if window_days is not None:
        window_days = require_positive_int(window_days, "window_days")
    days = frame[DAY].to_numpy()
    if (np.diff(days) < 0).any():
        raise ValueError("frame: expected rows in time order (non-decreasing day), got out-of-order days")
    # One-hot rows repeat: fit on the distinct rows with click / no-click counts as weights,
    # which gives the same log likelihood (and so the same model) as the individual rows.
    dense = np.ascontiguousarray(X.toarray())
    keys = dense.view(np.dtype((np.void, dense.dtype.itemsize * dense.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    patterns, inverse = dense[first], inverse.ravel()
    n_patterns = len(patterns)
    day_values = np.unique(days)
    day_pos = np.searchsorted(day_values, days)
    cell = day_pos * n_patterns + inverse
    shape = (len(day_values), n_patterns)
    shown = np.bincount(cell, minlength=shape[0] * shape[1]).reshape(shape)
    clicked = np.bincount(cell, weights=y, minlength=shape[0] * shape[1]).reshape(shape)
    out = np.full(len(frame), np.nan)
    seed = int(check_random_state(random_state).integers(2**31 - 1))
    X2 = np.vstack([patterns, patterns])
    y2 = np.r_[np.ones(n_patterns), np.zeros(n_patterns)]
    for pos in range(1, len(day_values)):
        d = day_values[pos]
        keep = (day_values < d) if window_days is None else (day_values < d) & (day_values >= d - window_days)
        clicks, views = clicked[keep].sum(axis=0), shown[keep].sum(axis=0)
        weight = np.r_[clicks, views - clicks]
        if clicks.sum() == 0 or clicks.sum() == views.sum():
            continue
        model = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10, max_iter=100, random_state=seed)
        model.fit(X2[weight > 0], y2[weight > 0], sample_weight=weight[weight > 0])
        today = day_pos == pos
        out[today] = model.predict_proba(patterns)[:, 1][inverse[today]]
    return out


def daily_metrics(frame: pd.DataFrame, predictions: dict) -> pd.DataFrame:
    """Give AUC and log loss per day of each model's predictions (rows: day; columns: (metric, model)).

    Days where a model has NaN predictions (no model yet) are left NaN.
    Introduced in lesson 21.
    """
    require_frame(frame, [DAY, CLICK], "frame")
    if not isinstance(predictions, dict) or not predictions:
        raise TypeError("predictions: expected a non-empty dict {model name: array of P(click)}")
    rows = {}
    y = frame[CLICK].to_numpy()
    groups = frame.groupby(DAY).indices
    for name, p in predictions.items():
        p = np.asarray(p, dtype=float)
        if p.shape != y.shape:
            raise ValueError(f"predictions: expected {len(y)} values for {name!r}, got shape {p.shape}")
        for d, idx in groups.items():
            pd_, yd = p[idx], y[idx]
            ok = ~np.isnan(pd_)
            if ok.sum() == 0 or np.unique(yd[ok]).size < 2:
                auc = loss = np.nan
            else:
                auc = roc_auc_score(yd[ok], pd_[ok])
                loss = log_loss(yd[ok], np.clip(pd_[ok], 1e-12, 1 - 1e-12), labels=[0, 1])
            rows[(d, name)] = (auc, loss)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["AUC", "log loss"])
    table.index = pd.MultiIndex.from_tuples(table.index, names=[DAY, "model"])
    return table.unstack("model")
