"""Bayesian personalised ranking (BPR): matrix factorisation trained to rank, not to fit cells.

Implicit ALS (:mod:`.als`) fits a number to every cell of the users x items
matrix. BPR (Rendle et al. 2009) asks only for the *order*: a customer should
score a product they bought above one they did not. With the score
``s_ui = p_u . q_i + b_i`` and the difference ``x_uij = s_ui - s_uj`` for a
bought product ``i`` and a not-bought product ``j``, each sampled triple
``(u, i, j)`` contributes::

    l_uij = -ln sigma(x_uij) + reg/2 (|p_u|^2 + |q_i|^2 + |q_j|^2 + b_i^2 + b_j^2)

whose gradient needs only ``g = sigma(-x_uij)``, the probability that the
pair is still ordered wrongly::

    dl/dp_u = -g (q_i - q_j) + reg p_u      dl/dq_i = -g p_u + reg q_i
    dl/dq_j =  g p_u + reg q_j              dl/db_i = -g + reg b_i,   dl/db_j = g + reg b_j

Every epoch visits each (customer, bought product) pair once in a random
order and draws one negative ``j`` per pair uniformly from the products the
customer has not bought; each mini-batch of triples sums the gradients of the
rows it touches and takes one Adagrad step on them (Duchi et al. 2011; each
parameter's step is divided by the root of its past squared gradients, so a
best-seller that appears in many triples does not take huge steps, which a
plain summed-gradient step does).
:func:`bpr_loss` and :func:`bpr_gradients` expose the loss and its gradient so
that a test can check the gradient against finite differences. Introduced in
lesson 09.

References
----------
Rendle, S., Freudenthaler, C., Gantner, Z. & Schmidt-Thieme, L. (2009). BPR:
Bayesian personalized ranking from implicit feedback. *UAI 2009*, 452-461.
Duchi, J., Hazan, E. & Singer, Y. (2011). Adaptive subgradient methods for
online learning and stochastic optimization. *JMLR* 12, 2121-2159.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..device import limit_threads
from ..randomness import check_random_state
from ..training import seed_from
from ..validation import require_finite, require_in_range, require_positive_int
from .base import BaseRecommender
from .interactions import Interactions


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free logistic function


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)  # ln sigma(x), stable for large |x|


def _check_triples(user_factors, item_factors, item_bias, users, pos, neg, reg):
    # finite numbers (NaN or inf would only give a NaN loss), as float64 arrays
    p = np.asarray(require_finite(user_factors, "user_factors"), dtype=np.float64)
    q = np.asarray(require_finite(item_factors, "item_factors"), dtype=np.float64)
    b = np.asarray(require_finite(item_bias, "item_bias"), dtype=np.float64)
    for name, arr in (("user_factors", p), ("item_factors", q)):
        if arr.ndim != 2:
            raise ValueError(f"{name}: expected a 2-d array (one row of factors per {name[:4]}), got shape {arr.shape}")
    if p.shape[1] != q.shape[1]:
        raise ValueError(
            f"item_factors: expected 2-d factor arrays with the same number of columns, got {p.shape} and {q.shape}"
        )
    if b.shape != (q.shape[0],):
        raise ValueError(f"item_bias: expected shape ({q.shape[0]},) (one per item), got {b.shape}")
    idx = []
    for name, values, n in (("users", users, p.shape[0]), ("pos", pos, q.shape[0]), ("neg", neg, q.shape[0])):
        arr = np.asarray(values)
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name}: expected a 1-d array of integer row indices, got {arr.dtype} of shape {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= n):
            raise ValueError(f"{name}: expected indices in [0, {n}), got values from {arr.min()} to {arr.max()}")
        idx.append(arr)
    if not len(idx[0]) == len(idx[1]) == len(idx[2]):
        raise ValueError(f"neg: expected as many entries as users and pos, got {len(idx[0])}, {len(idx[1])}, {len(idx[2])}")
    reg = require_in_range(reg, "reg", 0.0, np.inf)
    return p, q, b, idx[0], idx[1], idx[2], reg


def bpr_loss(user_factors, item_factors, item_bias, users, pos, neg, reg: float = 0.0) -> float:
    """Give the summed BPR loss of the triples ``(users[t], pos[t], neg[t])`` (module docstring).

    ``sum_t -ln sigma(x_t) + reg/2 (|p_u|^2 + |q_i|^2 + |q_j|^2 + b_i^2 + b_j^2)``,
    the penalty counted once per triple, as in Rendle et al.'s LearnBPR.
    Introduced in lesson 09.
    """
    p, q, b, u, i, j, reg = _check_triples(user_factors, item_factors, item_bias, users, pos, neg, reg)
    return _triple_gradients(p, q, b, u, i, j, reg)[0]


def bpr_gradients(user_factors, item_factors, item_bias, users, pos, neg, reg: float = 0.0):
    """Give the gradient of :func:`bpr_loss` with respect to every parameter: ``(dP, dQ, db)``.

    The arrays have the shapes of ``user_factors``, ``item_factors`` and
    ``item_bias``; rows the triples do not touch are zero, and a row used by
    several triples gets the sum of their gradients. Introduced in lesson 09.
    """
    p, q, b, u, i, j, reg = _check_triples(user_factors, item_factors, item_bias, users, pos, neg, reg)
    return _gradients(p, q, b, u, i, j, reg)


def _triple_gradients(p, q, b, u, i, j, reg):
    """Per-triple loss and gradients (rows of the parameters each triple touches)."""
    pu, qi, qj = p[u], q[i], q[j]
    x = np.einsum("tk,tk->t", pu, qi - qj) + b[i] - b[j]
    penalty = (pu**2).sum(1) + (qi**2).sum(1) + (qj**2).sum(1) + b[i] ** 2 + b[j] ** 2
    loss = float(-_log_sigmoid(x).sum() + 0.5 * reg * penalty.sum())
    g = _sigmoid(-x)  # how wrongly each pair is still ordered
    gc = g[:, None]
    return loss, (-gc * (qi - qj) + reg * pu, -gc * pu + reg * qi, gc * pu + reg * qj,
                  -g + reg * b[i], g + reg * b[j])


def _sum_rows(rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give the distinct ``rows`` and the sum of ``values`` over each (``np.add.at``, but fast for 2-d rows)."""
    uniq, inverse = np.unique(rows, return_inverse=True)
    ones = np.ones(len(rows), dtype=values.dtype)
    return uniq, sp.csr_matrix((ones, (inverse, np.arange(len(rows)))), shape=(len(uniq), len(rows))) @ values


def _adagrad(param: np.ndarray, memory: np.ndarray, rows: np.ndarray, grad: np.ndarray, lr: float) -> None:
    """One Adagrad step on the ``rows`` a batch touched: ``theta -= lr g / sqrt(sum of past g^2)``."""
    uniq, g = _sum_rows(rows, grad)
    memory[uniq] += g * g
    param[uniq] -= lr * g / np.sqrt(memory[uniq] + 1e-8)


def _gradients(p, q, b, u, i, j, reg):
    _, (g_pu, g_qi, g_qj, g_bi, g_bj) = _triple_gradients(p, q, b, u, i, j, reg)
    d_p, d_q, d_b = np.zeros_like(p), np.zeros_like(q), np.zeros_like(b)
    np.add.at(d_p, u, g_pu)
    np.add.at(d_q, i, g_qi)
    np.add.at(d_q, j, g_qj)
    np.add.at(d_b, i, g_bi)
    np.add.at(d_b, j, g_bj)
    return d_p, d_q, d_b


def sample_negatives(matrix, users, random_state=None) -> np.ndarray:
    """Give one item per entry of ``users``, drawn uniformly from the items that user has NOT interacted with.

    Draws uniformly from all items and redraws those the user has (rejection
    sampling, vectorised; cheap when the matrix is sparse). A user who has
    every item cannot have a negative: ``ValueError``. Introduced in lesson 09.

    Parameters
    ----------
    matrix : scipy.sparse matrix (n_users, n_items)
        The interactions; a stored non-zero entry means "has interacted".
    users : 1-d array of int
        Row indices of the users to draw for (repeats allowed).
    random_state : None, int or numpy Generator
    """
    if not sp.issparse(matrix):
        raise TypeError(f"matrix: expected a scipy.sparse matrix (users x items), got {type(matrix).__name__}")
    rng = check_random_state(random_state)
    csr = sp.csr_matrix(matrix, copy=True)
    csr.eliminate_zeros()
    csr.sort_indices()
    n_items = csr.shape[1]
    users = np.asarray(users)
    if users.ndim != 1 or not np.issubdtype(users.dtype, np.integer):
        raise TypeError(f"users: expected a 1-d array of integer row indices, got {users.dtype} of shape {users.shape}")
    if users.size and (users.min() < 0 or users.max() >= csr.shape[0]):
        raise ValueError(f"users: expected row indices in [0, {csr.shape[0]}), got {users.min()} to {users.max()}")
    users = users.astype(np.int64)
    counts = np.diff(csr.indptr)
    if (counts[users] >= n_items).any():
        raise ValueError("matrix: expected every sampled user to miss at least one item, got a user who has them all")
    keys = np.repeat(np.arange(csr.shape[0], dtype=np.int64), counts) * n_items + csr.indices
    neg = rng.integers(0, n_items, size=len(users))
    todo = np.arange(len(users))
    while todo.size:
        wanted = users[todo] * n_items + neg[todo]
        pos = np.searchsorted(keys, wanted)
        taken = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == wanted)
        todo = todo[taken]
        neg[todo] = rng.integers(0, n_items, size=todo.size)
    return neg


class BPR(BaseRecommender):
    """Matrix factorisation for implicit feedback trained with the BPR pairwise ranking loss.

    The score of item ``i`` for user ``u`` is ``s_ui = p_u . q_i + b_i``.
    Training minimises, by mini-batch stochastic gradient descent over
    sampled triples (user ``u``, bought item ``i``, uniformly sampled
    not-bought item ``j``),

    .. math:: \\sum_{(u,i,j)} -\\ln \\sigma(s_{ui} - s_{uj})
              + \\frac{\\lambda}{2}\\big(\\lVert p_u\\rVert^2 + \\lVert q_i\\rVert^2
              + \\lVert q_j\\rVert^2 + b_i^2 + b_j^2\\big)

    (module docstring for the gradient). Each epoch visits every bought pair
    once, in a random order, with a fresh negative; each mini-batch takes one
    Adagrad step on the rows it touches.

    Parameters
    ----------
    n_factors : int
        Length of the factor vectors.
    learning_rate : float > 0
        Adagrad step size (gradients are summed over the batch, per row).
    reg : float >= 0
        L2 penalty ``lambda``, applied to the parameters a triple touches.
    epochs : int
        Passes over the bought pairs.
    batch_size : int
        Triples per step.
    init_std : float > 0
        Standard deviation of the normal initial factors (biases start at 0).
    random_state : None, int or numpy Generator
        Seeds the initial factors, the order of the pairs and the negatives
        (a local generator; the global numpy state is not touched).
    n_threads : int or None
        BLAS threads while training (:func:`pmkt_lessons.device.limit_threads`).

    Attributes
    ----------
    user_factors_ : ndarray of float32 (n_users, n_factors)
    item_factors_ : ndarray of float32 (n_items, n_factors)
    item_bias_ : ndarray of float32 (n_items,)
    history_ : DataFrame
        Mean training loss per triple (with the penalty) of every epoch.
    fit_seconds_ : float

    References
    ----------
    Rendle, S., Freudenthaler, C., Gantner, Z. & Schmidt-Thieme, L. (2009).
    BPR: Bayesian personalized ranking from implicit feedback. *UAI 2009*, 452-461.
    Duchi, J., Hazan, E. & Singer, Y. (2011). Adaptive subgradient methods for
    online learning and stochastic optimization. *JMLR* 12, 2121-2159.

    Introduced in lesson 09.
    """

    def __init__(
        self,
        n_factors: int = 64,
        learning_rate: float = 0.1,
        reg: float = 0.03,
        epochs: int = 10,
        batch_size: int = 1024,
        init_std: float = 0.1,
        random_state=0,
        n_threads: int | None = 1,
    ):
        self.n_factors = n_factors
        self.learning_rate = learning_rate
        self.reg = reg
        self.epochs = epochs
        self.batch_size = batch_size
        self.init_std = init_std
        self.random_state = random_state
        self.n_threads = n_threads

    def _check_params(self) -> None:
        require_positive_int(self.n_factors, "n_factors")
        require_in_range(self.learning_rate, "learning_rate", 0.0, np.inf, low_inclusive=False)
        require_in_range(self.reg, "reg", 0.0, np.inf)
        require_positive_int(self.epochs, "epochs")
        require_positive_int(self.batch_size, "batch_size")
        require_in_range(self.init_std, "init_std", 0.0, np.inf, low_inclusive=False)
        seed_from(self.random_state)  # same checks and messages as every trainer

    def _fit(self, interactions: Interactions) -> None:
        start = time.perf_counter()
        with limit_threads(self.n_threads):
            self._train(interactions)
        self.fit_seconds_ = time.perf_counter() - start

    def _train(self, interactions: Interactions) -> None:
        csr = sp.csr_matrix(interactions.matrix)
        csr.eliminate_zeros()
        csr.sort_indices()
        n_users, n_items = csr.shape
        if (np.diff(csr.indptr) >= n_items).any():
            raise ValueError("interactions: expected every user to miss at least one item (a negative to sample)")
        rng = np.random.default_rng(seed_from(self.random_state))
        # float32 halves the memory traffic of the gathers, which dominate an epoch
        p = rng.normal(0.0, self.init_std, (n_users, self.n_factors)).astype(np.float32)
        q = rng.normal(0.0, self.init_std, (n_items, self.n_factors)).astype(np.float32)
        b = np.zeros(n_items, dtype=np.float32)
        mem_p, mem_q, mem_b = np.zeros_like(p), np.zeros_like(q), np.zeros_like(b)  # Adagrad's sums of g^2
        pair_users = np.repeat(np.arange(n_users, dtype=np.int64), np.diff(csr.indptr))
        pair_items = csr.indices.astype(np.int64)
        lr, reg, size = float(self.learning_rate), float(self.reg), int(self.batch_size)
        history = []
        for epoch in range(1, self.epochs + 1):
            order = rng.permutation(len(pair_users))
            u_all, i_all = pair_users[order], pair_items[order]
            j_all = sample_negatives(csr, u_all, rng)
            total = 0.0
            for s in range(0, len(order), size):
                u, i, j = u_all[s:s + size], i_all[s:s + size], j_all[s:s + size]
                loss, (g_pu, g_qi, g_qj, g_bi, g_bj) = _triple_gradients(p, q, b, u, i, j, reg)
                total += loss
                # all gradients come from the old values; add.at sums rows used twice
                _adagrad(p, mem_p, u, g_pu, lr)
                items = np.concatenate([i, j])
                _adagrad(q, mem_q, items, np.concatenate([g_qi, g_qj]), lr)
                _adagrad(b, mem_b, items, np.concatenate([g_bi, g_bj]), lr)
            history.append({"epoch": epoch, "loss": total / len(order)})
        self.user_factors_, self.item_factors_, self.item_bias_ = p, q, b
        self.history_ = pd.DataFrame(history, columns=["epoch", "loss"]).set_index("epoch")

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T + self.item_bias_

