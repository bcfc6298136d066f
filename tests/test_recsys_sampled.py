"""Sampled-negatives evaluation (lesson 10): candidates, ranks, per-user HR/NDCG, the binomial hit chance."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import PopularityRecommender, build_interactions
from pmkt_lessons.recsys.sampled import (
    SampledCandidates,
    candidate_metrics,
    positive_ranks,
    rank_metrics,
    sample_candidates,
    sampled_hit_probability,
)


def _world(n_users=40, n_items=60, seed=0):
    """Random purchases (training) and a later period's new purchases (truth), with ids that are not positions."""
    rng = np.random.default_rng(seed)
    bought = rng.random((n_users, n_items)) < 0.1
    later = (rng.random((n_users, n_items)) < 0.05) & ~bought
    later[:, 0] = False
    later[0, 0] = True  # at least one pair for user 0
    bought[0, 0] = False
    users, items = 1000 + np.arange(n_users), np.array([f"P{j:03d}" for j in range(n_items)])
    u, i = np.nonzero(bought)
    train = pd.DataFrame({C.CUSTOMER_ID: users[u], C.STOCK_CODE: items[i]})
    inter = build_interactions(train, users=users, items=items)
    tu, ti = np.nonzero(later)
    truth = pd.DataFrame({C.USER: users[tu], C.ITEM: items[ti]})
    return inter, truth, bought, later


@pytest.fixture(scope="module")
def world():
    return _world()


@pytest.fixture(scope="module")
def cands(world):
    inter, truth, _, _ = world
    return sample_candidates(truth, inter, n_negatives=20, random_state=3)


# ------------------------------------------------------------ sample_candidates
def test_candidates_hold_every_truth_pair_and_never_an_excluded_negative(world, cands):
    inter, truth, bought, later = world
    got = cands.pairs().sort_values([C.USER, C.ITEM]).reset_index(drop=True)
    want = truth.sort_values([C.USER, C.ITEM]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert cands.negatives.shape == (len(truth), 20) and cands.n_negatives == 20
    rows = inter.user_rows(cands.users)
    forbidden = bought[rows] | later[rows]
    assert not forbidden[cands.pair_user[:, None], cands.negatives].any()
    np.testing.assert_array_equal(cands.excluded.toarray(), forbidden)
    assert "SampledCandidates(" in repr(cands)


def test_candidates_are_seeded_and_ignore_unknown_or_repeated_pairs(world):
    inter, truth, _, _ = world
    a = sample_candidates(truth, inter, 5, random_state=1)
    b = sample_candidates(truth, inter, 5, random_state=1)
    np.testing.assert_array_equal(a.negatives, b.negatives)
    assert not np.array_equal(a.negatives, sample_candidates(truth, inter, 5, random_state=2).negatives)
    noisy = pd.concat([truth, truth.head(3), pd.DataFrame({C.USER: [1, 1000], C.ITEM: ["P001", "NEW"]})])
    c = sample_candidates(noisy, inter, 5, random_state=1)
    pd.testing.assert_frame_equal(c.pairs(), a.pairs())


def test_negatives_are_distinct_and_uniform_over_the_allowed_items():
    # 2,000 users who bought items 0-1 and hold out item 2: each draws 3 of the 7 items 3..9
    users = np.arange(2000)
    train = pd.DataFrame({C.CUSTOMER_ID: np.repeat(users, 2), C.STOCK_CODE: np.tile([0, 1], 2000)})
    inter = build_interactions(train, items=range(10))
    c = sample_candidates(pd.DataFrame({C.USER: users, C.ITEM: 2}), inter, n_negatives=3, random_state=0)
    assert (np.sort(c.negatives, axis=1)[:, 1:] != np.sort(c.negatives, axis=1)[:, :-1]).all()
    counts = np.bincount(c.negatives.ravel(), minlength=10)
    assert counts[:3].sum() == 0
    np.testing.assert_allclose(counts[3:] / 2000, 3 / 7, atol=0.04)
    every = sample_candidates(pd.DataFrame({C.USER: [0], C.ITEM: [2]}), inter, n_negatives=7, random_state=1)
    assert sorted(every.negatives[0]) == list(range(3, 10))


def test_sample_candidates_leaves_its_inputs_alone(world):
    inter, truth, _, _ = world
    before_m, before_t = inter.matrix.copy(), truth.copy()
    sample_candidates(truth, inter, 4)
    assert (inter.matrix != before_m).nnz == 0
    pd.testing.assert_frame_equal(truth, before_t)


def test_sample_candidates_rejects_bad_input(world):
    inter, truth, _, _ = world
    with pytest.raises(TypeError, match="truth"):
        sample_candidates(truth.to_numpy(), inter)
    with pytest.raises(ValueError, match="truth"):
        sample_candidates(truth.drop(columns=C.ITEM), inter)
    with pytest.raises(ValueError, match="truth"):
        sample_candidates(pd.DataFrame({C.USER: [np.nan], C.ITEM: ["P001"]}), inter)
    with pytest.raises(ValueError, match="truth"):
        sample_candidates(pd.DataFrame({C.USER: [1], C.ITEM: ["P001"]}), inter)  # nobody known
    with pytest.raises(TypeError, match="interactions"):
        sample_candidates(truth, inter.matrix)
    with pytest.raises(ValueError, match="n_negatives"):
        sample_candidates(truth, inter, 0)
    with pytest.raises(ValueError, match="n_negatives"):
        sample_candidates(truth, inter, 59)  # more than any user has left
    full = build_interactions(pd.DataFrame({C.CUSTOMER_ID: [1, 1], C.STOCK_CODE: [0, 1]}), items=range(3))
    with pytest.raises(ValueError, match="truth"):  # user 1 bought 0 and 1 and holds out 2: nothing left
        sample_candidates(pd.DataFrame({C.USER: [1], C.ITEM: [2]}), full)


# ------------------------------------------------------------ positive_ranks
def _brute_ranks(scores, cands, protocol):
    out = []
    excluded = cands.excluded.toarray()
    for p in range(cands.n_pairs):
        u, i = cands.pair_user[p], cands.pair_item[p]
        if protocol == "sampled":
            others = scores[u, cands.negatives[p]]
        else:
            others = scores[u, ~excluded[u]]
        out.append(1 + sum(o >= scores[u, i] for o in others))
    return np.array(out)


@pytest.mark.parametrize("protocol", ["sampled", "full"])
def test_ranks_match_a_loop_over_pairs(cands, protocol):
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, (len(cands.users), len(cands.items))).astype(float)  # many ties
    np.testing.assert_array_equal(positive_ranks(scores, cands, protocol), _brute_ranks(scores, cands, protocol))


def test_ties_count_against_the_held_out_item(cands):
    flat = np.zeros((len(cands.users), len(cands.items)))
    assert (positive_ranks(flat, cands) == 1 + cands.n_negatives).all()
    ranks = positive_ranks(flat, cands, "full")
    allowed = len(cands.items) - np.diff(cands.excluded.indptr)
    np.testing.assert_array_equal(ranks, 1 + allowed[cands.pair_user])


def test_full_ranks_are_never_better_than_sampled_ones(cands):
    scores = np.random.default_rng(1).normal(size=(len(cands.users), len(cands.items)))
    assert (positive_ranks(scores, cands, "full") >= positive_ranks(scores, cands, "sampled")).all()


def test_positive_ranks_rejects_bad_input_and_leaves_scores_alone(cands):
    scores = np.random.default_rng(1).normal(size=(len(cands.users), len(cands.items)))
    before = scores.copy()
    positive_ranks(scores, cands, "full")
    np.testing.assert_array_equal(scores, before)
    with pytest.raises(ValueError, match="scores"):
        positive_ranks(scores[:, :-1], cands)
    bad = scores.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="scores"):
        positive_ranks(bad, cands)
    with pytest.raises(TypeError, match="scores"):
        positive_ranks([["a"]], cands)
    with pytest.raises(TypeError, match="candidates"):
        positive_ranks(scores, "candidates")
    with pytest.raises(ValueError, match="protocol"):
        positive_ranks(scores, cands, "exact")


# ------------------------------------------------------------ rank_metrics
def test_rank_metrics_by_hand():
    users, items = pd.Index([7, 9], name=C.USER), pd.Index(list("abcd"))
    import scipy.sparse as sp

    c = SampledCandidates(users, items, np.array([0, 0, 1]), np.array([0, 1, 2]),
                          np.zeros((3, 1), dtype=np.int64), sp.csr_matrix((2, 4), dtype=bool))
    table = rank_metrics(np.array([1, 3, 11]), c, k=10)
    assert table.index.tolist() == [7, 9] and table.index.name == C.USER
    assert table["n_held_out"].tolist() == [2, 1]
    np.testing.assert_allclose(table["hit_rate"], [1.0, 0.0])
    np.testing.assert_allclose(table["ndcg"], [(1 + 1 / np.log2(4)) / 2, 0.0])
    with pytest.raises(ValueError, match="ranks"):
        rank_metrics(np.array([1, 3]), c)
    with pytest.raises(ValueError, match="ranks"):
        rank_metrics(np.array([0, 3, 4]), c)
    with pytest.raises(ValueError, match="k"):
        rank_metrics(np.array([1, 3, 11]), c, k=0)
    # infinite or fractional ranks used to give a silent hit rate
    with pytest.raises(ValueError, match="ranks: expected finite numbers, got inf"):
        rank_metrics(np.array([1, np.inf, 4]), c)
    with pytest.raises(ValueError, match="ranks: expected whole numbers >= 1"):
        rank_metrics(np.array([1, 2.5, 4]), c)
    with pytest.raises(TypeError, match="ranks: expected whole numbers"):
        rank_metrics(np.array(["1", "2", "3"]), c)
    np.testing.assert_array_equal(rank_metrics(np.array([1.0, 3.0, 11.0]), c, k=10), table)


def test_sampled_ndcg_agrees_with_scikit_learn(cands):
    scores = np.random.default_rng(2).normal(size=(len(cands.users), len(cands.items)))  # no ties
    ranks = positive_ranks(scores, cands)
    per_pair = []
    for p in range(cands.n_pairs):
        u = cands.pair_user[p]
        cand_scores = np.r_[scores[u, cands.pair_item[p]], scores[u, cands.negatives[p]]]
        relevance = np.r_[1.0, np.zeros(cands.n_negatives)]
        per_pair.append(ndcg_score(relevance[None], cand_scores[None], k=5))
    want = pd.Series(per_pair).groupby(cands.pair_user).mean().to_numpy()
    np.testing.assert_allclose(rank_metrics(ranks, cands, k=5)["ndcg"].to_numpy(), want)


def test_a_random_scorer_hits_the_sampled_top_10_about_10_times_in_101():
    inter, truth, _, _ = _world(n_users=200, n_items=400, seed=4)
    c = sample_candidates(truth, inter, 100, random_state=0)
    scores = np.random.default_rng(5).normal(size=(len(c.users), len(c.items)))
    hits = positive_ranks(scores, c) <= 10
    assert hits.mean() == pytest.approx(10 / 101, abs=0.02)


# ------------------------------------------------------------ candidate_metrics
def test_candidate_metrics_scores_the_model(world, cands):
    inter, truth, _, _ = world
    model = PopularityRecommender().fit(inter)
    for protocol in ("sampled", "full"):
        ranks = positive_ranks(model.score(cands.users), cands, protocol)
        pd.testing.assert_frame_equal(candidate_metrics(model, cands, 10, protocol), rank_metrics(ranks, cands, 10))


def test_candidate_metrics_rejects_bad_input(world, cands):
    inter, truth, _, _ = world
    with pytest.raises(TypeError, match="model"):
        candidate_metrics("popularity", cands)
    other = build_interactions(pd.DataFrame({C.CUSTOMER_ID: [1000], C.STOCK_CODE: ["P001"]}))
    with pytest.raises(ValueError, match="model"):
        candidate_metrics(PopularityRecommender().fit(other), cands)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        candidate_metrics(PopularityRecommender(), cands)
    with pytest.raises(ValueError, match="protocol"):
        candidate_metrics(PopularityRecommender().fit(inter), cands, protocol="all")


# ------------------------------------------------------------ sampled_hit_probability
def test_hit_probability_matches_a_simulation():
    rng = np.random.default_rng(0)
    n_others, rank = 3000, 151  # 150 of the 3,000 others score above the item
    draws = np.argsort(rng.random((5000, n_others)), axis=1)[:, :100]  # 100 distinct others per trial
    simulated = ((1 + (draws < rank - 1).sum(axis=1)) <= 10).mean()
    assert sampled_hit_probability(rank, n_others) == pytest.approx(simulated, abs=0.015)


def test_hit_probability_edges_and_arrays():
    assert sampled_hit_probability(1, 500) == 1.0
    assert sampled_hit_probability(501, 500, n_negatives=20, k=10) == 0.0
    probs = sampled_hit_probability(np.array([1, 50, 200, 1000]), 3664)
    assert probs.shape == (4,) and (np.diff(probs) < 0).all()
    assert sampled_hit_probability(10, 3664, n_negatives=3664, k=10) == 1.0  # every other item drawn: rank 10
    assert sampled_hit_probability(11, 3664, n_negatives=3664, k=10) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"full_rank": 0}, ValueError, "full_rank"), ({"full_rank": 2.5}, ValueError, "full_rank"),
     ({"full_rank": 502}, ValueError, "full_rank"), ({"full_rank": True}, TypeError, "full_rank"),
     ({"full_rank": "ten"}, TypeError, "full_rank"), ({"full_rank": 3, "n_others": 0}, ValueError, "n_others"),
     ({"full_rank": 3, "k": 0}, ValueError, "k"), ({"full_rank": 3, "n_negatives": 1.5}, TypeError, "n_negatives"),
     ({"full_rank": 3, "n_negatives": 501}, ValueError, "n_negatives")],
)
def test_hit_probability_rejects_bad_input(kwargs, error, match):
    args = {"n_others": 500, **kwargs}
    with pytest.raises(error, match=match):
        sampled_hit_probability(**args)
