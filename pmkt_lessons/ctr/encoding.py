"""Turning categorical impression fields into model inputs: one-hot indices and the hashing trick.

``FieldEncoder`` learns each field's levels on the training rows and maps a
level to one column of a one-hot matrix (or one row of an embedding table);
every field keeps an "unknown" bucket for levels first seen at predict time
and for missing values. ``hash_features`` skips the vocabulary and hashes
``"field=value"`` into a fixed number of buckets, at the price of
collisions that ``hash_collisions`` measures. Introduced in lesson 11.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32
from sklearn.utils.validation import check_is_fitted

from ..validation import require_frame, require_positive_int

UNKNOWN = "<unknown>"


@dataclass(frozen=True)
class EncodedFields:
    """Model inputs for one frame: global one-hot indices per field and scaled numeric values.

    Introduced in lesson 11.
    """

    index: np.ndarray  # (n, n_fields) int64, column f in [offset_f, offset_f + levels_f]
    dense: np.ndarray  # (n, n_numeric) float32, standardised with the training mean and sd

    def __len__(self) -> int:
        return self.index.shape[0]


class FieldEncoder(TransformerMixin, BaseEstimator):
    """Give each level of each categorical field an index, with an "unknown" bucket per field.

    Introduced in lesson 11.

    Parameters
    ----------
    categorical : sequence of str
        Categorical fields (any dtype: strings, categories, integers).
    numeric : sequence of str
        Numeric fields, standardised with the training mean and standard deviation.
    min_count : int
        Levels seen fewer times than this in training go to the unknown bucket too.

    Attributes
    ----------
    levels_ : dict
        Field -> the known levels, in index order after the unknown bucket.
    offsets_ : numpy.ndarray
        Index of each field's unknown bucket; its known levels follow it.
    n_indices_ : int
        Total number of one-hot columns (embedding rows) over all fields.
    mean_, scale_ : numpy.ndarray
        Training mean and standard deviation of the numeric fields.
    """

    def __init__(self, categorical: Sequence[str], numeric: Sequence[str] = (), min_count: int = 1):
        self.categorical = categorical
        self.numeric = numeric
        self.min_count = min_count

    def fit(self, X: pd.DataFrame, y=None) -> FieldEncoder:
        """Learn the levels of every categorical field and the scale of every numeric one."""
        cat, num = self._fields()
        require_positive_int(self.min_count, "min_count")
        require_frame(X, cat + num, "X")
        self.levels_ = {}
        for field in cat:
            counts = X[field].value_counts(dropna=True)
            kept = counts[counts >= self.min_count].index
            self.levels_[field] = pd.Index(_sorted_levels(kept))
        sizes = np.array([len(self.levels_[f]) + 1 for f in cat], dtype=np.int64)
        self.offsets_ = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.n_indices_ = int(sizes.sum())
        values = X[num].to_numpy(dtype=float) if num else np.zeros((len(X), 0))
        if not np.isfinite(values).all():
            raise ValueError(f"X: expected no missing values (NaN) or inf in numeric fields {num}, got some")
        self.mean_ = values.mean(axis=0)
        sd = values.std(axis=0)
        self.scale_ = np.where(sd > 0, sd, 1.0)
        return self

    def transform(self, X: pd.DataFrame) -> EncodedFields:
        """Give the global index of every row's level in each field (unknown -> the field's bucket)."""
        self._check_fitted()
        cat, num = self._fields()
        require_frame(X, cat + num, "X", allow_empty=True)
        index = np.empty((len(X), len(cat)), dtype=np.int64)
        for j, field in enumerate(cat):
            codes = self.levels_[field].get_indexer(_plain(X[field]))
            index[:, j] = self.offsets_[j] + codes + 1  # code -1 (unknown) lands on the bucket
        values = X[num].to_numpy(dtype=float) if num else np.zeros((len(X), 0))
        if not np.isfinite(values).all():
            raise ValueError(f"X: expected no missing values (NaN) or inf in numeric fields {num}, got some")
        dense = ((values - self.mean_) / self.scale_).astype(np.float32)
        return EncodedFields(index=index, dense=dense)

    def fit_transform(self, X: pd.DataFrame, y=None) -> EncodedFields:
        """Fit, then transform the same rows."""
        return self.fit(X).transform(X)

    def one_hot(self, X: pd.DataFrame) -> sp.csr_matrix:
        """Give the sparse one-hot matrix: ``n_indices_`` indicator columns, then the scaled numeric ones."""
        enc = self.transform(X)
        n, n_fields = enc.index.shape
        n_dense = enc.dense.shape[1]
        rows = np.repeat(np.arange(n), n_fields + n_dense)
        cols = np.hstack([enc.index, self.n_indices_ + np.tile(np.arange(n_dense), (n, 1))])
        vals = np.hstack([np.ones((n, n_fields)), enc.dense.astype(float)])
        shape = (n, self.n_indices_ + n_dense)
        return sp.csr_matrix((vals.ravel(), (rows, cols.ravel())), shape=shape)

    def feature_names(self) -> list[str]:
        """Give the name of every one-hot column, ``"field=level"`` (``"field=<unknown>"`` for buckets)."""
        self._check_fitted()
        cat, num = self._fields()
        names = []
        for field in cat:
            names.append(f"{field}={UNKNOWN}")
            names.extend(f"{field}={level}" for level in self.levels_[field])
        return names + list(num)

    def _fields(self) -> tuple[list[str], list[str]]:
        cat = _field_list(self.categorical, "categorical")
        num = _field_list(self.numeric, "numeric", allow_empty=True)
        overlap = sorted(set(cat) & set(num))
        if overlap:
            raise ValueError(f"numeric: expected fields not also in categorical, got {overlap}")
        return cat, num

    def _check_fitted(self) -> None:
        check_is_fitted(self, "levels_")


def _field_list(fields: object, arg: str, *, allow_empty: bool = False) -> list[str]:
    if isinstance(fields, str) or not isinstance(fields, (list, tuple)):
        raise TypeError(f"{arg}: expected a list or tuple of column names, got {type(fields).__name__}")
    if not fields and not allow_empty:
        raise ValueError(f"{arg}: expected at least one column name, got none")
    if len(set(fields)) != len(fields):
        raise ValueError(f"{arg}: expected distinct column names, got {list(fields)}")
    return list(fields)


def _sorted_levels(levels: pd.Index) -> list:
    try:
        return sorted(levels)
    except TypeError:  # mixed types: sort by their text
        return sorted(levels, key=str)


def _plain(values: pd.Series) -> pd.Series:
    """Give the values with a plain dtype so that categories and their labels index alike."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype(values.cat.categories.dtype)
    return values


# --------------------------------------------------------------------------- hashing trick


def hash_tokens(X: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """Give the ``"field=value"`` string each row has in each field (what the hashing trick hashes).

    Introduced in lesson 11.
    """
    fields = _field_list(fields, "fields")
    require_frame(X, fields, "X", allow_empty=True)
    return pd.DataFrame({f: f + "=" + X[f].astype(str).to_numpy(dtype=object) for f in fields}, index=X.index)


def hash_bucket(token: str, n_buckets: int, hash_seed: int = 0) -> int:
    """Give the bucket of one token: ``|murmurhash3_32(token)| mod n_buckets``, as scikit-learn's FeatureHasher.

    ``hash_seed`` is murmurhash's own seed (it picks the hash function; it is
    not randomness, so it is not a ``random_state``). Introduced in lesson 11.
    """
    if not isinstance(token, str):
        raise TypeError(f"token: expected a string, got {type(token).__name__}")
    n_buckets = require_positive_int(n_buckets, "n_buckets")
    h = murmurhash3_32(token, seed=hash_seed, positive=False)
    if h == -(2**31):  # abs(-2**31) overflows an int32; FeatureHasher maps it like this
        return (2**31 - 1 - (n_buckets - 1)) % n_buckets
    return abs(h) % n_buckets


def hash_indices(X: pd.DataFrame, fields: Sequence[str], n_buckets: int, hash_seed: int = 0) -> np.ndarray:
    """Give the (n, fields) bucket of every row's ``"field=value"`` token.

    Only the distinct tokens are hashed, so it is fast on large logs.
    Introduced in lesson 11.
    """
    n_buckets = require_positive_int(n_buckets, "n_buckets")
    tokens = hash_tokens(X, fields)
    out = np.empty(tokens.shape, dtype=np.int64)
    for j, field in enumerate(tokens.columns):
        codes, uniques = pd.factorize(tokens[field])
        buckets = np.array([hash_bucket(t, n_buckets, hash_seed) for t in uniques], dtype=np.int64)
        out[:, j] = buckets[codes] if len(codes) else buckets[:0]
    return out


def hash_features(X: pd.DataFrame, fields: Sequence[str], n_buckets: int, hash_seed: int = 0) -> sp.csr_matrix:
    """Give the hashed one-hot matrix (n, n_buckets): a 1 for each field's token, summed on collisions.

    Equals scikit-learn's ``FeatureHasher(n_buckets, input_type="string",
    alternate_sign=False)`` on the same tokens. Introduced in lesson 11.
    """
    idx = hash_indices(X, fields, n_buckets, hash_seed)
    n, k = idx.shape
    rows = np.repeat(np.arange(n), k)
    m = sp.csr_matrix((np.ones(n * k), (rows, idx.ravel())), shape=(n, n_buckets))
    m.sum_duplicates()
    return m


def hash_collisions(X: pd.DataFrame, fields: Sequence[str], n_buckets: int, hash_seed: int = 0) -> dict:
    """Give how many distinct ``"field=value"`` tokens share a bucket with another one.

    Returns a dict with ``tokens`` (distinct tokens), ``buckets_used``,
    ``colliding_tokens`` (tokens whose bucket holds another token too),
    ``collision_rate`` (their share) and ``expected_rate``, the share that a
    uniform random hash would give: ``1 - (1 - 1/m) ** (tokens - 1)``.
    Introduced in lesson 11.
    """
    n_buckets = require_positive_int(n_buckets, "n_buckets")
    tokens = pd.unique(hash_tokens(X, fields).to_numpy().ravel())
    buckets = np.array([hash_bucket(t, n_buckets, hash_seed) for t in tokens], dtype=np.int64)
    per_bucket = np.bincount(buckets, minlength=n_buckets)
    colliding = int((per_bucket[buckets] > 1).sum())
    n_tokens = len(tokens)
    return {
        "tokens": n_tokens,
        "buckets_used": int((per_bucket > 0).sum()),
        "colliding_tokens": colliding,
        "collision_rate": colliding / n_tokens if n_tokens else 0.0,
        "expected_rate": 1.0 - (1.0 - 1.0 / n_buckets) ** max(n_tokens - 1, 0),
    }
