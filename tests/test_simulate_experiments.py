"""Tests for pmkt_lessons.simulate.experiments (lesson 15)."""

import numpy as np
import pytest

from pmkt_lessons.experiments import two_proportion_ztest
from pmkt_lessons.simulate.experiments import simulate_daily_tests


def test_shapes_and_cumulative_counts():
    sim = simulate_daily_tests(50, 7, 200, 0.1, random_state=3)
    assert sim.conversions_a.shape == sim.conversions_b.shape == (50, 7)
    np.testing.assert_array_equal(sim.visitors, 200 * np.arange(1, 8))
    assert (np.diff(sim.conversions_a, axis=1) >= 0).all()
    assert (np.diff(sim.conversions_b, axis=1) >= 0).all()
    assert (sim.conversions_a[:, -1] <= 1400).all()
    assert sim.rate_a == sim.rate_b == 0.1


def test_rates_match_the_truth():
    sim = simulate_daily_tests(2000, 10, 500, 0.05, 0.08, random_state=1)
    total = sim.visitors[-1] * 2000
    assert sim.conversions_a[:, -1].sum() / total == pytest.approx(0.05, rel=0.01)
    assert sim.conversions_b[:, -1].sum() / total == pytest.approx(0.08, rel=0.01)


def test_aa_tests_reject_about_alpha_at_a_fixed_horizon():
    sim = simulate_daily_tests(20_000, 5, 400, 0.1, random_state=7)
    p = two_proportion_ztest(sim.conversions_a[:, -1], sim.visitors[-1], sim.conversions_b[:, -1], sim.visitors[-1]).p_value
    assert (p < 0.05).mean() == pytest.approx(0.05, abs=0.006)


def test_seeded():
    one = simulate_daily_tests(10, 3, 100, 0.2, random_state=5)
    two = simulate_daily_tests(10, 3, 100, 0.2, random_state=5)
    other = simulate_daily_tests(10, 3, 100, 0.2, random_state=6)
    np.testing.assert_array_equal(one.conversions_a, two.conversions_a)
    assert not np.array_equal(one.conversions_a, other.conversions_a)


def test_bad_input():
    with pytest.raises(ValueError, match="n_tests"):
        simulate_daily_tests(0, 3, 100, 0.2)
    with pytest.raises(TypeError, match="n_days"):
        simulate_daily_tests(10, 2.5, 100, 0.2)
    with pytest.raises(ValueError, match="visitors_per_day"):
        simulate_daily_tests(10, 3, -5, 0.2)
    with pytest.raises(ValueError, match="rate_a"):
        simulate_daily_tests(10, 3, 100, 1.2)
    with pytest.raises(ValueError, match="rate_b"):
        simulate_daily_tests(10, 3, 100, 0.2, np.nan)
