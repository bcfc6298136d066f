"""Scoring click predictions: log loss, normalised entropy, calibration and the Bayes ceiling.

AUC comes from scikit-learn. Log loss is written out here because the
lesson builds it (and checks it against ``sklearn.metrics.log_loss``);
normalised entropy is log loss divided by the entropy of the base rate
(He et al., 2014), so 1.0 means "no better than predicting the average".
With simulated data the true click probability is known, and
``bayes_ceiling`` gives the best AUC and log loss any model could reach.
Introduced in lesson 11.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from ..validation import (
    require_binary,
    require_finite,
    require_in_range,
    require_positive_int,
    require_probabilities,
)

EPS = 1e-15


def check_labels_and_probabilities(
    y_true: object, p: object, arg_y: str = "y_true", arg_p: str = "p"
) -> tuple[np.ndarray, np.ndarray]:
    """Give ``(y, p)`` as float arrays after checking: 0/1 labels, probabilities in [0, 1], same length.

    Introduced in lesson 11.
    """
    if isinstance(y_true, (str, bytes)):
        raise TypeError(f"{arg_y}: expected labels 0 or 1, got the text {y_true!r}")
    y = require_binary(np.ravel(y_true), arg_y, what="labels 0 or 1").astype(float)
    prob = require_probabilities(p, arg_p).ravel()
    if prob.shape != y.shape:
        raise ValueError(f"{arg_p}: expected {y.size} probabilities (one per label), got {prob.size}")
    return y, prob


def log_loss(y_true: object, p: object, eps: float = EPS) -> float:
    """Give the mean binary cross-entropy ``-mean(y log p + (1 - y) log(1 - p))`` in nats.

    ``p`` is clipped to ``[eps, 1 - eps]`` so a confident mistake costs a
    large but finite amount. Introduced in lesson 11.
    """
    y, prob = check_labels_and_probabilities(y_true, p)
    prob = np.clip(prob, eps, 1 - eps)
    return float(-np.mean(y * np.log(prob) + (1 - y) * np.log1p(-prob)))


def binary_entropy(rate: float) -> float:
    """Give the entropy (nats) of a coin that lands 1 with probability ``rate``: the log loss of predicting ``rate`` for every row.

    Introduced in lesson 11.
    """
    r = require_finite(rate, "rate")
    if not 0.0 < r < 1.0:
        raise ValueError(f"rate: expected a value in (0, 1), got {rate!r}")
    return float(-(r * np.log(r) + (1 - r) * np.log1p(-r)))


def normalized_entropy(y_true: object, p: object) -> float:
    """Give log loss divided by the entropy of the observed click rate (below 1 = better than the average).

    Introduced in lesson 11.
    """
    y, prob = check_labels_and_probabilities(y_true, p)
    rate = y.mean()
    if rate in (0.0, 1.0):
        raise ValueError(f"y_true: expected both 0 and 1 labels, got only {int(rate)}")
    return log_loss(y, prob) / binary_entropy(rate)


def calibration_table(y_true: object, p: object, n_bins: int = 10, strategy: str = "quantile") -> pd.DataFrame:
    """Give one row per bin of predictions: rows, clicks, mean predicted probability and observed click rate.

    Introduced in lesson 11.

    Parameters
    ----------
    n_bins : int
        Number of bins.
    strategy : {"quantile", "uniform"}
        ``"quantile"``: bins of (nearly) equal row counts, by rank of ``p``;
        ``"uniform"``: equal-width bins on [0, 1], empty bins dropped (as
        ``sklearn.calibration.calibration_curve``). Convention difference: a
        prediction exactly on an inner edge (0.1, 0.2, ...) goes to the bin
        *above* it here (bins are ``[low, high)``), to the bin below in
        ``calibration_curve`` (``(low, high]``); elsewhere they agree.
    """
    y, prob = check_labels_and_probabilities(y_true, p)
    n_bins = require_positive_int(n_bins, "n_bins")
    if strategy == "quantile":
        order = np.argsort(prob, kind="stable")
        bins = np.empty(len(prob), dtype=np.int64)
        bins[order] = np.arange(len(prob)) * n_bins // len(prob)
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
        bins = np.searchsorted(edges[1:-1], prob, side="right")
    else:
        raise ValueError(f"strategy: expected 'quantile' or 'uniform', got {strategy!r}")
    table = (
        pd.DataFrame({"bin": bins, "p": prob, "y": y})
        .groupby("bin", sort=True)
        .agg(rows=("y", "size"), clicks=("y", "sum"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    )
    table["clicks"] = table["clicks"].astype(np.int64)
    return table


def calibration_ratios(
    y_true: object, p: object, n_bins: int = 10, strategy: str = "quantile", confidence: float = 0.95
) -> pd.DataFrame:
    """Give :func:`calibration_table` plus the ratio observed / predicted and its interval, per bin.

    An absolute gap hides the misses at small probabilities: at a 5 % CTR a
    bin predicted 0.003 and observed 0.008 is off by only 0.005, yet by a
    factor 2.6. The ratio ``observed_rate / mean_predicted`` shows it (1 =
    calibrated, above 1 = under-predicted); its interval is the Wilson score
    interval of the observed rate divided by the mean prediction,

    .. math:: \\frac{\\tilde p \\pm \\frac{z}{1 + z^2/n}\\sqrt{\\frac{\\hat p(1-\\hat p)}{n} + \\frac{z^2}{4n^2}}}{\\bar p},
              \\qquad \\tilde p = \\frac{\\hat p + z^2/(2n)}{1 + z^2/n},

    with ``n`` rows, ``hat p`` their click rate and ``bar p`` their mean prediction.

    Parameters
    ----------
    y_true, p, n_bins, strategy
        As in :func:`calibration_table`.
    confidence : float in (0, 1)
        Level of the Wilson interval.

    Returns
    -------
    DataFrame with the columns of :func:`calibration_table` and ``ratio,
    ratio_low, ratio_high``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA* 22(158), 209-212.

    Introduced in lesson 11.
    """
    confidence = require_in_range(confidence, "confidence", 0, 1, low_inclusive=False, high_inclusive=False)
    table = calibration_table(y_true, p, n_bins=n_bins, strategy=strategy)
    if (table["mean_predicted"] <= 0).any():
        raise ValueError("p: expected a positive mean prediction in every bin, got a bin of zeros")
    z = stats.norm.ppf(0.5 + confidence / 2)
    n, rate = table["rows"].to_numpy(float), table["observed_rate"].to_numpy(float)
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2))
    mean = table["mean_predicted"].to_numpy(float)
    return table.assign(ratio=rate / mean, ratio_low=(centre - half) / mean, ratio_high=(centre + half) / mean)


def expected_calibration_error(y_true: object, p: object, n_bins: int = 10) -> float:
    """Give the row-weighted mean of |observed rate - mean predicted| over quantile bins.

    Introduced in lesson 11.
    """
    table = calibration_table(y_true, p, n_bins=n_bins, strategy="quantile")
    gap = (table["observed_rate"] - table["mean_predicted"]).abs()
    return float((gap * table["rows"]).sum() / table["rows"].sum())


def expected_auc(p_true: object, score: object = None) -> float:
    """Give the AUC that ``score`` has on average when each label is drawn as Bernoulli(``p_true``).

    With ``score=None`` the score is ``p_true`` itself: the best AUC any
    model can expect on these impressions (ties count one half). It is the
    ratio of the expected number of correctly ordered (click, no-click)
    pairs to the expected number of such pairs. Introduced in lesson 11.
    """
    p = require_probabilities(np.asarray(p_true, dtype=float).ravel(), "p_true")
    s = p if score is None else np.asarray(score, dtype=float).ravel()
    if s.shape != p.shape or np.isnan(s).any():
        raise ValueError(f"score: expected {p.size} numbers without NaN, got shape {s.shape}")
    _, group = np.unique(s, return_inverse=True)
    pos = np.bincount(group, weights=p)  # expected clicks per distinct score, ascending
    neg = np.bincount(group, weights=1 - p)
    self_pairs = np.bincount(group, weights=p * (1 - p))  # a row is never paired with itself
    below = np.concatenate([[0.0], np.cumsum(neg)[:-1]])
    correct = (pos * below).sum() + 0.5 * (pos * neg - self_pairs).sum()
    total = pos.sum() * neg.sum() - self_pairs.sum()
    if total <= 0:
        raise ValueError("p_true: expected probabilities strictly between 0 and 1 for some rows")
    return float(correct / total)


def expected_log_loss(p_true: object) -> float:
    """Give the log loss the true probabilities have on average: the mean binary entropy of ``p_true``.

    Introduced in lesson 11.
    """
    p = np.clip(require_probabilities(np.asarray(p_true, dtype=float).ravel(), "p_true"), EPS, 1 - EPS)
    return float(-np.mean(p * np.log(p) + (1 - p) * np.log1p(-p)))


def bayes_ceiling(y_true: object, p_true: object) -> dict:
    """Give the best scores any model can reach: those of the true probabilities.

    Returns ``auc``, ``log_loss`` and ``normalized_entropy`` of ``p_true`` on
    the drawn labels, and ``expected_auc`` / ``expected_log_loss`` (their
    averages over redraws of the labels, from ``p_true`` alone).
    Introduced in lesson 11.
    """
    y, p = check_labels_and_probabilities(y_true, p_true, arg_p="p_true")
    return {
        "auc": float(roc_auc_score(y, p)),
        "log_loss": log_loss(y, p),
        "normalized_entropy": normalized_entropy(y, p),
        "expected_auc": expected_auc(p),
        "expected_log_loss": expected_log_loss(p),
    }


def ctr_scores(y_true: object, p: object, p_true: object = None) -> dict:
    """Give a model's AUC, log loss and normalised entropy, and with ``p_true`` its gaps to the ceiling.

    ``auc_gap`` is ceiling AUC minus model AUC and ``log_loss_gap`` model
    log loss minus ceiling log loss, both on the same labels: positive means
    short of the best possible. Introduced in lesson 11.
    """
    y, prob = check_labels_and_probabilities(y_true, p)
    scores = {
        "auc": float(roc_auc_score(y, prob)),
        "log_loss": log_loss(y, prob),
        "normalized_entropy": normalized_entropy(y, prob),
    }
    if p_true is not None:
        _, truth = check_labels_and_probabilities(y, p_true, arg_p="p_true")
        scores["auc_gap"] = float(roc_auc_score(y, truth)) - scores["auc"]
        scores["log_loss_gap"] = scores["log_loss"] - log_loss(y, truth)
    return scores
