"""The exercises of lessons 12 and 13: each trap gets its targeted message, odd answers are refused."""

import numpy as np
import pytest

from pmkt_lessons.exercises import lesson_12 as ex12
from pmkt_lessons.exercises import lesson_13 as ex13


def _message(exercise, answer):
    feedback = exercise.evaluate(answer)
    assert feedback.status == "wrong", f"{exercise.name} accepted {answer!r}"
    return feedback.message


def test_12_1_rejects_true_and_names_each_mistake():
    assert ex12.ex1.evaluate(4.75).correct and ex12.ex1.evaluate(4.8).correct
    assert "number" in _message(ex12.ex1, True).lower() or "bool" in _message(ex12.ex1, True).lower()
    assert "twice" in _message(ex12.ex1, 9.5)
    assert "itself" in _message(ex12.ex1, 25.25)
    assert "three pairs" in _message(ex12.ex1, 3.5)


@pytest.mark.parametrize("answer", [(345.9, 1418.9), ("345", "1418"), {345: 1, 1418: 2}, [345], 345, True])
def test_12_2_rejects_near_misses_text_and_dicts(answer):
    _message(ex12.ex2, answer)


def test_12_2_accepts_the_pair_in_any_sequence_and_names_each_mistake():
    for answer in [(345, 1418), [345, 1418], np.array([345, 1418]), (345.0, 1418.0)]:
        assert ex12.ex2.evaluate(answer).correct, answer
    assert "swapped" in _message(ex12.ex2, (1418, 345))
    assert "k = 5" in _message(ex12.ex2, (69, 1418))
    assert "linear" in _message(ex12.ex2, (414, 1418))
    assert "all four" in _message(ex12.ex2, (345, 28800))


def test_12_3_checks_the_function_on_hidden_cases():
    def loops(v):
        return float(sum(v[i] @ v[j] for i in range(len(v)) for j in range(i + 1, len(v))))

    assert ex12.ex3.evaluate(loops).correct
    assert "test case" in _message(ex12.ex3, lambda v: float((v.sum(axis=0) ** 2).sum() - (v**2).sum()))
    assert "return" in _message(ex12.ex3, lambda v: None)
    assert "function" in _message(ex12.ex3, 4.75)


def test_13_1_traps():
    rates = ex13._split_rates()
    assert ex13.ex1.evaluate(round(rates["test"], 3)).correct
    assert "training part" in _message(ex13.ex1, rates["train"])
    assert "25 %" in _message(ex13.ex1, rates["lesson"])
    assert "first" in _message(ex13.ex1, rates["first"])
    assert 0.2 < rates["test"] < rates["lesson"]  # a longer test period reaches back to older, lower rates


def test_13_2_traps():
    assert ex13.ex2.evaluate(0.067).correct
    assert "value / cost" in _message(ex13.ex2, 15)
    assert "one minus" in _message(ex13.ex2, 1 - 8 / 120)
    assert "lesson's prices" in _message(ex13.ex2, 0.05)


def test_13_3_reference_agrees_with_the_profit_curve():
    from pmkt_lessons.targeting import profit_curve

    rng = np.random.default_rng(3)
    for _ in range(5):
        p = rng.beta(1, 6, size=40)
        best = profit_curve(p, cost=5, value=100)["expected_profit"].max()
        assert ex13.best_list_profit(p, 5, 100) == pytest.approx(best)
    assert ex13.ex3.evaluate(lambda p, cost, value: float(np.clip(p * value - cost, 0, None).sum())).correct
    assert "test case" in _message(ex13.ex3, lambda p, cost, value: float((p * value - cost).sum()))
