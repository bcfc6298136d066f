"""Off-policy evaluation: the click rate a new policy would get, estimated from another policy's log.

Inverse propensity scoring (IPS), self-normalised IPS (SNIPS) and the doubly
robust estimator (DR), each with a normal-approximation and a bootstrap
interval, and a cross-fitted reward model for DR. Introduced in lesson 17.

References
----------
Swaminathan, A. & Joachims, T. (2015). The self-normalized estimator for
counterfactual learning. NeurIPS.
Dudik, M., Langford, J. & Li, L. (2011). Doubly robust policy evaluation and learning. ICML.
Saito, Y. et al. (2020). Open Bandit Dataset and Pipeline. arXiv:2008.07146.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import columns as C
from ..randomness import check_random_state
from ..validation import (
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
    require_probabilities,
)

POSITION = C.POSITION


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
    require_probabilities(policy.to_numpy(), "policy")  # NaN would read as "no mass", hiding a gap
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
    return float(_snips(target / logging, r))


def _snips(w: np.ndarray, r: np.ndarray) -> float:
    """The one SNIPS formula ``sum(w r) / sum(w)`` (checks that some weight is positive)."""
    if w.sum() == 0:
        raise ValueError("target_probs: expected the target policy to pick some logged action, all weights are 0")
    return np.sum(w * r) / np.sum(w)


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


def _mean(x, axis=-1):
    return np.mean(x, axis=axis)


def _ratio_of_sums(numerator, denominator, axis=-1):
    return np.sum(numerator, axis=axis) / np.sum(denominator, axis=axis)


def off_policy_estimates(
    rewards: object,
    target_probs: object,
    logging_probs: object,
    q_logged: object | None = None,
    q_target: object | None = None,
    *,
    alpha: float = 0.05,
    n_resamples: int = 2000,
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
    n_resamples : int
        Bootstrap resamples of the log's rows (at least 2).
    random_state : None, int or numpy Generator
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Index ``estimator``; columns ``estimate``, ``se``, ``ci_low`` /
        ``ci_high`` (normal approximation; delta method for SNIPS) and
        ``boot_low`` / ``boot_high`` (percentile bootstrap of the log's rows,
        ``scipy.stats.bootstrap``; SNIPS resamples weights and rewards together).
    """
    r, target, logging = _log_arrays(rewards, target_probs, logging_probs)
    require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    n_resamples = require_positive_int(n_resamples, "n_resamples")
    if n_resamples < 2:
        raise ValueError(f"n_resamples: expected at least 2 bootstrap resamples, got {n_resamples}")
    n = r.size
    w = target / logging
    snips = _snips(w, r)
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
    samples = {name: (t,) for name, t in terms.items()}
    samples["SNIPS"] = (w * r, w)
    boot = {}
    for name, data in samples.items():
        with np.errstate(invalid="ignore", divide="ignore"):  # a resample with all weights 0
            boot[name] = stats.bootstrap(
                data,
                _mean if len(data) == 1 else _ratio_of_sums,
                paired=True,
                vectorized=True,
                n_resamples=n_resamples,
                batch=max(1, 2_000_000 // n),  # bounds each resample block to ~16 MB
                method="percentile",
                random_state=rng,
            ).bootstrap_distribution
    z = stats.norm.ppf(1 - alpha / 2)
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
    reward_col: str = C.CLICK,
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
