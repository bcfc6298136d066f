"""Prequential (test-then-train) evaluation of a recommender on an event stream.

Before each invoice the model recommends ``k`` products to the customer;
after it, the model learns the invoice. Each recommendation is judged on a
basket the model has not seen, so the whole stream is test data and also
training data, in the order it happened (Dawid 1984; Gama et al. 2013).
Three ways to keep the model fresh are compared: learn after every event,
retrain nightly (learn the day's events at midnight), or train once and
never again. Introduced in lesson 21.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ..validation import require_bool, require_positive_int
from .events import Event, EventStream
from .features import TrendingItems, _check_event

REFRESH_MODES = ("event", "daily", "never")


class StreamingRecommender(BaseEstimator):
    """Give "buy it again, then what is trending" recommendations, learned one event at a time.

    The score of item ``i`` for customer ``u`` is lexicographic: first
    ``n_ui``, the number of ``u``'s earlier invoices containing ``i``
    (repeat purchases, strong at a wholesaler), ties and the remaining
    places by the item's purchase lines in the last ``window``
    (:class:`TrendingItems`). Learning an invoice costs O(basket);
    recommending O(customer's distinct items + k). Introduced in lesson 21.

    Parameters
    ----------
    n_items : int
        Size of the catalogue (``len(stream.items)``).
    window : duration
        Trending window, e.g. ``"7D"``.
    repeat : bool
        Use the customer's own history (False: trending only).

    Attributes
    ----------
    trending_ : TrendingItems
    n_learned_ : int
        Events learned so far.
    """

    def __init__(self, n_items: int, window="7D", repeat: bool = True):
        self.n_items = n_items
        self.window = window
        self.repeat = repeat

    def _start(self) -> None:
        require_positive_int(self.n_items, "n_items")
        require_bool(self.repeat, "repeat")
        self.trending_ = TrendingItems(self.n_items, self.window)
        self.n_learned_ = 0
        self._history: dict = {}
        self._top: np.ndarray | None = None

    def learn_one(self, event: Event) -> StreamingRecommender:
        """Learn one invoice event; give ``self``."""
        if not hasattr(self, "trending_"):
            self._start()
        _check_event(event, self.trending_.last_time_, type(self).__name__)
        self.trending_.update(event)
        self._top = None
        self.n_learned_ += 1
        if event.is_return or not self.repeat:
            return self
        history = self._history.setdefault(event.customer, {})
        for item in set(event.items.tolist()):
            history[item] = history.get(item, 0) + 1
        return self

    def fit(self, events) -> StreamingRecommender:
        """Learn every event of an iterable from scratch; give ``self``."""
        self._start()
        n = 0
        for event in events:
            self.learn_one(event)
            n += 1
        if n == 0:
            raise ValueError("events: expected at least one event, got an empty stream")
        return self

    def recommend_one(self, customer, k: int = 10) -> np.ndarray:
        """Give ``k`` item positions for ``customer`` (an unknown customer gets the trending items)."""
        check_is_fitted(self, "trending_")
        k = require_positive_int(k, "k")
        if self._top is None or len(self._top) < 2 * k:
            self._top = self.trending_.top(2 * k)
        history = self._history.get(customer) if self.repeat else None
        if not history:
            return self._top[:k]
        items = np.fromiter(history.keys(), dtype=np.int64, count=len(history))
        times = np.fromiter(history.values(), dtype=np.int64, count=len(history))
        trend = self.trending_.counts_[items]
        own = items[np.lexsort((items, -trend, -times))[:k]]
        if len(own) == k:
            return own
        fill = self._top[~np.isin(self._top, own)]
        if len(own) + len(fill) < k:  # a catalogue almost all bought: rank the rest by trend
            rest = np.setdiff1d(np.arange(self.n_items), np.r_[own, fill])
            fill = np.r_[fill, rest[np.argsort(-self.trending_.counts_[rest], kind="stable")]]
        return np.r_[own, fill[: k - len(own)]]


@dataclass(frozen=True)
class PrequentialResult:
    """What a prequential replay measured.

    Attributes
    ----------
    log : DataFrame
        One row per purchase invoice: ``time``, ``customer``, ``n_lines``,
        ``hit`` (1 if a recommended item was in the basket),
        ``recommend_us`` and ``learn_us`` (microseconds; learn is 0 when the
        model did not learn then).
    n_events, n_lines : int
        Everything replayed (sales and returns).
    seconds : float
        Wall time of the whole replay.
    refresh : str
    model : StreamingRecommender
        The model after the replay (a clone of the one passed in).

    Introduced in lesson 21.
    """

    log: pd.DataFrame
    n_events: int
    n_lines: int
    seconds: float
    refresh: str
    model: object

    @property
    def lines_per_second(self) -> float:
        """Give the throughput in transaction lines per second."""
        return self.n_lines / self.seconds

    @property
    def events_per_second(self) -> float:
        """Give the throughput in events (invoices) per second."""
        return self.n_events / self.seconds

    def hit_rate(self, start=None) -> float:
        """Give the share of invoices (from ``start`` on, if given) with a hit."""
        log = self.log if start is None else self.log[self.log["time"] >= pd.Timestamp(start)]
        return float(log["hit"].mean())

    def hit_rate_by(self, freq: str = "W", start=None) -> pd.Series:
        """Give the hit rate per period (``"W"``: weeks ending on Sunday) from ``start`` on."""
        log = self.log if start is None else self.log[self.log["time"] >= pd.Timestamp(start)]
        return log.groupby(log["time"].dt.to_period(freq))["hit"].mean()


def prequential_replay(
    stream: EventStream,
    model: StreamingRecommender,
    *,
    k: int = 10,
    refresh: str = "event",
    train_until=None,
    features=(),
) -> PrequentialResult:
    """Give the test-then-train record of a recommender replayed over a stream.

    For every purchase invoice, in time order: recommend ``k`` items to its
    customer (test), record whether any was bought, then let the model learn
    (train) as ``refresh`` says. The model passed in is cloned, never changed.
    Introduced in lesson 21.

    Parameters
    ----------
    stream : EventStream
    model : StreamingRecommender
        Hyper-parameters only; a fresh clone is trained.
    k : int
        Recommendations per invoice.
    refresh : {"event", "daily", "never"}
        ``"event"``: learn each event right after its test; ``"daily"``:
        collect the day's events and learn them at the first event of the
        next day (a nightly retrain; for a counting model this equals
        refitting on everything up to midnight); ``"never"``: learn only the
        events before ``train_until``, then freeze.
    train_until : date-like
        Required for ``"never"``: the end of the one training period.
    features : sequence of feature stores
        Objects with ``update(event)`` (e.g. :class:`StreamingRFM`) updated
        with every event too; their time counts in ``learn_us``.

    Returns
    -------
    PrequentialResult
    """
    if not isinstance(stream, EventStream):
        raise TypeError(f"stream: expected an EventStream from event_stream, got {type(stream).__name__}")
    if not isinstance(model, StreamingRecommender):
        raise TypeError(f"model: expected a StreamingRecommender, got {type(model).__name__}")
    if require_positive_int(model.n_items, "n_items") < len(stream.items):
        raise ValueError(
            f"model: expected n_items >= the stream's {len(stream.items)} items, got n_items={model.n_items}"
        )
    k = require_positive_int(k, "k")
    if refresh not in REFRESH_MODES:
        raise ValueError(f"refresh: expected one of {list(REFRESH_MODES)}, got {refresh!r}")
    if refresh == "never" and train_until is None:
        raise ValueError("train_until: expected the end of training for refresh='never', got None")
    freeze = np.iinfo(np.int64).max if train_until is None else pd.Timestamp(train_until).value
    for store in features:
        if not callable(getattr(store, "update", None)):
            raise TypeError(f"features: expected objects with an update(event) method, got {type(store).__name__}")
    model = clone(model)
    model._start()
    clock = _time.perf_counter_ns
    mark = np.zeros(model.n_items, dtype=bool)
    times, customers, sizes, hits, rec_ns, learn_ns = [], [], [], [], [], []
    pending: list = []
    day = None
    started = clock()
    for event in stream:
        if refresh == "daily" and event.day != day:
            for old in pending:
                model.learn_one(old)
            pending.clear()
            day = event.day
        t0 = clock()
        if not event.is_return:
            recs = model.recommend_one(event.customer, k)
            mark[recs] = True
            hit = bool(mark[event.items].any())
            mark[recs] = False
        t1 = clock()
        for store in features:
            store.update(event)
        if refresh == "event" or (refresh == "never" and event.time < freeze):
            model.learn_one(event)
        elif refresh == "daily":
            pending.append(event)
        t2 = clock()
        if not event.is_return:
            times.append(event.time)
            customers.append(event.customer)
            sizes.append(len(event.items))
            hits.append(hit)
            rec_ns.append(t1 - t0)
            learn_ns.append(t2 - t1)
    seconds = (clock() - started) / 1e9
    if not times:
        raise ValueError("stream: expected at least one purchase event, got none")
    log = pd.DataFrame(
        {
            "time": pd.to_datetime(np.array(times, dtype=np.int64)),
            "customer": customers,
            "n_lines": np.array(sizes, dtype=np.int64),
            "hit": np.array(hits, dtype=np.int8),
            "recommend_us": np.array(rec_ns, dtype=np.float64) / 1e3,
            "learn_us": np.array(learn_ns, dtype=np.float64) / 1e3,
        }
    )
    return PrequentialResult(log, stream.n_events, stream.n_lines, seconds, refresh, model)


def latency_summary(result: PrequentialResult, quantiles=(0.5, 0.99)) -> pd.DataFrame:
    """Give per-event latency quantiles (microseconds) of recommend and learn from a replay.

    Introduced in lesson 21.
    """
    if not isinstance(result, PrequentialResult):
        raise TypeError(f"result: expected a PrequentialResult, got {type(result).__name__}")
    qs = [float(q) for q in quantiles]
    if not qs or any(not 0 <= q <= 1 for q in qs):
        raise ValueError(f"quantiles: expected values in [0, 1], got {list(quantiles)}")
    cols = ["recommend_us", "learn_us"]
    table = result.log[cols].quantile(qs).T
    table.columns = [f"p{round(q * 100):g}" for q in qs]
    return table
