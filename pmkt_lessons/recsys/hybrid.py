"""Hybrid recommendation: a weighted blend of two recommenders' normalised scores.

Scores of different models live on different scales (a weighted sum of
similarities, a cosine, a count), so each model's scores are first rescaled
per user to [0, 1], then blended: ``weight * first + (1 - weight) * second``.
``weight`` (alpha in lesson 08) is a hyper-parameter: choose it on a validation period, never on the
test period. Introduced in lesson 08.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ..validation import require_bool, require_in_range
from .base import BaseRecommender, require_interactions
from .interactions import Interactions

NORMALISATIONS = ("minmax", "none")


def minmax_rows(scores) -> np.ndarray:
    """Give ``scores`` rescaled per row to [0, 1] (a constant row becomes 0); ``-inf`` stays ``-inf``.

    Introduced in lesson 08.
    """
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"scores: expected a 2-d array (users x items), got {arr.ndim} dimension(s)")
    if np.isnan(arr).any():
        raise ValueError(f"scores: expected no NaN, got {int(np.isnan(arr).sum())}")
    finite = np.isfinite(arr)
    low = np.where(finite, arr, np.inf).min(axis=1, keepdims=True)
    high = np.where(finite, arr, -np.inf).max(axis=1, keepdims=True)
    span = high - low
    out = np.zeros_like(arr)
    np.divide(arr - np.where(np.isfinite(low), low, 0.0), span, out=out, where=finite & (span > 0) & np.isfinite(span))
    out[~finite] = arr[~finite]
    return out


def blend_scores(first, second, weight: float, normalise: str = "minmax") -> np.ndarray:
    """Give ``weight * first + (1 - weight) * second`` after per-user rescaling (``normalise="minmax"``).

    Introduced in lesson 08.
    """
    weight = require_in_range(weight, "weight", 0.0, 1.0)
    if normalise not in NORMALISATIONS:
        raise ValueError(f"normalise: expected one of {list(NORMALISATIONS)}, got {normalise!r}")
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"second: expected the shape of first {a.shape}, got {b.shape}")
    for arg, arr in (("first", a), ("second", b)):
        if np.isnan(arr).any():
            raise ValueError(f"{arg}: expected scores without NaN (-inf marks an excluded item), got {int(np.isnan(arr).sum())}")
    if normalise == "minmax":
        a, b = minmax_rows(a), minmax_rows(b)
    # weight = 0 or 1 must give exactly one model, even where the other has -inf
    if weight == 1.0:
        return a.copy()
    if weight == 0.0:
        return b.copy()
    return weight * a + (1.0 - weight) * b


class HybridRecommender(BaseRecommender):
    """Blend two recommenders: ``weight * first + (1 - weight) * second`` of per-user min-max scores.

    Parameters
    ----------
    first, second : recommenders
        Any two models of this package (e.g. ``ItemKNN()`` and ``ContentRecommender()``).
    weight : float in [0, 1]
        Weight of ``first`` (alpha in lesson 08).
    normalise : {"minmax", "none"}
    prefit : bool
        ``True``: the two models are already fitted on the same interactions;
        ``fit`` only checks that and does not refit them. ``False``: ``fit``
        fits clones of them (the caller's models are left as they are).

    Attributes
    ----------
    first_, second_ : recommenders
        The fitted models that are blended (clones, or the prefit models).

    Introduced in lesson 08.
    """

    def __init__(self, first, second, weight: float = 0.5, normalise: str = "minmax", prefit: bool = False):
        self.first = first
        self.second = second
        self.weight = weight
        self.normalise = normalise
        self.prefit = prefit

    def _check_params(self) -> None:
        require_in_range(self.weight, "weight", 0.0, 1.0)
        if self.normalise not in NORMALISATIONS:
            raise ValueError(f"normalise: expected one of {list(NORMALISATIONS)}, got {self.normalise!r}")
        require_bool(self.prefit, "prefit")
        for name in ("first", "second"):
            model = getattr(self, name)
            if not isinstance(model, BaseRecommender):
                raise TypeError(f"{name}: expected a recommender of pmkt_lessons.recsys, got {type(model).__name__}")

    def fit(self, interactions: Interactions, descriptions=None):
        """Fit clones of both models; give ``self``.

        ``descriptions`` goes to the models that need it
        (``requires_descriptions``, e.g. :class:`ContentRecommender`).
        """
        interactions = require_interactions(interactions)
        self._check_params()
        fitted = []
        for name in ("first", "second"):
            model = getattr(self, name)
            if self.prefit:
                known = model._check_fitted()
                if not (known.users.equals(interactions.users) and known.items.equals(interactions.items)):
                    raise ValueError(f"{name}: expected a model fitted on the same users and items as interactions")
                fitted.append(model)
            elif model.requires_descriptions:
                if descriptions is None:
                    raise ValueError(f"descriptions: {type(model).__name__} needs descriptions, got None")
                fitted.append(clone(model).fit(interactions, descriptions))
            else:
                fitted.append(clone(model).fit(interactions))
        self.first_, self.second_ = fitted
        self._remember(interactions)
        return self

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        users = self.seen_.users[rows]
        return blend_scores(self.first_.score(users), self.second_.score(users), self.weight, self.normalise)
