"""Every lesson notebook follows the template and was committed executed, top to bottom."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no lesson notebooks yet")


def _load(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return nb, code, markdown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_template_sections(path):
    _, code, markdown = _load(path)
    assert markdown.lstrip().startswith("# "), "the first cell should be the lesson's title"
    assert re.search(r"^(#+ .*|\*\*)Learning objectives", markdown, re.M | re.I), "no learning objectives"
    for section in ("Summary", "Exercises", "References"):
        assert re.search(rf"^#+ .*{section}", markdown, re.M | re.I), f"no '{section}' heading"
    assert re.search(r"(estimated )?time\b.*\d+\s*min", markdown, re.I), "no time estimate in minutes"
    assert re.search(r"prerequisite", markdown, re.I), "no prerequisites"
    source = "\n".join("".join(c["source"]) for c in code)
    assert "pmkt_lessons" in source
    assert "seed_everything" in source
    assert re.search(r"^\s*assert ", source, re.M), "no asserted check of a result"
    assert ".check(" in source, "no exercise checker call"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_in_order_without_errors(path):
    nb, code, _ = _load(path)
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), "not executed once, top to bottom, in a fresh kernel"
    for cell in code:
        source = "".join(cell["source"])
        assert "NBVAL_SKIP" not in source
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"error output in: {source[:80]}"
            if out.get("name") == "stderr":
                text = "".join(out.get("text", ""))
                assert "Warning" not in text, f"warning in committed output: {text[:200]}"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_outputs_say_why(path):
    _, code, _ = _load(path)
    for cell in code:
        source = "".join(cell["source"])
        if "NBVAL_IGNORE_OUTPUT" in source:
            lines = source.splitlines()
            # nbval honours the marker only alone on its line; the reason goes on the next one
            assert lines[0].strip() == "# NBVAL_IGNORE_OUTPUT", "the marker belongs alone on the first line"
            reason = lines[1].strip("# ") if len(lines) > 1 and lines[1].lstrip().startswith("#") else ""
            assert len(reason) > 5, f"say why the output is ignored: {lines[0]}"


# Lessons use the package's public API and its one policy for threads and seeds (issue 9):
# no private helper, no global torch seed or thread count (seed_everything and the trainers'
# random_state / n_threads do that), no device picked by hand.
FORBIDDEN = {
    r"from pmkt_lessons[\w.]* import [^\n]*\b_\w+": "imports a private helper of the package",
    r"\b(?:rs|ex|pm|up|B)\._[a-z]\w*\(": "calls a private helper of the package",
    r"torch\.set_num_threads\(": "sets torch threads globally (trainers take n_threads=)",
    r"threadpool_limits\(": "limits BLAS threads globally (trainers take n_threads=; device.limit_threads)",
    r"torch\.manual_seed\(": "seeds torch by hand (seed_everything / random_state)",
    r"np\.random\.seed\(": "seeds numpy's global generator by hand (seed_everything)",
    r"torch\.device\(": "picks a device by hand (pmkt_lessons.device.get_device)",
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_private_helpers_or_hand_set_threads_and_seeds(path):
    _, code, _ = _load(path)
    problems = []
    for i, cell in enumerate(code):
        source = "".join(cell["source"])
        problems += [f"cell {i}: {why}" for pattern, why in FORBIDDEN.items() if re.search(pattern, source)]
    assert not problems, problems
