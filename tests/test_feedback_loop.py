"""The capstone's simulated shop and feedback loop: reproducible, the oracle optimal, bad input named."""

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pmkt_lessons.feedback_loop import (
    POLICIES,
    TargetingPolicy,
    ab_test,
    allocate_budget,
    compare_over_seeds,
    customer_design,
    oracle_decisions,
    rule_decisions,
    run_loop,
    weekly_profit,
)
from pmkt_lessons.simulate.shop import ACTIONS, COSTS, MARGIN, make_shop, simulate_week


@pytest.fixture(scope="module")
def shop():
    return make_shop(400, n_products=12, random_state=3)


def test_shop_is_reproducible_given_random_state():
    a, b, c = make_shop(100, random_state=5), make_shop(100, random_state=5), make_shop(100, random_state=6)
    pd.testing.assert_frame_equal(a.features, b.features)
    assert np.array_equal(a.segment, b.segment) and np.allclose(a.preferences, b.preferences)
    assert not a.features.equals(c.features)
    assert np.allclose(a.preferences.sum(axis=1), 1.0)


def test_true_effects_have_the_stated_signs(shop):
    product = shop.best_product()
    none = shop.purchase_probability(np.zeros(shop.n_customers, dtype=int), product)
    email = shop.purchase_probability(np.ones(shop.n_customers, dtype=int), product)
    assert (email[shop.segment == 1] > none[shop.segment == 1]).all()  # deal seekers are persuadable
    assert (email[shop.segment == 3] < none[shop.segment == 3]).all()  # fatigued customers: sleeping dogs


def test_allocation_is_optimal_by_brute_force_when_costs_are_equal():
    rng = np.random.default_rng(0)
    value = np.zeros((7, 3))
    value[:, 1] = rng.normal(0.2, 0.5, size=7)
    value[:, 2] = -1.0  # only e-mails are worth anything: equal costs, greedy by value is optimal
    budget = 0.35  # three e-mails
    action, spend = allocate_budget(value, budget)
    best = max(
        sum(value[i, a] for i, a in enumerate(choice))
        for choice in itertools.product(range(3), repeat=7)
        if COSTS[list(choice)].sum() <= budget + 1e-9
    )
    assert value[np.arange(7), action].sum() == pytest.approx(best)
    assert spend <= budget + 1e-9


def test_allocation_without_a_binding_budget_takes_every_positive_best_action():
    value = np.array([[0, 0.5, 2.0], [0, -0.1, -0.2], [0, 0.3, 0.1]])
    action, spend = allocate_budget(value, 100.0)
    assert action.tolist() == [2, 0, 1]
    assert spend == pytest.approx(COSTS[2] + COSTS[1])


def test_oracle_is_optimal_on_a_small_shop_with_ample_budget(shop):
    decisions = oracle_decisions(shop, budget=1e6)
    product = shop.best_product()
    expected = {
        a: MARGIN * shop.purchase_probability(np.full(shop.n_customers, a), product) - COSTS[a]
        for a in range(len(ACTIONS))
    }
    table = np.column_stack([expected[a] for a in range(len(ACTIONS))])
    chosen = table[np.arange(shop.n_customers), decisions["action"].to_numpy()]
    assert np.allclose(chosen, table.max(axis=1))


def test_loop_is_deterministic_and_logs_every_week(shop):
    a = run_loop(shop, "loop + exploration", n_weeks=4, budget=30.0, random_state=1)
    b = run_loop(shop, "loop + exploration", n_weeks=4, budget=30.0, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    assert sorted(a["week"].unique()) == [0, 1, 2, 3]
    assert len(a) == 4 * shop.n_customers
    assert ((a["propensity"] > 0) & (a["propensity"] <= 1)).all()
    spend = a.assign(cost=COSTS[a["action"].to_numpy()]).groupby("week")["cost"].sum()
    assert (spend <= 30.0 + 1e-6).all()


def test_common_random_numbers_make_policies_comparable(shop):
    rule = run_loop(shop, "no model (rule)", n_weeks=3, budget=30.0, random_state=2)
    again = run_loop(shop, "no model (rule)", n_weeks=3, budget=30.0, random_state=2)
    oracle = run_loop(shop, "oracle", n_weeks=3, budget=30.0, random_state=2)
    assert weekly_profit(rule).equals(weekly_profit(again))
    untouched = (rule["action"] == 0).to_numpy() & (oracle["action"] == 0).to_numpy()
    assert (rule["bought"].to_numpy()[untouched] == oracle["bought"].to_numpy()[untouched]).all()


def test_greedy_loop_never_learns_an_action_it_never_tried(shop):
    log = run_loop(shop, "greedy loop", n_weeks=5, budget=30.0, random_state=0)
    assert (log["action"] == 2).sum() == 0  # the rule never shows ads, so the model never learns them
    explored = run_loop(shop, "loop + exploration", n_weeks=5, budget=30.0, random_state=0)
    assert (explored["action"] == 2).sum() > 0


def test_targeting_policy_contract(shop):
    log = run_loop(shop, "no model (rule)", n_weeks=3, budget=30.0, random_state=0)
    customers = customer_design(shop.features, random_state=0)
    policy = TargetingPolicy(explore=0.1)
    with pytest.raises(NotFittedError):
        policy.predicted_value(customers)
    before = log.copy()
    assert policy.fit(log, customers) is policy
    pd.testing.assert_frame_equal(log, before)
    assert clone(policy).get_params() == policy.get_params()
    decisions = policy.decide(customers, 30.0, np.random.default_rng(0))
    assert len(decisions) == shop.n_customers


def test_compare_over_seeds_and_ab_test(shop):
    totals = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.5, 4.0]})
    table = compare_over_seeds(totals, "a")
    assert table.loc["b", "diff"] == pytest.approx(np.mean([1.0, 1.5, 1.0]))
    assert table.loc["b", "low"] < table.loc["b", "diff"] < table.loc["b", "high"]
    assert table.loc["a", "diff"] == 0
    result = ab_test(shop, rule_decisions(shop, 30.0), oracle_decisions(shop, 30.0), n_weeks=2, random_state=0)
    assert result["arm"].value_counts().to_dict() == {"current": 200, "new": 200}


def test_simulate_week_profit_is_margin_minus_cost(shop):
    action = np.ones(shop.n_customers, dtype=int)
    out = simulate_week(shop, action, shop.best_product(), np.random.default_rng(0).random((shop.n_customers, 2)))
    assert np.allclose(out["profit"], MARGIN * out["bought"] - COSTS[1])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda s: make_shop(0), ValueError, "n_customers"),
        (lambda s: make_shop("100"), TypeError, "n_customers"),
        (lambda s: make_shop(100, n_products=2), ValueError, "n_products"),
        (lambda s: make_shop(100, random_state=-1), ValueError, "random_state"),
        (lambda s: run_loop(s, "magic", n_weeks=3), ValueError, "policy"),
        (lambda s: run_loop(s, POLICIES[0], n_weeks=3, pilot_weeks=3), ValueError, "pilot_weeks"),
        (lambda s: run_loop(s, POLICIES[0], budget=-1.0), ValueError, "budget"),
        (lambda s: allocate_budget(np.zeros((3, 2)), 1.0), ValueError, "value"),
        (lambda s: allocate_budget(np.full((3, 3), np.nan), 1.0), ValueError, "value"),
        (lambda s: compare_over_seeds(pd.DataFrame({"a": [1.0]}), "a"), ValueError, "totals"),
        (lambda s: compare_over_seeds(pd.DataFrame({"a": [1.0, 2.0]}), "z"), ValueError, "totals"),
        (lambda s: ab_test(s, rule_decisions(s, 10.0).head(3), rule_decisions(s, 10.0)), ValueError, "decisions_control"),
        (lambda s: TargetingPolicy(explore=1.5).fit(run_loop(s, POLICIES[0], n_weeks=2, pilot_weeks=1),
                                                    customer_design(s.features)), ValueError, "explore"),
        (lambda s: TargetingPolicy().fit(run_loop(s, POLICIES[0], n_weeks=2, pilot_weeks=1), s.features),
         TypeError, "customers"),
    ],
)
def test_bad_input(shop, call, error, match):
    with pytest.raises(error, match=match):
        call(shop)
