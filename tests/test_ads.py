"""Tests for pmkt_lessons.ads (lesson 14)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkt_lessons import ads
from pmkt_lessons.auctions import bid_against

# --- pricing units -------------------------------------------------------------------


def test_cost_per_impression_by_hand():
    assert ads.cost_per_impression(4.0, "CPM") == pytest.approx(0.004)
    assert ads.cost_per_impression(0.8, "CPC", ctr=0.005) == pytest.approx(0.004)
    assert ads.cost_per_impression(8.0, "CPA", ctr=0.005, cvr=0.1) == pytest.approx(0.004)


def test_convert_price_by_hand_and_round_trip():
    assert ads.convert_price(4.0, "CPM", "CPC", ctr=0.005) == pytest.approx(0.8)
    assert ads.convert_price(0.8, "CPC", "CPM", ctr=0.005) == pytest.approx(4.0)
    assert ads.convert_price(0.8, "CPC", "CPA", ctr=0.005, cvr=0.1) == pytest.approx(8.0)
    assert ads.convert_price(8.0, "CPA", "CPM", ctr=0.005, cvr=0.1) == pytest.approx(4.0)
    assert ads.convert_price(3.0, "CPM", "CPM") == pytest.approx(3.0)
    prices = np.array([1.0, 2.0, 5.0])
    ctr = np.array([0.01, 0.02, 0.05])
    back = ads.convert_price(ads.convert_price(prices, "CPM", "CPC", ctr=ctr), "CPC", "CPM", ctr=ctr)
    np.testing.assert_allclose(back, prices)


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"price": 4.0, "from_unit": "CPV", "to_unit": "CPC", "ctr": 0.01}, "from_unit"),
        ({"price": 4.0, "from_unit": "CPM", "to_unit": "cpc", "ctr": 0.01}, "to_unit"),
        ({"price": 4.0, "from_unit": "CPM", "to_unit": "CPC"}, "ctr"),
        ({"price": 4.0, "from_unit": "CPM", "to_unit": "CPA", "ctr": 0.01}, "cvr"),
        ({"price": 4.0, "from_unit": "CPM", "to_unit": "CPC", "ctr": 0.0}, "ctr"),
        ({"price": 4.0, "from_unit": "CPM", "to_unit": "CPC", "ctr": 1.5}, "ctr"),
        ({"price": -4.0, "from_unit": "CPM", "to_unit": "CPC", "ctr": 0.01}, "price"),
        ({"price": np.nan, "from_unit": "CPM", "to_unit": "CPM"}, "price"),
    ],
)
def test_convert_price_bad_input(kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        ads.convert_price(**kwargs)


def test_value_per_impression():
    assert ads.value_per_impression(0.02, 0.05, 40.0) == pytest.approx(0.04)
    np.testing.assert_allclose(ads.value_per_impression([0.01, 0.1], 0.5, 10.0), [0.05, 0.5])
    with pytest.raises(ValueError, match="p_ctr"):
        ads.value_per_impression([0.1, 1.1], 0.5, 10.0)
    with pytest.raises(ValueError, match="p_cvr"):
        ads.value_per_impression(0.1, -0.5, 10.0)
    with pytest.raises(ValueError, match="value_per_conversion"):
        ads.value_per_impression(0.1, 0.5, -10.0)


def test_value_per_impression_does_not_mutate():
    p = np.array([0.1, 0.2])
    ads.value_per_impression(p, 0.5, 10.0)
    assert p.tolist() == [0.1, 0.2]


# --- shading -------------------------------------------------------------------------


def test_shading_curve_by_hand():
    value = np.array([1.0, 2.0, 0.5])
    top = np.array([0.8, 2.5, 0.1])
    curve = ads.shading_curve(value, top, [0.5, 1.0, 1.5])
    # factor 1: win auctions 0 and 2, pay 0.8 and 0.1, surplus 0.2 + 0.4
    row = curve.set_index("factor").loc[1.0]
    assert row["wins"] == 2 and row["spend"] == pytest.approx(0.9) and row["surplus"] == pytest.approx(0.6)
    # factor 1.5: also wins auction 1 at 2.5 > 2.0, a loss of 0.5
    assert curve.set_index("factor").loc[1.5, "surplus"] == pytest.approx(0.1)
    first = ads.shading_curve(value, top, [1.0], mechanism="first")
    assert first["surplus"].iloc[0] == 0.0  # paying your value leaves nothing


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_truthful_bidding_is_optimal_in_second_price(seed):
    rng = np.random.default_rng(seed)
    value = rng.lognormal(0, 1, 200)
    top = rng.lognormal(0, 1, 200)
    factors = np.linspace(0.1, 2.0, 20)
    curve = ads.shading_curve(value, top, np.append(factors, 1.0))
    truthful = curve["surplus"].iloc[-1]
    assert (curve["surplus"] <= truthful + 1e-9).all()
    # and auction by auction, not only in total
    for factor in factors:
        shaded = bid_against(factor * value, top)
        honest = bid_against(value, top)
        gain_shaded = np.where(shaded["won"], value - shaded["price"], 0.0)
        gain_honest = np.where(honest["won"], value - honest["price"], 0.0)
        assert (gain_honest >= gain_shaded - 1e-12).all()


def test_shading_pays_in_first_price():
    rng = np.random.default_rng(0)
    value = rng.lognormal(0, 0.5, 5_000)
    top = rng.lognormal(0, 0.5, 5_000)
    curve = ads.shading_curve(value, top, np.linspace(0.3, 1.0, 8), mechanism="first")
    assert curve.loc[curve["surplus"].idxmax(), "factor"] < 1.0


def test_shading_curve_bad_input():
    with pytest.raises(ValueError, match="factors"):
        ads.shading_curve([1.0], [0.5], [-0.5])
    with pytest.raises(ValueError, match="value"):
        ads.shading_curve([-1.0], [0.5], [1.0])
    with pytest.raises(ValueError, match="mechanism"):
        ads.shading_curve([1.0], [0.5], [1.0], mechanism="dutch")


# --- pacing --------------------------------------------------------------------------


def _market(n=24 * 50, seed=0):
    rng = np.random.default_rng(seed)
    hours = np.sort(rng.integers(0, 24, n))
    value = rng.lognormal(0, 0.5, n)
    top = rng.lognormal(-0.3, 0.5, n)
    return value, top, hours


def test_greedy_with_ample_budget_wins_every_profitable_auction():
    value, top, hours = _market()
    res = ads.pace_budget(value, top, hours, budget=1e9, strategy="greedy")
    np.testing.assert_array_equal(res.won, value > top)
    np.testing.assert_allclose(res.price, np.where(value > top, top, 0.0))
    assert res.hourly["spend"].sum() == pytest.approx(res.price.sum())
    assert res.hourly["wins"].sum() == res.won.sum()


def test_greedy_stops_at_the_first_win_it_cannot_pay():
    value = np.array([5.0, 5.0, 5.0, 5.0])
    top = np.array([1.0, 3.0, 0.5, 0.2])
    hours = np.array([0, 0, 1, 2])
    res = ads.pace_budget(value, top, hours, budget=2.0, strategy="greedy")
    # 1.0 is paid; 3.0 does not fit, so the campaign stops even though 0.5 would fit
    assert res.won.tolist() == [True, False, False, False]
    assert res.price.sum() == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 1000),
    st.floats(0.5, 500),
    st.sampled_from(ads.PACING_STRATEGIES),
)
def test_pacing_never_exceeds_the_budget(seed, budget, strategy):
    value, top, hours = _market(seed=seed)
    res = ads.pace_budget(value, top, hours, budget=budget, strategy=strategy, random_state=seed)
    assert res.price.sum() <= budget + 1e-9
    assert (res.price[res.won] == top[res.won]).all()
    assert (value[res.won] > 0).all()
    assert res.hourly["cum_spend"].is_monotonic_increasing


def test_paced_strategies_spread_spend_over_the_day():
    value, top, hours = _market(n=24 * 400, seed=1)
    budget = 0.3 * ads.pace_budget(value, top, hours, budget=1e9, strategy="greedy").price.sum()
    last = {}
    for strategy in ads.PACING_STRATEGIES:
        res = ads.pace_budget(value, top, hours, budget=budget, strategy=strategy)
        last[strategy] = res.hourly.loc[res.hourly["wins"] > 0, "hour"].max()
    assert last["greedy"] < 12
    assert last["throttle"] >= 20 and last["multiplier"] >= 20


def test_multiplier_controls_stay_in_range_and_throttle_is_seeded():
    value, top, hours = _market(seed=2)
    res = ads.pace_budget(value, top, hours, budget=50.0, strategy="multiplier")
    assert ((res.hourly["control"] > 0) & (res.hourly["control"] <= 1)).all()
    a = ads.pace_budget(value, top, hours, budget=50.0, strategy="throttle", random_state=5)
    b = ads.pace_budget(value, top, hours, budget=50.0, strategy="throttle", random_state=5)
    np.testing.assert_array_equal(a.won, b.won)


def test_pace_budget_bad_input():
    value, top, hours = _market()
    with pytest.raises(ValueError, match="budget"):
        ads.pace_budget(value, top, hours, budget=-10.0)
    with pytest.raises(ValueError, match="budget"):
        ads.pace_budget(value, top, hours, budget=0.0)
    with pytest.raises(ValueError, match="strategy"):
        ads.pace_budget(value, top, hours, budget=10.0, strategy="asap")
    with pytest.raises(ValueError, match="time order"):
        ads.pace_budget(value, top, hours[::-1], budget=10.0)
    with pytest.raises(ValueError, match="hour"):
        ads.pace_budget(value, top, hours + 1, budget=10.0)
    with pytest.raises(ValueError, match="hour"):
        ads.pace_budget(value, top, hours[:-1], budget=10.0)
    with pytest.raises(ValueError, match="top_competing_bid"):
        ads.pace_budget(value, top[:-1], hours, budget=10.0)
    with pytest.raises(ValueError, match="traffic_forecast"):
        ads.pace_budget(value, top, hours, budget=10.0, traffic_forecast=np.ones(12))
    with pytest.raises(ValueError, match="bid_multiplier"):
        ads.pace_budget(value, top, hours, budget=10.0, bid_multiplier=1.5)
    with pytest.raises(ValueError, match="value"):
        ads.pace_budget(-value, top, hours, budget=10.0)


def test_pace_budget_does_not_mutate():
    value, top, hours = _market()
    before = (value.copy(), top.copy(), hours.copy())
    ads.pace_budget(value, top, hours, budget=20.0, strategy="throttle")
    for a, b in zip((value, top, hours), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_best_fixed_multiplier_fits_the_budget_tightly():
    value, top, hours = _market(seed=3)
    m = ads.best_fixed_multiplier(value, top, budget=30.0)
    assert 0 < m < 1
    assert top[m * value > top].sum() <= 30.0
    assert top[(m + 1e-3) * value > top].sum() > 30.0
    assert ads.best_fixed_multiplier(value, top, budget=1e9) == 1.0
    with pytest.raises(ValueError, match="budget"):
        ads.best_fixed_multiplier(value, top, budget=-1.0)


# --- report --------------------------------------------------------------------------


def test_campaign_report_by_hand():
    value = np.array([1.0, 1.0, 1.0, 1.0])
    top = np.array([0.2, 0.3, 2.0, 0.5])
    hours = np.array([0, 3, 5, 7])
    res = ads.pace_budget(value, top, hours, budget=100.0, strategy="greedy")
    clicks = np.array([1, 1, 1, 0])
    conversions = np.array([1, 0, 1, 0])
    report = ads.campaign_report(res, clicks, conversions, value_per_conversion=2.0,
                                 expected_value=[0.5, 0.5, 0.5, 0.5])
    # won 0, 1, 3 (not 2: 2.0 > 1.0); spend 1.0; clicks 2; conversions 1
    assert report["impressions"] == 3
    assert report["spend"] == pytest.approx(1.0)
    assert report["budget_used"] == pytest.approx(0.01)
    assert report["clicks"] == 2 and report["conversions"] == 1
    assert report["CPM"] == pytest.approx(1000 / 3)
    assert report["CPC"] == pytest.approx(0.5) and report["CPA"] == pytest.approx(1.0)
    assert report["revenue"] == 2.0 and report["ROAS"] == 2.0 and report["ROI"] == 1.0
    assert report["last_hour"] == 7
    assert report["expected_revenue"] == pytest.approx(1.5)
    assert report["expected_roi"] == pytest.approx(0.5)


def test_campaign_report_bad_input():
    value, top, hours = _market()
    res = ads.pace_budget(value, top, hours, budget=10.0)
    ones = np.ones(value.size, dtype=int)
    with pytest.raises(TypeError, match="result"):
        ads.campaign_report({"won": []}, ones, ones, value_per_conversion=1.0)
    with pytest.raises(ValueError, match="clicks"):
        ads.campaign_report(res, ones[:-1], ones, value_per_conversion=1.0)
    with pytest.raises(ValueError, match="conversions"):
        ads.campaign_report(res, ones, 2 * ones, value_per_conversion=1.0)
    with pytest.raises(ValueError, match="value_per_conversion"):
        ads.campaign_report(res, ones, ones, value_per_conversion=-1.0)
    with pytest.raises(ValueError, match="expected_value"):
        ads.campaign_report(res, ones, ones, value_per_conversion=1.0, expected_value=[1.0])


def test_ecpm_ranks_bids_in_different_units():
    assert ads.ecpm(4.0, "CPM") == pytest.approx(4.0)
    assert ads.ecpm(0.5, "CPC", ctr=0.012) == pytest.approx(6.0)
    assert ads.ecpm(6.0, "CPA", ctr=0.02, cvr=0.05) == pytest.approx(6.0)
    bids = np.array([0.2, 0.5, 1.0])
    ctrs = np.array([0.05, 0.01, 0.004])
    np.testing.assert_allclose(ads.ecpm(bids, "CPC", ctr=ctrs), [10.0, 5.0, 4.0])
    # the same money per impression whatever the unit: round trip through convert_price
    cpc = ads.convert_price(7.0, "CPM", "CPC", ctr=0.01)
    assert ads.ecpm(cpc, "CPC", ctr=0.01) == pytest.approx(7.0)


def test_ecpm_bad_input():
    with pytest.raises(ValueError, match="ctr: expected a click-through rate"):
        ads.ecpm(0.5, "CPC")
    with pytest.raises(ValueError, match="unit: expected one of"):
        ads.ecpm(0.5, "CPV", ctr=0.1)
    with pytest.raises(ValueError, match="cvr"):
        ads.ecpm(5.0, "CPA", ctr=0.01)
