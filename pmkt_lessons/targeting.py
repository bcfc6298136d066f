"""Campaign targeting: response models, "unknown" values, and the profit of a call list.

A response model ranks customers by their predicted chance to say yes; a cost
per contact and a value per success turn those probabilities into money. The
helpers here prepare the Bank Marketing table without leaking the outcome,
build the two response models of the lesson, and give the profit curve and
the call list that maximises expected profit. Introduced in lesson 13.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from pmkt_lessons.validation import require_binary, require_frame, require_probabilities

TARGET = "y"
UNKNOWN = "unknown"
#: Known only once the call is over: a feature built from it leaks the outcome.
LEAKY_COLUMNS = ("duration",)
PDAYS = "pdays"
NEVER_CONTACTED = "never_contacted"

N_CALLED = "n_called"
SHARE_CALLED = "share_called"
THRESHOLD = "threshold"
EXPECTED_PROFIT = "expected_profit"
REALISED_PROFIT = "realised_profit"

MODEL_KINDS = ("logistic", "boosting")
UNKNOWN_STRATEGIES = ("category", "impute")


def _text_columns(df: pd.DataFrame) -> list[str]:
    return [
        c
        for c in df.columns
        if isinstance(df[c].dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(df[c])
        or pd.api.types.is_string_dtype(df[c])
    ]


def unknown_report(df: pd.DataFrame, target: str = TARGET, marker: str = UNKNOWN) -> pd.DataFrame:
    """Give, per text column holding ``marker``, how often it occurs and the response with and without it.

    Introduced in lesson 13.

    Parameters
    ----------
    df : DataFrame
        Customers, with a 0/1 ``target`` column.
    target : str
        Name of the 0/1 response column.
    marker : str
        The value that stands for "missing" (``"unknown"`` in Bank Marketing).

    Returns
    -------
    DataFrame
        Indexed by column name (only columns where ``marker`` occurs), with
        ``n_unknown``, ``share_unknown``, ``rate_unknown`` (response rate of
        rows holding ``marker``) and ``rate_known`` (of the other rows),
        sorted by ``share_unknown`` descending. A ``rate_unknown`` far from
        ``rate_known`` means the missingness itself carries signal.
    """
    require_frame(df, [target], "df")
    y = _binary(df[target], f"df[{target!r}]")
    rows = {}
    for col in _text_columns(df):
        is_unknown = (df[col].astype(str) == marker).to_numpy()
        if not is_unknown.any():
            continue
        rows[col] = {
            "n_unknown": int(is_unknown.sum()),
            "share_unknown": float(is_unknown.mean()),
            "rate_unknown": float(y[is_unknown].mean()),
            "rate_known": float(y[~is_unknown].mean()) if (~is_unknown).any() else np.nan,
        }
    report = pd.DataFrame.from_dict(
        rows, orient="index", columns=["n_unknown", "share_unknown", "rate_unknown", "rate_known"]
    )
    report.index.name = "column"
    return report.sort_values("share_unknown", ascending=False, kind="stable")


def prepare_features(
    df: pd.DataFrame, *, drop: tuple[str, ...] | list[str] = LEAKY_COLUMNS, target: str = TARGET
) -> pd.DataFrame:
    """Give the model inputs: ``df`` without the target and leaky columns, with a never-contacted flag.

    Introduced in lesson 13.

    ``pdays = -1`` is not a number of days but "never contacted before". It
    becomes a 0/1 column ``never_contacted`` and ``pdays`` is set to 0 on
    those rows, so that a linear model does not read -1 as "contacted very
    recently". Text columns are left as they are ("unknown" stays a category).

    Parameters
    ----------
    df : DataFrame
        The Bank Marketing table (``load_bank_marketing()``); not modified.
    drop : sequence of str
        Columns to leave out besides ``target``; by default ``duration``,
        which is only known after the call. Pass ``()`` to keep it.
    target : str
        The response column, removed if present.
    """
    require_frame(df, [PDAYS], "df")
    if target not in df.columns and TARGET in df.columns:
        raise ValueError(
            f"target: expected the outcome column of df, got {target!r}, which df does not have; "
            f"df's {TARGET!r} would stay among the features (a target leak)"
        )
    missing = [c for c in drop if c not in df.columns]
    if missing:
        raise ValueError(f"drop: expected columns of df, got {missing} that df does not have")
    X = df.drop(columns=[c for c in (target, *drop) if c in df.columns])
    never = (X[PDAYS] == -1).to_numpy()
    X[PDAYS] = np.where(never, 0, X[PDAYS])
    X[NEVER_CONTACTED] = never.astype("int8")
    return X


class UnknownImputer(TransformerMixin, BaseEstimator):
    """Replace a "missing" marker in text columns by the column's most frequent known value.

    Introduced in lesson 13. The modes are learned in ``fit`` (on training
    rows only), so the test set does not leak into the imputation.

    Parameters
    ----------
    marker : str
        The value that stands for "missing".

    Attributes
    ----------
    modes_ : dict
        Column name -> the value that replaces ``marker``.
    """

    def __init__(self, marker: str = UNKNOWN):
        self.marker = marker

    def fit(self, X: pd.DataFrame, y=None):
        require_frame(X, arg="X")
        self.modes_ = {}
        for col in _text_columns(X):
            known = X[col][X[col].astype(str) != self.marker]
            if known.empty:
                raise ValueError(f"X: column {col!r} holds only {self.marker!r}, nothing to impute from")
            self.modes_[col] = known.value_counts(sort=True).index[0]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "modes_")
        require_frame(X, list(self.modes_), "X")
        X = X.copy()
        for col, mode in self.modes_.items():
            was_unknown = X[col].astype(str) == self.marker
            if isinstance(X[col].dtype, pd.CategoricalDtype):
                cats = [c for c in X[col].cat.categories if c != self.marker]
                cats += [] if mode in cats else [mode]
                filled = X[col].astype(object).where(~was_unknown, mode)
                X[col] = pd.Categorical(filled, categories=cats)
            else:
                X[col] = X[col].where(~was_unknown, mode)
        return X


def response_model(
    kind: str = "boosting", *, unknown: str = "category", random_state: int = 0
) -> Pipeline:
    """Give an unfitted response model: logistic regression or gradient-boosted trees.

    Introduced in lesson 13.

    Parameters
    ----------
    kind : {"logistic", "boosting"}
        ``"logistic"``: one-hot text columns (unseen categories ignored) and
        standardised numbers into a logistic regression. ``"boosting"``:
        scikit-learn's ``HistGradientBoostingClassifier`` with native
        categorical splits (unseen categories go with the missing values).
    unknown : {"category", "impute"}
        Keep "unknown" as a category of its own, or replace it by the most
        frequent known value (``UnknownImputer``).
    random_state : int
        Seed of the boosting model's early-stopping split.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Expects the frame from ``prepare_features``; ``predict_proba`` after ``fit``.
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"kind: expected one of {MODEL_KINDS}, got {kind!r}")
    if unknown not in UNKNOWN_STRATEGIES:
        raise ValueError(f"unknown: expected one of {UNKNOWN_STRATEGIES}, got {unknown!r}")
    steps = [("impute", UnknownImputer())] if unknown == "impute" else []
    if kind == "logistic":
        encode = ColumnTransformer(
            [
                ("text", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include=["category", "object"])),
                ("numbers", StandardScaler(), make_column_selector(dtype_exclude=["category", "object"])),
            ]
        )
        steps += [("encode", encode), ("model", LogisticRegression(max_iter=2000))]
    else:
        steps += [
            (
                "model",
                HistGradientBoostingClassifier(
                    categorical_features="from_dtype", random_state=random_state
                ),
            )
        ]
    return _ResponsePipeline(steps)


class _ResponsePipeline(Pipeline):
    """A Pipeline whose ``fit`` refuses labels other than 0/1 (so class 1 is always "responded")."""

    def fit(self, X, y=None, **params):
        require_binary(y, "y", len(X), what="0/1 labels (1 = responded), one per row of X")
        return super().fit(X, y, **params)


def _binary(values, arg: str) -> np.ndarray:
    return require_binary(values, arg, what="0/1 values").astype(float)


def _money(cost: float, value: float) -> tuple[float, float]:
    for arg, x in (("cost", cost), ("value", value)):
        if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
            raise TypeError(f"{arg}: expected a number, got {type(x).__name__}")
        if not np.isfinite(x) or x < 0:
            raise ValueError(f"{arg}: expected a finite number >= 0, got {x!r}")
    if value == 0:
        raise ValueError("value: expected a value per success > 0, got 0")
    return float(cost), float(value)


def break_even_probability(cost: float, value: float) -> float:
    """Give the response probability at which a contact pays for itself: ``cost / value``.

    Introduced in lesson 13. A customer with ``p * value > cost`` is worth
    calling; one below it costs more than they bring, on average.
    """
    cost, value = _money(cost, value)
    return cost / value


def expected_profit(p, *, cost: float, value: float) -> np.ndarray:
    """Give the expected profit of contacting each customer: ``p * value - cost``.

    Introduced in lesson 13.
    """
    cost, value = _money(cost, value)
    return require_probabilities(p, "p") * value - cost


def call_list(p, *, cost: float, value: float) -> np.ndarray:
    """Give a boolean mask of the customers worth contacting: those with ``p * value > cost``.

    Introduced in lesson 13. With calibrated ``p`` this is the list that
    maximises expected profit: every customer in it adds a positive amount.
    """
    return expected_profit(p, cost=cost, value=value) > 0


def profit_curve(p, y=None, *, cost: float, value: float) -> pd.DataFrame:
    """Give cumulative profit against the share of customers contacted, best-ranked first.

    Introduced in lesson 13.

    Parameters
    ----------
    p : array-like of float in [0, 1]
        Predicted response probability per customer.
    y : array-like of 0/1, optional
        Realised responses; adds ``realised_profit``.
    cost, value : float
        Cost of one contact; value of one success (``value > 0``).

    Returns
    -------
    DataFrame
        One row per list size from 0 (contact no one) to all customers:
        ``n_called``, ``share_called``, ``threshold`` (the lowest ``p``
        contacted, NaN for the empty list), ``expected_profit`` (sum of
        ``p * value - cost`` over the list) and, with ``y``,
        ``realised_profit`` (sum of ``y * value - cost``). Ties in ``p`` keep
        the input order.
    """
    gain = expected_profit(p, cost=cost, value=value)
    probs = np.asarray(p, dtype=float)
    order = np.argsort(-probs, kind="stable")
    n = probs.size
    curve = pd.DataFrame(
        {
            N_CALLED: np.arange(n + 1),
            SHARE_CALLED: np.arange(n + 1) / n,
            THRESHOLD: np.concatenate([[np.nan], probs[order]]),
            EXPECTED_PROFIT: np.concatenate([[0.0], np.cumsum(gain[order])]),
        }
    )
    if y is not None:
        outcome = _binary(y, "y")
        if outcome.size != n:
            raise ValueError(f"y: expected {n} responses (one per p), got {outcome.size}")
        curve[REALISED_PROFIT] = np.concatenate([[0.0], np.cumsum(outcome[order] * value - cost)])
    return curve


def best_list_size(curve: pd.DataFrame, column: str = EXPECTED_PROFIT) -> pd.Series:
    """Give the row of a profit curve with the highest ``column`` (the smallest list on ties).

    Introduced in lesson 13.
    """
    require_frame(curve, [N_CALLED, column], "curve")
    return curve.loc[curve[column].idxmax()]


def campaign_profit(y, called, *, cost: float, value: float) -> pd.Series:
    """Give the realised outcome of contacting the customers marked in ``called``.

    Introduced in lesson 13.

    Returns
    -------
    Series
        ``n_called``, ``share_called``, ``responders`` (reached),
        ``share_of_responders`` (reached / all responders), ``cost``,
        ``revenue`` and ``profit``.
    """
    cost, value = _money(cost, value)
    outcome = _binary(y, "y")
    mask = np.asarray(called)
    if mask.dtype != bool or mask.shape != outcome.shape:
        raise ValueError(
            f"called: expected a boolean mask of shape {outcome.shape}, got dtype {mask.dtype} "
            f"and shape {mask.shape}"
        )
    n_called = int(mask.sum())
    reached = float(outcome[mask].sum())
    total = float(outcome.sum())
    return pd.Series(
        {
            N_CALLED: n_called,
            SHARE_CALLED: n_called / mask.size,
            "responders": reached,
            "share_of_responders": reached / total if total else np.nan,
            "cost": n_called * cost,
            "revenue": reached * value,
            "profit": reached * value - n_called * cost,
        }
    )
