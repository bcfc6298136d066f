"""Exercises of lesson 05 (market-basket rules) on the Groceries baskets.

The checkers compare with figures of the bundled file (its sha256 is fixed);
the reference solutions recompute them, so the test suite proves the two
agree. Introduced in lesson 05.
"""

from __future__ import annotations

import numbers
from functools import cache

from ..data import load_groceries
from ..rules import item_popularity, mine_rules, one_hot, recommend_from_rules, rule_metrics
from . import Exercise, close_enough

# {yogurt} -> {whole milk}: 551 of the 1,372 yogurt baskets hold whole milk; 2,513 of 9,835 do overall.
YOGURT_MILK_LIFT = (551 / 1372) / (2513 / 9835)
YOGURT_MILK_CONFIDENCE = 551 / 1372
YOGURT_MILK_SUPPORT = 551 / 9835
RULES_AT_01_04 = 62
RECOMMENDED = ["whole milk", "yogurt", "other vegetables"]
BASKET = ["curd", "tropical fruit"]


@cache
def _onehot():
    return one_hot(load_groceries().baskets)


def _check_lift(answer):
    traps = {
        round(YOGURT_MILK_CONFIDENCE, 4): "that is the confidence; lift divides it by the support of {whole milk}.",
        round(YOGURT_MILK_SUPPORT, 4): "that is the support of the rule; lift compares confidence with chance.",
    }
    try:
        key = round(float(answer), 4)
    except (TypeError, ValueError):
        key = None
    if key in traps:
        return traps[key]
    return close_enough(answer, YOGURT_MILK_LIFT, "your lift")


ex1 = Exercise(
    name="05.1 lift by counting",
    question=(
        "On the Groceries one-hot matrix, count the baskets and work out the lift of "
        "{yogurt} -> {whole milk}. (answer: a float)"
    ),
    checker=_check_lift,
    hint_text=(
        "n_a = baskets with yogurt, n_ac = baskets with yogurt and whole milk, n_c = baskets with "
        "whole milk; confidence = n_ac / n_a, lift = confidence / (n_c / n)."
    ),
    solution_code=(
        "X = one_hot(load_groceries().baskets)\n"
        "n, n_a, n_c = len(X), X['yogurt'].sum(), X['whole milk'].sum()\n"
        "n_ac = (X['yogurt'] & X['whole milk']).sum()\n"
        "answer = (n_ac / n_a) / (n_c / n)"
    ),
    reference=lambda: rule_metrics(_onehot(), ["yogurt"], ["whole milk"])["lift"],
    wrong_answers=lambda: [YOGURT_MILK_CONFIDENCE, YOGURT_MILK_SUPPORT, 1.0, "lift"],
)


def _check_rule_count(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return f"expected a whole number of rules, got {type(answer).__name__}"
    traps = {
        15: "15 is the count at min confidence 0.5; lower it to 0.4.",
        125: "125 is the count at min confidence 0.3; use 0.4.",
    }
    if answer == RULES_AT_01_04:
        return None
    return traps.get(int(answer), f"{answer} is not the number of rules at support 0.01, confidence 0.4")


ex2 = Exercise(
    name="05.2 how many rules",
    question=(
        "How many rules does Groceries give at min support 0.01 and min confidence 0.4? "
        "(answer: an int)"
    ),
    checker=_check_rule_count,
    hint_text="mine_rules(onehot, min_support, min_confidence) gives one row per rule.",
    solution_code="answer = len(mine_rules(one_hot(load_groceries().baskets), 0.01, 0.4))",
    reference=lambda: len(mine_rules(_onehot(), 0.01, 0.4)),
    wrong_answers=lambda: [15, 125, 62.0],
)


def _check_recommendation(answer):
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return f"expected a list of 3 item names, got {type(answer).__name__}"
    answer = list(answer)
    if len(answer) != 3:
        return f"expected 3 items, got {len(answer)}"
    if set(answer) & set(BASKET):
        return "the customer already has curd and tropical fruit: recommend something new."
    if answer == RECOMMENDED:
        return None
    if set(answer) == set(RECOMMENDED):
        return (
            "right items, wrong order: sort by the confidence of the best rule that fires, "
            "and break ties by lift."
        )
    return f"{answer} is not what the rules recommend; check min support 0.005, min confidence 0.3"


ex3 = Exercise(
    name="05.3 cross-sell",
    question=(
        "With the Groceries rules at min support 0.005 and min confidence 0.3, and the popular "
        "items as fallback, which 3 items would you recommend, in order, to a customer holding "
        "['curd', 'tropical fruit']? (answer: a list of 3 item names)"
    ),
    checker=_check_recommendation,
    hint_text="recommend_from_rules(rules, basket, k=3, fallback=item_popularity(onehot))['item'].",
    solution_code=(
        "X = one_hot(load_groceries().baskets)\n"
        "rules = mine_rules(X, 0.005, 0.3)\n"
        "recs = recommend_from_rules(rules, ['curd', 'tropical fruit'], k=3, fallback=item_popularity(X))\n"
        "answer = recs['item'].tolist()"
    ),
    reference=lambda: recommend_from_rules(
        mine_rules(_onehot(), 0.005, 0.3), BASKET, k=3, fallback=item_popularity(_onehot())
    )["item"].tolist(),
    wrong_answers=lambda: [
        ["whole milk", "other vegetables", "rolls/buns"],
        ["whole milk", "other vegetables", "yogurt"],
        ["whole milk", "tropical fruit", "yogurt"],
        "whole milk",
    ],
)


EXERCISES = [ex1, ex2, ex3]
