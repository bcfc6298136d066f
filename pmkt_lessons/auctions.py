"""Auction rules: who wins a sealed-bid auction and what they pay (second-price, first-price).

``second_price_auction`` / ``first_price_auction`` settle many auctions of
several bidders at once; ``bid_against`` settles our bid against the best
competing bid, which is all one bidder needs. ``pmkt_lessons.ads`` (bidding,
pacing) and the simulator ``pmkt_lessons.simulate.auctions`` use these rules.
Introduced in lesson 14.

References
----------
Vickrey, W. (1961). Counterspeculation, auctions, and competitive sealed tenders.
Journal of Finance 16(1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validation import _float_array, require_in_range

WINNER = "winner"
PRICE = "price"
WON = "won"
MECHANISMS = ("second", "first")


def _bid_matrix(bids: object, arg: str = "bids") -> np.ndarray:
    arr = _float_array(bids, arg, "bids (a 2-d array of numbers)")
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
    arr = _float_array(values, arg, "amounts (numbers)")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{arg}: expected a non-empty 1-d array, got shape {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{arg}: expected finite values >= 0, got min {np.nanmin(arr)!r} or NaN/inf")
    return arr
