"""Input checks and small formulas shared by the design, analysis and sequential modules of lesson 15.

Introduced in lesson 15.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..validation import _float_array

ALTERNATIVES = ("two-sided", "larger", "smaller")


# --------------------------------------------------------------------------- checks


def _number_array(values: object, arg: str) -> np.ndarray:
    arr = _float_array(values, arg, "numbers")  # refuses text such as "3" (numpy would read it)
    if np.isnan(arr).any():
        raise ValueError(f"{arg}: expected no NaN, got {int(np.isnan(arr).sum())} NaN value(s)")
    if np.isinf(arr).any():
        raise ValueError(f"{arg}: expected finite numbers, got infinity")
    return arr


def _counts(successes: object, trials: object, s_arg: str, n_arg: str) -> tuple[np.ndarray, np.ndarray]:
    s = _number_array(successes, s_arg)
    n = _number_array(trials, n_arg)
    if (n <= 0).any():
        raise ValueError(
            f"{n_arg}: expected group sizes > 0, got {n[n <= 0].ravel()[0]:g} (a zero-size group)"
        )
    if (s < 0).any() or (s > n).any():
        raise ValueError(f"{s_arg}: expected counts between 0 and {n_arg}, got values outside")
    return s, n


def _alternative(alternative: object) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative: expected one of {ALTERNATIVES}, got {alternative!r}")
    return alternative


def _p_value(z: np.ndarray, alternative: str) -> np.ndarray:
    if alternative == "two-sided":
        return 2 * special.ndtr(-np.abs(z))
    if alternative == "larger":
        return special.ndtr(-z)
    return special.ndtr(z)


def _scalar_or_array(values: np.ndarray) -> float | np.ndarray:
    return float(values) if np.ndim(values) == 0 else values
