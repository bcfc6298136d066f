"""Simulated ad-creative worlds with known click-through rates, for bandits and off-policy checks.

Regret needs the true CTR of every creative at every moment, and an
estimator's bias needs a policy whose true value is known: no public log
has either, so these worlds are simulated. Introduced in lesson 17.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..randomness import check_random_state
from ..validation import require_in_range, require_positive_int, require_probabilities

ACTION = "action"
PROPENSITY = "propensity"
REWARD = "reward"


def _ctr_vector(ctrs: object, arg: str = "ctrs") -> np.ndarray:
    arr = require_probabilities(ctrs, arg)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{arg}: expected a 1-d list of at least 2 CTRs, got shape {arr.shape}")
    return arr


def switching_ctrs(before: object, after: object, horizon: int, switch_at: int) -> np.ndarray:
    """Give a (horizon, K) CTR schedule that jumps from ``before`` to ``after`` at step ``switch_at``.

    Introduced in lesson 17.

    Parameters
    ----------
    before, after : list of float in [0, 1]
        The K creatives' CTRs before and from the switch on (same length).
    horizon : int
        Number of impressions (time steps).
    switch_at : int
        First step of the new CTRs, in [1, horizon - 1].
    """
    before, after = _ctr_vector(before, "before"), _ctr_vector(after, "after")
    if before.shape != after.shape:
        raise ValueError(f"after: expected {before.size} CTRs like before, got {after.size}")
    horizon = require_positive_int(horizon, "horizon")
    switch_at = require_positive_int(switch_at, "switch_at")
    if switch_at >= horizon:
        raise ValueError(f"switch_at: expected a step in [1, {horizon - 1}], got {switch_at}")
    schedule = np.repeat(before[None, :], horizon, axis=0)
    schedule[switch_at:] = after
    return schedule


def drifting_ctrs(
    base: object, amplitude: float, period: int, horizon: int, random_state=0
) -> np.ndarray:
    """Give a (horizon, K) CTR schedule where each creative's CTR drifts as a slow sine wave.

    Creative ``k`` follows ``base[k] * (1 + amplitude * sin(2 pi t / period + phase_k))``
    with a random phase per creative, so which creative is best changes over
    time. Introduced in lesson 17.

    Parameters
    ----------
    base : list of float in [0, 1]
        Mean CTR of each creative.
    amplitude : float in [0, 1]
        Relative size of the swing (0.5: CTR moves between half and 1.5 times its mean).
    period : int
        Steps per full cycle.
    horizon : int
        Number of steps.
    random_state : None, int or numpy Generator
        Seed of the phases.
    """
    base = _ctr_vector(base, "base")
    require_in_range(amplitude, "amplitude", 0, 1)
    period = require_positive_int(period, "period")
    horizon = require_positive_int(horizon, "horizon")
    phases = check_random_state(random_state).uniform(0, 2 * np.pi, size=base.size)
    t = np.arange(horizon)[:, None]
    schedule = base[None, :] * (1 + amplitude * np.sin(2 * np.pi * t / period + phases[None, :]))
    return np.clip(schedule, 0.0, 1.0)


def simulate_logged_bandit(
    ctrs: object, logging_probs: object, n_rounds: int, random_state=0
) -> pd.DataFrame:
    """Give a simulated click log of a stochastic logging policy, with its propensities.

    Each round the logging policy shows creative ``a`` with probability
    ``logging_probs[a]`` and the click is drawn with probability ``ctrs[a]``.
    The true value of any other policy ``pi`` is then ``sum(pi * ctrs)``, so
    an off-policy estimator can be checked against it. Introduced in lesson 17.

    Returns
    -------
    DataFrame
        Columns ``action`` (int), ``propensity`` (the logging probability of
        the shown action) and ``reward`` (0/1 click).
    """
    ctrs = _ctr_vector(ctrs)
    probs = require_probabilities(logging_probs, "logging_probs")
    if probs.shape != ctrs.shape:
        raise ValueError(f"logging_probs: expected {ctrs.size} probabilities like ctrs, got {probs.size}")
    if not np.isclose(probs.sum(), 1.0):
        raise ValueError(f"logging_probs: expected probabilities that sum to 1, got a sum of {probs.sum():.6g}")
    n_rounds = require_positive_int(n_rounds, "n_rounds")
    rng = check_random_state(random_state)
    actions = rng.choice(ctrs.size, size=n_rounds, p=probs / probs.sum())
    rewards = (rng.random(n_rounds) < ctrs[actions]).astype(np.int8)
    return pd.DataFrame({ACTION: actions, PROPENSITY: probs[actions], REWARD: rewards})
