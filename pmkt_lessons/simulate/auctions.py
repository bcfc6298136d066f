"""Simulated ad auctions: competing bids by hour and a day of traffic (the rules are in ``pmkt_lessons.auctions``).

No public log of real-time-bidding auctions (bids of every bidder, prices,
budgets) exists, so lesson 14 simulates them. A day of impressions comes from
the click world of ``simulate.clicks`` (traffic varies by hour), each with its
true click probability; competitors bid on each impression what it is worth
to them (their value per click times a noisy estimate of the click
probability), more in the busy hours. Prices are per impression, in euros
(multiply by 1,000 for a CPM). Introduced in lesson 14.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..randomness import check_random_state
from ..training import seed_from
from ..validation import require_in_range, require_positive_int, require_probabilities
from .clicks import DEFAULT_WORLD_SEED, P_CLICK, make_click_world

TOP_COMPETING_BID = "top_competing_bid"
P_CONVERSION = "p_conversion"
CONVERSION = "conversion"

#: Competitors' value per click (euros), one per competitor, cycled when there are more.
COMPETITOR_VALUE_PER_CLICK = (0.35, 0.5, 0.6, 0.75, 0.9)
#: Competition by hour: bids are scaled by ``1 + amplitude * cos``, highest at ``PEAK_HOUR``
#: (many advertisers spend their fresh daily budgets in the morning) and lowest 12 hours later.
COMPETITION_AMPLITUDE = 0.35
PEAK_HOUR = 10


def competition_by_hour(
    hour, amplitude: float = COMPETITION_AMPLITUDE, peak_hour: float = PEAK_HOUR
) -> np.ndarray:
    """Give the factor that scales competitors' bids in each hour: ``1 + amplitude * cos``.

    The factor is highest at ``peak_hour`` (10:00 by default: many advertisers
    spend fresh daily budgets in the morning) and lowest twelve hours later.

    Introduced in lesson 14.
    """
    hours = np.asarray(hour, dtype=float)
    bad = (hours < 0) | (hours > 23) | (hours != np.round(hours))
    if bad.any():
        raise ValueError(f"hour: expected whole hours in 0-23, got {hours[bad][:3].tolist()}")
    amplitude = require_in_range(amplitude, "amplitude", 0.0, 1.0, high_inclusive=False)
    peak_hour = require_in_range(peak_hour, "peak_hour", 0.0, 24.0, high_inclusive=False)
    return 1.0 + amplitude * np.cos((hours - peak_hour) / 24.0 * 2.0 * np.pi)


def simulate_competing_bids(
    p_click,
    hour=None,
    *,
    n_competitors: int = 5,
    noise: float = 0.6,
    random_state=0,
) -> np.ndarray:
    """Give competitors' bids (euros per impression) for impressions with known click probabilities.

    Introduced in lesson 14. Competitor ``j`` bids its value per click
    (``COMPETITOR_VALUE_PER_CLICK``, cycled) times its estimate of the click
    probability, which is the truth times log-normal noise (``sigma = noise``),
    times ``competition_by_hour(hour)`` when ``hour`` is given.

    Returns
    -------
    numpy.ndarray, shape (n_impressions, n_competitors)
    """
    p = require_probabilities(p_click, "p_click")
    n_competitors = require_positive_int(n_competitors, "n_competitors")
    noise = require_in_range(noise, "noise", 0.0, 3.0)
    rng = check_random_state(random_state)
    values = np.resize(np.array(COMPETITOR_VALUE_PER_CLICK), n_competitors)
    estimate = p[:, None] * rng.lognormal(-0.5 * noise**2, noise, (p.size, n_competitors))
    bids = estimate * values[None, :]
    if hour is not None:
        hours = np.asarray(hour)
        if hours.shape != p.shape:
            raise ValueError(f"hour: expected one per impression ({p.size}), got {hours.size}")
        bids *= competition_by_hour(hours)[:, None]
    return bids


def simulate_ad_day(
    n_impressions: int = 200_000,
    *,
    cvr: float = 0.1,
    n_competitors: int = 5,
    random_state=0,
    world_seed: int = DEFAULT_WORLD_SEED,
) -> pd.DataFrame:
    """Give one simulated day of ad impressions in time order, with competing bids and outcomes.

    Introduced in lesson 14.

    Parameters
    ----------
    n_impressions : int
        Impressions offered during the day; their hours follow the click
        world's traffic profile (quiet at night, busy in the afternoon).
    cvr : float
        True probability that a click converts (a purchase), in [0, 1].
    n_competitors : int
        Other bidders in every auction.
    random_state : None, int or numpy Generator
        Seed of the impressions, clicks, conversions and competing bids.
    world_seed : int
        Seed of the click world (the same world as lessons 11-12 by default).

    Returns
    -------
    DataFrame
        The click log's fields (``hour`` non-decreasing), ``p_click``,
        ``click``, ``p_conversion`` (= ``cvr``), ``conversion`` (0/1, only
        after a click) and ``top_competing_bid`` (euros per impression).
    """
    cvr = require_in_range(cvr, "cvr", 0.0, 1.0)
    seed = seed_from(random_state)
    log = make_click_world(world_seed).sample(require_positive_int(n_impressions, "n_impressions"), random_state=seed)
    log = log.sort_values(C.HOUR, kind="stable").reset_index(drop=True)
    rng = np.random.default_rng([seed, 14])
    log[P_CONVERSION] = cvr
    log[CONVERSION] = ((log[C.CLICK].to_numpy() == 1) & (rng.random(len(log)) < cvr)).astype("int8")
    bids = simulate_competing_bids(
        log[P_CLICK].to_numpy(), log[C.HOUR].to_numpy(), n_competitors=n_competitors,
        random_state=int(rng.integers(2**31)),
    )
    log[TOP_COMPETING_BID] = bids.max(axis=1)
    return log
