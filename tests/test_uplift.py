"""Tests for pmkt_lessons.uplift (lesson 16)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from pmkt_lessons import uplift as up
from pmkt_lessons.data import load_hillstrom
from pmkt_lessons.simulate.uplift import FEATURES, simulate_uplift_customers

LEARNERS = [up.TwoModelUplift, up.SingleModelUplift, up.ClassTransformationUplift]


@pytest.fixture(scope="module")
def customers():
    df = simulate_uplift_customers(16_000, random_state=11)
    return df.iloc[:8_000].reset_index(drop=True), df.iloc[8_000:].reset_index(drop=True)


def _toy():
    """Six customers ranked by score; worked by hand in the tests below."""
    y = np.array([1, 0, 1, 0, 0, 1])
    t = np.array([1, 0, 1, 1, 0, 0])
    score = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.1])
    return y, t, score


# --- learners --------------------------------------------------------------------------


@pytest.mark.parametrize("learner", LEARNERS)
def test_learners_recover_the_true_uplift(customers, learner):
    train, test = customers
    model = learner().fit(train[list(FEATURES)], train["treatment"], train["y"])
    pred = model.predict_uplift(test[list(FEATURES)])
    truth = test["true_uplift"].to_numpy()
    assert pred.shape == truth.shape
    assert np.corrcoef(pred, truth)[0, 1] > 0.8
    top, bottom = pred >= np.quantile(pred, 0.9), pred <= np.quantile(pred, 0.1)
    assert truth[top].mean() > 0.1 > -0.1 > truth[bottom].mean()


@pytest.mark.parametrize("learner", [up.TwoModelUplift, up.SingleModelUplift])
def test_predicted_outcomes_match_the_uplift(customers, learner):
    train, test = customers
    model = learner().fit(train[list(FEATURES)], train["treatment"], train["y"])
    outcomes = model.predict_outcomes(test[list(FEATURES)].iloc[:50])
    assert list(outcomes.columns) == ["p_control", "p_treatment"]
    np.testing.assert_allclose(
        outcomes["p_treatment"] - outcomes["p_control"], model.predict_uplift(test[list(FEATURES)].iloc[:50])
    )


@pytest.mark.parametrize("learner", LEARNERS)
def test_constant_effect_without_features(learner):
    # the e-mail adds 20 points for everyone; the feature is pure noise
    rng = np.random.default_rng(0)
    n = 20_000
    X = rng.normal(size=(n, 1))
    t = rng.integers(0, 2, n)
    y = (rng.uniform(size=n) < 0.2 + 0.2 * t).astype(int)
    pred = learner().fit(X, t, y).predict_uplift(X)
    assert pred.mean() == pytest.approx(0.2, abs=0.02)
    assert pred.std() < 0.02


def test_class_transformation_reweights_an_unbalanced_split():
    df = simulate_uplift_customers(20_000, treatment_share=0.2, random_state=3)
    model = up.ClassTransformationUplift().fit(df[list(FEATURES)], df["treatment"], df["y"])
    pred = model.predict_uplift(df[list(FEATURES)])
    assert model.treatment_share_ == pytest.approx(0.2, abs=0.01)
    assert pred.mean() == pytest.approx(df["true_uplift"].mean(), abs=0.02)
    assert np.corrcoef(pred, df["true_uplift"])[0, 1] > 0.7


@pytest.mark.parametrize("learner", LEARNERS)
def test_learners_do_not_mutate_and_follow_sklearn(customers, learner):
    train, _ = customers
    X, t, y = train[list(FEATURES)], train["treatment"], train["y"]
    before = (X.copy(), t.copy(), y.copy())
    model = learner(estimator=LogisticRegression(C=0.5, max_iter=500))
    with pytest.raises(NotFittedError):
        model.predict_uplift(X)
    assert model.fit(X, t, y) is model
    assert model.n_features_in_ == len(FEATURES)
    pd.testing.assert_frame_equal(X, before[0])
    pd.testing.assert_series_equal(t, before[1])
    pd.testing.assert_series_equal(y, before[2])
    assert model.get_params()["estimator"].C == 0.5


@pytest.mark.parametrize("learner", LEARNERS)
def test_learners_bad_input(customers, learner):
    train, _ = customers
    X, t, y = train[list(FEATURES)], train["treatment"].to_numpy(), train["y"].to_numpy()
    with pytest.raises(ValueError, match="treatment.*binary"):
        learner().fit(X, t * 2, y)
    with pytest.raises(ValueError, match="treatment.*both"):
        learner().fit(X, np.ones_like(t), y)
    with pytest.raises(ValueError, match="treatment.*NaN"):
        learner().fit(X, np.where(np.arange(len(t)) == 0, np.nan, t), y)
    with pytest.raises(ValueError, match="y.*binary"):
        learner().fit(X, t, train["p_control"])
    with pytest.raises(ValueError, match="y.*one per row"):
        learner().fit(X, t, y[:-1])
    with pytest.raises(ValueError, match="y.*control"):
        learner().fit(X, t, np.where(t == 0, 0, y))
    nan = X.copy()
    nan.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="X.*NaN"):
        learner().fit(nan, t, y)
    with pytest.raises(ValueError, match="X"):
        learner().fit(X.iloc[:0], t[:0], y[:0])
    with pytest.raises(TypeError, match="X"):
        learner().fit(X.assign(city="Paris"), t, y)
    with pytest.raises(TypeError, match="estimator"):
        learner(estimator=LinearSVC()).fit(X, t, y)


def test_class_transformation_needs_sample_weight(customers):
    train, _ = customers
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(TypeError, match="estimator.*sample_weight"):
        up.ClassTransformationUplift(pipe).fit(train[list(FEATURES)], train["treatment"], train["y"])


def test_single_model_without_interactions_has_one_more_column(customers):
    train, _ = customers
    with_ = up.SingleModelUplift().fit(train[list(FEATURES)], train["treatment"], train["y"])
    without = up.SingleModelUplift(interactions=False).fit(train[list(FEATURES)], train["treatment"], train["y"])
    assert with_.model_.n_features_in_ == 2 * len(FEATURES) + 1
    assert without.model_.n_features_in_ == len(FEATURES) + 1


# --- uplift_curve and qini -------------------------------------------------------------


def test_uplift_curve_by_hand():
    y, t, score = _toy()
    curve = up.uplift_curve(y, t, score)
    assert curve["n_targeted"].tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert curve["n_treated"].tolist() == [0, 1, 1, 2, 3, 3, 3]
    assert curve["responders_treated"].tolist() == [0, 1, 1, 2, 2, 2, 2]
    assert curve["responders_control"].tolist() == [0, 0, 0, 0, 0, 0, 1]
    # top 6: treated 2/3, control 1/3 -> uplift 1/3; qini = 2 - 1 * 3 / 3 = 1
    assert curve["uplift"].iloc[-1] == pytest.approx(1 / 3)
    assert curve["incremental"].iloc[-1] == pytest.approx(2.0)
    assert curve["qini"].tolist() == pytest.approx([0, 1, 1, 2, 2, 2, 1])
    # top 1 has no control customer: its rate counts as 0
    assert curve["uplift"].iloc[1] == pytest.approx(1.0)


def test_qini_coefficient_by_hand():
    y, t, score = _toy()
    # trapezoids of [0, 1, 1, 2, 2, 2, 1] at steps of 1/6: (0.5 + 1 + 1.5 + 2 + 2 + 1.5) / 6
    model_area = 8.5 / 6
    assert up.qini_coefficient(y, t, score) == pytest.approx(model_area - 0.5)


def test_tied_scores_enter_together():
    y, t, _ = _toy()
    curve = up.uplift_curve(y, t, np.zeros(6))
    assert curve["n_targeted"].tolist() == [0, 6]
    assert up.qini_coefficient(y, t, np.zeros(6)) == pytest.approx(0.0)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_qini_does_not_depend_on_row_order(seed):
    rng = np.random.default_rng(seed)
    n = 60
    y, t = rng.integers(0, 2, n), np.r_[0, 1, rng.integers(0, 2, n - 2)]
    score = rng.integers(0, 5, n).astype(float)  # many ties
    perm = rng.permutation(n)
    assert up.qini_coefficient(y, t, score) == pytest.approx(up.qini_coefficient(y[perm], t[perm], score[perm]))
    curve = up.uplift_curve(y, t, score)
    assert curve["fraction"].iloc[-1] == 1.0
    assert curve["n_treated"].iloc[-1] == t.sum()


def test_qini_ranks_the_truth_above_random(customers):
    _, test = customers
    y, t = test["y"], test["treatment"]
    oracle = up.qini_coefficient(y, t, test["true_uplift"])
    backwards = up.qini_coefficient(y, t, -test["true_uplift"])
    assert oracle > 50 > -50 > backwards
    assert up.qini_coefficient(y, t, test["true_uplift"] * 10 + 3) == pytest.approx(oracle)


def test_qini_interval_contains_estimate_and_is_seeded(customers):
    _, test = customers
    y, t, s = test["y"], test["treatment"], test["true_uplift"]
    result = up.qini_interval(y, t, s, n_resamples=200, random_state=1)
    assert result.estimate == pytest.approx(up.qini_coefficient(y, t, s))
    assert result.low < result.estimate < result.high
    assert up.qini_interval(y, t, s, n_resamples=200, random_state=1) == result
    same = up.qini_interval(y, t, s, baseline_score=s, n_resamples=50)
    assert same == (0.0, 0.0, 0.0)
    diff = up.qini_interval(y, t, s, baseline_score=-s, n_resamples=200)
    assert diff.low > 0


def test_resampled_qini_equals_qini_of_the_resampled_customers():
    rng = np.random.default_rng(4)
    n = 300
    y, t = rng.integers(0, 2, n), rng.integers(0, 2, n)
    score = np.round(rng.normal(size=n), 1)  # with ties
    statistic = up._resampled_qini(y, t, score)
    order = np.argsort(-score, kind="stable")
    idx = rng.integers(0, n, (3, n))  # positions in the ranking
    got = statistic(idx)
    for row in range(3):
        pick = order[idx[row]]
        assert got[row] == pytest.approx(up.qini_coefficient(y[pick], t[pick], score[pick]))
    assert statistic(np.arange(n))[0] == pytest.approx(up.qini_coefficient(y, t, score))


def test_evaluation_bad_input():
    y, t, score = _toy()
    with pytest.raises(ValueError, match="score.*6 values"):
        up.uplift_curve(y, t, score[:-1])
    with pytest.raises(ValueError, match="score.*NaN"):
        up.qini_coefficient(y, t, np.r_[score[:-1], np.nan])
    with pytest.raises(ValueError, match="treatment.*binary"):
        up.uplift_curve(y, t + 1, score)
    with pytest.raises(ValueError, match="treatment.*both"):
        up.uplift_curve(y, np.ones(6), score)
    with pytest.raises(ValueError, match="y.*binary"):
        up.qini_coefficient(y * 3, t, score)
    with pytest.raises(ValueError, match="confidence"):
        up.qini_interval(y, t, score, confidence=2)
    with pytest.raises(ValueError, match="baseline_score"):
        up.qini_interval(y, t, score, baseline_score=score[:2])


# --- policy value, targeting table, groups ----------------------------------------------


def test_policy_value_everyone_and_no_one():
    y, t, _ = _toy()
    assert up.policy_value(y, t, np.ones(6, bool)) == pytest.approx(2 / 3)
    assert up.policy_value(y, t, np.zeros(6, bool)) == pytest.approx(1 / 3)
    # treat customers 0 and 1: customer 0 (treated, y=1) and the control customers 4, 5 match
    # weights: treated 1 / 0.5, control 1 / 0.5 -> (1 + 0 + 1) / 3
    target = np.array([1, 1, 0, 0, 0, 0], bool)
    assert up.policy_value(y, t, target) == pytest.approx(2 / 3)
    # with a stated propensity of 0.25 the treated weigh 4, the control 4 / 3
    assert up.policy_value(y, t, target, propensity=0.25) == pytest.approx((4 + 4 / 3) / (4 + 8 / 3))


def test_policy_value_of_the_true_best_policy(customers):
    _, test = customers
    y, t = test["y"], test["treatment"]
    best = up.policy_value(y, t, test["true_uplift"] > 0)
    assert best > up.policy_value(y, t, np.ones(len(t), bool))
    assert best > up.policy_value(y, t, np.zeros(len(t), bool))
    truth = np.where(test["true_uplift"] > 0, test["p_treatment"], test["p_control"]).mean()
    assert best == pytest.approx(truth, abs=0.015)


def test_targeting_table_by_hand():
    y, t, score = _toy()
    table = up.targeting_table(y, t, score, [0, 1 / 3, 1], value_per_response=10, cost_per_treatment=1)
    assert table["n_targeted"].tolist() == [0, 2, 6]
    assert table["value"].tolist() == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert table["gain_vs_none"].iloc[0] == 0 and table["gain_vs_all"].iloc[-1] == 0
    assert table["net_value"].tolist() == pytest.approx([10 / 3, 20 / 3 - 1 / 3, 20 / 3 - 1])
    assert table["net_gain_vs_none"].iloc[0] == 0
    assert "net_value" not in up.targeting_table(y, t, score, [0.5]).columns


def test_targeting_table_bad_input():
    y, t, score = _toy()
    with pytest.raises(ValueError, match="fractions"):
        up.targeting_table(y, t, score, [0.5, 1.5])
    with pytest.raises(ValueError, match="cost_per_treatment"):
        up.targeting_table(y, t, score, cost_per_treatment=-1)
    with pytest.raises(ValueError, match="target"):
        up.policy_value(y, t, np.ones(5, bool))
    with pytest.raises(ValueError, match="propensity"):
        up.policy_value(y, t, np.ones(6, bool), propensity=1.0)


def test_uplift_by_group_by_hand():
    y, t, score = _toy()
    groups = up.uplift_by_group(y, t, score, n_groups=2)
    # group 1: customers 0, 1, 2 (treated 0, 2 both respond; control 1 does not)
    assert groups.loc[1, "n_treated"] == 2 and groups.loc[1, "n_control"] == 1
    assert groups.loc[1, "uplift"] == pytest.approx(1.0)
    # group 2: treated 3 (no), control 4 (no), 5 (yes)
    assert groups.loc[2, "uplift"] == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="n_groups"):
        up.uplift_by_group(y, t, score, n_groups=7)


# --- hillstrom_features ----------------------------------------------------------------


def test_hillstrom_features():
    df = load_hillstrom().head(500)
    before = df.copy()
    X = up.hillstrom_features(df)
    pd.testing.assert_frame_equal(df, before)
    assert X.shape == (500, 11)
    assert X.columns[:5].tolist() == list(up.HILLSTROM_NUMERIC)
    np.testing.assert_allclose(X["history"], np.log1p(df["history"]))
    assert (X.filter(like="channel_").sum(axis=1) == 1).all()
    assert "visit" not in X.columns and "segment" not in X.columns
    with pytest.raises(ValueError, match="missing"):
        up.hillstrom_features(df.drop(columns="channel"))


# --- normalised Qini and threads (issue 11) ---------------------------------------------


@pytest.mark.crosscheck
@pytest.mark.filterwarnings("ignore::FutureWarning")  # sklift calls a deprecated scikit-learn helper
def test_normalised_qini_matches_scikit_uplift(customers):
    from sklift.metrics import qini_auc_score

    _, test = customers
    y, t = test["y"].to_numpy(), test["treatment"].to_numpy()
    for score in (test["true_uplift"].to_numpy(), -test["true_uplift"].to_numpy(),
                  np.random.default_rng(0).uniform(size=len(y))):
        assert up.normalised_qini(y, t, score) == pytest.approx(qini_auc_score(y, score, t), rel=1e-9)


def test_normalised_qini_by_hand_and_bounds():
    y, t, score = _toy()
    perfect = up.qini_coefficient(y, t, y * t - y * (1 - t))
    assert up.normalised_qini(y, t, score) == pytest.approx(up.qini_coefficient(y, t, score) / perfect)
    assert up.normalised_qini(y, t, y * t - y * (1 - t)) == pytest.approx(1.0)
    assert up.normalised_qini(y, t, np.zeros(6)) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="score: expected 6 values"):
        up.normalised_qini(y, t, score[:-1])
    with pytest.raises(ValueError, match="y: expected some treated responders"):
        up.normalised_qini(np.zeros(6, dtype=int), t, score)


@pytest.mark.parametrize("learner", LEARNERS)
def test_learners_limit_threads_only_while_they_run(customers, learner, monkeypatch):
    train, _ = customers
    seen = []
    real = up.limit_threads

    def recording(n_threads):
        seen.append(n_threads)
        return real(n_threads)

    monkeypatch.setattr(up, "limit_threads", recording)
    model = learner(n_threads=1).fit(train[list(FEATURES)], train["treatment"], train["y"])
    model.predict_uplift(train[list(FEATURES)].head(5))
    assert seen and set(seen) == {1}
    with pytest.raises(TypeError, match="n_threads: expected a positive integer"):
        learner(n_threads="2").fit(train[list(FEATURES)], train["treatment"], train["y"])
