"""Exercises and concept quiz of lesson 19 (text signals).

Introduced in lesson 19.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import load_sentiment
from . import Exercise, number_checker, quiz_question


@cache
def _compound_zero() -> tuple[float, float, int]:
    """Give (share of IMDb sentences with compound 0, the same share over all sources, the IMDb count)."""
    from ..text import lexicon_scores

    frame = load_sentiment()
    compound = lexicon_scores(frame["sentence"])["compound"].to_numpy()
    imdb = (frame["source"] == "imdb").to_numpy()
    return float(np.mean(compound[imdb] == 0)), float(np.mean(compound == 0)), int(np.sum(compound[imdb] == 0))


def _check_compound_zero(answer):
    share, overall, _ = _compound_zero()
    traps = {overall: "that is the share over all three sources; keep only source == 'imdb'."}
    return number_checker(share, "your share", traps, share=True)(answer)


ex1 = Exercise(
    name="19.1 sentences the lexicon cannot see",
    question=(
        "What share of the 1,000 IMDb sentences gets a VADER compound score of exactly 0 (no "
        "sentiment word found, or words that cancel)? (answer: a float in [0, 1])"
    ),
    checker=_check_compound_zero,
    hint_text='A lexicon scores only the words it knows; a sentence with none of them (or with words that cancel) scores exactly zero.',
    hint_code="lexicon_scores(texts)['compound'] gives the scores; keep the rows with source == 'imdb'.",
    solution_code=(
        "imdb = sentences[sentences['source'] == 'imdb']\n"
        "answer = float((lexicon_scores(imdb['sentence'])['compound'] == 0).mean())"
    ),
    reference=lambda: _compound_zero()[0],
    wrong_answers=lambda: [_compound_zero()[2], _compound_zero()[1], 100 * _compound_zero()[0], "0.2"],
)


@cache
def _food_idf() -> tuple[float, int, int]:
    """Give (sklearn's smoothed idf of 'food' in the Yelp sentences, n, df)."""
    from sklearn.feature_extraction.text import CountVectorizer

    yelp = load_sentiment().query("source == 'yelp'")["sentence"]
    counts = CountVectorizer().fit(yelp)
    column = counts.transform(yelp)[:, counts.vocabulary_["food"]]
    df, n = int((column > 0).sum()), len(yelp)
    return float(np.log((1 + n) / (1 + df)) + 1), n, df


def _check_food_idf(answer):
    idf, n, df = _food_idf()
    traps = {
        np.log(n / df): "that is the textbook ln(n / df); scikit-learn smooths it: ln((1 + n) / (1 + df)) + 1.",
        np.log((1 + n) / (1 + df)): "almost: scikit-learn adds 1 to the log, so that a word in every document keeps weight 1.",
        float(df): "that is the document frequency df; the idf is a log of n over it.",
    }
    return number_checker(idf, "the idf", traps, sig=3)(answer)


ex2 = Exercise(
    name="19.2 an idf by hand",
    question=(
        "Among the 1,000 Yelp sentences, count the documents that contain the word 'food' (df, with "
        "scikit-learn's default tokenizer, lowercased), then give its inverse document frequency "
        "as TfidfVectorizer computes it (smooth_idf=True). (answer: a float)"
    ),
    checker=_check_food_idf,
    hint_text='idf rewards rare words: it depends only on how many documents there are and how many contain the word (not how often).',
    hint_code="idf = ln((1 + n) / (1 + df)) + 1; CountVectorizer().fit_transform(texts) gives the counts.",
    solution_code=(
        "from sklearn.feature_extraction.text import TfidfVectorizer\n"
        "yelp = sentences.query(\"source == 'yelp'\")['sentence']\n"
        "vec = TfidfVectorizer().fit(yelp)\n"
        "answer = vec.idf_[vec.vocabulary_['food']]"
    ),
    reference=lambda: _food_idf()[0],
    wrong_answers=lambda: [float(np.log(_food_idf()[1] / _food_idf()[2])),
                           float(np.log((1 + _food_idf()[1]) / (1 + _food_idf()[2]))), _food_idf()[2], "food"],
)


def _attention_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(19)
    cases = [(rng.normal(size=(lq, d)), rng.normal(size=(lk, d)), rng.normal(size=(lk, dv)))
             for lq, lk, d, dv in [(1, 1, 1, 1), (3, 3, 4, 4), (2, 5, 8, 3), (4, 4, 16, 2)]]
    cases.append((np.full((2, 4), 10.0), np.full((3, 4), 10.0), np.arange(6.0).reshape(3, 2)))  # large scores
    return cases


def _reference_attention(q, k, v):
    scores = q @ k.T / np.sqrt(q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)) @ v


def _check_attention(answer):
    if not callable(answer):
        return f"expected a function attention(q, k, v), got {type(answer).__name__}"
    for q, k, v in _attention_cases():
        got = np.asarray(answer(q.copy(), k.copy(), v.copy()), dtype=float)
        expected = _reference_attention(q, k, v)
        if got.shape != expected.shape:
            return f"for q {q.shape}, k {k.shape}, v {v.shape} the output should be {expected.shape}, got {got.shape}"
        if not np.allclose(got, expected, atol=1e-8):
            if np.allclose(got, _reference_attention(q * np.sqrt(q.shape[-1]), k, v), atol=1e-8):
                return "the scores are not divided by sqrt(d): large d makes the softmax too peaked."
            return "the output differs from softmax(q k^T / sqrt(d)) v on a hidden case (softmax over the keys?)"
    return None


def _no_scaling(q, k, v):
    scores = q @ k.T
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)) @ v


def _softmax_over_queries(q, k, v):
    scores = q @ k.T / np.sqrt(q.shape[-1])
    weights = np.exp(scores - scores.max(axis=0, keepdims=True))
    return (weights / weights.sum(axis=0, keepdims=True)) @ v


ex3 = Exercise(
    name="19.3 attention in numpy",
    question=(
        "Write attention(q, k, v) in numpy: q is (Lq, d), k is (Lk, d), v is (Lk, dv); return the "
        "(Lq, dv) output softmax(q k^T / sqrt(d)) v, with the softmax over the keys. Pass the "
        "function itself as the answer. It is checked on hidden cases, one with large scores."
    ),
    checker=_check_attention,
    hint_text='Score every query against every key, turn each row of scores into weights that sum to 1, then average the values with those weights.',
    hint_code="Subtract each row's maximum score before np.exp, so large scores do not overflow.",
    solution_code=(
        "def attention(q, k, v):\n"
        "    scores = q @ k.T / np.sqrt(q.shape[-1])\n"
        "    w = np.exp(scores - scores.max(axis=-1, keepdims=True))\n"
        "    return (w / w.sum(axis=-1, keepdims=True)) @ v\n"
        "answer = attention"
    ),
    reference=lambda: _reference_attention,
    wrong_answers=lambda: [_no_scaling, _softmax_over_queries, lambda q, k, v: v, 3.0],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "19.Q1 small data",
        "On 3,000 short sentences our tiny transformer trained from scratch lost to TF-IDF + logistic "
        "regression. What is the most likely reason?",
        {
            "a": "attention cannot represent word order",
            "b": "it must learn every word's meaning from 2,000 labelled sentences, while n-gram "
                 "features with a linear model need far fewer examples per useful word",
            "c": "the transformer was trained on a CPU",
            "d": "logistic regression is always better for text",
        },
        correct="b",
        explanation=(
            "Transformers shine when they are pre-trained on huge corpora; from scratch, on a few "
            "thousand sentences, most words are seen a handful of times. A linear model on sparse "
            "n-grams has fewer parameters per signal and is hard to beat at this size."
        ),
        traps={"a": "position embeddings give it word order.",
               "c": "the device changes the speed, not what the model learns.",
               "d": "with enough data (or a pre-trained model) neural models win; the size matters."},
    ),
    quiz_question(
        "19.Q2 domain shift",
        "A sentiment model trained on movie reviews is used on phone reviews. What do you expect, and "
        "what should you do before relying on it?",
        {
            "a": "the same accuracy: sentiment is sentiment",
            "b": "lower accuracy, because words like 'long', 'cheap' or 'predictable' change meaning and "
                 "product words were never seen; label a sample of phone reviews and measure it",
            "c": "higher accuracy, because phone reviews are shorter",
            "d": "nothing can be said without retraining on all phone reviews",
        },
        correct="b",
        explanation=(
            "The 3 x 3 table showed accuracy falling off the diagonal. A few hundred labelled in-domain "
            "sentences are enough to measure the drop, and often to fix most of it."
        ),
        traps={"a": "the off-diagonal cells of the table say otherwise.",
               "d": "a small labelled sample is enough to measure the accuracy."},
    ),
    quiz_question(
        "19.Q3 the lexicon baseline",
        "Why keep a lexicon model such as VADER around even though TF-IDF + LR is more accurate here?",
        {
            "a": "it needs no labels, works on day one in a new domain and is easy to explain",
            "b": "it is more accurate on sarcasm",
            "c": "it is the only model that handles negation",
            "d": "it learns from the data as it goes",
        },
        correct="a",
        explanation=(
            "Zero training means zero labelled data; it is a floor any trained model must beat, and a "
            "fallback for a new product line. Its rules handle simple negation ('not good'), but "
            "neither model reads sarcasm."
        ),
        traps={"b": "sarcasm defeats both (look at the error analysis).",
               "c": "n-grams such as 'not good' let the learned model handle negation too.",
               "d": "the lexicon is fixed; that is the point of a zero-training baseline."},
    ),
    quiz_question(
        "19.Q4 alerts",
        "The sentiment monitor watches 50 product lines every week with a z-threshold of 2 "
        "(about 2.3 % one-sided false alarms per check). What happens, and what helps?",
        {
            "a": "nothing: a z of 2 is significant",
            "b": "about one false alarm a week from noise alone; raise the threshold, require a minimum "
                 "drop and a minimum count, or confirm on the next period",
            "c": "alerts become more accurate with more product lines",
            "d": "every real drop is missed",
        },
        correct="b",
        explanation=(
            "50 checks x 2.3 % is about 1.1 false alarms a week. Multiple checks need a stricter "
            "threshold (the lesson uses 3) and a practical minimum effect before anyone is paged."
        ),
        traps={"a": "one check at z = 2 is rarely noise; fifty checks every week often are.",
               "c": "more lines mean more checks, hence more false alarms."},
    ),
]
