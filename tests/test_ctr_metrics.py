"""Log loss, normalised entropy, calibration, expected AUC and the Bayes ceiling."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.metrics import roc_auc_score

from pmkt_lessons.ctr.metrics import (
    bayes_ceiling,
    binary_entropy,
    calibration_ratios,
    calibration_table,
    check_labels_and_probabilities,
    ctr_scores,
    expected_auc,
    expected_calibration_error,
    expected_log_loss,
    log_loss,
    normalized_entropy,
)


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(0)
    p = rng.beta(1, 15, 20_000)
    y = (rng.random(p.size) < p).astype(int)
    return y, p


def test_log_loss_by_hand_and_against_sklearn(sample):
    assert log_loss([1, 0], [0.8, 0.4]) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    y, p = sample
    assert log_loss(y, p) == pytest.approx(sk_log_loss(y, p), rel=1e-12)
    assert np.isfinite(log_loss([1], [0.0]))  # clipped, not infinite


def test_normalized_entropy_is_one_for_the_base_rate(sample):
    y, _ = sample
    assert normalized_entropy(y, np.full(y.size, y.mean())) == pytest.approx(1.0)
    assert binary_entropy(0.5) == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="rate"):
        binary_entropy(1.0)
    with pytest.raises(ValueError, match="y_true"):
        normalized_entropy([0, 0], [0.1, 0.2])


def test_calibration_table_uniform_matches_sklearn(sample):
    y, p = sample
    table = calibration_table(y, p, n_bins=10, strategy="uniform")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(table["observed_rate"], prob_true)
    np.testing.assert_allclose(table["mean_predicted"], prob_pred)
    assert table["rows"].sum() == y.size and table["clicks"].sum() == y.sum()


def test_calibration_table_quantile_by_hand():
    table = calibration_table([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], n_bins=2)
    assert table["rows"].tolist() == [2, 2]
    assert table["observed_rate"].tolist() == [0.5, 0.5]
    assert table["mean_predicted"].tolist() == pytest.approx([0.15, 0.35])
    with pytest.raises(ValueError, match="strategy"):
        calibration_table([0, 1], [0.1, 0.2], strategy="weird")
    with pytest.raises(ValueError, match="n_bins"):
        calibration_table([0, 1], [0.1, 0.2], n_bins=0)


def test_expected_calibration_error_small_when_calibrated(sample):
    y, p = sample
    assert expected_calibration_error(y, p) < 0.01
    assert expected_calibration_error(y, np.clip(p * 2, 0, 1)) > 0.03


def test_expected_auc_by_hand():
    # pairs: 0.5>0.1: .5*.9, 0.9>0.1: .9*.9, 0.9>0.5: .9*.5; all pairs: 1.5*1.5 - .43
    assert expected_auc([0.1, 0.5, 0.9]) == pytest.approx(1.71 / 1.82)
    assert expected_auc([0.3, 0.3, 0.3]) == pytest.approx(0.5)
    assert expected_auc([0.1, 0.9], score=[1.0, 0.0]) == pytest.approx(0.01 / 0.82)


def test_expected_auc_matches_simulated_labels(sample):
    _, p = sample
    rng = np.random.default_rng(1)
    aucs = [roc_auc_score(rng.random(p.size) < p, p) for _ in range(20)]
    assert expected_auc(p) == pytest.approx(np.mean(aucs), abs=0.004)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 0.99), min_size=2, max_size=30))
def test_expected_auc_property_between_0_and_1_and_score_reversal(p):
    p = np.array(p)
    if np.ptp(p) == 0:
        return
    auc = expected_auc(p)
    assert 0.5 - 1e-12 <= auc <= 1.0
    assert expected_auc(p, score=-p) == pytest.approx(1.0 - auc)


def test_bayes_ceiling_and_gaps(sample):
    y, p = sample
    ceiling = bayes_ceiling(y, p)
    assert ceiling["auc"] == pytest.approx(roc_auc_score(y, p))
    assert ceiling["expected_log_loss"] == pytest.approx(expected_log_loss(p))
    assert abs(ceiling["log_loss"] - ceiling["expected_log_loss"]) < 0.01
    noisy = np.clip(p + np.random.default_rng(2).normal(0, 0.03, p.size), 0, 1)
    scores = ctr_scores(y, noisy, p)
    assert scores["auc_gap"] > 0 and scores["log_loss_gap"] > 0
    assert set(ctr_scores(y, p)) == {"auc", "log_loss", "normalized_entropy"}
    assert ctr_scores(y, p, p)["auc_gap"] == 0.0


@pytest.mark.parametrize(
    ("y", "p", "arg"),
    [
        ([0, 1], [0.2, 1.2], "p"),
        ([0, 1], [-0.1, 0.5], "p"),
        ([0, 1], [np.nan, 0.5], "p"),
        ([0, 2], [0.2, 0.5], "y_true"),
        ([0, 1], [0.2], "p"),
        ([], [], "y_true"),
    ],
)
def test_bad_input_names_the_argument(y, p, arg):
    with pytest.raises(ValueError, match=arg):
        check_labels_and_probabilities(y, p)
    with pytest.raises(ValueError, match=arg):
        log_loss(y, p)


def test_bad_p_true_and_score():
    with pytest.raises(ValueError, match="p_true"):
        expected_auc([0.2, 1.5])
    with pytest.raises(ValueError, match="p_true"):
        bayes_ceiling([0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match="score"):
        expected_auc([0.2, 0.5], score=[1.0])
    with pytest.raises(ValueError, match="p_true"):
        expected_auc([0.0, 0.0])


def test_no_mutation(sample):
    y, p = sample
    y2, p2 = pd.Series(y.copy()), p.copy()
    ctr_scores(y2, p2, p2)
    calibration_table(y2, p2)
    expected_auc(p2)
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(p2, p)


def test_calibration_ratios_match_statsmodels_wilson(sample):
    from statsmodels.stats.proportion import proportion_confint

    y, p = sample
    before_y, before_p = y.copy(), p.copy()
    table = calibration_ratios(y, p, n_bins=5, confidence=0.9)
    base = calibration_table(y, p, n_bins=5)
    pd.testing.assert_frame_equal(table[base.columns], base)
    low, high = proportion_confint(base["clicks"], base["rows"], alpha=0.1, method="wilson")
    np.testing.assert_allclose(table["ratio_low"], low / base["mean_predicted"])
    np.testing.assert_allclose(table["ratio_high"], high / base["mean_predicted"])
    np.testing.assert_allclose(table["ratio"], base["observed_rate"] / base["mean_predicted"])
    np.testing.assert_array_equal(y, before_y)
    np.testing.assert_array_equal(p, before_p)


def test_calibration_ratios_see_a_twofold_miss_the_absolute_gap_hides():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.002, 0.004, 40_000)
    y = (rng.random(p.size) < 2.5 * p).astype(int)  # every impression clicked 2.5x as often as predicted
    table = calibration_ratios(y, p, n_bins=2)
    assert ((table["observed_rate"] - table["mean_predicted"]).abs() < 0.01).all()
    assert (table["ratio_low"] > 1.8).all() and (table["ratio_high"] < 3.3).all()
    assert ((table["ratio_low"] < 2.5) & (table["ratio_high"] > 2.5)).all()


def test_calibration_ratios_reject_bad_input():
    with pytest.raises(ValueError, match="confidence"):
        calibration_ratios([0, 1], [0.1, 0.2], confidence=1.0)
    with pytest.raises(TypeError, match="confidence: expected a number, got bool"):
        calibration_ratios([0, 1], [0.1, 0.2], confidence=True)
    with pytest.raises(TypeError, match="confidence: expected a number, got str"):
        calibration_ratios([0, 1], [0.1, 0.2], confidence="0.9")
    with pytest.raises(ValueError, match="confidence: expected a finite number"):
        calibration_ratios([0, 1], [0.1, 0.2], confidence=np.inf)
    with pytest.raises(ValueError, match="p"):
        calibration_ratios([0, 1, 0, 1], [0.0, 0.0, 0.5, 0.5], n_bins=2)
    with pytest.raises(ValueError, match="y_true"):
        calibration_ratios([0, 2], [0.1, 0.2])
