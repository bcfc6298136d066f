"""`make student` writes a student edition: no outputs, exercises at `...`, solutions hidden, and it runs."""

import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pmkt_lessons.exercises import all_exercises, solutions_hidden

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("student_edition", ROOT / "tools" / "student_edition.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["student_edition"] = module
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("student")
    return module.build(out)


def test_every_lesson_is_in_the_edition_without_outputs_or_solutions(edition):
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in edition] == [p.name for p in lessons]
    solutions = {
        name: [ex.solution_code.strip() for ex in exercises if len(ex.solution_code.strip()) > 30]
        for name, exercises in all_exercises().items()
    }
    for path in edition:
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), path.name
        assert 'os.environ.setdefault("PMKT_HIDE_SOLUTIONS", "1")' in "".join(code[0]["source"])
        source = "\n".join("".join(c["source"]) for c in nb["cells"])
        assert "Solution of" not in source
        for solution in solutions.get(f"lesson_{path.name[:2]}", []):
            assert solution not in source, f"{path.name} shows a solution"


@pytest.mark.parametrize("value", ["1", "true", "YES", "on", "typo"])
def test_hide_solutions_values_that_hide(monkeypatch, value):
    monkeypatch.setenv("PMKT_HIDE_SOLUTIONS", value)
    assert solutions_hidden()


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_hide_solutions_values_that_show(monkeypatch, value):
    monkeypatch.setenv("PMKT_HIDE_SOLUTIONS", value)
    assert not solutions_hidden()


@pytest.mark.parametrize("name", ["00_welcome.ipynb", "05_basket_rules.ipynb"])
def test_two_student_notebooks_run_to_the_end(edition, name, monkeypatch):
    monkeypatch.delenv("PMKT_HIDE_SOLUTIONS", raising=False)
    path = next(p for p in edition if p.name == name)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "\n".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
        if out.get("output_type") == "stream"
    )
    exercises = all_exercises()[f"lesson_{name[:2]}"]
    assert printed.count("not attempted yet") >= len(exercises)
    assert "Solution of" not in printed
