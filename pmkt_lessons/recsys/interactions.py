"""The implicit interaction matrix: customers x products as a scipy.sparse CSR matrix.

A shop does not collect ratings; it sees who bought what. ``build_interactions``
turns transaction rows into a users x items matrix whose entries say how
strongly a user interacted with an item (bought it at all, how often, how many
units, for how much money). Every recommender in ``pmkt_lessons.recsys`` is
fitted on an :class:`Interactions` object. Introduced in lesson 06.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import columns as C
from ..validation import require_bool, require_frame, require_no_nan, require_numeric

WEIGHTS = ("binary", "count", "quantity", "revenue")
_WEIGHT_COLUMNS = {"quantity": C.QUANTITY, "revenue": C.REVENUE}


@dataclass(frozen=True, eq=False)
class Interactions:
    """A users x items interaction matrix with the ids of its rows and columns.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``float32``, shape ``(len(users), len(items))``; entry ``(u, i)`` is the
        weight of user ``u`` on item ``i`` (0 where they never interacted).
    users, items : pd.Index
        The id of each row and column, sorted and unique.
    weight : str
        How the entries were computed (see :func:`build_interactions`).

    Introduced in lesson 06.
    """

    matrix: sp.csr_matrix
    users: pd.Index
    items: pd.Index
    weight: str = "binary"

    def __post_init__(self) -> None:
        if not sp.issparse(self.matrix):
            raise TypeError(f"matrix: expected a scipy.sparse matrix, got {type(self.matrix).__name__}")
        if self.matrix.shape != (len(self.users), len(self.items)):
            raise ValueError(
                f"matrix: expected shape ({len(self.users)}, {len(self.items)}) to match "
                f"users and items, got {self.matrix.shape}"
            )
        for name, index in (("users", self.users), ("items", self.items)):
            if not index.is_unique:
                raise ValueError(f"{name}: expected unique ids, got {int(index.duplicated().sum())} repeated")

    # ------------------------------------------------------------------ shape
    @property
    def n_users(self) -> int:
        """Give the number of rows (users)."""
        return len(self.users)

    @property
    def n_items(self) -> int:
        """Give the number of columns (items)."""
        return len(self.items)

    @property
    def shape(self) -> tuple[int, int]:
        """Give ``(n_users, n_items)``."""
        return self.matrix.shape

    @property
    def nnz(self) -> int:
        """Give the number of stored (user, item) interactions."""
        return int(self.matrix.nnz)

    @property
    def density(self) -> float:
        """Give the share of the matrix that is filled: ``nnz / (n_users * n_items)``."""
        cells = self.n_users * self.n_items
        return self.nnz / cells if cells else 0.0

    def binary(self) -> sp.csr_matrix:
        """Give a 0/1 copy of the matrix (1 wherever there is an interaction)."""
        out = self.matrix.copy()
        out.data = np.ones_like(out.data)
        return out

    # ------------------------------------------------------------- id mapping
    def user_rows(self, users: Iterable, *, missing: str = "raise") -> np.ndarray:
        """Give the row position of each user id.

        Parameters
        ----------
        users : iterable of ids
        missing : {"raise", "drop", "mark"}
            What to do with an id that is not a row: raise a ``ValueError``
            naming it, drop it, or give -1 for it.
        """
        return _positions(self.users, users, "users", missing)

    def item_cols(self, items: Iterable, *, missing: str = "raise") -> np.ndarray:
        """Give the column position of each item id (``missing`` as in ``user_rows``)."""
        return _positions(self.items, items, "items", missing)

    def user_ids(self, rows: Iterable[int]) -> pd.Index:
        """Give the user ids of row positions."""
        return self.users[_check_positions(rows, self.n_users, "rows")]

    def item_ids(self, cols: Iterable[int]) -> pd.Index:
        """Give the item ids of column positions."""
        return self.items[_check_positions(cols, self.n_items, "cols")]

    def user_history(self, user) -> pd.Series:
        """Give the items of one user with their weights, sorted by item id."""
        row = self.user_rows([user])[0]
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        cols = self.matrix.indices[start:end]
        values = self.matrix.data[start:end]
        return pd.Series(values, index=self.items[cols], name=C.RATING).sort_index()

    def to_frame(self) -> pd.DataFrame:
        """Give the stored interactions as a long DataFrame ``user_id, item_id, rating``."""
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        return pd.DataFrame(
            {
                C.USER: self.users[coo.row[order]],
                C.ITEM: self.items[coo.col[order]],
                C.RATING: coo.data[order],
            }
        )

    def __repr__(self) -> str:
        return (
            f"Interactions({self.n_users} users x {self.n_items} items, {self.nnz} interactions, "
            f"density {self.density:.4f}, weight={self.weight!r})"
        )


def _positions(index: pd.Index, ids: Iterable, arg: str, missing: str) -> np.ndarray:
    if missing not in ("raise", "drop", "mark"):
        raise ValueError(f"missing: expected 'raise', 'drop' or 'mark', got {missing!r}")
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
        raise TypeError(f"{arg}: expected a list, array, Index or Series of ids, got {type(ids).__name__}")
    values = ids if isinstance(ids, (pd.Index, pd.Series, np.ndarray)) else list(ids)
    pos = index.get_indexer(pd.Index(values))
    unknown = pos < 0
    if unknown.any():
        if missing == "raise":
            examples = list(pd.Index(values)[unknown][:5])
            raise ValueError(
                f"{arg}: expected ids seen in the interactions, got {int(unknown.sum())} unknown "
                f"(e.g. {examples})"
            )
        if missing == "drop":
            pos = pos[~unknown]
    return pos.astype(np.int64)


def _check_positions(pos: Iterable[int], size: int, arg: str) -> np.ndarray:
    arr = np.asarray(pos)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{arg}: expected integer positions, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        raise ValueError(f"{arg}: expected positions in [0, {size}), got {arr.min()}..{arr.max()}")
    return arr


def _fixed_index(ids, arg: str) -> pd.Index:
    index = pd.Index(ids)
    if index.has_duplicates:
        raise ValueError(f"{arg}: expected unique ids, got {int(index.duplicated().sum())} repeated")
    if index.hasnans:
        raise ValueError(f"{arg}: expected no missing ids, got {int(index.isna().sum())}")
    return index


def build_interactions(
    df: pd.DataFrame,
    user_col: str = C.CUSTOMER_ID,
    item_col: str = C.STOCK_CODE,
    weight: str = "binary",
    *,
    users: Iterable | None = None,
    items: Iterable | None = None,
    drop_unknown: bool = False,
) -> Interactions:
    """Give the users x items interaction matrix of transaction rows.

    Introduced in lesson 06.

    Parameters
    ----------
    df : DataFrame
        One row per transaction line (e.g. cleaned Online Retail), or one row per
        (user, item) event.
    user_col, item_col : str
        Columns holding the user and item ids.
    weight : str
        ``"binary"``: 1 if the user ever bought the item (implicit feedback, the
        course default); ``"count"``: number of rows (purchase lines) of the pair;
        ``"quantity"``: total ``Quantity``; ``"revenue"``: total ``Revenue``.
        Any other numeric column name of ``df`` (e.g. ``"rating"``) gives the sum
        of that column per pair.
    users, items : iterable of ids, optional
        Fix the rows / columns (and their order), e.g. to give a training matrix
        columns for every product in the catalogue. Default: the sorted ids in ``df``.
    drop_unknown : bool
        With ``users``/``items`` given, drop rows whose id is not among them
        instead of raising.

    Returns
    -------
    Interactions
        ``matrix`` is CSR ``float32``; ``df`` is not changed.
    """
    require_frame(df, [user_col, item_col], "df")
    require_no_nan(df, [user_col, item_col], "df")
    if not isinstance(weight, str):
        raise TypeError(f"weight: expected a string, got {type(weight).__name__}")
    value_col = _WEIGHT_COLUMNS.get(weight, weight)
    if weight not in ("binary", "count"):
        if value_col not in df.columns:
            raise ValueError(
                f"weight: expected one of {list(WEIGHTS)} or a numeric column of df, got {weight!r} "
                f"(df has no column {value_col!r})"
            )
        require_numeric(df, [value_col], "df")
        require_no_nan(df, [value_col], "df")
    require_bool(drop_unknown, "drop_unknown")

    user_index = _fixed_index(df[user_col].unique(), "users").sort_values() if users is None else _fixed_index(users, "users")
    item_index = _fixed_index(df[item_col].unique(), "items").sort_values() if items is None else _fixed_index(items, "items")
    rows = user_index.get_indexer(df[user_col])
    cols = item_index.get_indexer(df[item_col])
    known = (rows >= 0) & (cols >= 0)
    if not known.all():
        if not drop_unknown:
            arg = "users" if (rows < 0).any() else "items"
            raise ValueError(
                f"{arg}: expected every id of df among the given {arg}, got {int((~known).sum())} rows "
                "with other ids (pass drop_unknown=True to drop them)"
            )
        rows, cols = rows[known], cols[known]

    if weight in ("binary", "count"):
        values = np.ones(len(rows), dtype=np.float64)
    else:
        values = df[value_col].to_numpy(dtype=np.float64)[known]
    # COO -> CSR sums duplicate (user, item) pairs, which is the aggregation we want.
    matrix = sp.csr_matrix(
        (values, (rows, cols)), shape=(len(user_index), len(item_index)), dtype=np.float64
    )
    matrix.sum_duplicates()
    if weight == "binary":
        matrix.data[:] = 1.0
    matrix = matrix.astype(np.float32)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return Interactions(matrix=matrix, users=user_index, items=item_index, weight=weight)
