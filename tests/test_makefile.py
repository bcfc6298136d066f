"""The Makefile: `make help` lists everything, and the commands newcomers meet do what they say.

Dry runs (`make -n`) only: nothing is installed or executed here.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()
TARGETS = re.findall(r"^([a-z][a-z0-9_-]*):(?!=)", MAKEFILE, flags=re.M)
VARIABLES = re.findall(r"^([A-Z_]+) *\?=", MAKEFILE, flags=re.M)

def make(*args: str) -> str:
    # Not what the calling make (e.g. `make test JOBS=1`) or the shell set: the defaults.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", *VARIABLES}}
    out = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def help_text():
    return make("help")


def help_line(help_text, name):
    lines = [line for line in help_text.splitlines() if line.split()[:1] == [name]]
    assert len(lines) == 1, f"{name} is not listed exactly once by make help"
    return lines[0]


def test_the_makefile_has_the_usual_targets_and_variables():
    assert {"help", "setup", "lab", "run-all", "test", "bench", "refresh", "lock", "clean"} <= set(TARGETS)
    assert {"PYTHON", "TORCH", "TORCH_INDEX", "NB", "JOBS", "LAB_ARGS", "UPDATE_DOCS"} <= set(VARIABLES)


@pytest.mark.parametrize("target", TARGETS)
def test_make_help_lists_every_target_with_a_description(help_text, target):
    line = help_line(help_text, target)
    assert len(line.split(None, 1)[1]) > 10  # something is said about it


@pytest.mark.parametrize("variable", VARIABLES)
def test_make_help_lists_every_variable_with_a_description_and_its_value(help_text, variable):
    line = help_line(help_text, variable)
    assert line.rstrip().endswith("]") and len(line.split(None, 1)[1]) > 10


def test_make_help_starts_with_usage_and_shows_current_values(help_text):
    assert help_text.startswith("Usage: make TARGET")
    assert help_line(make("help", "JOBS=7"), "JOBS").endswith("[7]")


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_is_phony(target):
    phony = " ".join(re.findall(r"^\.PHONY:(.*)$", MAKEFILE, flags=re.M)).split()
    assert target in phony


def test_setup_asks_for_the_cpu_build_on_linux(tmp_path):
    fresh = tmp_path / "venv"  # no remembered choice yet
    out = make("-n", "-B", "setup", f"VENV={fresh}")
    default = "cpu" if sys.platform.startswith("linux") else "pypi"
    assert f"tools/setup_env.py --venv {fresh} --extras dev,crosscheck,docs,lab --torch {default}" in out
    assert "--torch cu126" in make("-n", "-B", "setup", f"VENV={fresh}", "TORCH=cu126")


def test_the_torch_choice_is_remembered_in_the_venv(tmp_path):
    (tmp_path / ".torch").write_text("cu126\n")
    assert "--torch cu126" in make("-n", "-B", "setup", f"VENV={tmp_path}")


def test_bench_writes_tracked_files_only_when_asked():
    assert "--update-docs" not in make("-n", "bench", "NB=notebooks/00_welcome.ipynb")
    assert "--update-docs" in make("-n", "bench", "UPDATE_DOCS=1", "NB=notebooks/00_welcome.ipynb")


def test_lab_opens_lesson_00_at_the_repository_root_with_extra_flags():
    out = make("-n", "lab", "LAB_ARGS=--no-browser --port 8899")
    assert "--ServerApp.root_dir=." in out
    assert "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb" in out
    assert out.rstrip().endswith("--no-browser --port 8899")


def test_binder_badge_opens_the_same_path_as_make_lab():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"mybinder\.org/v2/gh/\S+?urlpath=(\S+?)\)", readme).group(1)
    assert badge == "lab/tree/notebooks/00_welcome.ipynb"
    assert (ROOT / badge.removeprefix("lab/tree/")).is_file()


def test_lock_uses_the_wheel_folder_only_where_it_exists(tmp_path):
    without = make("-n", "lock", f"WHEELS={tmp_path / 'nowhere'}")
    assert "--find-links" not in without and "--torch-backend cpu" in without
    (tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").touch()
    with_wheels = make("-n", "lock", f"WHEELS={tmp_path}")
    assert f"--find-links {tmp_path}" in with_wheels and "--torch-backend" not in with_wheels


def test_nothing_refers_to_the_old_tool_name():
    for path in [ROOT / "Makefile", ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "tools/notebooks.py" not in path.read_text(), path
