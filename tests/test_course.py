"""The course map, the README's lesson table and the notebooks folder agree."""

import re
from pathlib import Path

from pmkt_lessons.course import LESSONS, course_map

ROOT = Path(__file__).resolve().parent.parent


def test_numbers_are_consecutive_and_notebook_names_match():
    assert [lesson.number for lesson in LESSONS] == [f"{i:02d}" for i in range(len(LESSONS))]
    for lesson in LESSONS:
        assert lesson.notebook.startswith(lesson.number + "_")
        assert 10 <= lesson.minutes <= 120


def test_readme_table_lists_every_lesson_with_its_minutes():
    readme = (ROOT / "README.md").read_text()
    for lesson in LESSONS:
        row = re.search(rf"^\| {lesson.number} \| \[(.+?)\]\(notebooks/{lesson.notebook}\.ipynb\) \|.*\| (\d+) \|$", readme, re.M)
        assert row, f"README lacks a row for lesson {lesson.number}"
        assert row.group(1) == lesson.title
        assert int(row.group(2)) == lesson.minutes


def test_every_notebook_in_the_folder_is_on_the_map():
    names = {lesson.notebook for lesson in LESSONS}
    for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        assert path.stem in names, f"{path.name} is not in pmkt_lessons.course.LESSONS"


def test_course_map_marks_available_notebooks(tmp_path):
    (tmp_path / "01_data_cleaning.ipynb").write_text("{}")
    table = course_map(tmp_path)
    assert table.loc["01", "available"]
    assert not table.loc["02", "available"]
    assert "available" not in course_map().columns
