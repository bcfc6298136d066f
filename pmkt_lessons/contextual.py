"""Contextual bandits: LinUCB and linear Thompson sampling, a simulated world, off-policy evaluation.

A context-free bandit (lesson 17) looks for the one best creative for
everybody. A *contextual* bandit picks per customer: it learns, for each
creative ``a``, a linear model of the click rate given the customer's
features ``x``, ``E[r | x, a] = x . theta_a``, and explores where that
model is unsure. Part 1 gives the two classic policies and a runner that
plays many runs at once against a simulated world whose best creative per
context is known (so regret can be measured); part 2 judges a contextual
policy from the Open Bandit log with the IPS / DR estimators of lesson 17.
Introduced in lesson 21.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError

from .bandits import BanditPolicy
from .bandits.policies import regret_curve
from .randomness import check_random_state
from .validation import require_frame, require_in_range, require_no_nan, require_positive_int

# =========================================================================== the world


@dataclass(frozen=True)
class ContextualWorld:
    """A simulated world of customers and creatives where ``E[click | x, a] = x . theta[a]``.

    Attributes
    ----------
    theta : ndarray (n_arms, n_features)
        True coefficients of each creative.
    n_segments : int
        Contexts are ``[1, one-hot segment (n_segments), u]`` with ``u``
        uniform in [0, 1] (say, a scaled recency).

    Introduced in lesson 21.
    """

    theta: np.ndarray
    n_segments: int

    @property
    def n_arms(self) -> int:
        """Give the number of creatives."""
        return self.theta.shape[0]

    @property
    def n_features(self) -> int:
        """Give the context length."""
        return self.theta.shape[1]

    def contexts(self, n: int, random_state=None) -> np.ndarray:
        """Give ``n`` random contexts, shape ``(n, n_features)``."""
        n = require_positive_int(n, "n")
        rng = check_random_state(random_state)
        x = np.zeros((n, self.n_features))
        x[:, 0] = 1.0
        x[np.arange(n), 1 + rng.integers(0, self.n_segments, n)] = 1.0
        x[:, -1] = rng.random(n)
        return x

    def expected_rewards(self, X) -> np.ndarray:
        """Give the true click probability of every creative in every context, shape ``(n, n_arms)``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[-1] != self.n_features:
            raise ValueError(f"X: expected shape (n, {self.n_features}), got {X.shape}")
        return np.clip(X @ self.theta.T, 0.0, 1.0)

    def best_arm(self, X) -> np.ndarray:
        """Give the best creative of each context (the truth regret is measured against)."""
        return self.expected_rewards(X).argmax(axis=1)


def make_contextual_world(n_arms: int = 5, n_segments: int = 4, random_state=0) -> ContextualWorld:
    """Give a world whose creatives suit different segments (click rates about 2 % to 20 %).

    Each creative has a base rate, an effect per segment and a slope in the
    continuous feature, drawn so that the best creative differs between
    segments: no single creative is best for everybody. Introduced in lesson 21.
    """
    n_arms = require_positive_int(n_arms, "n_arms")
    n_segments = require_positive_int(n_segments, "n_segments")
    if n_arms < 2:
        raise ValueError(f"n_arms: expected at least 2 creatives, got {n_arms}")
    rng = check_random_state(random_state)
    base = rng.uniform(0.04, 0.08, n_arms)
    segment = rng.uniform(-0.02, 0.04, (n_arms, n_segments))
    for s in range(n_segments):  # a different creative is made the clear winner of each segment
        segment[s % n_arms, s] += 0.08
    slope = rng.uniform(-0.03, 0.03, n_arms)
    theta = np.column_stack([base, segment, slope])
    return ContextualWorld(theta=theta, n_segments=n_segments)


# =========================================================================== policies


class _LinearPolicy(BaseEstimator):
    """Shared state of the linear policies: per run and arm, ``A^-1`` and ``b`` of a ridge regression."""

    def _init_state(self, n_runs: int, n_arms: int, n_features: int) -> None:
        ridge = require_in_range(self.ridge, "ridge", 0, np.inf, low_inclusive=False)
        self.A_inv_ = np.broadcast_to(np.eye(n_features) / ridge, (n_runs, n_arms, n_features, n_features)).copy()
        self.b_ = np.zeros((n_runs, n_arms, n_features))

    def _check_started(self) -> None:
        if not hasattr(self, "A_inv_"):
            raise NotFittedError(
                f"{type(self).__name__} has no state yet: run_contextual_bandit starts it (or call _init_state)"
            )

    def _mean_and_sd(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self._check_started()
        theta = np.einsum("rkde,rke->rkd", self.A_inv_, self.b_)
        mean = np.einsum("rd,rkd->rk", X, theta)
        var = np.einsum("rd,rkde,re->rk", X, self.A_inv_, X)
        return mean, np.sqrt(np.maximum(var, 0.0))

    def update(self, X: np.ndarray, arms: np.ndarray, rewards: np.ndarray) -> None:
        """Add one observation per run: Sherman-Morrison update of ``A^-1``, and ``b += r x``."""
        runs = np.arange(len(arms))
        A_inv = self.A_inv_[runs, arms]
        u = np.einsum("rde,re->rd", A_inv, X)
        denom = 1.0 + np.einsum("rd,rd->r", X, u)
        self.A_inv_[runs, arms] = A_inv - u[:, :, None] * u[:, None, :] / denom[:, None, None]
        self.b_[runs, arms] += rewards[:, None] * X

    def coefficients(self) -> np.ndarray:
        """Give the ridge estimate ``theta_hat = A^-1 b``, shape ``(n_runs, n_arms, n_features)``."""
        self._check_started()
        return np.einsum("rkde,rke->rkd", self.A_inv_, self.b_)


class LinUCB(_LinearPolicy):
    """Give the creative with the highest upper confidence bound of a per-creative ridge regression.

    For each creative ``a`` with ``A_a = ridge I + sum x x^T`` and
    ``b_a = sum r x`` over the contexts where it was shown::

        theta_a = A_a^-1 b_a
        UCB_a(x) = x . theta_a + alpha sqrt(x^T A_a^-1 x)

    ``A_a^-1`` is kept up to date with the Sherman-Morrison formula, O(d^2)
    per step. Introduced in lesson 21.

    Parameters
    ----------
    alpha : float
        Width of the confidence bonus (0: greedy).
    ridge : float
        Prior precision ``lambda`` (> 0).

    References
    ----------
    Li, L., Chu, W., Langford, J., Schapire, R. E. (2010). A contextual-bandit
    approach to personalized news article recommendation. WWW 2010 (disjoint LinUCB).
    """

    label = "LinUCB"

    def __init__(self, alpha: float = 1.0, ridge: float = 1.0):
        self.alpha = alpha
        self.ridge = ridge

    def choose(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Give one arm per run from its context ``X`` (n_runs, n_features)."""
        require_in_range(self.alpha, "alpha", 0, np.inf)
        mean, sd = self._mean_and_sd(X)
        score = mean + self.alpha * sd
        best = score >= score.max(axis=1, keepdims=True) - 1e-12
        return np.argmax(best * (1.0 + rng.random(score.shape)), axis=1)  # random among ties


class LinearThompsonSampling(_LinearPolicy):
    """Give the creative whose click rate, drawn from the ridge regression's posterior, is highest.

    With ``theta_a ~ N(A_a^-1 b_a, v^2 A_a^-1)`` the draw of ``x . theta_a``
    is normal with mean ``x . theta_hat_a`` and standard deviation
    ``v sqrt(x^T A_a^-1 x)``, so only that one number is drawn per
    creative. Introduced in lesson 21.

    Parameters
    ----------
    v : float
        Posterior scale (exploration); ``v`` about the reward's noise level.
    ridge : float
        Prior precision (> 0).

    References
    ----------
    Agrawal, S., Goyal, N. (2013). Thompson sampling for contextual bandits
    with linear payoffs. ICML 2013.
    """

    label = "linear Thompson"

    def __init__(self, v: float = 0.3, ridge: float = 1.0):
        self.v = v
        self.ridge = ridge

    def choose(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Give one arm per run from its context ``X`` (n_runs, n_features)."""
        require_in_range(self.v, "v", 0, np.inf)
        mean, sd = self._mean_and_sd(X)
        return np.argmax(mean + self.v * sd * rng.standard_normal(mean.shape), axis=1)


def _policy_name(policy) -> str:
    if isinstance(policy, BanditPolicy):
        return f"{policy.name} (no context)"
    return policy.label


def run_contextual_bandit(
    policy,
    world: ContextualWorld,
    horizon: int,
    n_runs: int = 50,
    random_state=0,
) -> pd.DataFrame:
    """Give the regret curve of a policy played ``n_runs`` times in a contextual world.

    Every step draws one customer context per run; the policy picks a
    creative; the click is drawn from the true rate. Regret at a step is the
    best creative's rate *for that context* minus the rate of the creative
    shown (pseudo-regret). ``policy`` is :class:`LinUCB`,
    :class:`LinearThompsonSampling`, or a context-free policy of lesson 17
    (e.g. ``ThompsonSampling()``), which sees only its click and pull counts.
    All runs are simulated at once (numpy across runs; the loop is over
    steps). The same ``random_state`` gives every policy the same customers.
    Introduced in lesson 21.

    Returns
    -------
    DataFrame
        Index ``step``; ``regret``, ``cumulative_regret``,
        ``cumulative_regret_se`` and ``best_arm_share`` as :func:`pmkt_lessons.bandits.run_bandit`.
    """
    if not isinstance(world, ContextualWorld):
        raise TypeError(f"world: expected a ContextualWorld, got {type(world).__name__}")
    if not isinstance(policy, (_LinearPolicy, BanditPolicy)):
        raise TypeError(f"policy: expected LinUCB, LinearThompsonSampling or a lesson-17 BanditPolicy, got {type(policy).__name__}")
    horizon = require_positive_int(horizon, "horizon")
    n_runs = require_positive_int(n_runs, "n_runs")
    rng = check_random_state(random_state)
    context_rng = np.random.default_rng(rng.integers(2**63 - 1))
    policy_rng = np.random.default_rng(rng.integers(2**63 - 1))
    n_arms = world.n_arms
    linear = isinstance(policy, _LinearPolicy)
    if linear:
        policy = clone(policy)  # the caller's policy keeps no state from this run
        policy._init_state(n_runs, n_arms, world.n_features)
    else:
        pulls, clicks = np.zeros((n_runs, n_arms)), np.zeros((n_runs, n_arms))
    runs = np.arange(n_runs)
    played, best = np.empty((horizon, n_runs)), np.empty((horizon, n_runs))
    for t in range(horizon):
        X = world.contexts(n_runs, context_rng)
        truth = world.expected_rewards(X)
        arms = policy.choose(X, policy_rng) if linear else policy.choose(pulls, clicks, policy_rng)
        p = truth[runs, arms]
        rewards = (context_rng.random(n_runs) < p).astype(float)
        if linear:
            policy.update(X, arms, rewards)
        else:
            pulls[runs, arms] += 1
            clicks[runs, arms] += rewards
        played[t], best[t] = p, truth.max(axis=1)
    return regret_curve(best, played, played >= best - 1e-12)


# =========================================================================== off-policy, contextual


def contextual_greedy_policy(
    log: pd.DataFrame,
    context_col: str,
    *,
    action_col: str = "item_id",
    reward_col: str = "click",
    actions=None,
    epsilon: float = 0.2,
    prior_strength: float = 200.0,
) -> pd.DataFrame:
    """Give an epsilon-greedy contextual policy P(action | context) learned from a log.

    For each context value, each action's click rate is estimated from the
    log, shrunk towards the action's overall rate as if ``prior_strength``
    impressions at that rate had been seen. The policy shows the best action
    of the context with probability ``1 - epsilon`` and a uniformly random
    one otherwise, so every action keeps some probability (which
    off-policy evaluation needs). Introduced in lesson 21.

    Returns
    -------
    DataFrame
        Index: context values; columns: actions; rows sum to 1.
    """
    require_frame(log, [context_col, action_col, reward_col], "log")
    require_no_nan(log, [context_col, action_col, reward_col], "log")
    require_in_range(epsilon, "epsilon", 0, 1)
    require_in_range(prior_strength, "prior_strength", 0, np.inf)
    acts = pd.Index(sorted(log[action_col].unique())) if actions is None else pd.Index(actions)
    shown = pd.crosstab(log[context_col], log[action_col]).reindex(columns=acts, fill_value=0)
    clicked = log.pivot_table(index=context_col, columns=action_col, values=reward_col, aggfunc="sum")
    clicked = clicked.reindex(index=shown.index, columns=acts).fillna(0.0)
    overall = log.groupby(action_col)[reward_col].mean().reindex(acts).fillna(log[reward_col].mean())
    rate = (clicked + prior_strength * overall.to_numpy()) / (shown + prior_strength)
    best = rate.to_numpy().argmax(axis=1)
    probs = np.full(rate.shape, epsilon / len(acts))
    probs[np.arange(len(rate)), best] += 1.0 - epsilon
    return pd.DataFrame(probs, index=rate.index, columns=acts)


def contextual_target_probs(
    policy: pd.DataFrame, log: pd.DataFrame, context_col: str, *, action_col: str = "item_id"
) -> tuple[np.ndarray, np.ndarray]:
    """Give, per row of ``log``, the policy's probability of the logged action and of every action.

    A context value missing from ``policy`` raises (the policy would not know
    what to do); an action missing from its columns has probability 0.
    Introduced in lesson 21.

    Returns
    -------
    target_probs : ndarray (n,)
    all_probs : ndarray (n, n_actions)
        Rows of the policy table, one per log row (columns as ``policy.columns``).
    """
    require_frame(policy, (), "policy")
    require_frame(log, [context_col, action_col], "log")
    rows = policy.index.get_indexer(log[context_col])
    if (rows < 0).any():
        unknown = log.loc[rows < 0, context_col].unique()[:3].tolist()
        raise ValueError(f"policy: expected a row for every context of the log, missing {unknown}")
    all_probs = policy.to_numpy(dtype=float)[rows]
    cols = policy.columns.get_indexer(log[action_col])
    target = np.where(cols >= 0, all_probs[np.arange(len(log)), np.maximum(cols, 0)], 0.0)
    return target, all_probs
