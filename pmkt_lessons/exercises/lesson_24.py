"""Exercises and concept quiz of lesson 24 (the capstone: the closed feedback loop).

Introduced in lesson 24.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..feedback_loop import allocate_budget, oracle_decisions
from ..simulate.shop import COSTS, make_shop
from . import Exercise, number_checker, quiz_question

BUDGET = 300.0


@cache
def _oracle_ad_share() -> float:
    shop = make_shop(3000, random_state=11)
    action = oracle_decisions(shop, BUDGET)["action"].to_numpy()
    return float(COSTS[action][action == 2].sum() / COSTS[action].sum())


ex1 = Exercise(
    name="24.1 where the oracle spends",
    question=(
        "Build the shop `make_shop(3000, random_state=11)` (not the lesson's) and take the oracle's "
        f"decisions for one week with a budget of {BUDGET:.0f}. What share of the money it spends goes "
        "to ads (a number between 0 and 1)?"
    ),
    checker=lambda answer: number_checker(_oracle_ad_share(), "the ads' share of the spend", share=True, rel=0.01)(answer),
    hint_text="The oracle knows each customer's true response: it spends where the incremental profit per unit cost is highest.",
    hint_code="oracle_decisions gives one action per customer; COSTS[action] is what each costs.",
    solution_code=(
        "shop11 = make_shop(3000, random_state=11)\n"
        f"action = oracle_decisions(shop11, {BUDGET:.0f})['action'].to_numpy()\n"
        "answer = COSTS[action][action == 2].sum() / COSTS[action].sum()"
    ),
    reference=_oracle_ad_share,
    wrong_answers=lambda: [1 - _oracle_ad_share(), 100 * _oracle_ad_share(), "0.5"],
)


def _hidden_cases(seed: int = 2024):
    rng = np.random.default_rng(seed)
    cases = []
    for n, budget in [(5, 0.3), (40, 2.5), (200, 25.0), (50, 0.0), (30, 1e6)]:
        value = np.column_stack([np.zeros(n), rng.normal(0.1, 0.4, n), rng.normal(0.0, 1.0, n)])
        cases.append((value, budget))
    return cases


def _check_allocate(answer):
    if not callable(answer):
        return f"give your function itself (allocate, without calling it), got {type(answer).__name__}"
    for value, budget in _hidden_cases():
        expected, _ = allocate_budget(value, budget)
        try:
            got = np.asarray(answer(value.copy(), budget))
        except Exception as exc:  # noqa: BLE001 - the student's function failing is feedback
            return f"your function raised {type(exc).__name__}: {exc} on a case with {len(value)} customers"
        if got.shape != expected.shape:
            return f"expected one action per customer ({expected.shape}), got shape {got.shape}"
        spend = COSTS[got.astype(int)].sum() if np.isin(got, [0, 1, 2]).all() else np.inf
        if spend > budget + 1e-9:
            return f"your allocation spends {spend:.2f}, over the budget of {budget}"
        if not np.array_equal(got, expected):
            lost = value[np.arange(len(value)), expected].sum() - value[np.arange(len(value)), got.astype(int)].sum()
            return (f"on a case with {len(value)} customers and budget {budget} your allocation earns "
                    f"{lost:.3f} less than greedy-by-value-per-cost (or breaks its ties differently).")
    return None


def _reference_allocate():
    def allocate(value, budget):
        best = value[:, 1:].argmax(axis=1) + 1
        gain = value[np.arange(len(value)), best]
        ratio = np.where(gain > 0, gain / COSTS[best], -np.inf)
        order = np.argsort(-ratio, kind="stable")
        order = order[np.isfinite(ratio[order])]
        chosen = order[np.cumsum(COSTS[best[order]]) <= budget + 1e-9]
        action = np.zeros(len(value), dtype=int)
        action[chosen] = best[chosen]
        return action
    return allocate


ex2 = Exercise(
    name="24.2 write the budget allocation",
    question=(
        "Write `allocate(value, budget)`: `value` is an (n, 3) array of expected incremental profit "
        "for no contact (always 0), an e-mail and an ad; return one action (0, 1, 2) per customer: "
        "each customer's best paid action if its value is positive, taken in order of value per unit "
        "cost (COSTS) until the budget is spent. It is checked on hidden cases against the package."
    ),
    checker=_check_allocate,
    hint_text='Greedy by value per unit cost is the classic knapsack approximation: pay for the best ratios first, while the budget lasts.',
    hint_code=(
        "First pick each customer's best paid action; then sort customers by value / cost; then keep "
        "the prefix whose cumulative cost fits the budget (np.cumsum)."
    ),
    solution_code=(
        "def allocate(value, budget):\n"
        "    best = value[:, 1:].argmax(axis=1) + 1\n"
        "    gain = value[np.arange(len(value)), best]\n"
        "    ratio = np.where(gain > 0, gain / COSTS[best], -np.inf)\n"
        "    order = np.argsort(-ratio, kind='stable')\n"
        "    order = order[np.isfinite(ratio[order])]\n"
        "    chosen = order[np.cumsum(COSTS[best[order]]) <= budget + 1e-9]\n"
        "    action = np.zeros(len(value), dtype=int)\n"
        "    action[chosen] = best[chosen]\n"
        "    return action\n"
        "answer = allocate"
    ),
    reference=_reference_allocate,
    wrong_answers=lambda: [
        lambda value, budget: value.argmax(axis=1),  # ignores the budget
        lambda value, budget: np.zeros(len(value), dtype=int),
        42,
    ],
    kind="function",
)

quiz1 = quiz_question(
    "24.Q1 the degenerate loop",
    "The greedy loop never shows an ad after twelve weeks. Why?",
    {
        "a": "Ads are never profitable in this shop.",
        "b": "The pilot never showed ads, so there is no data to estimate their effect, and without an estimate the policy never tries them.",
        "c": "The budget is too small for any ad.",
        "d": "k-means put all browsers in the wrong segment.",
    },
    "b",
    "A policy learns only about the actions it takes. The pilot rule sent e-mails only, so the ad "
    "model had no rows; a greedy policy without an estimate never takes the action, so it never "
    "gets the data: the loop is closed on itself. An exploration share buys that data at a known "
    "cost, and the logged propensities keep the estimate honest.",
    traps={"a": "The oracle does show ads to browsers: they are profitable, the greedy loop just never finds out."},
)

quiz2 = quiz_question(
    "24.Q2 common random numbers",
    "Why does every policy in the lesson see the same outcome draws within a seed?",
    {
        "a": "To make the simulation faster.",
        "b": "So that differences between policies come from their decisions, not from luck: the comparison is paired by seed and its interval narrower.",
        "c": "Because the oracle needs to know the draws.",
    },
    "b",
    "With common random numbers a customer who would have bought anyway buys under every policy "
    "that leaves them alone, so that noise cancels in the difference. The same idea as a paired "
    "comparison of two recommenders on the same users (lesson 06).",
)

quiz3 = quiz_question(
    "24.Q3 ship or stop",
    "An A/B test of a new policy against the current one gives a 95 % interval of [-0.02, +0.09] "
    "profit per customer. What do you do?",
    {
        "a": "Ship: the estimate is positive.",
        "b": "Stop and keep the current policy: the test failed.",
        "c": "Neither yet: the interval contains 0; run to the sample size the power analysis asked for, then decide (or accept the new one only if it costs nothing to switch).",
    },
    "c",
    "An interval that contains 0 says the data cannot tell the policies apart at this sample size. "
    "Shipping on a positive point estimate ships noise half the time; stopping calls a possibly good "
    "policy bad. Decide the sample size before the test (lesson 15) and read the interval at the end.",
    traps={"a": "The point estimate is positive, but the interval says a loss is as plausible as a gain."},
)

EXERCISES = [ex1, ex2]
QUIZ = [quiz1, quiz2, quiz3]
