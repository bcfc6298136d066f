"""Factorisation machine, Wide&Deep and DeepFM for click prediction, in torch, with one trainer.

All three share one network, ``CTRNet``, built from three parts:

* linear: a bias, one weight per one-hot column and per numeric field
  (this alone is logistic regression on the raw fields);
* fm: every pair of categorical fields interacts through the dot product of
  their embeddings, ``sum_{i<j} <v_i, v_j>``, computed in O(fields x k) as
  ``0.5 * sum_k ((sum_i v_ik)^2 - sum_i v_ik^2)`` (Rendle, 2010);
* deep: an MLP on the concatenated embeddings and numeric fields.

FM = linear + fm; Wide&Deep = linear + deep (Cheng et al., 2016: the wide
part is the raw one-hot columns plus, with ``crosses=``, one weight per level
of each chosen cross-product of two fields); DeepFM = linear + fm + deep with
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
from .encoding import EncodedFields, FieldEncoder
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
    n_cross_indices : int
        Levels over all cross-product columns (wide part only). When > 0 the
        index has ``n_fields`` field columns followed by the cross columns, and
        each cross level adds its own weight to the logit, with no embedding.
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
        n_cross_indices: int = 0,
    ):
        super().__init__()
        n_indices, n_fields = require_positive_int(n_indices, "n_indices"), require_count(n_fields, "n_fields")
        n_dense, embedding_dim = require_count(n_dense, "n_dense"), require_positive_int(embedding_dim, "embedding_dim")
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
            raise TypeError(f"hidden: expected a sequence of layer sizes, got {type(hidden).__name__}")
        hidden = tuple(require_positive_int(h, "hidden") for h in hidden)
        require_in_range(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        n_cross_indices = require_count(n_cross_indices, "n_cross_indices")
        self.n_fields = n_fields
        self.cross = nn.Embedding(n_cross_indices, 1) if n_cross_indices else None
        if self.cross is not None:
            nn.init.zeros_(self.cross.weight)
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
        if self.cross is not None:  # wide cross-product columns follow the fields
            index, cross = index[:, : self.n_fields], index[:, self.n_fields :]
        rows = _Lookup.apply(self.table.weight, index)  # (batch, fields, 1 + k)
        logit = self.bias + rows[:, :, 0].sum(dim=1)
        if self.cross is not None:
            logit = logit + _Lookup.apply(self.cross.weight, cross).sum(dim=(1, 2))
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
    crosses : sequence of (str, str)
        Pairs of categorical fields whose cross-product enters the wide
        (linear) part: one weight per combined level seen at least
        ``min_count`` times (:func:`cross_features`), as in Cheng et al.
        (2016). Default: none.

    Attributes
    ----------
    encoder_ : FieldEncoder
    cross_encoder_ : FieldEncoder or None
        Levels of the cross-product columns (``None`` without ``crosses``).
    net_ : CTRNet
    history_ : DataFrame
        Per epoch: ``train_log_loss`` and ``val_log_loss``.
    best_epoch_ : int
    stopped_early_ : bool
        True when training ended because the validation log loss had not
        improved for ``patience`` epochs; False when it ran out of ``epochs``
        first (then raise ``epochs``: the model may be under-trained).
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
        crosses: Sequence[tuple[str, str]] = (),
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
        self.crosses = crosses

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
            cross_encoder = _fit_crosses(X, self.crosses, self.categorical, self.min_count)
            hidden = tuple(self.hidden) if self._deep else ()
            net = CTRNet(
                encoder.n_indices_, len(self.categorical), len(self.numeric), self.embedding_dim,
                fm=self._fm, hidden=hidden, dropout=self.dropout,
                n_cross_indices=cross_encoder.n_indices_ if cross_encoder is not None else 0,
            )
            settings = TrainSettings(
                self.lr, self.weight_decay, self.batch_size, self.epochs, self.patience, seed, self.lr_decay
            )
            self.history_ = train_ctr_net(
                net, _encode(encoder, cross_encoder, self.crosses, X), y,
                _encode(encoder, cross_encoder, self.crosses, X_val), y_val,
                settings, device=device, progress=self.progress,
            )
        self.encoder_, self.cross_encoder_, self.net_ = encoder, cross_encoder, net
        self.best_epoch_ = int(self.history_.loc[self.history_["val_log_loss"].idxmin(), "epoch"])
        self.stopped_early_ = bool(len(self.history_) - self.best_epoch_ >= self.patience)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Give an (n, 2) array: probability of no click, then of a click (unknown levels allowed)."""
        check_is_fitted(self, "net_")
        logits = predict_logits(self.net_, _encode(self.encoder_, self.cross_encoder_, self.crosses, X))
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

    Introduced in lesson 12. The wide part is a weight per level of every
    field and, with ``crosses=[("a", "b"), ...]``, a weight per combined level
    of each cross-product (Cheng et al., 2016, used crosses such as
    ``AND(installed_app, impression_app)``): it memorises the pairs seen in
    training, while the deep part generalises to unseen ones.

        logit = b + sum_f w[x_f] + sum_(a,b) w[x_a, x_b] + MLP([e(x_1), ..., e(x_F), dense])
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


def cross_features(X: pd.DataFrame, crosses: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Give one text column per cross-product of two fields: ``"<level of a>|<level of b>"``.

    Introduced in lesson 12 (the wide part of Wide&Deep). Columns are named
    ``"a x b"``; a missing level becomes the text ``"nan"`` (its own level).

    Examples
    --------
    >>> cross_features(pd.DataFrame({"d": ["m", "t"], "c": [1, 2]}), [("d", "c")])["d x c"].tolist()
    ['m|1', 't|2']
    """
    pairs = _cross_pairs(crosses)
    require_frame(X, sorted({f for pair in pairs for f in pair}), "X", allow_empty=True)
    return pd.DataFrame({f"{a} x {b}": _level_text(X[a]) + "|" + _level_text(X[b]) for a, b in pairs}, index=X.index)


def _level_text(column: pd.Series) -> np.ndarray:
    """Give the levels of a field as text (object array); a missing value becomes ``"nan"``, its own level.

    ``astype(str)`` alone keeps a missing value missing under pandas' string dtype, and text plus NaN fails.
    """
    text = column.astype(str).to_numpy(dtype=object)
    text[column.isna().to_numpy()] = "nan"
    return text


def _cross_pairs(crosses) -> list[tuple[str, str]]:
    if isinstance(crosses, str) or not isinstance(crosses, (list, tuple)):
        raise TypeError(f"crosses: expected a list of (field, field) pairs, got {type(crosses).__name__}")
    pairs = []
    for pair in crosses:
        if isinstance(pair, str) or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"crosses: expected pairs of two field names, got {pair!r}")
        if pair[0] == pair[1]:
            raise ValueError(f"crosses: expected two different fields in a pair, got {tuple(pair)!r}")
        pairs.append((pair[0], pair[1]))
    return pairs


def _fit_crosses(X: pd.DataFrame, crosses, categorical, min_count: int) -> FieldEncoder | None:
    pairs = _cross_pairs(crosses)
    if not pairs:
        return None
    unknown = sorted({f for pair in pairs for f in pair} - set(categorical))
    if unknown:
        raise ValueError(f"crosses: expected fields listed in categorical, got {unknown}")
    frame = cross_features(X, pairs)
    return FieldEncoder(list(frame.columns), (), min_count).fit(frame)


def _encode(encoder: FieldEncoder, cross_encoder: FieldEncoder | None, crosses, X: pd.DataFrame) -> EncodedFields:
    enc = encoder.transform(X)
    if cross_encoder is None:
        return enc
    cross = cross_encoder.transform(cross_features(X, crosses)).index
    return EncodedFields(index=np.hstack([enc.index, cross]), dense=enc.dense)
