"""Top-k metrics of recommendation lists: precision, recall, NDCG, MAP, hit rate, coverage, popularity.

Conventions (lesson 06 explains each):

* ``recs`` is a long DataFrame ``user_id, item_id`` plus ``rank`` (1 = first)
  and/or ``prediction`` (higher = first). With ``rank`` the list order is
  ``rank``; otherwise ``prediction`` descending. Ties go to the smaller item id,
  so the result never depends on the row order of ``recs``.
* ``truth`` is a DataFrame ``user_id, item_id`` of relevant pairs (what each
  user bought in the test period); an optional ``rating`` column (> 0) is the
  graded relevance used as the gain of NDCG.
* Metrics are averaged over the users of ``truth``. A user of ``truth`` with no
  recommendation counts as 0 for every metric; users of ``recs`` absent from
  ``truth`` are ignored.
* ``precision@k`` divides by ``k`` even when a list is shorter; ``map@k``
  divides the sum of precisions at the hits by ``min(k, number relevant)``,
  so a perfect list scores 1. (ranx's ``map@k`` divides by the number
  relevant: the two agree when no user has more than ``k`` relevant items;
  tests/test_crosscheck.py compares the five metrics with ranx.)

Everything is computed with pandas group-bys, no loop over users.
Introduced in lesson 06.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..validation import require_frame, require_no_nan, require_numeric, require_positive_int
from .interactions import Interactions

_POSITION = "position"
_GAIN = "gain"
METRIC_NAMES = ("precision", "recall", "ndcg", "map", "hit_rate")


def _check_recs(recs: pd.DataFrame) -> pd.DataFrame:
    require_frame(recs, [C.USER, C.ITEM], "recs", allow_empty=True)
    order_col = C.RANK if C.RANK in recs.columns else C.PREDICTION
    if order_col not in recs.columns:
        raise ValueError(
            f"recs: expected a {C.RANK!r} or {C.PREDICTION!r} column to order the lists, "
            f"got columns {list(recs.columns)}"
        )
    require_no_nan(recs, [C.USER, C.ITEM, order_col], "recs")
    require_numeric(recs, [order_col], "recs")
    dup = recs.duplicated([C.USER, C.ITEM])
    if dup.any():
        raise ValueError(f"recs: expected each (user, item) pair once, got {int(dup.sum())} repeated")
    return recs


def ranked_lists(recs: pd.DataFrame, k: int) -> pd.DataFrame:
    """Give the first ``k`` items of every list with their ``position`` 1..k, sorted by user and position.

    Introduced in lesson 06.
    """
    recs = _check_recs(recs)
    k = require_positive_int(k, "k")
    if C.RANK in recs.columns:
        keyed = recs[[C.USER, C.ITEM]].assign(_key=recs[C.RANK].to_numpy())
    else:
        keyed = recs[[C.USER, C.ITEM]].assign(_key=-recs[C.PREDICTION].to_numpy(dtype=float))
    keyed = keyed.sort_values([C.USER, "_key", C.ITEM], kind="stable")
    keyed[_POSITION] = keyed.groupby(C.USER, sort=False).cumcount().to_numpy() + 1
    return keyed.loc[keyed[_POSITION] <= k, [C.USER, C.ITEM, _POSITION]].reset_index(drop=True)


def _check_truth(truth: pd.DataFrame) -> pd.DataFrame:
    require_frame(truth, [C.USER, C.ITEM], "truth")
    require_no_nan(truth, [C.USER, C.ITEM], "truth")
    dup = truth.duplicated([C.USER, C.ITEM])
    if dup.any():
        raise ValueError(
            f"truth: expected each (user, item) pair once, got {int(dup.sum())} repeated "
            "(use truth.drop_duplicates([user_id, item_id]))"
        )
    if C.RATING in truth.columns:
        require_numeric(truth, [C.RATING], "truth")
        require_no_nan(truth, [C.RATING], "truth")
        if (truth[C.RATING] <= 0).any():
            raise ValueError(f"truth: expected relevance {C.RATING!r} > 0, got {int((truth[C.RATING] <= 0).sum())} rows <= 0")
        gain = truth[C.RATING].to_numpy(dtype=float)
    else:
        gain = np.ones(len(truth))
    return pd.DataFrame({C.USER: truth[C.USER].to_numpy(), C.ITEM: truth[C.ITEM].to_numpy(), _GAIN: gain})


def _discount(position) -> np.ndarray:
    return 1.0 / np.log2(np.asarray(position, dtype=float) + 1.0)


def per_user_metrics(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> pd.DataFrame:
    """Give one row per user of ``truth``: hits, relevant items and the five ranking metrics at ``k``.

    Introduced in lesson 06.

    Returns
    -------
    DataFrame indexed by ``user_id`` with columns ``n_relevant, hits,
    precision, recall, ndcg, map, hit_rate``.
    """
    k = require_positive_int(k, "k")
    gains = _check_truth(truth)
    top = ranked_lists(recs, k)
    hits = top.merge(gains, on=[C.USER, C.ITEM], how="inner")
    users = pd.Index(gains[C.USER].unique(), name=C.USER).sort_values()
    n_relevant = gains.groupby(C.USER).size().reindex(users)

    by_user = hits.groupby(C.USER)
    n_hits = by_user.size().reindex(users, fill_value=0)
    dcg = (hits[_GAIN] * _discount(hits[_POSITION])).groupby(hits[C.USER]).sum().reindex(users, fill_value=0.0)

    ideal = gains.sort_values([C.USER, _GAIN], ascending=[True, False], kind="stable")
    ideal_pos = ideal.groupby(C.USER, sort=False).cumcount().to_numpy() + 1
    best = ideal_pos <= k
    idcg = (ideal[_GAIN].to_numpy()[best] * _discount(ideal_pos[best]))
    idcg = pd.Series(idcg).groupby(ideal[C.USER].to_numpy()[best]).sum().reindex(users)

    hits = hits.sort_values([C.USER, _POSITION], kind="stable")
    hit_no = hits.groupby(C.USER, sort=False).cumcount().to_numpy() + 1
    precision_at_hit = pd.Series(hit_no / hits[_POSITION].to_numpy()).groupby(hits[C.USER].to_numpy()).sum()
    ap = precision_at_hit.reindex(users, fill_value=0.0) / np.minimum(k, n_relevant)

    return pd.DataFrame(
        {
            "n_relevant": n_relevant.astype(np.int64),
            "hits": n_hits.astype(np.int64),
            "precision": n_hits / k,
            "recall": n_hits / n_relevant,
            "ndcg": dcg / idcg,
            "map": ap,
            "hit_rate": (n_hits > 0).astype(float),
        },
        index=users,
    )


def _mean_metric(name: str, recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    return float(per_user_metrics(recs, truth, k)[name].mean())


def precision_at_k(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Give mean precision@k: the share of the first ``k`` recommendations that are relevant.

    Introduced in lesson 06.
    """
    return _mean_metric("precision", recs, truth, k)


def recall_at_k(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Give mean recall@k: the share of each user's relevant items found in the first ``k``.

    Introduced in lesson 06.
    """
    return _mean_metric("recall", recs, truth, k)


def ndcg_at_k(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Give mean NDCG@k: DCG ``sum gain / log2(position + 1)`` over the best possible DCG.

    The gain is ``truth.rating`` when present, else 1 (binary relevance). Agrees
    with ``sklearn.metrics.ndcg_score`` on untied scores. Introduced in lesson 06.
    """
    return _mean_metric("ndcg", recs, truth, k)


def map_at_k(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Give MAP@k: mean over users of the average of precision@position at each hit.

    Each user's sum is divided by ``min(k, number relevant)``. Introduced in lesson 06.
    """
    return _mean_metric("map", recs, truth, k)


def hit_rate_at_k(recs: pd.DataFrame, truth: pd.DataFrame, k: int) -> float:
    """Give hit rate@k: the share of users with at least one relevant item in their first ``k``.

    Introduced in lesson 06.
    """
    return _mean_metric("hit_rate", recs, truth, k)


def catalogue_coverage(recs: pd.DataFrame, n_items: int, k: int | None = None) -> float:
    """Give the share of the catalogue that appears in at least one list (first ``k`` if given).

    Introduced in lesson 06.
    """
    n_items = require_positive_int(n_items, "n_items")
    items = ranked_lists(recs, k)[C.ITEM] if k is not None else _check_recs(recs)[C.ITEM]
    n_distinct = items.nunique()
    if n_distinct > n_items:
        raise ValueError(f"n_items: expected at least the {n_distinct} distinct recommended items, got {n_items}")
    return n_distinct / n_items


def item_popularity(train) -> pd.Series:
    """Give the number of distinct training users of every item (Series indexed by item id).

    ``train`` is an :class:`Interactions` or a DataFrame with ``user_id, item_id``.
    Introduced in lesson 06.
    """
    if isinstance(train, Interactions):
        counts = np.asarray(train.binary().sum(axis=0)).ravel()
        return pd.Series(counts, index=train.items, name="popularity")
    if isinstance(train, pd.DataFrame):
        require_frame(train, [C.USER, C.ITEM], "train")
        pairs = train[[C.USER, C.ITEM]].drop_duplicates()
        return pairs.groupby(C.ITEM).size().rename("popularity").astype(float)
    raise TypeError(f"train: expected an Interactions object or a DataFrame, got {type(train).__name__}")


def mean_popularity(recs: pd.DataFrame, train, k: int | None = None) -> float:
    """Give the mean training popularity (distinct buyers) of the recommended items: popularity bias.

    Averaged over all recommendation rows (first ``k`` per user if given); an
    item unseen in training counts 0. Introduced in lesson 06.
    """
    popularity = item_popularity(train)
    items = ranked_lists(recs, k)[C.ITEM] if k is not None else _check_recs(recs)[C.ITEM]
    if items.empty:
        return float("nan")
    return float(popularity.reindex(items.to_numpy(), fill_value=0).mean())


def evaluate(
    recs: pd.DataFrame,
    truth: pd.DataFrame,
    k: int,
    train=None,
    n_items: int | None = None,
) -> pd.Series:
    """Give every metric at ``k`` in one Series: precision, recall, ndcg, map, hit_rate, and
    coverage (with ``n_items`` or ``train``) and mean_popularity (with ``train``).

    Introduced in lesson 06.
    """
    k = require_positive_int(k, "k")
    means = per_user_metrics(recs, truth, k)[list(METRIC_NAMES)].mean()
    result = {f"{name}@{k}": float(means[name]) for name in METRIC_NAMES}
    if n_items is None and isinstance(train, Interactions):
        n_items = train.n_items
    if n_items is not None:
        result[f"coverage@{k}"] = catalogue_coverage(recs, n_items, k)
    if train is not None:
        result[f"mean_popularity@{k}"] = mean_popularity(recs, train, k)
    return pd.Series(result, name="value")


def compare(recs_by_model: dict, truth: pd.DataFrame, k: int, train=None, n_items: int | None = None) -> pd.DataFrame:
    """Give one row of :func:`evaluate` per model, from ``{name: recs}``, in the given order.

    Introduced in lesson 06.
    """
    if not isinstance(recs_by_model, dict) or not recs_by_model:
        raise TypeError(f"recs_by_model: expected a non-empty dict name -> recs, got {type(recs_by_model).__name__}")
    rows = {name: evaluate(recs, truth, k, train=train, n_items=n_items) for name, recs in recs_by_model.items()}
    return pd.DataFrame(rows).T.rename_axis("model")
