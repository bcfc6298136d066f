"""Auto-checked exercises: ``check(answer)``, ``hint()``, ``hint(2)``, ``solution()``.

Each lesson has a module ``pmkt_lessons.exercises.lesson_NN`` holding its
``Exercise`` objects in a list ``EXERCISES`` and its concept quiz in ``QUIZ``.
In a notebook::

    from pmkt_lessons.exercises import lesson_01 as ex
    answer = ...          # the student replaces ... with their answer
    ex.ex1.check(answer)  # prints "not attempted yet", "correct" or what is off
    ex.ex1.hint()         # the idea; ex.ex1.hint(2) points to the code
    ex.ex1.solution()

Checkers are built from the one core in ``pmkt_lessons.exercises.checkers``.
Trainers who hand out a student copy set ``PMKT_HIDE_SOLUTIONS=1`` so that
``solution()`` only says it is hidden. Introduced in lesson 00.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .checkers import (
    CountChecker,
    NumberChecker,
    choice_checker,
    close_enough,
    count_checker,
    frame_checker,
    function_checker,
    mapping_checker,
    number_checker,
    same_value,
    sequence_checker,
    set_checker,
    show,
)

__all__ = [
    "CountChecker",
    "Exercise",
    "Feedback",
    "NumberChecker",
    "all_exercises",
    "choice_checker",
    "close_enough",
    "count_checker",
    "frame_checker",
    "function_checker",
    "is_unattempted",
    "lesson_modules",
    "mapping_checker",
    "number_checker",
    "quiz_question",
    "same_value",
    "sequence_checker",
    "set_checker",
    "show",
    "solutions_hidden",
]

NOT_ATTEMPTED_MESSAGE = "not attempted yet: replace the ... with your answer, then run the cell again."
NONE_MESSAGE = "your answer is None: did your function forget to `return`, or a cell to assign `answer`?"
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
    """Tell whether the student left the placeholder ``...``."""
    return answer is Ellipsis


def _exception_text(exc: BaseException) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # noqa: BLE001 - an exception whose str raises is still reported
        return f"{type(exc).__name__} (its message cannot be printed)"


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
    hint_text : str
        The first hint, shown by ``hint()``: points to the idea, gives nothing away.
    solution_code : str
        Shown by ``solution()``: the code, with a comment saying why.
    kind : {"compute", "function", "concept"}
        What the exercise asks: compute a value, write a function checked on
        hidden cases, or answer a concept question (a quiz).
    explanation : str
        Printed after every checked answer, right or wrong (concept quizzes).
    hint_code : str
        The second hint, shown by ``hint(2)``: which function or section to use.
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
    hint_code: str = ""

    def evaluate(self, answer: Any) -> Feedback:
        """Give the verdict on ``answer`` without printing it; never raises."""
        if is_unattempted(answer):
            return Feedback("not attempted", f"{self.name}: {NOT_ATTEMPTED_MESSAGE}")
        if answer is None:
            problem = NONE_MESSAGE
        elif isinstance(answer, Iterator):
            problem = "your answer is an iterator (a generator, map or zip): wrap it in list(...)."
        else:
            try:
                problem = self.checker(answer)
            except Exception as exc:  # noqa: BLE001 - a broken answer is feedback, not a crash
                problem = f"checking your answer {show(answer)} raised {_exception_text(exc)}"
        why = f"\n{self.explanation.strip()}" if self.explanation else ""
        if problem:
            return Feedback("wrong", f"{problem}{why}")
        return Feedback("correct", f"{self.name} solved.{why}")

    def check(self, answer: Any = Ellipsis) -> None:
        """Print whether ``answer`` is correct, what is off, or that it is not attempted yet."""
        print(self.evaluate(answer))

    def hint(self, level: int = 1) -> None:
        """Print the first hint (the idea) or, with ``level=2``, the second (where in the code)."""
        if level == 2 and self.hint_code:
            print(f"Second hint for {self.name}: {self.hint_code}")
            return
        more = "\n(Still stuck? .hint(2) gives a second hint.)" if self.hint_code else ""
        print(f"Hint for {self.name}: {self.hint_text}{more}")

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
