"""Write the student edition of every lesson to build/student/ (``make student``).

    python tools/student_edition.py [--out build/student]

Each lesson is copied with its outputs and execution counts cleared, so that
students run every cell themselves, and a first code cell that sets
``PMKT_HIDE_SOLUTIONS=1`` (unless the environment already says otherwise), so
``solution()`` stays hidden while ``hint()`` and ``check()`` work. Exercise
cells are committed at ``...`` and stay so. The datasets, the package and the
README travel with the edition: hand out the whole folder (zip it) together
with the repository's set-up, or point students at the Binder badge.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HIDE_CELL = (
    "# Student edition: solutions are hidden (set PMKT_HIDE_SOLUTIONS=0 to show them).\n"
    "import os\n"
    "\n"
    'os.environ.setdefault("PMKT_HIDE_SOLUTIONS", "1")'
)


def student_notebook(path: Path) -> dict:
    """Give the student version of one lesson: no outputs, solutions hidden."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    hide = {"cell_type": "code", "execution_count": None, "id": "student-edition", "metadata": {},
            "outputs": [], "source": HIDE_CELL.splitlines(True)}
    nb["cells"].insert(1, hide)
    return nb


def build(out: Path) -> list[Path]:
    """Write every lesson's student version under ``out/notebooks`` and give their paths."""
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        target = out / "notebooks" / path.name
        target.write_text(json.dumps(student_notebook(path), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    args = parser.parse_args(argv)
    written = build(args.out)
    print(f"student edition: {len(written)} lessons in {args.out / 'notebooks'} (outputs cleared, solutions hidden)")
    print("hand it out with the repository (datasets, package, set-up) or open it next to notebooks/ in JupyterLab")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
