"""Peeking at an A/B test: group-sequential bounds (Pocock, O'Brien-Fleming, Bonferroni) and first crossings.

Introduced in lesson 15.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import optimize, special, stats

from ..validation import require_in_range, require_positive_int
from .common import _number_array

SEQUENTIAL_KINDS = ("pocock", "obrien-fleming", "bonferroni")


# --------------------------------------------------------------------------- peeking


def _crossing_probability(bounds: np.ndarray, n_grid: int) -> float:
    """P(|Z_k| >= bounds[k] for some k) under H0, equally spaced looks (numerical integration).

    The running sum S_k of k independent N(0, 1) increments has Z_k = S_k / sqrt(k).
    Carry the density of S_k over the region where the test has not yet
    stopped and add, at every look, the chance of stepping outside it
    (Armitage, McPherson & Rowe, 1969).
    """
    c = bounds * np.sqrt(np.arange(1, len(bounds) + 1))
    total = 2 * special.ndtr(-c[0])
    u = np.linspace(-c[0], c[0], n_grid)
    weights = np.full(n_grid, u[1] - u[0])
    weights[[0, -1]] /= 2
    density = np.exp(-(u**2) / 2) / np.sqrt(2 * np.pi)
    for ck in c[1:]:
        mass = weights * density
        total += mass @ (special.ndtr(-ck - u) + special.ndtr(u - ck))
        s = np.linspace(-ck, ck, n_grid)
        density = np.exp(-((s[:, None] - u[None, :]) ** 2) / 2) @ mass / np.sqrt(2 * np.pi)
        u = s
        weights = np.full(n_grid, s[1] - s[0])
        weights[[0, -1]] /= 2
    return float(total)


@lru_cache(maxsize=64)
def _sequential_bounds(n_looks: int, alpha: float, kind: str, n_grid: int) -> tuple[float, ...]:
    if kind == "bonferroni":
        return (float(stats.norm.isf(alpha / (2 * n_looks))),) * n_looks
    looks = np.arange(1, n_looks + 1)
    shape = np.ones(n_looks) if kind == "pocock" else np.sqrt(n_looks / looks)
    if n_looks == 1:
        return (float(stats.norm.isf(alpha / 2)),)
    c = optimize.brentq(
        lambda c: _crossing_probability(c * shape, n_grid) - alpha, 1.0, 8.0, xtol=1e-7
    )
    return tuple(float(b) for b in c * shape)


def sequential_bounds(n_looks: int, *, alpha: float = 0.05, kind: str = "pocock", n_grid: int = 201) -> np.ndarray:
    """Give the two-sided z critical value of each look of a test that is checked ``n_looks`` times.

    Stopping at the first look with ``|z| >= bound`` keeps the overall
    false-positive rate at ``alpha`` (equally spaced looks):

    - "pocock": the same bound at every look (Pocock, 1977);
    - "obrien-fleming": ``c * sqrt(n_looks / k)``, very strict early, close
      to 1.96 at the end (O'Brien & Fleming, 1979);
    - "bonferroni": ``z_{alpha / (2 n_looks)}`` at every look, a little
      stricter than needed (the looks are correlated).

    The constant ``c`` is found by numerical integration of the z-path
    (``n_grid`` points per look), to about 1e-4: for 5 looks at 5 %,
    Pocock gives 2.413 and O'Brien-Fleming ends at 2.040, the published
    values. Introduced in lesson 15.
    """
    n_looks = require_positive_int(n_looks, "n_looks")
    alpha = require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    if kind not in SEQUENTIAL_KINDS:
        raise ValueError(f"kind: expected one of {SEQUENTIAL_KINDS}, got {kind!r}")
    n_grid = require_positive_int(n_grid, "n_grid")
    if n_grid < 21:
        raise ValueError(f"n_grid: expected at least 21 grid points, got {n_grid}")
    return np.array(_sequential_bounds(n_looks, alpha, kind, n_grid))


def first_crossing(z_paths: object, bounds: object) -> np.ndarray:
    """Give, for each experiment, the first look at which ``|z|`` reaches its bound (-1 if never).

    Parameters
    ----------
    z_paths : array, shape (n_experiments, n_looks)
        The z statistic of every experiment at every look.
    bounds : float or array of length n_looks
        The critical value per look (a float: the same at every look;
        ``np.inf`` for a look at which the test may not stop).

    Introduced in lesson 15.
    """
    z = _number_array(z_paths, "z_paths")
    if z.ndim != 2 or z.shape[1] == 0:
        raise ValueError(f"z_paths: expected a 2-d array (experiments x looks), got shape {z.shape}")
    try:
        b = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"bounds: expected numbers, got {type(bounds).__name__}") from None
    if np.isnan(b).any():
        raise ValueError("bounds: expected no NaN, got NaN")
    if b.ndim > 1 or (b.ndim == 1 and b.size != z.shape[1]):
        raise ValueError(f"bounds: expected a number or {z.shape[1]} bounds (one per look), got shape {b.shape}")
    if (b <= 0).any():
        raise ValueError("bounds: expected positive critical values")
    crossed = np.abs(z) >= b
    return np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
