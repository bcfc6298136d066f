"""Many simulated A/B (or A/A) tests observed day by day, for the peeking trap of lesson 15.

A real test is run once, and we never know whether its null hypothesis was
true. To *count* how often a way of reading tests raises a false alarm we
need thousands of tests where we know there is no effect: A/A tests, where
both arms have the same true conversion rate. Introduced in lesson 15.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..randomness import check_random_state
from ..validation import require_in_range, require_positive_int


@dataclass(frozen=True)
class DailyTests:
    """Cumulative counts of ``n_tests`` simulated two-arm tests after each day.

    Attributes
    ----------
    conversions_a, conversions_b : ndarray, shape (n_tests, n_days)
        Cumulative conversions of arm A and arm B at the end of each day.
    visitors : ndarray, shape (n_days,)
        Cumulative visitors per arm at the end of each day (the same in every test).
    rate_a, rate_b : float
        The true conversion rates.

    Introduced in lesson 15.
    """

    conversions_a: np.ndarray
    conversions_b: np.ndarray
    visitors: np.ndarray
    rate_a: float
    rate_b: float


def simulate_daily_tests(
    n_tests: int,
    n_days: int,
    visitors_per_day: int,
    rate_a: float,
    rate_b: float | None = None,
    *,
    random_state=0,
) -> DailyTests:
    """Give the day-by-day cumulative counts of many simulated two-arm tests.

    Every day each arm gets ``visitors_per_day`` new visitors, each of whom
    converts with the arm's true rate, so a day's conversions are binomial.
    All tests and days are drawn in one call and summed along the days with
    ``cumsum``: no loop over tests. ``rate_b=None`` gives A/A tests (no
    effect). Introduced in lesson 15.

    Parameters
    ----------
    n_tests, n_days, visitors_per_day : int
        How many tests, how many daily looks, visitors per arm per day.
    rate_a : float
        True conversion rate of arm A, in [0, 1].
    rate_b : float, optional
        True rate of arm B; ``rate_a`` if omitted.
    random_state : None, int or numpy Generator
        Seed of ``numpy.random.default_rng``.
    """
    n_tests = require_positive_int(n_tests, "n_tests")
    n_days = require_positive_int(n_days, "n_days")
    visitors_per_day = require_positive_int(visitors_per_day, "visitors_per_day")
    rate_a = require_in_range(rate_a, "rate_a", 0, 1)
    rate_b = rate_a if rate_b is None else require_in_range(rate_b, "rate_b", 0, 1)
    rng = check_random_state(random_state)
    daily = rng.binomial(visitors_per_day, [rate_a, rate_b], size=(n_tests, n_days, 2))
    cumulative = daily.cumsum(axis=1)
    visitors = visitors_per_day * np.arange(1, n_days + 1)
    return DailyTests(cumulative[..., 0], cumulative[..., 1], visitors, rate_a, rate_b)
