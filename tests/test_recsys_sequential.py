"""Tests of pmkt_lessons.recsys.sequential (lesson 20): sequences, baselines, SASRec and BERT4Rec."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import per_user_metrics
from pmkt_lessons.recsys import sequential as sq

SMALL = {"max_len": 6, "d_model": 16, "n_heads": 2, "n_layers": 1, "dropout": 0.0, "epochs": 3,
         "batch_size": 8, "progress": False, "random_state": 0, "device": "cpu"}


def _events():
    return pd.DataFrame({
        C.USER: ["u1", "u2", "u1", "u1", "u2", "u3"],
        C.ITEM: ["a", "b", "b", "a", "c", "a"],
        C.TIMESTAMP: [1, 1, 2, 2, 5, 9],
    })


def _cycle_sequences(n_users=40, length=12, n_items=5):
    """Every user walks the cycle 1 -> 2 -> ... -> n_items -> 1 from a different start."""
    histories = {f"u{u}": [f"i{(u + t) % n_items}" for t in range(length)] for u in range(n_users)}
    return sq.sequences_from_lists(histories)


# --------------------------------------------------------------------------- sequences
def test_build_sequences_keeps_row_order_within_ties_and_groups_users():
    seqs = sq.build_sequences(_events())
    assert list(seqs.users) == ["u1", "u2", "u3"]
    assert list(seqs.items) == ["a", "b", "c"]
    assert seqs.lengths.tolist() == [3, 2, 1]
    frame = seqs.to_frame()
    assert frame.loc[frame[C.USER] == "u1", C.ITEM].tolist() == ["a", "b", "a"]  # tie at t=2 keeps row order
    assert seqs.codes.tolist() == [1, 2, 1, 2, 3, 1]


def test_padded_and_training_windows_shapes():
    seqs = sq.sequences_from_lists({"x": list("abcde"), "y": ["a"]})
    assert seqs.padded(3).tolist() == [[3, 4, 5], [0, 0, 1]]
    assert seqs.padded(7).shape == (2, 7)
    windows = sq.training_windows(seqs, 2, windows_per_user=3, min_items=1)
    assert windows.tolist() == [[4, 5], [2, 3], [0, 1], [0, 1]]
    assert sq.training_windows(seqs, 2, windows_per_user=3, min_items=2).shape == (2, 2)


def test_leave_last_out_and_select():
    seqs = sq.build_sequences(_events())
    histories, truth = sq.leave_last_out(seqs)
    assert list(histories.users) == ["u1", "u2"]  # u3 has one item: left out
    assert histories.lengths.tolist() == [2, 1]
    assert truth.to_dict("list") == {C.USER: ["u1", "u2"], C.ITEM: ["a", "c"]}
    picked = seqs.select(["u3", "u1"])
    assert list(picked.users) == ["u3", "u1"] and picked.codes.tolist() == [1, 1, 2, 1]
    with pytest.raises(ValueError, match="users"):
        seqs.select(["nobody"])


def test_fixed_vocabulary_raises_or_drops_unknown_items():
    items = pd.Index(["a", "b"], name=C.ITEM)
    with pytest.raises(ValueError, match="events: expected items known.*'c'"):
        sq.build_sequences(_events(), items=items)
    seqs = sq.build_sequences(_events(), items=items, unknown="drop")
    assert seqs.items.equals(items) and len(seqs.codes) == 5


def test_retail_events_orders_invoices_and_lines_and_deduplicates():
    clean = pd.DataFrame({
        C.INVOICE: ["2", "1", "1", "1", "3"],
        C.STOCK_CODE: ["z", "y", "x", "y", "x"],
        C.INVOICE_DATE: pd.to_datetime(["2011-01-02", "2011-01-01", "2011-01-01", "2011-01-01", "2011-01-01"]),
        C.CUSTOMER_ID: [7, 7, 7, 7, 8],
    })
    before = clean.copy()
    events = sq.retail_events(clean)
    pd.testing.assert_frame_equal(clean, before)
    assert events.loc[events[C.USER] == 7, C.ITEM].tolist() == ["y", "x", "z"]
    assert len(events) == 4


def test_movielens_events_keep_file_order_on_ties():
    ratings = pd.DataFrame({C.USER: [1, 1, 1], C.ITEM: [30, 10, 20], "rating": [3, 4, 5], C.TIMESTAMP: [5, 5, 1]})
    assert sq.movielens_events(ratings)[C.ITEM].tolist() == [20, 30, 10]


# --------------------------------------------------------------------------- baselines
def test_buy_it_again_frequency_recency_and_popularity_fallback():
    train = sq.sequences_from_lists({"t1": list("aaabbc"), "t2": list("dddd")})
    hist = sq.sequences_from_lists({"h": list("abba")}, items=train.items)
    freq = sq.BuyItAgain(decay=1.0).fit(train)
    scores = pd.Series(freq.score(hist)[0], index=train.items)
    assert scores["a"] == pytest.approx(3.0) and scores["b"] == pytest.approx(3.0)  # 1 + two purchases each
    assert scores["d"] > scores["c"] and scores["d"] < 1.0  # fallback by popularity, below every own item
    recent = pd.Series(sq.BuyItAgain(decay=0.1).fit(train).score(hist)[0], index=train.items)
    assert recent["a"] == pytest.approx(1 + 1 + 0.1**3) and recent["b"] == pytest.approx(1 + 0.1 + 0.01)
    recs = sq.BuyItAgain(decay=0.1).fit(train).recommend(hist, k=3)
    assert recs[C.ITEM].tolist() == ["a", "b", "d"]


def test_item_transitions_match_hand_counts():
    train = sq.sequences_from_lists({"t1": list("abab"), "t2": list("ac")})
    model = sq.ItemTransitions(smoothing=1.0).fit(train)
    # transitions: a->b twice, b->a once, a->c once
    assert model.transitions_.toarray().tolist() == [[0, 2, 1], [1, 0, 0], [0, 0, 0]]
    pop = np.array([3, 2, 1]) / 6
    hist = sq.sequences_from_lists({"h": list("ca")}, items=train.items)
    expected = (np.array([0, 2, 1]) + pop) / (3 + 1)
    np.testing.assert_allclose(model.score(hist)[0], expected)
    assert model.recommend(hist, k=1)[C.ITEM].tolist() == ["b"]
    assert model.recommend(hist, k=1, exclude_seen=True)[C.ITEM].tolist() == ["b"]
    unseen_last = sq.sequences_from_lists({"h": ["c"]}, items=train.items)
    np.testing.assert_allclose(model.score(unseen_last)[0], pop)  # no transitions from c: popularity


# --------------------------------------------------------------------------- attention models
def test_causal_masking_no_position_attends_to_a_later_one():
    seqs = _cycle_sequences()
    model = sq.SASRec(**SMALL).fit(seqs)
    tokens = torch.tensor([[0, 1, 2, 3, 4, 5]])
    encoder = model.net_.encoder
    encoder.eval()
    with torch.no_grad():
        before = encoder(tokens, causal=True)
        changed = tokens.clone()
        changed[0, 4:] = torch.tensor([1, 1])
        after = encoder(changed, causal=True)
    torch.testing.assert_close(before[0, :4], after[0, :4])  # earlier positions do not see the change
    assert not torch.allclose(before[0, 4], after[0, 4])
    weights = encoder.blocks[0].attention.last_weights[0]  # (heads, L, L)
    assert torch.all(weights.triu(diagonal=1) == 0)


def test_padding_gets_no_attention_and_no_loss():
    seqs = _cycle_sequences()
    model = sq.SASRec(**SMALL).fit(seqs)
    encoder = model.net_.encoder
    tokens = torch.tensor([[0, 0, 0, 3, 4, 5], [1, 2, 3, 4, 5, 1]])
    with torch.no_grad():
        hidden = encoder(tokens, causal=True)
    weights = encoder.blocks[0].attention.last_weights
    assert torch.all(weights[0, :, :, :3] == 0)  # no query attends to the padding keys
    assert torch.all(hidden[0, :3] == 0)
    window = torch.tensor([[0, 0, 0, 3, 4, 5, 1]])
    _, n = model._batch_loss(model.net_, window, torch.Generator().manual_seed(0))
    assert n == 3  # only the three real inputs predict something
    assert model.net_.encoder.token.weight[0].abs().sum() == 0


def test_mask_items_masks_what_it_says_and_never_padding():
    tokens = torch.randint(1, 50, (400, 20))
    tokens[:, :5] = 0  # left padding
    tokens[0] = 0  # an all-padding row
    before = tokens.clone()
    inputs, targets = sq.mask_items(tokens, 0.3, 99, torch.Generator().manual_seed(1))
    torch.testing.assert_close(tokens, before)
    masked = targets != 0
    assert torch.all(inputs[masked] == 99) and torch.all(targets[masked] == tokens[masked])
    assert torch.all(inputs[~masked] == tokens[~masked])
    assert not masked[:, :5].any() and not masked[0].any()
    assert masked[1:].any(dim=1).all()  # every row with items teaches something
    assert abs(masked[1:].float().sum() / (tokens[1:] != 0).sum() - 0.3) < 0.02
    with pytest.raises(ValueError, match="mask_prob"):
        sq.mask_items(tokens, 0.0, 99, torch.Generator())


@pytest.mark.parametrize("cls", [sq.SASRec, sq.BERT4Rec])
def test_attention_models_learn_a_cycle_and_give_shapes(cls):
    seqs = _cycle_sequences()
    hist, truth = sq.leave_last_out(seqs)
    params = dict(SMALL, epochs=40, lr=0.01)
    model = cls(**params).fit(hist)
    scores = model.score(hist)
    assert scores.shape == (hist.n_users, seqs.n_items)
    recs = model.recommend(hist, k=2)
    assert len(recs) == 2 * hist.n_users and set(recs[C.RANK]) == {1, 2}
    assert per_user_metrics(recs, truth, 1)["hit_rate"].mean() > 0.9
    assert model.history_["train_loss"].iloc[-1] < model.history_["train_loss"].iloc[0]


def test_bert4rec_appends_the_mask_token_to_predict():
    seqs = _cycle_sequences()
    model = sq.BERT4Rec(**SMALL).fit(seqs)
    tokens = model._predict_tokens(seqs)
    assert tokens.shape == (seqs.n_users, SMALL["max_len"])
    assert (tokens[:, -1] == model.mask_token_).all() and model.mask_token_ == seqs.n_items + 1
    np.testing.assert_array_equal(tokens[:, :-1], seqs.padded(SMALL["max_len"])[:, 1:])


def test_early_stopping_keeps_the_best_epoch():
    seqs = _cycle_sequences()
    hist, truth = sq.leave_last_out(seqs)
    train, val = sq.leave_last_out(hist)
    model = sq.SASRec(**dict(SMALL, epochs=6, patience=1)).fit(train, validation=(train, val))
    history = model.history_
    assert "val_ndcg" in history and model.best_epoch_ == history["val_ndcg"].idxmax()
    assert len(history) <= 6 and model.epoch_seconds_ > 0


def test_same_random_state_same_model_and_global_rng_untouched():
    seqs = _cycle_sequences()
    state = torch.get_rng_state()
    first = sq.SASRec(**dict(SMALL, dropout=0.3)).fit(seqs).score(seqs)
    assert torch.equal(state, torch.get_rng_state())
    second = sq.SASRec(**dict(SMALL, dropout=0.3)).fit(seqs).score(seqs)
    np.testing.assert_array_equal(first, second)
    other = sq.SASRec(**dict(SMALL, dropout=0.3, random_state=1)).fit(seqs).score(seqs)
    assert not np.array_equal(first, other)


def test_leave_last_out_ndcg_agrees_with_sklearn():
    from sklearn.metrics import ndcg_score

    seqs = _cycle_sequences(n_users=12, length=6)
    hist, truth = sq.leave_last_out(seqs)
    model = sq.SASRec(**SMALL).fit(hist)
    ours = per_user_metrics(model.recommend(hist, k=3), truth, 3)["ndcg"].to_numpy()
    scores = model.score(hist)
    relevant = np.zeros_like(scores)
    relevant[np.arange(len(truth)), hist.items.get_indexer(truth[C.ITEM])] = 1
    order = pd.Index(hist.users).get_indexer(per_user_metrics(model.recommend(hist, k=3), truth, 3).index)
    expected = [ndcg_score(relevant[[i]], scores[[i]], k=3) for i in order]
    np.testing.assert_allclose(ours, expected)


# --------------------------------------------------------------------------- estimator contract and bad input
@pytest.mark.parametrize("model", [sq.MostPopular(), sq.BuyItAgain(), sq.ItemTransitions(), sq.SASRec(**SMALL), sq.BERT4Rec(**SMALL)])
def test_estimator_contract(model):
    seqs = _cycle_sequences(n_users=6, length=5)
    with pytest.raises(NotFittedError):
        model.score(seqs)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert model.fit(seqs) is model
    assert not hasattr(copy, "items_")


def test_nothing_is_mutated():
    events = _events()
    before = events.copy()
    seqs = sq.build_sequences(events)
    pd.testing.assert_frame_equal(events, before)
    codes, indptr = seqs.codes.copy(), seqs.indptr.copy()
    for model in (sq.BuyItAgain(), sq.ItemTransitions(), sq.SASRec(**SMALL)):
        model.fit(seqs).recommend(seqs, k=2, exclude_seen=True)
        sq.leave_last_out(seqs)
    np.testing.assert_array_equal(seqs.codes, codes)
    np.testing.assert_array_equal(seqs.indptr, indptr)


def test_bad_input_raises_named_errors():
    events = _events()
    with pytest.raises(ValueError, match="histories: expected at least one item.*'u2'"):
        sq.sequences_from_lists({"u1": ["a"], "u2": []})
    with pytest.raises(ValueError, match="events"):
        sq.build_sequences(events.iloc[:0])
    backwards = events.assign(**{C.TIMESTAMP: [3, 1, 2, 2, 5, 9]})
    with pytest.raises(ValueError, match="events: expected non-decreasing 'timestamp'.*'u1'"):
        sq.build_sequences(backwards)
    with pytest.raises(ValueError, match="events"):
        sq.build_sequences(events.drop(columns=C.TIMESTAMP))
    with pytest.raises(TypeError, match="events"):
        sq.build_sequences(events.assign(**{C.TIMESTAMP: "x"}))
    with pytest.raises(ValueError, match="unknown"):
        sq.build_sequences(events, unknown="ignore")
    seqs = sq.build_sequences(events)
    model = sq.BuyItAgain().fit(seqs)
    for k in (0, -1):
        with pytest.raises(ValueError, match="k"):
            model.recommend(seqs, k=k)
    with pytest.raises(TypeError, match="k"):
        model.recommend(seqs, k=1.5)
    other = sq.sequences_from_lists({"x": ["q"]})
    with pytest.raises(ValueError, match="histories: expected sequences encoded with the model's items"):
        model.score(other)
    with pytest.raises(TypeError, match="sequences"):
        sq.BuyItAgain().fit(events)
    with pytest.raises(TypeError, match="validation"):
        sq.SASRec(**SMALL).fit(seqs, validation=seqs)
    with pytest.raises(ValueError, match="decay"):
        sq.BuyItAgain(decay=0).fit(seqs)
    with pytest.raises(ValueError, match="smoothing"):
        sq.ItemTransitions(smoothing=-1).fit(seqs)
    with pytest.raises(ValueError, match="n_heads"):
        sq.SASRec(**dict(SMALL, n_heads=3)).fit(seqs)
    with pytest.raises(ValueError, match="max_len"):
        sq.SASRec(**dict(SMALL, max_len=0)).fit(seqs)
    with pytest.raises(ValueError, match="mask_prob"):
        sq.BERT4Rec(**dict(SMALL, mask_prob=1.0)).fit(seqs)
    with pytest.raises(TypeError, match="random_state"):
        sq.SASRec(**dict(SMALL, random_state="seed")).fit(seqs)
    with pytest.raises(ValueError, match="sequences"):
        sq.leave_last_out(sq.sequences_from_lists({"x": ["a"]}))


def test_most_popular_scores_training_shares_for_everyone():
    train = sq.sequences_from_lists({"t1": list("aab"), "t2": list("ac")})
    scores = sq.MostPopular().fit(train).score(train)
    np.testing.assert_allclose(scores, [[0.6, 0.2, 0.2]] * 2)


def test_fitted_attention_model_survives_pickling():
    import pickle

    seqs = _cycle_sequences(n_users=6, length=5)
    model = sq.SASRec(**SMALL).fit(seqs)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.score(seqs), model.score(seqs))


def test_lesson_20_quiz_answers_are_checked(capsys):
    # the quiz lives in QUIZ, next to EXERCISES (which tests/test_exercises.py covers)
    from pmkt_lessons.exercises import lesson_20

    assert 3 <= len(lesson_20.QUIZ) <= 5
    for question in lesson_20.QUIZ:
        assert question.kind == "concept"
        assert question.evaluate(question.reference()).correct
        assert all(question.evaluate(wrong).status == "wrong" for wrong in question.wrong_answers())
        question.check(...)
        assert "not attempted yet" in capsys.readouterr().out
