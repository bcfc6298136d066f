"""Build an offline slide deck per lesson from the executed notebooks (``make slides``).

    python tools/build_slides.py [NOTEBOOK ...] [--out build/slides]

Each deck is one self-contained HTML file: a title slide, then one slide per
``##`` section with its prose and the figures its cells drew (PNG, embedded),
the Summary in full, and an index page linking every deck. No code is run,
nothing is fetched: arrow keys, space or a click move between slides, and the
file opens offline from a USB stick. Trainers present from these and switch
to the live notebook for the hands-on parts.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from pathlib import Path

from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parent.parent

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f4f0;color:#222}
section{display:none;box-sizing:border-box;width:100vw;height:100vh;padding:4vh 7vw;overflow:auto}
section.active{display:block}
section h1{font-size:2.6em;margin-top:18vh}section h2{font-size:1.9em;border-bottom:3px solid #2b6cb0}
section img{max-width:80%;max-height:58vh;display:block;margin:1em auto}
section table{border-collapse:collapse;font-size:.8em}section td,section th{border:1px solid #ccc;padding:.2em .5em}
code{background:#e8e8e2;padding:0 .2em}pre{background:#e8e8e2;padding:.6em;overflow:auto;font-size:.8em}
#counter{position:fixed;right:1.5em;bottom:1em;color:#777;font-size:.9em}
"""
SCRIPT = """
const s=[...document.querySelectorAll('section')];let i=Math.max(0,Math.min(s.length-1,(parseInt(location.hash.slice(1))||1)-1));
function show(n){i=Math.max(0,Math.min(s.length-1,n));s.forEach((e,k)=>e.classList.toggle('active',k===i));
document.getElementById('counter').textContent=(i+1)+' / '+s.length;history.replaceState(null,'','#'+(i+1));}
document.addEventListener('keydown',e=>{if(['ArrowRight','PageDown',' '].includes(e.key))show(i+1);
if(['ArrowLeft','PageUp'].includes(e.key))show(i-1);if(e.key==='Home')show(0);if(e.key==='End')show(s.length-1);});
document.addEventListener('click',e=>{if(e.target.tagName!=='A')show(e.clientX>innerWidth/3?i+1:i-1)});show(i);
"""


def _markdown(text: str) -> str:
    return markdown2html_mistune(text)


def _figures(cell: dict) -> list[str]:
    images = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            png = data["image/png"]
            png = "".join(png) if isinstance(png, list) else png
            images.append(f'<img alt="figure" src="data:image/png;base64,{png.strip()}">')
    return images


def slides_for(path: Path) -> tuple[str, list[str]]:
    """Give the lesson's title and its slides (HTML fragments), one per ``##`` section."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    title = path.stem
    slides: list[list[str]] = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            stripped = source.lstrip()
            if stripped.startswith("# ") and not slides:
                title = stripped.splitlines()[0][2:].strip()
                slides.append([_markdown(source)])
                continue
            for chunk in re.split(r"(?m)^(?=## )", source):
                if not chunk.strip():
                    continue
                if chunk.startswith("## "):
                    slides.append([])
                if slides:
                    slides[-1].append(_markdown(chunk))
        elif cell["cell_type"] == "code" and slides:
            slides[-1].extend(_figures(cell))
    return title, ["\n".join(parts) for parts in slides if parts]


def deck(title: str, slides: list[str]) -> str:
    body = "\n".join(f"<section>{s}</section>" for s in slides)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}<div id='counter'></div><script>{SCRIPT}</script></body></html>"
    )


def build(notebooks: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written, items = [], []
    for path in notebooks:
        title, slides = slides_for(path)
        target = out / f"{path.stem}.html"
        target.write_text(deck(title, slides), encoding="utf-8")
        written.append(target)
        items.append(f"<li><a href='{target.name}'>{html.escape(title)}</a> ({len(slides)} slides)</li>")
    index = f"<h1>pmkt-lessons slides</h1><ul>{''.join(items)}</ul>"
    (out / "index.html").write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Slides</title></head><body>{index}</body></html>", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    written = build(notebooks, args.out)
    print(f"slides: {len(written)} decks in {args.out} (open index.html; arrow keys move)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
