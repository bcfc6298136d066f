"""Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren & Volinsky 2008).

A purchase says "this customer wanted this product"; no purchase says little.
Implicit ALS treats every cell of the users x items matrix as a preference
``p_ui`` (1 if bought, else 0) held with a confidence ``c_ui = 1 + alpha r_ui``
(``r_ui`` the interaction weight), and finds user factors ``x_u`` and item
factors ``y_i`` minimising::

    L = sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + reg (sum_u |x_u|^2 + sum_i |y_i|^2)

over *all* cells, bought or not. With the item factors fixed, each user's
problem is a ridge regression with the closed form::

    x_u = (Y^T C_u Y + reg I)^{-1} Y^T C_u p_u,
    Y^T C_u Y = Y^T Y + sum_{i bought by u} (c_ui - 1) y_i y_i^T

so ``Y^T Y`` is shared by every user and only the bought items add to it:
the cost grows with the purchases, not with the size of the matrix. The
trainer alternates users and items, and solves every user's (item's) system at
once with a few warm-started conjugate-gradient steps (Takacs, Pilaszy & Tikk
2011), in torch on sparse matrices; :func:`als_exact_solve` is the direct
solution, for checking. Introduced in lesson 09.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..device import resolve_device
from ..training import local_generator, training_scope
from ..validation import require_bool, require_in_range, require_positive_int
from .base import BaseRecommender
from .interactions import Interactions


def _check_matrix(matrix: object, arg: str = "matrix") -> sp.csr_matrix:
    if not sp.issparse(matrix):
        raise TypeError(f"{arg}: expected a scipy.sparse matrix (users x items), got {type(matrix).__name__}")
    csr = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    if csr.shape[0] == 0 or csr.shape[1] == 0:
        raise ValueError(f"{arg}: expected a non-empty matrix, got shape {csr.shape}")
    if not np.isfinite(csr.data).all() or (csr.data < 0).any():
        raise ValueError(f"{arg}: expected finite, non-negative interaction weights")
    csr.eliminate_zeros()
    csr.sort_indices()
    return csr


def _check_factors(factors: object, n_rows: int, arg: str) -> np.ndarray:
    arr = np.asarray(factors, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != n_rows:
        raise ValueError(f"{arg}: expected a 2-d array with {n_rows} rows, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{arg}: expected finite numbers")
    return arr


def als_exact_solve(matrix, fixed, reg: float = 0.05, alpha: float = 1.0) -> np.ndarray:
    """Give the exact ALS factors of every row of ``matrix`` given the other side's factors ``fixed``.

    Solves ``(F^T C_u F + reg I) x_u = F^T C_u p_u`` for each row ``u`` with
    ``numpy.linalg.solve``. Memory grows with ``nnz * n_factors^2``: meant for
    checks on a few rows, not for training. Convention difference: the
    ``implicit`` library reads the matrix entries as the confidence ``c_ui``
    itself; here the entries are weights ``r`` and ``c = 1 + alpha r`` (Hu et
    al.), so ``implicit`` gives the same solve on a matrix holding
    ``1 + alpha r`` (tests/test_crosscheck.py). Introduced in lesson 09.

    Parameters
    ----------
    matrix : scipy.sparse matrix (n_rows, n_cols)
        Interaction weights ``r``; ``c = 1 + alpha r`` and ``p = (r > 0)``.
    fixed : array (n_cols, n_factors)
        The factors of the columns.
    """
    csr = _check_matrix(matrix)
    fixed = _check_factors(fixed, csr.shape[1], "fixed")
    reg = require_in_range(reg, "reg", 0.0, np.inf)
    alpha = require_in_range(alpha, "alpha", 0.0, np.inf)
    n, k = csr.shape[0], fixed.shape[1]
    rows = np.repeat(np.arange(n), np.diff(csr.indptr))
    f = fixed[csr.indices]
    conf = 1.0 + alpha * csr.data.astype(np.float64)
    lhs = np.broadcast_to(fixed.T @ fixed + reg * np.eye(k), (n, k, k)).copy()
    np.add.at(lhs, rows, (conf - 1.0)[:, None, None] * f[:, :, None] * f[:, None, :])
    rhs = np.zeros((n, k))
    np.add.at(rhs, rows, conf[:, None] * f)
    return np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]


def als_cg_solve(matrix, fixed, start, reg: float = 0.05, alpha: float = 1.0, cg_steps: int = 3,
                 device=None) -> np.ndarray:
    """Give the ALS factors of every row of ``matrix`` after ``cg_steps`` conjugate-gradient steps from ``start``.

    The trainer's solver, in numpy in and out: the same systems as
    :func:`als_exact_solve`, solved approximately but without forming any
    ``n_factors x n_factors`` matrix per row. Introduced in lesson 09.
    """
    import torch

    csr = _check_matrix(matrix)
    fixed = _check_factors(fixed, csr.shape[1], "fixed")
    start = _check_factors(start, csr.shape[0], "start")
    if start.shape[1] != fixed.shape[1]:
        raise ValueError(f"start: expected {fixed.shape[1]} columns like fixed, got {start.shape[1]}")
    reg = require_in_range(reg, "reg", 0.0, np.inf)
    alpha = require_in_range(alpha, "alpha", 0.0, np.inf)
    cg_steps = require_positive_int(cg_steps, "cg_steps")
    device = resolve_device(device)
    side = _TorchCSR(csr, alpha, device)
    out = _cg_solve(
        side,
        torch.from_numpy(fixed.astype(np.float32)).to(device),
        torch.from_numpy(start.astype(np.float32)).to(device),
        reg,
        cg_steps,
    )
    return out.cpu().numpy().astype(np.float64)


def implicit_loss(matrix, user_factors, item_factors, reg: float = 0.05, alpha: float = 1.0) -> float:
    """Give the implicit-ALS objective ``L`` over every cell of ``matrix`` without a dense matrix.

    ``sum_{u,i} (x_u . y_i)^2`` over all cells is ``sum((X^T X) * (Y^T Y))``;
    only the stored (bought) cells need a correction. Introduced in lesson 09.
    """
    csr = _check_matrix(matrix)
    x = _check_factors(user_factors, csr.shape[0], "user_factors")
    y = _check_factors(item_factors, csr.shape[1], "item_factors")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"item_factors: expected {x.shape[1]} columns like user_factors, got {y.shape[1]}")
    reg = require_in_range(reg, "reg", 0.0, np.inf)
    alpha = require_in_range(alpha, "alpha", 0.0, np.inf)
    rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    s = np.einsum("ij,ij->i", x[rows], y[csr.indices])
    conf = 1.0 + alpha * csr.data.astype(np.float64)
    all_cells = float(np.sum((x.T @ x) * (y.T @ y)))
    bought = float(np.sum(conf * (1.0 - s) ** 2 - s**2))
    return all_cells + bought + reg * float((x**2).sum() + (y**2).sum())


class _TorchCSR:
    """One interaction matrix as torch CSR pieces on a device (rows of the side being solved).

    ``conf`` holds ``c = 1 + alpha r`` (the right-hand side ``F^T C_u p_u``),
    ``zeros`` the sparsity pattern for sampled products, and ``work`` a CSR
    tensor of the same pattern whose values the conjugate-gradient matvec
    overwrites in place, so no sparse tensor is built inside the loop.
    """

    def __init__(self, csr: sp.csr_matrix, alpha: float, device):
        import torch

        self.shape = csr.shape
        self.crow = torch.from_numpy(csr.indptr.astype(np.int64)).to(device)
        self.col = torch.from_numpy(csr.indices.astype(np.int64)).to(device)
        extra = torch.from_numpy(alpha * csr.data.astype(np.float32)).to(device)  # c - 1
        self.extra = extra
        self.conf = self._tensor(extra + 1.0)
        self.zeros = self._tensor(torch.zeros_like(extra))
        self.work = self._tensor(torch.zeros_like(extra))

    def _tensor(self, values):
        import torch

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
            return torch.sparse_csr_tensor(
                self.crow, self.col, values, size=self.shape, check_invariants=False
            )


def _cg_solve(side: _TorchCSR, fixed, current, reg: float, cg_steps: int):
    """Run ``cg_steps`` conjugate-gradient steps on every row's system at once, from ``current``.

    The matvec ``(F^T C_u F + reg I) v_u`` is ``v (F^T F + reg I)`` plus
    ``sum_i (c_ui - 1)(v_u . f_i) f_i`` over the stored cells: one sampled
    dense-dense product (the dots, written into ``side.work``), an in-place
    scaling of its values and one sparse-dense product. The vector updates
    are in place (``addcmul_``), so each step allocates only a few
    ``(n_rows, n_factors)`` tensors.
    """
    import torch

    gram = torch.addmm(
        torch.eye(fixed.shape[1], device=fixed.device, dtype=fixed.dtype), fixed.T, fixed, beta=reg
    )
    fixed_t = fixed.T

    def matvec(v):
        # (c_ui - 1)(v_u . y_i) on the stored cells only: a sampled dense-dense product
        torch.sparse.sampled_addmm(side.zeros, v, fixed_t, beta=0.0, out=side.work)
        side.work.values().mul_(side.extra)
        return torch.addmm(side.work @ fixed, v, gram)

    x = current.clone()
    r = side.conf @ fixed
    r -= matvec(x)
    p = r.clone()
    rs = (r * r).sum(1)
    for _ in range(cg_steps):
        ap = matvec(p)
        step = (rs / (p * ap).sum(1).clamp_min(1e-20))[:, None]
        x.addcmul_(step, p)
        r.addcmul_(step, ap, value=-1.0)
        rs_new = (r * r).sum(1)
        p.mul_((rs_new / rs.clamp_min(1e-20))[:, None]).add_(r)
        rs = rs_new
    return x


class _RowBlocks:
    """The rows of one side split into ``blocks`` contiguous blocks, each solved in its own thread.

    Every row's system is independent of the others, so the blocks give the
    same factors as one block. With ``blocks == 1`` no thread is started.
    """

    def __init__(self, csr: sp.csr_matrix, alpha: float, device, blocks: int):
        self.whole = _TorchCSR(csr, alpha, device)
        blocks = max(1, min(blocks, csr.shape[0]))
        # equal shares of the stored entries (the work), not of the rows
        cuts = np.searchsorted(csr.indptr, np.linspace(0, csr.nnz, blocks + 1)[1:-1])
        self.bounds = list(zip(np.r_[0, cuts], np.r_[cuts, csr.shape[0]], strict=True))
        self.parts = [_TorchCSR(csr[a:b], alpha, device) for a, b in self.bounds] if blocks > 1 else []
        self.pool = None
        if self.parts:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=len(self.parts), thread_name_prefix="als")

    def solve(self, fixed, current, reg: float, cg_steps: int):
        import torch

        if self.pool is None:
            return _cg_solve(self.whole, fixed, current, reg, cg_steps)
        jobs = [self.pool.submit(_cg_solve, part, fixed, current[a:b], reg, cg_steps)
                for part, (a, b) in zip(self.parts, self.bounds, strict=True)]
        return torch.cat([job.result() for job in jobs])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _torch_loss(side: _TorchCSR, x, y, reg: float) -> float:
    """The objective of :func:`implicit_loss`, from the trainer's torch tensors (``side`` holds users)."""
    import torch

    s = torch.sparse.sampled_addmm(side.zeros, x, y.T, beta=0.0).values().double()
    conf = side.extra.double() + 1.0
    all_cells = ((x.T @ x).double() * (y.T @ y).double()).sum()
    bought = (conf * (1.0 - s) ** 2 - s**2).sum()
    penalty = reg * ((x.double() ** 2).sum() + (y.double() ** 2).sum())
    return float(all_cells + bought + penalty)


class ImplicitALS(BaseRecommender):
    """Implicit-feedback matrix factorisation by alternating least squares with conjugate gradients.

    Parameters
    ----------
    n_factors : int
    reg : float >= 0
        L2 penalty ``reg`` of the objective (module docstring).
    alpha : float >= 0
        Confidence slope: ``c_ui = 1 + alpha r_ui``.
    iterations : int
        Alternations (users, then items).
    cg_steps : int
        Conjugate-gradient steps per solve, warm-started from the previous
        factors (3 is the usual choice; more gets closer to the exact solve).
    init_std : float > 0
        Standard deviation of the normal initial factors.
    random_state : None, int or numpy Generator
        Seeds the initial factors.
    device : str or torch.device, optional
        Default: :func:`pmkt_lessons.device.get_device`.
    progress : bool
        Show a tqdm bar over iterations.
    track_loss : bool
        Compute the full objective after each iteration into ``history_``
        (costs a little time).
    n_threads : int or None
        CPU threads while training. 1 (the package's default, so a lesson
        prints the same numbers on any machine) runs on one thread
        (:func:`pmkt_lessons.device.limit_threads`); ``n > 1`` on a CPU splits
        each side's rows into ``n`` blocks of equal purchases, solved in
        parallel threads with one torch thread each (the row systems are
        independent, so the factors are those of one thread up to float32
        rounding); ``None`` leaves torch's threads as they are. All cores:
        ``n_threads=os.cpu_count()``.

    Attributes
    ----------
    user_factors_ : ndarray (n_users, n_factors)
    item_factors_ : ndarray (n_items, n_factors)
    history_ : DataFrame
        The objective after every iteration (with ``track_loss=True``).
    fit_seconds_ : float
    device_ : torch.device

    Introduced in lesson 09.
    """

    def __init__(
        self,
        n_factors: int = 64,
        reg: float = 0.05,
        alpha: float = 1.0,
        iterations: int = 15,
        cg_steps: int = 3,
        init_std: float = 0.01,
        random_state=0,
        device=None,
        progress: bool = False,
        track_loss: bool = False,
        n_threads: int | None = 1,
    ):
        self.n_factors = n_factors
        self.reg = reg
        self.alpha = alpha
        self.iterations = iterations
        self.cg_steps = cg_steps
        self.init_std = init_std
        self.random_state = random_state
        self.device = device
        self.progress = progress
        self.track_loss = track_loss
        self.n_threads = n_threads

    def _check_params(self) -> None:
        require_positive_int(self.n_factors, "n_factors")
        require_in_range(self.reg, "reg", 0.0, np.inf)
        require_in_range(self.alpha, "alpha", 0.0, np.inf)
        require_positive_int(self.iterations, "iterations")
        require_positive_int(self.cg_steps, "cg_steps")
        require_in_range(self.init_std, "init_std", 0.0, np.inf, low_inclusive=False)
        for name in ("progress", "track_loss"):
            require_bool(getattr(self, name), name)

    def _fit(self, interactions: Interactions) -> None:
        device = resolve_device(self.device)
        n_threads = None if self.n_threads is None else require_positive_int(self.n_threads, "n_threads")
        # On a CPU, several threads solve disjoint blocks of rows, each with one torch thread: one
        # synchronisation per half-iteration instead of one per tensor operation.
        blocks = 1 if n_threads is None or device.type != "cpu" else n_threads
        start = time.perf_counter()
        with training_scope(self.random_state, device, 1 if blocks > 1 else n_threads) as seed:
            self._train(interactions, device, seed, blocks)
        self.device_ = device
        self.fit_seconds_ = time.perf_counter() - start

    def _train(self, interactions: Interactions, device, seed: int, blocks: int = 1) -> None:
        import torch
        from tqdm.auto import tqdm

        csr = _check_matrix(interactions.matrix, "interactions")
        gen = local_generator(seed)
        n_u, n_i = csr.shape
        x = (torch.randn(n_u, self.n_factors, generator=gen) * self.init_std).to(device)
        y = (torch.randn(n_i, self.n_factors, generator=gen) * self.init_std).to(device)
        history = []
        by_user = _RowBlocks(csr, float(self.alpha), device, blocks)
        by_item = _RowBlocks(csr.T.tocsr(), float(self.alpha), device, blocks)
        reg = float(self.reg)
        try:
            for it in tqdm(range(1, self.iterations + 1), desc="ImplicitALS", disable=not self.progress):
                x = by_user.solve(y, x, reg, self.cg_steps)
                y = by_item.solve(x, y, reg, self.cg_steps)
                if self.track_loss:
                    loss = _torch_loss(by_user.whole, x, y, reg)
                    history.append({"iteration": it, "loss": loss})
        finally:
            by_user.close()
            by_item.close()
        self.user_factors_ = x.cpu().numpy()
        self.item_factors_ = y.cpu().numpy()
        self.history_ = pd.DataFrame(history, columns=["iteration", "loss"]).set_index("iteration")

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T
