"""Device choice falls back to the CPU; seeding makes numpy and torch repeat themselves."""

import random

import numpy as np
import pytest
import torch

from pmkt_lessons import device


def test_cpu_fallback_on_a_machine_without_cuda_or_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.delenv("PMKT_DEVICE", raising=False)
    assert device.get_device() == torch.device("cpu")
    assert device.describe_device().startswith("device: cpu")


def test_cuda_is_preferred_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.delenv("PMKT_DEVICE", raising=False)
    assert device.get_device() == torch.device("cuda")


def test_mps_comes_before_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert device.get_device() == torch.device("mps")
    assert device.get_device("cpu") == torch.device("cpu")


def test_environment_variable_forces_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("PMKT_DEVICE", "cpu")
    assert device.get_device() == torch.device("cpu")


def test_bad_preference():
    with pytest.raises(ValueError, match="prefer: expected 'cuda', 'mps', 'cpu'"):
        device.get_device("tpu")


def test_seed_everything_repeats_every_generator():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()  # noqa: NPY002

    device.seed_everything(7)
    first = draw()
    device.seed_everything(7)
    assert draw() == first
    device.seed_everything(8)
    assert draw() != first


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), ("1", TypeError), (True, TypeError), (-1, ValueError)])
def test_seed_bad_input(seed, error):
    with pytest.raises(error, match="seed"):
        device.seed_everything(seed)


def test_limit_threads_restores_torch_threads():
    from threadpoolctl import threadpool_info

    before = torch.get_num_threads()
    with device.limit_threads(1):
        assert torch.get_num_threads() == 1
        assert all(p["num_threads"] == 1 for p in threadpool_info())
    assert torch.get_num_threads() == before
    with device.limit_threads(None):
        assert torch.get_num_threads() == before


def test_limit_threads_blas_only_limits_numpys_blas_and_restores_it():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before, torch_before = blas_threads(), torch.get_num_threads()
    assert before, "numpy should have a BLAS pool"
    with device.limit_threads(1, blas_only=True):
        assert blas_threads() == [1] * len(before)
        assert torch.get_num_threads() == torch_before  # torch is not touched
    assert blas_threads() == before
    with pytest.raises(TypeError, match="blas_only: expected True or False"), device.limit_threads(1, blas_only="yes"):
        pass


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (1.5, TypeError), (True, TypeError)])
def test_limit_threads_bad_input(n, error):
    with pytest.raises(error, match="n_threads"), device.limit_threads(n):
        pass
