"""NeuMF (lesson 10): negative sampling, the network's all-items scorer, early stopping, the recommender."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import build_interactions
from pmkt_lessons.recsys.ncf import DotMF, DotNet, NeuMF, NeuMFNet, sample_negatives

SMALL = dict(gmf_factors=4, mlp_factors=4, layers=(8, 4), batch_size=64, lr=0.02, device="cpu",
             progress=False)


def _blocks(n_users=30, block=6):
    """Two groups of customers, each buying from its own block of products; one product held back each."""
    train, held = [], []
    for user in range(n_users):
        items = [f"{'A' if user % 2 == 0 else 'B'}{j}" for j in range(block)]
        keep_out = items[user // 2 % block]
        train += [{C.CUSTOMER_ID: user, C.STOCK_CODE: item} for item in items if item != keep_out]
        held.append({C.USER: user, C.ITEM: keep_out})
    return build_interactions(pd.DataFrame(train)), pd.DataFrame(held)


@pytest.fixture(scope="module")
def blocks():
    return _blocks()


# ------------------------------------------------------------ sample_negatives
def test_negatives_are_never_bought_and_positives_are_every_cell():
    m = sp.random(20, 15, density=0.4, random_state=0, format="csr")
    users, items, labels = sample_negatives(m, n_negatives=3, random_state=1)
    dense = m.toarray() > 0
    assert len(labels) == 4 * m.nnz and labels.sum() == m.nnz
    assert dense[users[labels == 1], items[labels == 1]].all()
    assert not dense[users[labels == 0], items[labels == 0]].any()
    assert sorted(zip(users[labels == 1], items[labels == 1], strict=True)) == sorted(zip(*dense.nonzero(), strict=True))
    # each positive brings its user n_negatives negatives
    np.testing.assert_array_equal(np.bincount(users[labels == 0], minlength=20), 3 * dense.sum(axis=1))


def test_negatives_are_seeded():
    m = sp.random(10, 10, density=0.3, random_state=0, format="csr")
    a, b = sample_negatives(m, 2, random_state=4), sample_negatives(m, 2, random_state=4)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[1], sample_negatives(m, 2, random_state=5)[1])


def test_a_user_who_bought_everything_gets_no_negatives():
    m = sp.csr_matrix(np.array([[1, 1, 1], [1, 0, 0]], dtype=float))
    users, _, labels = sample_negatives(m, 2, random_state=0)
    assert (users[labels == 0] == 1).all() and (labels == 0).sum() == 2


def test_sample_negatives_rejects_bad_input():
    with pytest.raises(TypeError, match="matrix"):
        sample_negatives(np.eye(3))
    with pytest.raises(ValueError, match="n_negatives"):
        sample_negatives(sp.eye(3, format="csr"), 0)
    with pytest.raises(ValueError, match="matrix"):
        sample_negatives(sp.csr_matrix((3, 3)))


def test_sample_negatives_leaves_the_matrix_alone():
    m = sp.random(10, 10, density=0.3, random_state=0, format="csr")
    before = m.copy()
    sample_negatives(m, 2)
    assert (m != before).nnz == 0


# ------------------------------------------------------------ NeuMFNet
def test_all_items_scorer_equals_the_forward_pass_on_every_pair():
    torch.manual_seed(0)
    net = NeuMFNet(5, 7, 3, 4, (6, 3))
    for p in net.parameters():  # move away from the near-zero initialisation
        torch.nn.init.normal_(p, std=0.5)
    users = torch.tensor([0, 3, 4])
    grid = net.score_all_items(users)
    u, i = torch.meshgrid(users, torch.arange(7), indexing="ij")
    with torch.no_grad():
        pairs = net(u.reshape(-1), i.reshape(-1)).reshape(3, 7)
    torch.testing.assert_close(grid, pairs, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------ NeuMF
@pytest.fixture(scope="module")
def stopped(blocks):
    inter, held = blocks
    return NeuMF(epochs=12, patience=2, eval_k=3, **SMALL).fit(inter, validation=held)


def test_neumf_learns_the_blocks(blocks, stopped):
    inter, held = blocks
    recs = stopped.recommend(k=1)
    same_block = recs[C.ITEM].str[0] == np.where(recs[C.USER] % 2 == 0, "A", "B")
    assert same_block.mean() == 1.0
    # what was held back is in every customer's top 3 after early stopping
    top3 = stopped.recommend(k=3).merge(held, on=[C.USER, C.ITEM])
    assert len(top3) >= 0.8 * len(held)


def test_early_stopping_keeps_the_best_epoch(blocks, stopped):
    from pmkt_lessons.recsys import ndcg_at_k

    inter, held = blocks
    hist = stopped.history_
    assert list(hist.columns) == ["train_loss", "val_ndcg"]
    assert stopped.best_epoch_ == hist["val_ndcg"].idxmax()
    after = hist.loc[stopped.best_epoch_ + 1:, "val_ndcg"]
    assert len(hist) == 12 or (len(after) == 2 and (after <= hist["val_ndcg"].max()).all())
    assert ndcg_at_k(stopped.recommend(k=3), held, 3) == pytest.approx(hist["val_ndcg"].max())


def test_without_validation_it_runs_every_epoch(blocks):
    inter, _ = blocks
    model = NeuMF(epochs=3, **SMALL).fit(inter)
    assert list(model.history_.index) == [1, 2, 3] and model.best_epoch_ == 3
    assert "val_ndcg" not in model.history_


def test_neumf_is_deterministic_and_leaves_inputs_alone(blocks):
    inter, held = blocks
    before_m, before_h = inter.matrix.copy(), held.copy()
    a = NeuMF(epochs=2, random_state=3, **SMALL).fit(inter, validation=held).score([0, 1])
    b = NeuMF(epochs=2, random_state=3, **SMALL).fit(inter, validation=held).score([0, 1])
    np.testing.assert_array_equal(a, b)
    assert (inter.matrix != before_m).nnz == 0
    pd.testing.assert_frame_equal(held, before_h)


def test_unknown_validation_users_are_left_out_but_not_all(blocks):
    inter, held = blocks
    mixed = pd.concat([held, pd.DataFrame({C.USER: [999], C.ITEM: ["A0"]})], ignore_index=True)
    NeuMF(epochs=1, **SMALL).fit(inter, validation=mixed)
    with pytest.raises(ValueError, match="validation"):
        NeuMF(epochs=1, **SMALL).fit(inter, validation=pd.DataFrame({C.USER: [999], C.ITEM: ["A0"]}))
    with pytest.raises(ValueError, match="validation"):
        NeuMF(epochs=1, **SMALL).fit(inter, validation=held.drop(columns=C.ITEM))


def test_neumf_recommend_checks_its_arguments(blocks):
    inter, _ = blocks
    model = NeuMF(epochs=1, **SMALL).fit(inter)
    recs = model.recommend([0, 1], k=4)
    bought = inter.to_frame().set_index([C.USER, C.ITEM]).index
    assert not recs.set_index([C.USER, C.ITEM]).index.isin(bought).any()
    assert recs.groupby(C.USER).size().tolist() == [4, 4]
    with pytest.raises(ValueError, match="users"):
        model.recommend([999])
    with pytest.raises(ValueError, match="k"):
        model.recommend([0], k=0)


@pytest.mark.parametrize(
    ("param", "value", "error"),
    [("gmf_factors", 0, ValueError), ("n_negatives", 0, ValueError), ("layers", (), TypeError),
     ("layers", (8, 0), ValueError), ("lr", 0.0, ValueError), ("weight_decay", -1.0, ValueError),
     ("patience", 0, ValueError), ("epochs", 1.5, TypeError), ("progress", "no", TypeError)],
)
def test_neumf_rejects_bad_parameters(blocks, param, value, error):
    inter, _ = blocks
    with pytest.raises(error, match=param):
        NeuMF(**{**SMALL, param: value}).fit(inter)


def test_early_stopping_restores_the_best_weights(blocks, monkeypatch):
    import copy

    import pmkt_lessons.recsys.ncf as ncf

    inter, held = blocks
    scripted = iter([0.1, 0.3, 0.2, 0.25, 0.9])
    model = NeuMF(epochs=10, patience=2, **SMALL)
    snapshots = []

    def fake_ndcg(recs, truth, k):
        snapshots.append(copy.deepcopy(model.net_.state_dict()))
        return next(scripted)

    monkeypatch.setattr(ncf, "ndcg_at_k", fake_ndcg)
    model.fit(inter, validation=held)
    assert model.best_epoch_ == 2
    assert list(model.history_.index) == [1, 2, 3, 4]  # two epochs without gain, then stop
    for name, value in model.net_.state_dict().items():
        torch.testing.assert_close(value, snapshots[1][name])
    assert not torch.equal(model.net_.item_gmf.weight, snapshots[3]["item_gmf.weight"])


# ------------------------------------------------------------ DotMF
def test_dot_net_scores_are_the_dot_product_plus_biases():
    torch.manual_seed(0)
    net = DotNet(4, 6, 3)
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.5)
    users = torch.tensor([0, 2, 3])
    grid = net.score_all_items(users)
    by_hand = (net.user.weight[users] @ net.item.weight.T + net.user_bias.weight[users]
               + net.item_bias.weight[:, 0] + net.bias).detach()
    torch.testing.assert_close(grid, by_hand)
    u, i = torch.meshgrid(users, torch.arange(6), indexing="ij")
    with torch.no_grad():
        pairs = net(u.reshape(-1), i.reshape(-1)).reshape(3, 6)
    torch.testing.assert_close(grid, pairs, rtol=1e-5, atol=1e-5)


def test_dot_mf_learns_the_blocks_and_stops_early(blocks):
    inter, held = blocks
    model = DotMF(factors=4, batch_size=64, lr=0.05, epochs=15, patience=2, eval_k=3, device="cpu").fit(
        inter, validation=held)
    recs = model.recommend(k=1)
    same_block = recs[C.ITEM].str[0] == np.where(recs[C.USER] % 2 == 0, "A", "B")
    assert same_block.mean() == 1.0
    assert model.best_epoch_ == model.history_["val_ndcg"].idxmax()
    assert isinstance(model.net_, DotNet)


def test_dot_mf_is_deterministic(blocks):
    inter, _ = blocks
    a = DotMF(factors=3, epochs=2, batch_size=64, random_state=5, device="cpu").fit(inter).score([0, 1])
    b = DotMF(factors=3, epochs=2, batch_size=64, random_state=5, device="cpu").fit(inter).score([0, 1])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("param", "value", "error"),
    [("factors", 0, ValueError), ("factors", 2.5, TypeError), ("lr", -1.0, ValueError),
     ("weight_decay", -1e-3, ValueError), ("progress", 1, TypeError)],
)
def test_dot_mf_rejects_bad_parameters(blocks, param, value, error):
    inter, _ = blocks
    with pytest.raises(error, match=param):
        DotMF(**{"factors": 3, "epochs": 1, "batch_size": 64, "device": "cpu", param: value}).fit(inter)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [((0, 6, 3), ValueError, "n_users: expected a positive integer, got 0"),
     ((4, -1, 3), ValueError, "n_items: expected a positive integer"),
     ((4, 6, "3"), TypeError, "factors: expected a positive integer, got str"),
     ((4, 6, 2.5), TypeError, "factors")],
)
def test_dot_net_names_a_bad_size(args, error, match):
    # torch raised a RuntimeError ("negative dimension") or a TypeError about empty()'s size
    with pytest.raises(error, match=match):
        DotNet(*args)
