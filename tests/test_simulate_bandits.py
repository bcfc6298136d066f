"""Tests of pmkt_lessons.simulate.bandits: CTR schedules and simulated logs with known truth."""

import numpy as np
import pytest

from pmkt_lessons.simulate.bandits import drifting_ctrs, simulate_logged_bandit, switching_ctrs


def test_switching_ctrs_values():
    s = switching_ctrs([0.1, 0.2], [0.3, 0.05], horizon=5, switch_at=2)
    np.testing.assert_allclose(s, [[0.1, 0.2], [0.1, 0.2], [0.3, 0.05], [0.3, 0.05], [0.3, 0.05]])


def test_switching_ctrs_does_not_change_its_inputs():
    before = np.array([0.1, 0.2])
    switching_ctrs(before, [0.3, 0.05], horizon=5, switch_at=2)
    np.testing.assert_array_equal(before, [0.1, 0.2])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"before": [0.1, 1.2], "after": [0.1, 0.2]}, "before: expected probabilities"),
        ({"before": [0.1], "after": [0.2]}, "at least 2 CTRs"),
        ({"before": [0.1, 0.2], "after": [0.1, 0.2, 0.3]}, "after: expected 2 CTRs"),
        ({"switch_at": 10}, r"switch_at: expected a step in \[1, 9\]"),
        ({"switch_at": 0}, "switch_at: expected a positive integer"),
        ({"horizon": 2.5}, "horizon"),
    ],
)
def test_switching_ctrs_bad_input(kwargs, match):
    args = {"before": [0.1, 0.2], "after": [0.2, 0.1], "horizon": 10, "switch_at": 5} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        switching_ctrs(**args)


def test_drifting_ctrs_average_to_base_over_a_period():
    base = [0.02, 0.04, 0.06]
    s = drifting_ctrs(base, amplitude=0.5, period=1000, horizon=3000, random_state=1)
    assert s.shape == (3000, 3)
    np.testing.assert_allclose(s.mean(axis=0), base, rtol=1e-3)
    np.testing.assert_allclose(s.max(axis=0) / np.array(base), 1.5, rtol=1e-3)
    np.testing.assert_allclose(s.min(axis=0) / np.array(base), 0.5, rtol=1e-3)
    # with equal means, every creative is the best at some time
    same = drifting_ctrs([0.04] * 3, amplitude=0.5, period=1000, horizon=1000, random_state=1)
    assert set(np.unique(same.argmax(axis=1))) == {0, 1, 2}


def test_drifting_ctrs_is_seeded():
    a = drifting_ctrs([0.02, 0.04], 0.3, 500, 100, random_state=7)
    b = drifting_ctrs([0.02, 0.04], 0.3, 500, 100, random_state=7)
    c = drifting_ctrs([0.02, 0.04], 0.3, 500, 100, random_state=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_drifting_ctrs_bad_input():
    with pytest.raises(ValueError, match=r"amplitude: expected a value in \[0, 1\]"):
        drifting_ctrs([0.1, 0.2], 1.5, 100, 100)
    with pytest.raises(ValueError, match="period"):
        drifting_ctrs([0.1, 0.2], 0.5, 0, 100)
    with pytest.raises(ValueError, match="base"):
        drifting_ctrs([0.1, -0.2], 0.5, 100, 100)


def test_simulate_logged_bandit_matches_its_truth():
    ctrs = [0.1, 0.3, 0.6]
    probs = [0.5, 0.3, 0.2]
    log = simulate_logged_bandit(ctrs, probs, n_rounds=60_000, random_state=3)
    assert list(log.columns) == ["action", "propensity", "reward"]
    assert len(log) == 60_000
    shares = log["action"].value_counts(normalize=True).sort_index()
    np.testing.assert_allclose(shares, probs, atol=0.01)
    np.testing.assert_allclose(log.groupby("action")["reward"].mean(), ctrs, atol=0.015)
    np.testing.assert_allclose(log["propensity"], np.array(probs)[log["action"]])
    assert set(log["reward"].unique()) <= {0, 1}


def test_simulate_logged_bandit_is_seeded():
    a = simulate_logged_bandit([0.1, 0.2], [0.5, 0.5], 100, random_state=1)
    b = simulate_logged_bandit([0.1, 0.2], [0.5, 0.5], 100, random_state=1)
    assert a.equals(b)


@pytest.mark.parametrize(
    ("ctrs", "probs", "n", "match"),
    [
        ([0.1, 0.2], [0.5, 0.6], 10, "sum to 1"),
        ([0.1, 0.2], [1.0], 10, "logging_probs: expected 2 probabilities"),
        ([0.1, 2.0], [0.5, 0.5], 10, "ctrs: expected probabilities"),
        ([0.1, 0.2], [0.5, 0.5], 0, "n_rounds"),
    ],
)
def test_simulate_logged_bandit_bad_input(ctrs, probs, n, match):
    with pytest.raises(ValueError, match=match):
        simulate_logged_bandit(ctrs, probs, n)
