"""Neighbourhood collaborative filtering: item-kNN and user-kNN.

Item-kNN scores item ``i`` for user ``u`` from the items ``j`` the user has,
among the ``k`` most similar to ``i`` (its neighbourhood ``N_k(i)``)::

    weighted sum   s(u,i) = sum_{j in N_k(i) & I_u} sim(i,j) r_uj
    normalised     s(u,i) = sum_{j in N_k(i) & I_u} sim(i,j) r_uj / sum_{j in N_k(i) & I_u} |sim(i,j)|

User-kNN does the same with the ``k`` users most similar to ``u``, optionally
mean-centred (each user's ratings minus their mean)::

    s(u,i) = mean_u + sum_{v in N_k(u) & U_i} sim(u,v) (r_vi - mean_v) / sum_{v in N_k(u) & U_i} |sim(u,v)|

Only neighbours with positive similarity are kept. Every user's scores come
from one sparse matrix product, never a loop over users. Introduced in lesson 07.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..validation import require_bool, require_positive_int
from .base import BaseRecommender
from .interactions import Interactions
from .similarity import SIMILARITIES, _similarity_blocks
from .topk import _top_k_positive


def neighbour_matrix(similarity: np.ndarray, k_neighbours: int) -> sp.csr_matrix:
    """Give a sparse matrix keeping, in each row, the ``k_neighbours`` largest positive off-diagonal similarities.

    Row ``a`` holds ``sim(a, b)`` for the neighbours ``b`` of ``a`` (ties: lower
    position first); everything else is 0. Introduced in lesson 07.
    """
    sim = np.array(similarity, dtype=np.result_type(np.asarray(similarity).dtype, np.float32))
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"similarity: expected a square matrix, got shape {sim.shape}")
    if np.isnan(sim).any():
        raise ValueError(f"similarity: expected no NaN, got {int(np.isnan(sim).sum())}")
    k_neighbours = require_positive_int(k_neighbours, "k_neighbours")
    np.fill_diagonal(sim, -np.inf)  # nothing is its own neighbour
    return _as_csr(*_top_k_positive(sim, k_neighbours), sim.shape)


def _as_csr(counts: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Give the CSR matrix whose row ``r`` holds ``counts[r]`` entries (columns ascending, row after row)."""
    index_dtype = np.int32 if max(shape[1], cols.size) < np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(shape[0] + 1, dtype=index_dtype)
    np.cumsum(counts, out=indptr[1:])
    out = sp.csr_matrix((values, cols.astype(index_dtype), indptr), shape=shape)
    out.has_sorted_indices = True
    return out


def _neighbours_by_block(X, similarity: str, k_neighbours: int, block_rows: int | None = None) -> sp.csr_matrix:
    """Give ``neighbour_matrix(similarity_matrix(X, similarity), k_neighbours)`` without the dense matrix.

    The similarities come a block of rows at a time
    (:func:`pmkt_lessons.recsys.similarity.similarity_blocks`, written into one
    reused array); each block keeps its
    rows' top-k positive off-diagonal entries (the same selection and
    tie-breaking as :func:`neighbour_matrix`) and is then dropped, so memory
    grows with ``n_columns x k_neighbours``, not ``n_columns^2``.
    """
    counts, cols, values = [], [], []
    n = X.shape[1]
    for rows, block in _similarity_blocks(X, similarity, block_rows, reuse=True):
        local = np.arange(block.shape[0])
        block[local, local + rows.start] = -np.inf  # nothing is its own neighbour
        for part, got in zip((counts, cols, values), _top_k_positive(block, k_neighbours), strict=True):
            part.append(got)
    return _as_csr(np.concatenate(counts), np.concatenate(cols), np.concatenate(values), (n, n))


def _check_knn_params(model) -> None:
    if model.similarity not in SIMILARITIES:
        raise ValueError(f"similarity: expected one of {list(SIMILARITIES)}, got {model.similarity!r}")
    require_positive_int(model.k_neighbours, "k_neighbours")
    for name in ("normalize",) + (("mean_centre",) if hasattr(model, "mean_centre") else ()):
        value = getattr(model, name)
        require_bool(value, name)


def _divide_where(num: np.ndarray, den: np.ndarray, fill: np.ndarray | float = 0.0) -> np.ndarray:
    out = np.broadcast_to(np.asarray(fill, dtype=num.dtype), num.shape).copy()
    np.divide(num, den, out=out, where=den > 0)
    return out


class ItemKNN(BaseRecommender):
    """Item-based k-nearest-neighbour recommender.

    Parameters
    ----------
    similarity : {"cosine", "pearson", "jaccard"}
    k_neighbours : int
        Neighbours kept per item (positive similarities only).
    normalize : bool
        Divide by the sum of |similarities| used (a weighted *average* of the
        user's ratings, the rating-prediction form). With binary data this is
        1 for almost every item, so top-N lists use the plain weighted sum
        (``False``, the default; Deshpande & Karypis 2004).

    Attributes
    ----------
    neighbours_ : csr_matrix (n_items, n_items)
        Row ``i``: the similarities of the neighbours of item ``i``. The full
        dense similarity is never formed: it is computed a block of items at
        a time and only each item's neighbours are kept
        (``similarity_matrix`` gives the whole matrix).

    Introduced in lesson 07.
    """

    def __init__(self, similarity: str = "cosine", k_neighbours: int = 50, normalize: bool = False):
        self.similarity = similarity
        self.k_neighbours = k_neighbours
        self.normalize = normalize

    def _check_params(self) -> None:
        _check_knn_params(self)

    def _fit(self, interactions: Interactions) -> None:
        self.neighbours_ = _neighbours_by_block(interactions.matrix, self.similarity, self.k_neighbours)
        # score = R @ W with W[j, i] = sim(i, j) for j in N_k(i)
        self._weights = sp.csr_matrix(self.neighbours_.T)
        self._abs_weights = abs(self._weights)

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        ratings = self.seen_.matrix[rows]
        num = (ratings @ self._weights).toarray()
        if not self.normalize:
            return num
        bought = ratings.copy()
        bought.data = np.ones_like(bought.data)
        den = (bought @ self._abs_weights).toarray()
        return _divide_where(num, den)


class UserKNN(BaseRecommender):
    """User-based k-nearest-neighbour recommender.

    Parameters
    ----------
    similarity : {"cosine", "pearson", "jaccard"}
    k_neighbours : int
        Neighbours kept per user (positive similarities only).
    normalize : bool
        Divide by the sum of |similarities| of the neighbours who have the item.
    mean_centre : bool
        Use ``r_vi - mean_v`` and add back ``mean_u`` (means over each user's
        non-zero entries). With binary data every deviation is 0, so use it
        with count or quantity weights.

    Attributes
    ----------
    neighbours_ : csr_matrix (n_users, n_users)
        Row ``u``: the similarities of the neighbours of user ``u``.
    user_means_ : ndarray (n_users,)

    Introduced in lesson 07.
    """

    def __init__(
        self,
        similarity: str = "cosine",
        k_neighbours: int = 50,
        normalize: bool = False,
        mean_centre: bool = False,
    ):
        self.similarity = similarity
        self.k_neighbours = k_neighbours
        self.normalize = normalize
        self.mean_centre = mean_centre

    def _check_params(self) -> None:
        _check_knn_params(self)

    def _fit(self, interactions: Interactions) -> None:
        matrix = sp.csr_matrix(interactions.matrix, dtype=np.float64)
        self.neighbours_ = _neighbours_by_block(matrix.T, self.similarity, self.k_neighbours)
        counts = np.diff(matrix.indptr)
        sums = np.asarray(matrix.sum(axis=1)).ravel()
        self.user_means_ = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        bought = matrix.copy()
        bought.data = np.ones_like(bought.data)
        self._bought = bought
        if self.mean_centre:
            centred = matrix.copy()
            # subtract each row's mean from its stored entries only
            centred.data = centred.data - np.repeat(self.user_means_, counts)
            self._ratings = centred
        else:
            self._ratings = matrix

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        weights = self.neighbours_[rows]
        num = (weights @ self._ratings).toarray()
        base = self.user_means_[rows][:, None] if self.mean_centre else 0.0
        if not self.normalize:
            return num + base
        den = (abs(weights) @ self._bought).toarray()
        return _divide_where(num, den) + base
