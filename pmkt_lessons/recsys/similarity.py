"""Column-by-column similarity of a sparse matrix: cosine, Pearson and Jaccard.

Item-kNN compares the columns of the users x items matrix, user-kNN the
columns of its transpose. Each similarity is one sparse Gram matrix ``X.T X``
plus arithmetic on its diagonal, so no pair of columns is ever visited in a
Python loop; :func:`similarity_blocks` gives it a block of rows at a time, for
the k-nearest-neighbour models, which keep only each row's best entries. For
integer data the rows of ``X`` with many entries (heavy buyers) add their part
of the Gram matrix by dense BLAS instead, with the same values to the last bit.
Introduced in lesson 07.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..device import limit_threads
from ..validation import require_positive_int

SIMILARITIES = ("cosine", "pearson", "jaccard")


def _as_csc(X, arg: str = "X", dtype=np.float64) -> sp.csc_matrix:
    if not sp.issparse(X):
        raise TypeError(f"{arg}: expected a scipy.sparse matrix, got {type(X).__name__}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{arg}: expected a non-empty matrix, got shape {X.shape}")
    X = sp.csc_matrix(X, dtype=dtype, copy=True)
    if not np.isfinite(X.data).all():
        raise ValueError(f"{arg}: expected finite values, got {int((~np.isfinite(X.data)).sum())} NaN or inf")
    return X


def _gram(X: sp.csc_matrix) -> sp.csr_matrix:
    """Give the sparse Gram matrix ``X.T X`` of the columns (CSR, the dtype of ``X``)."""
    return sp.csr_matrix(X.T @ X)


def _dense_rows(matrix: sp.csr_matrix, rows: slice, out: np.ndarray | None = None) -> np.ndarray:
    """Give ``matrix[rows].toarray()`` for a slice of rows, from views of its arrays (no sparse copy).

    With ``out`` (C-contiguous, the block's shape and dtype) the rows are written there.
    """
    lo, hi = matrix.indptr[rows.start], matrix.indptr[rows.stop]
    view = sp.csr_matrix(
        (matrix.data[lo:hi], matrix.indices[lo:hi], matrix.indptr[rows.start:rows.stop + 1] - lo),
        shape=(rows.stop - rows.start, matrix.shape[1]),
        copy=False,
    )
    return view.toarray(out=out)


def _inverse(values: np.ndarray) -> np.ndarray:
    return np.divide(1.0, values, out=np.zeros_like(values), where=values > 0)


def _scale_in_place(block: np.ndarray, inv_rows: np.ndarray, inv_cols: np.ndarray) -> np.ndarray:
    block *= inv_rows[:, None]
    block *= inv_cols[None, :]
    return block


def _heavy_rows(X: sp.csc_matrix) -> np.ndarray | None:
    """Give the rows of ``X`` whose part of the Gram matrix is cheaper by dense BLAS, or None.

    A row with ``d`` non-zeros costs ``d^2`` multiply-adds in the sparse
    product and ``2 n^2`` flops (``n`` columns) as a dense rank-one update, which
    BLAS does about 70 times faster per flop on one core: dense pays from
    ``d > n / 16``. Splitting changes the order of the sums, so it is done only
    when that cannot change a bit: integer values whose Gram entries, and so
    every partial sum, stay below ``2^24`` (float32's exact integers; Cauchy-Schwarz
    bounds each ``|sum x_ui x_uj|`` by the diagonal).
    """
    n_rows, n_cols = X.shape
    counts = np.bincount(X.indices, minlength=n_rows)
    heavy = np.flatnonzero(counts > max(n_cols / 16, 64))
    if heavy.size == 0 or not np.array_equal(X.data, np.round(X.data)):
        return None
    squares = sp.csc_matrix((X.data.astype(np.float64) ** 2, X.indices, X.indptr), shape=X.shape).sum(axis=0)
    if np.asarray(squares).max(initial=0.0) >= 2.0**24:
        return None
    return heavy


class _Gram:
    """The Gram matrix ``X.T X``: sparse, or a sparse part plus the dense heavy rows of ``X``.

    ``rows(slice)`` gives a dense block of its rows and ``diagonal()`` its
    diagonal, both exactly those of ``_gram(X)`` (see :func:`_heavy_rows`).
    """

    def __init__(self, X: sp.csc_matrix):
        heavy = _heavy_rows(X)
        if heavy is None:
            self.sparse, self.dense = _gram(X), None
            return
        by_row = X.tocsr()
        light = np.ones(X.shape[0], dtype=bool)
        light[heavy] = False
        self.sparse = _gram(sp.csc_matrix(by_row[light]))
        self.dense = by_row[heavy].toarray()  # heavy rows x columns

    def diagonal(self) -> np.ndarray:
        diagonal = self.sparse.diagonal()
        if self.dense is not None:
            diagonal += np.einsum("ij,ij->j", self.dense, self.dense)
        return diagonal

    def rows(self, rows: slice, out: np.ndarray | None = None) -> np.ndarray:
        block = _dense_rows(self.sparse, rows, out)
        if self.dense is not None:
            with limit_threads(1, blas_only=True):  # the package's thread policy: one core unless asked
                block += self.dense[:, rows].T @ self.dense
        return block


def _cosine_parts(X):
    gram = _Gram(_as_csc(X, dtype=np.float32))
    inv = _inverse(np.sqrt(gram.diagonal()))

    def finish(block: np.ndarray, rows: slice) -> np.ndarray:
        return _scale_in_place(block, inv[rows], inv)

    return gram, finish


def _pearson_parts(X):
    X = _as_csc(X)
    n = X.shape[0]
    mean = np.asarray(X.mean(axis=0)).ravel()
    gram = _Gram(X)
    # sum_u (x_u - mx)(y_u - my) = x.y - n mx my, without densifying X
    var = gram.diagonal() - n * (mean * mean)
    # Columns with (numerically) no variance get 0, not rounding noise divided by ~0.
    var[var <= 1e-12 * max(1.0, float(np.abs(var).max()))] = 0.0
    inv = _inverse(np.sqrt(var))

    def finish(block: np.ndarray, rows: slice) -> np.ndarray:
        cov = block - n * np.outer(mean[rows], mean)
        corr = _scale_in_place(cov, inv[rows], inv)
        return np.clip(corr, -1.0, 1.0, out=corr).astype(np.float32)

    return gram, finish


def _jaccard_parts(X):
    X = _as_csc(X, dtype=np.float32)
    X.data = (X.data != 0).astype(np.float32)
    gram = _Gram(X)
    counts = gram.diagonal()

    def finish(both: np.ndarray, rows: slice) -> np.ndarray:
        either = counts[rows, None] + counts[None, :]
        either -= both
        np.divide(both, either, out=both, where=either > 0)
        return both

    return gram, finish


_PARTS = {"cosine": _cosine_parts, "pearson": _pearson_parts, "jaccard": _jaccard_parts}


def similarity_blocks(X, similarity: str = "cosine", block_rows: int | None = None):
    """Yield ``(rows, block)``: the similarities of the columns ``rows`` of ``X`` with every column, a block at a time.

    The Gram matrix ``X.T X`` is computed once, sparse; each dense block has
    ``block_rows`` rows (default: about half a million entries, so that a block
    stays in the processor's cache while it is finished and searched), so the
    full dense ``columns x columns`` matrix never exists. Concatenating the blocks gives
    :func:`similarity_matrix` exactly (the same arithmetic, entry by entry).
    Introduced in lesson 07.

    Yields
    ------
    rows : slice
        The positions of the columns of ``X`` the block holds (its rows).
    block : ndarray (rows, n_columns), float32
    """
    # Checked here, at the call, not when the first block is asked for: a generator function
    # would accept any argument silently and fail later, far from the mistake.
    if not isinstance(similarity, str) or similarity not in _PARTS:
        raise ValueError(f"similarity: expected one of {list(SIMILARITIES)}, got {similarity!r}")
    if block_rows is not None:
        block_rows = require_positive_int(block_rows, "block_rows")
    return _similarity_blocks(X, similarity, block_rows)


def _similarity_blocks(X, similarity: str, block_rows: int | None, reuse: bool = False):
    """:func:`similarity_blocks` with checked arguments; with ``reuse`` every block is written into the same array.

    The Gram matrix is computed now (a bad ``X`` fails here); the blocks come
    from the generator returned. Reusing one array (for a caller that is done
    with each block before it asks for the next) saves allocating, and first
    touching, fresh memory per block.
    """
    gram, finish = _PARTS[similarity](X)
    n = gram.sparse.shape[0]
    if block_rows is None:
        block_rows = max(1, (1 << 19) // n)
    return _blocks(gram, finish, min(int(block_rows), n), reuse)


def _blocks(gram, finish, block_rows: int, reuse: bool):
    n = gram.sparse.shape[0]
    buffer = np.empty((block_rows, n), dtype=gram.sparse.dtype) if reuse else None
    for start in range(0, n, block_rows):
        rows = slice(start, min(start + block_rows, n))
        out = None if buffer is None else buffer[: rows.stop - rows.start]
        yield rows, finish(gram.rows(rows, out), rows)


def cosine_similarity(X) -> np.ndarray:
    """Give the cosine similarity of every pair of columns of ``X``: ``x.y / (|x| |y|)``.

    A column of zeros has similarity 0 with everything (itself included).
    Agrees with ``sklearn.metrics.pairwise.cosine_similarity(X.T)``. Like the
    other similarities it is a dense ``float32`` array (columns x columns).
    Introduced in lesson 07.
    """
    gram, finish = _cosine_parts(X)
    return finish(gram.rows(slice(0, gram.sparse.shape[0])), slice(None))


def pearson_similarity(X) -> np.ndarray:
    """Give the Pearson correlation of every pair of columns: the cosine of the mean-centred columns.

    Each column is centred on its mean over all rows (zeros included, as an
    implicit "did not buy" is a value too). A constant column has correlation 0
    with everything. Agrees with ``np.corrcoef(X.toarray(), rowvar=False)``.
    Introduced in lesson 07.
    """
    gram, finish = _pearson_parts(X)
    return finish(gram.rows(slice(0, gram.sparse.shape[0])), slice(None))


def jaccard_similarity(X) -> np.ndarray:
    """Give the Jaccard similarity of every pair of columns: ``|A and B| / |A or B|`` of their non-zeros.

    Weights are ignored: only who interacted counts. Two empty columns have
    similarity 0. Introduced in lesson 07.
    """
    gram, finish = _jaccard_parts(X)
    return finish(gram.rows(slice(0, gram.sparse.shape[0])), slice(None))


def similarity_matrix(X, similarity: str = "cosine") -> np.ndarray:
    """Give the column-column similarity of ``X`` by name: "cosine", "pearson" or "jaccard".

    Introduced in lesson 07.
    """
    functions = {"cosine": cosine_similarity, "pearson": pearson_similarity, "jaccard": jaccard_similarity}
    if similarity not in functions:
        raise ValueError(f"similarity: expected one of {list(SIMILARITIES)}, got {similarity!r}")
    return functions[similarity](X)
