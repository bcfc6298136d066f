"""Bandits for real-time marketing: choosing creatives online, and judging a policy from old logs.

Part 1, online: epsilon-greedy, UCB1 and Beta-Bernoulli Thompson sampling,
each able to forget (discounting or a sliding window) when CTRs change, and
a runner that plays many independent runs at once (numpy across runs, a loop
over time steps only) and reports the regret against the best creative.

Part 2, offline: off-policy evaluation. Estimate the click rate a new policy
would get from a log written by another policy, with inverse propensity
scoring (IPS), self-normalised IPS and the doubly robust estimator, each
with a normal-approximation and a bootstrap interval. Introduced in lesson 17.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from . import columns as C
from .randomness import check_random_state
from .validation import (
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
    require_probabilities,
)

POSITION = "position"
CLICK = "click"
PROPENSITY_SCORE = "propensity_score"


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
    regret = best_ctr - played_ctr
    cumulative = regret.cumsum(axis=0)
    se = cumulative.std(axis=1, ddof=1) / np.sqrt(n_runs) if n_runs > 1 else np.full(horizon, np.nan)
    return pd.DataFrame(
        {
            "regret": regret.mean(axis=1),
            "cumulative_regret": cumulative.mean(axis=1),
            "cumulative_regret_se": se,
            "best_arm_share": (played_ctr == best_ctr).mean(axis=1),
        },
        index=pd.RangeIndex(1, horizon + 1, name="step"),
    )


# =========================================================================== off-policy evaluation


def action_distribution(
    log: pd.DataFrame, action_col: str = C.ITEM, slot_col: str = POSITION
) -> pd.DataFrame:
    """Give P(action | slot) as the empirical share of each action within each slot of a log.

    For a policy whose choice depends on the slot only (not on the user),
    this estimates its action probabilities from its own log. Introduced in lesson 17.

    Returns
    -------
    DataFrame
        Index: actions (sorted), columns: slots (sorted); each column sums to 1.
    """
    require_frame(log, [action_col, slot_col], "log")
    require_no_nan(log, [action_col, slot_col], "log")
    counts = pd.crosstab(log[action_col], log[slot_col])
    return counts / counts.sum(axis=0)


def lookup_probabilities(
    policy: pd.DataFrame, log: pd.DataFrame, action_col: str = C.ITEM, slot_col: str = POSITION
) -> np.ndarray:
    """Give, for each row of ``log``, the probability that ``policy`` picks that row's action in its slot.

    ``policy`` is a table P(action | slot) as from :func:`action_distribution`;
    an action missing from its index has probability 0. Introduced in lesson 17.
    """
    require_frame(policy, (), "policy")
    require_frame(log, [action_col, slot_col], "log")
    require_probabilities(policy.to_numpy(), "policy")
    unknown = sorted(set(log[slot_col].unique().tolist()) - set(policy.columns.tolist()))
    if unknown:
        raise ValueError(f"policy: expected a column for every slot of the log, missing slots {unknown}")
    table = policy.reindex(index=policy.index.union(pd.Index(log[action_col].unique())), fill_value=0.0)
    rows = table.index.get_indexer(log[action_col])
    cols = table.columns.get_indexer(log[slot_col])
    return table.to_numpy(dtype=float)[rows, cols]


def support_gaps(
    policy: pd.DataFrame, log: pd.DataFrame, action_col: str = C.ITEM, slot_col: str = POSITION
) -> pd.DataFrame:
    """Give the (action, slot) pairs ``policy`` can pick that never occur in ``log``.

    Importance weighting cannot see what the logging policy never showed:
    any probability mass listed here is invisible to IPS, which is then
    biased. An empty result means the log covers the policy. Introduced in lesson 17.
    """
    require_frame(policy, (), "policy")
    require_frame(log, [action_col, slot_col], "log")
    mass = policy.stack()
    mass = mass[mass > 0]
    seen = pd.MultiIndex.from_frame(log[[action_col, slot_col]].drop_duplicates())
    gaps = mass[~mass.index.isin(seen)]
    return gaps.rename("probability").rename_axis([action_col, slot_col]).reset_index()


def _log_arrays(rewards: object, target_probs: object, logging_probs: object) -> tuple[np.ndarray, ...]:
    r = np.asarray(rewards, dtype=float)
    if r.ndim != 1 or r.size == 0:
        raise ValueError(f"rewards: expected a non-empty 1-d array, got shape {r.shape}")
    if not np.isfinite(r).all():
        raise ValueError("rewards: expected finite numbers, found NaN or inf")
    target = require_probabilities(target_probs, "target_probs")
    logging = np.asarray(logging_probs, dtype=float)
    for name, arr in (("target_probs", target), ("logging_probs", logging)):
        if arr.shape != r.shape:
            raise ValueError(f"{name}: expected {r.size} values like rewards, got shape {arr.shape}")
    bad = ~((logging > 0) & (logging <= 1))
    if bad.any():
        raise ValueError(
            f"logging_probs: expected propensities in (0, 1] (a logged action had to be possible), "
            f"got {int(bad.sum())} outside it (first: {float(logging[bad][0])})"
        )
    return r, target, logging


def ips_estimate(rewards: object, target_probs: object, logging_probs: object) -> float:
    """Give the inverse-propensity-scoring estimate of a target policy's mean reward.

    ``mean(w * r)`` with ``w = target_prob / logging_prob`` of each logged
    action: unbiased whenever the logging propensities are right and the
    log covers the target policy. Introduced in lesson 17.
    """
    r, target, logging = _log_arrays(rewards, target_probs, logging_probs)
    return float(np.mean(target / logging * r))


def snips_estimate(rewards: object, target_probs: object, logging_probs: object) -> float:
    """Give the self-normalised IPS estimate ``sum(w r) / sum(w)``.

    Slightly biased, often far less variable than IPS; it stays within the
    range of the rewards. Introduced in lesson 17.
    """
    r, target, logging = _log_arrays(rewards, target_probs, logging_probs)
    w = target / logging
    if w.sum() == 0:
        raise ValueError("target_probs: expected the target policy to pick some logged action, all weights are 0")
    return float(np.sum(w * r) / np.sum(w))


def _dr_terms(r, target, logging, q_logged, q_target) -> np.ndarray:
    q_logged = np.asarray(q_logged, dtype=float)
    q_target = np.asarray(q_target, dtype=float)
    for name, arr in (("q_logged", q_logged), ("q_target", q_target)):
        if arr.shape != r.shape:
            raise ValueError(f"{name}: expected {r.size} values like rewards, got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: expected finite numbers, found NaN or inf")
    return q_target + target / logging * (r - q_logged)


def dr_estimate(
    rewards: object, target_probs: object, logging_probs: object, q_logged: object, q_target: object
) -> float:
    """Give the doubly robust estimate ``mean(q_target + w (r - q_logged))``.

    ``q_logged`` is a reward model's prediction for the logged action,
    ``q_target`` its expected reward under the target policy in the same
    context. Unbiased if the propensities are right (whatever the model),
    and less variable than IPS when the model is good. Introduced in lesson 17.
    """
    r, target, logging = _log_arrays(rewards, target_probs, logging_probs)
    return float(np.mean(_dr_terms(r, target, logging, q_logged, q_target)))


def effective_sample_size(weights: object) -> float:
    """Give Kish's effective sample size ``(sum w)^2 / sum w^2`` of importance weights.

    Introduced in lesson 17.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights: expected a non-empty 1-d array of finite non-negative weights")
    if not w.any():
        raise ValueError("weights: expected some positive weight, all are 0")
    return float(w.sum() ** 2 / np.sum(w**2))


def off_policy_estimates(
    rewards: object,
    target_probs: object,
    logging_probs: object,
    q_logged: object | None = None,
    q_target: object | None = None,
    *,
    alpha: float = 0.05,
    n_boot: int = 2000,
    random_state=0,
) -> pd.DataFrame:
    """Give IPS, SNIPS (and DR when a reward model is given) estimates with two intervals each.

    Introduced in lesson 17.

    Parameters
    ----------
    rewards, target_probs, logging_probs : 1-d arrays
        The logged rewards, the target policy's probability of each logged
        action, and the logging policy's propensity of it (in (0, 1]).
    q_logged, q_target : 1-d arrays, optional
        A reward model's predictions (see :func:`dr_estimate`).
    alpha : float
        1 - confidence level of the intervals (0.05: 95 %).
    n_boot : int
        Bootstrap resamples of the log's rows.
    random_state : None, int or numpy Generator
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Index ``estimator``; columns ``estimate``, ``se``, ``ci_low`` /
        ``ci_high`` (normal approximation; delta method for SNIPS) and
        ``boot_low`` / ``boot_high`` (percentile bootstrap).
    """
    from scipy.stats import norm

    r, target, logging = _log_arrays(rewards, target_probs, logging_probs)
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    n_boot = require_positive_int(n_boot, "n_boot")
    n = r.size
    w = target / logging
    if w.sum() == 0:
        raise ValueError("target_probs: expected the target policy to pick some logged action, all weights are 0")
    snips = np.sum(w * r) / np.sum(w)
    terms = {"IPS": w * r}
    if (q_logged is None) != (q_target is None):
        raise ValueError("q_target: expected q_logged and q_target together (or neither)")
    if q_logged is not None:
        terms["DR"] = _dr_terms(r, target, logging, q_logged, q_target)
    estimate = {name: t.mean() for name, t in terms.items()}
    se = {name: t.std(ddof=1) / np.sqrt(n) for name, t in terms.items()}
    estimate["SNIPS"] = snips
    se["SNIPS"] = np.sqrt(np.sum((w * (r - snips)) ** 2)) / np.sum(w)

    rng = check_random_state(random_state)
    boot = {name: np.empty(n_boot) for name in estimate}
    chunk = max(1, min(n_boot, 2_000_000 // n))  # bounds the index matrix to ~16 MB
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        part = slice(start, start + idx.shape[0])
        for name, t in terms.items():
            boot[name][part] = t[idx].mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):  # a resample with all weights 0
            boot["SNIPS"][part] = boot["IPS"][part] / w[idx].mean(axis=1)
    z = norm.ppf(1 - alpha / 2)
    order = [name for name in ("IPS", "SNIPS", "DR") if name in estimate]
    rows = []
    for name in order:
        draws = boot[name][np.isfinite(boot[name])]
        low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
        rows.append(
            {
                "estimator": name,
                "estimate": float(estimate[name]),
                "se": float(se[name]),
                "ci_low": float(estimate[name] - z * se[name]),
                "ci_high": float(estimate[name] + z * se[name]),
                "boot_low": float(low),
                "boot_high": float(high),
            }
        )
    return pd.DataFrame(rows).set_index("estimator")


def crossfit_reward_model(
    log: pd.DataFrame,
    target_policy: pd.DataFrame,
    *,
    action_col: str = C.ITEM,
    slot_col: str = POSITION,
    reward_col: str = CLICK,
    prior_strength: float = 100.0,
    n_folds: int = 5,
    random_state=0,
) -> tuple[np.ndarray, np.ndarray]:
    """Give a cross-fitted reward model's ``q_logged`` and ``q_target`` for the doubly robust estimator.

    The model is the CTR of each (action, slot), shrunk towards the slot's
    CTR as if ``prior_strength`` impressions at the slot rate had been seen
    (few clicks make raw per-action CTRs mostly noise). Cross-fitting: the
    log is split into ``n_folds`` random folds and each row is scored by a
    model fitted on the other folds, so the model never sees the reward it
    is used to correct. Introduced in lesson 17.

    Returns
    -------
    q_logged : array
        Predicted reward of each row's logged action.
    q_target : array
        Expected predicted reward of ``target_policy`` (a P(action | slot)
        table) in each row's slot.
    """
    require_frame(log, [action_col, slot_col, reward_col], "log")
    require_no_nan(log, [action_col, slot_col, reward_col], "log")
    require_frame(target_policy, (), "target_policy")
    require_in_range(prior_strength, "prior_strength", 0, np.inf)
    n_folds = require_positive_int(n_folds, "n_folds")
    if n_folds < 2:
        raise ValueError(f"n_folds: expected at least 2 folds, got {n_folds}")
    actions = target_policy.index.union(pd.Index(log[action_col].unique()))
    slots = pd.Index(sorted(log[slot_col].unique()))
    a = actions.get_indexer(log[action_col])
    s = slots.get_indexer(log[slot_col])
    r = log[reward_col].to_numpy(dtype=float)
    fold = check_random_state(random_state).permutation(len(log)) % n_folds
    n_a, n_s = len(actions), len(slots)
    cell = (fold * n_a + a) * n_s + s
    shape = (n_folds, n_a, n_s)
    shown = np.bincount(cell, minlength=np.prod(shape)).reshape(shape)
    clicked = np.bincount(cell, weights=r, minlength=np.prod(shape)).reshape(shape)
    # out-of-fold counts: everything minus the fold itself
    shown_oof = shown.sum(axis=0, keepdims=True) - shown
    clicked_oof = clicked.sum(axis=0, keepdims=True) - clicked
    slot_shown = shown_oof.sum(axis=1, keepdims=True)
    if (slot_shown == 0).any():
        raise ValueError("log: expected every slot to have data outside each fold; use fewer folds")
    slot_rate = clicked_oof.sum(axis=1, keepdims=True) / slot_shown
    denominator = shown_oof + prior_strength
    if (denominator == 0).any():
        raise ValueError(
            "prior_strength: with 0, every (action, slot) needs data, but some arms have no data "
            "outside a fold; use a positive prior_strength"
        )
    q = (clicked_oof + prior_strength * slot_rate) / denominator  # (fold, action, slot)
    policy = target_policy.reindex(index=actions, columns=slots, fill_value=0.0).fillna(0.0)
    value = np.einsum("fas,as->fs", q, policy.to_numpy(dtype=float))
    return q[fold, a, s], value[fold, s]
