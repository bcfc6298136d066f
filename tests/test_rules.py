"""Tests of pmkt_lessons.rules: counting by hand, mlxtend cross-checks, Groceries reference figures."""

import math

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import rules as R
from pmkt_lessons.data import load_groceries

# Five baskets small enough to count by hand.
TOY = [
    ["bread", "milk"],
    ["bread", "butter", "milk"],
    ["bread", "butter"],
    ["milk", "tea"],
    ["bread", "butter", "milk", "tea"],
]


@pytest.fixture(scope="module")
def toy():
    return R.one_hot(TOY)


@pytest.fixture(scope="module")
def groceries():
    return R.one_hot(load_groceries().baskets)


@pytest.fixture(scope="module")
def rules_01(groceries):
    """Groceries rules at min support 0.01, min confidence 0.5 (the 15 reference rules)."""
    return R.mine_rules(groceries, 0.01, 0.5)


# --------------------------------------------------------------------------- baskets


def test_one_hot_shape_and_values(toy):
    assert list(toy.columns) == ["bread", "butter", "milk", "tea"]
    assert toy.shape == (5, 4)
    assert toy.dtypes.map(pd.api.types.is_bool_dtype).all()
    assert toy.sum().to_dict() == {"bread": 4, "butter": 3, "milk": 4, "tea": 2}


def test_one_hot_counts_a_repeated_item_once():
    assert R.one_hot([["a", "a", "b"]]).to_numpy().tolist() == [[True, True]]


def test_one_hot_does_not_change_the_baskets():
    baskets = [["b", "a"], ["c"]]
    R.one_hot(baskets)
    assert baskets == [["b", "a"], ["c"]]


@pytest.mark.parametrize(
    ("baskets", "error", "match"),
    [
        ([], ValueError, "at least one basket"),
        ([["a"], []], ValueError, "basket 1 is empty"),
        ("abc", TypeError, "baskets"),
        (["ab", "cd"], TypeError, "basket 0 is a str"),
        ([["a", 3]], TypeError, "item labels as str"),
        ([["a"], 3], TypeError, "basket 1 is a int"),
    ],
)
def test_one_hot_bad_input(baskets, error, match):
    with pytest.raises(error, match=match):
        R.one_hot(baskets)


def test_transactions_to_one_hot_matches_one_hot():
    lines = pd.DataFrame(
        {
            "invoice": ["i1", "i1", "i2", "i2", "i2", "i3", "i3"],
            "item": ["milk", "bread", "bread", "butter", "bread", "tea", "milk"],
        }
    )
    before = lines.copy()
    got = R.transactions_to_one_hot(lines, "invoice", "item")
    expected = R.one_hot([["milk", "bread"], ["bread", "butter"], ["tea", "milk"]])
    assert got.index.tolist() == ["i1", "i2", "i3"]
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert got.columns.tolist() == expected.columns.tolist()
    pd.testing.assert_frame_equal(lines, before)


def test_transactions_to_one_hot_bad_input():
    with pytest.raises(ValueError, match="df: expected columns"):
        R.transactions_to_one_hot(pd.DataFrame({"invoice": ["a"]}), "invoice", "item")
    with pytest.raises(ValueError, match="non-empty"):
        R.transactions_to_one_hot(pd.DataFrame({"invoice": [], "item": []}), "invoice", "item")
    with pytest.raises(ValueError, match="missing values in column 'item'"):
        R.transactions_to_one_hot(pd.DataFrame({"invoice": ["a"], "item": [None]}), "invoice", "item")
    with pytest.raises(TypeError, match="df"):
        R.transactions_to_one_hot([("a", "b")], "invoice", "item")


def test_item_popularity_order_and_ties(toy):
    pop = R.item_popularity(toy)
    assert pop.index.tolist() == ["bread", "milk", "butter", "tea"]  # bread and milk tie: by name
    assert pop.tolist() == [0.8, 0.8, 0.6, 0.4]


def test_item_popularity_needs_bool(toy):
    with pytest.raises(TypeError, match="onehot: expected a boolean"):
        R.item_popularity(toy.astype(int))


# --------------------------------------------------------------------------- one rule by counting


def test_rule_metrics_by_hand(toy):
    # {bread, butter} -> {milk}: A in baskets 2, 3, 5; A and C in 2, 5; C in 1, 2, 4, 5.
    m = R.rule_metrics(toy, ["bread", "butter"], "milk")
    assert (m["n"], m["n_a"], m["n_c"], m["n_ac"]) == (5, 3, 4, 2)
    assert m["support"] == pytest.approx(2 / 5)
    assert m["confidence"] == pytest.approx(2 / 3)
    assert m["lift"] == pytest.approx((2 / 3) / (4 / 5))
    assert m["leverage"] == pytest.approx(2 / 5 - 3 / 5 * 4 / 5)
    assert m["conviction"] == pytest.approx((1 - 4 / 5) / (1 - 2 / 3))


def test_rule_metrics_conviction_is_inf_at_full_confidence(toy):
    m = R.rule_metrics(toy, ["butter"], ["bread"])
    assert m["confidence"] == 1.0
    assert math.isinf(m["conviction"])


def test_rule_metrics_bad_input(toy):
    with pytest.raises(ValueError, match="antecedent: expected items that are columns"):
        R.rule_metrics(toy, ["caviar"], ["milk"])
    with pytest.raises(ValueError, match="consequent: expected at least one item"):
        R.rule_metrics(toy, ["milk"], [])
    with pytest.raises(ValueError, match="consequent: expected no item of the antecedent"):
        R.rule_metrics(toy, ["milk"], ["milk"])
    with pytest.raises(ValueError, match="never do"):
        R.rule_metrics(R.one_hot([["a"], ["b"], ["c"]]), ["a", "b"], ["c"])


def test_rule_metrics_match_mlxtend(groceries, rules_01):
    for row in rules_01.itertuples(index=False):
        m = R.rule_metrics(groceries, row.antecedents, row.consequents)
        for metric in R.RULE_METRICS:
            assert m[metric] == pytest.approx(getattr(row, metric), rel=1e-9)
        assert m["n_ac"] == row.count
        assert m["n_a"] == row.antecedent_count


# --------------------------------------------------------------------------- mining


def test_groceries_reference_figures(groceries, rules_01):
    assert groceries.shape == (9835, 169)
    assert len(rules_01) == 15
    assert len(R.mine_rules(groceries, 0.005, 0.5, algorithm="apriori")) == 120


def test_apriori_and_fpgrowth_find_the_same_itemsets(groceries):
    a = R.frequent_itemsets(groceries, 0.005, "apriori")
    f = R.frequent_itemsets(groceries, 0.005, "fpgrowth")
    assert len(a) == len(f) == 1001
    assert dict(zip(a.itemsets, a.support, strict=True)) == pytest.approx(
        dict(zip(f.itemsets, f.support, strict=True))
    )


def test_frequent_itemsets_by_hand(toy):
    found = R.frequent_itemsets(toy, 0.6)
    got = {R.itemset_text(s): c for s, c in zip(found.itemsets, found["count"], strict=True)}
    assert got == {"{bread}": 4, "{milk}": 4, "{butter}": 3, "{bread, milk}": 3, "{bread, butter}": 3}
    assert found.support.is_monotonic_decreasing
    assert R.frequent_itemsets(toy, 0.6, max_len=1)["length"].max() == 1


def test_mine_rules_by_hand(toy):
    rules = R.mine_rules(toy, 0.6, 0.75)
    assert sorted(R.rule_text(rules)) == [
        "{bread} -> {butter}",
        "{bread} -> {milk}",
        "{butter} -> {bread}",
        "{milk} -> {bread}",
    ]
    assert list(rules.columns) == list(R.RULE_COLUMNS)
    top = rules.iloc[0]
    assert R.rule_text(rules).iloc[0] == "{butter} -> {bread}"  # lift 1.25, the highest
    assert top.lift == pytest.approx(1.25)
    assert rules.lift.is_monotonic_decreasing


def test_mine_rules_with_nothing_frequent(toy):
    rules = R.mine_rules(toy, 1.0, 0.5)
    assert rules.empty
    assert list(rules.columns) == list(R.RULE_COLUMNS)


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan")])
def test_thresholds_outside_zero_one(toy, bad):
    with pytest.raises(ValueError, match=r"min_support: expected a value in \(0, 1\]"):
        R.mine_rules(toy, bad, 0.5)
    with pytest.raises(ValueError, match=r"min_confidence: expected a value in \(0, 1\]"):
        R.mine_rules(toy, 0.5, bad)


def test_mine_rules_bad_input(toy):
    with pytest.raises(ValueError, match="algorithm: expected one of"):
        R.mine_rules(toy, 0.5, 0.5, algorithm="eclat")
    with pytest.raises(TypeError, match="min_support: expected a number"):
        R.mine_rules(toy, "0.5", 0.5)
    with pytest.raises(ValueError, match="onehot: expected a non-empty"):
        R.mine_rules(toy.iloc[:0], 0.5, 0.5)
    with pytest.raises(ValueError, match="max_len"):
        R.frequent_itemsets(toy, 0.5, max_len=0)


def test_mine_rules_does_not_change_onehot(toy):
    before = toy.copy()
    R.mine_rules(toy, 0.4, 0.5)
    pd.testing.assert_frame_equal(toy, before)


def test_sort_rules_is_stable_under_shuffling(rules_01):
    shuffled = rules_01.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(R.sort_rules(shuffled), rules_01)


def test_filter_rules(groceries):
    rules = R.mine_rules(groceries, 0.005, 0.3)
    before = rules.copy()
    kept = R.filter_rules(rules, min_lift=2.0, min_count=100, max_antecedent_len=1, min_confidence=0.35)
    assert len(kept) > 0
    assert (kept.lift > 2).all() and (kept["count"] >= 100).all()
    assert (kept.confidence >= 0.35).all() and (kept.antecedents.map(len) == 1).all()
    manual = rules[(rules.lift > 2) & (rules["count"] >= 100) & (rules.confidence >= 0.35)
                   & (rules.antecedents.map(len) == 1)]
    assert len(kept) == len(manual)
    pd.testing.assert_frame_equal(rules, before)


def test_filter_rules_bad_input(toy):
    rules = R.mine_rules(toy, 0.4, 0.5)
    with pytest.raises(ValueError, match="min_count: expected a positive integer"):
        R.filter_rules(rules, min_count=0)
    with pytest.raises(ValueError, match="min_lift"):
        R.filter_rules(rules, min_lift=-1)
    with pytest.raises(ValueError, match="rules: expected columns"):
        R.filter_rules(rules.drop(columns="count"))


# --------------------------------------------------------------------------- cross-sell


def test_recommend_from_rules_by_hand(toy):
    rules = R.mine_rules(toy, 0.2, 0.5)
    recs = R.recommend_from_rules(rules, ["butter"], k=2)
    # {butter} -> {bread} has confidence 1, {butter} -> {milk} 2/3
    assert recs["item"].tolist() == ["bread", "milk"]
    assert recs["confidence"].tolist() == pytest.approx([1.0, 2 / 3])
    assert set(recs["source"]) == {"rule"}
    assert recs["because"].iloc[0] == "{butter}"


def test_recommend_uses_the_best_firing_rule_and_skips_basket_items(rules_01):
    rules = rules_01
    basket = ["citrus fruit", "root vegetables", "tropical fruit"]
    recs = R.recommend_from_rules(rules, basket, k=3)
    assert recs["item"].tolist() == ["other vegetables", "whole milk"]
    # best rule for other vegetables: {citrus fruit, root vegetables} (confidence 0.586)
    assert recs["because"].iloc[0] == "{citrus fruit, root vegetables}"
    assert recs["confidence"].iloc[0] == pytest.approx(102 / 174)
    assert not set(recs["item"]) & set(basket)


def test_recommend_falls_back_to_popular_items(groceries, rules_01):
    rules = rules_01
    popular = R.item_popularity(groceries)
    recs = R.recommend_from_rules(rules, ["whole milk", "specialty chocolate"], k=3, fallback=popular)
    assert recs["item"].tolist() == ["other vegetables", "rolls/buns", "soda"]
    assert set(recs["source"]) == {"popular"}
    assert recs["confidence"].isna().all()
    assert R.recommend_from_rules(rules, ["specialty chocolate"], k=3).empty
    mixed = R.recommend_from_rules(rules, ["curd", "yogurt"], k=3, fallback=list(popular.index))
    assert mixed["item"].tolist() == ["whole milk", "other vegetables", "rolls/buns"]
    assert mixed["source"].tolist() == ["rule", "popular", "popular"]


def _hand_rules():
    return pd.DataFrame({
        "antecedents": [frozenset({"a"}), frozenset({"a"}), frozenset({"a"}), frozenset({"b"})],
        "consequents": [frozenset({"x"}), frozenset({"y"}), frozenset({"z"}), frozenset({"z"})],
        "confidence": [0.9, 0.4, 0.8, 0.3],
        "lift": [1.1, 3.0, 1.5, 2.5],
    })


def test_recommend_rank_by_lift_puts_the_rare_consequent_first():
    rules = _hand_rules()
    by_conf = R.recommend_from_rules(rules, ["a", "b"], k=3)
    by_lift = R.recommend_from_rules(rules, ["a", "b"], k=3, rank_by="lift")
    assert by_conf["item"].tolist() == ["x", "z", "y"]
    assert by_lift["item"].tolist() == ["y", "z", "x"]
    # z is proposed by two rules: confidence picks {a} (0.8), lift picks {b} (2.5)
    z_conf = by_conf.set_index("item").loc["z"]
    z_lift = by_lift.set_index("item").loc["z"]
    assert (z_conf["because"], z_conf["confidence"], z_conf["lift"]) == ("{a}", 0.8, 1.5)
    assert (z_lift["because"], z_lift["confidence"], z_lift["lift"]) == ("{b}", 0.3, 2.5)


def test_recommend_rank_by_lift_on_groceries_demotes_whole_milk(groceries):
    rules = R.mine_rules(groceries, 0.005, 0.3)
    basket = ["pip fruit", "whipped/sour cream"]
    by_conf = R.recommend_from_rules(rules, basket, k=2)
    by_lift = R.recommend_from_rules(rules, basket, k=2, rank_by="lift")
    assert by_conf["item"].iloc[0] == "whole milk"
    assert by_lift["item"].iloc[0] != "whole milk"
    assert by_lift["lift"].is_monotonic_decreasing


def test_recommend_bad_rank_by():
    with pytest.raises(ValueError, match=r"rank_by: expected one of \('confidence', 'lift'\), got 'support'"):
        R.recommend_from_rules(_hand_rules(), ["a"], rank_by="support")


def test_recommend_does_not_change_rules(toy):
    rules = R.mine_rules(toy, 0.2, 0.5)
    before = rules.copy()
    R.recommend_from_rules(rules, ["bread"], k=2, fallback=["tea"])
    pd.testing.assert_frame_equal(rules, before)


def test_recommend_bad_input(toy):
    rules = R.mine_rules(toy, 0.2, 0.5)
    with pytest.raises(TypeError, match="basket: expected a list"):
        R.recommend_from_rules(rules, "bread")
    with pytest.raises(ValueError, match="k: expected a positive integer"):
        R.recommend_from_rules(rules, ["bread"], k=0)
    with pytest.raises(TypeError, match="fallback"):
        R.recommend_from_rules(rules, ["bread"], fallback="tea")
    with pytest.raises(ValueError, match="rules: expected columns"):
        R.recommend_from_rules(rules.drop(columns="lift"), ["bread"])
