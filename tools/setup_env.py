"""Create or update the course's virtual environment, one line per step (`make setup`).

    python3.11 tools/setup_env.py [--venv .venv] [--extras dev,crosscheck,docs,lab]
                                  [--torch cpu|cu126|...|pypi] [--torch-index URL]
    python3.11 tools/setup_env.py --check [--venv .venv] [--extras ...]

The console gets one line per step: what it does, how long it usually takes,
how long it took. pip's own output (its progress, and warnings that come from
a machine's pip configuration) goes to build/setup.log; a failed step prints
the end of that log. Any line pip marks ERROR is copied to the console even
when pip succeeds, so nothing wrong is hidden (.ci/run fails on it).

Steps, in this order (the order matters, see `install_steps`):
  1. the virtual environment and a recent pip;
  2. torch alone, the CPU build by default (from the PyTorch CPU index, probed
     first for a few seconds; when it cannot be reached, from pip's usual
     index, which is said on the console);
  3. the course package (editable) with its extras, every version from the
     lock (constraints.txt);
  4. obp and recbole without their dependencies (why: see `install_steps`).

`--check` is fast and runs on every `make setup`: it restores the MovieLens
carrier (and obp) when they went missing after the set-up, and prints one
line saying what the environment holds.

Standard library only: it runs with the Python that creates the environment.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"
LOG = ROOT / "build" / "setup.log"
PYTORCH_INDEX = "https://download.pytorch.org/whl/{variant}"
PROBE_TIMEOUT_S = 5.0
# Installed without dependencies after everything else (see install_steps).
RECBOLE_SPEC = "recbole==1.2.1"  # pmkt_lessons.data.RECBOLE_SPEC; a test keeps them equal
OBP_SPEC = "obp==0.5.7"
MOVIELENS_CARRIER = ("recbole", "dataset_example", "ml-100k", "ml-100k.inter")
# setuptools' editable install always says "Editable installation ... be careful with
# folders ... with the same name as your package": true of every flat-layout project
# (pmkt_lessons/ is that folder), so it is filtered by its exact opening words.
QUIET_WARNINGS = "ignore:Editable installation"
SUPPORTED_PYTHONS = ((3, 11), (3, 12))


def torch_pin(lock: Path = LOCK) -> str:
    """Give the torch version pinned by the lock (e.g. "2.13.0")."""
    for line in lock.read_text().splitlines():
        m = re.match(r"^torch==([0-9][^\s#+]*)", line)
        if m:
            return m.group(1)
    raise SystemExit(f"{lock}: expected a `torch==VERSION` pin, found none")


def default_torch_variant(platform: str = sys.platform) -> str:
    """Give the torch build the set-up installs by default: "cpu" on Linux, "pypi" elsewhere.

    On Linux PyPI's torch wheel is the CUDA build (about 2.7 GB with its
    nvidia packages); the course runs on CPU, so it asks the PyTorch CPU index.
    On macOS (and Windows) PyPI's wheel is already the small CPU/MPS build.
    """
    return "cpu" if platform.startswith("linux") else "pypi"


def index_reachable(url: str, timeout: float = PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """Give (whether ``url`` answers within ``timeout`` seconds, a short reason)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return True, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:  # the server answered: it is reachable
        return exc.code < 500, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"{type(reason).__name__}: {reason}"[:160]


@dataclass
class Step:
    """One set-up step: what the console says, how long it usually takes, the command."""

    title: str
    usually: str
    command: list[str]
    env: dict[str, str] | None = None


class Console:
    """Prints one line per step and keeps every command's output in the log."""

    def __init__(self, log: Path = LOG, total: int = 0):
        self.log = log
        self.total = total
        self.done = 0
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as handle:
            handle.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(sys.argv)}\n")

    def say(self, text: str) -> None:
        print(text, flush=True)

    def run(self, step: Step) -> None:
        """Run one step; on failure print the end of the log and exit 1."""
        self.done += 1
        counter = f"[{self.done}/{self.total}] " if self.total else ""
        print(f"{counter}{step.title} (usually {step.usually}) ...", end="", flush=True)
        start = time.perf_counter()
        with self.log.open("a") as handle:
            handle.write(f"\n$ {' '.join(step.command)}\n")
            handle.flush()
            offset = handle.tell()
            env = {**os.environ, **(step.env or {})}
            proc = subprocess.run(step.command, stdout=handle, stderr=subprocess.STDOUT, env=env)
        seconds = time.perf_counter() - start
        output = self.log.read_text(errors="replace")[offset:]
        if proc.returncode != 0:
            print(f" FAILED after {seconds:.0f} s")
            tail = "\n".join(output.rstrip().splitlines()[-30:])
            print(f"--- last lines of {self.log} ---\n{tail}\n---", flush=True)
            raise SystemExit(f"set-up step failed: {step.title}. Full output: {self.log}")
        print(f" done in {seconds:.0f} s", flush=True)
        for line in error_lines(output):
            print(f"    pip reported: {line}", flush=True)


def error_lines(output: str) -> list[str]:
    """Give the lines pip marked as errors (``ERROR: ...``) in a command's output."""
    return [line.strip() for line in output.splitlines() if re.match(r"^\s*ERROR\b", line)]


def _short(path: Path) -> str:
    """Give ``path`` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def installed(venv: Path, dist: str) -> str | None:
    """Give the version of ``dist`` installed in ``venv``, or None."""
    python = venv_python(venv)
    if not python.is_file():
        return None
    code = (
        "import importlib.metadata as m, sys\n"
        "try: print(m.version(sys.argv[1]))\n"
        "except m.PackageNotFoundError: pass\n"
    )
    out = subprocess.run([str(python), "-c", code, dist], capture_output=True, text=True)
    return out.stdout.strip() or None


def carrier_present(venv: Path) -> bool:
    """Say whether recbole's copy of MovieLens 100K (lesson 09's data) is in ``venv``."""
    python = venv_python(venv)
    code = (
        "import importlib.util, pathlib, sys\n"
        "s = importlib.util.find_spec('recbole')\n"
        "ok = bool(s and s.submodule_search_locations) and pathlib.Path("
        "next(iter(s.submodule_search_locations)), *sys.argv[2:]).is_file()\n"
        "sys.exit(0 if ok else 1)\n"
    )
    return subprocess.run([str(python), "-c", code, "x", *MOVIELENS_CARRIER[1:]]).returncode == 0


def pip(venv: Path, *args: str) -> list[str]:
    # --quiet keeps the log short; warnings and errors still reach it.
    return [str(venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *args]


def torch_step(venv: Path, variant: str, index: str | None, console: Console) -> Step | None:
    """Give the step that installs torch, or None when the wanted build is already there."""
    version = torch_pin()
    have = installed(venv, "torch")
    lock = ["-c", str(LOCK)]
    if variant == "pypi":
        if have and have.split("+")[0] == version:
            console.say(f"torch {have} already installed")
            return None
        return Step(f"torch {version} from PyPI", "1-2 min on macOS; on Linux the CUDA build, ~2.7 GB",
                    pip(venv, *lock, f"torch=={version}"))
    wanted = f"{version}+{variant}"
    if have == wanted:
        console.say(f"torch {have} already installed")
        return None
    index = index or PYTORCH_INDEX.format(variant=variant)
    start = time.perf_counter()
    ok, why = index_reachable(index.rstrip("/") + "/torch/")
    if ok:
        size = "~200 MB" if variant == "cpu" else "~2.7 GB"
        return Step(f"torch {wanted} from {index}", f"1-3 min, {size}",
                    pip(venv, *lock, "--extra-index-url", index, f"torch=={wanted}"))
    console.say(
        f"note: {index} cannot be reached ({why}; checked in {time.perf_counter() - start:.1f} s), "
        f"so torch {version} comes from pip's usual index instead. On Linux that can be the "
        "CUDA build (~2.7 GB); the course runs on it too (README, Troubleshooting)."
    )
    if have and have.split("+")[0] == version:
        console.say(f"torch {have} already installed")
        return None
    return Step(f"torch {version} from pip's usual index", "1-5 min",
                pip(venv, *lock, f"torch=={version}"))


def install_steps(venv: Path, extras: list[str]) -> list[Step]:
    """Give the steps after torch, in the order that keeps pip's checks quiet and true."""
    steps = []
    # pip checks the dependencies of what it installs and prints a red "ERROR: pip's
    # dependency resolver ..." block for recbole and obp, which are installed on purpose
    # without theirs. They are installed last, and taken out first when the lock or the
    # extras changed, so this install never sees them.
    present = [d for d in ("recbole", "obp") if installed(venv, d)]
    if present:
        steps.append(Step(f"set aside {' and '.join(present)} (put back below)", "a few seconds",
                          [str(venv_python(venv)), "-m", "pip", "uninstall", "--yes", "--quiet", *present]))
    steps.append(Step(
        f"the course package with [{','.join(extras)}], every version from constraints.txt",
        "3-5 min and ~1.3 GB the first time, seconds afterwards",
        pip(venv, "-c", str(LOCK), "-e", f"{ROOT}[{','.join(extras)}]"),
        env={"PYTHONWARNINGS": QUIET_WARNINGS},
    ))
    if "crosscheck" in extras:
        # obp: tests compare our off-policy estimators with it. Its metadata pins old
        # numpy/pandas/scikit-learn and an old Python range, which would downgrade the
        # lock; the estimators the tests call run with the lock's versions.
        steps.append(Step(f"{OBP_SPEC} without its dependencies (cross-checks in tests)", "a few seconds",
                          pip(venv, "--no-deps", "--ignore-requires-python", OBP_SPEC)))
    # recbole only carries the MovieLens 100K files (lesson 09) inside its wheel; its
    # dependencies (ray, tensorboard, colorama ...) are never imported.
    steps.append(Step(f"{RECBOLE_SPEC} without its dependencies (carries MovieLens 100K)", "a few seconds",
                      pip(venv, "--no-deps", RECBOLE_SPEC)))
    return steps


def torch_summary(venv: Path) -> tuple[str, bool]:
    """Give ("torch X (CPU build)" or "torch X (CUDA build)", whether it is a CUDA build).

    Read from the installed metadata (importing torch takes seconds): a CUDA build
    has a "+cu" label or, as PyPI's Linux wheel, depends on nvidia-* packages.
    """
    code = (
        "import importlib.metadata as m\n"
        "try:\n"
        "    v = m.version('torch'); r = m.requires('torch') or []\n"
        "    print(v, int('+cu' in v or any(x.lower().startswith('nvidia-') for x in r)))\n"
        "except m.PackageNotFoundError:\n"
        "    print('missing 0')\n"
    )
    out = subprocess.run([str(venv_python(venv)), "-c", code], capture_output=True, text=True)
    version, cuda = (out.stdout.split() + ["missing", "0"])[:2]
    return f"torch {version} ({'CUDA' if cuda == '1' else 'CPU'} build)", cuda == "1"


def check(venv: Path, extras: list[str], console: Console) -> None:
    """Restore what went missing after the set-up; print one line on the environment."""
    if not venv_python(venv).is_file():
        raise SystemExit(f"{_short(venv)} has no Python: run `make clean setup` to rebuild it")
    if not carrier_present(venv):
        console.run(Step(f"MovieLens 100K carrier missing: reinstall {RECBOLE_SPEC}", "a few seconds",
                         pip(venv, "--no-deps", "--force-reinstall", RECBOLE_SPEC)))
    if "crosscheck" in extras and not installed(venv, "obp"):
        console.run(Step(f"obp missing: reinstall {OBP_SPEC}", "a few seconds",
                         pip(venv, "--no-deps", "--ignore-requires-python", OBP_SPEC)))
    summary, _ = torch_summary(venv)
    console.say(f"{_short(venv)} is ready: {summary}, MovieLens 100K carrier present (full set-up log: {_short(LOG)})")


def setup(venv: Path, extras: list[str], variant: str, index: str | None, python: str) -> None:
    console = Console()
    console.say(f"setting up {_short(venv)} (full log: {_short(LOG)})")
    start = time.perf_counter()
    first = []
    if not venv_python(venv).is_file():
        first.append(Step(f"create the virtual environment {_short(venv)}", "5-15 s",
                          [python, "-m", "venv", str(venv)]))
        # The pip that comes with the venv may be too old for the lock's wheels.
        first.append(Step("update pip", "5-20 s", pip(venv, "--upgrade", "pip>=24")))
    steps = install_steps(venv, extras)
    console.total = len(first) + 1 + len(steps)
    for step in first:
        console.run(step)
    torch = torch_step(venv, variant, index, console)
    if torch is None:
        console.total -= 1
    else:
        console.run(torch)
    for step in steps:
        console.run(step)
    summary, cuda = torch_summary(venv)
    if cuda and variant == "cpu":
        console.say(f"note: {summary} although the CPU build was asked for (see the note above).")
    console.say(f"set-up done in {time.perf_counter() - start:.0f} s. Next: `make lab`, or `make help` for the rest.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", default=".venv", type=Path)
    parser.add_argument("--extras", default="dev,crosscheck,docs,lab")
    parser.add_argument("--torch", default=default_torch_variant(),
                        help='"cpu" (default on Linux), a CUDA tag such as "cu126", or "pypi"')
    parser.add_argument("--torch-index", default=None, help="index URL for that torch build")
    parser.add_argument("--check", action="store_true", help="only restore missing pieces")
    ns = parser.parse_args(argv)
    if sys.version_info[:2] not in SUPPORTED_PYTHONS:
        raise SystemExit(
            f"the course needs Python 3.11 or 3.12, this is {sys.version.split()[0]} ({sys.executable}); "
            "pass another one: make setup PYTHON=/path/to/python3.11"
        )
    venv = ns.venv if ns.venv.is_absolute() else Path.cwd() / ns.venv
    extras = [e for e in ns.extras.split(",") if e]
    if ns.check:
        check(venv, extras, Console())
    else:
        setup(venv, extras, ns.torch, ns.torch_index or None, sys.executable)


if __name__ == "__main__":
    main()
