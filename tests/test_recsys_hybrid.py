"""Tests of the hybrid blend: per-user min-max scaling and the weighted sum."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from pmkt_lessons.recsys import (
    ContentRecommender,
    HybridRecommender,
    Interactions,
    ItemKNN,
    PopularityRecommender,
    blend_scores,
    minmax_rows,
)

DESCRIPTIONS = pd.Series({"a": "RED MUG", "b": "BLUE MUG", "c": "RED BAG", "d": "GNOME"})
INTER = Interactions(
    sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1]], dtype=np.float32)),
    pd.Index([1, 2, 3]),
    pd.Index(list("abcd")),
)


def test_minmax_rows_by_hand():
    out = minmax_rows(np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 5.0], [-np.inf, 0.0, 4.0]]))
    np.testing.assert_allclose(out[0], [0, 1, 0.5])
    np.testing.assert_allclose(out[1], [0, 0, 0])
    assert out[2, 0] == -np.inf
    np.testing.assert_allclose(out[2, 1:], [0, 1])


def test_blend_by_hand():
    a = np.array([[0.0, 2.0, 4.0]])
    b = np.array([[10.0, 0.0, 5.0]])
    np.testing.assert_allclose(blend_scores(a, b, 0.25), [[0.75, 0.25 * 0.5, 0.25 + 0.75 * 0.5]])
    np.testing.assert_allclose(blend_scores(a, b, 1.0), [[0, 0.5, 1]])
    np.testing.assert_allclose(blend_scores(a, b, 0.5, normalise="none"), [[5, 1, 4.5]])


def test_hybrid_equals_its_parts_at_the_ends():
    pop, knn = PopularityRecommender(), ItemKNN("cosine", 2)
    for alpha, model in ((1.0, knn), (0.0, pop)):
        hybrid = HybridRecommender(knn, pop, weight=alpha).fit(INTER)
        expected = (hybrid.first_ if model is knn else hybrid.second_).recommend(k=2)
        got = hybrid.recommend(k=2)
        pd.testing.assert_frame_equal(
            got.drop(columns="prediction"), expected.drop(columns="prediction")
        )


def test_hybrid_score_is_the_blend_of_the_parts():
    knn, content = ItemKNN("jaccard", 2), ContentRecommender(min_df=1)
    hybrid = HybridRecommender(knn, content, weight=0.3).fit(INTER, descriptions=DESCRIPTIONS)
    expected = 0.3 * minmax_rows(hybrid.first_.score()) + 0.7 * minmax_rows(hybrid.second_.score())
    np.testing.assert_allclose(hybrid.score(), expected)
    prefit = HybridRecommender(hybrid.first_, hybrid.second_, weight=0.3, prefit=True).fit(INTER)
    np.testing.assert_allclose(prefit.score([2]), expected[[1]])


def test_does_not_mutate_inputs():
    a, b = np.array([[1.0, 2.0]]), np.array([[3.0, 1.0]])
    blend_scores(a, b, 0.5)
    np.testing.assert_array_equal(a, [[1.0, 2.0]])
    np.testing.assert_array_equal(b, [[3.0, 1.0]])


def test_bad_input():
    a = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"weight: expected a value in \[0.0, 1.0\]"):
        blend_scores(a, a, 1.5)
    with pytest.raises(ValueError, match="second.*shape"):
        blend_scores(a, np.ones((2, 2)), 0.5)
    with pytest.raises(ValueError, match="normalise"):
        blend_scores(a, a, 0.5, normalise="rank")
    with pytest.raises(ValueError, match="scores.*NaN"):
        minmax_rows(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="scores.*2-d"):
        minmax_rows(np.ones(3))
    with pytest.raises(TypeError, match="first"):
        HybridRecommender("knn", ItemKNN()).fit(INTER)
    with pytest.raises(ValueError, match="descriptions"):
        HybridRecommender(ItemKNN(), ContentRecommender()).fit(INTER)
    with pytest.raises(NotFittedError, match="fit"):
        HybridRecommender(ItemKNN(), PopularityRecommender(), prefit=True).fit(INTER)
    other = Interactions(INTER.matrix[:2], pd.Index([1, 2]), INTER.items)
    knn = ItemKNN().fit(other)
    with pytest.raises(ValueError, match="first.*same users"):
        HybridRecommender(knn, PopularityRecommender().fit(INTER), prefit=True).fit(INTER)


def test_hybrid_fits_clones_and_leaves_the_callers_models_alone():
    knn, pop = ItemKNN("cosine", 2), PopularityRecommender()
    hybrid = HybridRecommender(knn, pop, weight=0.5).fit(INTER)
    assert hybrid.first_ is not knn and hybrid.second_ is not pop
    for model in (knn, pop):
        with pytest.raises(NotFittedError):
            model.score()
