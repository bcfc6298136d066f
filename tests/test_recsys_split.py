"""Tests of pmkt_lessons.recsys.split: time split, test-pair flags, truth and the course split."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import (
    COURSE_CUTOFF,
    VALIDATION_CUTOFF,
    course_split,
    course_validation_split,
    item_descriptions,
    label_test_pairs,
    make_truth,
    split_report,
    time_split,
    truth_from_pairs,
)


def tx(rows):
    """Transactions from (customer, stock code, date, description) tuples."""
    df = pd.DataFrame(rows, columns=[C.CUSTOMER_ID, C.STOCK_CODE, C.INVOICE_DATE, C.DESCRIPTION])
    df[C.INVOICE_DATE] = pd.to_datetime(df[C.INVOICE_DATE])
    return df


@pytest.fixture
def shop():
    return tx(
        [
            (1, "A", "2011-01-05", "RED MUG"),
            (1, "B", "2011-02-01", "BLUE MUG"),
            (2, "A", "2011-03-01", "RED MUG"),
            (1, "A", "2011-09-02", "RED MUG"),  # repeat of user 1
            (1, "C", "2011-09-03", "GREEN MUG"),  # new item
            (1, "C", "2011-09-04", "GREEN MUG"),  # second line of the same pair
            (2, "B", "2011-10-01", "BLUE MUG"),  # known user, known item, not a repeat
            (3, "A", "2011-10-02", "red mug"),  # user with no history
        ]
    )


def test_time_split_at_the_cutoff(shop):
    train, test = time_split(shop, "2011-09-01")
    assert len(train) == 3 and len(test) == 5
    assert train[C.INVOICE_DATE].max() < pd.Timestamp("2011-09-01") <= test[C.INVOICE_DATE].min()
    _, window = time_split(shop, "2011-09-01", end="2011-10-01")
    assert len(window) == 3


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 364), min_size=2, max_size=40), st.integers(1, 364))
def test_time_split_is_a_partition(days, cut):
    dates = pd.Timestamp("2011-01-01") + pd.to_timedelta(days, unit="D")
    df = pd.DataFrame({C.INVOICE_DATE: dates, "x": range(len(days))})
    cutoff = pd.Timestamp("2011-01-01") + pd.Timedelta(days=cut)
    if not (min(dates) < cutoff <= max(dates)):
        with pytest.raises(ValueError, match="cutoff"):
            time_split(df, cutoff)
        return
    train, test = time_split(df, cutoff)
    assert sorted(train["x"].tolist() + test["x"].tolist()) == list(range(len(days)))
    assert (train[C.INVOICE_DATE] < cutoff).all() and (test[C.INVOICE_DATE] >= cutoff).all()


def test_pair_flags_by_hand(shop):
    train, test = time_split(shop, "2011-09-01")
    pairs = label_test_pairs(train, test).set_index([C.USER, C.ITEM])
    assert pairs.loc[(1, "A")].tolist() == [1, True, False, True]
    assert pairs.loc[(1, "C")].tolist() == [2, True, True, False]
    assert pairs.loc[(2, "B")].tolist() == [1, True, False, False]
    assert pairs.loc[(3, "A")].tolist() == [1, False, False, False]


def test_truth_excludes_unknown_users_and_optionally_repeats(shop):
    train, test = time_split(shop, "2011-09-01")
    truth = make_truth(train, test)
    assert truth.values.tolist() == [[1, "C"], [2, "B"]]
    with_repeats = make_truth(train, test, exclude_seen=False)
    assert with_repeats.values.tolist() == [[1, "A"], [1, "C"], [2, "B"]]
    assert list(truth.columns) == [C.USER, C.ITEM]


def test_report_counts(shop):
    train, test = time_split(shop, "2011-09-01")
    pairs = label_test_pairs(train, test)
    report = split_report(pairs, truth_from_pairs(pairs))
    assert report["test users"] == 3
    assert report["test users with no training history"] == 1
    assert report["test (user, item) pairs"] == 4
    assert report["pairs of items new in the test period"] == 1
    assert report["pairs already bought in training (repeats)"] == 1
    assert report["truth pairs"] == 2 and report["truth users"] == 2


def test_item_descriptions_take_the_most_frequent(shop):
    desc = item_descriptions(shop)
    assert desc.to_dict() == {"A": "RED MUG", "B": "BLUE MUG", "C": "GREEN MUG"}


def test_course_split_on_a_small_shop(shop):
    split = course_split(shop)
    assert split.cutoff == COURSE_CUTOFF
    assert split.interactions.shape == (2, 2)
    assert split.truth.values.tolist() == [[1, "C"], [2, "B"]]
    assert set(split.catalogue.index) == {"A", "B", "C"}
    assert split.report["truth pairs"] == 2
    validation = course_validation_split(
        pd.concat([shop, tx([(1, "B", "2011-08-15", "BLUE MUG"), (2, "D", "2011-08-20", "CUP")])])
    )
    assert validation.cutoff == VALIDATION_CUTOFF
    assert validation.test[C.INVOICE_DATE].max() < COURSE_CUTOFF
    assert validation.truth.values.tolist() == [[2, "D"]]


def test_does_not_mutate_inputs(shop):
    before = shop.copy()
    train, test = time_split(shop, "2011-09-01")
    train_before, test_before = train.copy(), test.copy()
    make_truth(train, test)
    course_split(shop)
    pd.testing.assert_frame_equal(shop, before)
    pd.testing.assert_frame_equal(train, train_before)
    pd.testing.assert_frame_equal(test, test_before)


def test_bad_input(shop):
    with pytest.raises(TypeError, match="df"):
        time_split("shop", "2011-09-01")
    with pytest.raises(ValueError, match="cutoff"):
        time_split(shop, "not a date")
    with pytest.raises(ValueError, match="cutoff.*empty train"):
        time_split(shop, "2010-01-01")
    with pytest.raises(ValueError, match="end"):
        time_split(shop, "2011-09-01", end="2011-08-01")
    with pytest.raises(TypeError, match="df.*datetime"):
        time_split(shop.astype({C.INVOICE_DATE: str}), "2011-09-01")
    train, test = time_split(shop, "2011-09-01")
    with pytest.raises(ValueError, match="test"):
        label_test_pairs(train, test.drop(columns=C.STOCK_CODE))
    with pytest.raises(ValueError, match="train"):
        label_test_pairs(train.iloc[:0], test)
    with pytest.raises(TypeError, match="exclude_seen"):
        make_truth(train, test, exclude_seen="yes")
    with pytest.raises(ValueError, match="clean"):
        course_split(shop.drop(columns=C.DESCRIPTION))
