"""Factorisation machine, Wide&Deep and DeepFM for click prediction, in torch, with one trainer.

All three share one network, ``CTRNet``, built from three parts:

* linear: a bias, one weight per one-hot column and per numeric field
  (this alone is logistic regression on the raw fields);
* fm: every pair of categorical fields interacts through the dot product of
  their embeddings, ``sum_{i<j} <v_i, v_j>``, computed in O(fields x k) as
  ``0.5 * sum_k ((sum_i v_ik)^2 - sum_i v_ik^2)`` (Rendle, 2010);
* deep: an MLP on the concatenated embeddings and numeric fields.

FM = linear + fm; Wide&Deep = linear + deep (Cheng et al., 2016, with the
raw one-hot columns as the wide part); DeepFM = linear + fm + deep with
shared embeddings (Guo et al., 2017). The estimators are scikit-learn
classifiers: hyper-parameters in the constructor, ``fit`` returns ``self``,
``predict_proba`` gives an (n, 2) array, ``clone`` works. Introduced in lesson 12.

References
----------
Rendle, S. (2010). Factorization machines. ICDM.
Cheng, H.-T. et al. (2016). Wide & Deep learning for recommender systems. DLRS.
Guo, H. et al. (2017). DeepFM: a factorization-machine based neural network for CTR prediction. IJCAI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..device import resolve_device
from ..randomness import check_random_state
from ..training import training_scope
from ..validation import require_count, require_frame, require_in_range, require_positive_int
from .encoding import FieldEncoder
from .train import TrainSettings, predict_logits, train_ctr_net


class CTRNet(nn.Module):
    """Give click logits from field indices and numeric values: linear, plus fm and/or deep parts.

    Introduced in lesson 12.

    Parameters
    ----------
    n_indices, n_fields, n_dense : int
        One-hot columns over all fields, categorical fields per row, numeric fields.
    embedding_dim : int
        Length of each level's embedding.
    fm : bool
        Add the pairwise factorisation-machine term.
    hidden : sequence of int
        Widths of the MLP's hidden layers; empty for no deep part.
    dropout : float
        Dropout after each hidden layer.
    """

    def __init__(
        self,
        n_indices: int,
        n_fields: int,
        n_dense: int,
        embedding_dim: int = 8,
        *,
        fm: bool = True,
        hidden: Sequence[int] = (),
        dropout: float = 0.0,
    ):
        super().__init__()
        n_indices, n_fields = require_positive_int(n_indices, "n_indices"), require_count(n_fields, "n_fields")
        n_dense, embedding_dim = require_count(n_dense, "n_dense"), require_positive_int(embedding_dim, "embedding_dim")
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
            raise TypeError(f"hidden: expected a sequence of layer sizes, got {type(hidden).__name__}")
        hidden = tuple(require_positive_int(h, "hidden") for h in hidden)
        require_in_range(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        self.fm = fm
        self.has_embedding = bool(fm or hidden)
        self.bias = nn.Parameter(torch.zeros(1))
        # one table: column 0 is each level's linear weight, the rest its embedding
        # (one lookup per batch instead of two)
        self.table = nn.Embedding(n_indices, 1 + embedding_dim * self.has_embedding)
        self.dense_linear = nn.Linear(n_dense, 1, bias=False) if n_dense else None
        with torch.no_grad():
            nn.init.normal_(self.table.weight, std=0.01)
            self.table.weight[:, 0] = 0.0
        if self.dense_linear is not None:
            nn.init.zeros_(self.dense_linear.weight)
        self.mlp = _mlp(n_fields * embedding_dim + n_dense, hidden, dropout) if hidden else None

    def forward(self, index: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        rows = _Lookup.apply(self.table.weight, index)  # (batch, fields, 1 + k)
        logit = self.bias + rows[:, :, 0].sum(dim=1)
        if self.dense_linear is not None:
            logit = logit + self.dense_linear(dense).squeeze(1)
        if not self.has_embedding:
            return logit
        emb = rows[:, :, 1:]
        if self.fm:
            square_of_sum = emb.sum(dim=1).pow(2)
            sum_of_squares = emb.pow(2).sum(dim=1)
            logit = logit + 0.5 * (square_of_sum - sum_of_squares).sum(dim=1)
        if self.mlp is not None:
            logit = logit + self.mlp(torch.cat([emb.flatten(1), dense], dim=1)).squeeze(1)
        return logit


class _Lookup(torch.autograd.Function):
    """Embedding lookup whose backward is one ``index_add_``.

    Same result as ``nn.functional.embedding``; on CPU its backward is about
    three times faster for the small tables of CTR fields.
    """

    @staticmethod
    def forward(ctx, weight: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(index)
        ctx.n_rows = weight.shape[0]
        return weight.index_select(0, index.reshape(-1)).view(*index.shape, weight.shape[1])

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (index,) = ctx.saved_tensors
        flat = grad.reshape(-1, grad.shape[-1])
        grad_weight = flat.new_zeros(ctx.n_rows, flat.shape[1]).index_add_(0, index.reshape(-1), flat)
        return grad_weight, None


def _mlp(n_in: int, hidden: Sequence[int], dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(n_in, width), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = width
    layers.append(nn.Linear(n_in, 1))
    return nn.Sequential(*layers)


class _DeepCTRClassifier(ClassifierMixin, BaseEstimator):
    """Shared estimator: encode fields, build a ``CTRNet``, train it with early stopping.

    Parameters
    ----------
    categorical, numeric : sequence of str
        The categorical and numeric fields of ``X``.
    embedding_dim : int
        Length of each level's embedding.
    hidden : sequence of int
        Widths of the MLP's hidden layers (Wide&Deep, DeepFM).
    dropout : float in [0, 1)
        Dropout after each hidden layer.
    lr, weight_decay : float
        Adam's learning rate and L2 penalty on the weights.
    batch_size : int
    epochs : int
        Maximum number of epochs (early stopping may end sooner).
    patience : int
        Stop after this many epochs without a lower validation log loss.
    lr_decay : float in (0, 1]
        Multiply the learning rate by this after every epoch.
    validation_fraction : float in (0, 1)
        Share of ``X`` held out for early stopping when ``fit`` gets no ``X_val``.
    min_count : int
        Levels seen fewer times go to the field's unknown bucket.
    random_state : None, int or numpy Generator
        Seeds the hold-out split, the initial weights, dropout and the minibatch order.
    device : str or torch.device, optional
        Default: :func:`pmkt_lessons.device.get_device`.
    progress : bool
        Show a tqdm bar over epochs.
    n_threads : int or None
        CPU threads while training (:func:`pmkt_lessons.device.limit_threads`).

    Attributes
    ----------
    encoder_ : FieldEncoder
    net_ : CTRNet
    history_ : DataFrame
        Per epoch: ``train_log_loss`` and ``val_log_loss``.
    best_epoch_ : int
    classes_ : ndarray
        ``[0, 1]``.
    """

    _fm = True
    _deep = True

    def __init__(
        self,
        categorical: Sequence[str] = (),
        numeric: Sequence[str] = (),
        *,
        embedding_dim: int = 8,
        hidden: Sequence[int] = (32, 16),
        dropout: float = 0.0,
        lr: float = 1e-2,
        weight_decay: float = 1e-5,
        batch_size: int = 4096,
        epochs: int = 20,
        patience: int = 2,
        lr_decay: float = 1.0,
        validation_fraction: float = 0.1,
        min_count: int = 1,
        random_state=0,
        device=None,
        progress: bool = False,
        n_threads: int | None = 1,
    ):
        self.categorical = categorical
        self.numeric = numeric
        self.embedding_dim = embedding_dim
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.lr_decay = lr_decay
        self.validation_fraction = validation_fraction
        self.min_count = min_count
        self.random_state = random_state
        self.device = device
        self.progress = progress
        self.n_threads = n_threads

    def fit(self, X: pd.DataFrame, y, X_val: pd.DataFrame | None = None, y_val=None):
        """Train on ``(X, y)``, stopping early on the log loss of ``(X_val, y_val)``.

        Without ``X_val`` a seeded ``validation_fraction`` of ``X`` is held out.
        Sets ``encoder_``, ``net_``, ``history_`` and ``best_epoch_``; gives ``self``.
        """
        require_frame(X, list(self.categorical) + list(self.numeric), "X")
        require_positive_int(self.embedding_dim, "embedding_dim")
        require_in_range(self.dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        y = np.asarray(y, dtype=float).ravel()
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val, y_val: expected both or neither")
        device = resolve_device(self.device)
        with training_scope(self.random_state, device, self.n_threads) as seed:
            if X_val is None:
                require_in_range(self.validation_fraction, "validation_fraction", 0.0, 1.0,
                                 low_inclusive=False, high_inclusive=False)
                X, y, X_val, y_val = _holdout(X, y, self.validation_fraction, seed)
            encoder = FieldEncoder(self.categorical, self.numeric, self.min_count).fit(X)
            hidden = tuple(self.hidden) if self._deep else ()
            net = CTRNet(
                encoder.n_indices_, len(self.categorical), len(self.numeric), self.embedding_dim,
                fm=self._fm, hidden=hidden, dropout=self.dropout,
            )
            settings = TrainSettings(
                self.lr, self.weight_decay, self.batch_size, self.epochs, self.patience, seed, self.lr_decay
            )
            self.history_ = train_ctr_net(
                net, encoder.transform(X), y, encoder.transform(X_val), y_val,
                settings, device=device, progress=self.progress,
            )
        self.encoder_, self.net_ = encoder, net
        self.best_epoch_ = int(self.history_.loc[self.history_["val_log_loss"].idxmin(), "epoch"])
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Give an (n, 2) array: probability of no click, then of a click (unknown levels allowed)."""
        check_is_fitted(self, "net_")
        logits = predict_logits(self.net_, self.encoder_.transform(X))
        p = 1.0 / (1.0 + np.exp(-logits))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Give the predicted class (1 where the click probability is at least 0.5)."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class FactorizationMachine(_DeepCTRClassifier):
    """Give click probabilities from a factorisation machine: linear terms plus embedding dot products.

    Introduced in lesson 12. Takes the hyper-parameters of the other deep CTR
    models; ``hidden`` and ``dropout`` are ignored.
    """

    _fm, _deep = True, False


class WideAndDeep(_DeepCTRClassifier):
    """Give click probabilities from Wide&Deep: a linear (wide) part plus an MLP on embeddings.

    Introduced in lesson 12.
    """

    _fm, _deep = False, True


class DeepFM(_DeepCTRClassifier):
    """Give click probabilities from DeepFM: linear, FM and MLP parts on shared embeddings.

    Introduced in lesson 12.
    """

    _fm, _deep = True, True


def _holdout(X: pd.DataFrame, y: np.ndarray, fraction: float, random_state):
    if len(y) != len(X):
        raise ValueError(f"y: expected {len(X)} labels (one per row of X), got {len(y)}")
    order = check_random_state(random_state).permutation(len(X))
    n_val = max(1, int(round(fraction * len(X))))
    val, train = order[:n_val], order[n_val:]
    return X.iloc[train], y[train], X.iloc[val], y[val]
