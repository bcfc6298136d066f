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
