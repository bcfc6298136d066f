"""Real-time marketing on an event stream: replay, per-event features, prequential evaluation.

- :mod:`.events`: replay a transaction table in time order as a stream of
  invoice events with a simulated clock (a generator; what a log such as
  Kafka gives in production is a durable, ordered, replayable version of it).
- :mod:`.features`: features updated per event, never recomputed from
  history: RFM per customer, trending items over a sliding window, item
  co-occurrence counts. After a full replay they equal the batch functions
  of lessons 03, 06 and 07.
- :mod:`.prequential`: test-then-train evaluation of a recommender on the
  stream (recommend before each invoice, learn after it), with hit rates,
  throughput and per-event latencies.

Introduced in lesson 21.
"""

from .events import Event, EventStream, SimulatedClock, event_stream, stream_table
from .features import ItemCooccurrence, StreamingRFM, TrendingItems
from .prequential import (
    REFRESH_MODES,
    PrequentialResult,
    StreamingRecommender,
    latency_summary,
    prequential_replay,
)

__all__ = [
    "REFRESH_MODES",
    "Event",
    "EventStream",
    "ItemCooccurrence",
    "PrequentialResult",
    "SimulatedClock",
    "StreamingRFM",
    "StreamingRecommender",
    "TrendingItems",
    "event_stream",
    "latency_summary",
    "prequential_replay",
    "stream_table",
]
