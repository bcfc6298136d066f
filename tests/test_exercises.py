"""Every exercise's reference solution passes its checker; typical wrong answers do not."""

import pytest

from pmkt_lessons.exercises import Exercise, Feedback, all_exercises

CASES = [(module, ex) for module, exercises in all_exercises().items() for ex in exercises]
IDS = [f"{module}:{ex.name}" for module, ex in CASES]


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_reference_solution_passes(module, exercise):
    feedback = exercise.evaluate(exercise.reference())
    assert feedback.correct, f"{module} {exercise.name}: {feedback.message}"


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_wrong_answers_fail_with_a_message(module, exercise):
    wrong = exercise.wrong_answers()
    assert wrong, f"{module} {exercise.name} has no wrong answers to test"
    for answer in wrong:
        feedback = exercise.evaluate(answer)
        assert feedback.status == "wrong", f"{module} {exercise.name} accepted {answer!r}"
        assert feedback.message.strip()


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_unattempted_is_not_an_error(module, exercise, capsys):
    exercise.check(...)
    assert "not attempted yet" in capsys.readouterr().out


def test_every_lesson_has_two_to_four_exercises_and_at_most_five_quiz_questions():
    for module, exercises in all_exercises().items():
        tasks = [ex for ex in exercises if ex.kind != "concept"]
        quiz = [ex for ex in exercises if ex.kind == "concept"]
        assert 2 <= len(tasks) <= 4, f"{module} has {len(tasks)} exercises"
        assert len(quiz) <= 5, f"{module} has {len(quiz)} quiz questions"
        assert all(isinstance(ex, Exercise) for ex in exercises)
        assert all(ex.kind in ("compute", "function", "concept") for ex in exercises)


def _toy(checker=lambda a: None if a == 3 else "expected 3"):
    return Exercise(
        name="toy",
        question="What is 1 + 2?",
        checker=checker,
        hint_text="add them",
        solution_code="answer = 1 + 2",
        reference=lambda: 3,
        wrong_answers=lambda: [2],
    )


def test_feedback_statuses(capsys):
    ex = _toy()
    assert ex.evaluate(3) == Feedback("correct", "toy solved.")
    assert ex.evaluate(4).status == "wrong"
    assert ex.evaluate(None).status == "not attempted"
    ex.check(4)
    assert "Not yet: expected 3" in capsys.readouterr().out


def test_a_checker_that_raises_reports_a_wrong_answer():
    ex = _toy(checker=lambda a: a.missing_attribute)
    feedback = ex.evaluate(5)
    assert feedback.status == "wrong"
    assert "AttributeError" in feedback.message


def test_hint_and_solution(capsys, monkeypatch):
    ex = _toy()
    ex.hint()
    ex.solution()
    out = capsys.readouterr().out
    assert "add them" in out and "answer = 1 + 2" in out
    monkeypatch.setenv("PMKT_HIDE_SOLUTIONS", "1")
    ex.solution()
    assert "hidden" in capsys.readouterr().out


def test_number_checker_traps_shares_and_tolerance():
    from pmkt_lessons.exercises import number_checker

    check = number_checker(0.25, "the share", {0.75: "that is the other group"}, share=True)
    assert check(0.2502) is None
    assert check(0.75) == "that is the other group"
    assert "outside [0, 1]" in check(25)
    assert "too low" in check(0.2)
    assert "expected a number" in check("a quarter")


def test_count_checker():
    from pmkt_lessons.exercises import count_checker

    check = count_checker(169, "items", {170: "strip the trailing space"})
    assert check(169) is None
    assert check(170) == "strip the trailing space"
    assert check(171) == "171 is not the number of items"
    assert "whole number" in check(169.0) and "whole number" in check(True)
