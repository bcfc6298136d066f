"""Tests for pmkt_lessons.targeting (lesson 13)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from pmkt_lessons import targeting as tg
from pmkt_lessons.data import load_bank_marketing


def _toy():
    return pd.DataFrame(
        {
            "job": pd.Categorical(["admin.", "unknown", "admin.", "student", "unknown", "student"]),
            "contact": pd.Categorical(["cellular", "cellular", "unknown", "cellular", "telephone", "cellular"]),
            "age": [30, 40, 50, 22, 61, 35],
            "pdays": [-1, 10, -1, 200, 3, -1],
            "duration": [100, 5, 300, 12, 0, 7],
            "y": np.array([0, 1, 0, 1, 1, 0], dtype="int8"),
        }
    )


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # the boosted trees' OpenMP threads crawl on a small shared CPU; one thread is faster there
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="session")
def bank_split():
    df = load_bank_marketing().sample(6000, random_state=0)
    train, test = train_test_split(df, test_size=0.3, stratify=df["y"], random_state=0)
    return train, test


# --- unknown_report ------------------------------------------------------------------


def test_unknown_report_counts_and_rates_by_hand():
    report = tg.unknown_report(_toy())
    assert list(report.index) == ["job", "contact"]  # 2/6 before 1/6
    job = report.loc["job"]
    assert job["n_unknown"] == 2
    assert job["share_unknown"] == pytest.approx(2 / 6)
    assert job["rate_unknown"] == 1.0  # rows 1 and 4 both responded
    assert job["rate_known"] == pytest.approx(1 / 4)
    contact = report.loc["contact"]
    assert contact["rate_unknown"] == 0.0
    assert contact["rate_known"] == pytest.approx(3 / 5)


def test_unknown_report_on_bank_marketing_matches_pandas():
    df = load_bank_marketing()
    report = tg.unknown_report(df)
    assert set(report.index) == {"poutcome", "contact", "education", "job"}
    expected = df.loc[df["contact"] == "unknown", "y"].mean()
    assert report.loc["contact", "rate_unknown"] == pytest.approx(expected)


def test_unknown_report_bad_input():
    with pytest.raises(TypeError, match="df"):
        tg.unknown_report([1, 2])
    with pytest.raises(ValueError, match="df"):
        tg.unknown_report(_toy().iloc[:0])
    with pytest.raises(ValueError, match="'y'"):
        tg.unknown_report(_toy().drop(columns="y"))
    bad = _toy().assign(y=[0, 1, 2, 0, 1, 0])
    with pytest.raises(ValueError, match="y"):
        tg.unknown_report(bad)


def test_unknown_report_does_not_mutate():
    df = _toy()
    before = df.copy()
    tg.unknown_report(df)
    pd.testing.assert_frame_equal(df, before)


# --- prepare_features ----------------------------------------------------------------


def test_prepare_features_flags_never_contacted_and_drops_leak_and_target():
    X = tg.prepare_features(_toy())
    assert "duration" not in X.columns and "y" not in X.columns
    assert X["never_contacted"].tolist() == [1, 0, 1, 0, 0, 1]
    assert X["pdays"].tolist() == [0, 10, 0, 200, 3, 0]
    assert X["job"].tolist() == ["admin.", "unknown", "admin.", "student", "unknown", "student"]


def test_prepare_features_can_keep_duration():
    X = tg.prepare_features(_toy(), drop=())
    assert X["duration"].tolist() == _toy()["duration"].tolist()


def test_prepare_features_bad_input():
    with pytest.raises(ValueError, match="drop"):
        tg.prepare_features(_toy(), drop=("not_a_column",))
    with pytest.raises(ValueError, match="pdays"):
        tg.prepare_features(_toy().drop(columns="pdays"))
    with pytest.raises(ValueError, match="df"):
        tg.prepare_features(_toy().iloc[:0])


def test_prepare_features_does_not_mutate():
    df = _toy()
    before = df.copy()
    tg.prepare_features(df)
    pd.testing.assert_frame_equal(df, before)


# --- UnknownImputer ------------------------------------------------------------------


def test_unknown_imputer_uses_training_modes():
    train = _toy()
    imputer = tg.UnknownImputer().fit(train)
    assert imputer.modes_ == {"job": "admin.", "contact": "cellular"}
    # the test frame's own mode would be "student"; the imputer must use the training mode
    test = pd.DataFrame(
        {
            "job": pd.Categorical(["unknown", "student", "student"]),
            "contact": pd.Categorical(["unknown", "unknown", "telephone"]),
        }
    )
    out = imputer.transform(test)
    assert out["job"].tolist() == ["admin.", "student", "student"]
    assert out["contact"].tolist() == ["cellular", "cellular", "telephone"]
    assert "unknown" not in out["job"].cat.categories


def test_unknown_imputer_plain_strings():
    df = pd.DataFrame({"colour": np.array(["red", "unknown", "red", "blue"], dtype=object)})
    out = tg.UnknownImputer().fit_transform(df)
    assert out["colour"].tolist() == ["red", "red", "red", "blue"]


def test_unknown_imputer_bad_input():
    with pytest.raises(ValueError, match="only 'unknown'"):
        tg.UnknownImputer().fit(pd.DataFrame({"a": pd.Categorical(["unknown", "unknown"])}))
    imputer = tg.UnknownImputer().fit(_toy())
    with pytest.raises(ValueError, match="X"):
        imputer.transform(_toy().drop(columns="job"))
    with pytest.raises(TypeError, match="X"):
        tg.UnknownImputer().fit("not a frame")


def test_unknown_imputer_does_not_mutate():
    df = _toy()
    before = df.copy()
    tg.UnknownImputer().fit(df).transform(df)
    pd.testing.assert_frame_equal(df, before)


# --- response_model ------------------------------------------------------------------


@pytest.mark.parametrize("kind", tg.MODEL_KINDS)
@pytest.mark.parametrize("unknown", tg.UNKNOWN_STRATEGIES)
def test_response_model_learns_something(bank_split, kind, unknown):
    train, test = bank_split
    model = tg.response_model(kind, unknown=unknown).fit(tg.prepare_features(train), train["y"])
    p = model.predict_proba(tg.prepare_features(test))[:, 1]
    assert ((p >= 0) & (p <= 1)).all()
    assert roc_auc_score(test["y"], p) > 0.7


def test_duration_leak_inflates_auc(bank_split):
    train, test = bank_split
    aucs = {}
    for drop in [(), tg.LEAKY_COLUMNS]:
        model = tg.response_model("logistic").fit(tg.prepare_features(train, drop=drop), train["y"])
        p = model.predict_proba(tg.prepare_features(test, drop=drop))[:, 1]
        aucs[drop] = roc_auc_score(test["y"], p)
    assert aucs[()] > aucs[tg.LEAKY_COLUMNS] + 0.05


@pytest.mark.parametrize("kind", tg.MODEL_KINDS)
def test_response_model_accepts_unseen_categories(bank_split, kind):
    train, test = bank_split
    model = tg.response_model(kind).fit(tg.prepare_features(train), train["y"])
    X = tg.prepare_features(test.head(5))
    X["job"] = pd.Categorical(["astronaut"] * 5)
    p = model.predict_proba(X)[:, 1]
    assert p.shape == (5,) and np.isfinite(p).all()


def test_response_model_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        tg.response_model("forest")
    with pytest.raises(ValueError, match="unknown"):
        tg.response_model("logistic", unknown="drop")


# --- money ---------------------------------------------------------------------------


def test_break_even_probability():
    assert tg.break_even_probability(5, 100) == pytest.approx(0.05)
    assert tg.break_even_probability(0, 100) == 0.0


@pytest.mark.parametrize(
    ("cost", "value", "arg"),
    [(-1, 100, "cost"), (5, -100, "value"), (5, 0, "value"), (np.nan, 100, "cost"), (5, np.inf, "value")],
)
def test_money_bad_values(cost, value, arg):
    with pytest.raises(ValueError, match=arg):
        tg.break_even_probability(cost, value)
    with pytest.raises(ValueError, match=arg):
        tg.profit_curve([0.5], cost=cost, value=value)


def test_money_bad_types():
    with pytest.raises(TypeError, match="cost"):
        tg.break_even_probability("5", 100)
    with pytest.raises(TypeError, match="value"):
        tg.expected_profit([0.5], cost=5, value=True)


def test_expected_profit_and_call_list():
    p = np.array([0.2, 0.05, 0.01, 0.5])
    np.testing.assert_allclose(tg.expected_profit(p, cost=5, value=100), [15, 0, -4, 45])
    # break-even customers (p = 0.05) add nothing, so they are left out
    assert tg.call_list(p, cost=5, value=100).tolist() == [True, False, False, True]


@pytest.mark.parametrize("bad", [[0.2, 1.2], [-0.1], [np.nan], []])
def test_probabilities_outside_unit_interval_rejected(bad):
    with pytest.raises(ValueError, match="p"):
        tg.expected_profit(bad, cost=5, value=100)
    with pytest.raises(ValueError, match="p"):
        tg.profit_curve(bad, cost=5, value=100)


def test_profit_curve_by_hand():
    p = [0.1, 0.6, 0.3]
    y = [0, 1, 0]
    curve = tg.profit_curve(p, y, cost=10, value=50)
    assert curve["n_called"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(curve["share_called"], [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(curve["threshold"].iloc[1:], [0.6, 0.3, 0.1])
    # gains, best first: 0.6*50-10 = 20, 0.3*50-10 = 5, 0.1*50-10 = -5
    np.testing.assert_allclose(curve["expected_profit"], [0, 20, 25, 20])
    np.testing.assert_allclose(curve["realised_profit"], [0, 40, 30, 20])
    best = tg.best_list_size(curve)
    assert best["n_called"] == 2
    assert tg.best_list_size(curve, "realised_profit")["n_called"] == 1


def test_profit_curve_without_outcomes_and_ties_keep_order():
    curve = tg.profit_curve([0.5, 0.5, 0.5], cost=1, value=10)
    assert "realised_profit" not in curve.columns
    np.testing.assert_allclose(curve["expected_profit"], [0, 4, 8, 12])


def test_profit_curve_bad_outcomes():
    with pytest.raises(ValueError, match="y"):
        tg.profit_curve([0.1, 0.2], [1], cost=1, value=10)
    with pytest.raises(ValueError, match="y"):
        tg.profit_curve([0.1, 0.2], [1, 3], cost=1, value=10)


def test_profit_curve_does_not_mutate():
    p = np.array([0.3, 0.1, 0.9])
    y = pd.Series([1, 0, 1])
    tg.profit_curve(p, y, cost=1, value=10)
    np.testing.assert_array_equal(p, [0.3, 0.1, 0.9])
    assert y.tolist() == [1, 0, 1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=40),
    st.floats(0.01, 50),
    st.floats(1, 200),
)
def test_best_expected_list_is_the_call_list(p, cost, value):
    curve = tg.profit_curve(p, cost=cost, value=value)
    best = curve["expected_profit"].max()
    chosen = tg.call_list(p, cost=cost, value=value)
    gain = tg.expected_profit(p, cost=cost, value=value)
    assert gain[chosen].sum() == pytest.approx(best, abs=1e-9)
    assert curve["expected_profit"].iloc[-1] == pytest.approx(gain.sum())


def test_best_list_size_bad_input():
    with pytest.raises(ValueError, match="curve"):
        tg.best_list_size(pd.DataFrame({"n_called": [0, 1]}))


def test_campaign_profit_by_hand():
    y = [1, 0, 1, 0]
    called = np.array([True, True, False, False])
    out = tg.campaign_profit(y, called, cost=5, value=100)
    assert out["n_called"] == 2
    assert out["share_called"] == 0.5
    assert out["responders"] == 1
    assert out["share_of_responders"] == 0.5
    assert out["cost"] == 10 and out["revenue"] == 100 and out["profit"] == 90


def test_campaign_profit_matches_profit_curve():
    rng = np.random.default_rng(3)
    p = rng.random(50)
    y = (rng.random(50) < p).astype(int)
    curve = tg.profit_curve(p, y, cost=3, value=10)
    called = tg.call_list(p, cost=3, value=10)
    row = curve.loc[curve["n_called"] == called.sum()].iloc[0]
    assert tg.campaign_profit(y, called, cost=3, value=10)["profit"] == pytest.approx(row["realised_profit"])


def test_campaign_profit_bad_input():
    with pytest.raises(ValueError, match="called"):
        tg.campaign_profit([1, 0], [1, 0], cost=1, value=2)
    with pytest.raises(ValueError, match="called"):
        tg.campaign_profit([1, 0], np.array([True]), cost=1, value=2)
    with pytest.raises(ValueError, match="y"):
        tg.campaign_profit([], np.array([], dtype=bool), cost=1, value=2)


# --- time order: time_split, response_by_period, ThreadLimited --------------------------


def test_time_split_keeps_row_order_and_sizes():
    df = pd.DataFrame({"x": np.arange(10), "y": [0, 1] * 5}, index=list("abcdefghij"))
    train, test = tg.time_split(df, test_size=0.25)
    assert len(test) == 3 and len(train) == 7  # ceil(0.25 * 10), as train_test_split
    assert train.index.tolist() == list("abcdefg") and test.index.tolist() == list("hij")
    pd.testing.assert_frame_equal(pd.concat([train, test]), df)
    train, test = tg.time_split(df, test_size=4)
    assert len(test) == 4 and test["x"].min() > train["x"].max()


def test_time_split_matches_sklearn_sizes_and_timeseriessplit():
    from sklearn.model_selection import TimeSeriesSplit

    df = pd.DataFrame({"x": np.arange(101)})
    for share in (0.1, 0.25, 0.333):
        _, test = tg.time_split(df, test_size=share)
        _, sk_test = train_test_split(df, test_size=share, shuffle=False)
        pd.testing.assert_frame_equal(test, sk_test)
    fit_rows, val_rows = list(TimeSeriesSplit(n_splits=2, test_size=20).split(df))[-1]
    train, test = tg.time_split(df, test_size=20)
    assert train["x"].tolist() == fit_rows.tolist() and test["x"].tolist() == val_rows.tolist()


def test_time_split_on_bank_marketing_shows_the_drift():
    bank = load_bank_marketing()
    train, test = tg.time_split(bank, test_size=0.25)
    assert len(train) + len(test) == len(bank)
    assert test["y"].mean() > 3 * train["y"].mean()  # about 0.28 against 0.06


def test_time_split_bad_input_and_no_mutation():
    df = pd.DataFrame({"x": np.arange(5)})
    before = df.copy()
    tg.time_split(df, 0.4)
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(TypeError, match="frame"):
        tg.time_split(np.arange(5))
    with pytest.raises(TypeError, match="test_size"):
        tg.time_split(df, "0.2")
    with pytest.raises(TypeError, match="test_size"):
        tg.time_split(df, True)
    for bad in (0.0, 1.0, 1.5, -0.2, 0, 5, 7):
        with pytest.raises(ValueError, match="test_size"):
            tg.time_split(df, bad)


def test_response_by_period_known_answer():
    df = pd.DataFrame({"y": [0, 0, 0, 1, 1, 1, 1]})
    out = tg.response_by_period(df, n_periods=3)
    assert out["n"].tolist() == [3, 2, 2]  # np.array_split: the first blocks take the remainder
    assert out["first_row"].tolist() == [0, 3, 5] and out["last_row"].tolist() == [2, 4, 6]
    np.testing.assert_allclose(out["rate"], [0.0, 1.0, 1.0])
    assert out.index.name == "period"
    np.testing.assert_allclose((out["rate"] * out["n"]).sum() / out["n"].sum(), df["y"].mean())


def test_response_by_period_bad_input():
    with pytest.raises(ValueError, match="n_periods"):
        tg.response_by_period(pd.DataFrame({"y": [0, 1]}), n_periods=3)
    with pytest.raises(ValueError, match="n_periods"):
        tg.response_by_period(pd.DataFrame({"y": [0, 1]}), n_periods=0)
    with pytest.raises(ValueError, match=r"frame\['y'\]: expected 0/1 values, got values \[0.0, 2.0\]"):
        tg.response_by_period(pd.DataFrame({"y": [0, 2]}), n_periods=1)
    with pytest.raises(TypeError, match="n_periods: expected a positive integer, got str"):
        tg.response_by_period(pd.DataFrame({"y": [0, 1]}), n_periods="2")
    with pytest.raises(ValueError, match="y"):
        tg.response_by_period(pd.DataFrame({"x": [0, 1]}))


def test_thread_limited_gives_the_same_model_and_works_with_sklearn(bank_split):
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.exceptions import NotFittedError
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score

    train, test = bank_split
    X, y, X_test = tg.prepare_features(train), train["y"], tg.prepare_features(test)
    plain = tg.response_model("boosting").fit(X, y).predict_proba(X_test)
    wrapped = tg.ThreadLimited(tg.response_model("boosting"), n_threads=1)
    with pytest.raises(NotFittedError):
        wrapped.predict_proba(X_test)
    np.testing.assert_allclose(wrapped.fit(X, y).predict_proba(X_test), plain)
    assert wrapped.classes_.tolist() == [0, 1]
    assert (wrapped.predict(X_test) == (plain[:, 1] >= 0.5)).all()
    assert clone(wrapped).get_params()["n_threads"] == 1
    scores = cross_val_score(clone(wrapped), X, y, cv=TimeSeriesSplit(2), scoring="roc_auc", error_score="raise")
    assert (scores > 0.5).all()
    cal = CalibratedClassifierCV(FrozenEstimator(wrapped), method="sigmoid").fit(X_test, test["y"])
    assert abs(cal.predict_proba(X_test)[:, 1].mean() - test["y"].mean()) < 0.01


def test_thread_limited_bad_input():
    with pytest.raises(TypeError, match="estimator"):
        tg.ThreadLimited("a model").fit(pd.DataFrame({"x": [0, 1]}), [0, 1])
    with pytest.raises(ValueError, match="n_threads"):
        tg.ThreadLimited(tg.response_model("logistic"), n_threads=0).fit(
            tg.prepare_features(_toy()), _toy()["y"]
        )


def test_unknown_imputer_columns():
    df = _toy()
    df["poutcome"] = pd.Categorical(["unknown"] * len(df))  # only "unknown": cannot be imputed
    before = df.copy()
    out = tg.UnknownImputer(columns=["job", "contact"]).fit_transform(df)
    assert (out["poutcome"] == "unknown").all()
    assert "unknown" not in set(out["job"].astype(str)) | set(out["contact"].astype(str))
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(ValueError, match="only 'unknown'"):
        tg.UnknownImputer().fit(df)
    with pytest.raises(TypeError, match="columns"):
        tg.UnknownImputer(columns="job").fit(df)
    with pytest.raises(ValueError, match="X"):
        tg.UnknownImputer(columns=["no such column"]).fit(df)
