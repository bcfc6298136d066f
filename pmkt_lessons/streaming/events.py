"""Replay a transaction table as a time-ordered stream of invoice events with a simulated clock.

A shop's systems see purchases one at a time, as they happen. To study
that without a live shop we *replay* the year of Online Retail in time
order: each event is one invoice (a basket of lines, or a return), and a
simulated clock jumps to each event's time, so a year replays in seconds.
In production the events would come from a log such as Apache Kafka or
AWS Kinesis: durable (events survive a crash), ordered within a partition,
replayable from any offset (a new model can re-read history), and read by
many consumers at once (features, models, dashboards). The generator here
is that log's in-memory, single-consumer stand-in. Introduced in lesson 21.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import columns as C
from ..validation import require_datetime, require_frame, require_no_nan, require_numeric

DAY_NS = 86_400 * 10**9
EVENT_TIME = "event_time"
IS_RETURN = "is_return"
ITEM_POSITION = "item_position"
_LINE_COLUMNS = (C.INVOICE, C.STOCK_CODE, C.QUANTITY, C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE)


class Event(NamedTuple):
    """One invoice as it arrives on the stream.

    Attributes
    ----------
    time : int
        Event time in nanoseconds since 1970 (the invoice's first line), as
        ``pd.Timestamp(time)`` reads it.
    invoice : str
    customer : object
        The ``CustomerID``.
    items : ndarray of int
        Position of each line's product in the stream's catalogue ``items``.
    quantity, revenue : ndarray
        Per line.
    value : float
        The invoice's total revenue (negative for a return).
    is_return : bool
        True for a cancellation invoice (the lesson 01 ``cancellations``).

    Introduced in lesson 21.
    """

    time: int
    invoice: str
    customer: object
    items: np.ndarray
    quantity: np.ndarray
    revenue: np.ndarray
    value: float
    is_return: bool

    @property
    def timestamp(self) -> pd.Timestamp:
        """Give the event time as a pandas Timestamp."""
        return pd.Timestamp(self.time)

    @property
    def day(self) -> int:
        """Give the event's day as whole days since 1970 (midnight boundaries)."""
        return self.time // DAY_NS


class SimulatedClock:
    """Give a clock that only moves forward, to the time of each event it is shown.

    ``now`` is ``None`` until the first event. Moving it backwards raises a
    ``ValueError``: a stream whose timestamps go back in time is out of
    order, and every per-event feature would then be wrong. Introduced in lesson 21.
    """

    def __init__(self) -> None:
        self.now: int | None = None

    def advance(self, time: int) -> int:
        """Move the clock to ``time`` (ns) and give it; raise if that is in the past."""
        time = int(time)
        if self.now is not None and time < self.now:
            raise ValueError(
                f"time: expected a time at or after the clock's {pd.Timestamp(self.now)}, got "
                f"{pd.Timestamp(time)} (events out of order)"
            )
        self.now = time
        return time

    @property
    def timestamp(self) -> pd.Timestamp | None:
        """Give ``now`` as a Timestamp (None before the first event)."""
        return None if self.now is None else pd.Timestamp(self.now)

    def __repr__(self) -> str:
        return f"SimulatedClock(now={self.timestamp})"


def stream_table(
    clean: pd.DataFrame, cancellations: pd.DataFrame | None = None, *, items=None
) -> tuple[pd.DataFrame, pd.Index]:
    """Give the lines of sales and returns in stream order, with their event time and item position.

    Each invoice becomes one event whose time is its first line's
    ``InvoiceDate``; events are ordered by that time, then invoice number
    (a stable order for invoices of the same second), lines keep their
    order within an invoice. Introduced in lesson 21.

    Parameters
    ----------
    clean : DataFrame
        ``CleaningResult.clean`` (sales lines).
    cancellations : DataFrame, optional
        ``CleaningResult.cancellations`` (returns); may be empty or None.
    items : iterable of stock codes, optional
        The catalogue; item positions refer to it. Default: the sorted stock
        codes of both frames. A line whose code is not in it raises.

    Returns
    -------
    lines : DataFrame
        The line columns plus ``event_time`` (datetime64), ``is_return`` and
        ``item_position``, in stream order, with a fresh RangeIndex.
    items : pd.Index
        The catalogue.
    """
    require_frame(clean, _LINE_COLUMNS, "clean")
    frames = [clean[list(_LINE_COLUMNS)].assign(**{IS_RETURN: False})]
    if cancellations is not None:
        require_frame(cancellations, _LINE_COLUMNS, "cancellations", allow_empty=True)
        if len(cancellations):
            frames.append(cancellations[list(_LINE_COLUMNS)].assign(**{IS_RETURN: True}))
    for frame, name in zip(frames, ("clean", "cancellations")[: len(frames)], strict=True):
        require_numeric(frame, [C.QUANTITY, C.REVENUE], name)
        require_datetime(frame, [C.INVOICE_DATE], name)
        require_no_nan(frame, [C.INVOICE, C.STOCK_CODE, C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE], name)
    lines = pd.concat(frames, ignore_index=True)
    if items is None:
        catalogue = pd.Index(np.sort(lines[C.STOCK_CODE].unique()), name=C.STOCK_CODE)
    else:
        catalogue = pd.Index(list(items), name=C.STOCK_CODE)
        if catalogue.empty or not catalogue.is_unique:
            raise ValueError(f"items: expected a non-empty catalogue of unique stock codes, got {len(catalogue)} codes")
    positions = catalogue.get_indexer(lines[C.STOCK_CODE])
    if (positions < 0).any():
        unknown = lines.loc[positions < 0, C.STOCK_CODE].unique()
        raise ValueError(
            f"items: expected every StockCode of the stream in the catalogue, got {len(unknown)} "
            f"unknown codes (e.g. {list(unknown[:5])})"
        )
    lines[ITEM_POSITION] = positions
    lines[EVENT_TIME] = lines.groupby(C.INVOICE)[C.INVOICE_DATE].transform("min")
    lines["_order"] = np.arange(len(lines))
    lines = lines.sort_values([EVENT_TIME, C.INVOICE, "_order"], kind="stable")
    return lines.drop(columns="_order").reset_index(drop=True), catalogue


class EventStream:
    """Give a replayable stream of invoice events (iterate it, as often as you like).

    Build it with :func:`event_stream`. Each iteration is a fresh replay
    from the first event (like re-reading a Kafka topic from offset 0);
    ``replay(until=...)`` stops before a given time. Introduced in lesson 21.

    Attributes
    ----------
    items : pd.Index
        The catalogue: ``Event.items`` holds positions in it.
    n_events, n_lines : int
    start, end : pd.Timestamp
        Times of the first and last event.
    """

    def __init__(self, lines: pd.DataFrame, items: pd.Index):
        require_frame(lines, [C.INVOICE, EVENT_TIME, C.CUSTOMER_ID, IS_RETURN, ITEM_POSITION, C.QUANTITY, C.REVENUE],
                      "lines")
        if not isinstance(items, pd.Index):
            raise TypeError(f"items: expected a pandas Index of item ids (from stream_table), got {type(items).__name__}")
        invoice = lines[C.INVOICE].to_numpy()
        first = np.flatnonzero(np.r_[True, invoice[1:] != invoice[:-1]])
        self._starts = np.r_[first, len(lines)].tolist()
        self._times = lines[EVENT_TIME].to_numpy("datetime64[ns]").astype(np.int64)[first].tolist()
        self._invoices = invoice[first].tolist()
        self._customers = lines[C.CUSTOMER_ID].to_numpy()[first].tolist()
        self._returns = lines[IS_RETURN].to_numpy()[first].tolist()
        self._items = lines[ITEM_POSITION].to_numpy(np.int64, copy=True)
        self._quantity = lines[C.QUANTITY].to_numpy(copy=True)
        self._revenue = lines[C.REVENUE].to_numpy(np.float64, copy=True)
        self._values = np.add.reduceat(self._revenue, first).tolist()
        for arr in (self._items, self._quantity, self._revenue):
            arr.flags.writeable = False  # events are views: a consumer must not rewrite the log
        self.items = items
        self.n_events = len(first)
        self.n_lines = len(lines)
        self.start = pd.Timestamp(self._times[0])
        self.end = pd.Timestamp(self._times[-1])

    def replay(self, until=None, clock: SimulatedClock | None = None):
        """Yield the events in time order, those before ``until`` only if given.

        Parameters
        ----------
        until : date-like, optional
            Stop before the first event at or after this time.
        clock : SimulatedClock, optional
            Advanced to each event's time before the event is yielded.
        """
        stop = None if until is None else pd.Timestamp(until).value
        starts, times = self._starts, self._times
        items, quantity, revenue = self._items, self._quantity, self._revenue
        for e in range(self.n_events):
            time = times[e]
            if stop is not None and time >= stop:
                return
            if clock is not None:
                clock.advance(time)
            s, t = starts[e], starts[e + 1]
            yield Event(
                time, self._invoices[e], self._customers[e], items[s:t], quantity[s:t], revenue[s:t],
                self._values[e], self._returns[e],
            )

    def __iter__(self):
        return self.replay()

    def __len__(self) -> int:
        return self.n_events

    def __repr__(self) -> str:
        return (
            f"EventStream({self.n_events:,} events, {self.n_lines:,} lines, {len(self.items):,} items, "
            f"{self.start} to {self.end})"
        )


def event_stream(
    clean: pd.DataFrame, cancellations: pd.DataFrame | None = None, *, items=None
) -> EventStream:
    """Give the transactions as a replayable, time-ordered stream of invoice events.

    Iterating the result yields :class:`Event` objects, one per invoice
    (sales and, if given, returns), in time order. See :func:`stream_table`
    for the order and the catalogue. Introduced in lesson 21.

    Examples
    --------
    >>> stream = event_stream(result.clean, result.cancellations)   # doctest: +SKIP
    >>> for event in stream: ...                                     # doctest: +SKIP
    """
    lines, catalogue = stream_table(clean, cancellations, items=items)
    return EventStream(lines, catalogue)
