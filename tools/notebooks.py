"""Execute the lesson notebooks headless: check, refresh committed outputs, or benchmark.

    python tools/notebooks.py run      [NOTEBOOK ...]  execute into build/executed/, report failures
    python tools/notebooks.py refresh  [NOTEBOOK ...]  execute in place (fresh kernel, top to bottom)
    python tools/notebooks.py bench    [NOTEBOOK ...]  execute each in its own process and write
                                                       wall seconds and peak kernel memory to
                                                       docs/BENCHMARKS.md and the README table

Without NOTEBOOK arguments every notebooks/NN_*.ipynb is used. `make run-all`,
`make refresh` and `make bench` call this.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BENCH_FILE = ROOT / "docs" / "BENCHMARKS.md"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TIMEOUT_S = 900


def lesson_notebooks(args: list[str]) -> list[Path]:
    paths = [Path(a).resolve() for a in args] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        sys.exit(f"no such notebook: {', '.join(missing)}")
    return paths


def execute(path: Path, out: Path | None) -> None:
    """Execute ``path`` in a fresh kernel with cwd notebooks/; write it to ``out`` (or in place)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    target = out or path
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def measure(path: Path) -> dict:
    """Execute one notebook in a child process; give its wall seconds and the kernel's peak RSS."""
    code = (
        "import json, resource, sys, time; sys.path.insert(0, {!r}); import notebooks as t; "
        "from pathlib import Path; s = time.perf_counter(); "
        "t.execute(Path({!r}), Path({!r})); w = time.perf_counter() - s; "
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
        "print(json.dumps({{'seconds': w, 'peak_mb': r / 1024}}))"
    ).format(str(Path(__file__).parent), str(path), str(ROOT / "build" / "bench" / path.name))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "status": "FAILED: " + proc.stderr[-300:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["status"] = "ok"
    return result


def read_rows() -> dict[str, str]:
    if not BENCH_FILE.is_file():
        return {}
    rows = {}
    for line in BENCH_FILE.read_text().splitlines():
        m = re.match(r"\| `(\d\d_[^`]+)` \|", line)
        if m:
            rows[m.group(1)] = line
    return rows


def hardware() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def write_tables(rows: dict[str, str]) -> None:
    header = "| notebook | wall seconds | peak kernel memory (MB) | status | measured |\n|---|---:|---:|---|---|"
    body = "\n".join(rows[k] for k in sorted(rows))
    table = f"{header}\n{body}"
    BENCH_FILE.parent.mkdir(parents=True, exist_ok=True)
    BENCH_FILE.write_text(
        "# Notebook benchmarks\n\n"
        "Written by `make bench` (tools/notebooks.py): each notebook is executed headless in a "
        "fresh kernel, in its own process; *wall seconds* covers kernel start to last cell, "
        "*peak kernel memory* is the kernel process's maximum resident set size. "
        "Budgets are in the issues (e.g. lessons 00-02: under 30 s and 1 GB each).\n\n"
        f"Hardware of the last run: {hardware()}, CPU only.\n\n{table}\n"
    )
    if README.is_file():
        text = README.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            README.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "refresh", "bench"])
    parser.add_argument("notebooks", nargs="*")
    ns = parser.parse_args()
    paths = lesson_notebooks(ns.notebooks)
    failures = []
    rows = read_rows()
    for path in paths:
        start = time.perf_counter()
        if ns.command == "bench":
            r = measure(path)
            today = dt.date.today().isoformat()
            rows[path.name] = (
                f"| `{path.name}` | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['status']} | {today} |"
            )
            print(rows[path.name], flush=True)
            if r["status"] != "ok":
                failures.append(path.name)
            write_tables(rows)
            continue
        try:
            execute(path, None if ns.command == "refresh" else ROOT / "build" / "executed" / path.name)
            print(f"ok      {path.name}  ({time.perf_counter() - start:.1f} s)", flush=True)
        except Exception as exc:  # noqa: BLE001 - report every notebook, then fail
            failures.append(path.name)
            print(f"FAILED  {path.name}: {type(exc).__name__}: {str(exc)[-500:]}", flush=True)
    if failures:
        sys.exit(f"{len(failures)} notebook(s) failed: {', '.join(failures)}")
    print(f"{len(paths)} notebook(s) executed without error")


if __name__ == "__main__":
    main()
