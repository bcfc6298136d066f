"""The one minibatch trainer shared by the deep CTR models, with early stopping on validation log loss.

Data are whole tensors on the device, cut into shuffled minibatches by
index (no per-row ``Dataset``), which keeps an epoch over a few hundred
thousand impressions to about a second on a laptop CPU. After every epoch
the validation log loss is measured; training stops when it has not
improved for ``patience`` epochs and the best epoch's weights are restored
(the loop is :func:`pmkt_lessons.training.fit_with_early_stopping`, shared
with NeuMF). Introduced in lesson 12.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ..device import require_available, resolve_device
from ..randomness import check_random_state
from ..training import fit_with_early_stopping, local_generator
from ..validation import require_binary, require_in_range, require_positive_int
from .encoding import EncodedFields

PREDICT_BATCH = 65_536


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of the trainer: learning rate, L2 on weights, batches, epochs, patience, random_state, decay.

    Introduced in lesson 12. ``epochs`` is the maximum (early stopping may end
    sooner); ``random_state`` orders the minibatches; ``lr_decay`` multiplies
    the learning rate after every epoch.
    """

    lr: float = 1e-2
    weight_decay: float = 1e-5
    batch_size: int = 4096
    epochs: int = 20
    patience: int = 2
    random_state: object = 0
    lr_decay: float = 1.0

    def checked(self) -> TrainSettings:
        """Give the settings back after checking each one (errors name the setting)."""
        require_in_range(self.lr, "lr", 0.0, 10.0, low_inclusive=False)
        require_in_range(self.weight_decay, "weight_decay", 0.0, 1.0)
        require_positive_int(self.batch_size, "batch_size")
        require_positive_int(self.epochs, "epochs")
        require_positive_int(self.patience, "patience")
        require_in_range(self.lr_decay, "lr_decay", 0.0, 1.0, low_inclusive=False)
        check_random_state(self.random_state)
        return self


def to_tensors(enc: EncodedFields, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Give the index and dense parts of encoded rows as tensors on ``device``.

    Introduced in lesson 12.
    """
    if not isinstance(enc, EncodedFields):
        raise TypeError(f"enc: expected EncodedFields from FieldEncoder.transform, got {type(enc).__name__}")
    device = require_available(device)
    index = torch.as_tensor(enc.index, dtype=torch.long, device=device)
    dense = torch.as_tensor(enc.dense, dtype=torch.float32, device=device)
    return index, dense


def train_ctr_net(
    net: torch.nn.Module,
    train: EncodedFields,
    y_train: np.ndarray,
    val: EncodedFields,
    y_val: np.ndarray,
    settings: TrainSettings = TrainSettings(),  # noqa: B008 - frozen dataclass, safe as a default
    *,
    device=None,
    progress: bool = False,
) -> pd.DataFrame:
    """Train ``net`` (``net(index, dense) -> logits``) with Adam on minibatches; give the history per epoch.

    Introduced in lesson 12.

    The net ends with the weights of the epoch with the lowest validation
    log loss. The history has columns ``epoch``, ``train_log_loss`` (mean
    over the epoch's batches) and ``val_log_loss``. Dropout draws from
    torch's default generator: the estimators call this inside
    :func:`pmkt_lessons.training.training_scope` so that it is seeded too.
    """
    if not isinstance(settings, TrainSettings):
        raise TypeError(f"settings: expected TrainSettings, got {type(settings).__name__}")
    settings = settings.checked()
    device = resolve_device(device)
    y_train, y_val = _labels(y_train, len(train), "y_train"), _labels(y_val, len(val), "y_val")
    if len(train) == 0 or len(val) == 0:
        raise ValueError(f"train, val: expected rows in both, got {len(train)} and {len(val)}")
    net.to(device)
    x_index, x_dense = to_tensors(train, device)
    target = torch.as_tensor(y_train, dtype=torch.float32, device=device)
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimiser, gamma=settings.lr_decay)
    gen = local_generator(settings.random_state)

    def run_epoch(epoch: int) -> float:
        net.train()
        order = torch.randperm(len(train), generator=gen).to(device)
        total = 0.0
        for start in range(0, len(train), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            optimiser.zero_grad(set_to_none=True)
            loss = loss_fn(net(x_index[batch], x_dense[batch]), target[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        schedule.step()
        return total / len(train)

    history, _ = fit_with_early_stopping(
        net, run_epoch, lambda: _log_loss(net, val, y_val, device), settings.epochs, settings.patience,
        higher_is_better=False, progress=progress, desc=type(net).__name__, metric="val_log_loss",
    )
    return pd.DataFrame(history).rename(columns={"train_loss": "train_log_loss"})


@torch.no_grad()
def predict_logits(net: torch.nn.Module, enc: EncodedFields, device=None) -> np.ndarray:
    """Give the net's logits for encoded rows, computed in large batches without gradients.

    Introduced in lesson 12.
    """
    device = require_available(device) if device is not None else next(net.parameters()).device
    net.eval()
    index, dense = to_tensors(enc, device)
    out = [net(index[s : s + PREDICT_BATCH], dense[s : s + PREDICT_BATCH]) for s in range(0, len(enc), PREDICT_BATCH)]
    return torch.cat(out).double().cpu().numpy() if out else np.zeros(0)


def _log_loss(net: torch.nn.Module, enc: EncodedFields, y: np.ndarray, device) -> float:
    logits = torch.as_tensor(predict_logits(net, enc, device))
    target = torch.as_tensor(y, dtype=torch.float64)
    return float(torch.nn.functional.binary_cross_entropy_with_logits(logits, target))


def _labels(y: object, n: int, arg: str) -> np.ndarray:
    if isinstance(y, (str, bytes)):
        raise TypeError(f"{arg}: expected labels 0 or 1, got {type(y).__name__}")
    return require_binary(np.ravel(y), arg, n, what="labels 0 or 1").astype(float)
