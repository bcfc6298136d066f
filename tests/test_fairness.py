"""Fairness audit of a targeting model and popularity bias of recommendations (lesson 18)."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)

from pmkt_lessons import columns as C
from pmkt_lessons import fairness as fa
from pmkt_lessons import popularity_bias as pb

Y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 1])
PRED = np.array([1, 0, 0, 1, 1, 0, 1, 0, 0, 0])
PROB = np.array([0.9, 0.2, 0.4, 0.8, 0.7, 0.1, 0.6, 0.3, 0.2, 0.45])
GROUP = np.array(["a", "a", "a", "a", "b", "b", "b", "b", "b", "b"])


def test_group_metrics_by_hand():
    table = fa.group_metrics(Y, PRED, GROUP, PROB)
    # group a: y = 1,0,1,1 pred = 1,0,0,1 -> selection 2/4, TPR 2/3, FPR 0/1
    # group b: y = 0,0,1,0,0,1 pred = 1,0,1,0,0,0 -> selection 2/6, TPR 1/2, FPR 1/4
    assert table.loc["a", "selection_rate"] == pytest.approx(0.5)
    assert table.loc["a", "true_positive_rate"] == pytest.approx(2 / 3)
    assert table.loc["b", "false_positive_rate"] == pytest.approx(0.25)
    assert table.loc["b", "mean_predicted"] == pytest.approx(np.mean(PROB[4:]))
    assert list(table["n"]) == [4, 6]
    gaps = fa.disparities(table)
    assert gaps.loc["selection_rate", "difference"] == pytest.approx(0.5 - 1 / 3)
    assert gaps.loc["selection_rate", "ratio"] == pytest.approx((1 / 3) / 0.5)
    assert fa.selection_rate(PRED) == 0.4
    assert fa.true_positive_rate(Y, PRED) == pytest.approx(3 / 5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_metrics_match_fairlearn(seed):
    rng = np.random.default_rng(seed)
    n = 2_000
    groups = rng.choice(["18-29", "30-59", "60+"], size=n, p=[0.2, 0.7, 0.1])
    y = rng.binomial(1, np.where(groups == "60+", 0.4, 0.1))
    pred = rng.binomial(1, 0.3, size=n)
    ours = fa.group_metrics(y, pred, pd.Series(groups))
    theirs = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate,
                 "false_positive_rate": false_positive_rate},
        y_true=y, y_pred=pred, sensitive_features=groups,
    )
    pd.testing.assert_frame_equal(
        ours[["selection_rate", "true_positive_rate", "false_positive_rate"]],
        theirs.by_group.astype(float), check_names=False,
    )
    assert fa.disparities(ours).loc["selection_rate", "difference"] == pytest.approx(
        theirs.difference()["selection_rate"])
    assert fa.disparities(ours).loc["true_positive_rate", "ratio"] == pytest.approx(
        theirs.ratio()["true_positive_rate"])


def test_audit_reads_columns_of_a_frame():
    df = pd.DataFrame({"age_group": GROUP, "y": Y, "selected": PRED, "p": PROB})
    before = df.copy()
    pd.testing.assert_frame_equal(fa.audit(df, "age_group", y_prob="p"), fa.group_metrics(Y, PRED, GROUP, PROB))
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(ValueError, match="group: expected a column of df, got 'gender'"):
        fa.audit(df, "gender")
    with pytest.raises(ValueError, match="y_prob"):
        fa.audit(df, "age_group", y_prob="score")


def test_equal_opportunity_thresholds_equalise_tpr():
    rng = np.random.default_rng(0)
    n = 5_000
    groups = np.where(rng.random(n) < 0.3, "old", "young")
    y = rng.binomial(1, 0.2, size=n)
    prob = np.clip(0.2 + 0.3 * y + np.where(groups == "old", -0.15, 0.0) + rng.normal(0, 0.1, n), 0, 1)
    thresholds = fa.equal_opportunity_thresholds(y, prob, groups, target_tpr=0.7)
    assert thresholds["old"] < thresholds["young"]
    chosen = fa.apply_thresholds(prob, groups, thresholds)
    tprs = fa.group_metrics(y, chosen, groups)["true_positive_rate"]
    assert np.allclose(tprs, 0.7, atol=0.01)
    single = (prob >= 0.5).astype(int)
    assert np.ptp(fa.group_metrics(y, single, groups)["true_positive_rate"]) > 0.3


def test_calibration_by_group_and_proxy_auc():
    rng = np.random.default_rng(1)
    n = 3_000
    groups = rng.choice(["a", "b"], size=n)
    prob = rng.uniform(0, 0.5, size=n)
    y = rng.binomial(1, prob)
    cal = fa.calibration_by_group(y, prob, groups, n_bins=4)
    assert set(cal["group"]) == {"a", "b"} and cal["n"].sum() == n
    assert (abs(cal["mean_predicted"] - cal["observed_rate"]) < 0.06).all()
    retired = rng.random(n) < 0.1
    X = pd.DataFrame({"job": pd.Categorical(np.where(retired, "retired", "admin")), "noise": rng.normal(size=n)})
    old = (retired & (rng.random(n) < 0.9)) | (~retired & (rng.random(n) < 0.02))
    assert fa.proxy_auc(X, old.astype(int)) > 0.9
    assert abs(fa.proxy_auc(X[["noise"]], old.astype(int)) - 0.5) < 0.1


def test_fairness_helpers_do_not_mutate_inputs():
    y, pred, prob, groups = Y.copy(), PRED.copy(), PROB.copy(), pd.Series(GROUP)
    fa.group_metrics(y, pred, groups, prob)
    fa.calibration_by_group(y, prob, groups, 2)
    th = fa.equal_opportunity_thresholds(y, prob, groups, 0.5)
    fa.apply_thresholds(prob, groups, th)
    assert np.array_equal(y, Y) and np.array_equal(pred, PRED) and np.array_equal(prob, PROB)
    assert list(groups) == list(GROUP)


@pytest.mark.parametrize(
    ("call", "error", "arg"),
    [
        (lambda: fa.group_metrics(Y, PRED, GROUP[:3]), ValueError, "sensitive"),
        (lambda: fa.group_metrics(Y, PRED, "age_group"), TypeError, "sensitive"),
        (lambda: fa.group_metrics(Y, PRED * 2, GROUP), ValueError, "y_pred"),
        (lambda: fa.group_metrics([], [], []), ValueError, "y_true"),
        (lambda: fa.group_metrics(Y, PRED, GROUP, PROB + 1), ValueError, "y_prob"),
        (lambda: fa.group_metrics(Y, PRED, np.array(["a", None] * 5, dtype=object)), ValueError, "sensitive"),
        (lambda: fa.equal_opportunity_thresholds(Y, PROB, GROUP, 0), ValueError, "target_tpr"),
        (lambda: fa.equal_opportunity_thresholds(np.zeros(10, int), PROB, GROUP, 0.5), ValueError, "y_true"),
        (lambda: fa.apply_thresholds(PROB, GROUP, pd.Series({"a": 0.5})), ValueError, "sensitive"),
        (lambda: fa.calibration_by_group(Y, PROB, GROUP, n_bins=0), ValueError, "n_bins"),
        (lambda: fa.disparities(pd.DataFrame()), TypeError, "table"),
        (lambda: fa.proxy_auc(pd.DataFrame({"x": [1.0, 2.0]}), [0, 1], n_splits=1), ValueError, "n_splits"),
    ],
)
def test_fairness_bad_input(call, error, arg):
    with pytest.raises(error, match=arg):
        call()


# --------------------------------------------------------------------------- popularity bias


def test_gini_known_values():
    assert pb.gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert pb.gini([0, 0, 0, 10]) == pytest.approx(3 / 4)
    # by hand: sorted 1, 2, 3, 4 -> sum (2i - n - 1) x = -3 - 2 + 3 + 12 = 10; / (4 * 10)
    assert pb.gini([4, 1, 3, 2]) == pytest.approx(10 / 40)


def _toy_recs():
    return pd.DataFrame({C.USER: [1, 1, 2, 2, 3, 3], C.ITEM: ["a", "b", "a", "c", "a", "b"],
                         C.RANK: [1, 2, 1, 2, 1, 2]})


def test_exposure_report_by_hand():
    popularity = pd.Series([100, 50, 10, 5, 1], index=list("abcde"))
    recs = _toy_recs()
    exposure = pb.item_exposure(recs, popularity.index)
    assert list(exposure) == [3, 2, 1, 0, 0]
    report = pb.exposure_report(recs, popularity, k=2, head_share=0.2)   # head = {a}
    assert report["long_tail_share@2"] == pytest.approx(3 / 6)
    assert report["coverage@2"] == pytest.approx(3 / 5)
    assert report["gini@2"] == pytest.approx(pb.gini([3, 2, 1, 0, 0]))
    top1 = pb.exposure_report(recs, popularity, k=1)
    assert top1["long_tail_share@1"] == 0.0 and top1["coverage@1"] == pytest.approx(1 / 5)


def test_popularity_penalty_moves_lists_to_the_tail():
    scores = np.array([[1.0, 0.9, 0.8, 0.0], [0.5, 1.0, 0.0, 0.9]])
    pop = np.array([100.0, 10.0, 1.0, 1.0])
    items = pd.Index(list("wxyz"))
    plain = pb.popularity_penalty_rerank(scores, pop, 0.0, 2, items=items)
    assert list(plain[C.ITEM]) == ["w", "x", "x", "z"]
    penalised = pb.popularity_penalty_rerank(scores, pop, 0.5, 2, items=items)
    # user 0: minmax scores 1, .9, .8, 0 minus .5 * (1, .1, .01, .01) -> .5, .85, .795, -.005
    assert list(penalised[C.ITEM]) == ["x", "y", "x", "z"]
    assert np.array_equal(scores[0], [1.0, 0.9, 0.8, 0.0])


@pytest.mark.parametrize(
    ("call", "error", "arg"),
    [
        (lambda: pb.gini([]), ValueError, "values"),
        (lambda: pb.gini([0, 0]), ValueError, "values"),
        (lambda: pb.gini([1, -1]), ValueError, "values"),
        (lambda: pb.exposure_report(_toy_recs(), pd.Series([1, 2], index=["a", "b"]), k=2), ValueError, "recs"),
        (lambda: pb.exposure_report(_toy_recs(), pd.Series([1, 2, 3], index=list("abc")), k=0), ValueError, "k"),
        (lambda: pb.head_items(pd.Series([1, 2]), 1.0), ValueError, "head_share"),
        (lambda: pb.popularity_penalty_rerank(np.ones((2, 3)), [1, 2], 0.1, 2), ValueError, "popularity"),
        (lambda: pb.popularity_penalty_rerank(np.ones((2, 3)), [1, 2, 3], -0.1, 2), ValueError, "weight"),
        (lambda: pb.popularity_penalty_rerank(np.ones(3), [1, 2, 3], 0.1, 2), ValueError, "scores"),
    ],
)
def test_popularity_bias_bad_input(call, error, arg):
    with pytest.raises(error, match=arg):
        call()
