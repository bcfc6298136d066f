"""tools/nbrun.py: one line per notebook, full error messages, benchmarks to build/ by default."""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("nbrun", ROOT / "tools" / "nbrun.py")
nbrun = importlib.util.module_from_spec(spec)
sys.modules["nbrun"] = nbrun
spec.loader.exec_module(nbrun)

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
LONG_ERROR = (
    "Dataset file /x/groceries.csv is damaged or altered: sha256 " + "a" * 64 + " does not match "
    "the shipped " + "b" * 64 + ". Restore it from the repository with "
    "`git checkout -- datasets/groceries/groceries.csv` (or re-clone the course)."
)


@pytest.fixture
def tracked(tmp_path, monkeypatch):
    """Private copies of the tracked benchmark page and README, and a private build/ folder."""
    docs = tmp_path / "BENCHMARKS.md"
    readme = tmp_path / "README.md"
    docs.write_text("| `00_welcome.ipynb` | 6.7 | 286 | ok | 2026-11-22 |\n")
    readme.write_text(f"intro\n{nbrun.BEGIN}\nold table\n{nbrun.END}\nrest\n")
    monkeypatch.setattr(nbrun, "BENCH_FILE", docs)
    monkeypatch.setattr(nbrun, "README", readme)
    monkeypatch.setattr(nbrun, "BUILD_BENCH_FILE", tmp_path / "build" / "BENCHMARKS.md")
    monkeypatch.setattr(nbrun, "measure", lambda path: {"seconds": 1.3, "peak_mb": 300.0, "status": "ok"})
    return docs, readme


def test_bench_writes_to_build_and_leaves_tracked_files_alone(tracked, tmp_path, capsys):
    docs, readme = tracked
    before = docs.read_text(), readme.read_text()
    nbrun.main(["bench", str(ROOT / "notebooks" / "00_welcome.ipynb")])
    assert (docs.read_text(), readme.read_text()) == before
    page = (tmp_path / "build" / "BENCHMARKS.md").read_text()
    assert "| `00_welcome.ipynb` | 1.3 | 300 | ok |" in page
    assert "| `00_welcome.ipynb` | 1.3 | 300 | ok |" in capsys.readouterr().out


def test_bench_update_docs_rewrites_the_tracked_tables(tracked):
    docs, readme = tracked
    nbrun.main(["bench", "--update-docs", str(ROOT / "notebooks" / "01_data_cleaning.ipynb")])
    page = docs.read_text()
    assert "`00_welcome.ipynb` | 6.7" in page  # rows not measured this time are kept
    assert "`01_data_cleaning.ipynb` | 1.3" in page
    text = readme.read_text()
    assert "old table" not in text and "`01_data_cleaning.ipynb`" in text and text.endswith("rest\n")


def test_run_prints_one_line_per_notebook_and_the_whole_error(tmp_path, monkeypatch, capfd):
    ok = tmp_path / "ok.ipynb"
    bad = tmp_path / "bad.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# ok"), new_code_cell("x = 1 + 1")], metadata=KERNELSPEC), ok)
    nbformat.write(
        new_notebook(cells=[new_code_cell("x = 1"), new_code_cell(f"# load the data\nraise ValueError({LONG_ERROR!r})")],
                     metadata=KERNELSPEC),
        bad,
    )
    monkeypatch.setattr(nbrun, "EXECUTED", tmp_path / "executed")
    with pytest.raises(SystemExit, match="1 of 2 notebook"):
        nbrun.main(["run", str(ok), str(bad)])
    out, err = capfd.readouterr()
    lines = out.splitlines()
    assert lines[1].startswith("ok      ok.ipynb")
    assert lines[2].startswith("FAILED  bad.ipynb") and len(lines) == 3
    assert f"cell 2 (# load the data) raised ValueError: {LONG_ERROR}" in lines[2]  # not cut off
    assert (tmp_path / "executed" / "bad.ipynb").is_file()  # executed up to the error, to read the traceback
    assert "without encryption" not in out + err  # kernels talk over IPC, not TCP
