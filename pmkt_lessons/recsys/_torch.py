"""Small torch helpers shared by the trainers of lessons 09-10 (device choice, CPU threads).

The models of these lessons are small: every minibatch step is a few
thousand rows times a few dozen columns. On a CPU, splitting such a step over
threads costs more in hand-offs than it saves, and on a busy shared machine
the waiting threads spin and slow everything down many times over. So
training on a CPU runs on one thread, and the previous setting is restored
afterwards. Introduced in lesson 09.
"""

from __future__ import annotations

from contextlib import contextmanager

TRAIN_THREADS = 1


def resolve_device(device=None):
    """Give ``device`` as a ``torch.device``; ``None`` picks :func:`pmkt_lessons.device.get_device`."""
    import torch

    from ..device import get_device

    if device is None:
        return get_device()
    try:
        return torch.device(device)
    except (TypeError, RuntimeError) as exc:
        raise ValueError(f"device: expected 'cpu', 'cuda', 'mps', a torch.device or None, got {device!r}") from exc


@contextmanager
def training_threads(device, n_threads: int = TRAIN_THREADS):
    """Run the block with torch limited to ``n_threads`` CPU threads when ``device`` is the CPU."""
    import torch

    if device.type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
