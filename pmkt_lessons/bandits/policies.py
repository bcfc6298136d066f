"""Online bandit policies and the regret runner: epsilon-greedy, UCB1, Thompson sampling.

Each policy can forget (discounting or a sliding window) when CTRs change;
:func:`run_bandit` plays many independent runs at once (numpy across runs, a
loop over time steps only) and reports the regret against the best creative.
Introduced in lesson 17.

References
----------
Auer, P., Cesa-Bianchi, N. & Fischer, P. (2002). Finite-time analysis of the
multiarmed bandit problem. Machine Learning 47.
Chapelle, O. & Li, L. (2011). An empirical evaluation of Thompson sampling. NeurIPS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..randomness import check_random_state
from ..validation import (
    require_finite,
    require_in_range,
    require_positive_int,
    require_probabilities,
    require_shape,
)

# =========================================================================== online policies


class BanditPolicy(BaseEstimator):
    """Base class: a policy that picks one of K arms per run from click and pull counts.

    Subclasses implement ``choose``; :func:`run_bandit` keeps the counts,
    forgetting them as ``discount`` or ``window`` say, and checks the
    hyper-parameters first (``check_params``): the constructor only stores
    them, so ``get_params``, ``set_params`` and ``clone`` work as in
    scikit-learn. Introduced in lesson 17.

    Parameters
    ----------
    discount : float in (0, 1]
        Multiply every past count by this at each step (1 = never forget).
        The memory is about ``1 / (1 - discount)`` steps.
    window : int, optional
        Count only the last ``window`` steps (sliding window) instead.
    """

    label = "policy"

    def __init__(self, *, discount: float = 1.0, window: int | None = None):
        self.discount = discount
        self.window = window

    def check_params(self) -> BanditPolicy:
        """Give ``self`` after checking every hyper-parameter (errors name it)."""
        require_in_range(self.discount, "discount", 0, 1, low_inclusive=False)
        if self.window is not None:
            require_positive_int(self.window, "window")
            if self.discount < 1:
                raise ValueError(
                    f"window: expected either a window or a discount below 1, got window={self.window} "
                    f"and discount={self.discount}"
                )
        return self

    @property
    def name(self) -> str:
        """Give a short label with the forgetting rule, e.g. ``"Thompson (window 500)"``."""
        if self.window is not None:
            return f"{self.label} (window {self.window})"
        if self.discount < 1:
            return f"{self.label} (discount {self.discount:g})"
        return self.label

    def choose(self, pulls: np.ndarray, clicks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Give one arm per run (an int array of length n_runs) from (n_runs, K) pull and click counts."""
        raise NotImplementedError


def _argmax_random_ties(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    best = values == values.max(axis=1, keepdims=True)
    return np.argmax(best * (1.0 + rng.random(values.shape)), axis=1)


def _means(pulls: np.ndarray, clicks: np.ndarray) -> np.ndarray:
    # an untried arm gets +inf, so it is tried first
    return np.divide(clicks, pulls, out=np.full(pulls.shape, np.inf), where=pulls > 0)


class EpsilonGreedy(BanditPolicy):
    """Give the arm with the best observed CTR, or with probability ``epsilon`` a random arm.

    ``epsilon=1`` is the uniform-random policy (an A/B/n test that never
    stops). Introduced in lesson 17.
    """

    label = "epsilon-greedy"

    def __init__(self, epsilon: float = 0.1, *, discount: float = 1.0, window: int | None = None):
        super().__init__(discount=discount, window=window)
        self.epsilon = epsilon

    def check_params(self) -> BanditPolicy:
        require_in_range(self.epsilon, "epsilon", 0, 1)
        return super().check_params()

    @property
    def name(self) -> str:
        if self.epsilon == 1:
            return "uniform random"
        return super().name.replace(self.label, f"{self.label} {self.epsilon:g}", 1)

    def choose(self, pulls, clicks, rng):
        n_runs, n_arms = pulls.shape
        greedy = _argmax_random_ties(_means(pulls, clicks), rng)
        explore = rng.random(n_runs) < self.epsilon
        return np.where(explore, rng.integers(0, n_arms, n_runs), greedy)


class UCB1(BanditPolicy):
    """Give the arm with the highest upper confidence bound ``mean + c sqrt(2 ln N / n)``.

    ``N`` is the (discounted or windowed) number of pulls of all arms, ``n``
    the arm's own. With ``c = 1`` this is Auer et al.'s UCB1, whose bonus
    assumes rewards anywhere in [0, 1] and so explores a lot when CTRs are a
    few percent. Introduced in lesson 17.
    """

    label = "UCB1"

    def __init__(self, c: float = 1.0, *, discount: float = 1.0, window: int | None = None):
        super().__init__(discount=discount, window=window)
        self.c = c

    def check_params(self) -> BanditPolicy:
        require_in_range(self.c, "c", 0, np.inf)
        return super().check_params()

    @property
    def name(self) -> str:
        return super().name if self.c == 1 else super().name.replace("UCB1", f"UCB1 c={self.c:g}", 1)

    def choose(self, pulls, clicks, rng):
        log_total = np.log(np.maximum(pulls.sum(axis=1, keepdims=True), 1.0))
        bonus = np.divide(2.0 * log_total, pulls, out=np.full(pulls.shape, np.inf), where=pulls > 0)
        return _argmax_random_ties(_means(pulls, clicks) + self.c * np.sqrt(bonus), rng)


class ThompsonSampling(BanditPolicy):
    """Give the arm whose CTR, drawn from its Beta(alpha + clicks, beta + misses) posterior, is highest.

    Introduced in lesson 17.
    """

    label = "Thompson"

    def __init__(
        self, alpha: float = 1.0, beta: float = 1.0, *, discount: float = 1.0, window: int | None = None
    ):
        super().__init__(discount=discount, window=window)
        self.alpha = alpha
        self.beta = beta

    def check_params(self) -> BanditPolicy:
        require_in_range(self.alpha, "alpha", 0, np.inf, low_inclusive=False)
        require_in_range(self.beta, "beta", 0, np.inf, low_inclusive=False)
        return super().check_params()

    def choose(self, pulls, clicks, rng):
        misses = np.maximum(pulls - clicks, 0.0)  # guards rounding when counts are discounted
        draws = rng.beta(self.alpha + clicks, self.beta + misses)
        return np.argmax(draws, axis=1)


# =========================================================================== simulation runner


def _ctr_schedule(ctrs: object, horizon: int | None) -> np.ndarray:
    arr = require_probabilities(ctrs, "ctrs")
    if arr.ndim == 1:
        if horizon is None:
            raise ValueError("horizon: expected the number of steps when ctrs is one CTR per arm")
        arr = np.repeat(arr[None, :], require_positive_int(horizon, "horizon"), axis=0)
    elif arr.ndim != 2:
        raise ValueError(f"ctrs: expected shape (K,) or (horizon, K), got {arr.shape}")
    elif horizon is not None and horizon != arr.shape[0]:
        raise ValueError(f"horizon: expected {arr.shape[0]} (the rows of ctrs) or None, got {horizon}")
    if arr.shape[1] < 2:
        raise ValueError(f"ctrs: expected at least 2 arms, got {arr.shape[1]}")
    return arr


def run_bandit(
    policy: BanditPolicy,
    ctrs: object,
    horizon: int | None = None,
    n_runs: int = 200,
    random_state=0,
) -> pd.DataFrame:
    """Give the regret curve of a policy played ``n_runs`` times against simulated CTRs.

    All runs are simulated at once: numpy works across runs and arms, the
    Python loop is over time steps only. Regret at step t is the best arm's
    CTR at t minus the CTR of the arm played (pseudo-regret: expected clicks
    lost, so the coin flips of the clicks add no noise). Introduced in lesson 17.

    Parameters
    ----------
    policy : BanditPolicy
        E.g. ``ThompsonSampling()`` or ``UCB1(window=500)``.
    ctrs : array of shape (K,) or (horizon, K)
        True CTR of every arm, constant or per step (a changing world).
    horizon : int, optional
        Number of steps; required when ``ctrs`` is constant.
    n_runs : int
        Independent runs (e.g. 500): the curve is their mean.
    random_state : None, int or numpy Generator
        Seed of the single generator that draws every run.

    Returns
    -------
    DataFrame
        Index ``step`` (1..horizon); columns ``regret`` (mean per-step regret),
        ``cumulative_regret`` (mean over runs), ``cumulative_regret_se``
        (its standard error over runs) and ``best_arm_share`` (share of runs
        playing the best arm).
    """
    if not isinstance(policy, BanditPolicy):
        raise TypeError(f"policy: expected a BanditPolicy such as ThompsonSampling(), got {type(policy).__name__}")
    policy.check_params()
    schedule = _ctr_schedule(ctrs, horizon)
    n_runs = require_positive_int(n_runs, "n_runs")
    horizon, n_arms = schedule.shape
    rng = check_random_state(random_state)
    pulls = np.zeros((n_runs, n_arms))
    clicks = np.zeros((n_runs, n_arms))
    # flat views: cell (run, arm) is run * n_arms + arm, one fancy index per update
    flat_pulls, flat_clicks = pulls.reshape(-1), clicks.reshape(-1)
    offsets = np.arange(n_runs) * n_arms
    window = policy.window
    if window is not None:
        past_cells = np.zeros((window, n_runs), dtype=np.int64)
        past_rewards = np.zeros((window, n_runs))
    played_ctr = np.empty((horizon, n_runs))
    for t in range(horizon):
        if t % 1000 == 0:  # click coin flips, drawn in blocks: fewer numpy calls per step
            coins = rng.random((min(1000, horizon - t), n_runs))
        actions = policy.choose(pulls, clicks, rng)
        played_ctr[t] = schedule[t, actions]
        rewards = coins[t % 1000] < played_ctr[t]
        cells = offsets + actions
        if policy.discount < 1:
            pulls *= policy.discount
            clicks *= policy.discount
        if window is not None:
            slot = t % window
            if t >= window:  # the step leaving the window no longer counts
                flat_pulls[past_cells[slot]] -= 1
                flat_clicks[past_cells[slot]] -= past_rewards[slot]
            past_cells[slot], past_rewards[slot] = cells, rewards
        flat_pulls[cells] += 1
        flat_clicks[cells] += rewards
    best_ctr = schedule.max(axis=1, keepdims=True)
    return regret_curve(best_ctr, played_ctr, played_ctr == best_ctr)


def regret_curve(best: np.ndarray, played: np.ndarray, best_arm: np.ndarray) -> pd.DataFrame:
    """Give the mean regret curve of runs simulated at once, indexed by ``step`` from 1.

    ``played`` is the ``(horizon, n_runs)`` expected reward of what each run
    played, ``best`` the best expected reward (broadcastable to it) and
    ``best_arm`` whether the step played a best arm. Columns: ``regret``,
    ``cumulative_regret``, its standard error over runs and ``best_arm_share``.
    Introduced in lesson 17; lesson 21's contextual runner shares it.
    """
    played = require_finite(played, "played")
    if played.ndim != 2 or played.size == 0:
        raise ValueError(f"played: expected a non-empty (horizon, n_runs) array, got shape {played.shape}")
    best = require_finite(best, "best")
    if best.ndim != 2 or best.shape[0] != played.shape[0] or best.shape[1] not in (1, played.shape[1]):
        raise ValueError(f"best: expected shape {played.shape} or ({played.shape[0]}, 1) like played, got {best.shape}")
    best_arm = require_shape(best_arm, "best_arm", played.shape)
    regret = best - played
    cumulative = regret.cumsum(axis=0)
    horizon, n_runs = regret.shape
    se = cumulative.std(axis=1, ddof=1) / np.sqrt(n_runs) if n_runs > 1 else np.full(horizon, np.nan)
    return pd.DataFrame(
        {
            "regret": regret.mean(axis=1),
            "cumulative_regret": cumulative.mean(axis=1),
            "cumulative_regret_se": se,
            "best_arm_share": np.asarray(best_arm).mean(axis=1),
        },
        index=pd.RangeIndex(1, horizon + 1, name="step"),
    )
