"""Build the course website from the committed notebooks (``make site``).

    python tools/build_site.py [--out build/site] [--check-only]

Assembles build/site-src (the README as front page with its lesson table
linked to the lesson pages, every notebook with a Binder launch link on top),
runs Sphinx with myst-nb without executing anything, then checks that every
internal link of the built site resolves. Exits non-zero on a broken link.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
BINDER = "https://mybinder.org/v2/gh/pmkt-lessons/pmkt-lessons/main?urlpath=lab/tree/notebooks/{name}"


def lesson_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def front_page(notebooks: list[Path]) -> str:
    """Give the README as the site's front page: lesson links point at the lesson pages."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    present = {nb.stem for nb in notebooks}

    def lesson_link(match: re.Match) -> str:
        stem = match.group(2)
        return f"[{match.group(1)}](lessons/{stem}.ipynb)" if stem in present else match.group(1)

    readme = re.sub(r"\[([^\]]+)\]\(notebooks/([0-9][0-9]_[a-z0-9_]+)\.ipynb\)", lesson_link, readme)
    # links to repository files that are not part of the site go to the repository
    readme = re.sub(
        r"\]\((?!https?://|lessons/|#)([^)]+)\)",
        r"](https://github.com/pmkt-lessons/pmkt-lessons/blob/main/\1)",
        readme,
    )
    toctree = "\n".join(f"lessons/{nb.stem}" for nb in notebooks)
    return f"{readme}\n\n```{{toctree}}\n:caption: Lessons\n:maxdepth: 1\n:hidden:\n\n{toctree}\n```\n"


def with_binder_link(path: Path) -> dict:
    """Give the notebook with a first markdown cell holding its Binder launch link."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    link = f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({BINDER.format(name=path.name)})"
    cell = {"cell_type": "markdown", "id": "binder-link", "metadata": {}, "source": [link]}
    # the title stays the page heading: the badge goes right after the first cell
    nb["cells"].insert(1, cell)
    return nb


def assemble(src: Path) -> list[Path]:
    if src.exists():
        shutil.rmtree(src)
    (src / "lessons").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "site" / "conf.py", src / "conf.py")
    notebooks = lesson_notebooks()
    for nb in notebooks:
        (src / "lessons" / nb.name).write_text(json.dumps(with_binder_link(nb)), encoding="utf-8")
    (src / "index.md").write_text(front_page(notebooks), encoding="utf-8")
    return notebooks


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag in ("img", "script") and name == "src")
                          or (tag == "link" and name == "href")):
                self.links.append(value)


def broken_links(site: Path) -> list[str]:
    """Give 'page -> link' for every internal link of the built site whose target is missing."""
    broken = []
    for page in site.rglob("*.html"):
        if "_static" in page.relative_to(site).parts:  # theme templates, not pages
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for link in parser.links:
            parsed = urlparse(link)
            if parsed.scheme or link.startswith(("#", "mailto:", "//")) or not parsed.path:
                continue
            target = (page.parent / unquote(parsed.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
    return broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    src = out.parent / "site-src"
    notebooks = assemble(src)
    print(f"site: {len(notebooks)} lessons from the committed notebooks (nothing executed)")
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    if result.returncode != 0:
        print(result.stderr[-4000:])
        return result.returncode
    for line in warnings[:20]:
        print(line)
    broken = broken_links(out)
    for line in broken[:20]:
        print("broken link:", line)
    print(f"site: {len(list(out.rglob('*.html')))} pages in {out}, {len(broken)} broken internal links")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
