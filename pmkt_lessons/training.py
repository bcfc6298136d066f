"""The one torch training plumbing shared by every trainer: seeding scope and early stopping.

Every torch model of the package (``ExplicitMF``, ``ImplicitALS``, ``NeuMF``,
the CTR models, ``TorchLogisticRegression``) trains inside
:func:`training_scope`, which

* runs on ``device.limit_threads(n_threads)``, the package's one thread limiter;
* seeds torch's default generators from ``random_state`` inside
  ``torch.random.fork_rng``, so weight initialisation and dropout (which
  torch draws from its default generator and offers no ``generator=`` for)
  are reproducible, and the caller's global torch state is the same after
  ``fit`` as before it.

Shuffling and negative sampling use a local ``torch.Generator`` from
:func:`local_generator`. The early-stopping loop of NCF (lesson 10) and of
the deep CTR models (lesson 12) is :func:`fit_with_early_stopping`, the
pattern of d2l's ``Trainer``: one epoch function, one validation function,
keep the best epoch's weights. Introduced in lesson 09.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from .device import limit_threads
from .randomness import check_random_state, draw_seed
from .validation import require_bool, require_positive_int


def seed_from(random_state: object, arg: str = "random_state") -> int:
    """Give the integer seed of ``random_state`` (for torch, or a seed sequence).

    An integer seed is used as it is (so ``random_state=0`` trains the same
    model as ``torch.manual_seed(0)`` did in earlier versions of the course);
    a ``numpy.random.Generator`` gives one draw; ``None`` gives fresh entropy.
    """
    check_random_state(random_state, arg)  # same checks and messages everywhere
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    return draw_seed(random_state, arg)


def local_generator(random_state: object, arg: str = "random_state"):
    """Give a local CPU ``torch.Generator`` seeded with :func:`seed_from` (never the global one)."""
    import torch

    return torch.Generator().manual_seed(seed_from(random_state, arg))


@contextmanager
def training_scope(random_state: object, device, n_threads: int | None = 1) -> Iterator[int]:
    """Run a training block with limited threads and torch seeded from ``random_state``; give the seed.

    Torch's default CPU generator (and the CUDA one of ``device``) are
    restored on exit, so ``fit`` leaves no trace on the global random state.
    """
    import torch

    seed = seed_from(random_state)
    devices = [device.index or 0] if getattr(device, "type", "cpu") == "cuda" else []
    with limit_threads(n_threads), torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield seed


def fit_with_early_stopping(
    net,
    run_epoch: Callable[[int], float],
    evaluate: Callable[[], float] | None,
    epochs: int,
    patience: int,
    *,
    higher_is_better: bool,
    progress: bool = False,
    desc: str = "training",
    metric: str = "val",
) -> tuple[list[dict], int]:
    """Give the per-epoch history and the best epoch of an early-stopped training run.

    Each epoch calls ``run_epoch(epoch)`` (gives the mean training loss), then
    ``evaluate()`` (gives the validation metric; ``None``: no validation, run
    every epoch). Training stops once ``patience`` epochs have passed without
    a better metric, and ``net`` ends with the weights of the best epoch.
    History rows are ``{"epoch", "train_loss", metric}``.
    """
    from tqdm.auto import tqdm

    epochs, patience = require_positive_int(epochs, "epochs"), require_positive_int(patience, "patience")
    higher_is_better, progress = require_bool(higher_is_better, "higher_is_better"), require_bool(progress, "progress")
    sign = 1.0 if higher_is_better else -1.0
    best_value, best_epoch, best_state = -np.inf, 0, None
    history: list[dict] = []
    bar = tqdm(range(1, epochs + 1), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        row = {"epoch": epoch, "train_loss": run_epoch(epoch)}
        if evaluate is not None:
            value = evaluate()
            row[metric] = value
            bar.set_postfix({metric: f"{value:.4f}"})
            if sign * value > best_value:
                best_value, best_epoch, best_state = sign * value, epoch, copy.deepcopy(net.state_dict())
        history.append(row)
        if evaluate is not None and epoch - best_epoch >= patience:
            break
    bar.close()
    if best_state is not None:
        net.load_state_dict(best_state)
    else:
        best_epoch = len(history)
    return history, best_epoch
