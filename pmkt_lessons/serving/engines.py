"""What the service computes per request, from models loaded once at start-up.

:class:`RecommendEngine` wraps a fitted recommender of lessons 06-10: a
known customer gets the model's top-k among the items they have not bought
(the same list as ``model.recommend``); an unknown customer gets the
best-sellers (the popularity baseline of lesson 06), and the answer says so.
:class:`ScoreEngine` wraps a CTR model of lessons 11-12 and scores a batch
of impressions in one call. Introduced in lesson 22.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..recsys.base import BaseRecommender
from ..recsys.topk import top_k_indices
from ..validation import require_positive_int
from .registry import LoadedModel

POPULARITY_FALLBACK = "popularity (unknown customer)"


class RecommendEngine:
    """Give top-k recommendations for one customer id, with a popularity fallback.

    Introduced in lesson 22.

    Parameters
    ----------
    loaded : LoadedModel
        A fitted :class:`~pmkt_lessons.recsys.base.BaseRecommender` from
        :func:`~pmkt_lessons.serving.registry.load_model`.
    max_k : int
        Longest list served; the fallback list is precomputed to this length.
    """

    def __init__(self, loaded: LoadedModel, max_k: int = 100):
        if not isinstance(loaded, LoadedModel):
            raise TypeError(f"loaded: expected a LoadedModel (from load_model), got {type(loaded).__name__}")
        model = loaded.model
        if not isinstance(model, BaseRecommender) or not hasattr(model, "seen_"):
            raise TypeError(f"loaded: expected a fitted recommender, got {type(model).__name__} in {loaded.path}")
        self.max_k = require_positive_int(max_k, "max_k")
        self.model = model
        self.name = loaded.name
        self.model_metadata = loaded.metadata
        inter = model.seen_
        self._users = inter.users
        self._rows = {str(u): i for i, u in enumerate(inter.users)}
        self._items = np.asarray(inter.items.astype(str), dtype=object)
        self._seen = inter.matrix.tocsr()
        popularity = np.asarray(inter.binary().sum(axis=0), dtype=np.float64)
        idx, vals = top_k_indices(popularity, self.max_k)
        self._popular = (idx[0], vals[0])

    def knows(self, customer_id: str) -> bool:
        """Give True if the customer has training history."""
        return customer_id in self._rows

    def recommend(self, customer_id: str, k: int) -> tuple[list[str], list[float], str | None]:
        """Give ``(item ids, scores, fallback)`` of the top ``k``; ``fallback`` is None for a known customer."""
        k = require_positive_int(k, "k")
        if k > self.max_k:
            raise ValueError(f"k: expected at most {self.max_k}, got {k}")
        row = self._rows.get(customer_id)
        if row is None:
            idx, vals = self._popular[0][:k], self._popular[1][:k]
            return self._items[idx].tolist(), vals.tolist(), POPULARITY_FALLBACK
        # the row position is known: skip the id lookup of model.score (same scores, a tenth of the time)
        scores = np.array(self.model._score_rows(np.array([row])), dtype=np.float64)
        start, end = self._seen.indptr[row], self._seen.indptr[row + 1]
        scores[0, self._seen.indices[start:end]] = -np.inf
        idx, vals = top_k_indices(scores, k)
        keep = np.isfinite(vals[0])
        return self._items[idx[0][keep]].tolist(), vals[0][keep].tolist(), None


class ScoreEngine:
    """Give click probabilities for a batch of impressions from a fitted CTR model.

    Introduced in lesson 22.

    Parameters
    ----------
    loaded : LoadedModel
        A fitted CTR model with ``predict_proba(frame)`` and the
        ``categorical`` / ``numeric`` field lists of lesson 12's estimators.
    fields : sequence of str
        The fields a request carries; they must be the model's fields.
    """

    def __init__(self, loaded: LoadedModel, fields: Sequence[str]):
        if not isinstance(loaded, LoadedModel):
            raise TypeError(f"loaded: expected a LoadedModel (from load_model), got {type(loaded).__name__}")
        model = loaded.model
        if not hasattr(model, "predict_proba"):
            raise TypeError(f"loaded: expected a CTR model with predict_proba, got {type(model).__name__}")
        needed = list(getattr(model, "categorical", ())) + list(getattr(model, "numeric", ()))
        if sorted(needed) != sorted(fields):
            raise ValueError(f"fields: expected the model's fields {sorted(needed)}, got {sorted(fields)}")
        self.model = model
        self.name = loaded.name
        self.model_metadata = loaded.metadata
        self.fields = tuple(fields)

    def score(self, columns: Mapping[str, Sequence]) -> np.ndarray:
        """Give the click probability of each impression, from one list of values per field."""
        frame = pd.DataFrame({f: columns[f] for f in self.fields})
        return np.asarray(self.model.predict_proba(frame)[:, 1], dtype=np.float64)
