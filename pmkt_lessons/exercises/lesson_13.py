"""Exercises of lesson 13 (campaign targeting) on Bank Marketing.

The checkers compare with figures of the bundled file (its sha256 is fixed)
or with small worked examples; the reference solutions recompute them, so the
test suite proves the two agree. Introduced in lesson 13.
"""

from __future__ import annotations

import numpy as np

from ..data import load_bank_marketing
from ..targeting import break_even_probability, expected_profit, unknown_report
from . import Exercise, close_enough, quiz_question

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

QUIZ = [
    quiz_question(
        "13.q1 a random split of time-ordered calls",
        "The calls of 2008-2010 are in time order and the response rate drifts. Why does a random "
        "75/25 split overstate how well a response model will do on next month's customers?",
        {
            "a": "A random split puts fewer positive cases in the test set.",
            "b": "The model learns from calls made after many of the test calls, and is tested on a mix "
            "of periods like the one it learned from; next month's customers come only after it, "
            "from a period it has not seen.",
            "c": "A random split is not seeded, so its result changes on every run.",
            "d": "It does not: random and time splits estimate the same thing when the split is stratified.",
        },
        correct="b",
        explanation=(
            "With drift, the rows around each test row tell the model what that period was like (its "
            "response rate, which months were good). A random split lets the model use the future and "
            "tests it on the same mixture of periods; the lesson measured a higher AUC and a mean "
            "prediction equal to the observed rate, against a lower AUC and predictions far below the "
            "observed rate on the later period. Stratifying fixes the share of yes, not the time order."
        ),
    ),
    quiz_question(
        "13.q2 what kind of missing",
        "`contact` is 'unknown' for most calls of May-July 2008 and almost never afterwards, and "
        "those customers responded less. What is the best description?",
        {
            "a": "Missing not at random: the missingness depends on the unrecorded channel itself.",
            "b": "Missing completely at random: a coin decided which channels were recorded.",
            "c": "Missing at random given an observed variable (the period of the call): the bank did "
            "not record the channel in the first months, which also had a low response for everyone.",
            "d": "Not missing at all: 'unknown' is a third contact channel.",
        },
        correct="c",
        explanation=(
            "Missing not at random means the chance of being missing depends on the missing value "
            "itself, which nothing here suggests. The missingness is explained by something we "
            "observe, the time of the call (row order, month); within the one period where both "
            "occur, unknown and known contacts respond alike. The low rate of 'unknown' is the drift "
            "again, and it will not help on later customers, whose channel is always recorded."
        ),
    ),
    quiz_question(
        "13.q3 choosing on the test period",
        "Why are the features, the treatment of 'unknown', the model family and the threshold "
        "chosen by cross-validation on the training period instead of on the test period?",
        {
            "a": "Because cross-validation is faster than one test evaluation.",
            "b": "Because the test period has too few rows to compute an AUC.",
            "c": "A choice made on the test period fits its noise: the winner's test score is then "
            "biased upwards, and no untouched data are left to report an honest figure.",
            "d": "It makes no difference, as long as the test period is later than the training period.",
        },
        correct="c",
        explanation=(
            "Picking the best of several options on the same data that then scores the winner is "
            "selection: part of the winner's margin is luck on those rows. TimeSeriesSplit keeps the "
            "time order inside the training period, so each validation block is later than its "
            "fitting rows, as the test period will be; the test period then gives one unbiased score."
        ),
    ),
    quiz_question(
        "13.q4 recalibrate on the recent period",
        "The model fitted on 2008-2009 predicts a mean probability far below the response of the "
        "test period. Why fit the calibration sigmoid on the most recent training rows, not on all of them?",
        {
            "a": "The most recent rows are the closest to the customers the model will score, so their "
            "response level is the best estimate of tomorrow's; the sigmoid keeps the ranking and moves "
            "the probabilities there.",
            "b": "Calibration needs fewer rows than fitting, so any small part would do.",
            "c": "Recalibration raises the AUC.",
            "d": "The recent rows have no 'unknown' values.",
        },
        correct="a",
        explanation=(
            "Under drift the average of the past is a stale estimate. A sigmoid fitted on the latest "
            "period the model has not trained on maps its scores to that period's response level; the "
            "order, and so the AUC, does not change. It cannot foresee drift that continues after "
            "that period: the lesson's recalibrated predictions still fall short of the test rate, so "
            "recheck calibration on fresh data, and prefer a threshold that the money can absorb."
        ),
    ),
]
