"""Tests of the BPR recommender (pmkt_lessons.recsys.bpr, lesson 09)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from pmkt_lessons import columns as C
from pmkt_lessons import recsys as rs
from pmkt_lessons.recsys.bpr import BPR, bpr_gradients, bpr_loss, sample_negatives


def _params(seed=0, n_users=5, n_items=7, k=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_users, k)), rng.normal(size=(n_items, k)), rng.normal(size=n_items)


# triples with repeated users and items, so the summing of rows is tested too
USERS = np.array([0, 1, 1, 4, 2, 0])
POS = np.array([2, 3, 3, 0, 6, 5])
NEG = np.array([1, 2, 4, 6, 2, 2])


def test_loss_of_one_triple_by_hand():
    p, q, b = _params()
    x = p[0] @ (q[2] - q[1]) + b[2] - b[1]
    reg = 0.3
    expected = -np.log(1 / (1 + np.exp(-x))) + reg / 2 * (p[0] @ p[0] + q[2] @ q[2] + q[1] @ q[1] + b[2] ** 2 + b[1] ** 2)
    assert bpr_loss(p, q, b, [0], [2], [1], reg=reg) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("reg", [0.0, 0.2])
def test_gradient_matches_finite_differences(reg):
    p, q, b = _params(1)
    d_p, d_q, d_b = bpr_gradients(p, q, b, USERS, POS, NEG, reg=reg)
    eps = 1e-6
    for analytic, param in ((d_p, p), (d_q, q), (d_b, b)):
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + eps
            up = bpr_loss(p, q, b, USERS, POS, NEG, reg=reg)
            param[idx] = old - eps
            down = bpr_loss(p, q, b, USERS, POS, NEG, reg=reg)
            param[idx] = old
            numeric[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_gradient_matches_torch_autograd():
    p, q, b = _params(2)
    reg = 0.1
    tp, tq, tb = (torch.tensor(a, requires_grad=True) for a in (p, q, b))
    u, i, j = (torch.from_numpy(a) for a in (USERS, POS, NEG))
    x = (tp[u] * (tq[i] - tq[j])).sum(1) + tb[i] - tb[j]
    penalty = (tp[u] ** 2).sum(1) + (tq[i] ** 2).sum(1) + (tq[j] ** 2).sum(1) + tb[i] ** 2 + tb[j] ** 2
    loss = (-torch.nn.functional.logsigmoid(x) + reg / 2 * penalty).sum()
    loss.backward()
    assert bpr_loss(p, q, b, USERS, POS, NEG, reg) == pytest.approx(loss.item(), rel=1e-12)
    for ours, theirs in zip(bpr_gradients(p, q, b, USERS, POS, NEG, reg), (tp.grad, tq.grad, tb.grad), strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_loss_is_stable_for_large_scores():
    p, q, b = _params()
    assert np.isfinite(bpr_loss(p * 1e3, q * 1e3, b, USERS, POS, NEG))
    assert np.isfinite(bpr_gradients(p * 1e3, q * 1e3, b, USERS, POS, NEG)[0]).all()


def test_sample_negatives_never_gives_a_bought_item_and_is_uniform():
    matrix = sp.csr_matrix(np.array([[1, 1, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1]], dtype=float))
    rng = np.random.default_rng(0)
    users = np.repeat([0, 1], 6000)
    neg = sample_negatives(matrix, users, rng)
    assert not matrix[users, neg].A1.any()
    counts = np.bincount(neg[users == 0], minlength=6)[[2, 3, 5]]
    np.testing.assert_allclose(counts / 6000, 1 / 3, atol=0.02)
    counts = np.bincount(neg[users == 1], minlength=6)[:5]
    np.testing.assert_allclose(counts / 6000, 1 / 5, atol=0.02)


def _structured(seed=0, sizes=(80, 60, 40, 20), items_per_group=10):
    """Four taste groups of users (unequal sizes), each buying mostly from its own quarter of the catalogue.

    Popularity recommends the largest group's products to everyone; a model
    that learns the groups recommends each user their own group's products.
    """
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(sizes)), sizes)
    item_group = np.repeat(np.arange(len(sizes)), items_per_group)
    n_users, n_items = len(group), len(item_group)
    prob = np.where(group[:, None] == item_group[None, :], 0.5, 0.02)
    bought = rng.random((n_users, n_items)) < prob
    rows, cols = np.nonzero(bought)
    held = pd.DataFrame({"r": rows, "c": cols}).groupby("r").sample(1, random_state=seed)
    train = bought.copy()
    train[held["r"], held["c"]] = False
    users = pd.Index(np.arange(n_users) + 1000, name=C.USER)
    items = pd.Index([f"p{c}" for c in range(n_items)], name=C.ITEM)
    inter = rs.Interactions(sp.csr_matrix(train.astype(np.float32)), users, items)
    truth = pd.DataFrame({C.USER: users[held["r"]], C.ITEM: items[held["c"]]})
    return inter, truth


def test_bpr_beats_popularity_on_a_toy_with_structure():
    inter, truth = _structured()
    users = truth[C.USER].unique()
    bpr = BPR(n_factors=4, epochs=30, learning_rate=0.05, reg=0.01, batch_size=64, random_state=0).fit(inter)
    pop = rs.PopularityRecommender().fit(inter)
    recall_bpr = rs.recall_at_k(bpr.recommend(users, k=5), truth, 5)
    recall_pop = rs.recall_at_k(pop.recommend(users, k=5), truth, 5)
    assert recall_bpr > recall_pop + 0.25, (recall_bpr, recall_pop)
    assert bpr.history_["loss"].iloc[-1] < 0.5 * bpr.history_["loss"].iloc[0]


def test_fit_is_deterministic_and_the_seed_matters():
    inter, _ = _structured(1)
    one = BPR(n_factors=3, epochs=2, random_state=7).fit(inter)
    two = BPR(n_factors=3, epochs=2, random_state=7).fit(inter)
    other = BPR(n_factors=3, epochs=2, random_state=8).fit(inter)
    np.testing.assert_array_equal(one.score(), two.score())
    assert not np.allclose(one.score(), other.score())
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking the legacy global stream)
    BPR(n_factors=3, epochs=1, random_state=None).fit(inter)
    np.testing.assert_array_equal(state, np.random.get_state()[1])  # noqa: NPY002 (global stream untouched)


def test_scores_are_the_factor_model_and_seen_items_are_excluded():
    inter, _ = _structured(2)
    model = BPR(n_factors=3, epochs=1).fit(inter)
    np.testing.assert_allclose(model.score(), model.user_factors_ @ model.item_factors_.T + model.item_bias_)
    recs = model.recommend(k=5)
    seen = inter.matrix[inter.user_rows(recs[C.USER]), inter.item_cols(recs[C.ITEM])].A1
    assert not seen.any()


def test_fit_leaves_the_interactions_alone():
    inter, _ = _structured(3)
    before = inter.matrix.toarray().copy()
    BPR(n_factors=3, epochs=1).fit(inter)
    np.testing.assert_array_equal(before, inter.matrix.toarray())


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_factors": 0}, ValueError, "n_factors"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"reg": -1.0}, ValueError, "reg"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"init_std": 0.0}, ValueError, "init_std"),
        ({"random_state": "seed"}, TypeError, "random_state"),
    ],
)
def test_bad_hyper_parameters_name_themselves(params, error, match):
    inter, _ = _structured(4)
    with pytest.raises(error, match=match):
        BPR(**params).fit(inter)


def test_bad_inputs():
    with pytest.raises(TypeError, match="interactions"):
        BPR().fit(np.ones((3, 3)))
    full = rs.Interactions(sp.csr_matrix(np.ones((2, 3), dtype=np.float32)), pd.Index([1, 2]), pd.Index(list("abc")))
    with pytest.raises(ValueError, match="miss at least one item"):
        BPR(epochs=1).fit(full)
    p, q, b = _params()
    with pytest.raises(ValueError, match="pos"):
        bpr_loss(p, q, b, [0], [99], [1])
    with pytest.raises(TypeError, match="users"):
        bpr_loss(p, q, b, [0.5], [1], [1])
    with pytest.raises(ValueError, match="item_bias"):
        bpr_gradients(p, q, b[:3], [0], [1], [2])
    with pytest.raises(ValueError, match="neg"):
        bpr_loss(p, q, b, [0, 1], [1, 2], [3])
    matrix = sp.csr_matrix(np.eye(3))
    with pytest.raises(TypeError, match="matrix"):
        sample_negatives(np.eye(3), [0], 0)
    with pytest.raises(ValueError, match="users"):
        sample_negatives(matrix, [3], 0)
    with pytest.raises(TypeError, match="users"):
        sample_negatives(matrix, [0.0], 0)
    with pytest.raises(TypeError, match="random_state"):
        sample_negatives(matrix, [0], "seed")
    with pytest.raises(ValueError, match="miss at least one item"):
        sample_negatives(sp.csr_matrix(np.ones((2, 2))), [1], 0)


def test_non_finite_or_misshapen_factors_name_the_argument():
    p, q, b = _params()
    for bad_p, bad_q, bad_b, arg in ((p * np.nan, q, b, "user_factors"), (p, q + np.inf, b, "item_factors"),
                                     (p, q, np.r_[np.nan, b[1:]], "item_bias")):
        for func in (bpr_loss, bpr_gradients):
            with pytest.raises(ValueError, match=f"{arg}: expected finite numbers"):
                func(bad_p, bad_q, bad_b, [0], [1], [2])
    with pytest.raises(TypeError, match="user_factors: expected finite numbers, got str"):
        bpr_loss("abc", q, b, [0], [1], [2])
    with pytest.raises(ValueError, match=r"user_factors: expected a 2-d array .*shape \(15,\)"):
        bpr_loss(p.ravel(), q, b, [0], [1], [2])
