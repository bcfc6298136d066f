"""Simulated ad auctions: competing bids, second- and first-price auctions, a day of traffic.

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

from ..randomness import check_random_state
from ..training import seed_from
from ..validation import require_in_range, require_positive_int, require_probabilities
from .clicks import CLICK, DEFAULT_WORLD_SEED, HOUR, P_CLICK, make_click_world

WINNER = "winner"
PRICE = "price"
WON = "won"
TOP_COMPETING_BID = "top_competing_bid"
P_CONVERSION = "p_conversion"
CONVERSION = "conversion"
MECHANISMS = ("second", "first")

#: Competitors' value per click (euros), one per competitor, cycled when there are more.
COMPETITOR_VALUE_PER_CLICK = (0.35, 0.5, 0.6, 0.75, 0.9)
#: Competition by hour: bids are scaled by ``1 + amplitude * cos``, highest at ``PEAK_HOUR``
#: (many advertisers spend their fresh daily budgets in the morning) and lowest 12 hours later.
COMPETITION_AMPLITUDE = 0.35
PEAK_HOUR = 10


def _bid_matrix(bids: object, arg: str = "bids") -> np.ndarray:
    arr = np.asarray(bids, dtype=float)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{arg}: expected a 2-d array (auctions x bidders) with at least one of each, "
            f"got shape {arr.shape}"
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{arg}: expected finite bids >= 0, got min {np.nanmin(arr)!r} or NaN/inf")
    return arr


def _reserve(reserve: object) -> float:
    return require_in_range(reserve, "reserve", 0.0, np.inf, high_inclusive=False)


def second_price_auction(bids, reserve: float = 0.0) -> pd.DataFrame:
    """Give the winner and price of many sealed-bid second-price auctions at once.

    Introduced in lesson 14.

    Parameters
    ----------
    bids : array-like, shape (n_auctions, n_bidders)
        Each row is one auction, each column one bidder's bid (>= 0).
    reserve : float
        The seller's floor: a bid below it cannot win, and the winner pays at least it.

    Returns
    -------
    DataFrame
        ``winner``: column index of the highest bid (the lowest index on a
        tie), -1 when no bid reaches the reserve; ``price``: the larger of
        the second-highest bid and the reserve (0 without a winner).
    """
    arr = _bid_matrix(bids)
    reserve = _reserve(reserve)
    winner = arr.argmax(axis=1)
    top = arr[np.arange(arr.shape[0]), winner]
    second = np.sort(arr, axis=1)[:, -2] if arr.shape[1] > 1 else np.zeros(arr.shape[0])
    sold = top >= reserve
    return pd.DataFrame(
        {
            WINNER: np.where(sold, winner, -1),
            PRICE: np.where(sold, np.maximum(second, reserve), 0.0),
        }
    )


def first_price_auction(bids, reserve: float = 0.0) -> pd.DataFrame:
    """Give the winner and price of many first-price auctions: the winner pays its own bid.

    Introduced in lesson 14. Same input and output as ``second_price_auction``.
    """
    arr = _bid_matrix(bids)
    reserve = _reserve(reserve)
    winner = arr.argmax(axis=1)
    top = arr[np.arange(arr.shape[0]), winner]
    sold = top >= reserve
    return pd.DataFrame({WINNER: np.where(sold, winner, -1), PRICE: np.where(sold, top, 0.0)})


def bid_against(
    bid, top_competing_bid, *, mechanism: str = "second", reserve: float = 0.0
) -> pd.DataFrame:
    """Give whether our bids win against the best competing bid of each auction, and what we pay.

    Introduced in lesson 14. Only the highest competing bid matters to one
    bidder: we win when our bid is strictly higher (a tie goes to the
    competitor) and at least the reserve; in a second-price auction we then
    pay the larger of that competing bid and the reserve, in a first-price
    auction our own bid.

    Returns
    -------
    DataFrame
        ``won`` (bool) and ``price`` (0 where we lost).
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism: expected one of {MECHANISMS}, got {mechanism!r}")
    ours = _nonnegative(bid, "bid")
    top = _nonnegative(top_competing_bid, "top_competing_bid")
    if ours.shape != top.shape:
        raise ValueError(
            f"top_competing_bid: expected one per bid ({ours.size}), got {top.size}"
        )
    reserve = _reserve(reserve)
    won = (ours > top) & (ours >= reserve)
    paid = np.maximum(top, reserve) if mechanism == "second" else ours
    return pd.DataFrame({WON: won, PRICE: np.where(won, paid, 0.0)})


def _nonnegative(values: object, arg: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{arg}: expected a non-empty 1-d array, got shape {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{arg}: expected finite values >= 0, got min {np.nanmin(arr)!r} or NaN/inf")
    return arr


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
    log = log.sort_values(HOUR, kind="stable").reset_index(drop=True)
    rng = np.random.default_rng([seed, 14])
    log[P_CONVERSION] = cvr
    log[CONVERSION] = ((log[CLICK].to_numpy() == 1) & (rng.random(len(log)) < cvr)).astype("int8")
    bids = simulate_competing_bids(
        log[P_CLICK].to_numpy(), log[HOUR].to_numpy(), n_competitors=n_competitors,
        random_state=int(rng.integers(2**31)),
    )
    log[TOP_COMPETING_BID] = bids.max(axis=1)
    return log
