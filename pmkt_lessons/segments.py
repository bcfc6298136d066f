"""Customer segmentation: k-means and Ward clusters, their stability, RFM rule segments, segment profiles.

Clustering finds groups in scaled features (``features.scale_features``);
the classic RFM grid is the rule-based baseline a marketer already knows;
``segment_profile`` turns either into a table a marketer can act on.
Cluster numbers are put in a canonical order (0 = largest) so that the
same partition always gets the same numbers. Introduced in lesson 04.

The k-means fits run on one thread: they are small (a few thousand rows),
and OpenMP threads on shared cores (Binder, CI, a busy laptop) can make
them tens of times slower.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, is_valid_linkage, linkage
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from . import columns as C
from . import features as F
from .device import limit_threads
from .randomness import library_seed
from .validation import (
    require_finite,
    require_frame,
    require_no_nan,
    require_numeric,
    require_positive_int,
    require_seed,
)

K_RANGE = range(2, 11)

# The classic R x F grid (R and F quintile scores, 5 = best). Rows: R score
# 1..5; columns: F score 1..5. Monetary value is left out of the rule, as in
# the usual version of this grid; segment_profile reports it.
_GRID_ROWS = {
    1: ("hibernating", "hibernating", "at risk", "at risk", "can't lose them"),
    2: ("hibernating", "hibernating", "at risk", "at risk", "can't lose them"),
    3: ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    4: ("promising", "potential loyalist", "potential loyalist", "loyal", "loyal"),
    5: ("new customers", "potential loyalist", "potential loyalist", "champions", "champions"),
}
RFM_SEGMENT_GRID = pd.DataFrame.from_dict(
    _GRID_ROWS, orient="index", columns=[1, 2, 3, 4, 5]
).rename_axis(index=F.R_SCORE, columns=F.F_SCORE)
RFM_SEGMENTS = (
    "champions",
    "loyal",
    "potential loyalist",
    "new customers",
    "promising",
    "need attention",
    "about to sleep",
    "can't lose them",
    "at risk",
    "hibernating",
)


# --------------------------------------------------------------------------- inputs


def _matrix(X, arg: str = "X", *, min_rows: int = 2) -> np.ndarray:
    """Give ``X`` (DataFrame or array) as a finite 2-d float array, or raise naming ``arg``."""
    if isinstance(X, pd.DataFrame):
        require_numeric(X, X.columns, arg)
        values = X.to_numpy(dtype=float)
    elif isinstance(X, np.ndarray):
        if not np.issubdtype(X.dtype, np.number) or X.dtype == bool:
            raise TypeError(f"{arg}: expected a numeric array, got dtype {X.dtype}")
        values = X.astype(float)
    else:
        raise TypeError(f"{arg}: expected a DataFrame or numpy array, got {type(X).__name__}")
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"{arg}: expected a 2-d array (rows x features), got shape {values.shape}")
    if values.shape[0] < min_rows:
        raise ValueError(f"{arg}: expected at least {min_rows} rows, got {values.shape[0]}")
    if not np.isfinite(values).all():
        raise ValueError(f"{arg}: expected finite values, found {int((~np.isfinite(values)).sum())} NaN/inf")
    return values


def _k(k, n_rows: int, arg: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{arg}: expected an integer number of clusters, got {type(k).__name__}")
    if not 2 <= k < n_rows:
        raise ValueError(f"{arg}: expected an integer in [2, {n_rows - 1}] (2 to rows - 1), got {k}")
    return int(k)


def _labels(labels, n_rows: int | None = None, arg: str = "labels") -> np.ndarray:
    values = labels.to_numpy() if isinstance(labels, pd.Series) else np.asarray(labels)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{arg}: expected a non-empty 1-d sequence of labels, got shape {values.shape}")
    if pd.isna(values).any():
        raise ValueError(f"{arg}: expected no missing labels, found {int(pd.isna(values).sum())}")
    if n_rows is not None and values.size != n_rows:
        raise ValueError(f"{arg}: expected {n_rows} labels (one per row), got {values.size}")
    return values


# --------------------------------------------------------------------------- clusters


def canonical_labels(labels) -> np.ndarray:
    """Give the labels renumbered 0..k-1 by cluster size (0 = largest; ties: first seen).

    The same partition then always gets the same numbers, whatever numbers
    the algorithm happened to give. Introduced in lesson 04.
    """
    values = _labels(labels)
    codes, _ = pd.factorize(values)
    sizes = np.bincount(codes)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[codes].astype("int64")


def kmeans_labels(
    X, k: int, *, random_state=0, n_init: int = 10, n_threads: int | None = 1
) -> np.ndarray:
    """Give k-means cluster labels (canonical order, 0 = largest) for the rows of ``X``.

    ``random_state`` is None, an integer (passed to scikit-learn's ``KMeans`` as
    is) or a numpy Generator (one seed is drawn from it).
    ``n_threads`` limits OpenMP/BLAS while fitting (:func:`pmkt_lessons.device.limit_threads`):
    one thread is fast and gives the same numbers on every machine. Introduced in lesson 04.
    """
    values = _matrix(X)
    k = _k(k, len(values))
    n_init = require_positive_int(n_init, "n_init")
    random_state = library_seed(random_state)
    with limit_threads(n_threads):
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(values)
    return canonical_labels(model.labels_)


def kmeans_scan(
    X,
    ks=K_RANGE,
    *,
    random_state=0,
    n_init: int = 10,
    silhouette_sample: int | None = 2000,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Give the inertia (elbow) and silhouette of k-means for each ``k`` in ``ks``.

    Introduced in lesson 04.

    Parameters
    ----------
    X : DataFrame or array
        Scaled features, rows = customers.
    ks : iterable of int
        Numbers of clusters, each in [2, rows - 1].
    random_state : None, int or numpy Generator
        Seed of k-means (an integer is passed to scikit-learn as is) and of the
        silhouette sample.
    silhouette_sample : int or None
        Compute the silhouette on this many rows drawn with ``random_state``
        (the same rows for every k); ``None`` uses every row (O(n^2)).
    n_threads : int or None
        CPU threads while fitting (:func:`pmkt_lessons.device.limit_threads`).

    Returns
    -------
    DataFrame indexed by ``k`` with ``inertia`` (within-cluster sum of
    squares, falls as k grows) and ``silhouette`` (in [-1, 1], higher is better).
    """
    values = _matrix(X)
    ks = [_k(k, len(values), "ks") for k in ks]
    if not ks:
        raise ValueError("ks: expected at least one number of clusters, got none")
    n_init = require_positive_int(n_init, "n_init")
    random_state = library_seed(random_state)
    sample = None
    if silhouette_sample is not None:
        silhouette_sample = require_positive_int(silhouette_sample, "silhouette_sample")
        if silhouette_sample < len(values):
            rng = np.random.default_rng(random_state)
            sample = np.sort(rng.choice(len(values), size=silhouette_sample, replace=False))
    pick = slice(None) if sample is None else sample
    rows = []
    with limit_threads(n_threads):
        for k in ks:
            model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(values)
            labels = model.labels_[pick]
            score = silhouette_score(values[pick], labels) if len(set(labels)) > 1 else np.nan
            rows.append((k, float(model.inertia_), float(score)))
    return pd.DataFrame(rows, columns=["k", "inertia", "silhouette"]).set_index("k")


def seed_stability(X, k: int, seeds=range(10), *, n_init: int = 1) -> pd.DataFrame:
    """Give the adjusted Rand index between the k-means partitions of every pair of seeds.

    ARI 1 means two seeds found the same partition (whatever the cluster
    numbers); near 0, no more agreement than chance. With ``n_init=1`` each
    seed is one run from one random start, which shows how much a single
    run can vary. Introduced in lesson 04.

    Returns
    -------
    DataFrame with columns ``seed_a``, ``seed_b``, ``ari``, one row per pair.
    """
    values = _matrix(X)
    k = _k(k, len(values))
    if isinstance(seeds, (str, bytes)) or np.ndim(seeds) != 1:
        raise TypeError(f"seeds: expected a 1-d collection of integer seeds, got {type(seeds).__name__}")
    seeds = [require_seed(s, "seeds") for s in seeds]
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: expected at least two distinct seeds, got {seeds}")
    labels = {s: kmeans_labels(values, k, random_state=s, n_init=n_init) for s in seeds}
    rows = [(a, b, adjusted_rand_score(labels[a], labels[b])) for a, b in combinations(seeds, 2)]
    return pd.DataFrame(rows, columns=["seed_a", "seed_b", "ari"])


def ward_linkage(X) -> np.ndarray:
    """Give the Ward linkage matrix of the rows of ``X`` (scipy), for a dendrogram or ``ward_labels``.

    Ward merges, at each step, the two clusters whose union grows the
    within-cluster sum of squares least: the same objective as k-means,
    built bottom-up. Memory grows with rows squared. Introduced in lesson 04.
    """
    return linkage(_matrix(X), method="ward")


def ward_labels(linkage_matrix: np.ndarray, k: int) -> np.ndarray:
    """Give the labels (canonical order) of cutting a Ward tree into ``k`` clusters.

    Introduced in lesson 04.
    """
    Z = require_finite(linkage_matrix, "linkage_matrix")  # NaN in a linkage crashes scipy's C code
    if Z.ndim != 2 or Z.shape[1] != 4 or Z.shape[0] == 0:
        raise ValueError(f"linkage_matrix: expected scipy's (n - 1) x 4 linkage matrix, got shape {Z.shape}")
    if not is_valid_linkage(Z):
        raise ValueError("linkage_matrix: expected a valid linkage (from scipy's linkage), got one that is not")
    k = _k(k, Z.shape[0] + 1)
    return canonical_labels(fcluster(Z, t=k, criterion="maxclust"))


# --------------------------------------------------------------------------- RFM rules


def rfm_segment_rules() -> pd.DataFrame:
    """Give the RFM grid rules as a table: each segment and the R and F scores it covers.

    Introduced in lesson 04.
    """
    long = RFM_SEGMENT_GRID.stack().rename(C.SEGMENT).reset_index()
    rules = long.groupby(C.SEGMENT).agg(
        R=(F.R_SCORE, lambda s: ", ".join(map(str, sorted(set(s))))),
        F=(F.F_SCORE, lambda s: ", ".join(map(str, sorted(set(s))))),
        cells=(F.R_SCORE, "size"),
    )
    return rules.reindex(list(RFM_SEGMENTS))


def rfm_segments(scores: pd.DataFrame) -> pd.Series:
    """Give each customer's classic RFM segment from its R and F scores (see ``RFM_SEGMENT_GRID``).

    Introduced in lesson 04.
    """
    require_frame(scores, [F.R_SCORE, F.F_SCORE], "scores")
    require_numeric(scores, [F.R_SCORE, F.F_SCORE], "scores")
    require_no_nan(scores, [F.R_SCORE, F.F_SCORE], "scores")
    r = scores[F.R_SCORE].to_numpy()
    f = scores[F.F_SCORE].to_numpy()
    for name, s in ((F.R_SCORE, r), (F.F_SCORE, f)):
        bad = ~np.isin(s, [1, 2, 3, 4, 5])
        if bad.any():
            raise ValueError(f"scores: expected column {name!r} to hold scores 1-5, got {s[bad][0]!r}")
    grid = RFM_SEGMENT_GRID.to_numpy()
    names = grid[r.astype(int) - 1, f.astype(int) - 1]
    return pd.Series(
        pd.Categorical(names, categories=list(RFM_SEGMENTS)), index=scores.index, name=C.SEGMENT
    )


# --------------------------------------------------------------------------- profiles


def distinctive_terms(interest: F.InterestProfiles, labels, n: int = 3) -> pd.DataFrame:
    """Give each segment's most distinctive interest terms: segment mean minus overall mean.

    The plain segment mean is topped by the same popular words everywhere
    (``set``, ``bag``, ``heart``); subtracting the mean over all customers
    leaves what sets a segment apart. ``labels`` is a Series indexed by
    customer ID (any customers of ``interest``). Introduced in lesson 04.
    """
    if not isinstance(interest, F.InterestProfiles):
        raise TypeError(f"interest: expected InterestProfiles, got {type(interest).__name__}")
    if not isinstance(labels, pd.Series):
        raise TypeError(f"labels: expected a Series indexed by customer ID, got {type(labels).__name__}")
    _labels(labels)
    positions = interest.customers.get_indexer(labels.index)
    if (positions < 0).any():
        raise ValueError(f"labels: customers not in interest: {list(labels.index[positions < 0])[:5]}")
    rows = interest.matrix[positions]
    codes, segments = pd.factorize(labels.to_numpy(), sort=True)
    members = sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(segments), len(codes))
    )
    means = sparse.diags(1.0 / np.bincount(codes)) @ members @ rows
    lift = np.asarray(means.toarray() - rows.mean(axis=0))
    return F.top_terms(lift, interest.terms, n, index=pd.Index(segments, name=C.SEGMENT))


def segment_profile(
    profiles: pd.DataFrame,
    labels,
    *,
    interest: F.InterestProfiles | None = None,
    n_terms: int = 3,
) -> pd.DataFrame:
    """Give one row per segment: size, shares of customers and revenue, mean RFM, top terms.

    Introduced in lesson 04.

    Parameters
    ----------
    profiles : DataFrame
        ``features.customer_profiles`` (needs ``recency``, ``frequency``, ``monetary``).
    labels : Series or array
        Segment of each row of ``profiles`` (same length and order).
    interest : InterestProfiles, optional
        Adds ``top_terms``: the ``n_terms`` most distinctive terms (``distinctive_terms``).

    Returns
    -------
    DataFrame indexed by segment (sorted) with ``customers``,
    ``customer_share``, ``revenue_share`` (of net revenue), mean ``recency``,
    ``frequency``, ``monetary`` and median ``monetary`` (``median_monetary``).
    """
    cols = [F.RECENCY, F.FREQUENCY, F.MONETARY]
    require_frame(profiles, cols, "profiles")
    require_numeric(profiles, cols, "profiles")
    require_no_nan(profiles, cols, "profiles")
    values = _labels(labels, len(profiles))
    groups = profiles[cols].groupby(pd.Series(values, index=profiles.index, name=C.SEGMENT), sort=True)
    table = groups.mean()
    table.insert(0, "customers", groups.size())
    table.insert(1, "customer_share", table["customers"] / len(profiles))
    table.insert(2, "revenue_share", groups[F.MONETARY].sum() / profiles[F.MONETARY].sum())
    table["median_monetary"] = groups[F.MONETARY].median()
    if interest is not None:
        n_terms = require_positive_int(n_terms, "n_terms")
        terms = distinctive_terms(interest, pd.Series(values, index=profiles.index), n_terms)
        table["top_terms"] = terms.apply(lambda row: ", ".join(t for t in row if t), axis=1)
    return table
