"""Paired bootstrap comparisons: known differences recovered, identical models within noise."""

import numpy as np
import pytest
from scipy import stats

from pmkt_lessons.evaluation import paired_auc_difference, paired_bootstrap


def test_known_difference_is_recovered():
    rng = np.random.default_rng(0)
    base = rng.normal(size=2000)
    a = base + 0.3 + rng.normal(scale=0.5, size=2000)
    b = base + rng.normal(scale=0.5, size=2000)
    result = paired_bootstrap(a, b, random_state=1)
    assert result.low < 0.3 < result.high
    assert result.verdict == "A better"
    assert result.difference == pytest.approx(np.mean(a - b))


def test_identical_models_give_interval_containing_zero():
    rng = np.random.default_rng(2)
    a = rng.random(500)
    b = a + rng.normal(scale=0.01, size=500)
    result = paired_bootstrap(a, b, random_state=3)
    assert result.low <= 0 <= result.high
    assert result.verdict == "within noise"
    same = paired_bootstrap(a, a)
    assert (same.difference, same.low, same.high) == (0.0, 0.0, 0.0)


def test_matches_scipy_paired_bootstrap_and_is_seeded():
    rng = np.random.default_rng(4)
    a, b = rng.random(300), rng.random(300)
    ours = paired_bootstrap(a, b, n_resamples=999, random_state=5)
    ref = stats.bootstrap((a - b,), np.mean, n_resamples=999, method="percentile",
                          random_state=np.random.default_rng(5)).confidence_interval
    assert ours.low == pytest.approx(ref.low, abs=0.01)
    assert ours.high == pytest.approx(ref.high, abs=0.01)
    assert paired_bootstrap(a, b, random_state=5) == paired_bootstrap(a, b, random_state=5)


def test_large_inputs_resample_in_blocks_with_the_same_draws():
    # 30,000 rows x 2,000 resamples would be ~2 GB at once; blocks give the very same interval
    rng = np.random.default_rng(6)
    a, b = rng.random(30_000), rng.random(30_000)
    ours = paired_bootstrap(a, b, n_resamples=300, random_state=8)
    ref = stats.bootstrap((a - b,), np.mean, n_resamples=300, method="percentile",
                          random_state=np.random.default_rng(8)).confidence_interval
    assert (ours.low, ours.high) == (ref.low, ref.high)


def test_pairing_narrows_the_interval():
    rng = np.random.default_rng(6)
    difficulty = rng.normal(scale=5, size=400)
    a = difficulty + 0.2 + rng.normal(scale=0.3, size=400)
    b = difficulty + rng.normal(scale=0.3, size=400)
    paired = paired_bootstrap(a, b, random_state=0)
    unpaired = stats.ttest_ind(a, b)
    assert paired.verdict == "A better" and unpaired.pvalue > 0.05


def test_auc_difference():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 1000)
    good = y + rng.normal(scale=0.8, size=1000)
    bad = y + rng.normal(scale=3.0, size=1000)
    result = paired_auc_difference(y, good, bad, n_resamples=300, random_state=0)
    assert result.verdict == "A better"
    assert paired_auc_difference(y, good, good, n_resamples=200).verdict == "within noise"


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        ("abc", [1, 2], TypeError, "a: expected"),
        ([1, 2, 3], [1, 2], ValueError, "b: expected the same length"),
        ([1, np.nan], [1, 2], ValueError, "a: expected finite"),
        ([[1, 2]], [[1, 2]], ValueError, "a: expected a 1-d"),
        ([1], [1], ValueError, "at least 2"),
        (5, [1, 2], TypeError, "a: expected"),
    ],
)
def test_bad_input(a, b, error, match):
    with pytest.raises(error, match=match):
        paired_bootstrap(a, b)


def test_bad_settings_and_no_mutation():
    a = np.array([0.1, 0.2, 0.3])
    b = np.array([0.0, 0.2, 0.1])
    with pytest.raises(ValueError, match="confidence"):
        paired_bootstrap(a, b, confidence=1.5)
    with pytest.raises(ValueError, match="n_resamples"):
        paired_bootstrap(a, b, n_resamples=10)
    with pytest.raises(ValueError, match="y_true"):
        paired_auc_difference([0, 0, 0], a, b)
    paired_bootstrap(a, b)
    assert a.tolist() == [0.1, 0.2, 0.3]


def test_rank_auc_equals_roc_auc_score_with_ties():
    from sklearn.metrics import roc_auc_score

    from pmkt_lessons.evaluation import _rank_auc

    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 500)
    for score in (rng.random(500), rng.integers(0, 4, 500).astype(float), y + rng.random(500)):
        assert _rank_auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
