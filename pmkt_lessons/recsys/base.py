"""The shared shape of every recommender: ``fit(interactions)``, ``score(users)``, ``recommend(users, k)``.

A subclass implements ``_fit(interactions)`` and ``_score_rows(rows)`` (dense
scores of some user rows for every item); the base class gives input checks,
id mapping and top-k lists. Every recommender is a scikit-learn estimator
(``get_params``, ``set_params``, ``clone``). Introduced in lesson 06.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..validation import require_bool, require_positive_int
from .interactions import Interactions
from .topk import top_k_items


def require_interactions(value: object, arg: str = "interactions") -> Interactions:
    """Give ``value`` back if it is a non-empty :class:`Interactions`, else raise naming ``arg``."""
    if not isinstance(value, Interactions):
        raise TypeError(
            f"{arg}: expected an Interactions object (from build_interactions), got {type(value).__name__}"
        )
    if value.nnz == 0:
        raise ValueError(f"{arg}: expected at least one interaction, got an empty matrix {value.shape}")
    return value


class BaseRecommender(BaseEstimator):
    """Common fit / score / recommend logic; subclasses implement ``_fit`` and ``_score_rows``.

    After ``fit``, ``seen_`` holds a copy of the training interactions, whose
    ``users`` and ``items`` are the ids the model knows (and whose entries
    ``recommend(exclude_seen=True)`` leaves out). A subclass whose ``fit``
    also needs item descriptions sets ``requires_descriptions = True``.
    Introduced in lesson 06.
    """

    requires_descriptions = False

    def fit(self, interactions: Interactions):
        """Learn from the training interactions; give ``self``."""
        interactions = require_interactions(interactions)
        self._check_params()
        self._remember(interactions)
        self._fit(interactions)
        return self

    # subclasses ---------------------------------------------------------------
    def _check_params(self) -> None:
        """Validate hyper-parameters (called at the start of ``fit``)."""

    def _fit(self, interactions: Interactions) -> None:
        raise NotImplementedError

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # public -------------------------------------------------------------------
    def _remember(self, interactions: Interactions) -> None:
        """Keep a copy of the training interactions (never the caller's object) as ``seen_``."""
        self.seen_ = Interactions(
            interactions.matrix.copy(), interactions.users, interactions.items, interactions.weight
        )

    def _check_fitted(self) -> Interactions:
        check_is_fitted(self, "seen_")
        return self.seen_

    def _rows(self, users: Iterable | None) -> np.ndarray:
        inter = self._check_fitted()
        if users is None:
            return np.arange(inter.n_users)
        return inter.user_rows(users)

    @property
    def users_(self) -> pd.Index:
        """Give the user ids the model was fitted on."""
        return self._check_fitted().users

    @property
    def items_(self) -> pd.Index:
        """Give the item ids the model can score (the columns of ``score``)."""
        return self._check_fitted().items

    def score(self, users: Iterable | None = None) -> np.ndarray:
        """Give dense scores, shape ``(len(users), n_items)``; higher means recommend sooner.

        Parameters
        ----------
        users : iterable of user ids, optional
            Known users (a ``ValueError`` names unknown ones); default: all
            users, in the order of ``seen_.users``.
        """
        rows = self._rows(users)
        return np.asarray(self._score_rows(rows))

    def recommend(
        self,
        users: Iterable | None = None,
        k: int = 10,
        exclude_seen: bool = True,
        *,
        batch_size: int | None = None,
    ) -> pd.DataFrame:
        """Give the top-k items of each user: ``user_id, item_id, prediction, rank``.

        Parameters
        ----------
        users : iterable of user ids, optional
            Default: every user of the training interactions.
        k : int
            List length, >= 1.
        exclude_seen : bool
            Leave out items the user interacted with in training.
        batch_size : int, optional
            Score this many users at a time to bound memory; default: all at once.
        """
        inter = self._check_fitted()
        k = require_positive_int(k, "k")
        require_bool(exclude_seen, "exclude_seen")
        rows = self._rows(users)
        step = len(rows) if batch_size is None else require_positive_int(batch_size, "batch_size")
        parts = []
        for start in range(0, len(rows), max(step, 1)):
            batch = rows[start:start + step]
            exclude = inter.matrix[batch] if exclude_seen else None
            parts.append(
                top_k_items(
                    self._score_rows(batch), k, exclude, users=inter.users[batch], items=inter.items
                )
            )
        if not parts:
            return top_k_items(np.zeros((0, inter.n_items)), k, users=inter.users[:0], items=inter.items)
        return pd.concat(parts, ignore_index=True)
