"""Time-based train/test split and the evaluation truth, with the cases real data brings.

A recommender is used on the future, so it is evaluated on the future: train on
transactions before a cutoff date, test on what customers bought after it.
Three real-world cases need a decision: customers with no training history
(a collaborative model cannot personalise for them), products first sold after
the cutoff (no one has bought them yet) and products a customer buys again
(a repeat purchase is easy to predict but may not need a recommendation).
Lessons 06-10 all use :func:`course_split`, so their numbers compare.
Introduced in lesson 06.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import columns as C
from ..features import product_descriptions
from ..validation import (
    require_binary,
    require_bool,
    require_datetime,
    require_frame,
    require_no_nan,
)
from .interactions import Interactions, build_interactions

COURSE_CUTOFF = pd.Timestamp("2011-09-01")
"""Train on 2010-12-01 .. 2011-08-31 (9 months), test on 2011-09-01 .. 2011-12-09."""
VALIDATION_CUTOFF = pd.Timestamp("2011-08-01")
"""Within training: fit on data before August 2011, tune on August 2011 (lessons 07-10)."""

KNOWN_USER = "known_user"
NEW_ITEM = "new_item"
REPEAT = "repeat"
LINES = "lines"


def _timestamp(value, arg: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{arg}: expected a date (e.g. '2011-09-01'), got {value!r}") from exc
    if pd.isna(stamp):
        raise ValueError(f"{arg}: expected a date, got {value!r}")
    return stamp


def time_split(
    df: pd.DataFrame,
    cutoff,
    date_col: str = C.INVOICE_DATE,
    *,
    end=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give ``(train, test)``: the rows dated before ``cutoff``, and those from ``cutoff`` on.

    Introduced in lesson 06.

    Parameters
    ----------
    df : DataFrame
        Transaction rows with a datetime column ``date_col``.
    cutoff : date-like
        First instant of the test period.
    end : date-like, optional
        First instant after the test period (default: keep every later row).

    Both parts keep the columns and index of ``df``; ``df`` is not changed.
    """
    require_frame(df, [date_col], "df")
    require_datetime(df, [date_col], "df")
    require_no_nan(df, [date_col], "df")
    cutoff = _timestamp(cutoff, "cutoff")
    dates = df[date_col]
    before = (dates < cutoff).to_numpy()
    after = ~before  # a fresh array, safe to update in place
    if end is not None:
        end = _timestamp(end, "end")
        if end <= cutoff:
            raise ValueError(f"end: expected a date after cutoff {cutoff.date()}, got {end.date()}")
        after &= (dates < end).to_numpy()
    train, test = df[before], df[after]
    for name, part in (("train", train), ("test", test)):
        if part.empty:
            raise ValueError(
                f"cutoff: expected rows on both sides, got an empty {name} part "
                f"(dates run {dates.min()} .. {dates.max()}, cutoff {cutoff})"
            )
    return train, test


def label_test_pairs(
    train: pd.DataFrame,
    test: pd.DataFrame,
    user_col: str = C.CUSTOMER_ID,
    item_col: str = C.STOCK_CODE,
) -> pd.DataFrame:
    """Give one row per distinct (user, item) of the test period with the real-world flags.

    Introduced in lesson 06.

    Returns
    -------
    DataFrame ``user_id, item_id, lines, known_user, new_item, repeat``:
    ``lines`` is the number of test rows of the pair; ``known_user`` the user
    bought something in training; ``new_item`` no one bought the item in
    training; ``repeat`` this user already bought this item in training.
    """
    require_frame(train, [user_col, item_col], "train")
    require_frame(test, [user_col, item_col], "test")
    require_no_nan(train, [user_col, item_col], "train")
    require_no_nan(test, [user_col, item_col], "test")
    pairs = (
        test.groupby([user_col, item_col], sort=True).size().rename(LINES).reset_index()
        .rename(columns={user_col: C.USER, item_col: C.ITEM})
    )
    seen = pd.MultiIndex.from_frame(train[[user_col, item_col]].drop_duplicates())
    pair_index = pd.MultiIndex.from_frame(pairs[[C.USER, C.ITEM]])
    return pairs.assign(
        **{
            KNOWN_USER: pairs[C.USER].isin(train[user_col].unique()).to_numpy(),
            NEW_ITEM: ~pairs[C.ITEM].isin(train[item_col].unique()).to_numpy(),
            REPEAT: pair_index.isin(seen),
        }
    )


def truth_from_pairs(pairs: pd.DataFrame, *, exclude_seen: bool = True) -> pd.DataFrame:
    """Give the evaluation truth ``user_id, item_id`` from :func:`label_test_pairs`.

    Only users with training history are kept (a collaborative model has
    nothing to go on for the others; they are reported, not scored). With
    ``exclude_seen`` (the course default) repeat purchases are dropped too, to
    match recommenders that never re-recommend a bought item; with
    ``exclude_seen=False`` they stay (``include_repeats``). Introduced in lesson 06.
    """
    require_frame(pairs, [C.USER, C.ITEM, KNOWN_USER, REPEAT], "pairs", allow_empty=True)
    require_bool(exclude_seen, "exclude_seen")
    if len(pairs):  # NaN flags would read as True
        for col in (KNOWN_USER, REPEAT):
            require_binary(pairs[col].to_numpy(), f"pairs[{col!r}]", what="True/False flags")
    keep = pairs[KNOWN_USER].to_numpy(dtype=bool, copy=True)
    if exclude_seen:
        keep &= ~pairs[REPEAT].to_numpy(dtype=bool)
    return pairs.loc[keep, [C.USER, C.ITEM]].reset_index(drop=True)


def make_truth(
    train: pd.DataFrame,
    test: pd.DataFrame,
    user_col: str = C.CUSTOMER_ID,
    item_col: str = C.STOCK_CODE,
    *,
    exclude_seen: bool = True,
) -> pd.DataFrame:
    """Give the evaluation truth ``user_id, item_id``: test pairs of users with training history.

    Shorthand for ``truth_from_pairs(label_test_pairs(train, test), exclude_seen=...)``.
    Introduced in lesson 06.
    """
    return truth_from_pairs(label_test_pairs(train, test, user_col, item_col), exclude_seen=exclude_seen)


def split_report(pairs: pd.DataFrame, truth: pd.DataFrame | None = None) -> pd.Series:
    """Give the counts behind a split: test users and pairs by case (new user, new item, repeat).

    ``pairs`` comes from :func:`label_test_pairs`; ``truth`` (optional) adds its size.
    Introduced in lesson 06.
    """
    require_frame(pairs, [C.USER, C.ITEM, KNOWN_USER, NEW_ITEM, REPEAT], "pairs")
    known = pairs[KNOWN_USER].to_numpy(dtype=bool)
    new_item = pairs[NEW_ITEM].to_numpy(dtype=bool)
    repeat = pairs[REPEAT].to_numpy(dtype=bool)
    report = {
        "test users": pairs[C.USER].nunique(),
        "test users with no training history": pairs.loc[~known, C.USER].nunique(),
        "test (user, item) pairs": len(pairs),
        "pairs of users with no training history": int((~known).sum()),
        "pairs of items new in the test period": int(new_item.sum()),
        "pairs already bought in training (repeats)": int(repeat.sum()),
        "new items sold in the test period": pairs.loc[new_item, C.ITEM].nunique(),
    }
    if truth is not None:
        require_frame(truth, [C.USER, C.ITEM], "truth", allow_empty=True)
        report["truth pairs"] = len(truth)
        report["truth users"] = truth[C.USER].nunique()
    return pd.Series(report, name="count", dtype="int64")


def item_descriptions(
    df: pd.DataFrame,
    item_col: str = C.STOCK_CODE,
    text_col: str = C.DESCRIPTION,
) -> pd.Series:
    """Give one description per item (its most frequent one), indexed by ``item_id``.

    :func:`pmkt_lessons.features.product_descriptions` with the index named as
    the recommenders name items. Introduced in lesson 06.
    """
    require_frame(df, [item_col, text_col], "df")
    return product_descriptions(df, item_col, text_col).rename_axis(C.ITEM)


@dataclass(frozen=True, eq=False)
class CourseSplit:
    """The fixed split of lessons 06-10 and everything derived from it.

    Attributes
    ----------
    cutoff : Timestamp
    train, test : DataFrame
        Cleaned transaction rows before / from the cutoff.
    pairs : DataFrame
        Every distinct test (user, item) with its flags (:func:`label_test_pairs`).
    truth : DataFrame
        ``user_id, item_id`` to score recommendations against.
    interactions : Interactions
        Training users x training items, weighted as asked (default binary).
    catalogue : Series
        Description of every item sold in train or test, indexed by item id
        (what a content model may know about products no one has bought yet).
    report : Series
        :func:`split_report` of the split.

    Introduced in lesson 06.
    """

    cutoff: pd.Timestamp
    train: pd.DataFrame
    test: pd.DataFrame
    pairs: pd.DataFrame
    truth: pd.DataFrame
    interactions: Interactions
    catalogue: pd.Series
    report: pd.Series
    exclude_seen: bool = True


def course_split(
    clean: pd.DataFrame,
    cutoff=COURSE_CUTOFF,
    *,
    exclude_seen: bool = True,
    weight: str = "binary",
) -> CourseSplit:
    """Give the course's split of cleaned Online Retail: train before ``cutoff``, test after.

    Introduced in lesson 06; lessons 07-10 call it with the defaults so their
    results compare.

    Parameters
    ----------
    clean : DataFrame
        ``clean_transactions(load_online_retail()).clean``.
    cutoff : date-like
        Default ``COURSE_CUTOFF`` (2011-09-01).
    exclude_seen : bool
        Drop repeat purchases from the truth (see :func:`truth_from_pairs`).
    weight : str
        Weighting of the training interaction matrix (see ``build_interactions``).
    """
    require_frame(clean, [C.CUSTOMER_ID, C.STOCK_CODE, C.DESCRIPTION, C.INVOICE_DATE], "clean")
    cutoff = _timestamp(cutoff, "cutoff")
    train, test = time_split(clean, cutoff)
    pairs = label_test_pairs(train, test)
    truth = truth_from_pairs(pairs, exclude_seen=exclude_seen)
    return CourseSplit(
        cutoff=cutoff,
        train=train,
        test=test,
        pairs=pairs,
        truth=truth,
        interactions=build_interactions(train, weight=weight),
        catalogue=item_descriptions(clean),
        report=split_report(pairs, truth),
        exclude_seen=exclude_seen,
    )


def course_validation_split(clean: pd.DataFrame, *, exclude_seen: bool = True, weight: str = "binary") -> CourseSplit:
    """Give the validation split carved from the end of the course's training period.

    Fit on rows before ``VALIDATION_CUTOFF`` (2011-08-01), evaluate on August
    2011; the test period (from ``COURSE_CUTOFF``) is not touched, so it can
    choose hyper-parameters honestly. Introduced in lesson 07 (the
    neighbourhood size of item-kNN); lessons 08-10 and 20 reuse it.
    """
    require_frame(clean, [C.INVOICE_DATE], "clean")
    train, _ = time_split(clean, COURSE_CUTOFF)
    return course_split(train, VALIDATION_CUTOFF, exclude_seen=exclude_seen, weight=weight)
