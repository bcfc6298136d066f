"""Designing an A/B test on rates: effect size, sample size per arm, power, minimum detectable effect.

The normal-approximation formulas are written out because lesson 15 builds
them; the lesson shows they agree with statsmodels. Introduced in lesson 15.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from ..validation import require_bool, require_in_range, require_positive_int
from .common import _alternative, _number_array, _scalar_or_array

# --------------------------------------------------------------------------- design


def _design_args(p_base: object, alpha: object, power: object, ratio: object) -> tuple:
    p_base = require_in_range(p_base, "p_base", 0, 1, low_inclusive=False, high_inclusive=False)
    alpha = require_in_range(alpha, "alpha", 0, 1, low_inclusive=False, high_inclusive=False)
    power = require_in_range(power, "power", 0, 1, low_inclusive=False, high_inclusive=False)
    ratio = require_in_range(ratio, "ratio", 0, np.inf, low_inclusive=False)
    return p_base, alpha, power, ratio


def _z_alpha(alpha: float, alternative: str) -> float:
    return stats.norm.isf(alpha / 2 if alternative == "two-sided" else alpha)


def cohens_h(p_base: object, p_treatment: object) -> float | np.ndarray:
    """Give Cohen's h, the difference of two rates on the arcsine scale.

    ``h = 2 asin(sqrt(p_treatment)) - 2 asin(sqrt(p_base))``. On this scale
    the variance of an observed rate is about ``1 / n`` whatever the rate,
    which makes the sample-size formula simple. Same as statsmodels'
    ``proportion_effectsize(p_treatment, p_base)``. Introduced in lesson 15.
    """
    p0 = _probabilities(p_base, "p_base")
    p1 = _probabilities(p_treatment, "p_treatment")
    return _scalar_or_array(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0)))


def _probabilities(values: object, arg: str) -> np.ndarray:
    arr = _number_array(values, arg)
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"{arg}: expected probabilities in [0, 1], got {arr[(arr < 0) | (arr > 1)].ravel()[0]!r}")
    return arr


def sample_size_per_arm(
    p_base: float,
    mde: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    relative: bool = False,
    alternative: str = "two-sided",
) -> int:
    """Give the customers needed in the control arm to detect a change in a rate.

    ``n_control = (z_alpha + z_power)^2 / h^2 * (1 + 1/ratio)`` with Cohen's
    ``h`` between the base rate and the base rate plus the minimum detectable
    effect, ``z_alpha`` the critical value (``alpha / 2`` per side when
    two-sided) and ``z_power`` the normal quantile of the power. The treatment
    arm gets ``ratio * n_control``. Rounded up. Convention difference: for a
    two-sided design this textbook formula ignores the (tiny) chance of
    crossing the *far* critical value, which
    ``statsmodels.stats.power.NormalIndPower().solve_power`` counts as power;
    so ours asks the same number of customers for the effects of lesson 15
    and up to 2 more than statsmodels (rounded up) for large effects, where
    the far tail is not negligible. One-sided designs agree. Introduced in
    lesson 15.

    Parameters
    ----------
    p_base : float
        The control's rate, in (0, 1).
    mde : float
        The smallest change worth detecting: absolute (0.01 = one point), or
        relative to ``p_base`` when ``relative=True`` (0.1 = +10 %).
    alpha, power : float
        False-positive rate and the chance to detect an effect of size ``mde``.
    ratio : float
        Treatment size / control size.
    relative : bool
        Read ``mde`` as a relative change.
    alternative : {"two-sided", "larger", "smaller"}
        One-sided designs need fewer customers (and can only find one direction).
    """
    p_base, alpha, power, ratio = _design_args(p_base, alpha, power, ratio)
    alternative = _alternative(alternative)
    relative = require_bool(relative, "relative")
    if isinstance(mde, bool) or not isinstance(mde, (int, float, np.integer, np.floating)) or np.isnan(mde):
        raise TypeError(f"mde: expected a number, got {type(mde).__name__}")
    p_treatment = p_base * (1 + mde) if relative else p_base + mde
    if mde == 0 or not 0 < p_treatment < 1:
        raise ValueError(
            f"mde: expected a non-zero change that keeps the rate in (0, 1), got {mde!r} "
            f"(rate {p_base!r} -> {p_treatment!r})"
        )
    h = float(cohens_h(p_base, p_treatment))
    z_total = _z_alpha(alpha, alternative) + stats.norm.ppf(power)
    return int(np.ceil((z_total / h) ** 2 * (1 + 1 / ratio)))


def power_two_proportions(
    p_base: float,
    p_treatment: object,
    n_per_arm: object,
    *,
    alpha: float = 0.05,
    ratio: float = 1.0,
) -> float | np.ndarray:
    """Give the power of the two-sided two-proportion test (vectorised over ``p_treatment`` and ``n_per_arm``).

    ``power = Phi(|h| sqrt(n_eff) - z_{alpha/2}) + Phi(-|h| sqrt(n_eff) - z_{alpha/2})``
    with ``n_eff = n_control * ratio / (1 + ratio)`` (the second term, the
    chance of a significant result in the wrong direction, is tiny). Matches
    ``NormalIndPower().power``. Introduced in lesson 15.

    Parameters
    ----------
    p_base : float
        The control's rate.
    p_treatment : float or array
        The treatment's true rate.
    n_per_arm : int or array
        Customers in the control arm (the treatment has ``ratio`` times as many).
    alpha, ratio : float
        Two-sided significance level; treatment size / control size.
    """
    p_base, alpha, _, ratio = _design_args(p_base, alpha, 0.5, ratio)
    n = _number_array(n_per_arm, "n_per_arm")
    if (n <= 0).any():
        raise ValueError("n_per_arm: expected group sizes > 0, got a zero-size group")
    h = np.abs(cohens_h(p_base, p_treatment))
    shift = h * np.sqrt(n * ratio / (1 + ratio))
    z = _z_alpha(alpha, "two-sided")
    return _scalar_or_array(special.ndtr(shift - z) + special.ndtr(-shift - z))


def minimum_detectable_effect(
    p_base: float,
    n_per_arm: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> float:
    """Give the smallest absolute increase of a rate a test of this size detects with the given power.

    Inverts :func:`sample_size_per_arm`: ``h = (z_{alpha/2} + z_power)
    sqrt((1 + 1/ratio) / n_control)``, then back from the arcsine scale,
    ``p_treatment = sin(asin(sqrt(p_base)) + h/2)^2``. Two-sided. Introduced
    in lesson 15.

    Parameters
    ----------
    p_base : float
        The control's rate.
    n_per_arm : int
        Customers in the control arm (the treatment has ``ratio`` times as many).
    alpha, power, ratio : float
        As in :func:`sample_size_per_arm`.

    Returns
    -------
    float
        ``p_treatment - p_base`` (absolute; divide by ``p_base`` for relative).
    """
    p_base, alpha, power, ratio = _design_args(p_base, alpha, power, ratio)
    n = require_positive_int(n_per_arm, "n_per_arm")
    h = (_z_alpha(alpha, "two-sided") + stats.norm.ppf(power)) * np.sqrt((1 + 1 / ratio) / n)
    angle = np.arcsin(np.sqrt(p_base)) + h / 2
    if angle >= np.pi / 2:
        raise ValueError(
            f"n_per_arm: expected enough customers to detect a rate below 1, got {n} "
            f"(even a jump from {p_base} to 1 would be missed)"
        )
    return float(np.sin(angle) ** 2 - p_base)
