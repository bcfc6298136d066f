"""Exercises of lesson 00 (welcome): the course map, the datasets, seeds; and its quiz.

Introduced in lesson 00.
"""

from __future__ import annotations

import numpy as np

from ..course import course_map
from ..data import catalogue
from . import Exercise, count_checker, function_checker, number_checker, quiz_question


def _minutes_of(lessons) -> int:
    """Give the planned minutes of ``lessons`` (lesson numbers such as "05")."""
    return int(course_map().loc[list(lessons), "minutes"].sum())


def _online_retail_lessons() -> list[str]:
    course = course_map()
    return list(course.index[course["data"].str.contains("online_retail")])


def _catalogue_lessons() -> list[str]:
    return [n.strip() for n in catalogue().loc["online_retail", "lessons"].split(",")]


ONLINE_RETAIL_MINUTES = _minutes_of(_online_retail_lessons())
ONLINE_RETAIL_LESSONS = len(_online_retail_lessons())
CATALOGUE_MINUTES = _minutes_of(_catalogue_lessons())
TOTAL_MINUTES = int(course_map()["minutes"].sum())


ex1 = Exercise(
    name="00.1 time on one dataset",
    question=(
        "How many minutes do the lessons whose 'data' column in course_map() mentions "
        "online_retail plan together? (an int)"
    ),
    checker=count_checker(
        ONLINE_RETAIL_MINUTES,
        "minutes",
        {
            ONLINE_RETAIL_LESSONS: "that is how many lessons use the data; add up their minutes instead.",
            TOTAL_MINUTES: "that is the whole course; keep only the lessons whose data mention online_retail.",
            CATALOGUE_MINUTES: (
                "that uses the catalogue's 'lessons' list, which names only the lessons built on the "
                "dataset; the course map also lists later lessons (streams, scale) that reuse it."
            ),
        },
    ),
    hint_text=(
        "Filter the course map to the rows whose data mention online_retail, then add up "
        "their minutes."
    ),
    hint_code="course_map()['data'] is text: .str.contains(...) gives a boolean mask for .loc.",
    solution_code=(
        "course = course_map()\n"
        "uses_retail = course['data'].str.contains('online_retail')\n"
        "# a boolean mask keeps the rows that mention the dataset; 'minutes' is then summed\n"
        "answer = int(course.loc[uses_retail, 'minutes'].sum())"
    ),
    reference=lambda: ONLINE_RETAIL_MINUTES,
    wrong_answers=lambda: [ONLINE_RETAIL_LESSONS, TOTAL_MINUTES, CATALOGUE_MINUTES],
)


def _part_minutes_reference(first: int, last: int) -> int:
    return _minutes_of(f"{n:02d}" for n in range(first, last + 1))


def _part_cases(rng: np.random.Generator) -> list[tuple[int, int]]:
    n = len(course_map())
    pairs = [(0, n - 1), (7, 7), (0, 0)]
    for _ in range(5):
        first, last = sorted(int(x) for x in rng.integers(0, n, size=2))
        pairs.append((first, last))
    return pairs


def _one_short(first: int, last: int) -> int:
    return _minutes_of(f"{n:02d}" for n in range(first, last))


ex2 = Exercise(
    name="00.2 minutes of a part",
    question=(
        "Write a function part_minutes(first, last) that gives the planned minutes of lessons "
        "first to last, both included, as an int; first and last are ints (5 and 10 mean lessons "
        "05 to 10). It is checked on hidden pairs of lessons."
    ),
    checker=function_checker(_part_minutes_reference, _part_cases, "part_minutes(first, last)"),
    hint_text=(
        "The course map is indexed by two-digit strings ('05', not 5), and 'both included' means "
        "the last lesson counts too."
    ),
    hint_code=(
        "course_map().loc[...] accepts a list of labels; an f-string pads a number with zeros "
        "(format spec 02d); check where range() stops."
    ),
    solution_code=(
        "def part_minutes(first, last):\n"
        "    # the index holds '00'..'24' as text, so turn the numbers into two-digit labels;\n"
        "    # range stops before its end, hence last + 1 to include the last lesson\n"
        "    labels = [f'{n:02d}' for n in range(first, last + 1)]\n"
        "    return int(course_map().loc[labels, 'minutes'].sum())\n"
        "\n"
        "answer = part_minutes"
    ),
    reference=lambda: _part_minutes_reference,
    wrong_answers=lambda: [_one_short, lambda first, last: TOTAL_MINUTES, 340],
    kind="function",
)


def _first_draw(seed: int) -> float:
    """Give the first np.random.rand() after seed_everything(seed), without touching the global state.

    seed_everything seeds numpy's legacy global generator, a RandomState.
    """
    return float(np.random.RandomState(seed).random_sample())


FIRST_DRAW_SEED_7 = 0.0763083
FIRST_DRAW_SEED_42 = 0.3745401


ex3 = Exercise(
    name="00.3 another seed",
    question=(
        "Call seed_everything(7), then draw one number with np.random.rand(). What is it? "
        "(a number; give at least 3 significant figures)"
    ),
    checker=number_checker(
        FIRST_DRAW_SEED_7,
        "the first draw after seed_everything(7)",
        {
            FIRST_DRAW_SEED_42: "that is the first draw after seed_everything(42); the question uses seed 7.",
        },
        sig=3,
    ),
    hint_text=(
        "A seed fixes the whole sequence of draws that follows it: seed first, then draw once, "
        "with nothing drawn in between."
    ),
    hint_code="Section 2 ('Seeds') seeds and draws in the same cell; do the same with 7.",
    solution_code=(
        "# seeding resets numpy's generator, so the next draw is always the same number\n"
        "seed_everything(7)\n"
        "answer = np.random.rand()"
    ),
    reference=lambda: _first_draw(7),
    wrong_answers=lambda: [FIRST_DRAW_SEED_42, 7, 0.5],
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "00.q1 why seed",
        "Every notebook calls seed_everything(42) at the start. What does that buy you?",
        {
            "a": "Better results: 42 is a seed that makes the models fit well.",
            "b": "The same numbers on every run, so a changed output means a changed computation, and the notebook tests can compare outputs.",
            "c": "Results that no longer depend on chance at all, so one run is enough to compare two models.",
            "d": "Faster training, because random numbers are cached.",
        },
        correct="b",
        explanation=(
            "A seed makes a run repeatable, not representative: the numbers are one draw among many. "
            "Two models compared on one seeded split can still differ by luck, which is why the "
            "course puts a paired interval on every comparison, and why you should never search for "
            "a seed that makes your favourite model win."
        ),
        traps={"c": "Repeatable is not the same as certain: another seed gives another draw, and the difference between two models can change sign."},
    ),
    quiz_question(
        "00.q2 a failed checksum",
        "load_online_retail() refuses to load: the file's SHA-256 checksum does not match. What should you do?",
        {
            "a": "Update the checksum stored in the package to the new file's, so that it loads.",
            "b": "Restore the original file (git checkout, or a fresh clone): the file was damaged or edited, and every number computed from it would be off.",
            "c": "Load the CSV with pandas directly instead.",
            "d": "Ignore it: a few changed bytes cannot matter.",
        },
        correct="b",
        explanation=(
            "The checksum is there so that a truncated download or a hand-edited file fails loudly "
            "instead of giving subtly different numbers. Changing the stored checksum or bypassing "
            "the loader silences the alarm without fixing the data."
        ),
        traps={"a": "That hides the damage: the loader would accept the broken file from then on."},
    ),
    quiz_question(
        "00.q3 ignored outputs",
        "The notebook tests ignore the output of the cell that lists library versions. When is it right to ignore a cell's output?",
        {
            "a": "Whenever a cell's output changes from one run to the next.",
            "b": "Only when the output legitimately differs between correct installations (versions, timings), with a comment saying why; never to hide a changed result or an error.",
            "c": "Whenever a test fails and the deadline is close.",
            "d": "Never: every output must always be compared.",
        },
        correct="b",
        explanation=(
            "Outputs that depend on the machine (versions, timings, memory) cannot be compared, so "
            "they are ignored with a stated reason, and what must hold everywhere is asserted in the "
            "next cell instead (each library at least its minimum version). A result that changes "
            "between runs is a bug to fix (a missing seed), not an output to ignore."
        ),
    ),
]
