"""A simulated customer base with planted segments, so a clustering can be checked against the truth.

Real customers carry no true segment label, so no real data set can tell
whether a segmentation "found" the segments. Here four segments are planted
(champions, loyal regulars, new one-timers, lapsed one-timers), each with
its own typical recency, frequency, basket value and purchase span, and the
customers get the same columns as ``features.customer_profiles`` (recency,
frequency, monetary, tenure_days), with the same skew and the same
constraints (recency <= tenure <= the 374-day window; a one-time buyer's
tenure equals its recency). Introduced in lesson 04.

Each customer's features are drawn from its segment: recency, basket value
and purchase span are log-normal around the segment's medians, frequency is
``1 + Poisson(frequency - 1)``, and monetary is frequency times basket value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..features import FREQUENCY, MONETARY, RECENCY, TENURE
from ..randomness import check_random_state
from ..validation import require_in_range, require_positive_int

WINDOW_DAYS = 374
CUSTOMER = "customer"

# Medians of each planted segment (days, invoices, currency units).
PLANTED_SEGMENTS = pd.DataFrame(
    {
        "share": [0.15, 0.30, 0.25, 0.30],
        "recency": [8.0, 45.0, 15.0, 240.0],
        "frequency": [12.0, 5.0, 1.0, 1.0],
        "basket_value": [450.0, 300.0, 300.0, 250.0],
        "span": [300.0, 150.0, 0.0, 0.0],
    },
    index=pd.Index(["champions", "loyal regulars", "new one-timers", "lapsed one-timers"], name=C.SEGMENT),
)
SIGMA = 0.4  # log-scale spread of recency, basket value and span within a segment


@dataclass(frozen=True)
class SimulatedSegments:
    """Simulated customer features and the planted segment of every customer."""

    features: pd.DataFrame
    labels: pd.Series
    spec: pd.DataFrame


def simulate_segments(
    n_customers: int = 3000, *, random_state=0, sigma: float = SIGMA
) -> SimulatedSegments:
    """Give a seeded customer base with planted segments: features and true labels.

    Introduced in lesson 04.

    Parameters
    ----------
    n_customers : int
        Number of customers (at least 8); segment sizes follow
        ``PLANTED_SEGMENTS["share"]``, exactly up to rounding.
    random_state : None, int or numpy Generator
        The numpy generator (or its seed): the same seed gives the same customers.
    sigma : float
        Spread of the log-normal draws within a segment, in (0, 2]. Larger
        values make the segments overlap, and harder to recover.

    Returns
    -------
    SimulatedSegments
        ``features``: DataFrame indexed by ``customer`` (0..n-1, customers in
        random order) with ``recency``, ``frequency``, ``monetary``,
        ``tenure_days``; ``labels``: the planted segment of each customer
        (categorical Series, same index); ``spec``: the medians planted.
    """
    n_customers = require_positive_int(n_customers, "n_customers")
    if n_customers < 8:
        raise ValueError(f"n_customers: expected at least 8 customers, got {n_customers}")
    sigma = require_in_range(sigma, "sigma", 0, 2, low_inclusive=False)
    rng = check_random_state(random_state)
    spec = PLANTED_SEGMENTS
    sizes = np.floor(spec["share"].to_numpy() * n_customers).astype(int)
    sizes[: n_customers - sizes.sum()] += 1
    segment = rng.permutation(np.repeat(np.arange(len(spec)), sizes))
    medians = spec.to_numpy()[segment]
    m = dict(zip(spec.columns, medians.T, strict=True))

    def lognormal(median):
        return median * np.exp(sigma * rng.standard_normal(n_customers))

    recency = np.clip(np.rint(lognormal(m["recency"])), 1, WINDOW_DAYS).astype(np.int64)
    frequency = 1 + rng.poisson(m["frequency"] - 1)
    monetary = np.round(frequency * lognormal(m["basket_value"]), 2)
    span = np.where(frequency > 1, np.rint(lognormal(np.maximum(m["span"], 1.0))), 0)
    tenure = np.minimum(recency + span.astype(np.int64), WINDOW_DAYS)
    index = pd.RangeIndex(n_customers, name=CUSTOMER)
    features = pd.DataFrame(
        {RECENCY: recency, FREQUENCY: frequency.astype(np.int64), MONETARY: monetary, TENURE: tenure},
        index=index,
    )
    labels = pd.Series(
        pd.Categorical.from_codes(segment, categories=list(spec.index)), index=index, name=C.SEGMENT
    )
    return SimulatedSegments(features=features, labels=labels, spec=spec.copy())
