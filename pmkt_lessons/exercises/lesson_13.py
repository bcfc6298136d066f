"""Exercises of lesson 13 (campaign targeting) on Bank Marketing.

The checkers compare with figures of the bundled file (its sha256 is fixed)
or with small worked examples; the reference solutions recompute them, so the
test suite proves the two agree. Introduced in lesson 13.
"""

from __future__ import annotations

import numpy as np

from ..data import load_bank_marketing
from ..targeting import break_even_probability, expected_profit, unknown_report
from . import Exercise, close_enough

# 530 subscriptions among the 13,020 customers whose contact type is "unknown"
CONTACT_UNKNOWN_RATE = 530 / 13_020
OVERALL_RATE = 5_289 / 45_211
CONTACT_KNOWN_RATE = 4_759 / 32_191

TOY_P = (0.9, 0.4, 0.3, 0.12, 0.08, 0.05, 0.03, 0.02, 0.01, 0.0)
TOY_COST, TOY_VALUE = 10.0, 100.0
# call p > 0.1: (0.9 + 0.4 + 0.3 + 0.12) * 100 - 4 * 10
TOY_BEST_PROFIT = 132.0


def _check_unknown_rate(answer):
    traps = {
        round(OVERALL_RATE, 4): "that is the response rate of all customers; "
        "keep only those whose contact is 'unknown'.",
        round(CONTACT_KNOWN_RATE, 4): "that is the rate of customers whose contact type is known.",
        round(13_020 / 45_211, 4): "that is the share of customers with an unknown contact, "
        "not their response rate.",
    }
    try:
        key = round(float(answer), 4)
    except (TypeError, ValueError):
        return f"expected a number (a rate between 0 and 1), got {type(answer).__name__}"
    if key in traps:
        return traps[key]
    if float(answer) > 1:
        return "give the rate as a fraction between 0 and 1, not as a percentage."
    return close_enough(answer, CONTACT_UNKNOWN_RATE, "the response rate", rel=1e-3)


ex1 = Exercise(
    name="13.1 unknown contact",
    question=(
        "What share of the customers whose `contact` is 'unknown' subscribed (y = 1)? "
        "Give a fraction between 0 and 1. Compare it with the other customers: "
        "should 'unknown' be imputed?"
    ),
    checker=_check_unknown_rate,
    hint_text="bank.loc[bank['contact'] == 'unknown', 'y'].mean(), or unknown_report(bank).",
    solution_code=(
        "answer = bank.loc[bank['contact'] == 'unknown', 'y'].mean()\n"
        "# about 4 % against about 15 % for a known contact type: the missingness itself\n"
        "# predicts the response, so keep 'unknown' as a category of its own."
    ),
    reference=lambda: float(unknown_report(load_bank_marketing()).loc["contact", "rate_unknown"]),
    wrong_answers=lambda: [OVERALL_RATE, CONTACT_KNOWN_RATE, 13_020 / 45_211, 4.07],
)


def _check_break_even(answer):
    expected = 8 / 120
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected a probability (a number), got {type(answer).__name__}"
    if abs(value - 120 / 8) < 1e-6:
        return "that is value / cost; the break-even probability is cost / value."
    if abs(value - (1 - expected)) < 1e-6:
        return "that is one minus the break-even probability."
    return close_enough(value, expected, "the break-even probability", rel=1e-3)


ex2 = Exercise(
    name="13.2 break-even probability",
    question=(
        "A call now costs 8 euros and a subscription is worth 120 euros. Above which predicted "
        "probability of subscribing is a call worth making?"
    ),
    checker=_check_break_even,
    hint_text="A call pays when p * value > cost. Solve for p.",
    solution_code="answer = break_even_probability(cost=8, value=120)  # 8 / 120 = 0.0667",
    reference=lambda: break_even_probability(cost=8, value=120),
    wrong_answers=lambda: [15.0, 1 - 8 / 120, 0.05],
)


def _check_toy_profit(answer):
    traps = {
        91.0: "that is the expected profit of calling all ten; drop those who lose money.",
        172.0: "you forgot the cost of the calls.",
        4.0: "that is how many customers to call; the question asks for the expected profit.",
    }
    try:
        key = round(float(answer), 6)
    except (TypeError, ValueError):
        return f"expected a number of euros, got {type(answer).__name__}"
    if key in traps:
        return traps[key]
    return close_enough(answer, TOY_BEST_PROFIT, "the best expected profit", rel=1e-6)


def _toy_reference() -> float:
    gain = expected_profit(np.array(TOY_P), cost=TOY_COST, value=TOY_VALUE)
    return float(gain[gain > 0].sum())


ex3 = Exercise(
    name="13.3 best list by hand",
    question=(
        f"Ten customers have predicted probabilities p = {list(TOY_P)}. A call costs "
        f"{TOY_COST:g} euros and a subscription is worth {TOY_VALUE:g} euros. What is the "
        "expected profit (euros) of the best call list?"
    ),
    checker=_check_toy_profit,
    hint_text=(
        "Each customer adds p * value - cost. Keep those with a positive amount and add them "
        "up (or take the maximum of profit_curve(p, cost=..., value=...)['expected_profit'])."
    ),
    solution_code=(
        "p = np.array([0.9, 0.4, 0.3, 0.12, 0.08, 0.05, 0.03, 0.02, 0.01, 0.0])\n"
        "answer = profit_curve(p, cost=10, value=100)['expected_profit'].max()  # 132.0"
    ),
    reference=_toy_reference,
    wrong_answers=lambda: [91.0, 172.0, 4, 130.0],
)

EXERCISES = [ex1, ex2, ex3]
