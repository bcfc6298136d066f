"""Execute the lesson notebooks headless: check, refresh committed outputs, or benchmark.

    python tools/nbrun.py run      [NOTEBOOK ...]  execute into build/executed/, report failures
    python tools/nbrun.py refresh  [NOTEBOOK ...]  execute in place (fresh kernel, top to bottom)
    python tools/nbrun.py bench    [--update-docs] [NOTEBOOK ...]
                                                   execute each in its own process; write wall
                                                   seconds and peak kernel memory to
                                                   build/bench/BENCHMARKS.md, and with
                                                   --update-docs also to docs/BENCHMARKS.md and
                                                   the README table

Without NOTEBOOK arguments every notebooks/NN_*.ipynb is used. `make run-all`,
`make refresh` and `make bench` call this. One line per notebook: its status
and seconds; a failing notebook's error is printed in full, and the notebook
executed up to the failing cell is saved under build/executed/ to read the
traceback in context. Kernels talk over local IPC sockets (not TCP), so
ipykernel's "running over TCP without encryption" warning does not appear.
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
BUILD_BENCH_FILE = ROOT / "build" / "bench" / "BENCHMARKS.md"
EXECUTED = ROOT / "build" / "executed"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TIMEOUT_S = 900


def lesson_notebooks(args: list[str]) -> list[Path]:
    paths = [Path(a).resolve() for a in args] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        sys.exit(f"no such notebook: {', '.join(missing)}")
    return paths


def _short(path: Path) -> str:
    """Give ``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class NotebookFailed(Exception):
    """A notebook stopped at an error; the message says which cell and what went wrong."""


def _kernel_config(folder: str):
    """Give a traitlets config that runs the kernel over IPC sockets inside ``folder``."""
    from traitlets.config import Config

    config = Config()
    if os.name != "nt":  # IPC sockets are Unix-only; Windows keeps TCP
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(folder, "k")
    return config


def execute(path: Path, out: Path | None) -> None:
    """Execute ``path`` in a fresh kernel with cwd notebooks/; write it to ``out`` (or in place).

    On an error the notebook, executed up to the failing cell, is still written
    to ``out`` (never in place), and ``NotebookFailed`` says which cell failed
    with the full error message.
    """
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(path, as_version=4)
    # Socket paths must stay short (about 100 characters): a fresh folder in the temp dir.
    sockets = tempfile.TemporaryDirectory(prefix="pmkt-kernel-")
    config = _kernel_config(sockets.name)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        config=config,
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out)
        failed = next(
            (i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        where = f"cell {failed + 1}" if failed is not None else "a cell"
        first = nb.cells[failed].source.strip().splitlines()[:1] if failed is not None else []
        saved = f" [executed up to the error: {_short(out)}]" if out is not None else ""
        raise NotebookFailed(
            f"{where} ({first[0] if first else ''}) raised {exc.ename}: {exc.evalue}{saved}"
        ) from None
    except (CellTimeoutError, DeadKernelError) as exc:
        raise NotebookFailed(f"{type(exc).__name__}: {exc}") from None
    finally:
        sockets.cleanup()
    target = out or path
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def measure(path: Path) -> dict:
    """Execute one notebook in a child process; give its wall seconds and the kernel's peak RSS."""
    code = (
        "import json, resource, sys, time; sys.path.insert(0, {!r}); import nbrun as t; "
        "from pathlib import Path; s = time.perf_counter()\n"
        "try:\n    t.execute(Path({!r}), Path({!r}))\n"
        "except t.NotebookFailed as exc:\n    print(json.dumps({{'error': str(exc)}})); sys.exit(1)\n"
        "w = time.perf_counter() - s; r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({{'seconds': w, 'peak_mb': r / 1024}}))"
    ).format(str(Path(__file__).parent), str(path), str(ROOT / "build" / "bench" / path.name))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        try:
            reason = json.loads(proc.stdout.strip().splitlines()[-1])["error"]
        except (IndexError, KeyError, ValueError):
            lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit code {proc.returncode}"
        return {"seconds": float("nan"), "peak_mb": float("nan"), "status": "FAILED", "error": reason}
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


def table(rows: dict[str, str]) -> str:
    header = "| notebook | wall seconds | peak kernel memory (MB) | status | measured |\n|---|---:|---:|---|---|"
    return header + "\n" + "\n".join(rows[k] for k in sorted(rows))


def write_tables(rows: dict[str, str], target: Path = BENCH_FILE, readme: Path | None = README) -> None:
    """Write the benchmark page ``target`` and, when ``readme`` is given, the README's table."""
    text = table(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "# Notebook benchmarks\n\n"
        "Written by `make bench UPDATE_DOCS=1` (tools/nbrun.py): each notebook is executed headless in a "
        "fresh kernel, in its own process; *wall seconds* covers kernel start to last cell, "
        "*peak kernel memory* is the kernel process's maximum resident set size. "
        "Budgets are in the issues (e.g. lessons 00-02: under 30 s and 1 GB each).\n\n"
        f"Hardware of the last run: {hardware()}, CPU only.\n\n{text}\n"
    )
    if readme is not None and readme.is_file():
        content = readme.read_text()
        if BEGIN in content and END in content:
            head, rest = content.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            readme.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "refresh", "bench"])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--update-docs", action="store_true",
                        help="bench: also rewrite docs/BENCHMARKS.md and the README table")
    ns = parser.parse_intermixed_args(argv)
    paths = lesson_notebooks(ns.notebooks)
    failures = []
    if ns.command == "bench":
        # Rows of notebooks not measured this time are kept from the committed page.
        rows = read_rows() if ns.update_docs else {}
        target = BENCH_FILE if ns.update_docs else BUILD_BENCH_FILE
        print(f"benchmarking {len(paths)} notebook(s), one at a time; table: {_short(target)}", flush=True)
    else:
        where = "in place" if ns.command == "refresh" else f"into {_short(EXECUTED)}/"
        print(f"executing {len(paths)} notebook(s) {where}, each in a fresh kernel "
              "(usually 10-40 s each)", flush=True)
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
                print(f"        {path.name}: {r['error']}", flush=True)
            write_tables(rows, target, README if ns.update_docs else None)
            continue
        try:
            execute(path, None if ns.command == "refresh" else EXECUTED / path.name)
            print(f"ok      {path.name}  ({time.perf_counter() - start:.1f} s)", flush=True)
        except NotebookFailed as exc:
            failures.append(path.name)
            print(f"FAILED  {path.name}  ({time.perf_counter() - start:.1f} s): {exc}", flush=True)
    if failures:
        sys.exit(f"{len(failures)} of {len(paths)} notebook(s) failed: {', '.join(failures)}")
    print(f"{len(paths)} notebook(s) executed without error")


if __name__ == "__main__":
    main()
