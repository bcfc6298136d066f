"""The popularity baseline: recommend the best sellers every customer has not bought yet.

It knows nothing about the customer, which is exactly why every personalised
recommender must beat it to earn its keep. Introduced in lesson 06.
"""

from __future__ import annotations

import numpy as np

from .base import BaseRecommender
from .interactions import Interactions

POPULARITY_BY = ("users", "weight")


class PopularityRecommender(BaseRecommender):
    """Score every item by its training popularity, the same for every user.

    Parameters
    ----------
    by : {"users", "weight"}
        ``"users"``: number of distinct users who interacted with the item;
        ``"weight"``: the column sum of the interaction matrix (units,
        revenue... depending on how it was built).

    Attributes
    ----------
    popularity_ : ndarray (n_items,)

    Introduced in lesson 06.
    """

    def __init__(self, by: str = "users"):
        self.by = by

    def _check_params(self) -> None:
        if self.by not in POPULARITY_BY:
            raise ValueError(f"by: expected one of {list(POPULARITY_BY)}, got {self.by!r}")

    def _fit(self, interactions: Interactions) -> None:
        matrix = interactions.binary() if self.by == "users" else interactions.matrix
        self.popularity_ = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.popularity_.astype(np.float32), (len(rows), len(self.popularity_))).copy()
