""".ci/run fails on an ERROR line in a successful set-up and on a CUDA torch.

Run against a stand-in `make` (a script on PATH) and a stand-in torch, in a
copy of .ci/run: nothing is installed and the real .venv is not touched.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE_MAKE = """#!/bin/sh
echo "make $*" >> "$CALLS"
if [ "$1" = setup ]; then printf '%s\\n' "$SETUP_OUTPUT"; fi
exit 0
"""


@pytest.fixture
def ci(tmp_path):
    """A copy of .ci/run with a stand-in make and a .venv whose torch is a stand-in module."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "make").write_text(FAKE_MAKE)
    (bin_dir / "make").chmod(0o755)
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv_bin / "python").chmod(0o755)
    fake_torch = tmp_path / "fake" / "torch"
    fake_torch.mkdir(parents=True)

    def run(setup_output="setting up .venv\n[1/1] step ... done in 1 s", torch_version="2.13.0+cpu", cuda=None):
        (fake_torch / "__init__.py").write_text(
            f"import types\n__version__ = {torch_version!r}\nversion = types.SimpleNamespace(cuda={cuda!r})\n"
        )
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(tmp_path / "fake"),
            "CALLS": str(tmp_path / "calls.txt"),
            "SETUP_OUTPUT": setup_output,
        }
        proc = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True, text=True)
        calls = (tmp_path / "calls.txt").read_text() if (tmp_path / "calls.txt").exists() else ""
        return proc, calls

    return run


def test_a_clean_cpu_setup_goes_on_to_the_test_command(ci):
    proc, calls = ci()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert calls.splitlines() == ["make setup", "make help", "make test"]
    assert "torch 2.13.0+cpu: CPU build" in proc.stdout


def test_an_error_line_in_a_successful_setup_fails_ci(ci):
    proc, calls = ci(setup_output="ERROR: pip's dependency resolver does not currently take into account ...")
    assert proc.returncode != 0
    assert "ERROR line" in proc.stderr and "make test" not in calls


def test_a_cuda_torch_fails_ci(ci):
    proc, calls = ci(torch_version="2.13.0+cu126", cuda="12.6")
    assert proc.returncode != 0
    assert "is a CUDA build" in proc.stderr and "make test" not in calls


def test_pypi_linux_torch_without_label_but_with_cuda_fails_ci(ci):
    proc, _ = ci(torch_version="2.13.0", cuda="12.8")
    assert proc.returncode != 0 and "CUDA build" in proc.stderr
