"""Tests of PopularityRecommender and the shared fit / score / recommend behaviour."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import Interactions, PopularityRecommender

# item c: 3 buyers, a: 2, b: 1 (but 10 units), d: none
INTER = Interactions(
    sp.csr_matrix(np.array([[1, 0, 1, 0], [1, 0, 1, 0], [0, 10, 1, 0]], dtype=np.float32)),
    pd.Index([7, 8, 9]),
    pd.Index(list("abcd")),
    weight="quantity",
)


def test_scores_are_item_popularity():
    model = PopularityRecommender().fit(INTER)
    np.testing.assert_array_equal(model.popularity_, [2, 1, 3, 0])
    np.testing.assert_array_equal(model.score([9, 7]), [[2, 1, 3, 0], [2, 1, 3, 0]])
    by_weight = PopularityRecommender(by="weight").fit(INTER)
    np.testing.assert_array_equal(by_weight.popularity_, [2, 10, 3, 0])


def test_recommend_best_sellers_not_yet_bought():
    recs = PopularityRecommender().fit(INTER).recommend([7, 9], k=2)
    assert recs[[C.USER, C.ITEM, C.RANK]].values.tolist() == [[7, "b", 1], [7, "d", 2], [9, "a", 1], [9, "d", 2]]
    recs_all = PopularityRecommender().fit(INTER).recommend(k=1, exclude_seen=False)
    assert recs_all[C.ITEM].tolist() == ["c", "c", "c"]
    assert recs_all[C.USER].tolist() == [7, 8, 9]


def test_batches_give_the_same_lists():
    model = PopularityRecommender().fit(INTER)
    pd.testing.assert_frame_equal(model.recommend(k=3), model.recommend(k=3, batch_size=2))
    assert model.recommend([], k=3).empty


def test_learned_attributes_and_repr():
    model = PopularityRecommender(by="weight")
    assert repr(model) == "PopularityRecommender(by='weight')"

    model.fit(INTER)
    assert list(model.items_) == list("abcd") and list(model.users_) == [7, 8, 9]


def test_does_not_mutate_interactions():
    before = INTER.matrix.toarray().copy()
    PopularityRecommender().fit(INTER).recommend(k=2)
    np.testing.assert_array_equal(INTER.matrix.toarray(), before)


def test_bad_input():
    with pytest.raises(ValueError, match="by"):
        PopularityRecommender(by="revenue").fit(INTER)
    with pytest.raises(TypeError, match="interactions"):
        PopularityRecommender().fit(pd.DataFrame({"a": [1]}))
    model = PopularityRecommender().fit(INTER)
    with pytest.raises(ValueError, match="users.*unknown"):
        model.score([1])
    with pytest.raises(ValueError, match="k"):
        model.recommend([7], k=-3)
    with pytest.raises(ValueError, match="batch_size"):
        model.recommend([7], batch_size=0)
