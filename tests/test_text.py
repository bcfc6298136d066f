"""Lesson 19's text helpers: tokens, baselines, shared folds, the transformer classifier, topics, alerts."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit, cross_val_predict
from sklearn.pipeline import make_pipeline
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pmkt_lessons.text import (
    LexiconClassifier,
    ReviewTopics,
    SentenceNet,
    TransformerTextClassifier,
    build_vocabulary,
    check_texts,
    crossval_predictions,
    cue_flags,
    domain_shift_table,
    encode,
    init_parameters,
    lexicon_scores,
    make_tfidf_logistic,
    review_stream,
    sentence_folds,
    sentiment_drops,
    tokenize,
    top_features,
)

GOOD = ["great phone", "love it", "works great", "excellent value", "really good", "good and great",
        "love the screen", "excellent battery", "great sound", "good price"]
BAD = ["awful phone", "hate it", "broke quickly", "terrible value", "really bad", "bad and awful",
       "hate the screen", "terrible battery", "awful sound", "bad price"]


def toy(n_repeat=3):
    texts = (GOOD + BAD) * n_repeat
    labels = np.array(([1] * len(GOOD) + [0] * len(BAD)) * n_repeat)
    return texts, labels


def tiny_transformer(**kw):
    params = dict(d_model=8, n_heads=2, n_layers=1, max_len=8, min_count=1, epochs=12, patience=12,
                  batch_size=8, lr=1e-2, validation_fraction=0.2, device="cpu", progress=False, random_state=0)
    params.update(kw)
    return TransformerTextClassifier(**params)


# --------------------------------------------------------------------------- tokens

def test_tokenize_hand_made():
    assert tokenize("Don't buy it!! Battery died in 2 days.") == [
        "don't", "buy", "it", "!", "!", "battery", "died", "in", "2", "days"]
    assert tokenize("...") == []
    with pytest.raises(TypeError, match="text"):
        tokenize(3)


def test_vocabulary_orders_by_count_then_alphabet_and_respects_min_count():
    vocab = build_vocabulary([["b", "a", "c"], ["a", "b"], ["a", "d"]], min_count=2)
    assert vocab == {"a": 2, "b": 3}
    assert build_vocabulary([["b", "a"]], max_size=1) == {"a": 2}
    with pytest.raises(ValueError, match="min_count"):
        build_vocabulary([["a"]], min_count=0)
    with pytest.raises(TypeError, match="token_lists"):
        build_vocabulary(["a text, not tokens"])


def test_encode_pads_truncates_and_marks_unknown_words():
    ids, lengths = encode(["good phone", "bad bad bad bad", "zzz good"], {"good": 2, "bad": 3, "phone": 4}, max_len=3)
    np.testing.assert_array_equal(ids, [[2, 4, 0], [3, 3, 3], [1, 2, 0]])
    np.testing.assert_array_equal(lengths, [2, 3, 2])
    with pytest.raises(ValueError, match="max_len"):
        encode(["a"], {}, 0)


@pytest.mark.parametrize(("texts", "error", "match"), [
    ("a single sentence", TypeError, "single str"),
    ([], ValueError, "at least one"),
    (["fine", 3], TypeError, "position 1"),
    (["fine", "   "], ValueError, "empty text at position 1"),
    ({"a": 1}, TypeError, "list"),
])
def test_check_texts_bad_input(texts, error, match):
    with pytest.raises(error, match=match):
        check_texts(texts)


def test_cue_flags_hand_made():
    flags = cue_flags(["Not good", "good but pricey", "I didn't like it!", "nice"])
    assert flags["negation"].tolist() == [True, False, True, False]
    assert flags["contrast"].tolist() == [False, True, False, False]
    assert flags["exclamation"].tolist() == [False, False, True, False]


# --------------------------------------------------------------------------- baselines

def test_lexicon_wrapper_matches_vader_directly():
    texts = ["The food was not good at all!", "Great phone, works perfectly.", "It is a phone."]
    analyzer = SentimentIntensityAnalyzer()
    expected = pd.DataFrame([analyzer.polarity_scores(t) for t in texts])[["neg", "neu", "pos", "compound"]]
    pd.testing.assert_frame_equal(lexicon_scores(texts), expected)
    model = LexiconClassifier().fit(texts, [0, 1, 1])
    np.testing.assert_array_equal(model.decision_function(texts), expected["compound"])
    np.testing.assert_array_equal(model.predict(texts), (expected["compound"] >= 0.05).astype(int))
    np.testing.assert_allclose(model.predict_proba(texts).sum(1), 1.0)


def test_lexicon_classifier_contract():
    with pytest.raises(NotFittedError):
        LexiconClassifier().predict(["good"])
    with pytest.raises(ValueError, match="threshold"):
        LexiconClassifier(threshold=2).fit(["good"], [1])
    with pytest.raises(ValueError, match="y"):
        LexiconClassifier().fit(["good", "bad"], [1, 2])
    assert clone(LexiconClassifier(threshold=0.3)).threshold == 0.3


def test_tfidf_logistic_learns_and_names_its_features():
    texts, labels = toy()
    model = make_tfidf_logistic(Cs=(0.1, 10.0), cv=3).fit(texts, labels)
    assert model["model"].C_ in (0.1, 10.0)
    assert (model.predict(texts) == labels).mean() == 1.0
    top = top_features(model, 3)
    assert len(top) == 6 and (top.loc[top.direction == "positive", "weight"] > 0).all()
    assert (top.loc[top.direction == "negative", "weight"] < 0).all()
    with pytest.raises(ValueError, match="Cs"):
        make_tfidf_logistic(Cs=(0.0, 1.0))
    with pytest.raises(ValueError, match="cv"):
        make_tfidf_logistic(cv=1)


# --------------------------------------------------------------------------- folds and domain shift

def test_sentence_folds_are_stratified_partitions():
    frame = pd.DataFrame({"source": ["a"] * 20 + ["b"] * 20, "label": [0, 1] * 20})
    folds = sentence_folds(frame, n_splits=5, random_state=1)
    tests = np.sort(np.concatenate([te for _, te in folds]))
    np.testing.assert_array_equal(tests, np.arange(40))
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert (frame.iloc[test].groupby(["source", "label"]).size() == 2).all()  # 10 per stratum / 5 folds
    with pytest.raises(ValueError, match="source"):
        sentence_folds(frame.drop(columns="source"))


def test_crossval_predictions_match_sklearn_cross_val_predict():
    texts, labels = toy()
    frame = pd.DataFrame({"source": "x", "label": labels})
    folds = sentence_folds(frame, n_splits=3, random_state=0)
    model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    ours = crossval_predictions(model, texts, labels, folds)
    test_fold = np.empty(len(texts), dtype=int)
    for k, (_, test) in enumerate(folds):
        test_fold[test] = k
    expected = cross_val_predict(model, texts, labels, cv=PredefinedSplit(test_fold), method="predict_proba")[:, 1]
    np.testing.assert_allclose(ours["proba"], expected)
    np.testing.assert_array_equal(ours["fold"], test_fold)
    np.testing.assert_array_equal(ours["correct"], ours["prediction"] == labels)
    with pytest.raises(ValueError, match="exactly one test part"):
        crossval_predictions(model, texts, labels, folds[:2])
    with pytest.raises(NotFittedError):  # the estimator passed in was cloned, never fitted
        model.predict(texts)


def test_domain_shift_table_sees_a_word_that_flips_meaning():
    # "long" is good for a battery and bad for a film: each source's model misreads the other
    rows = [("battery lasts long", 1, "phones"), ("battery died fast", 0, "phones"),
            ("film was long", 0, "films"), ("film was fast fun", 1, "films")] * 20
    frame = pd.DataFrame(rows, columns=["sentence", "label", "source"]).assign(sentence=lambda d: d.sentence + [f" x{i % 7}" for i in range(len(d))])
    table = domain_shift_table(frame, make_pipeline(TfidfVectorizer(), LogisticRegression()))
    assert list(table.index) == ["films", "phones"] == list(table.columns)
    assert table.loc["phones", "phones"] == 1.0 and table.loc["films", "films"] == 1.0
    assert table.loc["phones", "films"] < 0.6 and table.loc["films", "phones"] < 0.6
    with pytest.raises(ValueError, match="source"):
        domain_shift_table(frame.assign(source="one"), LogisticRegression())


# --------------------------------------------------------------------------- transformer classifier

def test_sentence_net_shapes_and_padding_is_ignored():
    net = SentenceNet(n_tokens=10, n_classes=3, d_model=8, n_heads=2, n_layers=2, max_len=6)
    init_parameters(net, torch.Generator().manual_seed(0))
    net.eval()
    tokens = torch.tensor([[2, 3, 4, 0], [5, 0, 0, 0]])
    out = net(tokens)
    assert out.shape == (2, 3)
    padded = torch.cat([tokens, torch.zeros(2, 2, dtype=torch.long)], dim=1)
    torch.testing.assert_close(net(padded), out)
    # changing what sits in a padding slot's embedding changes nothing either
    with torch.no_grad():
        net.encoder.token.weight[0] = 5.0
    torch.testing.assert_close(net(tokens), out)
    weights = net.encoder.blocks[0].attention.last_weights
    assert torch.all(weights[1, :, :, 1:] == 0)  # no query attends to padding keys


def test_transformer_learns_a_toy_task_with_the_right_shapes():
    texts, labels = toy()
    model = tiny_transformer().fit(texts, labels)
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert (model.predict(texts) == labels).mean() > 0.9
    assert set(model.history_.columns) == {"train_loss", "val_loss", "val_accuracy"}
    assert model.best_epoch_ == model.history_["val_loss"].idxmin()
    attention = model.attention_map("great phone zzz")
    assert attention.shape == (3, 3) and "zzz (unknown)" in attention.index
    np.testing.assert_allclose(attention.sum(axis=1), 1.0, rtol=1e-5)


def test_transformer_is_deterministic_given_random_state_and_leaves_global_seed_alone():
    texts, labels = toy(2)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    first = tiny_transformer(epochs=3, random_state=7).fit(texts, labels).predict_proba(texts)
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(999)
    second = tiny_transformer(epochs=3, random_state=7).fit(texts, labels).predict_proba(texts)
    other = tiny_transformer(epochs=3, random_state=8).fit(texts, labels).predict_proba(texts)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_transformer_contract_and_bad_input():
    texts, labels = toy(2)
    model = tiny_transformer(epochs=1)
    with pytest.raises(NotFittedError):
        model.predict(texts)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(ValueError, match="empty text"):
        model.fit(texts[:-1] + [""], labels)
    with pytest.raises(TypeError, match="X"):
        model.fit("great phone", labels)
    with pytest.raises(ValueError, match="y"):
        model.fit(texts, labels[:-1])
    with pytest.raises(ValueError, match="two classes"):
        model.fit(texts, np.ones(len(texts)))
    with pytest.raises(ValueError, match="n_heads"):
        tiny_transformer(n_heads=3).fit(texts, labels)
    with pytest.raises(ValueError, match="token_dropout"):
        tiny_transformer(token_dropout=1.0).fit(texts, labels)
    with pytest.raises(ValueError, match="device"):
        tiny_transformer(device="abacus").fit(texts, labels)


# --------------------------------------------------------------------------- topics and alerts

def test_topics_separate_two_themes():
    texts = ["battery charger battery"] * 5 + ["pizza pasta pizza"] * 5 + ["battery pizza"] * 2
    topics = ReviewTopics(n_topics=2, min_df=2).fit(texts)
    words = topics.top_words(2)["top_words"].tolist()
    assert sorted(w.split(", ")[0] for w in words) == ["battery", "pizza"]
    dominant = topics.dominant_topic(["battery charger", "pasta pizza", "the and"])
    assert dominant[0] != dominant[1] and dominant[2] == -1
    assert topics.transform(texts).shape == (12, 2)
    with pytest.raises(ValueError, match="n_topics"):
        ReviewTopics(n_topics=50, min_df=1).fit(texts)


def test_review_stream_applies_the_drop_and_does_not_mutate():
    frame = pd.DataFrame({"sentence": [f"s{i}" for i in range(40)], "label": [0, 1] * 20,
                          "source": ["a"] * 20 + ["b"] * 20})
    before = frame.copy()
    stream = review_stream(frame, n_periods=6, per_period=400, drop_group="a", drop_from=3,
                           positive_share_after=0.1, random_state=0)
    pd.testing.assert_frame_equal(frame, before)
    assert len(stream) == 6 * 2 * 400
    share = stream.groupby(["source", stream["period"] >= 3])["label"].mean()
    assert share[("a", True)] < 0.15 and abs(share[("a", False)] - 0.5) < 0.05 and abs(share[("b", True)] - 0.5) < 0.05
    assert (stream["sentence"] == frame.loc[stream["sentence_id"], "sentence"].to_numpy()).all()
    with pytest.raises(ValueError, match="drop_group"):
        review_stream(frame, drop_group="c", drop_from=1)


def test_sentiment_drops_hand_made():
    stream = pd.DataFrame({
        "period": [0, 0, 1, 1, 2, 2],
        "source": "a",
        "score": [1.0, 0.0, 1.0, 1.0, 0.0, 0.0],
    })
    before = stream.copy()
    table = sentiment_drops(stream, "score", baseline_periods=2, min_drop=0.1, z_threshold=1.0)
    pd.testing.assert_frame_equal(stream, before)
    last = table.loc[("a", 2)]
    assert last["baseline_mean"] == 0.75 and last["mean"] == 0.0 and last["drop"] == 0.75
    # baseline variance 0.75 * 0.25 over 4 scores; the current period has no variance
    assert np.isclose(last["z"], 0.75 / np.sqrt(0.1875 / 4))
    assert last["flagged"] and not table["flagged"].iloc[:2].any()
    with pytest.raises(ValueError, match="stream"):
        sentiment_drops(stream.drop(columns="source"), "score")
    with pytest.raises(ValueError, match="baseline_periods"):
        sentiment_drops(stream, "score", baseline_periods=0)


def test_no_input_is_mutated():
    texts, labels = toy(2)
    texts_before, labels_before = list(texts), labels.copy()
    tiny_transformer(epochs=1).fit(texts, labels)
    make_tfidf_logistic(Cs=(1.0,), cv=2).fit(texts, labels)
    cue_flags(texts)
    ReviewTopics(n_topics=2, min_df=1).fit(texts)
    assert texts == texts_before
    np.testing.assert_array_equal(labels, labels_before)


def test_lesson_19_quiz_answers_are_checked():
    from pmkt_lessons.exercises import lesson_19

    assert 3 <= len(lesson_19.QUIZ) <= 5
    for question in lesson_19.QUIZ:
        assert question.kind == "concept"
        assert question.evaluate(question.reference()).correct
        for wrong in question.wrong_answers():
            feedback = question.evaluate(wrong)
            assert feedback.status == "wrong" and question.explanation.strip() in feedback.message
