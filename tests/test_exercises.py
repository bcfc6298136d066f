"""Every exercise: its reference passes, rounded as printed too; its traps fail with their message;
no answer, however odd, makes ``check`` raise; no numeric answer is printed above it in the lesson.
"""

import functools
import json
import math
import re
from pathlib import Path

import pytest

from pmkt_lessons.exercises import (
    CountChecker,
    Exercise,
    NumberChecker,
    all_exercises,
    lesson_modules,
)

CASES = [(module, ex) for module, exercises in all_exercises().items() for ex in exercises]
IDS = [f"{module}:{ex.name}" for module, ex in CASES]
TASKS = [(m, ex) for m, ex in CASES if ex.kind != "concept"]
TASK_IDS = [f"{m}:{ex.name}" for m, ex in TASKS]
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@functools.cache
def _reference(module, name):
    exercise = next(ex for ex in all_exercises()[module] if ex.name == name)
    return exercise.reference()


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_reference_solution_passes(module, exercise):
    feedback = exercise.evaluate(_reference(module, exercise.name))
    assert feedback.correct, f"{module} {exercise.name}: {feedback.message}"


def _rounded(value, figures):
    return float(f"{value:.{figures}g}")


@pytest.mark.parametrize(("module", "exercise"), TASKS, ids=TASK_IDS)
def test_reference_rounded_as_printed_passes(module, exercise):
    value = _reference(module, exercise.name)
    if isinstance(value, bool) or not isinstance(value, float) or value.is_integer():
        return  # counts, lists and functions are compared exactly
    figures = [3] + ([2] if isinstance(exercise.checker, NumberChecker) and exercise.checker.sig <= 2 else [])
    for n in figures:
        feedback = exercise.evaluate(_rounded(value, n))
        assert feedback.correct, f"{exercise.name}: {_rounded(value, n)} ({n} s.f.) rejected: {feedback.message}"


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_wrong_answers_fail_with_a_message(module, exercise):
    wrong = exercise.wrong_answers()
    assert wrong, f"{module} {exercise.name} has no wrong answers to test"
    for answer in wrong:
        feedback = exercise.evaluate(answer)
        assert feedback.status == "wrong", f"{module} {exercise.name} accepted {answer!r}"
        assert feedback.message.strip()


class _Hostile:
    """An answer that raises whatever is done with it."""

    def _boom(self, *args, **kwargs):
        raise RuntimeError("boom")

    __eq__ = __float__ = __int__ = __str__ = __repr__ = __len__ = __iter__ = __bool__ = __index__ = _boom
    __hash__ = None


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("cannot print me")


def _raises_unprintable(*args):
    raise _Unprintable()


ODD_ANSWERS = {
    "None": None,
    "text": "0.8",
    "nan": float("nan"),
    "inf": float("inf"),
    "bool": True,
    "object": object(),
    "hostile": _Hostile(),
    "generator": (i for i in range(3)),
    "huge": 10**400,
    "function raising unprintable": _raises_unprintable,
    "empty list": [],
}


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_odd_answers_get_a_message_and_never_raise(module, exercise):
    for label, answer in ODD_ANSWERS.items():
        feedback = exercise.evaluate(answer)
        assert feedback.status == "wrong", f"{exercise.name} accepted {label}"
        assert len(feedback.message.strip()) > 10, f"{exercise.name}: no message for {label}"
    assert "return" in exercise.evaluate(None).message


@pytest.mark.parametrize(("module", "exercise"), CASES, ids=IDS)
def test_unattempted_is_not_an_error(module, exercise, capsys):
    exercise.check(...)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(("module", "exercise"), TASKS, ids=TASK_IDS)
def test_two_hints_that_do_not_give_the_answer_away(module, exercise):
    assert exercise.hint_text.strip() and exercise.hint_code.strip(), f"{exercise.name} needs two hints"
    assert exercise.hint_text.strip() != exercise.hint_code.strip()
    value = _reference(module, exercise.name)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10:
        for hint in (exercise.hint_text, exercise.hint_code):
            assert f"{value:,}" not in hint and str(value) not in hint, f"{exercise.name}: a hint gives the answer"


def test_every_lesson_has_tasks_and_a_quiz_and_lists_the_kinds():
    kinds = {}
    for module, exercises in all_exercises().items():
        tasks = [ex for ex in exercises if ex.kind != "concept"]
        quiz = [ex for ex in exercises if ex.kind == "concept"]
        assert 2 <= len(tasks) <= 4, f"{module} has {len(tasks)} exercises"
        assert 3 <= len(quiz) <= 5, f"{module} has {len(quiz)} quiz questions (3-5 expected)"
        assert all(isinstance(ex, Exercise) for ex in exercises)
        assert all(ex.kind in ("compute", "function", "concept") for ex in exercises)
        kinds[module] = sorted({ex.kind for ex in tasks})
    assert set(kinds) == set(lesson_modules())
    # a course that only asks to read numbers off would list "compute" alone everywhere
    assert sum("function" in k for k in kinds.values()) >= 5, kinds


def test_the_exercise_catalogue_is_current():
    import subprocess
    import sys

    tool = Path(__file__).resolve().parent.parent / "tools" / "list_exercises.py"
    result = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- no numeric answer printed above the exercise -------------------------------------------

NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:[eE]-?\d+)?%?")


def _printed_numbers_before_exercises(module):
    number = module.split("_")[1]
    paths = sorted(NOTEBOOKS.glob(f"{number}_*.ipynb"))
    if not paths:
        return []
    cells = json.loads(paths[0].read_text(encoding="utf-8"))["cells"]
    texts = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.search(r"^#+ .*Exercises", source, re.M):
            break
        if cell["cell_type"] == "markdown":
            texts.append(source)
            continue
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            texts.append("".join(out.get("data", {}).get("text/plain", "")))
    return NUMBER.findall("\n".join(texts))


def _shown(token, truth):
    """Tell whether the printed ``token`` gives away ``truth`` (to at least 3 significant figures)."""
    percent = token.endswith("%")
    digits = token.rstrip("%").replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return False
    figures = len(re.sub(r"[^0-9]", "", digits.split("e")[0].split("E")[0]).lstrip("0"))
    if figures < 3 or value == 0:
        return False
    candidates = [value / 100] if percent else [value]
    decimals = len(digits.split(".")[1]) if "." in digits.split("e")[0] else 0
    half = 0.5 * 10.0 ** (-decimals) / (100 if percent else 1)
    return any(abs(c - truth) <= half * (1 + 1e-9) for c in candidates)


@pytest.mark.parametrize(("module", "exercise"), TASKS, ids=TASK_IDS)
def test_numeric_answer_is_not_printed_before_the_exercises(module, exercise):
    checker = exercise.checker
    if isinstance(checker, (NumberChecker, CountChecker)):
        truth = checker.expected
    else:
        truth = _reference(module, exercise.name)
        if isinstance(truth, bool) or not isinstance(truth, (int, float)):
            return
    if not math.isfinite(truth) or (float(truth).is_integer() and abs(truth) < 100):
        return  # small whole numbers appear everywhere
    shown = [t for t in _printed_numbers_before_exercises(module) if _shown(t, truth)]
    assert not shown, f"{exercise.name}: the answer {truth} is printed above the exercise as {shown[:3]}"
