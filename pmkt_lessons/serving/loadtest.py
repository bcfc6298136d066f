"""A bounded load test against a service on this machine: a fixed number of requests at a fixed concurrency.

``concurrency`` worker threads share the list of requests; each sends its next
request as soon as its previous one is answered (a *closed* loop), or, with
``rate``, at the request's scheduled time ``start + i / rate`` (an *open* loop,
like real traffic, which does not wait for slow answers). In the open loop a
request's latency is measured from its scheduled time, so time spent queueing
behind a slow answer counts (no "coordinated omission", Tene 2013). The test
stops by itself after the last request, and it refuses any host but this
machine's. Introduced in lesson 22.

References
----------
Tene, G. (2013). How NOT to measure latency. Strange Loop (coordinated omission).
Schroeder, B., Wierman, A. and Harchol-Balter, M. (2006). Open versus closed:
a cautionary tale. *NSDI*.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import numpy as np

from ..validation import require_in_range, require_positive_int
from .monitoring import latency_summary

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_REQUESTS = 1_000_000
MAX_CONCURRENCY = 64


@dataclass(frozen=True, eq=False)
class LoadTestResult:
    """What a load test measured: per-request latencies and statuses, wall time, settings.

    Introduced in lesson 22.
    """

    latencies: np.ndarray  # seconds, in request order
    statuses: np.ndarray  # HTTP status per request, 0 for a failed connection or timeout
    wall_seconds: float
    concurrency: int
    rate: float | None

    @property
    def n_requests(self) -> int:
        """Give the number of requests sent."""
        return int(self.statuses.size)

    @property
    def errors(self) -> int:
        """Give the number of requests without a 2xx answer."""
        return int(((self.statuses < 200) | (self.statuses >= 300)).sum())

    @property
    def throughput(self) -> float:
        """Give answered requests per second of wall time."""
        return self.n_requests / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    def summary(self) -> dict[str, float]:
        """Give requests, errors, error rate, throughput (requests/s) and latency percentiles (ms)."""
        out = {"requests": float(self.n_requests), "concurrency": float(self.concurrency),
               "errors": float(self.errors), "error_rate": self.errors / max(self.n_requests, 1),
               "throughput_rps": self.throughput}
        out.update(latency_summary(self.latencies))
        return out


def _check_local(base_url: object) -> httpx.URL:
    if not isinstance(base_url, (str, httpx.URL)):
        raise TypeError(f"base_url: expected a URL string, got {type(base_url).__name__}")
    url = httpx.URL(str(base_url))
    if url.scheme not in ("http", "https") or url.host not in LOCAL_HOSTS:
        raise ValueError(f"base_url: expected http://127.0.0.1:<port> (load tests never leave this machine), got {base_url!r}")
    return url


def _prepare(requests: object) -> list[tuple[str, str, bytes | None]]:
    if isinstance(requests, (str, bytes)) or not isinstance(requests, Sequence):
        raise TypeError(f"requests: expected a list of (method, path[, json body]) tuples, got {type(requests).__name__}")
    if not 1 <= len(requests) <= MAX_REQUESTS:
        raise ValueError(f"requests: expected 1 to {MAX_REQUESTS:,} requests, got {len(requests):,}")
    out = []
    for i, req in enumerate(requests):
        if not isinstance(req, tuple) or len(req) not in (2, 3):
            raise ValueError(f"requests: expected (method, path[, json body]) tuples, got {req!r} at position {i}")
        method, path = req[0], req[1]
        if method not in ("GET", "POST") or not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"requests: expected ('GET' or 'POST', '/path', ...), got {req[:2]!r} at position {i}")
        body = json.dumps(req[2]).encode() if len(req) == 3 and req[2] is not None else None
        out.append((method, path, body))
    return out


def run_load_test(
    base_url: str,
    requests: Sequence[tuple],
    concurrency: int = 4,
    *,
    rate: float | None = None,
    timeout: float = 10.0,
) -> LoadTestResult:
    """Give the latencies and statuses of sending every request in ``requests`` to a local service.

    Introduced in lesson 22.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:<port>`` (or ``localhost``); any other host raises.
    requests : sequence of tuples
        ``(method, path)`` or ``(method, path, json_body)``; the test sends
        exactly these, in order of scheduling, then stops. Bodies are
        encoded before the clock starts.
    concurrency : int
        Requests in flight at most (worker threads), 1 to 64.
    rate : float, optional
        Target requests per second (open loop); default: as fast as the
        workers get answers (closed loop).
    timeout : float
        Seconds before a request counts as failed (status 0).
    """
    url = _check_local(base_url)
    prepared = _prepare(requests)
    concurrency = require_positive_int(concurrency, "concurrency")
    if concurrency > MAX_CONCURRENCY:
        raise ValueError(f"concurrency: expected at most {MAX_CONCURRENCY}, got {concurrency}")
    if rate is not None:
        rate = require_in_range(rate, "rate", 0.0, 1e6, low_inclusive=False)
    timeout = require_in_range(timeout, "timeout", 0.0, 600.0, low_inclusive=False)
    n = len(prepared)
    latencies = np.zeros(n)
    statuses = np.zeros(n, dtype=np.int64)
    lock = threading.Lock()
    counter = iter(range(n))
    headers = {"content-type": "application/json"}

    def worker(client: httpx.Client, start: float) -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, path, body = prepared[i]
            sent = time.perf_counter()
            if rate is not None:
                scheduled = start + i / rate
                if scheduled > sent:
                    time.sleep(scheduled - sent)
                sent = scheduled
            try:
                response = client.request(method, path, content=body, headers=headers if body else None)
                statuses[i] = response.status_code
            except httpx.HTTPError:
                statuses[i] = 0
            latencies[i] = time.perf_counter() - sent

    clients = [httpx.Client(base_url=url, timeout=timeout) for _ in range(concurrency)]
    try:
        start = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(c, start), daemon=True) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    finally:
        for c in clients:
            c.close()
    return LoadTestResult(latencies=latencies, statuses=statuses, wall_seconds=wall, concurrency=concurrency, rate=rate)
