"""Tests of pmkt_lessons.online: FTRL-proximal, River wrappers, ADWIN, daily batch retrains."""

import math

import numpy as np
import pandas as pd
import pytest
from river import linear_model, metrics, optim
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from pmkt_lessons.online import (
    FTRLProximalClassifier,
    adwin_alarms,
    click_features,
    daily_batch_predictions,
    daily_metrics,
    river_progressive,
    simulate_click_stream,
)


def _separable(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X @ np.array([2.0, -1.0, 0.5]) > 0).astype(int)
    return X, y


def _reference_ftrl(X, y, alpha, beta, l1, l2):
    """McMahan et al. (2013), Algorithm 1, literally: per coordinate, per row, in Python."""
    d = X.shape[1] + 1
    z, n = [0.0] * d, [0.0] * d
    preds = []
    for row, label in zip(X.tolist(), y.tolist(), strict=True):
        x = [1.0, *row]
        w = [0.0 if abs(z[i]) <= l1 else
             -(z[i] - math.copysign(l1, z[i])) / ((beta + math.sqrt(n[i])) / alpha + l2) for i in range(d)]
        p = 1 / (1 + math.exp(-sum(wi * xi for wi, xi in zip(w, x, strict=True))))
        preds.append(p)
        for i in range(d):
            g = (p - label) * x[i]
            s = (math.sqrt(n[i] + g * g) - math.sqrt(n[i])) / alpha
            z[i] += g - s * w[i]
            n[i] += g * g
    return np.array(preds)


def test_ftrl_matches_algorithm_1_exactly():
    X, y = _separable(300)
    ftrl = FTRLProximalClassifier(alpha=0.2, beta=1.0, l1=0.5, l2=0.1)
    preds = ftrl.progressive_predict(X, y)
    np.testing.assert_allclose(preds, _reference_ftrl(X, y, 0.2, 1.0, 0.5, 0.1), rtol=1e-12)


def test_ftrl_converges_on_a_separable_stream():
    X, y = _separable()
    ftrl = FTRLProximalClassifier(alpha=0.5, l2=0.0)
    preds = ftrl.progressive_predict(X, y)
    first, last = preds[:300], preds[-300:]
    errors_first = np.mean((first >= 0.5) != y[:300])
    errors_last = np.mean((last >= 0.5) != y[-300:])
    assert errors_last < 0.03 and errors_last < errors_first
    coef = ftrl.coef_[0]
    cosine = coef @ np.array([2.0, -1.0, 0.5]) / np.linalg.norm(coef) / np.linalg.norm([2.0, -1.0, 0.5])
    assert cosine > 0.98
    assert ftrl.score(*_separable(1000, seed=1)) > 0.97


def test_ftrl_agrees_with_river_ftrl():
    X, y = _separable(2000)
    ftrl = FTRLProximalClassifier(alpha=0.1, beta=1.0, l1=0.0, l2=1.0)
    ours = ftrl.progressive_predict(X, y)
    river_model = linear_model.LogisticRegression(
        optimizer=optim.FTRLProximal(alpha=0.1, beta=1.0, l1=0.0, l2=1.0), intercept_lr=0.0
    )
    rows = [{"bias": 1.0, **{f"x{j}": v for j, v in enumerate(r)}} for r in X.tolist()]
    loss = metrics.LogLoss()
    theirs = river_progressive(river_model, rows, y, [loss])
    # River computes each gradient with the previous step's weights: close, not identical
    assert np.abs(ours - theirs)[500:].max() < 0.02
    np.testing.assert_allclose(loss.get(), log_loss(y, theirs), rtol=1e-9)
    river_w = np.array([river_model.weights[f"x{j}"] for j in range(3)])
    np.testing.assert_allclose(ftrl.coef_[0], river_w, atol=0.02)


def test_ftrl_l1_gives_exact_zeros_and_sklearn_api():
    X, y = _separable(1000)
    X = np.column_stack([X, np.random.default_rng(3).normal(size=(1000, 5)) * 0.01])
    model = FTRLProximalClassifier(alpha=0.1, l1=5.0).fit(X, y)
    assert (model.coef_[0][3:] == 0).all() and (model.coef_[0][:3] != 0).any()
    assert clone(model).get_params() == model.get_params()
    assert model.predict_proba(X).shape == (1000, 2)
    with pytest.raises(NotFittedError):
        FTRLProximalClassifier().predict_proba(X)
    # partial_fit continues where fit stopped: two halves equal one pass
    a = FTRLProximalClassifier().fit(X, y)
    b = FTRLProximalClassifier().partial_fit(X[:500], y[:500]).partial_fit(X[500:], y[500:])
    np.testing.assert_allclose(a.coef_, b.coef_)


@pytest.mark.parametrize(
    ("kwargs", "args", "match"),
    [
        ({"alpha": 0}, None, r"alpha: expected a value in \(0"),
        ({"l1": -1}, None, "l1: expected a value"),
        ({"fit_intercept": 1}, None, "fit_intercept: expected True or False"),
        ({}, (np.zeros((0, 2)), np.zeros(0)), "X: expected at least one row, got an empty stream"),
        ({}, (np.zeros((3, 2)), [0, 1, 2]), "y: expected 0/1 labels"),
        ({}, (np.zeros((3, 2)), [0, 1]), "y: expected 3 labels"),
        ({}, (np.full((2, 2), np.nan), [0, 1]), "X: expected finite values"),
    ],
)
def test_ftrl_bad_inputs(kwargs, args, match):
    X, y = (np.zeros((2, 2)), np.array([0, 1])) if args is None else args
    with pytest.raises((ValueError, TypeError), match=match):
        FTRLProximalClassifier(**kwargs).fit(X, y)


def test_ftrl_does_not_modify_inputs():
    X, y = _separable(200)
    X0, y0 = X.copy(), y.copy()
    FTRLProximalClassifier().progressive_predict(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# --------------------------------------------------------------------------- ADWIN


def test_adwin_flags_a_planted_change_within_the_stated_delay():
    rng = np.random.default_rng(0)
    values = np.r_[rng.random(3000) < 0.2, rng.random(3000) < 0.4].astype(float)
    alarms = adwin_alarms(values, delta=0.002)
    after = alarms[alarms >= 3000]
    assert len(after) >= 1 and after[0] - 3000 <= 300  # stated delay: 300 observations
    assert not (alarms < 3000).any()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adwin_no_alarm_on_a_stationary_stream(seed):
    values = (np.random.default_rng(seed).random(10_000) < 0.2).astype(float)
    assert adwin_alarms(values, delta=0.002).size == 0


def test_adwin_bad_inputs():
    with pytest.raises(ValueError, match="values: expected a non-empty 1-d array"):
        adwin_alarms([])
    with pytest.raises(ValueError, match="values: expected finite numbers"):
        adwin_alarms([0.0, np.nan])
    with pytest.raises(ValueError, match=r"delta: expected a value in \(0, 1\)"):
        adwin_alarms([0.0, 1.0], delta=0)


# --------------------------------------------------------------------------- simulated stream, batch


def test_click_stream_changes_on_the_change_day():
    frame = simulate_click_stream(n_days=6, impressions_per_day=500, change_day=3, random_state=1)
    assert len(frame) == 3000 and frame.attrs["change_day"] == 3
    assert (np.diff(frame["time"]) >= 0).all()
    before = frame[frame["day"] < 3].groupby(["creative", "segment", "device"])["p_click"].first()
    after = frame[frame["day"] >= 3].groupby(["creative", "segment", "device"])["p_click"].first()
    assert not np.allclose(before, after.reindex(before.index))
    same = simulate_click_stream(n_days=6, impressions_per_day=500, change_day=3, random_state=1)
    pd.testing.assert_frame_equal(frame, same)
    with pytest.raises(ValueError, match="change_day: expected an integer in"):
        simulate_click_stream(n_days=5, change_day=5)
    with pytest.raises(ValueError, match="n_days: expected a positive integer"):
        simulate_click_stream(n_days=0)


def test_click_features_sparse_and_dicts_agree():
    frame = simulate_click_stream(n_days=2, impressions_per_day=100, change_day=1)
    X, names = click_features(frame)
    rows = click_features(frame, as_dicts=True)
    assert X.shape == (200, len(names)) and (np.asarray(X.sum(axis=1)).ravel() == 4).all()
    assert {k for k in rows[0] if k != "bias"} == {names[j] for j in X[0].indices}
    with pytest.raises(ValueError, match="frame: expected columns"):
        click_features(frame.drop(columns="device"))


def test_daily_batch_equals_sklearn_on_rows_and_never_sees_today():
    frame = simulate_click_stream(n_days=4, impressions_per_day=800, change_day=2, random_state=2)
    X, _ = click_features(frame)
    before = frame.copy()
    preds = daily_batch_predictions(frame, X)
    pd.testing.assert_frame_equal(frame, before)
    days = frame["day"].to_numpy()
    assert np.isnan(preds[days == 0]).all() and not np.isnan(preds[days > 0]).any()
    row_level = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-10).fit(X[days < 3], frame["click"][days < 3])
    np.testing.assert_allclose(preds[days == 3], row_level.predict_proba(X[days == 3])[:, 1], atol=1e-6)
    # changing today's clicks does not change today's predictions
    flipped = frame.assign(click=np.where(days == 3, 1 - frame["click"], frame["click"]))
    np.testing.assert_allclose(daily_batch_predictions(flipped, X)[days == 3], preds[days == 3])


def test_daily_metrics_table():
    frame = simulate_click_stream(n_days=3, impressions_per_day=600, change_day=1)
    table = daily_metrics(frame, {"truth": frame["p_click"].to_numpy()})
    assert table.shape == (3, 2) and table["AUC"]["truth"].between(0.5, 1).all()
    with pytest.raises(ValueError, match="predictions: expected 1800 values"):
        daily_metrics(frame, {"bad": np.zeros(3)})
    with pytest.raises(TypeError, match="predictions: expected a non-empty dict"):
        daily_metrics(frame, {})


def test_river_progressive_bad_inputs():
    with pytest.raises(TypeError, match="model: expected a River classifier"):
        river_progressive(object(), [{}], [1])
    with pytest.raises(ValueError, match="rows: expected at least one row"):
        river_progressive(linear_model.LogisticRegression(), [], [])


def test_river_progressive_equals_rivers_progressive_val_score():
    from river import evaluate

    frame = simulate_click_stream(n_days=2, impressions_per_day=500, change_day=1, random_state=4)
    rows = click_features(frame, as_dicts=True)
    y = frame["click"].to_numpy()

    def make():
        return linear_model.LogisticRegression(optimizer=optim.FTRLProximal(), intercept_lr=0.0)

    ours = metrics.LogLoss()
    river_progressive(make(), rows, y, [ours])
    theirs = evaluate.progressive_val_score(
        zip(rows, (y == 1).tolist(), strict=True),
        make(), metrics.LogLoss(),
    )
    assert np.isclose(ours.get(), theirs.get(), rtol=1e-12)
