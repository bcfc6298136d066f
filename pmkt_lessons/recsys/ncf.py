"""Neural collaborative filtering: NeuMF (GMF + MLP) with negative sampling and early stopping.

He et al. (2017) replace the dot product of matrix factorisation by a learned
function of a user and an item. NeuMF runs two towers side by side:

* **GMF**, generalised matrix factorisation: the element-wise product
  ``p_u * q_i`` of two embeddings (a dot product when the output weights are
  all 1);
* **MLP**: a second pair of embeddings, concatenated and passed through
  ReLU layers, which can model interactions a product cannot;

and a last linear layer on both towers' outputs gives the logit of "user
``u`` buys item ``i``". Purchase data has only positives, so every epoch
pairs each bought (user, item) with ``n_negatives`` items the user did not buy,
drawn at random, and minimises the binary cross-entropy. Training stops when
NDCG@k on a validation period has not improved for ``patience`` epochs, and
the best epoch's weights are kept. :class:`DotMF` is plain matrix
factorisation (a dot product plus biases) trained in exactly the same way, the
baseline of Rendle et al. (2020). Introduced in lesson 10.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from torch import nn

from .. import columns as C
from ..device import resolve_device
from ..randomness import check_random_state
from ..training import fit_with_early_stopping, local_generator, training_scope
from ..validation import (
    require_bool,
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
)
from .base import BaseRecommender, require_interactions
from .interactions import Interactions
from .metrics import ndcg_at_k

_MAX_RESAMPLE_ROUNDS = 50


def sample_negatives(matrix, n_negatives: int = 4, random_state=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Give training triples ``(user_rows, item_cols, labels)``: every stored cell plus random negatives.

    Each positive cell ``(u, i)`` of ``matrix`` gives one row with label 1 and
    ``n_negatives`` rows ``(u, j)`` with label 0, where ``j`` is drawn
    uniformly among the items ``u`` has *not* interacted with (draws that hit a
    bought item are redrawn). Users who bought every item get no negatives.
    ``random_state`` (None, an int or a numpy Generator) drives the draws.
    Introduced in lesson 10.
    """
    if not sp.issparse(matrix):
        raise TypeError(f"matrix: expected a scipy.sparse matrix (users x items), got {type(matrix).__name__}")
    n_negatives = require_positive_int(n_negatives, "n_negatives")
    csr = sp.csr_matrix(matrix, copy=True)
    csr.eliminate_zeros()
    if csr.nnz == 0:
        raise ValueError(f"matrix: expected at least one interaction, got an empty matrix {csr.shape}")
    n_items = csr.shape[1]
    rows = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
    cols = csr.indices.astype(np.int64)
    bought = _membership(csr)
    full = np.diff(csr.indptr)[rows] >= n_items
    neg_rows = np.repeat(rows[~full], n_negatives)
    rng = check_random_state(random_state)
    neg_cols = rng.integers(0, n_items, len(neg_rows))
    clash = np.flatnonzero(bought(neg_rows, neg_cols))
    for _ in range(_MAX_RESAMPLE_ROUNDS):
        if clash.size == 0:
            break
        neg_cols[clash] = rng.integers(0, n_items, clash.size)
        clash = clash[bought(neg_rows[clash], neg_cols[clash])]
    else:  # pragma: no cover - only for users owning almost the whole catalogue
        keep = ~bought(neg_rows, neg_cols)
        neg_rows, neg_cols = neg_rows[keep], neg_cols[keep]
    labels = np.concatenate([np.ones(len(rows), np.float32), np.zeros(len(neg_rows), np.float32)])
    return np.concatenate([rows, neg_rows]), np.concatenate([cols, neg_cols]), labels


def _membership(csr: sp.csr_matrix):
    """Give a function telling, for arrays of rows and columns, which cells of ``csr`` are stored."""
    n_rows, n_cols = csr.shape
    if n_rows * n_cols <= 50_000_000:  # a dense bitmap: one byte per cell, the fastest lookup
        dense = np.zeros((n_rows, n_cols), dtype=bool)
        dense[np.repeat(np.arange(n_rows), np.diff(csr.indptr)), csr.indices] = True
        return lambda r, c: dense[r, c]
    keys = np.sort(np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(csr.indptr)) * n_cols + csr.indices)

    def lookup(r, c):
        wanted = r * n_cols + c
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return keys[pos] == wanted

    return lookup


class NeuMFNet(nn.Module):
    """The NeuMF network: GMF and MLP towers and one output layer (He et al. 2017, figure 3).

    Introduced in lesson 10.
    """

    def __init__(self, n_users: int, n_items: int, gmf_factors: int, mlp_factors: int, layers: tuple):
        super().__init__()
        for arg, value in (("n_users", n_users), ("n_items", n_items), ("gmf_factors", gmf_factors),
                           ("mlp_factors", mlp_factors)):
            require_positive_int(value, arg)
        if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
            raise TypeError(f"layers: expected a tuple of layer sizes, got {type(layers).__name__}")
        layers = tuple(require_positive_int(size, "layers") for size in layers)
        self.user_gmf = nn.Embedding(n_users, gmf_factors)
        self.item_gmf = nn.Embedding(n_items, gmf_factors)
        self.user_mlp = nn.Embedding(n_users, mlp_factors)
        self.item_mlp = nn.Embedding(n_items, mlp_factors)
        blocks, width = [], 2 * mlp_factors
        for size in layers:
            blocks += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.mlp = nn.Sequential(*blocks)
        self.output = nn.Linear(gmf_factors + width, 1)
        for emb in (self.user_gmf, self.item_gmf, self.user_mlp, self.item_mlp):
            nn.init.normal_(emb.weight, std=0.01)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Give the logit of every (user, item) pair."""
        gmf = self.user_gmf(users) * self.item_gmf(items)
        mlp = self.mlp(torch.cat([self.user_mlp(users), self.item_mlp(items)], dim=1))
        return self.output(torch.cat([gmf, mlp], dim=1)).squeeze(1)

    @torch.no_grad()
    def score_all_items(self, users: torch.Tensor) -> torch.Tensor:
        """Give the logits of ``users`` x every item, without materialising the pairs' embeddings.

        The output layer is linear, so the GMF part is one matrix product; the
        first MLP layer on a concatenation splits into a user part plus an item
        part, added by broadcasting.
        """
        k = self.user_gmf.embedding_dim
        w = self.output.weight[0]
        gmf = (self.user_gmf(users) * w[:k]) @ self.item_gmf.weight.T
        first = self.mlp[0]
        m = self.user_mlp.embedding_dim
        hidden = (self.user_mlp(users) @ first.weight[:, :m].T)[:, None, :] + (
            self.item_mlp.weight @ first.weight[:, m:].T + first.bias
        )[None]
        hidden = torch.relu(hidden)
        for block in list(self.mlp)[2:]:
            hidden = block(hidden)
        return gmf + hidden @ w[k:] + self.output.bias


def _check_validation(validation: object) -> pd.DataFrame:
    require_frame(validation, [C.USER, C.ITEM], "validation")
    require_no_nan(validation, [C.USER, C.ITEM], "validation")
    return validation


class NeuMF(BaseRecommender):
    """NeuMF recommender for implicit feedback, in torch.

    Parameters
    ----------
    gmf_factors, mlp_factors : int
        Embedding sizes of the GMF and MLP towers.
    layers : tuple of int
        Widths of the MLP's hidden layers (a tower: each half the last).
    n_negatives : int
        Sampled negatives per positive, redrawn every epoch.
    lr : float
        Adam's learning rate.
    weight_decay : float >= 0
        Adam's L2 penalty on all weights.
    batch_size, epochs : int
        ``epochs`` is the maximum; early stopping may end sooner.
    patience : int
        With a validation set: stop after this many epochs without a better
        validation NDCG, and keep the best epoch's weights.
    eval_k : int
        The k of the validation NDCG@k.
    eval_users : int
        Score at most this many (randomly chosen) validation users per epoch,
        to keep early stopping cheap.
    random_state : None, int or numpy Generator
        Seeds the initial weights, the negatives, the minibatch order and the
        validation users.
    device : str or torch.device, optional
        Default: :func:`pmkt_lessons.device.get_device`.
    progress : bool
        Show a tqdm bar over epochs with the latest validation NDCG.
    n_threads : int or None
        CPU threads while training (:func:`pmkt_lessons.device.limit_threads`).

    Attributes
    ----------
    net_ : NeuMFNet
        The trained network (on ``device_``), with the best epoch's weights.
    history_ : DataFrame
        Per epoch: mean training loss and, with validation, ``val_ndcg``.
    best_epoch_ : int
    fit_seconds_ : float
    device_ : torch.device

    Introduced in lesson 10.
    """

    def __init__(
        self,
        gmf_factors: int = 64,
        mlp_factors: int = 16,
        layers: tuple = (32, 16, 8),
        n_negatives: int = 4,
        lr: float = 0.004,
        weight_decay: float = 0.0,
        batch_size: int = 4096,
        epochs: int = 20,
        patience: int = 2,
        eval_k: int = 10,
        eval_users: int = 300,
        random_state=0,
        device=None,
        progress: bool = False,
        n_threads: int | None = 1,
    ):
        self.gmf_factors = gmf_factors
        self.mlp_factors = mlp_factors
        self.layers = layers
        self.n_negatives = n_negatives
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.eval_k = eval_k
        self.eval_users = eval_users
        self.random_state = random_state
        self.device = device
        self.progress = progress
        self.n_threads = n_threads

    def _check_params(self) -> None:
        for name in ("gmf_factors", "mlp_factors", "n_negatives", "batch_size", "epochs", "patience",
                     "eval_k", "eval_users"):
            require_positive_int(getattr(self, name), name)
        if not isinstance(self.layers, (tuple, list)) or not self.layers:
            raise TypeError(f"layers: expected a non-empty tuple of layer widths, got {self.layers!r}")
        for width in self.layers:
            require_positive_int(width, "layers")
        require_in_range(self.lr, "lr", 0.0, np.inf, low_inclusive=False)
        require_in_range(self.weight_decay, "weight_decay", 0.0, np.inf)
        require_bool(self.progress, "progress")

    def fit(self, interactions: Interactions, validation: pd.DataFrame | None = None):
        """Train on ``interactions``; give ``self``.

        Parameters
        ----------
        interactions : Interactions
            Training purchases (binary or weighted: any stored cell is a positive).
        validation : DataFrame, optional
            ``user_id, item_id`` pairs of a later period (e.g. the truth of
            ``course_validation_split``). With it, training stops early on
            NDCG@``eval_k``; without it, it runs ``epochs`` epochs. Validation
            users unknown to ``interactions`` are left out.
        """
        validation = None if validation is None else _check_validation(validation)
        interactions = require_interactions(interactions)
        self._check_params()
        self._remember(interactions)  # recommend() needs it during training
        device = resolve_device(self.device)
        start = time.perf_counter()
        with training_scope(self.random_state, device, self.n_threads) as seed:
            self._train(interactions, validation, device, seed)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _train(self, interactions: Interactions, validation, device, seed: int) -> None:
        net = self._build_net(interactions.n_users, interactions.n_items).to(device)
        self.net_, self.device_ = net, device
        optimiser = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay,
                                     foreach=True)
        val_users, val_truth = self._validation_sample(interactions, validation, seed)
        gen = local_generator(seed)

        def run_epoch(epoch: int) -> float:
            return self._train_epoch(net, optimiser, interactions.matrix, (seed * 100_003 + epoch) % 2**32, gen, device)

        def evaluate() -> float:
            return ndcg_at_k(self.recommend(val_users, k=self.eval_k), val_truth, self.eval_k)

        history, self.best_epoch_ = fit_with_early_stopping(
            net, run_epoch, None if val_users is None else evaluate, self.epochs, self.patience,
            higher_is_better=True, progress=self.progress, desc=type(self).__name__, metric="val_ndcg",
        )
        self.history_ = pd.DataFrame(history).set_index("epoch")

    def _build_net(self, n_users: int, n_items: int) -> nn.Module:
        return NeuMFNet(n_users, n_items, self.gmf_factors, self.mlp_factors, tuple(self.layers))

    def _validation_sample(self, interactions: Interactions, validation, seed: int):
        if validation is None:
            return None, None
        truth = validation.drop_duplicates([C.USER, C.ITEM])
        known = np.sort(truth[C.USER].unique()[interactions.user_rows(truth[C.USER].unique(), missing="mark") >= 0])
        if known.size == 0:
            raise ValueError("validation: expected users seen in the interactions, got none")
        rng = np.random.default_rng(seed)
        users = np.sort(rng.choice(known, min(self.eval_users, known.size), replace=False))
        return users, truth[truth[C.USER].isin(users)]

    def _train_epoch(self, net, optimiser, matrix, seed: int, gen, device) -> float:
        users, items, labels = sample_negatives(matrix, self.n_negatives, random_state=seed)
        order = torch.randperm(len(labels), generator=gen)
        u = torch.from_numpy(users)[order].to(device)
        i = torch.from_numpy(items)[order].to(device)
        y = torch.from_numpy(labels)[order].to(device)
        net.train()
        total = 0.0
        for start in range(0, len(y), self.batch_size):
            end = start + self.batch_size
            loss = nn.functional.binary_cross_entropy_with_logits(net(u[start:end], i[start:end]), y[start:end])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(y[start:end])
        net.eval()
        return total / len(y)

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        n_items = self.seen_.n_items
        # users per chunk so that the widest hidden activation stays near 2**24 floats (64 MB)
        chunk = max(1, (1 << 24) // (n_items * self._score_width()))
        out = np.empty((len(rows), n_items), dtype=np.float32)
        for start in range(0, len(rows), chunk):
            part = torch.from_numpy(np.asarray(rows[start:start + chunk], dtype=np.int64)).to(self.device_)
            out[start:start + chunk] = self.net_.score_all_items(part).cpu().numpy()
        return out

    def _score_width(self) -> int:
        return max(self.layers)


class DotNet(nn.Module):
    """Matrix factorisation as a network: the logit ``p_u . q_i + b_u + b_i + b``.

    Introduced in lesson 10.
    """

    def __init__(self, n_users: int, n_items: int, factors: int):
        super().__init__()
        for arg, value in (("n_users", n_users), ("n_items", n_items), ("factors", factors)):
            require_positive_int(value, arg)
        self.user = nn.Embedding(n_users, factors)
        self.item = nn.Embedding(n_items, factors)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.bias = nn.Parameter(torch.zeros(1))
        for emb in (self.user, self.item):
            nn.init.normal_(emb.weight, std=0.01)
        for emb in (self.user_bias, self.item_bias):
            nn.init.zeros_(emb.weight)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Give the logit of every (user, item) pair."""
        dot = (self.user(users) * self.item(items)).sum(dim=1)
        return dot + self.user_bias(users)[:, 0] + self.item_bias(items)[:, 0] + self.bias

    @torch.no_grad()
    def score_all_items(self, users: torch.Tensor) -> torch.Tensor:
        """Give the logits of ``users`` x every item (one matrix product)."""
        return (self.user(users) @ self.item.weight.T + self.user_bias(users)
                + self.item_bias.weight[:, 0][None] + self.bias)


class DotMF(NeuMF):
    """Matrix factorisation trained like NeuMF: sampled negatives, binary cross-entropy, Adam, early stopping.

    The logit of "user ``u`` buys item ``i``" is the dot product plus biases,

    .. math:: \\hat y_{ui} = \\sigma(\\mathbf p_u^\\top \\mathbf q_i + b_u + b_i + b),

    fitted by minimising the binary cross-entropy on every purchase and
    ``n_negatives`` random non-purchases per purchase, redrawn every epoch.
    Everything but the network is :class:`NeuMF`'s, so the two can be tuned
    on the same grid and compared on equal terms (Rendle et al. 2020).

    Parameters
    ----------
    factors : int
        Embedding size of users and items.
    n_negatives, lr, weight_decay, batch_size, epochs, patience, eval_k, eval_users, random_state, device, progress, n_threads
        As in :class:`NeuMF`.

    Attributes
    ----------
    net_ : DotNet
    history_, best_epoch_, fit_seconds_, device_
        As in :class:`NeuMF`.

    References
    ----------
    Rendle, S., Krichene, W., Zhang, L. & Anderson, J. (2020). Neural
    collaborative filtering vs. matrix factorization revisited. *RecSys 2020*, 240-248.

    Introduced in lesson 10.
    """

    def __init__(
        self,
        factors: int = 64,
        n_negatives: int = 4,
        lr: float = 0.004,
        weight_decay: float = 0.0,
        batch_size: int = 4096,
        epochs: int = 20,
        patience: int = 2,
        eval_k: int = 10,
        eval_users: int = 300,
        random_state=0,
        device=None,
        progress: bool = False,
        n_threads: int | None = 1,
    ):
        self.factors = factors
        self.n_negatives = n_negatives
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.eval_k = eval_k
        self.eval_users = eval_users
        self.random_state = random_state
        self.device = device
        self.progress = progress
        self.n_threads = n_threads

    def _check_params(self) -> None:
        for name in ("factors", "n_negatives", "batch_size", "epochs", "patience", "eval_k", "eval_users"):
            require_positive_int(getattr(self, name), name)
        require_in_range(self.lr, "lr", 0.0, np.inf, low_inclusive=False)
        require_in_range(self.weight_decay, "weight_decay", 0.0, np.inf)
        if not isinstance(self.progress, bool):
            raise TypeError(f"progress: expected True or False, got {type(self.progress).__name__}")

    def _build_net(self, n_users: int, n_items: int) -> nn.Module:
        return DotNet(n_users, n_items, self.factors)

    def _score_width(self) -> int:
        return 1

