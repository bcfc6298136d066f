"""Fairness of targeting: who a response model selects, group by group, and what equalising costs.

A targeting model decides who is contacted. An audit asks, per group of a
protected attribute (age band, marital status, ...): how many are selected
(selection rate, demographic parity), how many of the real responders are
reached (true-positive rate, equal opportunity), and whether a predicted 10 %
means 10 % in every group (calibration). A per-group threshold can equalise
the true-positive rates; the audit then says what that costs in profit.
Removing the attribute from the features does not remove the bias when other
features predict it (:func:`proxy_auc`). Introduced in lesson 18.

References
----------
Hardt, M., Price, E. & Srebro, N. (2016). Equality of opportunity in supervised
learning. *NeurIPS*.
Barocas, S., Hardt, M. & Narayanan, A. (2023). *Fairness and Machine Learning:
Limitations and Opportunities*. MIT Press. fairmlbook.org.
Weerts, H. et al. (2023). Fairlearn: assessing and improving fairness of AI
systems. *JMLR* 24(257).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .randomness import draw_seed
from .validation import require_binary, require_frame, require_in_range

GROUP = "group"
METRICS = ("n", "base_rate", "selection_rate", "true_positive_rate", "false_positive_rate",
           "mean_predicted", "observed_rate")


def _labels(values: object, arg: str, n: int | None = None) -> np.ndarray:
    return require_binary(values, arg, n, what="0/1 values (one per row)").astype(float)


def _groups(sensitive: object, n: int, arg: str = "sensitive") -> np.ndarray:
    if isinstance(sensitive, (str, bytes)) or not hasattr(sensitive, "__len__"):
        raise TypeError(f"{arg}: expected one group label per row (a Series or array), got {type(sensitive).__name__}")
    arr = np.asarray(sensitive, dtype=object)
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"{arg}: expected {n} group labels (one per row), got shape {arr.shape}")
    if pd.isna(arr).any():
        raise ValueError(f"{arg}: expected no missing group labels, found {int(pd.isna(arr).sum())}")
    return arr


def selection_rate(y_pred: object) -> float:
    """Give the share of rows selected (predicted 1): P(selected).

    Introduced in lesson 18.
    """
    return float(_labels(y_pred, "y_pred").mean())


def true_positive_rate(y_true: object, y_pred: object) -> float:
    """Give the share of real responders that were selected: P(selected | y = 1).

    Introduced in lesson 18. NaN when there is no responder.
    """
    y = _labels(y_true, "y_true")
    pred = _labels(y_pred, "y_pred", y.size)
    return float(pred[y == 1].mean()) if (y == 1).any() else float("nan")


def group_metrics(
    y_true: object, y_pred: object, sensitive: object, y_prob: object | None = None
) -> pd.DataFrame:
    """Give the audit table: one row per group with size, base rate, selection rate, TPR, FPR (and calibration).

    Introduced in lesson 18.

    For group :math:`g`: selection rate :math:`P(\\hat y = 1 \\mid g)`,
    true-positive rate :math:`P(\\hat y = 1 \\mid y = 1, g)`, false-positive
    rate :math:`P(\\hat y = 1 \\mid y = 0, g)`; with ``y_prob``, the mean
    predicted probability next to the observed rate (calibration in the large).

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        Real responses and the model's selection (e.g. ``p > threshold``).
    sensitive : array-like
        The group of every row (age band, marital status, ...).
    y_prob : array-like of float in [0, 1], optional
        Predicted probabilities.

    Returns
    -------
    DataFrame indexed by group (sorted), columns ``n, base_rate,
    selection_rate, true_positive_rate, false_positive_rate`` and, with
    ``y_prob``, ``mean_predicted, observed_rate`` (equal to ``base_rate``).
    Inputs are not modified.
    """
    y = _labels(y_true, "y_true")
    pred = _labels(y_pred, "y_pred", y.size)
    groups = _groups(sensitive, y.size)
    frame = pd.DataFrame({GROUP: groups, "y": y, "pred": pred,
                          "tp": pred * y, "fp": pred * (1 - y), "neg": 1 - y})
    if y_prob is not None:
        prob = np.asarray(y_prob, dtype=float)
        if prob.shape != y.shape:
            raise ValueError(f"y_prob: expected {y.size} probabilities (one per row), got shape {prob.shape}")
        if np.isnan(prob).any() or (prob < 0).any() or (prob > 1).any():
            raise ValueError("y_prob: expected probabilities in [0, 1], got values outside it or NaN")
        frame["prob"] = prob
    sums = frame.groupby(GROUP).sum(numeric_only=True)
    n = frame.groupby(GROUP).size()
    table = pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "base_rate": sums["y"] / n,
            "selection_rate": sums["pred"] / n,
            "true_positive_rate": sums["tp"] / sums["y"].where(sums["y"] > 0),
            "false_positive_rate": sums["fp"] / sums["neg"].where(sums["neg"] > 0),
        }
    )
    if y_prob is not None:
        table["mean_predicted"] = sums["prob"] / n
        table["observed_rate"] = sums["y"] / n
    table.index.name = GROUP
    return table


def audit(
    df: pd.DataFrame, group: str, *, y_true: str = "y", y_pred: str = "selected", y_prob: str | None = None
) -> pd.DataFrame:
    """Give the audit table of :func:`group_metrics` from the columns of one DataFrame.

    Introduced in lesson 18. ``group`` names the protected attribute's column
    (an unknown name raises a ``ValueError`` naming it); ``df`` is not modified.
    """
    require_frame(df, arg="df")
    for arg, col in (("group", group), ("y_true", y_true), ("y_pred", y_pred), ("y_prob", y_prob)):
        if col is not None and col not in df.columns:
            raise ValueError(f"{arg}: expected a column of df, got {col!r} (df has {list(df.columns)})")
    prob = df[y_prob].to_numpy() if y_prob is not None else None
    return group_metrics(df[y_true].to_numpy(), df[y_pred].to_numpy(), df[group].to_numpy(), prob)


def disparities(table: pd.DataFrame) -> pd.DataFrame:
    """Give, for every rate of an audit table, the gap (max - min) and the ratio (min / max) across groups.

    Introduced in lesson 18. A selection-rate ratio below 0.8 fails the
    "four-fifths rule" of US employment practice, a common yardstick for
    adverse impact.
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError(f"table: expected the non-empty DataFrame of group_metrics, got {type(table).__name__}")
    rates = [c for c in ("selection_rate", "true_positive_rate", "false_positive_rate") if c in table.columns]
    if not rates:
        raise ValueError(f"table: expected rate columns of group_metrics, got {list(table.columns)}")
    low, high = table[rates].min(), table[rates].max()
    return pd.DataFrame({"difference": high - low, "ratio": low / high.where(high > 0)})


def calibration_by_group(y_true: object, y_prob: object, sensitive: object, n_bins: int = 5) -> pd.DataFrame:
    """Give mean predicted and observed response per group and probability bin (reliability by group).

    Introduced in lesson 18. Bins are quantiles of ``y_prob`` over all rows,
    so every group is read on the same scale. A calibrated model has
    ``mean_predicted`` close to ``observed_rate`` in every row.

    Returns
    -------
    DataFrame with columns ``group, bin, n, mean_predicted, observed_rate``.
    """
    y = _labels(y_true, "y_true")
    prob = np.asarray(y_prob, dtype=float)
    if prob.shape != y.shape or np.isnan(prob).any() or (prob < 0).any() or (prob > 1).any():
        raise ValueError(f"y_prob: expected {y.size} probabilities in [0, 1], got shape {prob.shape}")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins: expected a positive integer, got {n_bins!r}")
    groups = _groups(sensitive, y.size)
    edges = np.unique(np.quantile(prob, np.linspace(0, 1, n_bins + 1)))
    bins = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, max(len(edges) - 2, 0))
    frame = pd.DataFrame({GROUP: groups, "bin": bins, "y": y, "prob": prob})
    out = frame.groupby([GROUP, "bin"]).agg(n=("y", "size"), mean_predicted=("prob", "mean"),
                                           observed_rate=("y", "mean"))
    return out.reset_index()


def equal_opportunity_thresholds(
    y_true: object, y_prob: object, sensitive: object, target_tpr: float
) -> pd.Series:
    """Give one threshold per group so that each group's true-positive rate is about ``target_tpr``.

    Introduced in lesson 18 (a by-hand version of the equal-opportunity
    post-processing of Hardt et al., 2016, without randomisation). For group
    :math:`g` the threshold is the :math:`(1 - \\text{target})` quantile of the
    scores of its responders, so a share ``target_tpr`` of them scores at or
    above it. Fit it on training or validation data, never on the test set.

    Returns
    -------
    Series indexed by group: the threshold (select ``y_prob >= threshold``).
    """
    y = _labels(y_true, "y_true")
    prob = np.asarray(y_prob, dtype=float)
    if prob.shape != y.shape or np.isnan(prob).any():
        raise ValueError(f"y_prob: expected {y.size} probabilities without NaN, got shape {prob.shape}")
    target = require_in_range(target_tpr, "target_tpr", 0.0, 1.0, low_inclusive=False)
    groups = _groups(sensitive, y.size)
    frame = pd.DataFrame({GROUP: groups, "y": y, "prob": prob})
    positives = frame[frame["y"] == 1]
    missing = sorted(set(frame[GROUP]) - set(positives[GROUP]), key=str)
    if missing:
        raise ValueError(f"y_true: expected responders in every group, got none in {missing}")
    thresholds = positives.groupby(GROUP)["prob"].quantile(1 - target, interpolation="lower")
    return thresholds.rename("threshold")


def apply_thresholds(y_prob: object, sensitive: object, thresholds: pd.Series) -> np.ndarray:
    """Give the 0/1 selection ``y_prob >= threshold[group]`` of every row.

    Introduced in lesson 18. Every group of ``sensitive`` must have a threshold.
    """
    prob = np.asarray(y_prob, dtype=float)
    if prob.ndim != 1 or prob.size == 0:
        raise ValueError(f"y_prob: expected a non-empty 1-d array, got shape {prob.shape}")
    groups = _groups(sensitive, prob.size)
    if not isinstance(thresholds, pd.Series):
        raise TypeError(f"thresholds: expected a Series group -> threshold, got {type(thresholds).__name__}")
    unknown = sorted(set(groups) - set(thresholds.index), key=str)
    if unknown:
        raise ValueError(f"sensitive: expected groups that have a threshold, got {unknown[:5]} without one")
    cut = thresholds.reindex(groups).to_numpy(dtype=float)
    return (prob >= cut).astype(np.int8)


def proxy_auc(X: pd.DataFrame, sensitive: object, *, n_splits: int = 3, random_state: object = 0) -> float:
    """Give how well the other features predict a protected attribute: cross-validated AUC.

    Introduced in lesson 18. A logistic regression on one-hot text columns
    and standardised numbers predicts the (binary) ``sensitive`` attribute
    from ``X``; an AUC well above 0.5 means the features carry the attribute
    (proxies), so dropping the attribute from a model does not make it blind.

    Parameters
    ----------
    X : DataFrame
        Features *without* the protected attribute; not modified.
    sensitive : array-like of 0/1
        The protected attribute as a binary flag (e.g. age >= 60).
    """
    if not isinstance(X, pd.DataFrame) or X.empty:
        raise TypeError(f"X: expected a non-empty DataFrame of features, got {type(X).__name__}")
    target = _labels(sensitive, "sensitive", len(X))
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"n_splits: expected an integer >= 2, got {n_splits!r}")
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include=["category", "object"])),
        (StandardScaler(), make_column_selector(dtype_exclude=["category", "object"])),
    )
    model = make_pipeline(encode, LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=draw_seed(random_state))
    scores = cross_val_predict(model, X, target, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(target, scores))
