"""Auto-checked exercises: ``check(answer)``, ``hint()``, ``solution()``.

Each lesson has a module ``pmkt_lessons.exercises.lesson_NN`` holding its
``Exercise`` objects in a list ``EXERCISES``. In a notebook::

    from pmkt_lessons.exercises import lesson_01 as ex
    answer = ...          # the student replaces ... with their answer
    ex.ex1.check(answer)  # prints "not attempted yet", "correct" or what is off
    ex.ex1.hint()
    ex.ex1.solution()

Trainers who hand out a student copy set ``PMKT_HIDE_SOLUTIONS=1`` so that
``solution()`` only says it is hidden. Introduced in lesson 00.
"""

from __future__ import annotations

import importlib
import numbers
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NOT_ATTEMPTED_MESSAGE = "not attempted yet: replace the ... with your answer, then run the cell again."
HIDE_SOLUTIONS_ENV = "PMKT_HIDE_SOLUTIONS"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``status`` is 'correct', 'wrong' or 'not attempted'."""

    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        marks = {"correct": "Correct!", "wrong": "Not yet:", "not attempted": "Exercise"}
        return f"{marks[self.status]} {self.message}".strip()


def is_unattempted(answer: Any) -> bool:
    """Tell whether the student left the placeholder (``...`` or ``None``)."""
    return answer is Ellipsis or answer is None


@dataclass
class Exercise:
    """One exercise with its checker, hint and reference solution.

    Parameters
    ----------
    name : str
        Short id shown in messages, e.g. ``"01.1 cancellations"``.
    question : str
        What to do, as printed by ``describe()``.
    checker : callable
        ``checker(answer) -> str | None``: ``None`` (or ``""``) when the answer
        is right, otherwise a sentence saying what is off. It may raise; an
        exception is reported as a wrong answer, not as a crash.
    hint_text, solution_code : str
        Shown by ``hint()`` and ``solution()``.
    kind : {"compute", "function", "concept"}
        What the exercise asks: compute a value, write a function checked on
        hidden cases, or answer a concept question (a quiz).
    explanation : str
        Printed after every checked answer, right or wrong (concept quizzes).
    reference : callable
        Returns the reference answer; the test suite checks that it passes.
    wrong_answers : callable
        Returns typical wrong answers; the test suite checks each one fails.
    """

    name: str
    question: str
    checker: Callable[[Any], str | None]
    hint_text: str
    solution_code: str
    reference: Callable[[], Any]
    wrong_answers: Callable[[], list[Any]] = field(default=lambda: [])
    kind: str = "compute"
    explanation: str = ""

    def evaluate(self, answer: Any) -> Feedback:
        """Give the verdict on ``answer`` without printing it."""
        if is_unattempted(answer):
            return Feedback("not attempted", f"{self.name}: {NOT_ATTEMPTED_MESSAGE}")
        try:
            problem = self.checker(answer)
        except Exception as exc:  # noqa: BLE001 - a broken answer is feedback, not a crash
            problem = f"checking your answer raised {type(exc).__name__}: {exc}"
        why = f"\n{self.explanation.strip()}" if self.explanation else ""
        if problem:
            return Feedback("wrong", f"{problem}{why}")
        return Feedback("correct", f"{self.name} solved.{why}")

    def check(self, answer: Any = Ellipsis) -> None:
        """Print whether ``answer`` is correct, what is off, or that it is not attempted yet."""
        print(self.evaluate(answer))

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint for {self.name}: {self.hint_text}")

    def solution(self) -> None:
        """Print the reference solution (or that the trainer hid it)."""
        if solutions_hidden():
            print(f"The solution of {self.name} is hidden in this copy of the course.")
            return
        print(f"Solution of {self.name}:\n{self.solution_code.strip()}")

    def describe(self) -> None:
        """Print the question."""
        print(f"Exercise {self.name}: {self.question}")


def solutions_hidden() -> bool:
    """Tell whether ``$PMKT_HIDE_SOLUTIONS`` hides solutions: 1/true/yes hide; 0/false/no/unset show.

    Any other value hides them too (a trainer's typo should not reveal answers).
    """
    value = os.environ.get(HIDE_SOLUTIONS_ENV, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def lesson_modules() -> list[str]:
    """Give the names of every ``lesson_NN`` exercise module, sorted."""
    return sorted(
        m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson_")
    )


def all_exercises() -> dict[str, list[Exercise]]:
    """Give every lesson's exercises and concept-quiz questions, keyed by module name (used by the tests)."""
    result = {}
    for name in lesson_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        result[name] = list(module.EXERCISES) + list(getattr(module, "QUIZ", []))
    return result


def number_checker(
    expected: float,
    what: str,
    traps: dict[float, str] | None = None,
    *,
    rel: float = 2e-3,
    trap_tol: float = 1e-4,
    share: bool = False,
) -> Callable[[Any], str | None]:
    """Give a checker for a numeric answer: right within ``rel`` of ``expected``.

    ``traps`` maps typical wrong values (a percentage instead of a share, the
    other arm, ...) to a message explaining that mistake; an answer within
    ``trap_tol * max(1, |trap|)`` of a trap gets that message. With
    ``share=True`` an answer outside [0, 1] is told to give a share.
    """
    traps = traps or {}

    def check(answer: Any) -> str | None:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return f"expected a number for {what}, got {type(answer).__name__}"
        if share and not 0 <= value <= 1:
            return f"{value:g} is outside [0, 1]: give a share, not a count or a percentage."
        for trap, message in traps.items():
            if abs(value - trap) <= trap_tol * max(1.0, abs(trap)):
                return message
        return close_enough(value, expected, what, rel=rel)

    return check


def count_checker(expected: int, what: str, traps: dict[int, str] | None = None) -> Callable[[Any], str | None]:
    """Give a checker for a whole-number answer; ``traps`` map typical wrong counts to a message."""
    traps = traps or {}

    def check(answer: Any) -> str | None:
        if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
            return f"expected a whole number for {what}, got {type(answer).__name__}"
        if answer == expected:
            return None
        return traps.get(int(answer), f"{answer:,} is not the number of {what}")

    return check


def close_enough(got: Any, expected: float, what: str, *, rel: float = 1e-3, abs_: float = 1e-9) -> str | None:
    """Checker helper: ``None`` if ``got`` is a number near ``expected``, else a message."""
    try:
        value = float(got)
    except (TypeError, ValueError):
        return f"expected a number for {what}, got {type(got).__name__}"
    if abs(value - expected) <= max(abs_, rel * abs(expected)):
        return None
    direction = "too high" if value > expected else "too low"
    return f"{what} is {value:g}, which is {direction}"


def choice_checker(correct: str, options: dict[str, str], traps: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    """Give a checker for a multiple-choice concept question.

    ``options`` maps each letter ("a", "b", ...) to its text; the student
    answers with the letter (any case, surrounding spaces ignored). ``traps``
    map a wrong letter to why that option is tempting but wrong.
    """
    if correct not in options:
        raise ValueError(f"correct: expected one of {sorted(options)}, got {correct!r}")
    traps = traps or {}

    def check(answer: Any) -> str | None:
        if not isinstance(answer, str):
            return f"answer with the letter of one option ({', '.join(sorted(options))}), got {type(answer).__name__}"
        letter = answer.strip().lower()
        if letter not in options:
            return f"{answer!r} is not an option: answer with one of {', '.join(sorted(options))}."
        if letter == correct:
            return None
        return traps.get(letter, f"({letter}) is not the best answer.")

    return check


def quiz_question(
    name: str, question: str, options: dict[str, str], correct: str, explanation: str,
    traps: dict[str, str] | None = None, hint_text: str = "Re-read the section this question is about.",
) -> Exercise:
    """Build a "Check your understanding" multiple-choice question (an ``Exercise`` of kind 'concept')."""
    listed = "\n".join(f"  ({key}) {text}" for key, text in sorted(options.items()))
    return Exercise(
        name=name,
        question=f"{question}\n{listed}",
        checker=choice_checker(correct, options, traps),
        hint_text=hint_text,
        solution_code=f"answer = {correct!r}",
        reference=lambda: correct,
        wrong_answers=lambda: [k for k in options if k != correct],
        kind="concept",
        explanation=explanation,
    )
