"""Tests of ContentRecommender: TF-IDF item vectors, user profiles, cold items."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import ContentRecommender, Interactions
from pmkt_lessons.recsys.content import TOKEN_PATTERN

DESCRIPTIONS = pd.Series(
    {
        "a": "RED HEART MUG",
        "b": "BLUE HEART MUG",
        "c": "RED SPOTTY BAG",
        "d": "GARDEN GNOME",
        "new": "RED HEART BAG",  # nobody bought it yet
    }
)
# u1 bought a (x1) and c (x3); u2 bought d
INTER = Interactions(
    sp.csr_matrix(np.array([[1, 0, 3, 0, 0], [0, 0, 0, 1, 0]], dtype=np.float32)),
    pd.Index(["u1", "u2"]),
    pd.Index(["a", "b", "c", "d", "new"]),
    weight="quantity",
)


def tfidf(min_df=1):
    vec = TfidfVectorizer(min_df=min_df, stop_words="english", token_pattern=TOKEN_PATTERN)
    return vec.fit_transform(DESCRIPTIONS.reindex(INTER.items)).toarray()


def test_item_vectors_are_sklearn_tfidf():
    model = ContentRecommender(min_df=1).fit(INTER, DESCRIPTIONS)
    np.testing.assert_allclose(model.item_vectors_.toarray(), tfidf())
    assert "heart" in model.vocabulary_ and "12" not in model.vocabulary_


def test_profiles_are_weighted_means_and_scores_cosines():
    model = ContentRecommender(min_df=1).fit(INTER, DESCRIPTIONS)
    V = tfidf()
    profile = (1 * V[0] + 3 * V[2]) / 4
    np.testing.assert_allclose(model.user_profiles(["u1"]).toarray()[0], profile)
    expected = V @ profile / np.linalg.norm(profile)
    np.testing.assert_allclose(model.score(["u1"])[0], expected, rtol=1e-6)


def test_cold_item_is_recommended_by_its_words():
    recs = ContentRecommender(min_df=1).fit(INTER, DESCRIPTIONS).recommend(["u1"], k=1)
    assert recs[C.ITEM].tolist() == ["new"]


def test_missing_description_gives_zero_scores():
    model = ContentRecommender(min_df=1).fit(INTER, DESCRIPTIONS.drop("d"))
    assert (model.score()[:, 3] == 0).all()
    assert (model.score(["u2"]) == 0).all()  # u2's only item has no words


def test_similar_items():
    model = ContentRecommender(min_df=1).fit(INTER, DESCRIPTIONS)
    similar = model.similar_items("a", k=2)
    cosines = (tfidf() @ tfidf()[0])[1:]  # b, c, d, new
    assert similar.index.tolist() == ["b", "new"]
    np.testing.assert_allclose(similar.to_numpy(), cosines[[0, 3]])
    assert cosines[0] > cosines[3] > cosines[1] > cosines[2] == 0
    np.testing.assert_allclose(model.item_similarity(), tfidf() @ tfidf().T, atol=1e-12)


def test_does_not_mutate_inputs():
    desc, before = DESCRIPTIONS.copy(), DESCRIPTIONS.copy()
    matrix_before = INTER.matrix.toarray().copy()
    ContentRecommender(min_df=1).fit(INTER, desc).recommend(k=2)
    pd.testing.assert_series_equal(desc, before)
    np.testing.assert_array_equal(INTER.matrix.toarray(), matrix_before)


def test_bad_input():
    with pytest.raises(TypeError, match="descriptions"):
        ContentRecommender().fit(INTER, DESCRIPTIONS.to_dict())
    with pytest.raises(ValueError, match="descriptions"):
        ContentRecommender().fit(INTER, pd.Series(dtype=str))
    with pytest.raises(ValueError, match="descriptions.*vocabulary"):
        ContentRecommender(min_df=1).fit(INTER, pd.Series({"a": "12 34"}))
    with pytest.raises(ValueError, match="descriptions.*one description"):
        ContentRecommender().fit(INTER, pd.Series(["x", "y"], index=["a", "a"]))
    with pytest.raises(TypeError, match="interactions"):
        ContentRecommender().fit("inter", DESCRIPTIONS)
    model = ContentRecommender(min_df=1).fit(INTER, DESCRIPTIONS)
    with pytest.raises(ValueError, match="items.*unknown"):
        model.similar_items("zzz")
    with pytest.raises(ValueError, match="k"):
        model.similar_items("a", k=0)
    with pytest.raises(ValueError, match="users.*unknown"):
        model.recommend(["u9"])


def test_min_letters_three_is_lesson_03s_tokenizer():
    from pmkt_lessons.features import word_pattern

    text = pd.Series({"a": "PK OF 12 RED MUGS", "b": "PK OF 6 RED CUPS", "c": "TEA CUPS", "d": "GNOME",
                      "new": "RED TEA"})
    two = ContentRecommender(min_df=1).fit(INTER, text)
    three = ContentRecommender(min_df=1, min_letters=3).fit(INTER, text)
    assert "pk" in two.vocabulary_ and "pk" not in three.vocabulary_
    vec = TfidfVectorizer(min_df=1, stop_words="english", token_pattern=word_pattern(3))
    np.testing.assert_allclose(three.item_vectors_.toarray(), vec.fit_transform(text.reindex(INTER.items)).toarray())


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (2.5, TypeError)])
def test_bad_min_letters(value, error):
    with pytest.raises(error, match="min_letters"):
        ContentRecommender(min_df=1, min_letters=value).fit(INTER, DESCRIPTIONS)
