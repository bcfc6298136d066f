"""What to watch on a live model service: latency percentiles, error rate and score drift.

* **Latency** is a distribution, not a mean: the p99 (the slowest request
  in a hundred) is what a page that calls the service ten times feels.
* **Error rate**: the share of answers with a 5xx status (the service failed);
  4xx answers are the client's mistakes and are counted apart.
* **Score drift**: the population stability index of the served scores
  against the scores on held-out data at training time::

      PSI = sum over bins b of (c_b - r_b) * ln(c_b / r_b)

  with ``r_b`` and ``c_b`` the reference and current shares in bins cut at the
  reference's quantiles. Rules of thumb: below 0.1 stable, 0.1-0.25 watch,
  above 0.25 the inputs or the world have changed (Siddiqi 2006).

:class:`RequestMonitor` collects all three inside the service (bounded
memory: the last ``window`` requests and scores). Introduced in lesson 22.

References
----------
Siddiqi, N. (2006). *Credit Risk Scorecards*. Wiley (the population stability index).
Dean, J. and Barroso, L. A. (2013). The tail at scale. *Communications of the ACM* 56(2).
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

from ..validation import _float_array, require_positive_int

PERCENTILES = (50, 95, 99)
PSI_FLOOR = 1e-4


def latency_summary(seconds: object) -> dict[str, float]:
    """Give the count, mean, p50, p95, p99 and max of latencies in seconds, in milliseconds.

    Percentiles use numpy's default (linear) interpolation. Introduced in lesson 22.
    """
    arr = np.asarray(seconds, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError("seconds: expected at least one latency, got none")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError("seconds: expected finite latencies >= 0")
    ms = arr * 1000.0
    out = {"count": float(arr.size), "mean_ms": float(ms.mean())}
    for q, value in zip(PERCENTILES, np.percentile(ms, PERCENTILES), strict=True):
        out[f"p{q}_ms"] = float(value)
    out["max_ms"] = float(ms.max())
    return out


def _scores(values: object, arg: str) -> np.ndarray:
    arr = _float_array(values, arg, "scores (numbers)").ravel()
    if arr.size == 0:
        raise ValueError(f"{arg}: expected at least one score, got none")
    if not np.isfinite(arr).all():
        raise ValueError(f"{arg}: expected finite scores, got NaN or inf")
    return arr


def score_reference(scores: object, n_bins: int = 10) -> dict[str, list[float]]:
    """Give the reference of a score distribution for drift checks: inner quantile edges and bin shares.

    ``edges`` are the ``n_bins - 1`` inner cut points (quantiles of
    ``scores``, repeated values merged); ``shares`` the share of ``scores``
    in each resulting bin. JSON-serialisable, so it is saved in the model's
    metadata. Introduced in lesson 22.
    """
    return _reference(scores, n_bins, "scores")


def _reference(scores: object, n_bins: int, arg: str) -> dict[str, list[float]]:
    arr = _scores(scores, arg)
    n_bins = require_positive_int(n_bins, "n_bins")
    edges = np.unique(np.quantile(arr, np.linspace(0, 1, n_bins + 1)[1:-1]))
    shares = np.bincount(np.searchsorted(edges, arr, side="right"), minlength=len(edges) + 1) / arr.size
    return {"edges": [float(e) for e in edges], "shares": [float(s) for s in shares]}


def psi_against(reference: dict, current: object) -> float:
    """Give the population stability index of ``current`` scores against a :func:`score_reference`.

    Shares below ``PSI_FLOOR`` are raised to it so that an empty bin gives a
    large, finite value. Introduced in lesson 22.
    """
    if not isinstance(reference, dict) or not {"edges", "shares"} <= set(reference):
        raise TypeError("reference: expected a dict with 'edges' and 'shares' (from score_reference)")
    edges = np.asarray(reference["edges"], dtype=float)
    ref = np.asarray(reference["shares"], dtype=float)
    if ref.shape != (edges.size + 1,):
        raise ValueError(f"reference: expected {edges.size + 1} shares for {edges.size} edges, got {ref.size}")
    cur_scores = _scores(current, "current")
    cur = np.bincount(np.searchsorted(edges, cur_scores, side="right"), minlength=edges.size + 1) / cur_scores.size
    ref, cur = np.maximum(ref, PSI_FLOOR), np.maximum(cur, PSI_FLOOR)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def population_stability_index(reference: object, current: object, n_bins: int = 10) -> float:
    """Give the PSI of ``current`` scores against ``reference`` scores, bins cut at the reference's quantiles.

    Introduced in lesson 22.
    """
    return psi_against(_reference(reference, n_bins, "reference"), current)


class RequestMonitor:
    """Count requests and errors per route and keep the last latencies and served scores.

    Thread-safe; memory is bounded by ``window``. Introduced in lesson 22.

    Parameters
    ----------
    window : int
        Latencies kept per route, and scores kept, for the summaries.
    score_reference : dict, optional
        From :func:`score_reference` on held-out scores; enables the PSI.
    """

    def __init__(self, window: int = 10_000, score_reference: dict | None = None):
        self.window = require_positive_int(window, "window")
        self.score_reference = score_reference
        self._lock = threading.Lock()
        self._routes: dict[str, dict] = {}
        self._scores: deque = deque(maxlen=10 * self.window)

    def record(self, route: str, status: int, seconds: float) -> None:
        """Add one answered request."""
        with self._lock:
            entry = self._routes.setdefault(
                route, {"requests": 0, "server_errors": 0, "client_errors": 0, "latency": deque(maxlen=self.window)}
            )
            entry["requests"] += 1
            entry["server_errors"] += int(status >= 500)
            entry["client_errors"] += int(400 <= status < 500)
            entry["latency"].append(seconds)

    def record_scores(self, scores: np.ndarray) -> None:
        """Add served scores (for the drift check)."""
        with self._lock:
            self._scores.extend(np.asarray(scores, dtype=float).ravel().tolist())

    def snapshot(self) -> dict:
        """Give per-route counts, error rate and latency percentiles, and the scores' mean and PSI."""
        with self._lock:
            routes = {k: (v["requests"], v["server_errors"], v["client_errors"], list(v["latency"]))
                      for k, v in self._routes.items()}
            scores = np.fromiter(self._scores, dtype=float, count=len(self._scores))
        out: dict = {"routes": {}}
        for route, (n, server, client, lat) in sorted(routes.items()):
            entry = {"requests": n, "server_errors": server, "client_errors": client, "error_rate": server / n}
            if lat:
                entry.update(latency_summary(lat))
            out["routes"][route] = entry
        out["scores"] = {"count": int(scores.size)}
        if scores.size:
            out["scores"]["mean"] = float(scores.mean())
            if self.score_reference is not None:
                out["scores"]["psi"] = psi_against(self.score_reference, scores)
        return out
