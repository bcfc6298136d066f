"""Tests for pmkt_lessons.simulate.auctions (lesson 14)."""

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons.simulate import auctions as au

BIDS = np.array([[1.0, 3.0, 2.0], [5.0, 0.0, 0.0], [2.0, 2.0, 1.0]])


# --- simulation ----------------------------------------------------------------------


def test_competition_by_hour_peaks_and_troughs():
    factor = au.competition_by_hour(np.arange(24))
    assert factor.argmax() == au.PEAK_HOUR
    assert factor.max() == pytest.approx(1 + au.COMPETITION_AMPLITUDE)
    assert factor.min() == pytest.approx(1 - au.COMPETITION_AMPLITUDE)
    assert au.competition_by_hour([5], amplitude=0.0).tolist() == [1.0]


@pytest.mark.parametrize("bad", [[24], [-1], [1.5], [np.nan]])
def test_competition_by_hour_bad_hours(bad):
    with pytest.raises(ValueError, match="hour"):
        au.competition_by_hour(bad)


def test_competing_bids_shape_seed_and_scale():
    p = np.full(40_000, 0.02)
    bids = au.simulate_competing_bids(p, n_competitors=3, random_state=1)
    assert bids.shape == (40_000, 3)
    np.testing.assert_array_equal(bids, au.simulate_competing_bids(p, n_competitors=3, random_state=1))
    # the noise has mean 1: each competitor bids its value per click times p on average
    np.testing.assert_allclose(bids.mean(axis=0) / 0.02, au.COMPETITOR_VALUE_PER_CLICK[:3], rtol=0.02)
    assert (au.simulate_competing_bids(np.zeros(5)) == 0).all()


def test_competing_bids_follow_the_hour():
    p = np.full(20_000, 0.03)
    busy = au.simulate_competing_bids(p, np.full(20_000, au.PEAK_HOUR), random_state=2).mean()
    quiet = au.simulate_competing_bids(p, np.full(20_000, (au.PEAK_HOUR + 12) % 24), random_state=2).mean()
    ratio = (1 + au.COMPETITION_AMPLITUDE) / (1 - au.COMPETITION_AMPLITUDE)
    assert busy / quiet == pytest.approx(ratio, rel=1e-9)


def test_competing_bids_bad_input():
    with pytest.raises(ValueError, match="p_click"):
        au.simulate_competing_bids([0.5, 1.5])
    with pytest.raises(ValueError, match="hour"):
        au.simulate_competing_bids([0.5, 0.1], [3])
    with pytest.raises(ValueError, match="n_competitors"):
        au.simulate_competing_bids([0.5], n_competitors=0)


def test_competing_bids_do_not_mutate():
    p = np.array([0.1, 0.2])
    hours = np.array([1, 2])
    au.simulate_competing_bids(p, hours)
    assert p.tolist() == [0.1, 0.2] and hours.tolist() == [1, 2]


@pytest.fixture(scope="module")
def day():
    return au.simulate_ad_day(30_000, cvr=0.2, random_state=3)


def test_ad_day_columns_and_order(day):
    for col in ["hour", "p_click", "click", "p_conversion", "conversion", "top_competing_bid"]:
        assert col in day.columns
    assert (np.diff(day["hour"].to_numpy()) >= 0).all()
    assert day["hour"].nunique() == 24
    # busiest hours carry more traffic than the night
    counts = day["hour"].value_counts()
    assert counts.loc[15] > 3 * counts.loc[3]


def test_ad_day_conversions_follow_clicks(day):
    assert (day.loc[day["conversion"] == 1, "click"] == 1).all()
    rate = day.loc[day["click"] == 1, "conversion"].mean()
    assert rate == pytest.approx(0.2, abs=0.05)
    assert (day["top_competing_bid"] > 0).all()


def test_ad_day_is_seeded(day):
    again = au.simulate_ad_day(30_000, cvr=0.2, random_state=3)
    pd.testing.assert_frame_equal(day, again)
    other = au.simulate_ad_day(30_000, cvr=0.2, random_state=4)
    assert not other["click"].equals(day["click"])


def test_ad_day_bad_input():
    with pytest.raises(ValueError, match="cvr"):
        au.simulate_ad_day(10, cvr=1.5)
    with pytest.raises(ValueError, match="n_impressions"):
        au.simulate_ad_day(0)
