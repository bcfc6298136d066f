"""The trainer kit builds from a clean clone: slide decks, the course website, the guide's lesson list."""

import importlib.util
import re
import sys
from pathlib import Path

from pmkt_lessons.course import LESSONS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_slides_build_offline_with_headings_figures_and_summary(tmp_path):
    slides = _tool("build_slides")
    written = slides.build(NOTEBOOKS, tmp_path)
    assert len(written) == len(NOTEBOOKS)
    for path in written:
        page = path.read_text()
        assert page.count("<section>") >= 5, path.name
        assert re.search(r"<h2[^>]*>.*Summary", page), f"{path.name}: no Summary slide"
        # offline: nothing is fetched from the network
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=['\"]https?://", page), path.name
    with_figures = [p for p in written if "data:image/png;base64," in p.read_text()]
    assert len(with_figures) >= len(written) - 2
    assert (tmp_path / "index.html").exists()


def test_site_builds_and_every_internal_link_resolves(tmp_path):
    site = _tool("build_site")
    assert site.main(["--out", str(tmp_path / "site")]) == 0
    built = tmp_path / "site"
    for nb in NOTEBOOKS:
        page = built / "lessons" / f"{nb.stem}.html"
        assert page.exists(), page
        text = page.read_text()
        assert "mybinder.org/v2/gh/pmkt-lessons/pmkt-lessons/main?urlpath=lab/tree/notebooks/" in text
    front = (built / "index.html").read_text()
    assert "lessons/00_welcome.html" in front
    assert (built / "search.html").exists()
    assert site.broken_links(built) == []


def test_broken_link_is_detected(tmp_path):
    site = _tool("build_site")
    (tmp_path / "a.html").write_text("<a href='missing.html'>x</a><a href='https://example.org'>y</a>")
    assert site.broken_links(tmp_path) == ["a.html -> missing.html"]


def test_trainer_guide_lists_every_lesson_with_its_minutes():
    guide = (ROOT / "docs" / "TRAINER_GUIDE.md").read_text()
    for lesson in LESSONS:
        row = re.search(rf"^\| {lesson.number} \| {re.escape(lesson.title)} \| (\d+) \|", guide, re.M)
        assert row, f"the trainer guide lacks lesson {lesson.number}"
        assert int(row.group(1)) == lesson.minutes
