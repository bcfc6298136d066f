"""Sentiment as a marketing signal: a stream of scored reviews, and alerts when a group's sentiment drops.

:func:`sentiment_drops` compares, for every group (a product line, a topic)
and period, the mean sentiment score of the period with the pooled mean of
the ``baseline_periods`` periods before it, and flags a drop that is both
large (``min_drop``) and unlikely to be noise:

.. math:: z = \\frac{\\bar s_{\\text{base}} - \\bar s_t}
              {\\sqrt{\\hat\\sigma_t^2 / n_t + \\hat\\sigma_{\\text{base}}^2 / n_{\\text{base}}}}
          \\ge z_{\\min}.

:func:`review_stream` builds a stream from *real* labelled sentences for
teaching: it assigns them to periods and, if asked, lowers one group's share
of positive sentences from a given period on, so that the drop is known.
The drop is simulated (public data have no dated product reviews with a
known incident); the sentences are real. Introduced in lesson 19.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..randomness import check_random_state
from ..validation import require_frame, require_in_range, require_numeric, require_positive_int

PERIOD = "period"


def review_stream(
    frame: pd.DataFrame,
    group_col: str = "source",
    label_col: str = "label",
    n_periods: int = 12,
    per_period: int = 80,
    positive_share: float = 0.5,
    drop_group: str | None = None,
    drop_from: int | None = None,
    positive_share_after: float = 0.3,
    random_state: object = 0,
) -> pd.DataFrame:
    """Give a simulated stream of real sentences: ``per_period`` reviews per group and period.

    In each period, each group's number of positive reviews is
    Binomial(``per_period``, ``positive_share``), drawn (with replacement) from
    that group's positive sentences, the rest from its negative ones. For
    ``drop_group`` from period ``drop_from`` on, the share is
    ``positive_share_after`` instead. The result has the rows of ``frame``
    (their original index in ``sentence_id``) plus ``period`` (0, 1, ...),
    sorted by period and group. ``frame`` is not changed.
    """
    frame = require_frame(frame, [group_col, label_col], "frame")
    require_positive_int(n_periods, "n_periods")
    require_positive_int(per_period, "per_period")
    require_in_range(positive_share, "positive_share", 0.0, 1.0)
    require_in_range(positive_share_after, "positive_share_after", 0.0, 1.0)
    groups = sorted(frame[group_col].astype(str).unique())
    if drop_group is not None:
        if drop_group not in groups:
            raise ValueError(f"drop_group: expected one of {groups}, got {drop_group!r}")
        if isinstance(drop_from, bool) or not isinstance(drop_from, (int, np.integer)) or not 0 <= drop_from < n_periods:
            raise ValueError(f"drop_from: expected a period in [0, {n_periods}), got {drop_from!r}")
    rng = check_random_state(random_state)
    key = frame[group_col].astype(str).to_numpy()
    labels = frame[label_col].to_numpy()
    pools = {}
    for group in groups:
        pools[group] = (np.flatnonzero((key == group) & (labels == 1)), np.flatnonzero((key == group) & (labels == 0)))
        if not all(len(p) for p in pools[group]):
            raise ValueError(f"frame: expected positive and negative sentences for group {group!r}")
    picks, periods = [], []
    for period in range(int(n_periods)):
        for group in groups:
            share = positive_share_after if group == drop_group and period >= drop_from else positive_share
            n_pos = int(rng.binomial(per_period, share))
            pos, neg = pools[group]
            picks.append(np.concatenate([rng.choice(pos, n_pos), rng.choice(neg, per_period - n_pos)]))
            periods.append(np.full(per_period, period))
    rows = np.concatenate(picks)
    stream = frame.iloc[rows].copy()
    stream.insert(0, "sentence_id", frame.index[rows])
    stream.insert(0, PERIOD, np.concatenate(periods))
    return stream.reset_index(drop=True)


def sentiment_drops(
    stream: pd.DataFrame,
    score_col: str,
    group_col: str = "source",
    period_col: str = PERIOD,
    baseline_periods: int = 4,
    min_drop: float = 0.1,
    z_threshold: float = 3.0,
) -> pd.DataFrame:
    """Give, per group and period, the mean score, its baseline, the drop, its z-score and an alert flag.

    The baseline pools the ``baseline_periods`` periods before each period
    (of that group); the first ``baseline_periods`` periods of a group have
    none and are never flagged. Columns: ``n``, ``mean``, ``baseline_n``,
    ``baseline_mean``, ``drop`` (baseline minus current), ``z``, ``flagged``
    (drop >= ``min_drop`` and z >= ``z_threshold``). A high ``z_threshold``
    keeps false alarms rare when many groups are watched every period.
    """
    stream = require_frame(stream, [score_col, group_col, period_col], "stream")
    require_numeric(stream, [score_col], "stream")
    if stream[score_col].isna().any():
        raise ValueError(f"stream: expected no missing values in {score_col!r}, got {int(stream[score_col].isna().sum())}")
    require_positive_int(baseline_periods, "baseline_periods")
    require_in_range(min_drop, "min_drop", 0.0, np.inf)
    require_in_range(z_threshold, "z_threshold", 0.0, np.inf)
    scores = stream[score_col].astype(float)
    agg = (
        pd.DataFrame({"g": stream[group_col].astype(str).to_numpy(), "t": stream[period_col].to_numpy(),
                      "s": scores.to_numpy(), "s2": scores.to_numpy() ** 2})
        .groupby(["g", "t"], sort=True)
        .agg(n=("s", "size"), total=("s", "sum"), squares=("s2", "sum"))
    )
    baseline = agg.groupby(level=0, group_keys=False).apply(
        lambda part: part.shift(1).rolling(baseline_periods, min_periods=baseline_periods).sum()
    )
    mean = agg["total"] / agg["n"]
    base_mean = baseline["total"] / baseline["n"]
    var = (agg["squares"] / agg["n"] - mean**2).clip(lower=0)
    base_var = (baseline["squares"] / baseline["n"] - base_mean**2).clip(lower=0)
    se = np.sqrt(var / agg["n"] + base_var / baseline["n"])
    drop = base_mean - mean
    z = drop / se.where(se > 0)
    out = pd.DataFrame({
        "n": agg["n"], "mean": mean, "baseline_n": baseline["n"], "baseline_mean": base_mean,
        "drop": drop, "z": z,
    })
    out["flagged"] = (out["drop"] >= min_drop) & (out["z"] >= z_threshold)
    out.index = out.index.set_names([group_col, period_col])
    return out
