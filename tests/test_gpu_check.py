"""tools/gpu_check.py in its reduced form: every torch model twice on the CPU, same random_state, same metric."""

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "gpu_check.py"


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gpu_check"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("gpu_check", None)


def test_quick_run_agrees_on_the_cpu(gpu_check, capsys):
    assert gpu_check.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "all models agree within tolerance" in out
    for model in gpu_check.TOLERANCE:
        assert model in out


def test_compare_flags_a_gap_beyond_tolerance(gpu_check):
    results = [
        gpu_check.Result("DeepFM", "cpu", 1.0, "log loss", 0.40),
        gpu_check.Result("DeepFM", "cuda", 0.5, "log loss", 0.42),
        gpu_check.Result("NeuMF", "cpu", 1.0, "NDCG@10", 0.100),
        gpu_check.Result("NeuMF", "cuda", 0.5, "NDCG@10", 0.101),
    ]
    table = gpu_check.compare(results).set_index("model")
    assert not table.loc["DeepFM", "ok"] and table.loc["NeuMF", "ok"]
    assert table.loc["DeepFM", "gap"] == pytest.approx(0.02)
