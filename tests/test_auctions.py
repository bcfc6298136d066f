"""Tests for pmkt_lessons.auctions: the auction rules of lesson 14."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pmkt_lessons import auctions as au

BIDS = np.array([[1.0, 3.0, 2.0], [5.0, 0.0, 0.0], [2.0, 2.0, 1.0]])


# --- auctions ------------------------------------------------------------------------


def test_second_price_by_hand():
    out = au.second_price_auction(BIDS)
    assert out["winner"].tolist() == [1, 0, 0]  # a tie goes to the lowest index
    assert out["price"].tolist() == [2.0, 0.0, 2.0]


def test_second_price_reserve():
    out = au.second_price_auction([[1.0, 0.5], [0.7, 0.2]], reserve=0.8)
    assert out["winner"].tolist() == [0, -1]
    assert out["price"].tolist() == [0.8, 0.0]
    single = au.second_price_auction([[3.0], [0.1]], reserve=1.0)
    assert single["winner"].tolist() == [0, -1]
    assert single["price"].tolist() == [1.0, 0.0]


def test_first_price_by_hand():
    out = au.first_price_auction(BIDS, reserve=2.5)
    assert out["winner"].tolist() == [1, 0, -1]
    assert out["price"].tolist() == [3.0, 5.0, 0.0]


@settings(max_examples=80, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 20), st.integers(2, 6)), elements=st.floats(0, 100)))
def test_second_price_winner_pays_second_highest_bid(bids):
    out = au.second_price_auction(bids)
    rows = np.arange(bids.shape[0])
    winner = out["winner"].to_numpy()
    assert (bids[rows, winner] == bids.max(axis=1)).all()
    np.testing.assert_allclose(out["price"], np.sort(bids, axis=1)[:, -2])
    assert (out["price"].to_numpy() <= bids[rows, winner]).all()


@pytest.mark.parametrize("auction", [au.second_price_auction, au.first_price_auction])
@pytest.mark.parametrize(
    "bad", [np.array([1.0, 2.0]), np.zeros((0, 3)), np.zeros((3, 0)), [[1.0, -1.0]], [[np.nan, 1.0]]]
)
def test_auctions_reject_bad_bids(auction, bad):
    with pytest.raises(ValueError, match="bids"):
        auction(bad)


@pytest.mark.parametrize("auction", [au.second_price_auction, au.first_price_auction])
def test_auctions_reject_bad_reserve(auction):
    with pytest.raises(ValueError, match="reserve"):
        auction(BIDS, reserve=-1.0)
    with pytest.raises(TypeError, match="reserve"):
        auction(BIDS, reserve="1")


def test_auctions_do_not_mutate():
    bids = BIDS.copy()
    au.second_price_auction(bids, reserve=1.5)
    au.first_price_auction(bids)
    np.testing.assert_array_equal(bids, BIDS)


def test_bid_against_by_hand():
    out = au.bid_against([3.0, 2.0, 1.0, 0.5], [2.0, 2.0, 0.4, 0.1], reserve=0.6)
    assert out["won"].tolist() == [True, False, True, False]  # tie lost; 0.5 below the reserve
    assert out["price"].tolist() == [2.0, 0.0, 0.6, 0.0]
    first = au.bid_against([3.0, 1.0], [2.0, 0.4], mechanism="first")
    assert first["price"].tolist() == [3.0, 1.0]


def test_bid_against_agrees_with_the_full_auction():
    rng = np.random.default_rng(0)
    bids = rng.random((500, 4))
    ours = au.bid_against(bids[:, 0], bids[:, 1:].max(axis=1))
    full = au.second_price_auction(bids)
    np.testing.assert_array_equal(ours["won"], full["winner"] == 0)
    np.testing.assert_allclose(ours["price"][ours["won"]], full["price"][full["winner"] == 0])


def test_bid_against_bad_input():
    with pytest.raises(ValueError, match="mechanism"):
        au.bid_against([1.0], [0.5], mechanism="vickrey-clarke")
    with pytest.raises(ValueError, match="top_competing_bid"):
        au.bid_against([1.0, 2.0], [0.5])
    with pytest.raises(ValueError, match="bid"):
        au.bid_against([-1.0], [0.5])
    with pytest.raises(ValueError, match="bid"):
        au.bid_against([], [])
