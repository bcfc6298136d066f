"""Text signals: sentiment of short reviews, from a lexicon to a small attention model.

Lesson 19 builds, in this order: text checks and a tokenizer
(:mod:`.tokens`), the VADER lexicon and TF-IDF + logistic regression
baselines (:mod:`.baselines`), shared cross-validation folds, out-of-fold
predictions and a domain-shift table (:mod:`.evaluate`), a tiny transformer
classifier on the shared attention block (:mod:`.transformer`), NMF topics
(:mod:`.topics`) and sentiment-drop alerts on a stream of reviews
(:mod:`.signals`). Introduced in lesson 19.
"""

from .baselines import (
    LexiconClassifier,
    check_binary_labels,
    lexicon_scores,
    make_tfidf_logistic,
    top_features,
)
from .evaluate import (
    LABEL,
    SENTENCE,
    SOURCE,
    crossval_predictions,
    domain_shift_table,
    sentence_folds,
)
from .signals import review_stream, sentiment_drops
from .tokens import CUES, PAD, UNK, build_vocabulary, check_texts, cue_flags, encode, tokenize
from .topics import ReviewTopics
from .transformer import SentenceNet, TransformerTextClassifier, init_parameters

__all__ = [
    "CUES", "LABEL", "PAD", "SENTENCE", "SOURCE", "UNK",
    "LexiconClassifier", "ReviewTopics", "SentenceNet", "TransformerTextClassifier",
    "build_vocabulary", "check_binary_labels", "check_texts", "crossval_predictions", "cue_flags",
    "domain_shift_table", "encode", "init_parameters", "lexicon_scores", "make_tfidf_logistic",
    "review_stream", "sentence_folds", "sentiment_drops", "tokenize", "top_features",
]
