"""Features updated per event in O(1) or O(basket), never recomputed from history.

- :class:`StreamingRFM`: recency, frequency and monetary value per customer
  (lesson 03's ``rfm_table``), each event touching one customer's counters.
- :class:`TrendingItems`: purchase lines per product over a sliding time
  window (lesson 06's popularity, restricted to the window), a queue of
  recent baskets whose expired ones are subtracted.
- :class:`ItemCooccurrence`: how many customers bought both items
  (``X.T X`` of lesson 07's binary customer x item matrix), updated with
  the new items of each basket.

Each raises a ``ValueError`` if an event is older than the last one it saw
(out of order), so no feature can mix past and future. Introduced in lesson 21.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd

from .. import columns as C
from .. import features as F
from ..validation import require_positive_int
from .events import DAY_NS, Event


def _check_event(event: object, last: int | None, owner: str) -> None:
    if not isinstance(event, Event):
        raise TypeError(f"event: expected an Event from event_stream, got {type(event).__name__}")
    if last is not None and event.time < last:
        raise ValueError(
            f"event: expected events in time order, got {pd.Timestamp(event.time)} after "
            f"{pd.Timestamp(last)} in {owner} (out-of-order timestamp)"
        )


def _check_items(items: np.ndarray, n_items: int) -> None:
    if items.size and (items.min() < 0 or items.max() >= n_items):
        bad = items[(items < 0) | (items >= n_items)][0]
        raise ValueError(f"event: expected item positions in [0, {n_items}), got unknown item {bad}")


def _top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Give the positions of the ``k`` largest values, ties to the lower position, on every CPU.

    ``np.partition`` finds the k-th largest *value* (unique whatever the
    algorithm); only the positions at or above it are then sorted, so the
    result does not depend on how ``argpartition`` breaks ties.
    """
    k = min(k, len(values))
    kth = np.partition(values, len(values) - k)[len(values) - k]
    candidates = np.flatnonzero(values >= kth)
    return candidates[np.lexsort((candidates, -values[candidates]))][:k]


def _window_ns(window) -> int:
    try:
        delta = pd.Timedelta(window)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"window: expected a duration such as '7D', got {window!r}") from exc
    if pd.isna(delta) or delta <= pd.Timedelta(0):
        raise ValueError(f"window: expected a positive duration, got {window!r}")
    return int(delta.value)


# --------------------------------------------------------------------------- RFM


class StreamingRFM:
    """Give recency, frequency and monetary value per customer, updated per event in O(1).

    Per customer it keeps the time of the last and first purchase, the number
    of purchase invoices and the gross and returned revenue; a sale event
    updates four numbers, a return one. ``table(snapshot)`` then gives the
    same frame as lesson 03's :func:`pmkt_lessons.features.rfm_table`
    (recency is computed at query time from the last purchase, so nothing
    has to be updated when the clock moves on). Introduced in lesson 21.
    """

    def __init__(self) -> None:
        self.last_time_: int | None = None
        self._last: dict = {}
        self._first: dict = {}
        self._n: dict = {}
        self._gross: dict = {}
        self._returned: dict = {}

    def update(self, event: Event) -> StreamingRFM:
        """Learn one event; give ``self``."""
        _check_event(event, self.last_time_, "StreamingRFM")
        self.last_time_ = event.time
        c = event.customer
        if event.is_return:
            self._returned[c] = self._returned.get(c, 0.0) + event.value
            return self
        if c not in self._n:
            self._first[c] = event.time
            self._n[c] = 0
            self._gross[c] = 0.0
        self._last[c] = event.time
        self._n[c] += 1
        self._gross[c] += event.value
        return self

    def customer(self, customer, now=None) -> dict:
        """Give one customer's current features (O(1)); recency in days as of ``now``'s day.

        ``now`` defaults to the last event's time. An unknown customer
        (no purchase yet) gets frequency 0 and recency ``None``.
        """
        now_ns = self.last_time_ if now is None else pd.Timestamp(now).value
        if customer not in self._n:
            return {F.RECENCY: None, F.FREQUENCY: 0, F.MONETARY: self._returned.get(customer, 0.0)}
        days = (now_ns // DAY_NS) - (self._last[customer] // DAY_NS)
        return {
            F.RECENCY: int(days),
            F.FREQUENCY: self._n[customer],
            F.MONETARY: self._gross[customer] + self._returned.get(customer, 0.0),
        }

    def table(self, snapshot=None) -> pd.DataFrame:
        """Give the RFM table of every customer with a purchase, as :func:`~pmkt_lessons.features.rfm_table`.

        Parameters
        ----------
        snapshot : date, optional
            Midnight after the last event seen (default: the day after it).
            The state cannot forget, so a snapshot at or before an event it
            has seen raises: replay only the events before it
            (``stream.replay(until=snapshot)``).
        """
        if not self._n:
            raise ValueError("table: expected at least one purchase event, got none (replay the stream first)")
        if snapshot is None:
            day = (self.last_time_ // DAY_NS + 1) * DAY_NS
        else:
            day = pd.Timestamp(snapshot)
            if pd.isna(day) or day != day.normalize():
                raise ValueError(f"snapshot: expected a date at midnight such as '2011-12-10', got {snapshot!r}")
            day = day.value
            if day <= self.last_time_:
                raise ValueError(
                    f"snapshot: expected a time after the last event seen ({pd.Timestamp(self.last_time_)}), "
                    f"got {pd.Timestamp(day)} (features cannot be un-learned; replay until the snapshot)"
                )
        customers = pd.Index(sorted(self._n), name=C.CUSTOMER_ID)
        keys = customers.tolist()
        last_day = np.array([self._last[c] for c in keys], dtype=np.int64) // DAY_NS
        gross = np.array([self._gross[c] for c in keys], dtype=float)
        returned = np.array([self._returned.get(c, 0.0) for c in keys], dtype=float)
        return pd.DataFrame(
            {
                F.RECENCY: (day // DAY_NS - last_day).astype("int64"),
                F.FREQUENCY: np.array([self._n[c] for c in keys], dtype="int64"),
                F.MONETARY: gross + returned,
                F.GROSS_REVENUE: gross,
                F.RETURNED_REVENUE: returned,
            },
            index=customers,
        )[list(F.RFM_COLUMNS)]

    def __len__(self) -> int:
        return len(self._n)


# --------------------------------------------------------------------------- trending


class TrendingItems:
    """Give purchase lines per item over a sliding time window, updated in O(basket) per event.

    A queue holds the recent baskets; a new event adds its lines to the
    counts and first subtracts every basket that has left the window
    ``(now - window, now]``. Returns are ignored (they are not demand).
    Introduced in lesson 21.

    Parameters
    ----------
    n_items : int
        Size of the catalogue (item positions are ``0 .. n_items - 1``).
    window : duration
        E.g. ``"7D"``.

    Attributes
    ----------
    counts_ : ndarray (n_items,)
        Lines per item in the window (do not modify).
    """

    def __init__(self, n_items: int, window="7D"):
        self.n_items = require_positive_int(n_items, "n_items")
        self.window = window
        self._window_ns = _window_ns(window)
        self.counts_ = np.zeros(self.n_items, dtype=np.int64)
        self.last_time_: int | None = None
        self._queue: deque = deque()

    def advance(self, time: int) -> None:
        """Move the window's end to ``time`` (ns), dropping the baskets that left it."""
        if self.last_time_ is not None and time < self.last_time_:
            raise ValueError(
                f"time: expected a time at or after {pd.Timestamp(self.last_time_)}, got "
                f"{pd.Timestamp(time)} (out-of-order timestamp)"
            )
        self.last_time_ = time
        horizon = time - self._window_ns
        queue, counts = self._queue, self.counts_
        while queue and queue[0][0] <= horizon:
            np.subtract.at(counts, queue.popleft()[1], 1)

    def update(self, event: Event) -> TrendingItems:
        """Learn one event; give ``self``."""
        _check_event(event, self.last_time_, "TrendingItems")
        self.advance(event.time)
        if not event.is_return:
            _check_items(event.items, self.n_items)
            np.add.at(self.counts_, event.items, 1)
            self._queue.append((event.time, event.items))
        return self

    def top(self, k: int = 10) -> np.ndarray:
        """Give the positions of the ``k`` most-bought items in the window (ties: lower position first)."""
        return _top_k(self.counts_, require_positive_int(k, "k"))


# --------------------------------------------------------------------------- co-occurrence


class ItemCooccurrence:
    """Give how many customers bought both items of every pair, updated per basket.

    The batch version is ``X.T @ X`` of the binary customer x item matrix
    (lesson 07; its diagonal is each item's number of buyers). When a
    customer buys items ``N`` they never bought before, with ``H`` their
    earlier items, only the rows and columns of ``N`` change::

        M[N, H + N] += 1   and   M[H, N] += 1

    so an event costs O(|N| x |H|), and nothing for a repeat basket.
    Introduced in lesson 21.

    Parameters
    ----------
    n_items : int
        Size of the catalogue; ``M`` is a dense ``n_items x n_items`` int32 array.

    Attributes
    ----------
    counts_ : ndarray (n_items, n_items)
        The co-occurrence counts (do not modify).
    """

    def __init__(self, n_items: int):
        self.n_items = require_positive_int(n_items, "n_items")
        self.counts_ = np.zeros((self.n_items, self.n_items), dtype=np.int32)
        self.last_time_: int | None = None
        self._history: dict = {}

    def update(self, event: Event) -> ItemCooccurrence:
        """Learn one event; give ``self``."""
        _check_event(event, self.last_time_, "ItemCooccurrence")
        self.last_time_ = event.time
        if event.is_return or not event.items.size:
            return self
        basket = np.unique(event.items)
        if basket[0] < 0 or basket[-1] >= self.n_items:
            _check_items(basket, self.n_items)
        known = self._history.get(event.customer)
        if known is None:
            seen, old = set(), basket[:0]
            new = everything = basket
        else:
            seen, old = known
            fresh = [i for i in basket.tolist() if i not in seen]
            if not fresh:
                return self
            new = np.array(fresh, dtype=np.int64)
            everything = np.concatenate([old, new])
        flat, n = self.counts_.reshape(-1), self.n_items  # flat indices: cheaper than np.ix_ blocks
        flat[(new[:, None] * n + everything[None, :]).ravel()] += 1
        if old.size:
            flat[(old[:, None] * n + new[None, :]).ravel()] += 1
        seen.update(new.tolist())
        self._history[event.customer] = (seen, everything)
        return self

    def cosine(self) -> np.ndarray:
        """Give the item-item cosine similarity ``M_ij / sqrt(M_ii M_jj)`` (lesson 07's ``cosine_similarity``)."""
        diag = np.sqrt(np.diag(self.counts_).astype(np.float64))
        inv = np.divide(1.0, diag, out=np.zeros_like(diag), where=diag > 0)
        return (self.counts_ * inv[:, None] * inv[None, :]).astype(np.float32)

    def most_similar(self, item: int, k: int = 10) -> np.ndarray:
        """Give the ``k`` items bought by the most customers who also bought ``item`` (not itself)."""
        k = require_positive_int(k, "k")
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
            raise TypeError(f"item: expected an item position (int), got {type(item).__name__}")
        if not 0 <= item < self.n_items:
            raise ValueError(f"item: expected a position in [0, {self.n_items}), got unknown item {item}")
        row = self.counts_[item].astype(np.int64)
        row[item] = -1
        return _top_k(row, min(k, self.n_items - 1))
