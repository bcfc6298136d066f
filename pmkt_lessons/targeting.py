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
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, TransformerMixin, clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from pmkt_lessons.device import limit_threads
from pmkt_lessons.validation import (
    require_binary,
    require_frame,
    require_positive_int,
    require_probabilities,
)

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
    columns : sequence of str, optional
        The columns to impute; by default every text column. Leave out a
        column whose "unknown" is a fact rather than a gap (``poutcome`` of a
        customer never contacted before), or one that holds only ``marker``
        in the fitting rows.

    Attributes
    ----------
    modes_ : dict
        Column name -> the value that replaces ``marker``.
    """

    def __init__(self, marker: str = UNKNOWN, columns=None):
        self.marker = marker
        self.columns = columns

    def fit(self, X: pd.DataFrame, y=None):
        require_frame(X, arg="X")
        self.modes_ = {}
        if self.columns is None:
            chosen = _text_columns(X)
        elif isinstance(self.columns, str) or not all(isinstance(c, str) for c in self.columns):
            raise TypeError(f"columns: expected a list of column names, got {self.columns!r}")
        else:
            require_frame(X, list(self.columns), "X")
            chosen = list(self.columns)
        for col in chosen:
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


# --------------------------------------------------------------------------- time order


def time_split(frame: pd.DataFrame, test_size: float | int = 0.25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a time-ordered table into an earlier part (train) and a later part (test), by row order.

    Introduced in lesson 13. Bank Marketing's rows run from May 2008 to
    November 2010 in order, and its response rate drifts from about 3 % to
    about 47 %: a random split lets the model see the future it is tested on,
    and tests it on a mix of periods no campaign will meet. Here the test part
    is the last rows, as a model deployed today meets only later customers.
    Call it twice for a validation period (``time_split(train, 0.2)``).

    Parameters
    ----------
    frame : DataFrame
        Rows in time order (oldest first); not modified.
    test_size : float in (0, 1) or int
        Share of rows (rounded up, as scikit-learn's ``train_test_split``) or
        number of rows in the later part; both parts must keep at least one row.

    Returns
    -------
    (DataFrame, DataFrame)
        The first ``n - n_test`` rows and the last ``n_test`` rows, index kept.

    Examples
    --------
    >>> train, test = time_split(load_bank_marketing(), test_size=0.25)  # doctest: +SKIP
    """
    require_frame(frame, arg="frame")
    n = len(frame)
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer, np.floating)):
        raise TypeError(f"test_size: expected a share in (0, 1) or a number of rows, got {type(test_size).__name__}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = int(np.ceil(test_size * n))
    else:
        raise ValueError(f"test_size: expected a share in (0, 1) or a whole number of rows, got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"test_size: expected between 1 and {n - 1} test rows (frame has {n}), got {n_test}"
        )
    return frame.iloc[: n - n_test], frame.iloc[n - n_test :]


def response_by_period(frame: pd.DataFrame, n_periods: int = 10, target: str = TARGET) -> pd.DataFrame:
    """Give the response rate of consecutive, equal blocks of rows (deciles of row order by default).

    Introduced in lesson 13 to show drift: on time-ordered rows, a rate that
    moves from block to block means the past is not like the future.

    Parameters
    ----------
    frame : DataFrame
        Rows in time order, with a 0/1 ``target`` column.
    n_periods : int
        Number of blocks (``np.array_split`` of the row positions).
    target : str
        The 0/1 response column.

    Returns
    -------
    DataFrame
        One row per block, indexed by ``period`` (0 = oldest): ``first_row``
        and ``last_row`` (positions), ``n`` and ``rate``.
    """
    require_frame(frame, [target], "frame")
    y = _binary(frame[target], f"frame[{target!r}]")
    n_periods = require_positive_int(n_periods, "n_periods")
    if n_periods > len(y):
        raise ValueError(f"n_periods: expected a whole number between 1 and {len(y)}, got {n_periods!r}")
    blocks = np.array_split(np.arange(len(y)), int(n_periods))
    out = pd.DataFrame(
        {
            "first_row": [int(b[0]) for b in blocks],
            "last_row": [int(b[-1]) for b in blocks],
            "n": [len(b) for b in blocks],
            "rate": [float(y[b].mean()) for b in blocks],
        }
    )
    out.index.name = "period"
    return out


class ThreadLimited(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Wrap a classifier so that its ``fit`` and ``predict_proba`` run with ``n_threads`` CPU threads.

    Introduced in lesson 13. Gradient-boosted trees (OpenMP) and linear
    algebra (BLAS) start one thread per core; on a small or shared CPU the
    threads wait on each other and one thread is both faster and gives the
    same numbers on every machine. This keeps the limit local to the model
    (:func:`pmkt_lessons.device.limit_threads`), so a notebook never sets
    threads globally, and it works inside ``cross_val_score``,
    ``CalibratedClassifierCV`` and ``clone``.

    Parameters
    ----------
    estimator : classifier
        Any scikit-learn classifier or pipeline with ``predict_proba``; cloned in ``fit``.
    n_threads : int or None
        Threads while fitting and predicting; ``None`` leaves the limits alone.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone.
    classes_ : ndarray
        The fitted clone's classes.
    """

    def __init__(self, estimator, n_threads: int | None = 1):
        self.estimator = estimator
        self.n_threads = n_threads

    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` with the thread limit; give ``self``."""
        if not hasattr(self.estimator, "fit") or not hasattr(self.estimator, "predict_proba"):
            raise TypeError(
                f"estimator: expected a classifier with fit and predict_proba, got {type(self.estimator).__name__}"
            )
        with limit_threads(self.n_threads):
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Give the fitted clone's class probabilities, computed with the thread limit."""
        check_is_fitted(self, "estimator_")
        with limit_threads(self.n_threads):
            return self.estimator_.predict_proba(X)

    def predict(self, X) -> np.ndarray:
        """Give the fitted clone's predicted classes, computed with the thread limit."""
        check_is_fitted(self, "estimator_")
        with limit_threads(self.n_threads):
            return self.estimator_.predict(X)
