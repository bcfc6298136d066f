"""Tests of pmkt_lessons.recsys.similarity: hand values and library cross-checks."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import pairwise_distances
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

from pmkt_lessons.recsys import (
    cosine_similarity,
    jaccard_similarity,
    pearson_similarity,
    similarity_matrix,
)

# users x items; item 0 = {u0, u1}, item 1 = {u0, u1, u2}, item 2 = {u1, u2}, item 3 = {u2}
R = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1]], dtype=float))


def random_matrix(seed, shape=(30, 12), density=0.3):
    rng = np.random.default_rng(seed)
    X = sp.random(*shape, density=density, random_state=rng, format="csr") * 5
    X = X + sp.csr_matrix(np.eye(*shape))  # no empty column
    return X.tocsr()


def test_cosine_by_hand():
    S = cosine_similarity(R)
    assert S[0, 1] == pytest.approx(2 / np.sqrt(6))
    assert S[0, 2] == pytest.approx(0.5)
    assert S[0, 3] == 0
    assert S[2, 3] == pytest.approx(1 / np.sqrt(2))
    np.testing.assert_allclose(np.diag(S), 1, rtol=1e-6)
    assert S.dtype == np.float32


def test_jaccard_by_hand():
    S = jaccard_similarity(R * 3)  # weights are ignored
    assert S[0, 1] == pytest.approx(2 / 3)
    assert S[0, 2] == pytest.approx(1 / 3)
    assert S[2, 3] == pytest.approx(1 / 2)
    assert S[0, 3] == 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_against_libraries(seed):
    X = random_matrix(seed)
    dense = X.toarray()
    np.testing.assert_allclose(cosine_similarity(X), sk_cosine(dense.T), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pearson_similarity(X), np.corrcoef(dense, rowvar=False), rtol=1e-5, atol=1e-6)
    jac = 1 - pairwise_distances(dense.T > 0, metric="jaccard")
    np.testing.assert_allclose(jaccard_similarity(X), jac, rtol=1e-6, atol=1e-7)


def test_pearson_is_the_cosine_of_centred_columns():
    X = random_matrix(5)
    centred = X.toarray() - X.toarray().mean(axis=0)
    np.testing.assert_allclose(pearson_similarity(X), sk_cosine(centred.T), atol=1e-6)


def test_empty_and_constant_columns_give_zero():
    X = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [1.0, 0.0, 0.0]]))
    for name in ("cosine", "pearson", "jaccard"):
        S = similarity_matrix(X, name)
        assert np.isfinite(S).all()
        assert (S[1] == 0).all() and (S[:, 1] == 0).all()
    assert (pearson_similarity(X)[0] == 0).all()  # column 0 is constant


def test_symmetric_and_bounded():
    X = random_matrix(7)
    for name in ("cosine", "pearson", "jaccard"):
        S = similarity_matrix(X, name)
        np.testing.assert_allclose(S, S.T, atol=1e-6)
        assert S.min() >= -1 - 1e-6 and S.max() <= 1 + 1e-6


def test_does_not_mutate_input():
    X = R.copy() * 2
    before = X.toarray().copy()
    for name in ("cosine", "pearson", "jaccard"):
        similarity_matrix(X, name)
    np.testing.assert_array_equal(X.toarray(), before)


def test_bad_input():
    with pytest.raises(ValueError, match="similarity"):
        similarity_matrix(R, "euclid")
    with pytest.raises(TypeError, match="X"):
        cosine_similarity(np.ones((2, 2)))
    with pytest.raises(ValueError, match="X.*non-empty"):
        cosine_similarity(sp.csr_matrix((0, 3)))
    bad = sp.csr_matrix(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="X.*finite"):
        pearson_similarity(bad)


@pytest.mark.parametrize("name", ["cosine", "pearson", "jaccard"])
def test_blocks_concatenate_to_the_full_matrix_exactly(name):
    from pmkt_lessons.recsys.similarity import similarity_blocks

    X = sp.random(25, 9, density=0.35, random_state=3, format="csr")
    full = similarity_matrix(X, name)
    for block_rows in (1, 2, 4, 100):
        parts = list(similarity_blocks(X, name, block_rows))
        assert [rows.start for rows, _ in parts] == list(range(0, 9, block_rows))
        stacked = np.vstack([block for _, block in parts])
        assert stacked.dtype == full.dtype
        np.testing.assert_array_equal(stacked, full)


def test_blocks_reject_bad_arguments():
    from pmkt_lessons.recsys.similarity import similarity_blocks

    X = sp.random(5, 4, density=0.5, random_state=0, format="csr")
    with pytest.raises(ValueError, match="similarity"):
        list(similarity_blocks(X, "dice"))
    with pytest.raises(ValueError, match="block_rows"):
        list(similarity_blocks(X, "cosine", 0))
    with pytest.raises(TypeError, match="X"):
        list(similarity_blocks(X.toarray(), "cosine"))


def test_blocks_check_their_arguments_at_the_call_not_at_the_first_block():
    from pmkt_lessons.recsys.similarity import similarity_blocks

    X = sp.random(5, 4, density=0.5, random_state=0, format="csr")
    with pytest.raises(TypeError, match="X: expected a scipy.sparse matrix"):
        similarity_blocks("abc")  # no list(): a generator function would have accepted it
    with pytest.raises(TypeError, match="block_rows: expected a positive integer"):
        similarity_blocks(X, "cosine", "3")
    with pytest.raises(ValueError, match="similarity"):
        similarity_blocks(X, ["cosine"])


@pytest.mark.parametrize("name", ["cosine", "pearson", "jaccard"])
def test_wide_blocks_concatenate_to_the_full_matrix_exactly(name):
    from pmkt_lessons.recsys.similarity import similarity_blocks

    rng = np.random.default_rng(5)
    X = sp.random(60, 2000, density=0.02, random_state=rng, format="csr")  # several default blocks
    X.data = np.round(rng.random(X.nnz) * 4, 1)
    full = similarity_matrix(X, name)
    for block_rows in (None, 97):
        stacked = np.vstack([block for _, block in similarity_blocks(X, name, block_rows)])
        np.testing.assert_array_equal(stacked, full)


def test_gram_with_dense_heavy_rows_is_exactly_the_sparse_gram():
    from pmkt_lessons.recsys.similarity import _as_csc, _Gram, _gram

    rng = np.random.default_rng(11)
    dense = rng.integers(1, 6, size=(120, 200)) * (rng.random((120, 200)) < 0.05)
    dense[:7] = rng.integers(0, 3, size=(7, 200))  # seven heavy rows: most columns
    for dtype in (np.float32, np.float64):
        X = _as_csc(sp.csr_matrix(dense), dtype=dtype)
        split = _Gram(X)
        assert split.dense is not None and split.dense.shape == (7, 200)
        expected = _gram(X)
        np.testing.assert_array_equal(split.rows(slice(0, 200)), expected.toarray())
        np.testing.assert_array_equal(split.rows(slice(50, 61)), expected[50:61].toarray())
        np.testing.assert_array_equal(split.diagonal(), expected.diagonal())
        assert split.diagonal().dtype == expected.diagonal().dtype == dtype


def test_gram_is_not_split_when_the_order_of_sums_could_matter():
    from pmkt_lessons.recsys.similarity import _as_csc, _Gram

    rng = np.random.default_rng(12)
    dense = rng.integers(0, 3, size=(40, 200)).astype(float)  # every row heavy
    assert _Gram(_as_csc(sp.csr_matrix(dense), dtype=np.float32)).dense is not None
    fractional = dense * 0.1  # not integers: float sums depend on their order
    assert _Gram(_as_csc(sp.csr_matrix(fractional), dtype=np.float32)).dense is None
    huge = dense * 2.0**12  # integers, but squares sum past 2^24
    assert _Gram(_as_csc(sp.csr_matrix(huge), dtype=np.float32)).dense is None


@pytest.mark.parametrize("name", ["cosine", "pearson", "jaccard"])
def test_blocks_with_heavy_rows_concatenate_to_the_full_matrix_exactly(name, monkeypatch):
    import pmkt_lessons.recsys.similarity as similarity

    rng = np.random.default_rng(13)
    dense = rng.integers(1, 4, size=(80, 300)) * (rng.random((80, 300)) < 0.04)
    dense[:5] = rng.integers(0, 2, size=(5, 300))  # heavy rows
    X = sp.csr_matrix(dense.astype(float))
    full = similarity_matrix(X, name)
    for block_rows in (None, 41):
        stacked = np.vstack([block for _, block in similarity.similarity_blocks(X, name, block_rows)])
        np.testing.assert_array_equal(stacked, full)
    # the same values as from the plain sparse Gram, without the dense rows
    monkeypatch.setattr(similarity, "_heavy_rows", lambda X: None)
    np.testing.assert_array_equal(similarity_matrix(X, name), full)
