"""Tests of pmkt_lessons.scale that start Spark (one local session for the whole test run).

They run in the normal suite; select or skip them together with ``-k spark``
(every test name here contains "spark"). Kept small: one session, small inputs.
"""

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import columns as C
from pmkt_lessons.cleaning import clean_transactions
from pmkt_lessons.data import load_groceries
from pmkt_lessons.features import rfm_table
from pmkt_lessons.recsys import build_interactions
from pmkt_lessons.rules import mine_rules, one_hot, rule_text
from pmkt_lessons.scale import spark as S
from pmkt_lessons.scale.duck import write_parquet
from pmkt_lessons.scale.session import spark_session


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    session = spark_session(work_dir=tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def groceries():
    return load_groceries().baskets


def test_spark_session_is_local_and_quiet(spark):
    conf = spark.sparkContext.getConf()
    assert spark.sparkContext.master == "local[2]"
    assert conf.get("spark.ui.enabled") == "false"
    assert conf.get("spark.driver.memory") == "768m"
    assert spark.range(10).count() == 10


@pytest.mark.parametrize("min_support, min_confidence, expected", [(0.01, 0.5, 15), (0.005, 0.5, 120)])
def test_spark_fpgrowth_rule_counts_equal_mlxtend(spark, groceries, min_support, min_confidence, expected):
    ours = S.fpgrowth_rules_spark(groceries, min_support, min_confidence, spark=spark)
    reference = mine_rules(one_hot(groceries), min_support, min_confidence)
    assert len(ours) == len(reference) == expected
    assert set(rule_text(ours)) == set(rule_text(reference))
    merged = reference.assign(rule=rule_text(reference)).set_index("rule")
    mine = ours.assign(rule=rule_text(ours)).set_index("rule").loc[merged.index]
    assert np.allclose(mine["confidence"], merged["confidence"]) and np.allclose(mine["lift"], merged["lift"])


def test_spark_fpgrowth_has_single_item_consequents_only(spark, groceries):
    ours = S.fpgrowth_rules_spark(groceries, 0.005, 0.1, spark=spark)
    reference = mine_rules(one_hot(groceries), 0.005, 0.1)
    single = reference[reference["consequents"].map(len) == 1]
    assert len(ours) == len(single) == 1574 < len(reference)


def test_spark_cleaning_and_rfm_equal_pandas(spark, online_retail, tmp_path):
    raw = online_retail[online_retail[C.INVOICE_DATE] < "2011-01-01"]
    path = write_parquet(raw, tmp_path / "raw.parquet")
    clean, returns = S.clean_spark(spark.read.parquet(str(path)))
    expected = clean_transactions(raw)
    assert clean.count() == len(expected.clean)
    assert returns.count() == len(expected.cancellations)
    got = S.rfm_to_pandas(S.rfm_spark(clean, returns))
    pd.testing.assert_frame_equal(got, rfm_table(expected.clean, expected.cancellations), check_exact=False, rtol=1e-9)


def test_spark_als_learns_the_obvious_item(spark):
    # two groups of users buy two disjoint sets of items; a user who bought 3 of group A's 4 items
    # must get the fourth one first
    users, items = [], []
    for u in range(40):
        group = range(0, 4) if u < 20 else range(4, 8)
        for i in group:
            if not (u == 0 and i == 3):
                users.append(u)
                items.append(f"i{i}")
    frame = pd.DataFrame({C.CUSTOMER_ID: users, C.STOCK_CODE: items})
    inter = build_interactions(frame, weight="binary")
    model = S.SparkALS(n_factors=4, iterations=10, reg=0.01, random_state=0).fit(inter)
    assert model.user_factors_.shape == (40, 4) and model.item_factors_.shape == (8, 4)
    assert model.recommend([0], k=1)[C.ITEM].tolist() == ["i3"]
    again = S.SparkALS(n_factors=4, iterations=10, reg=0.01, random_state=0).fit(inter)
    assert np.allclose(model.user_factors_, again.user_factors_, atol=1e-5)


def test_spark_logistic_matches_known_coefficients(spark):
    rng = np.random.default_rng(0)
    n = 4000
    colour = rng.choice(["blue", "green", "red"], n)
    x = rng.normal(size=n)
    logit = -1.0 + np.where(colour == "green", 1.0, 0.0) + np.where(colour == "red", -1.0, 0.0) + 0.8 * x
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame({"colour": colour, "x": x, "click": y})
    p = S.spark_logistic_probabilities(frame, frame.head(3), categorical=["colour"], numeric=["x"], tol=1e-10,
                                       spark=spark)
    from sklearn.linear_model import LogisticRegression

    X = np.column_stack([colour == "green", colour == "red", x]).astype(float)
    expected = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y).predict_proba(X[:3])[:, 1]
    assert np.allclose(p, expected, atol=1e-3)


def test_spark_bad_inputs_raise_named_errors(spark, groceries):
    with pytest.raises(TypeError, match="raw:"):
        S.clean_spark(pd.DataFrame())
    with pytest.raises(ValueError, match="raw:"):
        S.clean_spark(spark.range(3))
    with pytest.raises(ValueError, match="min_support:"):
        S.fpgrowth_rules_spark(groceries, 0, 0.5, spark=spark)
    with pytest.raises(ValueError, match="baskets:"):
        S.fpgrowth_rules_spark([["milk"], []], 0.1, 0.5, spark=spark)
    with pytest.raises(TypeError, match="baskets:"):
        S.fpgrowth_rules_spark("milk", 0.1, 0.5, spark=spark)
    with pytest.raises(ValueError, match="n_factors:"):
        S.SparkALS(n_factors=0).fit(build_interactions(pd.DataFrame({C.CUSTOMER_ID: [1], C.STOCK_CODE: ["a"]})))
    frame = pd.DataFrame({"colour": ["a", "b"], "click": [0, 2]})
    with pytest.raises(ValueError, match="train:"):
        S.spark_logistic_probabilities(frame, frame, categorical=["colour"], spark=spark)
    with pytest.raises(ValueError, match="test:"):
        S.spark_logistic_probabilities(frame.assign(click=[0, 1]), frame[["click"]], categorical=["colour"],
                                       spark=spark)


def test_spark_als_follows_the_estimator_contract(spark):
    """SparkALS is covered here rather than in test_contract.py, which starts no Spark session."""
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    frame = pd.DataFrame({C.CUSTOMER_ID: [1, 1, 2, 2, 3, 3, 4], C.STOCK_CODE: ["a", "b", "a", "c", "b", "c", "a"]})
    inter = build_interactions(frame, weight="binary")
    before = inter.matrix.toarray().copy()
    model = S.SparkALS(n_factors=2, iterations=3, reg=0.1, random_state=0)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.recommend([1], k=1)
    assert model.fit(inter) is model
    np.testing.assert_array_equal(inter.matrix.toarray(), before)
    assert all(value is not inter for value in vars(model).values())
    learned = [k for k in vars(model) if not k.startswith("_") and k not in model.get_params()]
    assert learned and all(k.endswith("_") for k in learned)
    with pytest.raises(NotFittedError):
        clone(model).recommend([1], k=1)
