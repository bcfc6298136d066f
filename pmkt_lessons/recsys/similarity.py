"""Column-by-column similarity of a sparse matrix: cosine, Pearson and Jaccard.

Item-kNN compares the columns of the users x items matrix, user-kNN the
columns of its transpose. Each similarity is one sparse Gram matrix ``X.T X``
plus arithmetic on its diagonal, so no pair of columns is ever visited in a
Python loop. Introduced in lesson 07.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

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


def _gram(X: sp.csc_matrix) -> np.ndarray:
    return (X.T @ X).toarray()


def _inverse(values: np.ndarray) -> np.ndarray:
    return np.divide(1.0, values, out=np.zeros_like(values), where=values > 0)


def _scale_in_place(gram: np.ndarray, inv: np.ndarray) -> np.ndarray:
    gram *= inv[:, None]
    gram *= inv[None, :]
    return gram


def cosine_similarity(X) -> np.ndarray:
    """Give the cosine similarity of every pair of columns of ``X``: ``x.y / (|x| |y|)``.

    A column of zeros has similarity 0 with everything (itself included).
    Agrees with ``sklearn.metrics.pairwise.cosine_similarity(X.T)``. Like the
    other similarities it is a dense ``float32`` array (columns x columns).
    Introduced in lesson 07.
    """
    gram = _gram(_as_csc(X, dtype=np.float32))
    return _scale_in_place(gram, _inverse(np.sqrt(np.diag(gram))))


def pearson_similarity(X) -> np.ndarray:
    """Give the Pearson correlation of every pair of columns: the cosine of the mean-centred columns.

    Each column is centred on its mean over all rows (zeros included, as an
    implicit "did not buy" is a value too). A constant column has correlation 0
    with everything. Agrees with ``np.corrcoef(X.toarray(), rowvar=False)``.
    Introduced in lesson 07.
    """
    X = _as_csc(X)
    n = X.shape[0]
    mean = np.asarray(X.mean(axis=0)).ravel()
    # sum_u (x_u - mx)(y_u - my) = x.y - n mx my, without densifying X
    cov = _gram(X) - n * np.outer(mean, mean)
    var = np.diag(cov).copy()
    # Columns with (numerically) no variance get 0, not rounding noise divided by ~0.
    var[var <= 1e-12 * max(1.0, float(np.abs(var).max()))] = 0.0
    corr = _scale_in_place(cov, _inverse(np.sqrt(var)))
    return np.clip(corr, -1.0, 1.0, out=corr).astype(np.float32)


def jaccard_similarity(X) -> np.ndarray:
    """Give the Jaccard similarity of every pair of columns: ``|A and B| / |A or B|`` of their non-zeros.

    Weights are ignored: only who interacted counts. Two empty columns have
    similarity 0. Introduced in lesson 07.
    """
    X = _as_csc(X, dtype=np.float32)
    X.data = (X.data != 0).astype(np.float32)
    both = _gram(X)
    counts = np.diag(both).copy()
    either = counts[:, None] + counts[None, :]
    either -= both
    np.divide(both, either, out=both, where=either > 0)
    return both


def similarity_matrix(X, similarity: str = "cosine") -> np.ndarray:
    """Give the column-column similarity of ``X`` by name: "cosine", "pearson" or "jaccard".

    Introduced in lesson 07.
    """
    functions = {"cosine": cosine_similarity, "pearson": pearson_similarity, "jaccard": jaccard_similarity}
    if similarity not in functions:
        raise ValueError(f"similarity: expected one of {list(SIMILARITIES)}, got {similarity!r}")
    return functions[similarity](X)
