"""Exercises and concept quiz of lesson 13 (campaign targeting) on Bank Marketing.

13.1 asks for the response rate of a time split the lesson did not make,
13.2 for a break-even probability at other prices, and 13.3 for the best
list's expected profit as a function, checked on hidden random customers
against the package. Introduced in lesson 13.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import load_bank_marketing
from ..targeting import break_even_probability, expected_profit, time_split
from . import Exercise, function_checker, number_checker, quiz_question

TEST_SHARE = 0.4
COST, VALUE = 8.0, 120.0


@cache
def _split_rates() -> dict[str, float]:
    bank = load_bank_marketing()
    early, late = time_split(bank, test_size=TEST_SHARE)
    _, lesson_test = time_split(bank, test_size=0.25)
    return {
        "test": float(late["y"].mean()),
        "train": float(early["y"].mean()),
        "lesson": float(lesson_test["y"].mean()),
        "all": float(bank["y"].mean()),
        "first": float(bank["y"].iloc[: len(late)].mean()),
    }


def _check_split_rate(answer):
    rates = _split_rates()
    traps = {
        rates["train"]: "that is the rate of the earlier 60 % (the training part); the test period is the later one.",
        rates["lesson"]: "that is the lesson's test period (the last 25 %); this one keeps the last 40 %.",
        rates["all"]: "that is the rate of all customers, which a random split would give both parts.",
        rates["first"]: "that is the rate of the *first* 40 % of the rows; the test period is the last 40 %.",
    }
    return number_checker(rates["test"], "the response rate of the test period", traps, share=True)(answer)


ex1 = Exercise(
    name="13.1 a longer test period",
    question=(
        "Split Bank Marketing by time, keeping the last 40 % of the calls as the test period "
        "(time_split(bank, test_size=0.4)). What is the response rate of that test period? "
        "(answer: a share between 0 and 1)"
    ),
    checker=_check_split_rate,
    hint_text=(
        "The later the calls, the higher the response (section 2): a longer test period reaches further "
        "back into the low-response months, so expect a rate between the training and the lesson's test rate."
    ),
    hint_code="time_split(bank, test_size=0.4) gives (earlier, later); the rate is the mean of y in the later part.",
    solution_code=(
        "train40, test40 = time_split(bank, test_size=0.4)\n"
        "answer = test40['y'].mean()\n"
        "# lower than the 25 % test period's rate: the extra rows are older calls, from before the\n"
        "# response climbed. Where the split falls changes what 'the test rate' is under drift."
    ),
    reference=lambda: _split_rates()["test"],
    wrong_answers=lambda: [
        _split_rates()["train"], _split_rates()["lesson"], _split_rates()["all"], _split_rates()["first"],
        100 * _split_rates()["test"], "0.22", True,
    ],
)

_BREAK_EVEN_TRAPS = {
    VALUE / COST: "that is value / cost; the break-even probability is cost / value.",
    1 - COST / VALUE: "that is one minus the break-even probability.",
    0.05: "that is the break-even probability at the lesson's prices (5 and 100 euros), not at 8 and 120.",
}

ex2 = Exercise(
    name="13.2 break-even probability",
    question=(
        "A call now costs 8 euros and a subscription is worth 120 euros. Above which predicted "
        "probability of subscribing is a call worth making? (answer: a probability)"
    ),
    checker=number_checker(COST / VALUE, "the break-even probability", _BREAK_EVEN_TRAPS),
    hint_text="A call pays on average when what it brings, p times the value, exceeds what it costs.",
    hint_code="Solve p * value = cost for p; break_even_probability(cost=..., value=...) checks it.",
    solution_code=(
        "answer = break_even_probability(cost=8, value=120)  # 8 / 120\n"
        "# p * 120 - 8 > 0 exactly when p > 8 / 120: with calibrated p, everyone above it adds profit"
    ),
    reference=lambda: break_even_probability(cost=COST, value=VALUE),
    wrong_answers=lambda: [*_BREAK_EVEN_TRAPS, "0.0667", True],
)


def best_list_profit(p, cost: float, value: float) -> float:
    """Give the expected profit of the best call list: the sum of the positive ``p * value - cost``."""
    gain = expected_profit(np.asarray(p, dtype=float), cost=cost, value=value)
    return float(gain[gain > 0].sum())


def _customer_cases(rng: np.random.Generator) -> list[tuple]:
    cases = [(rng.beta(1, 8, size=n), float(cost), float(value))
             for n, cost, value in [(5, 5, 100), (50, 10, 100), (200, 2, 40), (1, 5, 100)]]
    cases.append((np.array([0.01, 0.02, 0.03]), 5.0, 100.0))   # nobody is worth a call: 0
    cases.append((np.array([0.05, 0.5, 0.05]), 5.0, 100.0))    # at break-even a call adds nothing
    return cases


ex3 = Exercise(
    name="13.3 the best list's profit as a function",
    question=(
        "Write a function best_list_profit(p, cost, value) that takes a numpy array of predicted "
        "probabilities, a cost per call and a value per success, and returns the expected profit "
        "(euros, a float) of the call list with the highest expected profit. It is checked on hidden "
        "random customers. (answer: the function)"
    ),
    checker=function_checker(best_list_profit, _customer_cases, "best_list_profit", rel=1e-9),
    hint_text=(
        "Each customer adds p * value - cost to the expected profit, whoever else is called: the best "
        "list keeps exactly the customers whose amount is positive. An empty list is allowed."
    ),
    hint_code=(
        "Compute the amounts with numpy and add the positive ones; profit_curve(p, cost=..., "
        "value=...)['expected_profit'].max() gives the same number."
    ),
    solution_code=(
        "def best_list_profit(p, cost, value):\n"
        "    gain = np.asarray(p) * value - cost\n"
        "    # each call's expected profit does not depend on the others: keep the positive ones\n"
        "    return float(gain[gain > 0].sum())\n"
        "answer = best_list_profit"
    ),
    reference=lambda: best_list_profit,
    wrong_answers=lambda: [
        lambda p, cost, value: float((np.asarray(p) * value - cost).sum()),
        lambda p, cost, value: float((np.asarray(p) * value)[np.asarray(p) * value > cost].sum()),
        lambda p, cost, value: int((np.asarray(p) * value > cost).sum()),
        132.0,
    ],
    kind="function",
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
            "again, and it will not help on later customers, whose channel is almost always recorded."
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
