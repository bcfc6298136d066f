"""Top-k selection from a dense score matrix, shared by every recommender in the course.

``np.partition`` finds the k-th best score of every row in linear time,
without sorting all items; the entries above it are the winners, and only the
k winners are then sorted. Ties are broken
by the lower column position, so the result does not depend on how numpy
happens to partition equal scores. Wide rows first keep only the entries at or
above a cheap lower bound on their k-th score (a few times k of them) and
select among those. Introduced in lesson 06.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import columns as C
from ..validation import require_positive_int


def _as_scores(scores) -> np.ndarray:
    if sp.issparse(scores):
        scores = scores.toarray()
    arr = np.asarray(scores)
    if arr.ndim != 2:
        raise ValueError(f"scores: expected a 2-d array (users x items), got {arr.ndim} dimension(s)")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_):
        raise TypeError(f"scores: expected numbers, got dtype {arr.dtype}")
    # min() is NaN exactly when some entry is (one reduction, no temporary mask)
    if arr.size and np.issubdtype(arr.dtype, np.inexact) and np.isnan(arr.min()):
        raise ValueError(f"scores: expected no NaN, got {int(np.isnan(arr).sum())}")
    return arr


def mask_scores(scores, exclude) -> np.ndarray:
    """Give a copy of ``scores`` with ``-inf`` wherever the sparse matrix ``exclude`` is non-zero.

    Used to keep already-bought items out of a top-k list. Introduced in lesson 06.
    """
    given = _as_scores(scores)
    arr = np.array(given, dtype=np.result_type(given.dtype, np.float32))
    if exclude is None:
        return arr
    if not sp.issparse(exclude):
        raise TypeError(f"exclude: expected a scipy.sparse matrix, got {type(exclude).__name__}")
    if exclude.shape != arr.shape:
        raise ValueError(f"exclude: expected shape {arr.shape} like scores, got {exclude.shape}")
    coo = sp.coo_matrix(exclude)
    nonzero = coo.data != 0
    arr[coo.row[nonzero], coo.col[nonzero]] = -np.inf
    return arr


def _kth_largest(arr: np.ndarray, k: int) -> np.ndarray:
    """Give the k-th largest value of every row (``1 <= k <= n_cols``) by ``np.partition``.

    Floats are negated and partitioned at ``k - 1``: the same value, but numpy's
    selection is several times slower at ``n_cols - k`` when a row holds many
    equal values (the zeros of a sparse score row).
    """
    if np.issubdtype(arr.dtype, np.floating):
        return -np.partition(-arr, k - 1, axis=1)[:, k - 1]
    return np.partition(arr, arr.shape[1] - k, axis=1)[:, arr.shape[1] - k]


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give ``np.nonzero(mask)`` of a 2-d mask (row-major order), from the faster ``np.flatnonzero``."""
    flat = np.flatnonzero(mask)
    return np.divmod(flat, mask.shape[1])


def _chosen_mask(arr: np.ndarray, k: int) -> np.ndarray:
    """Give a boolean mask with exactly ``k`` True per row: the k largest entries, ties to the lower column.

    ``np.partition`` finds each row's k-th largest value (values only, cheaper
    than ``argpartition``); everything above it is chosen, and of the entries
    equal to it the leftmost ``k - (number above)``. Only the (rare) rows where
    more entries tie with the k-th value than there is room for need the
    column ranks of their tied entries.
    """
    kth = _kth_largest(arr, k)[:, None]
    chosen = arr > kth
    tied = arr == kth
    need = k - chosen.sum(axis=1)
    n_tied = tied.sum(axis=1)
    ambiguous = np.flatnonzero(n_tied > need)
    tied[ambiguous] = False
    chosen |= tied  # rows where every tied entry fits
    if ambiguous.size:
        sub_rows, sub_cols = _nonzero(arr[ambiguous] == kth[ambiguous])
        # rank of each tied entry within its row (np.nonzero gives row-major order)
        first = np.searchsorted(sub_rows, np.arange(ambiguous.size))
        rank = np.arange(sub_rows.size) - first[sub_rows]
        keep = rank < need[ambiguous][sub_rows]
        chosen[ambiguous[sub_rows[keep]], sub_cols[keep]] = True
    return chosen


def _group_bound(arr: np.ndarray, k: int) -> np.ndarray | None:
    """Give a lower bound on each row's k-th largest value, shape ``(n_rows, 1)``; None if rows are too short.

    The columns are split into ``n_groups`` disjoint sets (column j in set
    ``j % n_groups``, the last ``n_cols % n_groups`` columns left out); the k-th
    largest of the sets' maxima is reached by k different entries, so the row
    has at least k entries >= it. One pass over ``arr``, vectorised along rows.
    """
    n_rows, n_cols = arr.shape
    n_groups = _GROUPS_PER_K * k
    width = n_cols // n_groups
    if width < _MIN_GROUP_WIDTH:
        return None
    group_max = arr[:, :n_groups * width].reshape(n_rows, width, n_groups).max(axis=1)
    return _kth_largest(group_max, k)[:, None]


def _best_of_candidates(arr: np.ndarray, k: int, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give ``(counts, cols)``: per row, the columns (ascending) of its top k among ``candidates``.

    ``candidates`` is a boolean mask holding every entry of each row's top k
    (ties to the lower column), possibly with more; rows with at most k
    candidates keep them all. ``cols`` lists the chosen columns row after row.
    """
    n_rows = arr.shape[0]
    rows, cols = _nonzero(candidates)
    counts = np.bincount(rows, minlength=n_rows)
    if counts.max(initial=0) <= k:
        return counts, cols
    chosen = np.ones(cols.size, dtype=bool)
    starts = np.cumsum(counts) - counts
    # Rows with very many candidates (many ties at the bound) are selected from in
    # full; the others from their candidates, packed into a narrow array.
    cap = _MAX_CANDIDATES_PER_K * k
    for subset, packed_rows in ((counts > cap, False), ((counts > k) & (counts <= cap), True)):
        which = np.flatnonzero(subset)
        if not which.size:
            continue
        local_of = np.zeros(n_rows, dtype=np.int64)
        local_of[which] = np.arange(which.size)
        at = np.flatnonzero(subset[rows])  # positions in cols of these rows' candidates
        local = local_of[rows[at]]
        if packed_rows:
            pos = at - starts[rows[at]]
            # Candidates packed left, padded with the smallest value of the dtype: the
            # padding sits right of >= k real candidates, so it is never chosen.
            fill = -np.inf if np.issubdtype(arr.dtype, np.floating) else np.iinfo(arr.dtype).min
            packed = np.full((which.size, int(counts[which].max())), fill, dtype=arr.dtype)
            packed[local, pos] = arr[rows[at], cols[at]]
            chosen[at] = _chosen_mask(packed, k)[local, pos]
        else:
            chosen[at] = _chosen_mask(arr[which], k)[local, cols[at]]
    return np.minimum(counts, k), cols[chosen]


def _chosen_columns(arr: np.ndarray, k: int) -> np.ndarray:
    """Give the columns of the k largest entries of every row, ascending (ties to the lower column).

    Shape ``(n_rows, k)``, for ``k < n_cols``: exactly the entries of
    :func:`_chosen_mask`. Wide rows keep only the entries at or above a
    lower bound on their k-th value (usually a few times k) and select among those.
    """
    n_rows = arr.shape[0]
    bound = _group_bound(arr, k)
    if bound is None:
        return _nonzero(_chosen_mask(arr, k))[1].reshape(n_rows, k)
    return _best_of_candidates(arr, k, arr >= bound)[1].reshape(n_rows, k)


def _top_k_positive(arr: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Give the ``k`` largest *positive* entries of every row of a finite float array, as CSR parts.

    Returns ``(counts, cols, values)``: ``counts[r]`` entries for row ``r``
    (fewer than k where the row has fewer positive entries), their columns
    ascending, row after row, and their values. The same entries as
    :func:`top_k_indices` followed by dropping values <= 0 (ties to the lower
    column), without sorting them. Used by the k-nearest-neighbour models.
    """
    n_rows, n_cols = arr.shape
    positive = np.nextafter(np.zeros((), arr.dtype), np.ones((), arr.dtype))  # the smallest positive value
    bound = _group_bound(arr, k) if k < n_cols else None
    floor = positive if bound is None else np.maximum(bound, positive)
    counts, cols = _best_of_candidates(arr, k, arr >= floor)
    rows = np.repeat(np.arange(n_rows), counts)
    return counts, cols, arr[rows, cols]


# Top-k of wide rows (more than _GROUPS_PER_K * _MIN_GROUP_WIDTH * k columns) goes
# through a lower bound from group maxima; rows with more candidates than
# _MAX_CANDIDATES_PER_K * k are selected from in full.
_GROUPS_PER_K = 4
_MIN_GROUP_WIDTH = 4
_MAX_CANDIDATES_PER_K = 8


def top_k_indices(scores, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Give the column positions and scores of the ``k`` best entries of every row, best first.

    Ties are broken by the lower column position. Entries equal to ``-inf``
    (masked items) can appear only when a row has fewer than ``k`` finite scores;
    :func:`top_k_items` drops them. Introduced in lesson 06.

    Returns
    -------
    (idx, values) : two arrays of shape ``(n_rows, min(k, n_cols))``
    """
    arr = _as_scores(scores)
    return _top_k(arr, min(require_positive_int(k, "k"), arr.shape[1]))


def _top_k(arr: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_k_indices` of a checked score array, ``k <= n_cols``."""
    n_rows, n_cols = arr.shape
    if n_rows == 0 or k == 0:
        return np.empty((n_rows, 0), dtype=np.int64), np.empty((n_rows, 0), dtype=arr.dtype)
    if k < n_cols:
        idx = _chosen_columns(arr, k)
    else:
        idx = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols))
    values = np.take_along_axis(arr, idx, axis=1)
    # idx is ascending within each row, so a stable sort on -value keeps lower positions first.
    order = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1).astype(np.int64), np.take_along_axis(values, order, axis=1)


def top_k_items(
    scores,
    k: int,
    exclude=None,
    *,
    users: pd.Index | None = None,
    items: pd.Index | None = None,
) -> pd.DataFrame:
    """Give the top-k recommendations of every row of a score matrix as a long DataFrame.

    Introduced in lesson 06.

    Parameters
    ----------
    scores : array (n_users, n_items)
        Higher is better. ``-inf`` means "never recommend".
    k : int
        List length (>= 1). Rows with fewer than ``k`` recommendable items give
        shorter lists.
    exclude : scipy.sparse matrix, optional
        Same shape as ``scores``; its non-zero entries (e.g. items bought in
        training) are not recommended.
    users, items : pd.Index, optional
        Ids of the rows and columns; default: the positions.

    Returns
    -------
    DataFrame
        ``user_id, item_id, prediction, rank`` (rank 1..k), sorted by user
        position then rank. ``scores`` is not changed.
    """
    arr = mask_scores(scores, exclude)
    k = require_positive_int(k, "k")
    n_rows, n_cols = arr.shape
    for name, index, size in (("users", users, n_rows), ("items", items, n_cols)):
        if index is not None and len(index) != size:
            raise ValueError(f"{name}: expected {size} ids to match scores, got {len(index)}")
    idx, values = _top_k(arr, min(k, n_cols))
    keep = np.isfinite(values) | (values > 0)  # +inf is a legitimate (if odd) score, -inf is masked
    rows = np.broadcast_to(np.arange(n_rows)[:, None], idx.shape)[keep]
    ranks = np.broadcast_to(np.arange(1, idx.shape[1] + 1), idx.shape)[keep]
    cols = idx[keep]
    user_ids = rows if users is None else pd.Index(users)[rows]
    item_ids = cols if items is None else pd.Index(items)[cols]
    return pd.DataFrame(
        {
            C.USER: user_ids,
            C.ITEM: item_ids,
            C.PREDICTION: values[keep].astype(np.float64),
            C.RANK: ranks.astype(np.int64),
        }
    )
