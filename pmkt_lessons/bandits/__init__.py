"""Bandits for real-time marketing: choosing creatives online, and judging a policy from old logs.

Two modules of one job each: :mod:`.policies` (epsilon-greedy, UCB1 and
Thompson sampling, and the regret runner) and :mod:`.off_policy` (IPS, SNIPS
and DR estimates from a log written by another policy). Every public name is
re-exported here: ``from pmkt_lessons.bandits import ThompsonSampling``.
Introduced in lesson 17.
"""

from .off_policy import (
    POSITION,
    action_distribution,
    crossfit_reward_model,
    dr_estimate,
    effective_sample_size,
    ips_estimate,
    lookup_probabilities,
    off_policy_estimates,
    snips_estimate,
    support_gaps,
)
from .policies import UCB1, BanditPolicy, EpsilonGreedy, ThompsonSampling, run_bandit

__all__ = [
    "POSITION",
    "UCB1",
    "BanditPolicy",
    "EpsilonGreedy",
    "ThompsonSampling",
    "action_distribution",
    "crossfit_reward_model",
    "dr_estimate",
    "effective_sample_size",
    "ips_estimate",
    "lookup_probabilities",
    "off_policy_estimates",
    "run_bandit",
    "snips_estimate",
    "support_gaps",
]
