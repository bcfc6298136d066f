"""The simulated click log: shape, seeding, planted truth and bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from pmkt_lessons import columns
from pmkt_lessons.simulate import clicks as C
from pmkt_lessons.simulate.clicks import make_click_world, simulate_click_log


@pytest.fixture(scope="module")
def log():
    return simulate_click_log(60_000, random_state=5)


def test_columns_dtypes_and_ranges(log):
    assert list(log.columns) == [*C.FEATURES, C.P_CLICK, columns.CLICK]
    assert len(log) == 60_000
    assert isinstance(log[C.SITE].dtype, pd.CategoricalDtype)
    assert log[columns.HOUR].between(0, 23).all() and set(log[C.SLOT]) == {1, 2, 3, 4}
    assert log[C.AD_QUALITY].between(0, 1).all() and (log[C.USER_VISITS] >= 0).all()
    assert log[C.P_CLICK].between(0, 1).all() and set(log[columns.CLICK]) <= {0, 1}


def test_base_ctr_is_met_and_clicks_follow_p(log):
    assert log[C.P_CLICK].mean() == pytest.approx(C.DEFAULT_BASE_CTR, abs=0.003)
    assert log[columns.CLICK].mean() == pytest.approx(log[C.P_CLICK].mean(), abs=0.003)
    low = simulate_click_log(60_000, random_state=5, base_ctr=0.01)
    assert low[C.P_CLICK].mean() == pytest.approx(0.01, abs=0.001)


def test_same_seed_same_log_other_seed_other_rows():
    a, b = simulate_click_log(1000, random_state=1), simulate_click_log(1000, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_click_log(1000, random_state=2)
    assert not a[C.P_CLICK].equals(c[C.P_CLICK])


def test_probability_recomputes_p_click_from_the_features(log):
    world = make_click_world()
    np.testing.assert_allclose(world.probability(log), log[C.P_CLICK], rtol=1e-12)


def test_creative_determines_ad_category(log):
    assert (log.groupby(C.CREATIVE, observed=True)[C.AD_CATEGORY].nunique() == 1).all()


def test_position_bias_lower_slots_click_less(log):
    rate = log.groupby(C.SLOT)[C.P_CLICK].mean()
    assert (np.diff(rate.to_numpy()) < 0).all()


def test_planted_interaction_is_in_the_truth(log):
    # the true logit is not additive: per (segment, category) cell it departs from main effects
    world = make_click_world()
    z = world.logit(log)
    z_no = make_click_world(interaction_scale=0.0).logit(log)
    diff = z - z_no
    assert np.std(diff) > 0.5
    # with the interactions removed, a logistic regression on one-hot fields recovers the truth
    flat = simulate_click_log(60_000, random_state=7, interaction_scale=0.0)
    X = pd.get_dummies(flat[list(C.CATEGORICAL_FIELDS)].astype(str)).join(flat[list(C.NUMERIC_FIELDS)])
    p = LogisticRegression(max_iter=2000).fit(X, flat[columns.CLICK]).predict_proba(X)[:, 1]
    assert np.corrcoef(logit(p), logit(flat[C.P_CLICK]))[0, 1] > 0.95


def test_interactions_raise_the_best_auc(log):
    flat = simulate_click_log(60_000, random_state=5, interaction_scale=0.0)
    assert roc_auc_score(log[columns.CLICK], log[C.P_CLICK]) > roc_auc_score(flat[columns.CLICK], flat[C.P_CLICK]) + 0.03


def test_world_is_read_only_and_cached():
    world = make_click_world()
    assert world is make_click_world()
    with pytest.raises(ValueError):
        world.main[C.SITE][0] = 1.0
    assert expit(world.intercept) < 0.2


def test_probability_rejects_unknown_levels_and_missing_columns(log):
    world = make_click_world()
    bad = log.head(3).copy()
    bad[C.SITE] = bad[C.SITE].astype(str)
    bad.loc[bad.index[0], C.SITE] = "site_999"
    with pytest.raises(ValueError, match="site"):
        world.probability(bad)
    with pytest.raises(ValueError, match="log"):
        world.probability(log.drop(columns=[C.DEVICE]))


def test_probability_does_not_mutate_its_input(log):
    before = log.head(100).copy()
    frame = log.head(100).copy()
    make_click_world().probability(frame)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("kwargs", "exc", "arg"),
    [
        ({"n_impressions": 0}, ValueError, "n_impressions"),
        ({"n_impressions": 1.5}, TypeError, "n_impressions"),
        ({"random_state": -1}, ValueError, "random_state"),
        ({"random_state": "a"}, TypeError, "random_state"),
        ({"base_ctr": 0.0}, ValueError, "base_ctr"),
        ({"base_ctr": 0.9}, ValueError, "base_ctr"),
        ({"interaction_scale": -1.0}, ValueError, "interaction_scale"),
        ({"world_seed": True}, TypeError, "world_seed"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, exc, arg):
    kwargs = {"n_impressions": 10, **kwargs}
    with pytest.raises(exc, match=arg):
        simulate_click_log(**kwargs)


def test_interaction_scale_strengthens_only_the_interactions():
    base, strong = make_click_world(), make_click_world(interaction_scale=1.3)
    flat = make_click_world(interaction_scale=0.0)
    log = base.sample(5000, random_state=1)
    z0 = flat.logit(log) - flat.intercept
    inter = base.logit(log) - base.intercept - z0
    np.testing.assert_allclose(strong.logit(log) - strong.intercept - z0, 1.3 * inter, atol=1e-9)
    assert strong.probability(log).mean() == pytest.approx(C.DEFAULT_BASE_CTR, abs=0.005)
