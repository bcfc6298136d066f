"""Tests of pmkt_lessons.serving.monitoring: latency percentiles, PSI drift and the request monitor."""

import numpy as np
import pytest

from pmkt_lessons.serving.monitoring import (
    PSI_FLOOR,
    RequestMonitor,
    latency_summary,
    population_stability_index,
    psi_against,
    score_reference,
)


def test_latency_summary_matches_numpy_percentiles():
    rng = np.random.default_rng(0)
    seconds = rng.exponential(0.005, 1000)
    out = latency_summary(seconds)
    assert out["count"] == 1000
    for q in (50, 95, 99):
        assert out[f"p{q}_ms"] == pytest.approx(np.percentile(seconds, q) * 1000)
    assert out["max_ms"] == pytest.approx(seconds.max() * 1000)
    assert out["p50_ms"] < out["p95_ms"] < out["p99_ms"] <= out["max_ms"]


def test_psi_by_hand():
    # reference quartiles 0.25, 0.5, 0.75 -> bins with shares 1/4 each
    reference = {"edges": [0.25, 0.5, 0.75], "shares": [0.25, 0.25, 0.25, 0.25]}
    current = np.array([0.1, 0.1, 0.3, 0.9])  # shares 1/2, 1/4, 0, 1/4
    cur = np.array([0.5, 0.25, PSI_FLOOR, 0.25])
    ref = np.full(4, 0.25)
    expected = np.sum((cur - ref) * np.log(cur / ref))
    assert psi_against(reference, current) == pytest.approx(expected)


def test_psi_is_small_for_the_same_distribution_and_large_after_a_shift():
    rng = np.random.default_rng(1)
    ref = rng.beta(2, 30, 20_000)
    assert population_stability_index(ref, rng.beta(2, 30, 20_000)) < 0.01
    assert population_stability_index(ref, rng.beta(4, 30, 20_000)) > 0.25


def test_score_reference_cuts_at_quantiles():
    scores = np.arange(1, 101) / 100
    ref = score_reference(scores, n_bins=4)
    np.testing.assert_allclose(ref["edges"], np.quantile(scores, [0.25, 0.5, 0.75]))
    assert sum(ref["shares"]) == pytest.approx(1.0)
    assert ref["shares"] == pytest.approx([0.25, 0.25, 0.25, 0.25])


def test_inputs_are_not_changed():
    scores = np.array([0.3, 0.1, 0.2, 0.4])
    before = scores.copy()
    score_reference(scores, 2)
    population_stability_index(scores, scores)
    latency_summary(scores)
    np.testing.assert_array_equal(scores, before)


def test_request_monitor_counts_errors_latency_and_drift():
    ref_scores = np.random.default_rng(2).random(1000)
    monitor = RequestMonitor(window=100, score_reference=score_reference(ref_scores))
    for status in (200, 200, 422, 500):
        monitor.record("/score", status, 0.01)
    monitor.record_scores(ref_scores)
    snap = monitor.snapshot()
    route = snap["routes"]["/score"]
    assert (route["requests"], route["server_errors"], route["client_errors"]) == (4, 1, 1)
    assert route["error_rate"] == 0.25 and route["p50_ms"] == pytest.approx(10.0)
    assert snap["scores"]["count"] == 1000 and snap["scores"]["psi"] < 1e-9


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: latency_summary([]), ValueError, "seconds: expected at least one"),
        (lambda: latency_summary([-1.0]), ValueError, "seconds"),
        (lambda: score_reference([np.nan]), ValueError, "scores"),
        (lambda: score_reference([0.1], 0), ValueError, "n_bins"),
        (lambda: psi_against([1], [0.1]), TypeError, "reference"),
        (lambda: psi_against({"edges": [0.5], "shares": [1.0]}, [0.1]), ValueError, "reference"),
        (lambda: psi_against({"edges": [0.5], "shares": [0.5, 0.5]}, []), ValueError, "current"),
        (lambda: RequestMonitor(window=0), ValueError, "window"),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
