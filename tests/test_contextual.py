"""Tests of pmkt_lessons.contextual: LinUCB, linear Thompson sampling, the world, contextual OPE."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pmkt_lessons.bandits import ThompsonSampling, ips_estimate
from pmkt_lessons.contextual import (
    ContextualWorld,
    LinearThompsonSampling,
    LinUCB,
    contextual_greedy_policy,
    contextual_target_probs,
    make_contextual_world,
    run_contextual_bandit,
)


def _toy_world():
    # two segments, three creatives, big gaps: creative 0 wins segment 0, creative 1 segment 1
    theta = np.array([
        [0.2, 0.5, 0.0, 0.0],
        [0.2, 0.0, 0.5, 0.0],
        [0.4, 0.0, 0.0, 0.0],
    ])
    return ContextualWorld(theta=theta, n_segments=2)


def test_world_truth():
    world = _toy_world()
    X = world.contexts(1000, random_state=0)
    assert X.shape == (1000, 4) and (X[:, 0] == 1).all() and (X[:, 1:3].sum(axis=1) == 1).all()
    best = world.best_arm(X)
    np.testing.assert_array_equal(best, np.where(X[:, 1] == 1, 0, 1))
    np.testing.assert_allclose(world.expected_rewards(X).max(axis=1), 0.7)
    big = make_contextual_world(n_arms=5, n_segments=4, random_state=0)
    assert len(np.unique(big.best_arm(big.contexts(2000, 1)))) >= 3  # no single best creative
    with pytest.raises(ValueError, match="n_arms: expected at least 2"):
        make_contextual_world(n_arms=1)
    with pytest.raises(ValueError, match=r"X: expected shape \(n, 4\)"):
        world.expected_rewards(np.zeros((3, 2)))


def test_linucb_regret_grows_sublinearly():
    result = run_contextual_bandit(LinUCB(alpha=1.0), _toy_world(), horizon=2000, n_runs=20, random_state=0)
    total = result["cumulative_regret"]
    first, second = total.iloc[999], total.iloc[-1] - total.iloc[999]
    assert second < 0.2 * first          # linear growth would make the two halves equal
    assert (result["cumulative_regret"] / result.index).iloc[-1] < 0.5 * (total.iloc[249] / 250)
    assert result["best_arm_share"].iloc[-200:].mean() > 0.99


def test_contextual_beats_context_free_thompson():
    world = _toy_world()
    free = run_contextual_bandit(ThompsonSampling(), world, 1500, n_runs=20, random_state=1)
    for policy in (LinUCB(alpha=0.5), LinearThompsonSampling(v=0.5)):
        linear = run_contextual_bandit(policy, world, 1500, n_runs=20, random_state=1)
        gap = free["cumulative_regret"].iloc[-1] - linear["cumulative_regret"].iloc[-1]
        se = np.hypot(free["cumulative_regret_se"].iloc[-1], linear["cumulative_regret_se"].iloc[-1])
        assert gap > 3 * se
    # a context-free policy can at best pick creative 2 (0.6) or one segment's winner: regret ~0.1+/step
    assert free["regret"].iloc[-500:].mean() > 0.08


def test_linucb_scores_by_hand():
    policy = LinUCB(alpha=1.0, ridge=1.0)
    with pytest.raises(NotFittedError):
        policy.choose(np.ones((1, 2)), np.random.default_rng(0))
    policy._init_state(1, 2, 2)
    X = np.array([[1.0, 0.0]])
    for arm, reward in [(0, 1.0), (0, 1.0), (1, 0.0)]:
        policy.update(X, np.array([arm]), np.array([reward]))
    # arm 0: A = 1 + 2 = 3 on the first coordinate, b = 2: mean 2/3, bonus sqrt(1/3)
    np.testing.assert_allclose(policy.coefficients()[0, 0], [2 / 3, 0.0])
    mean, sd = policy._mean_and_sd(X)
    np.testing.assert_allclose(mean[0], [2 / 3, 0.0])
    np.testing.assert_allclose(sd[0], [np.sqrt(1 / 3), np.sqrt(1 / 2)])
    assert policy.choose(X, np.random.default_rng(0))[0] == 0
    A = np.eye(2) + 2 * np.outer(X[0], X[0])
    np.testing.assert_allclose(policy.A_inv_[0, 0], np.linalg.inv(A))  # Sherman-Morrison = inverse


def test_policies_are_estimators_and_reproducible():
    world = _toy_world()
    policy = LinearThompsonSampling(v=0.4)
    assert clone(policy).get_params() == {"v": 0.4, "ridge": 1.0}
    a = run_contextual_bandit(policy, world, 200, n_runs=5, random_state=3)
    assert not hasattr(policy, "A_inv_")  # the runner plays a clone
    b = run_contextual_bandit(clone(policy), world, 200, n_runs=5, random_state=3)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda w: run_contextual_bandit(LinUCB(), w, 0), ValueError, "horizon: expected a positive integer"),
        (lambda w: run_contextual_bandit(LinUCB(), w, 10, n_runs=0), ValueError, "n_runs"),
        (lambda w: run_contextual_bandit("ucb", w, 10), TypeError, "policy: expected LinUCB"),
        (lambda w: run_contextual_bandit(LinUCB(), "world", 10), TypeError, "world: expected a ContextualWorld"),
        (lambda w: run_contextual_bandit(LinUCB(ridge=0), w, 10), ValueError, r"ridge: expected a value in \(0"),
        (lambda w: run_contextual_bandit(LinUCB(alpha=-1), w, 10), ValueError, "alpha: expected a value"),
    ],
)
def test_runner_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call(_toy_world())


def _log():
    rng = np.random.default_rng(0)
    n = 4000
    context = rng.integers(0, 2, n)
    item = rng.integers(0, 4, n)
    p = np.where(item == context, 0.3, 0.05)  # item 0 suits context 0, item 1 context 1
    return pd.DataFrame({"ctx": context, "item_id": item, "click": (rng.random(n) < p).astype(int),
                         "propensity_score": 0.25})


def test_contextual_greedy_policy_and_ips_recover_the_truth():
    log = _log()
    before = log.copy()
    policy = contextual_greedy_policy(log, "ctx", epsilon=0.2)
    pd.testing.assert_frame_equal(log, before)
    np.testing.assert_allclose(policy.sum(axis=1), 1.0)
    assert policy.loc[0].idxmax() == 0 and policy.loc[1].idxmax() == 1
    assert np.isclose(policy.to_numpy().min(), 0.2 / 4)
    target, all_probs = contextual_target_probs(policy, log, "ctx")
    assert all_probs.shape == (len(log), 4) and np.allclose(all_probs.sum(axis=1), 1)
    truth = 0.85 * 0.3 + 0.15 * 0.05  # (1 - eps + eps/4) on the right item, the rest on others
    estimate = ips_estimate(log["click"], target, log["propensity_score"])
    assert abs(estimate - truth) < 0.03


def test_contextual_probs_bad_inputs():
    log = _log()
    policy = contextual_greedy_policy(log, "ctx")
    with pytest.raises(ValueError, match="policy: expected a row for every context"):
        contextual_target_probs(policy, log.assign(ctx=7), "ctx")
    with pytest.raises(ValueError, match="log: expected columns"):
        contextual_greedy_policy(log, "missing")
    with pytest.raises(ValueError, match=r"epsilon: expected a value in \[0, 1\]"):
        contextual_greedy_policy(log, "ctx", epsilon=2)


def test_linucb_estimate_equals_sklearn_ridge():
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    r = X @ np.array([0.5, -0.2, 0.1]) + rng.normal(0, 0.1, 200)
    policy = LinUCB(ridge=2.0)
    policy._init_state(1, 1, 3)
    for x, reward in zip(X, r, strict=True):
        policy.update(x[None, :], np.array([0]), np.array([reward]))
    ridge = Ridge(alpha=2.0, fit_intercept=False).fit(X, r)
    np.testing.assert_allclose(policy.coefficients()[0, 0], ridge.coef_, rtol=1e-8)
