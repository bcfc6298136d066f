"""Popularity bias of a recommender: how concentrated its exposure is, and one re-ranking fix.

A recommender that keeps showing the same few best-sellers makes them sell
more, which makes them look better next time: the long tail of the catalogue
is never seen. Three numbers describe the concentration of a set of top-k
lists: the Gini coefficient of item exposure (0 = every item shown equally
often, close to 1 = one item shown to everybody), the long-tail share (the
share of recommendation slots given to items outside the popular head), and
catalogue coverage. A popularity penalty re-ranks each list towards the tail;
its cost in accuracy (NDCG) is the trade-off to show the business.
Introduced in lesson 18.

References
----------
Abdollahpouri, H., Burke, R. & Mobasher, B. (2019). Managing popularity bias
in recommender systems with personalized re-ranking. *FLAIRS-32*.
Jannach, D., Lerche, L., Kamehkhosh, I. & Jugovac, M. (2015). What recommenders
recommend: an analysis of recommendation biases and possible countermeasures.
*User Modeling and User-Adapted Interaction* 25, 427-491.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from .recsys.hybrid import minmax_rows
from .recsys.metrics import ranked_lists
from .recsys.topk import top_k_items
from .validation import _float_array, require_in_range, require_positive_int


def gini(values: object) -> float:
    """Give the Gini coefficient of non-negative ``values``: 0 when all equal, (n-1)/n when one holds all.

    Introduced in lesson 18.

    .. math:: G = \\frac{\\sum_i (2i - n - 1)\\, x_{(i)}}{n \\sum_i x_{(i)}}

    with :math:`x_{(1)} \\le \\dots \\le x_{(n)}` sorted ascending.
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"values: expected a 1-d array of counts, got {type(values).__name__}")
    x = np.sort(_float_array(values, "values", "counts (numbers)"))
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"values: expected a non-empty 1-d array, got shape {x.shape}")
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError("values: expected finite non-negative numbers, got NaN, inf or a negative value")
    total = x.sum()
    if total == 0:
        raise ValueError("values: expected at least one positive value, got all zeros")
    n = x.size
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * total))


def item_exposure(recs: pd.DataFrame, items: object, k: int | None = None) -> pd.Series:
    """Give how many lists show each catalogue item (0 for items never shown), in ``items`` order.

    Introduced in lesson 18. ``recs`` is a long ``user_id, item_id`` frame with
    ``rank`` or ``prediction``; with ``k`` only the first ``k`` of each list count.
    """
    catalogue = pd.Index(items)
    if catalogue.empty:
        raise ValueError("items: expected the catalogue's item ids, got none")
    shown = ranked_lists(recs, k)[C.ITEM] if k is not None else recs[C.ITEM]
    outside = ~shown.isin(catalogue)
    if outside.any():
        raise ValueError(f"recs: expected items of the catalogue, got {int(outside.sum())} rows with others")
    return shown.value_counts().reindex(catalogue, fill_value=0).rename("exposure")


def head_items(popularity: pd.Series, head_share: float = 0.2) -> pd.Index:
    """Give the most popular items making up the first ``head_share`` of the catalogue (the short head).

    Introduced in lesson 18. Ties in popularity keep the given order.
    """
    share = require_in_range(head_share, "head_share", 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    if not isinstance(popularity, pd.Series) or popularity.empty:
        raise TypeError(f"popularity: expected a non-empty Series item -> popularity, got {type(popularity).__name__}")
    n_head = max(1, int(round(share * len(popularity))))
    return popularity.sort_values(ascending=False, kind="stable").index[:n_head]


def exposure_report(recs: pd.DataFrame, popularity: pd.Series, k: int, head_share: float = 0.2) -> pd.Series:
    """Give the concentration of a set of top-k lists: exposure Gini, long-tail share, coverage.

    Introduced in lesson 18.

    Parameters
    ----------
    recs : DataFrame
        ``user_id, item_id`` and ``rank`` or ``prediction``.
    popularity : Series
        Training popularity of every catalogue item (e.g. ``recsys.item_popularity``).
    k : int
        List length evaluated.
    head_share : float
        Share of the catalogue, most popular first, counted as the head.

    Returns
    -------
    Series ``gini@k`` (of exposure over the whole catalogue), ``long_tail_share@k``
    (share of the shown slots holding non-head items), ``coverage@k``
    (share of the catalogue shown at least once).
    """
    k = require_positive_int(k, "k")
    if not isinstance(popularity, pd.Series) or popularity.empty:
        raise TypeError(f"popularity: expected a non-empty Series of item counts, got {type(popularity).__name__}"
                        + (" (empty)" if isinstance(popularity, pd.Series) else ""))
    exposure = item_exposure(recs, popularity.index, k)
    head = head_items(popularity, head_share)
    shown = exposure.sum()
    if shown == 0:
        raise ValueError(f"recs: expected recommendations of catalogue items in the top {k}, got none")
    tail_slots = exposure[~exposure.index.isin(head)].sum()
    return pd.Series(
        {
            f"gini@{k}": gini(exposure.to_numpy()),
            f"long_tail_share@{k}": float(tail_slots / shown),
            f"coverage@{k}": float((exposure > 0).mean()),
        },
        name="value",
    )


def popularity_penalty_rerank(
    scores: object,
    popularity: object,
    weight: float,
    k: int,
    exclude=None,
    *,
    users: pd.Index | None = None,
    items: pd.Index | None = None,
) -> pd.DataFrame:
    """Give top-k lists re-ranked by ``minmax(score) - weight * popularity / max(popularity)``.

    Introduced in lesson 18. Each user's scores are first rescaled to [0, 1]
    (so ``weight`` means the same for every user and model); ``weight = 0``
    gives the model's own ranking, larger weights push popular items down.

    .. math:: s'_{ui} = \\frac{s_{ui} - \\min_j s_{uj}}{\\max_j s_{uj} - \\min_j s_{uj}}
              - \\lambda \\frac{\\mathrm{pop}_i}{\\max_j \\mathrm{pop}_j}

    Parameters
    ----------
    scores : array (n_users, n_items)
        The model's scores; not modified.
    popularity : array-like (n_items,)
        Training popularity of each column.
    weight : float
        :math:`\\lambda \\ge 0`.
    k : int
        List length.
    exclude : scipy.sparse matrix, optional
        Items never to recommend (e.g. bought in training).
    users, items : pd.Index, optional
        Ids of rows and columns.

    Returns
    -------
    DataFrame ``user_id, item_id, prediction, rank`` (``prediction`` = re-ranked score).
    """
    arr = np.asarray(scores, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"scores: expected a 2-d array (users x items), got shape {arr.shape}")
    pop = np.asarray(popularity, dtype=float)
    if pop.shape != (arr.shape[1],):
        raise ValueError(f"popularity: expected {arr.shape[1]} values (one per item column), got shape {pop.shape}")
    if np.isnan(pop).any() or (pop < 0).any() or pop.max() <= 0:
        raise ValueError("popularity: expected non-negative values, at least one positive, without NaN")
    lam = require_in_range(weight, "weight", 0.0, np.inf)
    adjusted = minmax_rows(arr) - lam * (pop / pop.max())[None, :]
    return top_k_items(adjusted, k, exclude, users=users, items=items)
