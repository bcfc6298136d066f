"""Two baselines for sentence sentiment: the VADER lexicon and TF-IDF + logistic regression.

:class:`LexiconClassifier` wraps VADER (Hutto & Gilbert 2014), a hand-made
lexicon of about 7,500 rated words plus rules for negation, intensifiers,
"but" and exclamation marks; it learns nothing from our data. The
``compound`` score sums the (rule-adjusted) word valences :math:`s` and
squashes them into [-1, 1]:

.. math:: \\text{compound} = \\frac{s}{\\sqrt{s^2 + 15}}.

:func:`make_tfidf_logistic` builds the learned baseline: word 1-2 grams and
character 2-5 grams (inside word boundaries), each TF-IDF weighted

.. math:: w_{t,d} = (1 + \\ln \\mathrm{tf}_{t,d}) \\cdot \\Big(\\ln\\frac{1 + n}{1 + \\mathrm{df}_t} + 1\\Big),

rows L2-normalised, then an L2-penalised logistic regression whose inverse
penalty ``C`` is chosen by cross-validation inside the training data.
Introduced in lesson 19.

References
----------
Hutto, C. J. & Gilbert, E. (2014). VADER: a parsimonious rule-based model for
sentiment analysis of social media text. ICWSM.
Wang, S. & Manning, C. D. (2012). Baselines and bigrams: simple, good sentiment
and topic classification. ACL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from ..randomness import draw_seed
from ..validation import require_binary
from .tokens import check_texts

VADER_COLUMNS = ["neg", "neu", "pos", "compound"]
DEFAULT_CS = (1.0, 3.0, 10.0, 30.0, 100.0)


def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def lexicon_scores(texts: object) -> pd.DataFrame:
    """Give VADER's ``neg``, ``neu``, ``pos`` and ``compound`` scores, one row per text.

    The lexicon ships inside the ``vaderSentiment`` package: nothing is downloaded.
    """
    texts = check_texts(texts)
    analyzer = _analyzer()
    return pd.DataFrame([analyzer.polarity_scores(t) for t in texts], columns=VADER_COLUMNS)


def check_binary_labels(y: object, n: int, arg: str = "y") -> np.ndarray:
    """Give ``y`` as an int array of 0/1 labels of length ``n``, or raise naming ``arg``."""
    return require_binary(y, arg, n, what="labels 0 (negative) and 1 (positive), one per text")


class LexiconClassifier(ClassifierMixin, BaseEstimator):
    """Zero-training sentiment classifier: VADER's compound score against a fixed threshold.

    A sentence is called positive when its compound score is at least
    ``threshold`` (VADER's authors suggest 0.05). ``fit`` only checks the
    input and stores the classes: the lexicon is not adapted to the data.

    Parameters
    ----------
    threshold : float in [-1, 1]
        Compound score from which a sentence counts as positive.

    Attributes
    ----------
    classes_ : ndarray, ``[0, 1]``

    Notes
    -----
    ``predict_proba`` gives ``(compound + 1) / 2`` for the positive class: a
    monotone rescaling of the compound score (fine for AUC and ranking), not a
    calibrated probability.

    Introduced in lesson 19.
    """

    def __init__(self, threshold: float = 0.05):
        self.threshold = threshold

    def fit(self, X: object, y: object):
        """Check ``X`` (texts) and ``y`` (0/1 labels); give ``self``. Nothing is learned."""
        texts = check_texts(X, "X")
        check_binary_labels(y, len(texts))
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)) \
                or not -1 <= self.threshold <= 1:
            raise ValueError(f"threshold: expected a number in [-1, 1], got {self.threshold!r}")
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: object) -> np.ndarray:
        """Give VADER's compound score of each text, in [-1, 1]."""
        check_is_fitted(self, "classes_")
        return lexicon_scores(check_texts(X, "X"))["compound"].to_numpy()

    def predict_proba(self, X: object) -> np.ndarray:
        """Give ``(n, 2)`` scores: column 1 is ``(compound + 1) / 2`` (not calibrated)."""
        positive = (self.decision_function(X) + 1.0) / 2.0
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: object) -> np.ndarray:
        """Give 1 where the compound score is at least ``threshold``, else 0."""
        return (self.decision_function(X) >= self.threshold).astype(np.int64)


def make_tfidf_logistic(
    Cs: tuple = DEFAULT_CS, cv: int = 3, random_state: object = 0, max_iter: int = 2000
) -> Pipeline:
    """Give an unfitted pipeline: word 1-2 gram + char 2-5 gram TF-IDF, then logistic regression with C by CV.

    ``C`` is picked from ``Cs`` by ``cv``-fold stratified cross-validation
    (log loss) *inside* whatever data the pipeline is fitted on; after
    fitting, ``pipeline["model"].C_`` is the chosen value. (The TF-IDF
    vocabulary is learned once on that data, before the inner folds: a small,
    usual shortcut that never touches an outer test fold.)

    Parameters
    ----------
    Cs : tuple of float > 0
        Candidate inverse penalties.
    cv : int >= 2
        Inner folds for choosing ``C``.
    random_state : None, int or numpy Generator
        Seeds the inner fold shuffling.
    max_iter : int
        Solver iterations.
    """
    if not isinstance(Cs, (tuple, list)) or not Cs:
        raise TypeError(f"Cs: expected a non-empty tuple of positive numbers, got {type(Cs).__name__}")
    if any(isinstance(c, bool) or not isinstance(c, (int, float)) or not c > 0 for c in Cs):
        raise ValueError(f"Cs: expected positive numbers, got {list(Cs)}")
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise ValueError(f"cv: expected an integer >= 2, got {cv!r}")
    features = FeatureUnion([
        ("words", TfidfVectorizer(token_pattern=r"(?u)\b\w[\w']*\b", ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
    ])
    model = LogisticRegressionCV(
        Cs=[float(c) for c in Cs],
        cv=StratifiedKFold(int(cv), shuffle=True, random_state=draw_seed(random_state)),
        l1_ratios=(0.0,),  # a pure L2 penalty
        scoring="neg_log_loss",
        max_iter=int(max_iter),
        use_legacy_attributes=False,  # C_ is one float
    )
    return Pipeline([("features", features), ("model", model)])


def top_features(pipeline: Pipeline, n: int = 10) -> pd.DataFrame:
    """Give the ``n`` most positive and ``n`` most negative features of a fitted TF-IDF + LR pipeline.

    Columns ``feature`` (``words__great``, ``chars__ bad``), ``weight`` (the
    logistic coefficient), ``direction`` ('positive' or 'negative').
    """
    if not isinstance(pipeline, Pipeline) or "features" not in pipeline.named_steps or "model" not in pipeline.named_steps:
        raise TypeError(f"pipeline: expected the Pipeline of make_tfidf_logistic, got {type(pipeline).__name__}")
    check_is_fitted(pipeline["model"])
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    names = pipeline["features"].get_feature_names_out()
    coef = pipeline["model"].coef_[0]
    order = np.argsort(coef, kind="stable")
    top, bottom = order[::-1][:n], order[:n]
    return pd.DataFrame({
        "feature": np.concatenate([names[top], names[bottom]]),
        "weight": np.concatenate([coef[top], coef[bottom]]),
        "direction": ["positive"] * len(top) + ["negative"] * len(bottom),
    })
