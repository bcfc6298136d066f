"""Cross-checks against peer libraries on identical inputs (marker ``crosscheck``; issue 9).

Each test computes one thing two ways, ours and a maintained library's:
ranking metrics with ranx, IPS / SNIPS / DR with obp's estimators, Qini and
uplift curves with scikit-uplift, ``BiasBaseline`` with Surprise's
``BaselineOnly``, one exact ALS solve with implicit, rule counts with mlxtend
called directly, AUC and log loss with scikit-learn. Where the conventions
differ the test says so (and so does the docstring of our function). obp is
installed without its dependencies: it pins old numpy / pandas / scikit-learn
that conflict with the lock, and the estimators used here need none of them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

pytestmark = pytest.mark.crosscheck

RNG = np.random.default_rng(2024)


# --------------------------------------------------------------------------- ranx


def _ranking_case(n_users=40, n_items=30, k=10):
    """Recommendations (distinct scores) and a truth with at most k relevant items per user."""
    users = np.repeat(np.arange(n_users), n_items)
    items = np.tile(np.arange(n_items), n_users)
    scores = RNG.permutation(len(users)).astype(float)
    recs = pd.DataFrame({"user_id": users, "item_id": items, "prediction": scores})
    recs = recs.sort_values(["user_id", "prediction"], ascending=[True, False])
    recs["rank"] = recs.groupby("user_id").cumcount() + 1
    recs = recs[recs["rank"] <= k]
    n_rel = RNG.integers(1, k + 1, n_users)  # <= k: see the map@k convention below
    truth = pd.concat(
        [pd.DataFrame({"user_id": u, "item_id": RNG.choice(n_items, n, replace=False)}) for u, n in enumerate(n_rel)]
    )
    return recs, truth, k


def test_ranking_metrics_match_ranx():
    from ranx import Qrels, Run, evaluate

    from pmkt_lessons.recsys import hit_rate_at_k, map_at_k, ndcg_at_k, precision_at_k, recall_at_k

    recs, truth, k = _ranking_case()
    qrels = Qrels.from_df(truth.assign(q=truth["user_id"].astype(str).astype(object), d=truth["item_id"].astype(str).astype(object), s=1),
                          q_id_col="q", doc_id_col="d", score_col="s")
    run = Run.from_df(recs.assign(q=recs["user_id"].astype(str).astype(object), d=recs["item_id"].astype(str).astype(object)),
                      q_id_col="q", doc_id_col="d", score_col="prediction")
    theirs = evaluate(qrels, run, [f"precision@{k}", f"recall@{k}", f"ndcg@{k}", f"map@{k}", f"hit_rate@{k}"])
    # Both average over the users of the truth. map@k: ours divides by min(k, relevant), ranx by
    # the number relevant; with at most k relevant items per user (as here) they are equal.
    assert precision_at_k(recs, truth, k) == pytest.approx(theirs[f"precision@{k}"], abs=1e-9)
    assert recall_at_k(recs, truth, k) == pytest.approx(theirs[f"recall@{k}"], abs=1e-9)
    assert ndcg_at_k(recs, truth, k) == pytest.approx(theirs[f"ndcg@{k}"], abs=1e-9)
    assert map_at_k(recs, truth, k) == pytest.approx(theirs[f"map@{k}"], abs=1e-9)
    assert hit_rate_at_k(recs, truth, k) == pytest.approx(theirs[f"hit_rate@{k}"], abs=1e-9)


# --------------------------------------------------------------------------- obp


@pytest.fixture(scope="module")
def bandit_log():
    """A logged bandit with K actions, one slot, known propensities, a target policy and a reward model."""
    n, K = 3000, 5
    logging = RNG.dirichlet(np.ones(K), n)
    action = np.array([RNG.choice(K, p=p) for p in logging])
    ctr = RNG.uniform(0.02, 0.2, (n, K))
    reward = (RNG.random(n) < ctr[np.arange(n), action]).astype(float)
    target = RNG.dirichlet(np.ones(K), n)
    q = np.clip(ctr + RNG.normal(0, 0.02, ctr.shape), 0, 1)
    return action, reward, logging[np.arange(n), action], target, q


def test_ips_snips_dr_match_obp(bandit_log):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from obp.ope import (
            DoublyRobust,
            InverseProbabilityWeighting,
            SelfNormalizedInverseProbabilityWeighting,
        )

    from pmkt_lessons.bandits import dr_estimate, ips_estimate, snips_estimate

    action, reward, pscore, target, q = bandit_log
    n = len(action)
    rows = np.arange(n)
    action_dist = target[:, :, None]  # obp: (rounds, actions, slots)
    common = dict(reward=reward, action=action, pscore=pscore, action_dist=action_dist,
                  position=np.zeros(n, dtype=int))
    target_prob = target[rows, action]
    assert ips_estimate(reward, target_prob, pscore) == pytest.approx(
        InverseProbabilityWeighting().estimate_policy_value(**common), rel=1e-10)
    assert snips_estimate(reward, target_prob, pscore) == pytest.approx(
        SelfNormalizedInverseProbabilityWeighting().estimate_policy_value(**common), rel=1e-10)
    theirs_dr = DoublyRobust().estimate_policy_value(**common, estimated_rewards_by_reg_model=q[:, :, None])
    ours_dr = dr_estimate(reward, target_prob, pscore, q[rows, action], (target * q).sum(axis=1))
    assert ours_dr == pytest.approx(theirs_dr, rel=1e-10)


# --------------------------------------------------------------------------- scikit-uplift


def test_qini_and_uplift_curves_match_sklift():
    from sklift.metrics import qini_curve, uplift_curve

    from pmkt_lessons.uplift import uplift_curve as ours

    n = 2000
    t = RNG.integers(0, 2, n)
    score = RNG.permutation(n) / n  # distinct scores: no ties to group
    y = (RNG.random(n) < 0.1 + 0.05 * t * (score > 0.5)).astype(int)
    curve = ours(y, t, score)
    x_q, y_q = qini_curve(y, score, t)
    x_u, y_u = uplift_curve(y, score, t)
    # sklift starts at (0, 0) as ours does and has one point per distinct score
    np.testing.assert_array_equal(curve["n_targeted"].to_numpy(), x_q)
    np.testing.assert_allclose(curve["qini"].to_numpy(), y_q, atol=1e-9)
    np.testing.assert_array_equal(curve["n_targeted"].to_numpy(), x_u)
    np.testing.assert_allclose(curve["incremental"].to_numpy(), y_u, atol=1e-9)


# --------------------------------------------------------------------------- Surprise


def test_bias_baseline_matches_surprise_baselineonly():
    from surprise import BaselineOnly, Dataset, Reader

    from pmkt_lessons.recsys.mf import BiasBaseline

    ratings = pd.DataFrame({
        "user_id": RNG.integers(0, 60, 3000), "item_id": RNG.integers(0, 80, 3000),
        "rating": RNG.integers(1, 6, 3000).astype(float),
    }).drop_duplicates(["user_id", "item_id"])
    data = Dataset.load_from_df(ratings[["user_id", "item_id", "rating"]], Reader(rating_scale=(1, 5)))
    algo = BaselineOnly(bsl_options={"method": "als", "reg_u": 15, "reg_i": 10, "n_epochs": 30}, verbose=False)
    algo.fit(data.build_full_trainset())
    theirs = np.array([algo.predict(u, i, clip=False).est for u, i in zip(ratings["user_id"], ratings["item_id"], strict=True)])
    ours = BiasBaseline(iterations=30, clip=False).fit(ratings).predict(ratings)
    # Surprise updates the user biases first in each sweep, ours the item biases first; both
    # converge to the same minimiser, so after enough sweeps they agree closely.
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


# --------------------------------------------------------------------------- implicit


def test_one_exact_als_solve_matches_implicit():
    from implicit.cpu import _als

    from pmkt_lessons.recsys.als import als_exact_solve

    r = sp.random(25, 18, density=0.3, random_state=3, format="csr", dtype=np.float32)
    r.data = np.ceil(r.data * 4).astype(np.float32)
    items = RNG.normal(0, 0.3, (18, 4)).astype(np.float32)
    reg, alpha = 0.1, 2.0
    ours = als_exact_solve(r, items, reg=reg, alpha=alpha)
    # implicit reads the matrix entries as the confidence c_ui itself; ours (Hu et al.) uses
    # c_ui = 1 + alpha r_ui: hand implicit that confidence.
    conf = r.copy()
    conf.data = (1.0 + alpha * r.data).astype(np.float32)
    theirs = np.zeros((25, 4), dtype=np.float32)
    _als.least_squares(conf, theirs, items, reg, num_threads=1)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


# --------------------------------------------------------------------------- mlxtend


def test_rule_counts_match_mlxtend_called_directly():
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    from pmkt_lessons.data import load_groceries
    from pmkt_lessons.rules import mine_rules, one_hot

    onehot = one_hot(load_groceries().baskets)
    ours = mine_rules(onehot, min_support=0.01, min_confidence=0.3)
    itemsets = fpgrowth(onehot, min_support=0.01, use_colnames=True)
    theirs = association_rules(itemsets, metric="confidence", min_threshold=0.3)
    assert len(ours) == len(theirs) > 0
    pairs = {(frozenset(a), frozenset(c)) for a, c in zip(theirs["antecedents"], theirs["consequents"], strict=True)}
    assert {(frozenset(a), frozenset(c)) for a, c in zip(ours["antecedents"], ours["consequents"], strict=True)} == pairs


# --------------------------------------------------------------------------- scikit-learn


def test_log_loss_and_auc_match_scikit_learn():
    from sklearn.metrics import log_loss, roc_auc_score

    from pmkt_lessons.ctr.metrics import ctr_scores
    from pmkt_lessons.ctr.metrics import log_loss as ours_log_loss

    p = RNG.uniform(0.01, 0.6, 5000)
    y = (RNG.random(5000) < p).astype(int)
    assert ours_log_loss(y, p) == pytest.approx(log_loss(y, p), rel=1e-12)
    scores = ctr_scores(y, p)
    assert scores["auc"] == pytest.approx(round(roc_auc_score(y, p), 4), abs=1e-4)


# --------------------------------------------------------------------------- statsmodels, calibration


@pytest.mark.parametrize(("p_base", "mde"), [(0.05, 0.01), (0.1, 0.02), (0.2, 0.1), (0.3, 0.3), (0.1, 0.4)])
def test_sample_size_is_statsmodels_or_at_most_two_more(p_base, mde):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    from pmkt_lessons.experiments import sample_size_per_arm

    h = abs(proportion_effectsize(p_base + mde, p_base))
    theirs = int(np.ceil(NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1.0)))
    one_sided = int(np.ceil(NormalIndPower().solve_power(h, alpha=0.05, power=0.8, alternative="larger")))
    # two-sided: statsmodels also counts the far tail as power (see the docstring)
    assert 0 <= sample_size_per_arm(p_base, mde) - theirs <= 2
    assert sample_size_per_arm(p_base, mde, alternative="larger") == one_sided


def test_uniform_calibration_matches_calibration_curve_off_the_edges():
    from sklearn.calibration import calibration_curve

    from pmkt_lessons.ctr.metrics import calibration_table

    p = RNG.uniform(0, 1, 4000)
    p = p[np.abs(p * 10 - np.round(p * 10)) > 1e-9]  # no prediction exactly on an edge
    y = (RNG.random(len(p)) < p).astype(int)
    table = calibration_table(y, p, n_bins=10, strategy="uniform")
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(table["mean_predicted"].to_numpy(), predicted, atol=1e-12)
    np.testing.assert_allclose(table["observed_rate"].to_numpy(), observed, atol=1e-12)
