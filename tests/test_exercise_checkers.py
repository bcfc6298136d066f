"""The checker core judges every kind of answer the same way in every lesson (issue 12)."""

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons.exercises import (
    Exercise,
    Feedback,
    choice_checker,
    count_checker,
    frame_checker,
    function_checker,
    mapping_checker,
    number_checker,
    same_value,
    sequence_checker,
    set_checker,
    solutions_hidden,
)


def _toy(checker=lambda a: None if a == 3 else "expected 3", **kw):
    return Exercise(name="toy", question="What is 1 + 2?", checker=checker, hint_text="add them",
                    solution_code="answer = 1 + 2  # addition", reference=lambda: 3,
                    wrong_answers=lambda: [2], **kw)


def test_feedback_statuses(capsys):
    ex = _toy()
    assert ex.evaluate(3) == Feedback("correct", "toy solved.")
    assert ex.evaluate(4).status == "wrong"
    assert ex.evaluate(...).status == "not attempted"
    none = ex.evaluate(None)
    assert none.status == "wrong" and "forget to `return`" in none.message
    ex.check(4)
    assert "Not yet: expected 3" in capsys.readouterr().out


def test_check_never_raises():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    def checker(answer):
        raise Unprintable()

    feedback = _toy(checker=checker).evaluate(5)
    assert feedback.status == "wrong" and "Unprintable" in feedback.message
    assert "AttributeError" in _toy(checker=lambda a: a.missing).evaluate(5).message
    assert "list(" in _toy().evaluate(x for x in [3]).message


def test_two_hints_and_hidden_solution(capsys, monkeypatch):
    ex = _toy(hint_code="use the + operator")
    ex.hint()
    assert "add them" in capsys.readouterr().out
    ex.hint(2)
    assert "use the + operator" in capsys.readouterr().out
    monkeypatch.delenv("PMKT_HIDE_SOLUTIONS", raising=False)
    ex.solution()
    assert "answer = 1 + 2" in capsys.readouterr().out
    for value, hidden in [("1", True), ("true", True), ("YES", True), ("0", False), ("false", False), ("no", False), ("", False)]:
        monkeypatch.setenv("PMKT_HIDE_SOLUTIONS", value)
        assert solutions_hidden() is hidden, value
    monkeypatch.setenv("PMKT_HIDE_SOLUTIONS", "1")
    ex.solution()
    assert "hidden" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "ok"), [
    (0.2203, True), (0.22, True), (0.220, True), (0.22034, True), (np.float64(0.22031), True), (0.2204, False),
    (0.221, False), (0.23, False), (0.2, False), (22.03, False),
])
def test_numbers_are_judged_at_the_precision_written(answer, ok):
    check = number_checker(0.2203, "the share")
    assert (check(answer) is None) is ok, check(answer)


def test_number_messages():
    check = number_checker(0.1952, "the rate", {0.75: "that is the other group"}, share=True)
    assert "close" in check(0.19) and "3 significant figures" in check(0.19)
    assert check(0.75) == "that is the other group"
    assert "outside [0, 1]" in check(25)
    assert "too low" in check(0.1)
    assert "not the text '0.8'" in check("0.8")
    assert "not the text 'a fifth'" in check("a fifth")
    assert "bool" in check(True)
    assert "NaN" in check(float("nan"))
    assert "inf" in check(float("inf"))
    assert "too large" in check(10**400)
    assert "single number" in check(np.array([0.1952]))
    assert check(0.1952) is None


def test_stated_tolerance_accepts_a_by_hand_method():
    check = number_checker(0.1952, "the critical value", rel=0.01)
    assert check(0.1934) is None and check(0.1961) is None
    assert check(0.1890) is not None


def test_full_precision_floats_are_judged_at_four_figures():
    check = number_checker(611342.45, "revenue")
    assert check(611342.4500001) is None and check(611342) is None and check(611000) is None
    assert check(611901.0) is not None


def test_counts():
    check = count_checker(586, "customers", {595: "ties broken by row order"})
    assert check(586) is None and check(586.0) is None and check(np.int64(586)) is None
    assert "whole number" in check(586.4)
    assert check(595) == "ties broken by row order"
    assert check(587) == "587 is not the number of customers."
    assert "bool" in check(True) and "text" in check("586")


def test_sequences_say_what_differs():
    check = sequence_checker([7, 5], "the two counts")
    assert check([7, 5]) is None and check((7, 5)) is None and check(np.array([7, 5])) is None
    assert check([7.6, 5.6]) is not None
    assert "text" in check(["7", "5"])
    assert "wrong order" in check([5, 7])
    assert "missing" in check([7])
    assert "should not be there" in check([7, 5, 3])
    assert "dict" in check({7: 1, 5: 2})
    assert "text" in check("75")
    assert "list(" in check(x for x in [7, 5])
    unordered = sequence_checker(["a", "b"], "the items", ordered=False)
    assert unordered(["b", "a"]) is None and unordered({"a", "b"}) is None


def test_sequence_traps():
    check = sequence_checker([1, 2], "the pair", traps={(2, 1): "that is the reverse"})
    assert check([2, 1]) == "that is the reverse"


def test_sets_and_mappings():
    check = set_checker({"milk", "bread"}, "the items")
    assert check(["bread", "milk"]) is None
    assert "missing" in check(["milk"]) and "'eggs'" in check(["milk", "bread", "eggs"])
    assert "more than once" in check(["milk", "milk", "bread"])
    mapping = mapping_checker({"a": 0.5, "b": 0.25}, "the shares")
    assert mapping({"a": 0.5, "b": 0.25}) is None and mapping(pd.Series({"a": 0.5, "b": 0.25})) is None
    assert "missing" in mapping({"a": 0.5}) and "'c'" in mapping({"a": 0.5, "b": 0.25, "c": 1})
    assert "'b'" in mapping({"a": 0.5, "b": 0.3})


def test_frames_name_the_column():
    truth = pd.DataFrame({"segment": ["a", "b"], "n": [3, 4]})
    check = frame_checker(truth, "the table")
    assert check(truth.iloc[::-1]) is None
    assert "'n'" in check(truth.rename(columns={"n": "count"}))
    assert "1 rows" in check(truth.head(1))
    assert "column 'n' differs" in check(truth.assign(n=[3, 5]))
    assert "Series" in check(truth["n"])


def test_function_checker_runs_hidden_cases():
    def reference(xs, k):
        return sum(xs[:k]) / k

    check = function_checker(reference, lambda rng: [(list(rng.integers(0, 2, 10)), int(rng.integers(1, 10))) for _ in range(5)], "precision_at_k")
    assert check(reference) is None
    assert "forget to `return`" in check(lambda xs, k: None)
    assert "raised ZeroDivisionError" in check(lambda xs, k: 1 / 0)
    assert "test case" in check(lambda xs, k: sum(xs[:k]) / 10)
    assert "expected a function" in check(0.5)


def test_same_value_never_equates_text_and_numbers():
    assert same_value("1", 1) is not None and same_value(True, 1) is not None
    assert same_value(1.0000001, 1) is None


def test_choice_checker():
    check = choice_checker("b", {"a": "x", "b": "y"}, {"a": "tempting"})
    assert check(" B ") is None and check("(b)") is None
    assert check("a") == "tempting"
    assert "not an option" in check("z")
    with pytest.raises(ValueError, match="correct"):
        choice_checker("c", {"a": "x"})
