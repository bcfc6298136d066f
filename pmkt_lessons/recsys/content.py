"""Content-based recommendation from product descriptions (TF-IDF).

Each product becomes a TF-IDF vector of the words of its description; a
customer's profile is the weighted mean of the vectors of what they bought;
the score of a product is the cosine between profile and product. A product
no one has bought yet still has a description, so content can recommend it:
the cold-start case collaborative filtering cannot handle. Introduced in lesson 08.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from ..features import word_pattern
from ..validation import require_positive_int
from .base import BaseRecommender, require_interactions
from .interactions import Interactions

TOKEN_PATTERN = word_pattern(2)
"""Words of two or more letters: the default pattern (``min_letters=2``) of :func:`pmkt_lessons.features.word_pattern`."""


def _check_descriptions(descriptions: object) -> pd.Series:
    if not isinstance(descriptions, pd.Series):
        raise TypeError(
            f"descriptions: expected a pandas Series of text indexed by item id, got {type(descriptions).__name__}"
        )
    if descriptions.empty:
        raise ValueError("descriptions: expected at least one description, got none")
    if not descriptions.index.is_unique:
        raise ValueError(f"descriptions: expected one description per item, got {int(descriptions.index.duplicated().sum())} repeated ids")
    text = descriptions.dropna()
    if not all(isinstance(v, str) for v in text.to_numpy()[:1000]):
        raise TypeError("descriptions: expected text values")
    return descriptions


class ContentRecommender(BaseRecommender):
    """Recommend items whose descriptions resemble what the user bought.

    Parameters
    ----------
    min_df : int
        Ignore words used by fewer than ``min_df`` products.
    ngram_range : tuple
        Word n-grams, as in ``TfidfVectorizer``.
    stop_words : str or None
        ``"english"`` drops words such as "of", "the".
    min_letters : int
        Shortest word kept (:func:`pmkt_lessons.features.word_pattern`). The
        default 2 keeps two-letter words; ``min_letters=3`` is lesson 03's
        tokenizer (``features.interest_profiles``), which lesson 08 uses so
        that the course describes products with one vocabulary.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
    item_vectors_ : csr_matrix (n_items, n_words)
        L2-normalised TF-IDF row of each item (zero for an item with no text).
    vocabulary_ : ndarray of str

    Introduced in lesson 08.
    """

    requires_descriptions = True

    def __init__(
        self,
        min_df: int = 2,
        ngram_range: tuple = (1, 1),
        stop_words: str | None = "english",
        min_letters: int = 2,
    ):
        self.min_df = min_df
        self.ngram_range = ngram_range
        self.stop_words = stop_words
        self.min_letters = min_letters

    def fit(self, interactions: Interactions, descriptions: pd.Series):
        """Learn TF-IDF item vectors of ``descriptions`` and user profiles from ``interactions``; give ``self``.

        ``descriptions`` is indexed by item id; items of ``interactions`` it
        lacks get no words (and a zero vector). To score products new in the
        test period, build ``interactions`` with those items as columns
        (``build_interactions(train, items=catalogue.index)``).
        """
        interactions = require_interactions(interactions)
        descriptions = _check_descriptions(descriptions)
        text = descriptions.reindex(interactions.items).fillna("").astype(str)
        self.vectorizer_ = TfidfVectorizer(
            min_df=self.min_df,
            ngram_range=self.ngram_range,
            stop_words=self.stop_words,
            token_pattern=word_pattern(require_positive_int(self.min_letters, "min_letters")),
            dtype=np.float64,
        )
        try:
            self.item_vectors_ = sp.csr_matrix(self.vectorizer_.fit_transform(text.to_numpy()))
        except ValueError as exc:  # sklearn: "empty vocabulary"
            raise ValueError(f"descriptions: expected words to build a vocabulary from, got none usable ({exc})") from exc
        self.vocabulary_ = self.vectorizer_.get_feature_names_out()
        self._remember(interactions)
        return self

    def user_profiles(self, users=None) -> sp.csr_matrix:
        """Give each user's profile: the weighted mean TF-IDF vector of the items they have.

        Introduced in lesson 08.
        """
        rows = self._rows(users)
        ratings = sp.csr_matrix(self.seen_.matrix[rows], dtype=np.float64)
        totals = np.asarray(ratings.sum(axis=1)).ravel()
        inverse = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
        return sp.csr_matrix(sp.diags(inverse) @ ratings @ self.item_vectors_)

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        profiles = l2_normalize(self.user_profiles(self.seen_.users[rows]))
        return (profiles @ self.item_vectors_.T).toarray()

    def item_similarity(self) -> np.ndarray:
        """Give the cosine similarity of every pair of items' descriptions (dense, items x items)."""
        self._check_fitted()
        return (self.item_vectors_ @ self.item_vectors_.T).toarray()

    def similar_items(self, item, k: int = 5) -> pd.Series:
        """Give the ``k`` items whose descriptions are closest to ``item``'s, with their cosine."""
        inter = self._check_fitted()
        k = require_positive_int(k, "k")
        col = inter.item_cols([item])[0]
        sims = (self.item_vectors_ @ self.item_vectors_[col].T).toarray().ravel()
        sims[col] = -np.inf
        order = np.lexsort((np.arange(len(sims)), -sims))[:k]
        return pd.Series(sims[order], index=inter.items[order], name="cosine")
