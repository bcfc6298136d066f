"""Exercises and quiz of lesson 05 (market-basket rules) on the Groceries baskets.

The checkers compare with figures of the bundled file (its sha256 is fixed);
the reference solutions recompute them, so the test suite proves the two
agree. Introduced in lesson 05.
"""

from __future__ import annotations

from functools import cache

from ..data import load_groceries
from ..rules import (
    filter_rules,
    item_popularity,
    mine_rules,
    one_hot,
    recommend_from_rules,
    rule_metrics,
)
from . import Exercise, count_checker, number_checker, quiz_question, sequence_checker

# {yogurt} -> {whole milk}: 551 of the 1,372 yogurt baskets hold whole milk; 2,513 of 9,835 do overall.
YOGURT_MILK_LIFT = (551 / 1372) / (2513 / 9835)
YOGURT_MILK_CONFIDENCE = 551 / 1372
YOGURT_MILK_SUPPORT = 551 / 9835
YOGURT_MILK_LEVERAGE = 551 / 9835 - (1372 / 9835) * (2513 / 9835)
MILK_YOGURT_CONFIDENCE = 551 / 2513
RULES_AT_01_04 = 62
BASKET = ["onions"]
BY_LIFT = ["root vegetables", "other vegetables", "whole milk"]
BY_CONFIDENCE = ["other vegetables", "whole milk", "root vegetables"]


@cache
def _onehot():
    return one_hot(load_groceries().baskets)


ex1 = Exercise(
    name="05.1 lift by counting",
    question=(
        "On the Groceries one-hot matrix X, count the baskets and work out the lift of "
        "{yogurt} -> {whole milk}. (answer: a number)"
    ),
    checker=number_checker(
        YOGURT_MILK_LIFT,
        "the lift",
        {
            YOGURT_MILK_CONFIDENCE: "that is the confidence; lift divides it by the share of baskets with whole milk.",
            MILK_YOGURT_CONFIDENCE: "that is the confidence of the reverse rule {whole milk} -> {yogurt}.",
            YOGURT_MILK_SUPPORT: "that is the support of the rule; lift compares the confidence with chance.",
            YOGURT_MILK_LEVERAGE: "that is the leverage (a difference of shares); lift is a ratio.",
        },
    ),
    hint_text=(
        "Lift asks: how much likelier is whole milk in a basket that holds yogurt than in a basket "
        "picked at random? Four counts are all you need."
    ),
    hint_code=(
        "Section 2 counted n, n_a, n_c and n_ac for another rule with boolean columns of X; do the same "
        "with X['yogurt'] and X['whole milk'], then apply the table's lift formula."
    ),
    solution_code=(
        "n, n_a, n_c = len(X), X['yogurt'].sum(), X['whole milk'].sum()\n"
        "n_ac = (X['yogurt'] & X['whole milk']).sum()\n"
        "answer = (n_ac / n_a) / (n_c / n)\n"
        "# about 1.57: 40 % of yogurt baskets hold whole milk, against 26 % of all baskets"
    ),
    reference=lambda: rule_metrics(_onehot(), ["yogurt"], ["whole milk"])["lift"],
    wrong_answers=lambda: [YOGURT_MILK_CONFIDENCE, MILK_YOGURT_CONFIDENCE, YOGURT_MILK_SUPPORT, 1.0],
    explanation=(
        "A confidence of 0.40 sounds modest and a lift of 1.57 says the rule is real but mild: whole milk "
        "is so common that even an unrelated item would show a confidence near 0.26."
    ),
)


ex2 = Exercise(
    name="05.2 how many rules",
    question=(
        "How many rules does Groceries give at min support 0.01 and min confidence 0.4 "
        "(mlxtend's count, which includes multi-item consequents)? (answer: a whole number)"
    ),
    checker=count_checker(
        RULES_AT_01_04,
        "rules at support 0.01, confidence 0.4",
        {
            15: "15 is the count at min confidence 0.5; lower it to 0.4.",
            125: "125 is the count at min confidence 0.3; use 0.4.",
            333: "333 is the number of frequent itemsets at support 0.01, not of rules.",
        },
    ),
    hint_text="Lowering the confidence cut can only add rules, never remove them.",
    hint_code="Section 4 called mine_rules(X, min_support=..., min_confidence=...): one row per rule.",
    solution_code=(
        "answer = len(mine_rules(X, min_support=0.01, min_confidence=0.4))\n"
        "# 62, four times the 15 at confidence 0.5: the confidence cut is a dial, not a quality test"
    ),
    reference=lambda: len(mine_rules(_onehot(), 0.01, 0.4)),
    wrong_answers=lambda: [15, 125, 333, 61],
    explanation=(
        "From 15 rules at confidence 0.5 to 62 at 0.4: how many rules you get is mostly a matter of "
        "thresholds, which is why the lesson filters on lift and counts afterwards."
    ),
)


def _cross_sell() -> list:
    X = _onehot()
    useful = filter_rules(mine_rules(X, 0.005, 0.1), min_lift=1.5, min_count=50, min_confidence=0.3)
    recs = recommend_from_rules(useful, BASKET, k=3, fallback=item_popularity(X), rank_by="lift")
    return recs["item"].tolist()


ex3 = Exercise(
    name="05.3 cross-sell for an onion buyer",
    question=(
        "A customer has onions in the basket. Using the lesson's cross-sell (the rules of section 5 "
        "that pass filter_rules(..., min_lift=1.5, min_count=50, min_confidence=0.3), ranked by lift, "
        "popular items as fallback), which 3 items would you suggest, in order? "
        "(answer: a list of 3 item names)"
    ),
    checker=sequence_checker(
        BY_LIFT,
        "the 3 suggestions",
        traps={
            tuple(BY_CONFIDENCE): (
                "that is the order by confidence; the lesson ranks the filtered rules by lift "
                "(rank_by='lift'), so the item onions make unusually likely comes first."
            ),
        },
    ),
    hint_text=(
        "Only rules whose antecedent is inside the basket fire; among what they propose, the lesson "
        "prefers what the basket makes unusually likely, not what everyone buys."
    ),
    hint_code=(
        "Section 7: recommend_from_rules(useful, basket, k=..., fallback=popularity, rank_by=...), "
        "then take the 'item' column as a list."
    ),
    solution_code=(
        "recs = recommend_from_rules(useful, ['onions'], k=3, fallback=popularity, rank_by='lift')\n"
        "answer = recs['item'].tolist()\n"
        "# root vegetables first (lift 2.8): ranked by confidence, other vegetables and whole milk,\n"
        "# the most popular items, would lead"
    ),
    reference=_cross_sell,
    wrong_answers=lambda: [BY_CONFIDENCE, ["whole milk", "other vegetables", "rolls/buns"], BY_LIFT[:2]],
    explanation=(
        "Ranked by lift, the list starts with what onions make unusually likely (root vegetables, lift "
        "2.8); ranked by confidence it would start with other vegetables and whole milk, which the "
        "customer would probably buy anyway."
    ),
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "05.q1 a confident rule",
        "{bottled beer} -> {whole milk} has confidence 0.25 and lift 0.99. Should the shop show whole milk to beer buyers?",
        {
            "a": "Yes: a quarter of beer buyers take whole milk.",
            "b": "No: a quarter of *all* baskets hold whole milk, so beer tells you nothing (lift about 1).",
            "c": "Yes, because the rule rests on 201 baskets.",
            "d": "No, because the confidence is below 0.5.",
        },
        correct="b",
        explanation=(
            "Confidence is P(whole milk | beer); compare it with P(whole milk) = 0.26. A lift near 1 means "
            "the two are bought independently, so the suggestion would only repeat what the popular "
            "fallback does anyway, the 'popularity in disguise' of section 5."
        ),
        traps={"d": "The cut-off is arbitrary; a rule with confidence 0.3 and lift 3 is far more useful."},
    ),
    quiz_question(
        "05.q2 rules are not causes",
        "A strong rule says {pasta} -> {tomato sauce}. What does a promotion of tomato sauce to pasta buyers achieve?",
        {
            "a": "More sales of tomato sauce, in proportion to the lift.",
            "b": "The rule cannot say: it describes co-occurrence, and many of those customers would buy sauce anyway; only an experiment (lesson 15) measures the gain.",
            "c": "Nothing, because promotions never work.",
            "d": "It raises the rule's confidence, which proves the promotion worked.",
        },
        correct="b",
        explanation=(
            "Rules count what was bought together, not what a suggestion causes. Customers who would have "
            "bought the sauce anyway inflate the apparent effect, and some of the gain may be shifted "
            "from another week or product. A hold-out test answers the causal question."
        ),
    ),
    quiz_question(
        "05.q3 leverage in points",
        "A rule has leverage 0.0069. What does it say?",
        {
            "a": "The pair is 0.69 % more frequent than chance, relatively.",
            "b": "The pair is in 0.69 percentage points more of all baskets than independence would give (e.g. 1.04 % against 0.34 %).",
            "c": "The rule is right 0.69 % of the time.",
            "d": "The rule is 6.9 times likelier than chance.",
        },
        correct="b",
        explanation=(
            "Leverage is a difference of two shares of all baskets, P(A and C) - P(A) P(C), so it is in "
            "percentage points. The relative change (three times as frequent as chance) is the lift."
        ),
        traps={"a": "A relative change would be the ratio of the two shares: that is the lift."},
    ),
    quiz_question(
        "05.q4 a low minimum support",
        "On a catalogue of 30,000 products you set min_support = 0.0001 to catch rare bundles. What is the risk?",
        {
            "a": "None: FP-growth handles any threshold.",
            "b": "The number of frequent itemsets (and memory and time) explodes, and most rules rest on a handful of baskets: anecdotes, not patterns.",
            "c": "The rules will all have lift below 1.",
            "d": "Apriori and FP-growth will disagree.",
        },
        correct="b",
        explanation=(
            "Itemsets multiply combinatorially as the threshold falls, and a rule seen in three baskets has "
            "a lift no one can trust. Start high, lower step by step, and filter on the count of baskets."
        ),
        traps={"d": "Both find exactly the same itemsets at any threshold; only their cost differs."},
    ),
]
