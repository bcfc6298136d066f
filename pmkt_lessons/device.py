"""Choosing the compute device and seeding every random generator.

One helper picks the device (CUDA, then Apple MPS, then CPU) and every
trainer in the package takes ``device=``; ``seed_everything`` makes a
notebook print the same numbers on every run. Introduced in lesson 00.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import numpy as np


def get_device(prefer: str | None = None):
    """Give the best available ``torch.device``: CUDA, then Apple MPS, then CPU.

    Parameters
    ----------
    prefer : {"cuda", "mps", "cpu"}, optional
        Ask for one device; falls back down the same order if it is absent.
        ``$PMKT_DEVICE`` sets the same preference, e.g. ``PMKT_DEVICE=cpu``
        to run a GPU machine like a laptop.
    """
    import torch

    prefer = prefer or os.environ.get("PMKT_DEVICE")
    if prefer is not None and prefer not in ("cuda", "mps", "cpu"):
        raise ValueError(f"prefer: expected 'cuda', 'mps', 'cpu' or None, got {prefer!r}")
    order = ["cuda", "mps", "cpu"]
    if prefer is not None:
        order = order[order.index(prefer):]
    for name in order:
        if name == "cuda" and torch.cuda.is_available():
            return torch.device("cuda")
        if name == "mps" and _mps_available(torch):
            return torch.device("mps")
    return torch.device("cpu")


def resolve_device(device=None):
    """Give ``device`` as a ``torch.device``; ``None`` picks :func:`get_device`.

    The one place a trainer's ``device=`` argument is turned into a device.
    """
    import torch

    if device is None:
        return get_device()
    try:
        return torch.device(device)
    except (TypeError, RuntimeError) as exc:
        raise ValueError(f"device: expected 'cpu', 'cuda', 'mps', a torch.device or None, got {device!r}") from exc


def require_available(device=None):
    """Give :func:`resolve_device` of ``device`` after checking this machine has it, else raise ``ValueError``."""
    import torch

    device = resolve_device(device)
    if device.type == "cuda" and not torch.cuda.is_available() or device.type == "mps" and not _mps_available(torch):
        raise ValueError(f"device: expected a device this machine has, got {device} (not available here)")
    return device


def _mps_available(torch) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def describe_device(device=None) -> str:
    """Give one line naming the device (GPU model where there is one), for a notebook's setup cell."""
    import torch

    device = require_available(device)
    if device.type == "cuda":
        return f"device: cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return f"device: mps (Apple {platform.machine()})"
    return f"device: cpu ({os.cpu_count()} cores, torch {torch.__version__})"


def seed_everything(seed: int = 42) -> int:
    """Seed Python's ``random``, numpy's global generator and torch (CPU and CUDA).

    Also asks cuDNN for deterministic kernels. Gives the seed back so a setup
    cell can print it.
    """
    from .validation import require_seed

    seed = require_seed(seed, "seed")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeding the legacy global generator is the point
    os.environ["PYTHONHASHSEED"] = str(seed)
    torch = sys.modules.get("torch")
    if torch is None:  # torch is seeded only in lessons that imported it (saves ~1.5 s)
        return seed
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return seed


@lru_cache(maxsize=1)
def _numpy_blas_pools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # numpy's BLAS is loaded with numpy, so finding the pools once is enough


@contextmanager
def limit_threads(n_threads: int | None = 1, *, blas_only: bool = False) -> Iterator[None]:
    """Limit BLAS/OpenMP pools (threadpoolctl) and torch to ``n_threads`` inside a ``with`` block.

    The one place the package limits threads: trainers take ``n_threads=`` and
    call this, so a lesson never sets threads globally. ``None`` leaves the
    limits as they are. The previous limits are restored on exit.
    ``blas_only=True`` limits only numpy's BLAS, through pools found once and
    kept (about 0.03 ms instead of several ms per use): for a hot path that
    calls BLAS inside a loop, such as the similarity blocks of item-kNN.
    """
    if n_threads is None:
        yield
        return
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)):
        raise TypeError(f"n_threads: expected a positive integer or None, got {type(n_threads).__name__}")
    if n_threads < 1:
        raise ValueError(f"n_threads: expected a positive integer or None, got {n_threads}")
    if not isinstance(blas_only, bool):
        raise TypeError(f"blas_only: expected True or False, got {type(blas_only).__name__}")
    if blas_only:
        with _numpy_blas_pools().limit(limits=int(n_threads), user_api="blas"):
            yield
        return
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=int(n_threads)):
        if torch is not None:
            torch.set_num_threads(int(n_threads))
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)
