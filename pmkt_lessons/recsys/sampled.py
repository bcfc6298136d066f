"""Sampled-negatives evaluation: rank each held-out item among 100 random others (the NCF protocol).

He et al. (2017) judged NCF by ranking each held-out (user, item) pair among
``n_negatives = 100`` items the user never interacted with, drawn at random,
and reporting HR@10 and NDCG@10 over those 101 candidates. The *full* protocol
ranks the held-out item among every item the user has not interacted with.
Both give a rank ``r`` per held-out pair and the same per-pair metrics

.. math:: \\mathrm{HR@}k = [r \\le k], \\qquad
          \\mathrm{NDCG@}k = \\frac{[r \\le k]}{\\log_2(r + 1)},

averaged first over a user's held-out items, then over users. Krichene &
Rendle (2020) showed that the sampled metrics are not consistent with the full
ones: with 100 negatives out of thousands of items, an item ranked 50th in
full lands in the sampled top 10 nearly always, so the sampled metric rewards
getting the coarse order right and can rank two models the other way round
(:func:`sampled_hit_probability` gives that chance exactly).

Conventions: a candidate is never an item of the user's training history nor
another of the user's held-out items; a pair's negatives are distinct items
drawn uniformly without replacement among the remaining ones; ties count against the held-out item
(``r = 1 + #{candidates scored >= it}``), so a model that scores everything
alike gets no credit. Introduced in lesson 10.

References
----------
He, X., Liao, L., Zhang, H., Nie, L., Hu, X. & Chua, T.-S. (2017). Neural
collaborative filtering. *WWW 2017*, 173-182.
Krichene, W. & Rendle, S. (2020). On sampled metrics for item recommendation.
*KDD 2020*, 1748-1757.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .. import columns as C
from ..randomness import check_random_state
from ..validation import require_finite, require_frame, require_no_nan, require_positive_int
from .base import BaseRecommender, require_interactions

PROTOCOLS = ("sampled", "full")
_MAX_RESAMPLE_ROUNDS = 100
_BLOCK_CELLS = 1 << 20  # draws checked for clashes at a time


@dataclass(frozen=True, eq=False)
class SampledCandidates:
    """Held-out (user, item) pairs and the negatives each is ranked against.

    Attributes
    ----------
    users : pd.Index
        The users with held-out pairs, sorted: the rows of ``model.score(users)``.
    items : pd.Index
        The item ids of the score columns (the training interactions' items).
    pair_user, pair_item : ndarray of int64
        Row in ``users`` and column in ``items`` of each held-out pair.
    negatives : ndarray of int64, shape (n_pairs, n_negatives)
        Columns of the sampled negatives of each pair.
    excluded : scipy.sparse.csr_matrix of bool, shape (len(users), len(items))
        Items that are never a candidate for the user: training history and
        held-out items.

    Introduced in lesson 10.
    """

    users: pd.Index
    items: pd.Index
    pair_user: np.ndarray
    pair_item: np.ndarray
    negatives: np.ndarray
    excluded: sp.csr_matrix

    @property
    def n_pairs(self) -> int:
        """Give the number of held-out pairs."""
        return len(self.pair_user)

    @property
    def n_negatives(self) -> int:
        """Give the number of sampled negatives per pair."""
        return self.negatives.shape[1]

    def pairs(self) -> pd.DataFrame:
        """Give the held-out pairs as a DataFrame ``user_id, item_id``."""
        return pd.DataFrame({C.USER: self.users[self.pair_user], C.ITEM: self.items[self.pair_item]})

    def __repr__(self) -> str:
        return (
            f"SampledCandidates({self.n_pairs} held-out pairs of {len(self.users)} users, "
            f"{self.n_negatives} negatives each, {len(self.items)} items)"
        )


def _lookup(matrix: sp.csr_matrix):
    """Give a function telling, for arrays of rows and columns, which cells of ``matrix`` are stored."""
    n_cols = matrix.shape[1]
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    keys = np.sort(rows * n_cols + matrix.indices.astype(np.int64))

    def stored(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        if keys.size == 0:
            return np.zeros(np.shape(r), dtype=bool)
        wanted = r * n_cols + c
        pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        return keys[pos] == wanted

    return stored


def sample_candidates(truth: pd.DataFrame, interactions, n_negatives: int = 100, random_state=0) -> SampledCandidates:
    """Draw ``n_negatives`` random negatives for every held-out pair of ``truth``.

    Parameters
    ----------
    truth : DataFrame
        ``user_id, item_id`` pairs of the test period (e.g. ``course_split(...).truth``).
        Pairs whose user or item is not in ``interactions`` are left out
        (a model cannot score them); repeated pairs count once.
    interactions : Interactions
        The training interactions the models were fitted on.
    n_negatives : int
        Negatives per held-out pair (He et al. 2017: 100).
    random_state : None, int or numpy Generator
        Seed of the draws. Use the same candidates for every model you compare.

    Returns
    -------
    SampledCandidates
    """
    require_frame(truth, [C.USER, C.ITEM], "truth")
    require_no_nan(truth, [C.USER, C.ITEM], "truth")
    interactions = require_interactions(interactions)
    n_negatives = require_positive_int(n_negatives, "n_negatives")
    pairs = truth[[C.USER, C.ITEM]].drop_duplicates()
    user_pos = interactions.user_rows(pairs[C.USER], missing="mark")
    item_pos = interactions.item_cols(pairs[C.ITEM], missing="mark")
    known = (user_pos >= 0) & (item_pos >= 0)
    if not known.any():
        raise ValueError("truth: expected pairs whose user and item are in the interactions, got none")
    user_pos, item_pos = user_pos[known], item_pos[known]
    order = np.lexsort((item_pos, user_pos))
    user_pos, item_pos = user_pos[order], item_pos[order]
    rows, pair_user = np.unique(user_pos, return_inverse=True)
    n_items = interactions.n_items

    held_out = sp.csr_matrix((np.ones(len(pair_user), dtype=bool), (pair_user, item_pos)), shape=(len(rows), n_items))
    history = interactions.matrix[rows].astype(bool)
    excluded = (history + held_out).astype(bool).tocsr()
    excluded.eliminate_zeros()
    excluded.sort_indices()
    free = n_items - np.diff(excluded.indptr)
    if (free == 0).any():
        who = interactions.users[rows[free == 0]][:3].tolist()
        raise ValueError(f"truth: expected users with at least one item left to sample, got users {who} with none")

    if (free < n_negatives).any():
        who = interactions.users[rows[free < n_negatives]][:3].tolist()
        raise ValueError(
            f"n_negatives: expected at most {int(free.min())} (the fewest items a user has left to sample), "
            f"got {n_negatives} (users {who})"
        )
    negatives = _draw_distinct(excluded, pair_user.astype(np.int64), n_negatives, check_random_state(random_state))
    return SampledCandidates(
        users=interactions.users[rows],
        items=interactions.items,
        pair_user=pair_user.astype(np.int64),
        pair_item=item_pos.astype(np.int64),
        negatives=negatives.reshape(len(pair_user), n_negatives),
        excluded=excluded,
    )


def _draw_distinct(excluded: sp.csr_matrix, pair_user: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` distinct allowed columns per pair by redrawing clashes (excluded or repeated) until none is left.

    Clashes are found a block of pairs at a time, so the temporary arrays stay
    small whatever the number of pairs; only pairs that had a clash are looked at again.
    """
    stored = _lookup(excluded)
    n_items = excluded.shape[1]
    draws = rng.integers(0, n_items, (len(pair_user), n))
    step = max(1, _BLOCK_CELLS // n)
    todo = np.arange(len(pair_user))
    for _ in range(_MAX_RESAMPLE_ROUNDS):
        bad = np.zeros(draws.shape, dtype=bool)
        for start in range(0, len(todo), step):
            rows = todo[start:start + step]
            bad[rows] = _clashes(stored, pair_user[rows], draws[rows])
        if not bad.any():
            return draws
        draws[bad] = rng.integers(0, n_items, int(bad.sum()))
        todo = np.flatnonzero(bad.any(axis=1))
    for p in todo:  # pragma: no cover - users left with barely n items
        allowed = np.setdiff1d(np.arange(n_items), excluded[pair_user[p]].indices)
        draws[p] = rng.choice(allowed, n, replace=False)
    return draws


def _clashes(stored, users: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Mark draws that are excluded for their user or repeat an earlier draw of the same pair."""
    bad = stored(users[:, None], draws)
    order = np.argsort(draws, axis=1, kind="stable")
    ordered = np.take_along_axis(draws, order, axis=1)
    repeat = np.zeros_like(bad)
    np.put_along_axis(repeat, order[:, 1:], ordered[:, 1:] == ordered[:, :-1], axis=1)
    return bad | repeat


def _require_candidates(candidates: object) -> SampledCandidates:
    if not isinstance(candidates, SampledCandidates):
        raise TypeError(
            f"candidates: expected SampledCandidates (from sample_candidates), got {type(candidates).__name__}"
        )
    return candidates


def _require_protocol(protocol: object) -> str:
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol: expected one of {PROTOCOLS}, got {protocol!r}")
    return protocol


def positive_ranks(scores, candidates: SampledCandidates, protocol: str = "sampled") -> np.ndarray:
    """Give the rank (1 = first) of every held-out item among its candidates.

    Parameters
    ----------
    scores : array-like, shape (len(candidates.users), len(candidates.items))
        Dense scores, rows in the order of ``candidates.users`` (as
        ``model.score(candidates.users)`` gives them); higher = recommend sooner.
    candidates : SampledCandidates
    protocol : {"sampled", "full"}
        Rank among the pair's sampled negatives, or among every item that is
        not excluded for the user.

    Returns
    -------
    ndarray of int64, one rank per pair: ``1 + #{candidates scored >= the held-out item}``.
    """
    candidates = _require_candidates(candidates)
    protocol = _require_protocol(protocol)
    try:
        arr = np.asarray(scores, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"scores: expected a numeric array, got {type(scores).__name__}") from exc
    want = (len(candidates.users), len(candidates.items))
    if arr.shape != want:
        raise ValueError(f"scores: expected shape {want} (candidates.users x candidates.items), got {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"scores: expected no NaN, got {int(np.isnan(arr).sum())}")
    positive = arr[candidates.pair_user, candidates.pair_item]
    if protocol == "sampled":
        negative = arr[candidates.pair_user[:, None], candidates.negatives]
        return 1 + (negative >= positive[:, None]).sum(axis=1).astype(np.int64)
    # full: sort each user's scores with the excluded items at -inf, then a vectorised binary search
    # finds, for every pair at once, how many candidates score >= the held-out item
    masked = arr.copy()
    coo = candidates.excluded.tocoo()
    masked[coo.row, coo.col] = -np.inf
    masked.sort(axis=1)
    n_items = arr.shape[1]
    lo = np.zeros(candidates.n_pairs, dtype=np.int64)
    hi = np.full(candidates.n_pairs, n_items, dtype=np.int64)
    for _ in range(int(np.ceil(np.log2(n_items + 1))) + 1):
        mid = (lo + hi) // 2
        below = masked[candidates.pair_user, np.minimum(mid, n_items - 1)] < positive
        active = lo < hi
        lo = np.where(active & below, mid + 1, lo)
        hi = np.where(active & ~below, mid, hi)
    return 1 + n_items - lo


def rank_metrics(ranks, candidates: SampledCandidates, k: int = 10) -> pd.DataFrame:
    """Give per-user HR@k and NDCG@k from the ranks of the held-out items.

    Each pair scores ``hit = [r <= k]`` and ``ndcg = hit / log2(r + 1)``; a
    user's value is the mean over their held-out pairs.

    Returns
    -------
    DataFrame indexed by ``user_id`` (``candidates.users``) with columns
    ``n_held_out, hit_rate, ndcg``.
    """
    candidates = _require_candidates(candidates)
    k = require_positive_int(k, "k")
    if isinstance(ranks, (str, bytes)) or np.asarray(ranks).dtype.kind not in "iuf":
        raise TypeError(f"ranks: expected whole numbers >= 1 (from positive_ranks), got {type(ranks).__name__}")
    r = np.asarray(ranks)
    if r.shape != (candidates.n_pairs,):
        raise ValueError(f"ranks: expected one rank per pair, shape ({candidates.n_pairs},), got {r.shape}")
    r = require_finite(r, "ranks", low=1)
    if (r != np.round(r)).any():
        raise ValueError(f"ranks: expected whole numbers >= 1 (from positive_ranks), got {r[r != np.round(r)][0]!r}")
    hit = (r <= k).astype(float)
    ndcg = hit / np.log2(r.astype(float) + 1.0)
    frame = pd.DataFrame({"hit_rate": hit, "ndcg": ndcg}).groupby(candidates.pair_user).mean()
    frame.insert(0, "n_held_out", np.bincount(candidates.pair_user, minlength=len(candidates.users)))
    frame.index = pd.Index(candidates.users, name=C.USER)
    return frame


def candidate_metrics(model, candidates: SampledCandidates, k: int = 10, protocol: str = "sampled") -> pd.DataFrame:
    """Score the candidates' users with a fitted recommender and give per-user HR@k and NDCG@k.

    Parameters
    ----------
    model : BaseRecommender
        Fitted on the interactions the candidates were drawn from (same items).
    candidates : SampledCandidates
    k : int
    protocol : {"sampled", "full"}

    Returns
    -------
    DataFrame as :func:`rank_metrics` gives it.
    """
    if not isinstance(model, BaseRecommender):
        raise TypeError(f"model: expected a fitted recommender (BaseRecommender), got {type(model).__name__}")
    candidates = _require_candidates(candidates)
    protocol = _require_protocol(protocol)
    if not model.items_.equals(candidates.items):
        raise ValueError("model: expected a model fitted on the candidates' interactions (the same items, in order)")
    ranks = positive_ranks(model.score(candidates.users), candidates, protocol)
    return rank_metrics(ranks, candidates, k)


def sampled_hit_probability(full_rank, n_others: int, n_negatives: int = 100, k: int = 10):
    """Give the chance that an item ranked ``full_rank`` in full ranking is in the sampled top ``k``.

    In full ranking ``full_rank - 1`` of the ``n_others`` other candidates
    score above the held-out item. Drawing ``n_negatives`` of the others
    without replacement, the number of them above the item is hypergeometric,
    and the item is a sampled hit when fewer than ``k`` are:

    .. math:: P(\\text{sampled hit@}k) = P\\big(\\mathrm{Hypergeom}(N, r - 1, n) \\le k - 1\\big).

    Parameters
    ----------
    full_rank : int or array-like of int, each in [1, n_others + 1]
    n_others : int
        Candidates other than the held-out item in full ranking (``N``).
    n_negatives : int, at most ``n_others``
    k : int

    Returns
    -------
    float or ndarray (the shape of ``full_rank``).

    References
    ----------
    Krichene, W. & Rendle, S. (2020), section 3.
    """
    n_others = require_positive_int(n_others, "n_others")
    n_negatives = require_positive_int(n_negatives, "n_negatives")
    k = require_positive_int(k, "k")
    if n_negatives > n_others:
        raise ValueError(f"n_negatives: expected at most n_others = {n_others}, got {n_negatives}")
    if isinstance(full_rank, bool):
        raise TypeError("full_rank: expected whole numbers >= 1, got bool")
    try:
        r = np.asarray(full_rank, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"full_rank: expected whole numbers >= 1, got {type(full_rank).__name__}") from exc
    if np.isnan(r).any() or (r < 1).any() or (r > n_others + 1).any() or (r != np.round(r)).any():
        raise ValueError(f"full_rank: expected whole numbers in [1, {n_others + 1}], got {full_rank!r}")
    out = stats.hypergeom.cdf(k - 1, n_others, r.astype(np.int64) - 1, n_negatives)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)
