"""Exercises of lesson 00 (welcome): reading the dataset catalogue and the course map.

Introduced in lesson 00.
"""

from __future__ import annotations

from ..course import course_map
from ..data import REGISTRY, catalogue
from . import Exercise, count_checker

ex1 = Exercise(
    name="00.1 datasets",
    question="How many datasets does the course catalogue list? (answer: an int)",
    checker=count_checker(
        len(REGISTRY),
        "datasets",
        {13: "13 is the number of files that verify_all() checks; some datasets have several files."},
    ),
    hint_text="catalogue() gives one row per dataset; len() of a DataFrame counts its rows.",
    solution_code="answer = len(catalogue())",
    reference=lambda: len(catalogue()),
    wrong_answers=lambda: [13, 5, "6"],
)


def _check_lesson_17_dataset(answer):
    if not isinstance(answer, str):
        return f"expected a dataset name (str), got {type(answer).__name__}"
    name = answer.strip().lower().replace(" ", "_")
    if name == "open_bandit":
        return None
    if name not in REGISTRY:
        return f"{answer!r} is not a dataset name; the names are {sorted(REGISTRY)}"
    return f"{answer!r} is not used by lesson 17: look at the 'lessons' column of the catalogue"


ex2 = Exercise(
    name="00.2 which data for bandits",
    question="Which bundled dataset does lesson 17 (bandits) use? Give its name as in the catalogue.",
    checker=_check_lesson_17_dataset,
    hint_text="Filter catalogue() on the 'lessons' column, e.g. with .str.contains('17').",
    solution_code=(
        "cat = catalogue()\n"
        "answer = cat.index[cat['lessons'].str.contains('17')][0]"
    ),
    reference=lambda: catalogue().index[catalogue()["lessons"].str.contains("17")][0],
    wrong_answers=lambda: ["online_retail", "bandits", 17],
)


def _total_minutes() -> int:
    return int(course_map()["minutes"].sum())


ex3 = Exercise(
    name="00.3 course length",
    question="How many minutes does the whole course plan, lessons 00 to 20 together? (an int)",
    checker=count_checker(
        _total_minutes(),
        "minutes",
        {
            len(course_map()): "that is the number of lessons; add up their minutes instead.",
            _total_minutes() - 20: "close: did you leave out lesson 00?",
        },
    ),
    hint_text="course_map() has a 'minutes' column; a Series has .sum().",
    solution_code="answer = int(course_map()['minutes'].sum())",
    reference=_total_minutes,
    wrong_answers=lambda: [len(course_map()), _total_minutes() - 20, 19.4],
)


EXERCISES = [ex1, ex2, ex3]
