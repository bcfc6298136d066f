"""What customers talk about: NMF topics over TF-IDF sentence vectors.

Non-negative matrix factorisation approximates the ``(documents x words)``
TF-IDF matrix :math:`X \\ge 0` by two non-negative factors,

.. math:: X \\approx W H, \\qquad \\min_{W, H \\ge 0} \\tfrac12 \\lVert X - W H \\rVert_F^2,

where row :math:`k` of :math:`H` is topic :math:`k` (a weight per word: its
top words name it) and row :math:`d` of :math:`W` says how much of each topic
document :math:`d` contains. Non-negativity makes the parts additive, so
topics read as themes. Introduced in lesson 19.

References
----------
Lee, D. D. & Seung, H. S. (1999). Learning the parts of objects by non-negative
matrix factorization. Nature 401, 788-791.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ..randomness import draw_seed
from ..validation import require_positive_int
from .tokens import check_texts


class ReviewTopics(TransformerMixin, BaseEstimator):
    """NMF topics of short reviews: ``transform`` gives topic weights, ``top_words`` names the topics.

    Parameters
    ----------
    n_topics : int
        Number of topics :math:`k`.
    min_df : int
        A word must occur in at least this many texts to enter the vocabulary.
    max_features : int
        Keep at most this many words (the most frequent).
    random_state : None, int or numpy Generator
        Seeds NMF (its ``nndsvda`` start is deterministic; the seed matters only for ties).

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        English stop words removed.
    nmf_ : NMF
    components_ : ndarray ``(n_topics, n_words)``
        The topic-word weights :math:`H`.

    Introduced in lesson 19.
    """

    def __init__(self, n_topics: int = 6, min_df: int = 3, max_features: int = 2000, random_state: object = 0):
        self.n_topics = n_topics
        self.min_df = min_df
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, X: object, y: object = None):
        """Learn the vocabulary and the topics of texts ``X``; give ``self``."""
        texts = check_texts(X, "X")
        for name in ("n_topics", "min_df", "max_features"):
            require_positive_int(getattr(self, name), name)
        self.vectorizer_ = TfidfVectorizer(stop_words="english", min_df=self.min_df,
                                           max_features=self.max_features, sublinear_tf=True)
        matrix = self.vectorizer_.fit_transform(texts)
        if self.n_topics > matrix.shape[1]:
            raise ValueError(f"n_topics: expected at most {matrix.shape[1]} (the vocabulary size), got {self.n_topics}")
        self.nmf_ = NMF(self.n_topics, init="nndsvda", max_iter=500, random_state=draw_seed(self.random_state))
        self.nmf_.fit(matrix)
        self.components_ = self.nmf_.components_
        return self

    def transform(self, X: object) -> np.ndarray:
        """Give the ``(n, n_topics)`` non-negative topic weights :math:`W` of texts ``X``."""
        check_is_fitted(self, "nmf_")
        return self.nmf_.transform(self.vectorizer_.transform(check_texts(X, "X")))

    def dominant_topic(self, X: object) -> np.ndarray:
        """Give each text's heaviest topic, or -1 for a text with no vocabulary word (all weights 0)."""
        weights = self.transform(X)
        return np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)

    def top_words(self, n: int = 8) -> pd.DataFrame:
        """Give each topic's ``n`` heaviest words, one row per topic (column ``top_words``)."""
        check_is_fitted(self, "nmf_")
        require_positive_int(n, "n")
        words = self.vectorizer_.get_feature_names_out()
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, :n]
        return pd.DataFrame({"top_words": [", ".join(words[row]) for row in order]},
                            index=pd.RangeIndex(self.n_topics, name="topic"))
