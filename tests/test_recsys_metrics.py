"""Tests of pmkt_lessons.recsys.metrics: worked example, sklearn cross-check, properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import ndcg_score

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import (
    build_interactions,
    catalogue_coverage,
    compare,
    evaluate,
    hit_rate_at_k,
    item_popularity,
    map_at_k,
    mean_popularity,
    ndcg_at_k,
    per_user_metrics,
    precision_at_k,
    ranked_lists,
    recall_at_k,
)

# user 1: relevant a, c, e; list a b c d (hits at 1 and 3). user 2: relevant x; no list.
RECS = pd.DataFrame({C.USER: [1, 1, 1, 1], C.ITEM: list("abcd"), C.RANK: [1, 2, 3, 4]})
TRUTH = pd.DataFrame({C.USER: [1, 1, 1, 2], C.ITEM: ["a", "c", "e", "x"]})


def test_worked_example_by_hand():
    k = 4
    dcg = 1 + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    ap = (1 / 1 + 2 / 3) / 3
    assert precision_at_k(RECS, TRUTH, k) == pytest.approx((2 / 4 + 0) / 2)
    assert recall_at_k(RECS, TRUTH, k) == pytest.approx((2 / 3 + 0) / 2)
    assert ndcg_at_k(RECS, TRUTH, k) == pytest.approx((dcg / idcg + 0) / 2)
    assert map_at_k(RECS, TRUTH, k) == pytest.approx((ap + 0) / 2)
    assert hit_rate_at_k(RECS, TRUTH, k) == pytest.approx(0.5)


def test_k_cuts_the_list():
    # k = 2: only a, b count; precision 1/2, recall 1/3, AP = 1 / min(2, 3)
    per_user = per_user_metrics(RECS, TRUTH, 2)
    assert per_user.loc[1, "hits"] == 1
    assert per_user.loc[1, "precision"] == pytest.approx(0.5)
    assert per_user.loc[1, "recall"] == pytest.approx(1 / 3)
    assert per_user.loc[1, "map"] == pytest.approx(1 / 2)
    assert per_user.loc[2].drop("n_relevant").sum() == 0
    assert list(per_user.index) == [1, 2]


def test_prediction_orders_the_list_when_there_is_no_rank():
    recs = RECS.drop(columns=C.RANK).assign(**{C.PREDICTION: [0.1, 0.9, 0.5, 0.7]})
    # order b d c a: hits at 3 (c) and 4 (a)
    assert ranked_lists(recs, 4)[C.ITEM].tolist() == list("bdca")
    assert precision_at_k(recs, TRUTH, 2) == 0
    assert map_at_k(recs, TRUTH, 4) == pytest.approx(((1 / 3 + 2 / 4) / 3) / 2)


def test_ndcg_agrees_with_sklearn_on_graded_relevance():
    rng = np.random.default_rng(0)
    n_users, n_items, k = 6, 15, 5
    relevance = rng.integers(0, 4, size=(n_users, n_items)).astype(float)
    relevance[:, 0] = 1.0  # every user has something relevant
    scores = rng.permutation(n_users * n_items).reshape(n_users, n_items).astype(float)  # no ties
    users, items = np.meshgrid(np.arange(n_users), np.arange(n_items), indexing="ij")
    recs = pd.DataFrame({C.USER: users.ravel(), C.ITEM: items.ravel(), C.PREDICTION: scores.ravel()})
    rel = relevance.ravel() > 0
    truth = pd.DataFrame({C.USER: users.ravel()[rel], C.ITEM: items.ravel()[rel], C.RATING: relevance.ravel()[rel]})
    for kk in (1, k, n_items):
        assert ndcg_at_k(recs, truth, kk) == pytest.approx(ndcg_score(relevance, scores, k=kk))


def slow_metrics(recs, truth, k):
    """Reference implementation with explicit loops (fine in a test)."""
    rows = []
    for user, group in truth.groupby(C.USER):
        relevant = set(group[C.ITEM])
        mine = recs[recs[C.USER] == user].sort_values([C.RANK, C.ITEM])[C.ITEM].tolist()[:k]
        hits = [item in relevant for item in mine]
        n_hit = sum(hits)
        prec_at = [sum(hits[: i + 1]) / (i + 1) for i in range(len(hits)) if hits[i]]
        dcg = sum(1 / math.log2(i + 2) for i, h in enumerate(hits) if h)
        idcg = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
        rows.append([n_hit / k, n_hit / len(relevant), dcg / idcg, sum(prec_at) / min(k, len(relevant)), float(n_hit > 0)])
    return np.array(rows).mean(axis=0)


pairs = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 9)), min_size=1, max_size=30, unique=True)


@settings(max_examples=60, deadline=None)
@given(recs_pairs=pairs, truth_pairs=pairs, k=st.integers(1, 6), seed=st.integers(0, 1000))
def test_matches_the_slow_reference_and_is_in_range(recs_pairs, truth_pairs, k, seed):
    recs = pd.DataFrame(recs_pairs, columns=[C.USER, C.ITEM])
    recs[C.RANK] = recs.groupby(C.USER).cumcount() + 1
    truth = pd.DataFrame(truth_pairs, columns=[C.USER, C.ITEM])
    result = evaluate(recs, truth, k)
    np.testing.assert_allclose(result.to_numpy(), slow_metrics(recs, truth, k), atol=1e-12)
    assert ((result >= 0) & (result <= 1)).all()
    shuffled = recs.sample(frac=1.0, random_state=seed)
    pd.testing.assert_series_equal(evaluate(shuffled, truth, k), result)


@settings(max_examples=40, deadline=None)
@given(truth_pairs=pairs, k=st.integers(1, 12))
def test_a_perfect_ranking_scores_one(truth_pairs, k):
    truth = pd.DataFrame(truth_pairs, columns=[C.USER, C.ITEM])
    recs = truth.assign(**{C.RANK: truth.groupby(C.USER).cumcount() + 1})
    result = per_user_metrics(recs, truth, k)
    assert np.allclose(result["ndcg"], 1) and np.allclose(result["map"], 1)
    assert np.allclose(result["hit_rate"], 1)
    assert np.allclose(result["recall"], np.minimum(k, result["n_relevant"]) / result["n_relevant"])
    assert np.allclose(result["precision"], np.minimum(k, result["n_relevant"]) / k)


def test_coverage_and_popularity():
    train = pd.DataFrame({C.USER: [1, 2, 3, 1], C.ITEM: ["a", "a", "a", "b"]})
    inter = build_interactions(train, C.USER, C.ITEM)
    recs = pd.DataFrame({C.USER: [1, 1, 2, 2], C.ITEM: ["a", "z", "a", "b"], C.RANK: [1, 2, 1, 2]})
    assert catalogue_coverage(recs, 10) == pytest.approx(3 / 10)
    assert catalogue_coverage(recs, 10, k=1) == pytest.approx(1 / 10)
    assert item_popularity(inter).to_dict() == {"a": 3, "b": 1}
    assert item_popularity(train).to_dict() == {"a": 3, "b": 1}
    # a, z (unseen: 0), a, b
    assert mean_popularity(recs, inter) == pytest.approx((3 + 0 + 3 + 1) / 4)
    assert mean_popularity(recs, train, k=1) == pytest.approx(3)
    known = recs[recs[C.ITEM] != "z"]
    result = evaluate(known, TRUTH, 2, train=inter)  # n_items comes from inter
    assert result["coverage@2"] == pytest.approx(2 / 2)
    assert result["mean_popularity@2"] == pytest.approx((3 + 3 + 1) / 3)
    with pytest.raises(ValueError, match="n_items"):
        catalogue_coverage(recs, 2)


def test_evaluate_names_and_compare():
    result = evaluate(RECS, TRUTH, 4, n_items=10)
    assert list(result.index) == ["precision@4", "recall@4", "ndcg@4", "map@4", "hit_rate@4", "coverage@4"]
    assert result["coverage@4"] == pytest.approx(0.4)
    table = compare({"list": RECS, "empty": RECS.iloc[:0]}, TRUTH, 4)
    assert list(table.index) == ["list", "empty"]
    assert table.loc["empty"].sum() == 0
    assert table.loc["list", "recall@4"] == pytest.approx(1 / 3)


def test_does_not_mutate_inputs():
    recs, truth = RECS.copy(), TRUTH.assign(**{C.RATING: [1.0, 2.0, 1.0, 3.0]})
    before_recs, before_truth = recs.copy(), truth.copy()
    evaluate(recs, truth, 3, train=truth, n_items=20)
    pd.testing.assert_frame_equal(recs, before_recs)
    pd.testing.assert_frame_equal(truth, before_truth)


def test_bad_input():
    with pytest.raises(ValueError, match="k"):
        precision_at_k(RECS, TRUTH, 0)
    with pytest.raises(TypeError, match="k"):
        evaluate(RECS, TRUTH, 2.0)
    with pytest.raises(TypeError, match="recs"):
        evaluate([1, 2], TRUTH, 2)
    with pytest.raises(ValueError, match="recs.*rank"):
        evaluate(RECS.drop(columns=C.RANK), TRUTH, 2)
    with pytest.raises(ValueError, match="recs.*once"):
        evaluate(pd.concat([RECS, RECS]), TRUTH, 2)
    with pytest.raises(ValueError, match="truth"):
        evaluate(RECS, TRUTH.iloc[:0], 2)
    with pytest.raises(ValueError, match="truth.*once"):
        evaluate(RECS, pd.concat([TRUTH, TRUTH]), 2)
    with pytest.raises(ValueError, match="truth.*> 0"):
        evaluate(RECS, TRUTH.assign(**{C.RATING: 0.0}), 2)
    with pytest.raises(ValueError, match="truth.*missing"):
        evaluate(RECS, TRUTH.drop(columns=C.ITEM), 2)
    with pytest.raises(TypeError, match="train"):
        mean_popularity(RECS, "train")
    with pytest.raises(TypeError, match="recs_by_model"):
        compare({}, TRUTH, 2)
