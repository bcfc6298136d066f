"""Tests of pmkt_lessons.recsys.knn: the weighted-sum formulas against explicit loops."""

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import Interactions, ItemKNN, UserKNN, neighbour_matrix, similarity_matrix


def make_interactions(dense):
    dense = np.asarray(dense, dtype=np.float32)
    return Interactions(
        sp.csr_matrix(dense),
        pd.Index([f"u{i}" for i in range(dense.shape[0])]),
        pd.Index([f"i{j}" for j in range(dense.shape[1])]),
        weight="count",
    )


# items: i0 = {u0, u1}, i1 = {u0, u1, u2}, i2 = {u1, u2}, i3 = {u2}
TOY = make_interactions([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1]])


def random_counts(seed, shape=(12, 9)):
    rng = np.random.default_rng(seed)
    dense = rng.integers(1, 5, size=shape) * (rng.random(shape) < 0.4)
    dense[np.arange(shape[0]), np.arange(shape[0]) % shape[1]] += 1  # nobody is empty
    return dense.astype(float)


def neighbours(sim_row, self_index, k):
    candidates = [(j, s) for j, s in enumerate(sim_row) if j != self_index and s > 0]
    candidates.sort(key=lambda js: (-js[1], js[0]))
    return candidates[:k]


def slow_item_knn(R, S, k, normalize):
    n_users, n_items = R.shape
    out = np.zeros((n_users, n_items))
    for i in range(n_items):
        nbrs = neighbours(S[i], i, k)
        for u in range(n_users):
            used = [(j, s) for j, s in nbrs if R[u, j] != 0]
            num = sum(s * R[u, j] for j, s in used)
            den = sum(abs(s) for _, s in used)
            out[u, i] = (num / den if den > 0 else 0.0) if normalize else num
    return out


def slow_user_knn(R, S, k, normalize, mean_centre):
    n_users, n_items = R.shape
    means = np.array([R[u][R[u] != 0].mean() for u in range(n_users)])
    out = np.zeros((n_users, n_items))
    for u in range(n_users):
        nbrs = neighbours(S[u], u, k)
        for i in range(n_items):
            used = [(v, s) for v, s in nbrs if R[v, i] != 0]
            num = sum(s * (R[v, i] - (means[v] if mean_centre else 0)) for v, s in used)
            den = sum(abs(s) for _, s in used)
            value = (num / den if den > 0 else 0.0) if normalize else num
            out[u, i] = value + (means[u] if mean_centre else 0)
    return out


def test_item_knn_by_hand():
    # cosine: sim(i2, i1) = 2/sqrt(6) is i2's nearest neighbour; u0 has i1
    model = ItemKNN("cosine", k_neighbours=1).fit(TOY)
    scores = model.score(["u0"])
    assert scores[0, 2] == pytest.approx(2 / np.sqrt(6), rel=1e-6)
    assert scores[0, 3] == 0  # i3's neighbour is i2, which u0 does not have
    recs = model.recommend(["u0"], k=2)
    assert recs[C.ITEM].tolist() == ["i2", "i3"]
    assert recs[C.RANK].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("similarity", "k", "normalize", "seed"),
    list(itertools.product(["cosine", "pearson", "jaccard"], [1, 3, 20], [False, True], [0])) + [("cosine", 4, True, 1)],
)
def test_item_knn_matches_the_loops(similarity, k, normalize, seed):
    R = random_counts(seed)
    model = ItemKNN(similarity, k, normalize).fit(make_interactions(R))
    S = similarity_matrix(sp.csr_matrix(R), similarity).astype(float)
    np.testing.assert_allclose(model.score(), slow_item_knn(R, S, k, normalize), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("similarity", "k", "normalize", "mean_centre"),
    list(itertools.product(["cosine", "pearson", "jaccard"], [2, 20], [False, True], [False, True])),
)
def test_user_knn_matches_the_loops(similarity, k, normalize, mean_centre):
    R = random_counts(3)
    model = UserKNN(similarity, k, normalize, mean_centre).fit(make_interactions(R))
    S = similarity_matrix(sp.csr_matrix(R.T), similarity).astype(float)
    np.testing.assert_allclose(
        model.score(), slow_user_knn(R, S, k, normalize, mean_centre), rtol=1e-5, atol=1e-5
    )


def test_normalised_item_knn_on_binary_data_is_one_wherever_defined():
    model = ItemKNN("cosine", 2, normalize=True).fit(TOY)
    scores = model.score()
    assert set(np.unique(scores.round(6))) <= {0.0, 1.0}


def test_neighbour_matrix_keeps_k_positive_off_diagonal():
    S = np.array([[1.0, 0.5, 0.5, -0.2], [0.5, 1.0, 0.1, 0.3], [0.5, 0.1, 1.0, 0.0], [-0.2, 0.3, 0.0, 1.0]])
    W = neighbour_matrix(S, 2).toarray()
    np.testing.assert_allclose(W[0], [0, 0.5, 0.5, 0])
    np.testing.assert_allclose(W[1], [0.5, 0, 0, 0.3])
    np.testing.assert_allclose(W[3], [0, 0.3, 0, 0])  # only one positive neighbour
    assert (np.diag(W) == 0).all()
    with pytest.raises(ValueError, match="similarity.*square"):
        neighbour_matrix(np.ones((2, 3)), 1)
    with pytest.raises(ValueError, match="k_neighbours"):
        neighbour_matrix(S, 0)


def test_recommend_excludes_seen_and_keeps_order():
    model = UserKNN("jaccard", 2).fit(TOY)
    recs = model.recommend(k=4)
    seen = set(zip(TOY.to_frame()[C.USER], TOY.to_frame()[C.ITEM], strict=True))
    assert not seen & set(zip(recs[C.USER], recs[C.ITEM], strict=True))
    with_seen = model.recommend(k=4, exclude_seen=False)
    assert len(with_seen) == 12
    assert (with_seen.groupby(C.USER)[C.PREDICTION].apply(lambda p: p.is_monotonic_decreasing)).all()


def test_does_not_mutate_interactions():
    inter = make_interactions(random_counts(4))
    before = inter.matrix.toarray().copy()
    for model in (ItemKNN("pearson", 3, True), UserKNN("cosine", 3, True, True)):
        model.fit(inter).recommend(k=3)
    np.testing.assert_array_equal(inter.matrix.toarray(), before)


def test_bad_input():
    with pytest.raises(ValueError, match="similarity"):
        ItemKNN("dice").fit(TOY)
    with pytest.raises(ValueError, match="k_neighbours"):
        UserKNN(k_neighbours=0).fit(TOY)
    with pytest.raises(TypeError, match="k_neighbours"):
        ItemKNN(k_neighbours=2.5).fit(TOY)
    with pytest.raises(TypeError, match="normalize"):
        ItemKNN(normalize="yes").fit(TOY)
    with pytest.raises(TypeError, match="mean_centre"):
        UserKNN(mean_centre=1).fit(TOY)
    with pytest.raises(TypeError, match="interactions"):
        ItemKNN().fit(TOY.matrix)
    empty = Interactions(sp.csr_matrix((2, 2), dtype=np.float32), pd.Index([1, 2]), pd.Index([1, 2]))
    with pytest.raises(ValueError, match="interactions.*empty"):
        ItemKNN().fit(empty)
    with pytest.raises(NotFittedError, match="fit"):
        ItemKNN().recommend(["u0"])
    model = ItemKNN().fit(TOY)
    with pytest.raises(ValueError, match="users.*unknown"):
        model.recommend(["nobody"])
    with pytest.raises(ValueError, match="k"):
        model.recommend(["u0"], k=0)
    with pytest.raises(TypeError, match="exclude_seen"):
        model.recommend(["u0"], exclude_seen=None)


@pytest.mark.parametrize("similarity", ["cosine", "pearson", "jaccard"])
@pytest.mark.parametrize("block_rows", [1, 4, None])
def test_blockwise_neighbours_equal_the_dense_selection(similarity, block_rows):
    from pmkt_lessons.recsys.knn import _neighbours_by_block

    R = sp.csr_matrix(random_counts(5, shape=(30, 11)))
    R.data[::3] = 1.0  # plenty of exact ties in the similarities
    for X in (R, R.T):
        dense = neighbour_matrix(similarity_matrix(X, similarity), 3)
        blocks = _neighbours_by_block(X, similarity, 3, block_rows)
        assert (dense != blocks).nnz == 0 and dense.dtype == blocks.dtype
        np.testing.assert_array_equal(dense.indptr, blocks.indptr)
        np.testing.assert_array_equal(dense.indices, blocks.indices)


def test_item_knn_never_builds_the_dense_similarity(monkeypatch):
    import pmkt_lessons.recsys.similarity as similarity

    def refuse(*args, **kwargs):
        raise AssertionError("dense similarity built")

    for name in ("similarity_matrix", "cosine_similarity", "pearson_similarity", "jaccard_similarity"):
        monkeypatch.setattr(similarity, name, refuse)
    model = ItemKNN("cosine", 2).fit(TOY)
    assert model.neighbours_.shape == (4, 4)


@pytest.mark.parametrize("similarity", ["cosine", "pearson", "jaccard"])
def test_blockwise_neighbours_of_many_items_equal_the_dense_selection(similarity):
    from pmkt_lessons.recsys.knn import _neighbours_by_block

    rng = np.random.default_rng(7)
    # 400 items: rows wide enough for the lower-bound top-k
    X = sp.csr_matrix(rng.integers(1, 4, size=(50, 400)) * (rng.random((50, 400)) < 0.05), dtype=float)
    for k, block_rows in ((1, None), (5, 64), (20, None)):
        dense = neighbour_matrix(similarity_matrix(X, similarity), k)
        blocks = _neighbours_by_block(X, similarity, k, block_rows)
        assert (dense != blocks).nnz == 0 and dense.dtype == blocks.dtype
        np.testing.assert_array_equal(dense.indptr, blocks.indptr)
        np.testing.assert_array_equal(dense.indices, blocks.indices)
        sim = similarity_matrix(X, similarity)
        for item in range(0, 400, 37):
            expected = neighbours(sim[item], item, k)
            row = blocks[item]
            got = sorted(zip(row.indices, row.data, strict=True), key=lambda js: (-js[1], js[0]))
            assert [j for j, _ in got] == [j for j, _ in expected]
