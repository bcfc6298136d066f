"""FM, Wide&Deep, DeepFM and their shared trainer."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from pmkt_lessons.ctr.encoding import EncodedFields, FieldEncoder
from pmkt_lessons.ctr.models import CTRNet, DeepFM, FactorizationMachine, WideAndDeep, _Lookup
from pmkt_lessons.ctr.train import TrainSettings, predict_logits, train_ctr_net

CAT = ["a", "b", "c"]


@pytest.fixture(scope="module")
def xor_data():
    """Clicks driven by an a x b interaction that no main effect explains."""
    rng = np.random.default_rng(0)
    n = 8_000
    a, b, c = rng.integers(0, 6, n), rng.integers(0, 6, n), rng.integers(0, 3, n)
    u = rng.normal(size=6)
    z = -1.0 + 1.5 * u[a] * u[b]
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X = pd.DataFrame({"a": a.astype(str), "b": b.astype(str), "c": c, "x": rng.normal(size=n)})
    return X, y, 1 / (1 + np.exp(-z))


def _fit(cls, X, y, **kw):
    params = dict(embedding_dim=4, hidden=(16,), lr=0.02, batch_size=500, epochs=6, random_state=0, device="cpu", progress=False)
    params.update(kw)
    return cls(CAT, ["x"], **params).fit(X.iloc[:6000], y[:6000], X.iloc[6000:7000], y[6000:7000])


def test_fm_term_equals_the_sum_over_pairs():
    torch.manual_seed(0)
    net = CTRNet(10, 3, 0, 4, fm=True)
    index = torch.tensor([[1, 4, 8], [0, 5, 9]])
    v = net.table.weight[:, 1:]
    by_hand = torch.stack([
        sum((v[r[i]] * v[r[j]]).sum() for i in range(3) for j in range(i + 1, 3)) for r in index
    ])
    lin = net.table.weight[:, 0][index].sum(dim=1) + net.bias
    torch.testing.assert_close(net(index, torch.zeros(2, 0)), lin + by_hand)


def test_lookup_matches_embedding_forward_and_backward():
    w1 = torch.randn(7, 3, requires_grad=True)
    w2 = w1.detach().clone().requires_grad_(True)
    index = torch.tensor([[0, 3, 3], [6, 0, 1]])
    g = torch.randn(2, 3, 3)
    _Lookup.apply(w1, index).backward(g)
    torch.nn.functional.embedding(index, w2).backward(g)
    torch.testing.assert_close(w1.grad, w2.grad)


@pytest.mark.parametrize("cls", [FactorizationMachine, WideAndDeep, DeepFM])
def test_models_learn_the_interaction(xor_data, cls):
    X, y, p = xor_data
    model = _fit(cls, X, y)
    proba = model.predict_proba(X.iloc[7000:])
    assert proba.shape == (1000, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    auc = roc_auc_score(y[7000:], proba[:, 1])
    assert auc > roc_auc_score(y[7000:], p[7000:]) - 0.04
    assert model.history_.columns.tolist() == ["epoch", "train_log_loss", "val_log_loss"]
    assert model.best_epoch_ == model.history_.loc[model.history_.val_log_loss.idxmin(), "epoch"]


def test_fm_beats_a_linear_model_on_an_interaction(xor_data):
    X, y, _ = xor_data
    assert not CTRNet(5, 1, 0, fm=False).has_embedding  # linear part only: logistic regression
    fm = _fit(FactorizationMachine, X, y)
    enc = FieldEncoder(CAT, ["x"]).fit(X.iloc[:6000])
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(max_iter=1000).fit(enc.one_hot(X.iloc[:6000]), y[:6000])
    auc_lr = roc_auc_score(y[7000:], lr.predict_proba(enc.one_hot(X.iloc[7000:]))[:, 1])
    auc_fm = roc_auc_score(y[7000:], fm.predict_proba(X.iloc[7000:])[:, 1])
    assert auc_fm > auc_lr + 0.05


def test_same_seed_same_model(xor_data):
    X, y, _ = xor_data
    a = _fit(DeepFM, X, y, epochs=2).predict_proba(X.iloc[:50])
    b = _fit(DeepFM, X, y, epochs=2).predict_proba(X.iloc[:50])
    np.testing.assert_array_equal(a, b)


def test_unknown_levels_at_predict_time(xor_data):
    X, y, _ = xor_data
    model = _fit(FactorizationMachine, X, y, epochs=2)
    new = pd.DataFrame({"a": ["never-seen", "1"], "b": ["1", None], "c": [99, 0], "x": [0.0, 0.0]})
    p = model.predict_proba(new)[:, 1]
    assert np.isfinite(p).all() and ((p > 0) & (p < 1)).all()
    assert model.predict_proba(X.iloc[:0]).shape == (0, 2)


def test_holdout_is_used_without_a_validation_set(xor_data):
    X, y, _ = xor_data
    model = FactorizationMachine(CAT, ["x"], epochs=1, device="cpu", progress=False).fit(X.iloc[:2000], y[:2000])
    assert len(model.history_) == 1


def test_early_stopping_restores_the_best_epoch():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    train = EncodedFields(rng.integers(0, 50, (300, 2)), np.zeros((300, 0), np.float32))
    val = EncodedFields(rng.integers(0, 50, (300, 2)), np.zeros((300, 0), np.float32))
    y_train, y_val = rng.integers(0, 2, 300), rng.integers(0, 2, 300)  # pure noise: overfits
    net = CTRNet(50, 2, 0, 8)
    settings = TrainSettings(lr=0.1, batch_size=32, epochs=30, patience=2)
    history = train_ctr_net(net, train, y_train, val, y_val, settings, device="cpu", progress=False)
    assert len(history) < 30
    best = history["val_log_loss"].min()
    logits = torch.as_tensor(predict_logits(net, val))
    restored = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.as_tensor(y_val, dtype=torch.float64))
    assert float(restored) == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize(
    ("field", "value", "exc"),
    [
        ("lr", 0.0, ValueError),
        ("batch_size", 0, ValueError),
        ("epochs", 1.5, TypeError),
        ("patience", 0, ValueError),
        ("weight_decay", -1.0, ValueError),
        ("lr_decay", 0.0, ValueError),
        ("random_state", "x", TypeError),
    ],
)
def test_bad_settings_name_themselves(field, value, exc):
    with pytest.raises(exc, match=field):
        TrainSettings(**{field: value}).checked()


def test_bad_model_input(xor_data):
    X, y, _ = xor_data
    model = FactorizationMachine(CAT, ["x"], device="cpu", progress=False)
    with pytest.raises(ValueError, match="X"):
        model.fit(X.iloc[:0], y[:0])
    with pytest.raises(ValueError, match="X"):
        model.fit(X.drop(columns=["b"]), y)
    with pytest.raises(ValueError, match="y_train"):
        model.fit(X.iloc[:100], y[:100] * 2, X.iloc[100:200], y[100:200])
    with pytest.raises(ValueError, match="y_val"):
        model.fit(X.iloc[:100], y[:100], X.iloc[100:200], y[100:150])
    with pytest.raises(ValueError, match="X_val"):
        model.fit(X.iloc[:100], y[:100], X.iloc[100:200])
    with pytest.raises(ValueError, match="embedding_dim"):
        FactorizationMachine(CAT, embedding_dim=0).fit(X, y)
    with pytest.raises(ValueError, match="dropout"):
        DeepFM(CAT, dropout=1.0).fit(X, y)
    with pytest.raises(NotFittedError, match="fit"):
        DeepFM(CAT).predict_proba(X)


def test_no_mutation(xor_data):
    X, y, _ = xor_data
    X2, y2 = X.iloc[:3000].copy(), y[:3000].copy()
    model = WideAndDeep(CAT, ["x"], epochs=1, device="cpu", progress=False)
    model.fit(X2.iloc[:2000], y2[:2000], X2.iloc[2000:], y2[2000:]).predict_proba(X2)
    model.fit(X2, y2)
    pd.testing.assert_frame_equal(X2, X.iloc[:3000])
    np.testing.assert_array_equal(y2, y[:3000])


def test_to_tensors_keeps_values_and_types():
    from pmkt_lessons.ctr.train import to_tensors

    enc = EncodedFields(np.array([[0, 3], [1, 2]]), np.array([[0.5], [-1.0]], dtype=np.float32))
    index, dense = to_tensors(enc, "cpu")
    assert index.dtype == torch.long and dense.dtype == torch.float32
    assert index.tolist() == [[0, 3], [1, 2]] and dense.ravel().tolist() == [0.5, -1.0]


# --- Wide&Deep cross-product features, and early stopping that triggers ----------------------


def test_cross_features_known_answer_and_no_mutation():
    from pmkt_lessons.ctr.models import cross_features

    X = pd.DataFrame({"d": ["m", "t", "m"], "c": [1, 2, 2], "z": [0.1, 0.2, 0.3]})
    before = X.copy()
    out = cross_features(X, [("d", "c")])
    assert out.columns.tolist() == ["d x c"] and out["d x c"].tolist() == ["m|1", "t|2", "m|2"]
    assert out.index.equals(X.index)
    pd.testing.assert_frame_equal(X, before)
    assert cross_features(X, []).shape == (3, 0)


def test_cross_features_gives_missing_levels_the_text_nan():
    # pandas' string dtype keeps a missing value missing in astype(str); text + NaN used to raise a bare TypeError
    from pmkt_lessons.ctr.models import cross_features

    X = pd.DataFrame({"d": ["m", None, "t"], "c": [1.0, np.nan, 2.0]})
    assert cross_features(X, [("d", "c")])["d x c"].tolist() == ["m|1.0", "nan|nan", "t|2.0"]


def test_cross_weights_equal_a_logistic_regression_on_the_crossed_one_hot_columns():
    # a linear net with only the wide part: bias + field weights + one weight per cross level
    net = CTRNet(6, 2, 0, fm=False, n_cross_indices=5)
    with torch.no_grad():
        net.table.weight[:, 0] = torch.arange(6, dtype=torch.float32)
        net.cross.weight[:, 0] = torch.tensor([10.0, 20.0, 30.0, 40.0, 50.0])
    index = torch.tensor([[1, 4, 2], [0, 5, 3]])  # two fields, then one cross column
    torch.testing.assert_close(net(index, torch.zeros(2, 0)), torch.tensor([1.0 + 4 + 30, 0 + 5 + 40]))


def test_wide_and_deep_crosses_memorise_an_interaction(xor_data):
    X, y, p = xor_data
    plain = _fit(WideAndDeep, X, y, hidden=(4,), epochs=3, lr=0.1)
    crossed = _fit(WideAndDeep, X, y, hidden=(4,), epochs=3, lr=0.1, crosses=[("a", "b")])
    assert crossed.cross_encoder_.n_indices_ == 1 + 36  # the unknown bucket and the 6 x 6 pairs
    assert crossed.net_.cross.weight.shape == (37, 1)
    test_x, test_y = X.iloc[7000:], y[7000:]
    auc = {m: roc_auc_score(test_y, m.predict_proba(test_x)[:, 1]) for m in (plain, crossed)}
    assert auc[crossed] > auc[plain] + 0.01  # the wide cross learns a x b directly
    assert auc[crossed] > roc_auc_score(test_y, p[7000:]) - 0.02
    assert plain.cross_encoder_ is None


def test_crosses_bad_input(xor_data):
    X, y, _ = xor_data
    for bad, exc in [("a", TypeError), ([("a",)], ValueError), ([("a", "a")], ValueError), ([("a", "x")], ValueError)]:
        with pytest.raises(exc, match="crosses"):
            WideAndDeep(CAT, ["x"], crosses=bad, epochs=1, device="cpu").fit(X.iloc[:500], y[:500])


def test_stopped_early_says_whether_patience_ran_out(xor_data):
    X, y, _ = xor_data
    capped = _fit(FactorizationMachine, X, y, epochs=1)
    assert not capped.stopped_early_  # one epoch: it ran out of epochs
    noisy = _fit(DeepFM, X, np.random.default_rng(1).integers(0, 2, len(y)), lr=0.05, epochs=30, patience=2)
    assert noisy.stopped_early_ and len(noisy.history_) < 30
    assert len(noisy.history_) - noisy.best_epoch_ == 2
