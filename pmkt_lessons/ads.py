"""Buying ads: pricing units, the value of an impression, bid shading and budget pacing.

A campaign pays per thousand impressions (CPM), per click (CPC) or per
conversion (CPA); a predicted click rate (and conversion rate) converts one
into another and gives the value of a single impression, which is what a
bidder should bid in a second-price auction. A daily budget then has to be
spread over the day: ``pace_budget`` replays a day of auctions with greedy
spending, probabilistic throttling or a bid multiplier. Introduced in lesson 14.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import columns as C
from .auctions import MECHANISMS, bid_against
from .randomness import check_random_state
from .validation import (
    _float_array,
    require_1d,
    require_binary,
    require_finite,
    require_in_range,
    require_probabilities,
)

UNITS = ("CPM", "CPC", "CPA")
PACING_STRATEGIES = ("greedy", "throttle", "multiplier")

FACTOR = "factor"
WINS = "wins"
SPEND = "spend"
SURPLUS = "surplus"
CUM_SPEND = "cum_spend"
CONTROL = "control"


def _amount(value: object, arg: str, *, positive: bool = False) -> np.ndarray | float:
    arr = _float_array(value, arg, "amounts (numbers)")
    if arr.size == 0:
        raise ValueError(f"{arg}: expected at least one number, got none")
    bad = ~np.isfinite(arr) | ((arr <= 0) if positive else (arr < 0))
    if bad.any():
        kind = "> 0" if positive else ">= 0"
        raise ValueError(f"{arg}: expected finite amounts {kind}, got {arr[bad].ravel()[0]!r}")
    return float(arr) if arr.ndim == 0 else arr


def _rate(value: object, arg: str) -> np.ndarray | float:
    arr = require_probabilities(value, arg)
    if (arr == 0).any():
        raise ValueError(f"{arg}: expected rates > 0 to convert a price, got 0")
    return float(arr) if arr.ndim == 0 else arr


def cost_per_impression(price, unit: str, *, ctr=None, cvr=None):
    """Give what a price in ``unit`` costs per impression, on average.

    Introduced in lesson 14. ``CPM / 1000``; ``CPC * ctr``; ``CPA * ctr * cvr``
    (``cvr`` = conversions per click). Works on numbers and arrays.
    """
    if unit not in UNITS:
        raise ValueError(f"unit: expected one of {UNITS}, got {unit!r}")
    price = _amount(price, "price")
    if unit == "CPM":
        return price / 1000.0
    if ctr is None:
        raise ValueError(f"ctr: expected a click-through rate to convert {unit}, got None")
    per_impression = price * _rate(ctr, "ctr")
    if unit == "CPA":
        if cvr is None:
            raise ValueError("cvr: expected a conversion rate to convert CPA, got None")
        per_impression = per_impression * _rate(cvr, "cvr")
    return per_impression


def convert_price(price, from_unit: str, to_unit: str, *, ctr=None, cvr=None):
    """Give the price in ``to_unit`` that costs the same per impression as ``price`` in ``from_unit``.

    Introduced in lesson 14. For example a CPM of 4 euros at a 0.5 % click
    rate is a CPC of ``4 / (1000 * 0.005) = 0.8`` euros.

    Parameters
    ----------
    price : float or array
        The price (euros) in ``from_unit``.
    from_unit, to_unit : {"CPM", "CPC", "CPA"}
    ctr : float or array, optional
        Clicks per impression, needed whenever CPC or CPA is involved.
    cvr : float or array, optional
        Conversions per click, needed whenever CPA is involved.
    """
    if to_unit not in UNITS:
        raise ValueError(f"to_unit: expected one of {UNITS}, got {to_unit!r}")
    if from_unit not in UNITS:
        raise ValueError(f"from_unit: expected one of {UNITS}, got {from_unit!r}")
    per_impression = cost_per_impression(price, from_unit, ctr=ctr, cvr=cvr)
    one_unit = cost_per_impression(1.0, to_unit, ctr=ctr, cvr=cvr)
    return per_impression / one_unit


def value_per_impression(p_ctr, p_cvr, value_per_conversion):
    """Give the expected value of showing an ad once: ``pCTR * pCVR * value per conversion``.

    Introduced in lesson 14. This is the truthful bid (euros per impression;
    times 1,000 for a CPM bid) in a second-price auction.

    Parameters
    ----------
    p_ctr : float or array in [0, 1]
        Predicted probability of a click.
    p_cvr : float or array in [0, 1]
        Predicted probability that a click converts.
    value_per_conversion : float or array >= 0
        What a conversion is worth to the advertiser (euros).
    """
    ctr = require_probabilities(p_ctr, "p_ctr")
    cvr = require_probabilities(p_cvr, "p_cvr")
    value = _amount(value_per_conversion, "value_per_conversion")
    _same_length({"p_ctr": ctr, "p_cvr": cvr, "value_per_conversion": np.asarray(value)})
    result = ctr * cvr * value
    return float(result) if np.ndim(result) == 0 else result


def _same_length(arrays: dict) -> None:
    """Refuse shapes numpy would broadcast silently: every non-scalar must be 1-d and of one length."""
    sizes = {}
    for arg, arr in arrays.items():
        if arr.ndim > 1:
            raise ValueError(f"{arg}: expected a number or a 1-d array, got shape {arr.shape}")
        if arr.ndim == 1:
            sizes[arg] = arr.size
    if len(set(sizes.values())) > 1:
        first, *_ = sizes
        other = next(a for a in sizes if sizes[a] != sizes[first])
        raise ValueError(f"{other}: expected {sizes[first]} values (one per {first}), got {sizes[other]}")


def shading_curve(value, top_competing_bid, factors, *, mechanism: str = "second") -> pd.DataFrame:
    """Give wins, spend and surplus when every bid is ``factor * value``, for each factor.

    Introduced in lesson 14. ``surplus`` is the sum over won auctions of
    ``value - price``: what the bidder gains. In a second-price auction no
    factor beats 1 (truthful bidding); in a first-price auction shading
    (factor < 1) pays.

    Parameters
    ----------
    value : array of float >= 0
        The bidder's value of each impression.
    top_competing_bid : array of float >= 0
        The highest competing bid of each auction.
    factors : sequence of float >= 0
        Bid multipliers to try (1 = truthful).
    mechanism : {"second", "first"}
    """
    values = _amount(require_1d(np.atleast_1d(value), "value", what="values (one per auction)"), "value")
    factors = _amount(require_1d(np.atleast_1d(factors), "factors", what="factors"), "factors")
    rows = []
    for factor in factors:
        outcome = bid_against(factor * values, top_competing_bid, mechanism=mechanism)
        won, price = outcome["won"].to_numpy(), outcome["price"].to_numpy()
        rows.append(
            {
                FACTOR: float(factor),
                WINS: int(won.sum()),
                SPEND: float(price.sum()),
                SURPLUS: float((values - price)[won].sum()),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PacingResult:
    """One replayed day: which impressions were won, at what price, and the hourly trace."""

    won: np.ndarray
    price: np.ndarray
    hourly: pd.DataFrame
    budget: float


def _hours(hour: object, n: int) -> np.ndarray:
    hours = np.asarray(hour)
    if hours.shape != (n,):
        raise ValueError(f"hour: expected one hour per impression ({n}), got shape {hours.shape}")
    if not np.issubdtype(hours.dtype, np.integer) or (hours < 0).any() or (hours > 23).any():
        raise ValueError(f"hour: expected integers in 0-23, got dtype {hours.dtype}, "
                         f"range {hours.min()!r}-{hours.max()!r}")
    if (np.diff(hours) < 0).any():
        raise ValueError("hour: expected impressions in time order (non-decreasing hours)")
    return hours.astype(np.int64)


def _forecast(traffic_forecast: object) -> np.ndarray:
    if traffic_forecast is None:
        return np.full(24, 1 / 24)
    share = np.asarray(traffic_forecast, dtype=float)
    if share.shape != (24,) or not np.isfinite(share).all() or (share < 0).any() or share.sum() <= 0:
        raise ValueError(
            f"traffic_forecast: expected 24 non-negative shares (one per hour), got shape {share.shape}"
        )
    return share / share.sum()


def pace_budget(
    value,
    top_competing_bid,
    hour,
    *,
    budget: float,
    strategy: str = "multiplier",
    traffic_forecast=None,
    bid_multiplier: float = 1.0,
    gain: float = 0.35,
    random_state=0,
) -> PacingResult:
    """Give the outcome of spending a daily budget in second-price auctions, hour by hour.

    Introduced in lesson 14. Impressions arrive in array order (``hour``
    non-decreasing). We win an auction when our bid beats its top competing
    bid, and pay that bid. Spend stops the moment the next win would exceed
    the budget, so the budget is never exceeded.

    Strategies:

    * ``"greedy"``: bid ``bid_multiplier * value`` on everything until the
      budget is gone (often before the day is over);
    * ``"throttle"``: bid truthfully, but take part in each auction only with
      probability ``rate``; after each hour ``rate`` is scaled by
      ``target / spend`` of that hour;
    * ``"multiplier"``: bid ``m * value`` (``m`` <= 1, starting at
      ``bid_multiplier``); after each hour ``m`` is scaled by
      ``(target / spend) ** gain``.

    The target of an hour is the remaining budget times that hour's share of
    the remaining forecast traffic, so a controller that fell behind or ran
    ahead re-plans the rest of the day.

    Parameters
    ----------
    value : array of float >= 0
        Our value of each impression (euros), e.g. ``value_per_impression``.
    top_competing_bid : array of float >= 0
        The highest competing bid of each impression's auction.
    hour : array of int in 0-23
        Hour of each impression, non-decreasing.
    budget : float
        Daily budget (euros), > 0.
    strategy : {"greedy", "throttle", "multiplier"}
    traffic_forecast : array of 24 shares, optional
        Expected share of the day's traffic per hour; uniform by default.
    bid_multiplier : float in (0, 1]
        Fixed multiplier for "greedy", starting one for "multiplier".
    gain : float in (0, 1]
        How strongly the multiplier reacts to a miss.
    random_state : None, int or numpy Generator
        Seed of the throttling draws.

    Returns
    -------
    PacingResult
        ``won`` and ``price`` per impression, ``hourly`` (``hour``,
        ``impressions``, ``wins``, ``spend``, ``cum_spend``, ``target``,
        ``control``: the rate or multiplier used in that hour) and ``budget``.
    """
    if strategy not in PACING_STRATEGIES:
        raise ValueError(f"strategy: expected one of {PACING_STRATEGIES}, got {strategy!r}")
    values = _amount(np.atleast_1d(value), "value")
    top = _amount(np.atleast_1d(top_competing_bid), "top_competing_bid")
    if top.shape != values.shape:
        raise ValueError(f"top_competing_bid: expected one per value ({values.size}), got {top.size}")
    hours = _hours(hour, values.size)
    budget = _amount(budget, "budget", positive=True)
    bid_multiplier = require_in_range(bid_multiplier, "bid_multiplier", 0.0, 1.0, low_inclusive=False)
    gain = require_in_range(gain, "gain", 0.0, 1.0, low_inclusive=False)
    share = _forecast(traffic_forecast)
    rng = check_random_state(random_state)

    won = np.zeros(values.size, dtype=bool)
    price = np.zeros(values.size)
    control = 1.0 if strategy == "throttle" else bid_multiplier
    spent, exhausted, rows = 0.0, False, []
    starts = np.searchsorted(hours, np.arange(25))
    for h in range(24):
        lo, hi = starts[h], starts[h + 1]
        remaining = budget - spent
        left = share[h:].sum()
        target = remaining * share[h] / left if left > 0 else remaining
        wins = np.zeros(hi - lo, dtype=bool)
        if not exhausted:
            wins, exhausted = _hour_of_auctions(values[lo:hi], top[lo:hi], remaining, strategy, control, rng)
        won[lo:hi] = wins
        price[lo:hi] = np.where(wins, top[lo:hi], 0.0)
        hour_spend = float(price[lo:hi].sum())
        spent += hour_spend
        rows.append((h, hi - lo, int(wins.sum()), hour_spend, spent, target, control))
        if strategy != "greedy" and hi > lo:
            control = _update(control, target, hour_spend, strategy, gain)
    hourly = pd.DataFrame(
        rows, columns=[C.HOUR, "impressions", WINS, SPEND, CUM_SPEND, "target", CONTROL]
    )
    return PacingResult(won=won, price=price, hourly=hourly, budget=budget)


def _hour_of_auctions(
    values: np.ndarray, top: np.ndarray, remaining: float, strategy: str, control: float, rng
) -> tuple[np.ndarray, bool]:
    """Give the wins of one hour's auctions and whether the budget ran out during it."""
    if strategy == "throttle":
        bids = np.where(rng.random(values.size) < control, values, 0.0)
    else:
        bids = control * values
    wins = bids > top
    within = np.cumsum(np.where(wins, top, 0.0)) <= remaining
    refused = wins & ~within
    if refused.any():  # the campaign stops at the first win it cannot pay for
        wins[np.argmax(refused):] = False
        return wins, True
    return wins, False


def _update(control: float, target: float, spend: float, strategy: str, gain: float) -> float:
    if spend <= 0:
        ratio = 2.0 if target > 0 else 1.0
    else:
        ratio = target / spend
    step = ratio if strategy == "throttle" else ratio**gain
    return float(np.clip(control * step, 0.01, 1.0))


def best_fixed_multiplier(value, top_competing_bid, *, budget: float, tol: float = 1e-6) -> float:
    """Give the largest multiplier ``m`` <= 1 whose day of bids ``m * value`` fits in ``budget``.

    Introduced in lesson 14. Found by bisection on the whole day at once: a
    hindsight benchmark (it needs the day's competing bids in advance) that
    the hourly controller of ``pace_budget`` tries to approach.
    """
    values = _amount(np.atleast_1d(value), "value")
    top = _amount(np.atleast_1d(top_competing_bid), "top_competing_bid")
    if top.shape != values.shape:
        raise ValueError(f"top_competing_bid: expected one per value ({values.size}), got {top.size}")
    budget = _amount(budget, "budget", positive=True)
    tol = require_finite(tol, "tol", low=0.0, low_inclusive=False)

    def spend(m: float) -> float:
        return float(top[m * values > top].sum())

    if spend(1.0) <= budget:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(200):  # bisection: 200 halvings reach any tolerance a float can hold
        if high - low <= tol:
            break
        mid = 0.5 * (low + high)
        low, high = (mid, high) if spend(mid) <= budget else (low, mid)
    return low


def campaign_report(
    result: PacingResult, clicks, conversions, *, value_per_conversion: float, expected_value=None
) -> pd.Series:
    """Give spend, clicks, conversions, cost per click and per conversion, ROAS and ROI of a day.

    Introduced in lesson 14.

    Parameters
    ----------
    result : PacingResult
        From ``pace_budget``.
    clicks, conversions : array of 0/1
        Outcome of every impression offered (only the won ones count).
    value_per_conversion : float
        Revenue of one conversion (euros).
    expected_value : array of float, optional
        True expected value of every impression (known in a simulation);
        adds ``expected_revenue`` and ``expected_roi``, free of the luck of
        the draw.

    Returns
    -------
    Series
        ``impressions``, ``spend``, ``budget_used``, ``clicks``,
        ``conversions``, ``CPM``, ``CPC``, ``CPA``, ``revenue``, ``ROAS``
        (revenue / spend), ``ROI`` ((revenue - spend) / spend) and
        ``last_hour`` (the hour of the last win, -1 if none).
    """
    if not isinstance(result, PacingResult):
        raise TypeError(f"result: expected a PacingResult, got {type(result).__name__}")
    n = result.won.size
    click = _outcomes(clicks, "clicks", n)
    conv = _outcomes(conversions, "conversions", n)
    value = _amount(value_per_conversion, "value_per_conversion")
    won = result.won
    spend = float(result.price.sum())
    n_clicks, n_conv = float(click[won].sum()), float(conv[won].sum())
    revenue = n_conv * value
    won_hours = result.hourly.loc[result.hourly[WINS] > 0, C.HOUR]
    report = {
        "impressions": int(won.sum()),
        SPEND: spend,
        "budget_used": spend / result.budget,
        "clicks": n_clicks,
        "conversions": n_conv,
        "CPM": 1000 * spend / won.sum() if won.any() else np.nan,
        "CPC": spend / n_clicks if n_clicks else np.nan,
        "CPA": spend / n_conv if n_conv else np.nan,
        "revenue": revenue,
        "ROAS": revenue / spend if spend else np.nan,
        "ROI": (revenue - spend) / spend if spend else np.nan,
        "last_hour": int(won_hours.max()) if len(won_hours) else -1,
    }
    if expected_value is not None:
        ev = _amount(np.atleast_1d(expected_value), "expected_value")
        if ev.size != n:
            raise ValueError(f"expected_value: expected one per impression ({n}), got {ev.size}")
        report["expected_revenue"] = float(ev[won].sum())
        report["expected_roi"] = (report["expected_revenue"] - spend) / spend if spend else np.nan
    return pd.Series(report)


def _outcomes(values: object, arg: str, n: int) -> np.ndarray:
    return require_binary(values, arg, n, what=f"one 0/1 outcome per impression ({n})").astype(float)


def ecpm(price, unit: str, *, ctr=None, cvr=None):
    """Give the effective CPM of a bid: what it earns the seller per thousand impressions.

    ``eCPM = 1000 * cost_per_impression(price, unit)``: the CPM bid itself,
    ``1000 * CPC * pCTR`` or ``1000 * CPA * pCTR * pCVR``. An ad network
    that sells one slot to ads bidding in different units ranks them by eCPM
    (expected revenue per thousand impressions), so a CPC ad with a high
    predicted click rate can beat a higher CPM bid. Works on arrays.
    Introduced in lesson 14.

    References
    ----------
    Edelman, B., Ostrovsky, M. and Schwarz, M. (2007). Internet advertising
    and the generalized second-price auction. *American Economic Review*
    97(1), 242-259 (ranking by bid x click rate).
    """
    return 1000.0 * cost_per_impression(price, unit, ctr=ctr, cvr=cvr)


__all__ = [
    "MECHANISMS",
    "PACING_STRATEGIES",
    "UNITS",
    "PacingResult",
    "best_fixed_multiplier",
    "campaign_report",
    "convert_price",
    "cost_per_impression",
    "ecpm",
    "pace_budget",
    "shading_curve",
    "value_per_impression",
]
