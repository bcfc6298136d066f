"""Tests of pmkt_lessons.recsys.topk: exact top-k with deterministic ties and exclusions."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import mask_scores, top_k_indices, top_k_items


def reference_top_k(scores, k):
    """Full sort by (-score, column): the slow, obviously right answer."""
    out = []
    for row in scores:
        order = sorted(range(len(row)), key=lambda j: (-row[j], j))
        out.append(order[:k])
    return np.array(out)


def test_by_hand():
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [3.0, 1.0, 2.0, 0.0]])
    idx, vals = top_k_indices(scores, 2)
    np.testing.assert_array_equal(idx, [[1, 3], [0, 2]])
    np.testing.assert_allclose(vals, [[0.9, 0.7], [3.0, 2.0]])


def test_ties_go_to_the_lower_column():
    scores = np.array([[1.0, 2.0, 1.0, 1.0, 1.0, 0.0]])
    idx, _ = top_k_indices(scores, 3)
    np.testing.assert_array_equal(idx, [[1, 0, 2]])


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 12)), elements=st.sampled_from([0.0, 1.0, 2.5, -1.0, 3.0])),
    st.integers(1, 14),
)
def test_matches_a_full_sort(scores, k):
    idx, vals = top_k_indices(scores, k)
    expected = reference_top_k(scores, min(k, scores.shape[1]))
    np.testing.assert_array_equal(idx, expected)
    np.testing.assert_array_equal(vals, np.take_along_axis(scores, expected, axis=1))


def test_k_larger_than_items_gives_all_sorted():
    idx, _ = top_k_indices(np.array([[1.0, 3.0, 2.0]]), 10)
    np.testing.assert_array_equal(idx, [[1, 2, 0]])


def test_top_k_items_excludes_and_maps_ids():
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [3.0, 1.0, 2.0, 0.0]], dtype=np.float32)
    seen = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0]]))
    recs = top_k_items(scores, 2, seen, users=pd.Index([10, 20]), items=pd.Index(list("abcd")))
    assert list(recs.columns) == [C.USER, C.ITEM, C.PREDICTION, C.RANK]
    assert recs[[C.USER, C.ITEM, C.RANK]].values.tolist() == [[10, "d", 1], [10, "c", 2], [20, "c", 1], [20, "b", 2]]
    np.testing.assert_allclose(recs[C.PREDICTION], [0.7, 0.5, 2.0, 1.0], rtol=1e-6)


def test_fewer_recommendable_items_than_k_gives_shorter_lists():
    scores = np.array([[1.0, 2.0, 3.0]])
    seen = sp.csr_matrix(np.array([[1, 0, 1]]))
    recs = top_k_items(scores, 5, seen)
    assert recs[C.ITEM].tolist() == [1]
    assert recs[C.RANK].tolist() == [1]
    assert top_k_items(np.full((1, 2), -np.inf), 2).empty


def test_does_not_mutate_scores():
    scores = np.array([[1.0, 2.0, 3.0]])
    before = scores.copy()
    masked = mask_scores(scores, sp.csr_matrix(np.array([[1, 0, 0]])))
    top_k_items(scores, 2, sp.csr_matrix(np.array([[1, 0, 0]])))
    np.testing.assert_array_equal(scores, before)
    assert masked[0, 0] == -np.inf


def test_bad_input():
    scores = np.ones((2, 3))
    with pytest.raises(ValueError, match="k"):
        top_k_indices(scores, 0)
    with pytest.raises(ValueError, match="k"):
        top_k_items(scores, -1)
    with pytest.raises(TypeError, match="k"):
        top_k_items(scores, 2.5)
    with pytest.raises(ValueError, match="scores.*2-d"):
        top_k_indices(np.ones(3), 1)
    with pytest.raises(ValueError, match="scores.*NaN"):
        top_k_indices(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(TypeError, match="scores"):
        top_k_indices(np.array([["a", "b"]]), 1)
    with pytest.raises(ValueError, match="exclude.*shape"):
        top_k_items(scores, 1, sp.csr_matrix((3, 3)))
    with pytest.raises(TypeError, match="exclude"):
        top_k_items(scores, 1, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="items"):
        top_k_items(scores, 1, items=pd.Index(["a"]))


def wide_rows(seed, n_cols=700):
    """Rows wide enough for the lower-bound path, one of each kind it must handle."""
    rng = np.random.default_rng(seed)
    rows = [
        rng.random(n_cols),  # distinct values: a few candidates per row
        rng.integers(0, 3, n_cols).astype(float),  # three values: many ties at the k-th
        np.zeros(n_cols),  # all tied: selected from the whole row
        np.where(rng.random(n_cols) < 0.02, rng.random(n_cols), 0.0),  # mostly zeros (a sparse score row)
        np.where(rng.random(n_cols) < 0.5, -np.inf, rng.random(n_cols)),  # masked items
        np.full(n_cols, -np.inf),  # nothing recommendable
        -rng.random(n_cols),  # all negative
    ]
    return np.array(rows)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 5, 10, 40])
def test_wide_rows_match_a_full_sort(seed, k):
    scores = wide_rows(seed)
    for arr in (scores, scores.astype(np.float32)):
        idx, vals = top_k_indices(arr, k)
        expected = reference_top_k(arr, k)
        np.testing.assert_array_equal(idx, expected)
        np.testing.assert_array_equal(vals, np.take_along_axis(arr, expected, axis=1))
    ints = np.random.default_rng(seed).integers(-3, 3, size=(5, 700))
    np.testing.assert_array_equal(top_k_indices(ints, k)[0], reference_top_k(ints, k))


def test_wide_rows_take_every_selection_path(monkeypatch):
    import pmkt_lessons.recsys.topk as topk

    seen = []
    real = topk._chosen_mask
    monkeypatch.setattr(topk, "_chosen_mask", lambda arr, k: seen.append(arr.shape) or real(arr, k))
    scores = wide_rows(0)
    top_k_indices(scores, 5)
    # some rows in full (many ties: the zeros, the -inf, the integers), the others from packed candidates
    assert any(rows < 7 and cols == 700 for rows, cols in seen)
    assert any(cols < 700 for _, cols in seen)
    assert (7, 700) not in seen


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 5, 40])
def test_top_k_positive_is_top_k_without_non_positive(seed, k):
    from pmkt_lessons.recsys.topk import _top_k_positive

    scores = wide_rows(seed).astype(np.float32)
    counts, cols, vals = _top_k_positive(scores, k)
    idx, top = top_k_indices(scores, k)
    for row in range(scores.shape[0]):
        keep = top[row] > 0
        order = np.argsort(idx[row][keep])
        got = slice(counts[:row].sum(), counts[: row + 1].sum())
        np.testing.assert_array_equal(cols[got], idx[row][keep][order])
        np.testing.assert_array_equal(vals[got], top[row][keep][order])
    assert vals.dtype == np.float32
