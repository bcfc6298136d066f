"""The lock, environment.yml and binder/ pin the same versions, and torch stays a CPU build."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("sync_envs", ROOT / "tools" / "sync_envs.py")
sync_envs = importlib.util.module_from_spec(spec)
sys.modules["sync_envs"] = sync_envs
spec.loader.exec_module(sync_envs)

LOCK = sync_envs.read_pins(ROOT / "constraints.txt")
COURSE = {n: v for n, (v, _) in LOCK.items() if n not in sync_envs.BENCH_ONLY}


@pytest.mark.parametrize("path", ["environment.yml", "binder/requirements.txt"])
def test_same_pins_as_the_lock(path):
    pins = {n: v for n, (v, _) in sync_envs.read_pins(ROOT / path).items()}
    assert pins == COURSE


@pytest.mark.parametrize("path", ["environment.yml", "binder/requirements.txt"])
def test_torch_comes_from_the_cpu_index(path):
    text = (ROOT / path).read_text()
    assert f"--extra-index-url {sync_envs.CPU_TORCH_INDEX}" in text
    assert "cu1" not in text and "nvidia" not in text.lower()


def test_every_lock_pin_is_exact_and_explained():
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert len(lines) == len(LOCK) > 50
    for line in lines:
        assert re.match(r"^\S+==\S+\s+# via \S", line), f"unexplained or inexact pin: {line}"


def test_torch_is_pinned_to_the_release_with_a_local_cpu_build():
    assert LOCK["torch"][0] == "2.13.0"


def test_pyproject_dependencies_each_say_why():
    text = (ROOT / "pyproject.toml").read_text()
    block = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    deps = [line.strip() for line in block.splitlines() if line.strip().startswith('"')]
    assert deps and all("#" in line for line in deps)


def test_installed_versions_match_the_lock():
    from importlib.metadata import version

    for name in ("numpy", "pandas", "scikit-learn", "scipy", "mlxtend", "statsmodels"):
        assert version(name) == COURSE[name], name
    assert version("torch").split("+")[0] == COURSE["torch"]


def test_binder_installs_the_package_and_movielens_carrier():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post
    assert "recbole==1.2.1" in post
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
