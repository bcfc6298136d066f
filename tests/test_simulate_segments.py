"""Tests of pmkt_lessons.simulate.segments: a seeded customer base with planted segments."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from pmkt_lessons import features as F
from pmkt_lessons import segments as S
from pmkt_lessons.simulate.segments import (
    PLANTED_SEGMENTS,
    WINDOW_DAYS,
    SimulatedSegments,
    simulate_segments,
)


@pytest.fixture(scope="module")
def sim():
    return simulate_segments(3000, random_state=42)


def test_shape_columns_and_sizes(sim):
    assert isinstance(sim, SimulatedSegments)
    assert list(sim.features.columns) == [F.RECENCY, F.FREQUENCY, F.MONETARY, F.TENURE]
    assert len(sim.features) == len(sim.labels) == 3000
    assert sim.features.index.equals(sim.labels.index)
    sizes = sim.labels.value_counts().reindex(PLANTED_SEGMENTS.index)
    np.testing.assert_array_equal(sizes.to_numpy(), PLANTED_SEGMENTS["share"].to_numpy() * 3000)
    odd = simulate_segments(1001, random_state=0).labels.value_counts().reindex(PLANTED_SEGMENTS.index)
    assert odd.sum() == 1001
    assert (np.abs(odd.to_numpy() - PLANTED_SEGMENTS["share"].to_numpy() * 1001) < 1).all()


def test_values_respect_the_window_and_definitions(sim):
    f = sim.features
    assert f[F.RECENCY].between(1, WINDOW_DAYS).all()
    assert (f[F.TENURE] >= f[F.RECENCY]).all() and (f[F.TENURE] <= WINDOW_DAYS).all()
    one_timers = f[F.FREQUENCY] == 1
    assert (f.loc[one_timers, F.TENURE] == f.loc[one_timers, F.RECENCY]).all()
    assert (f[F.FREQUENCY] >= 1).all() and (f[F.MONETARY] > 0).all()
    assert not f.isna().any().any()


def test_segment_medians_follow_the_spec(sim):
    medians = sim.features.groupby(sim.labels, observed=True).median()
    spec = PLANTED_SEGMENTS
    np.testing.assert_allclose(medians[F.RECENCY], spec["recency"], rtol=0.15)
    assert medians.loc["champions", F.FREQUENCY] == pytest.approx(12, abs=1)
    assert (sim.features.loc[sim.labels.isin(["new one-timers", "lapsed one-timers"]), F.FREQUENCY] == 1).all()
    basket = (sim.features[F.MONETARY] / sim.features[F.FREQUENCY]).groupby(sim.labels, observed=True).median()
    np.testing.assert_allclose(basket, spec["basket_value"], rtol=0.1)


def test_seeded_and_reproducible():
    a, b = simulate_segments(500, random_state=7), simulate_segments(500, random_state=7)
    pd.testing.assert_frame_equal(a.features, b.features)
    pd.testing.assert_series_equal(a.labels, b.labels)
    c = simulate_segments(500, random_state=8)
    assert not a.features.equals(c.features)


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_the_lesson_pipeline_recovers_the_planted_segments(seed):
    sim = simulate_segments(3000, random_state=seed)
    X = F.scale_features(sim.features, F.CLUSTER_FEATURES)
    labels = S.kmeans_labels(X, 4)
    assert adjusted_rand_score(sim.labels, labels) >= 0.9
    assert S.kmeans_scan(X, range(2, 8))["silhouette"].idxmax() == 4


def test_overlapping_segments_are_harder_to_recover():
    sim = simulate_segments(3000, random_state=0, sigma=1.2)
    labels = S.kmeans_labels(F.scale_features(sim.features, F.CLUSTER_FEATURES), 4)
    assert adjusted_rand_score(sim.labels, labels) < 0.7


def test_bad_input():
    with pytest.raises(ValueError, match="n_customers"):
        simulate_segments(3)
    with pytest.raises(TypeError, match="n_customers"):
        simulate_segments(100.0)
    with pytest.raises(ValueError, match="sigma"):
        simulate_segments(100, sigma=0)
    with pytest.raises(ValueError, match="sigma"):
        simulate_segments(100, sigma=np.nan)
    with pytest.raises(TypeError, match="random_state"):
        simulate_segments(100, random_state="a")


def test_spec_is_a_copy():
    sim = simulate_segments(100, random_state=0)
    sim.spec.loc["champions", "recency"] = 999.0
    assert PLANTED_SEGMENTS.loc["champions", "recency"] == 8.0
