"""Benchmark the lesson 21 stream replay: throughput and per-event latency on one core.

    python tools/bench_stream.py [--repeats 3] [--cooccurrence]

Replays all cleaned Online Retail transactions (sales and returns) in time
order through ``prequential_replay`` with per-invoice recommendations and
per-invoice updates of the ``StreamingRecommender`` and of the RFM and
trending feature stores (the notebook's pipeline); ``--cooccurrence`` adds the
co-occurrence matrix. BLAS is limited to one thread, and the replay itself is
single-threaded Python. Prints the median over ``--repeats`` replays of
transaction lines per second, invoices per second, and the p50 / p99 / max
per-invoice latency of recommend and learn, with the machine and its load
average. The goal of issue 15 is >= 40,000 lines per second. Writes nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from pmkt_lessons.cleaning import clean_transactions  # noqa: E402
from pmkt_lessons.data import load_online_retail  # noqa: E402
from pmkt_lessons.device import limit_threads  # noqa: E402
from pmkt_lessons.streaming import (  # noqa: E402
    ItemCooccurrence,
    StreamingRecommender,
    StreamingRFM,
    TrendingItems,
    event_stream,
    latency_summary,
    prequential_replay,
)

GOAL_LINES_PER_SECOND = 40_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cooccurrence", action="store_true", help="also update the co-occurrence matrix")
    args = parser.parse_args()
    from nbrun import hardware

    result = clean_transactions(load_online_retail())
    stream = event_stream(result.clean, result.cancellations)
    n = len(stream.items)
    runs = []
    with limit_threads(1):
        for _ in range(max(1, args.repeats)):
            stores = [StreamingRFM(), TrendingItems(n, "7D")] + ([ItemCooccurrence(n)] if args.cooccurrence else [])
            runs.append(prequential_replay(stream, StreamingRecommender(n), k=10, refresh="event", features=stores))
    lines = statistics.median(r.lines_per_second for r in runs)
    events = statistics.median(r.events_per_second for r in runs)
    median_run = sorted(runs, key=lambda r: r.lines_per_second)[len(runs) // 2]
    latency = latency_summary(median_run, quantiles=(0.5, 0.99, 1.0)) / 1000
    latency.index = ["recommend", "learn"]
    print(f"machine: {hardware()}; load average at the end {os.getloadavg()[0]:.2f}")
    print(f"stream: {stream}")
    print(f"pipeline: recommend + StreamingRecommender + StreamingRFM + TrendingItems"
          f"{' + ItemCooccurrence' if args.cooccurrence else ''}, one thread, median of {len(runs)} replays")
    print(f"throughput: {lines:,.0f} transaction lines/s, {events:,.0f} invoices/s "
          f"(goal >= {GOAL_LINES_PER_SECOND:,} lines/s: {'met' if lines >= GOAL_LINES_PER_SECOND else 'NOT met'})")
    print("per-invoice latency (ms):")
    print(latency.rename(columns={"p100": "max"}).round(3).to_string())


if __name__ == "__main__":
    main()
