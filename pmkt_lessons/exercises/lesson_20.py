"""Exercises and concept quiz of lesson 20 (sequential recommendation).

``EXERCISES`` holds the three exercises; ``QUIZ`` the "Check your
understanding" questions (``quiz1`` .. ``quiz4``). Introduced in lesson 20.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import load_movielens_100k
from ..recsys import per_user_metrics
from ..recsys import sequential as sq
from . import Exercise, function_checker, number_checker, quiz_question
from ._online_retail import clean as cleaned_online_retail


@cache
def _movielens_split():
    seqs = sq.build_sequences(sq.movielens_events(load_movielens_100k().ratings))
    return sq.leave_last_out(seqs)


@cache
def _transitions_hr(smoothing: float) -> float:
    hist, truth = _movielens_split()
    recs = sq.ItemTransitions(smoothing=smoothing).fit(hist).recommend(hist, k=10, exclude_seen=True)
    return float(per_user_metrics(recs, truth, 10)["hit_rate"].mean())


@cache
def _transitions_ndcg(smoothing: float) -> float:
    hist, truth = _movielens_split()
    recs = sq.ItemTransitions(smoothing=smoothing).fit(hist).recommend(hist, k=10, exclude_seen=True)
    return float(per_user_metrics(recs, truth, 10)["ndcg"].mean())


def _check_hr(answer):
    return number_checker(
        _transitions_hr(0.0), "HR@10 of the unsmoothed transition model",
        traps={
            _transitions_ndcg(0.0): "that is NDCG@10; HR@10 is the share of users whose target is in the top 10.",
            _transitions_hr(1.0): "that is the smoothed model (smoothing=1.0); set smoothing=0.0.",
            _transitions_hr(0.1): "that is section 5's model (smoothing=0.1); set smoothing=0.0.",
        },
        share=True,
    )(answer)


ex1 = Exercise(
    name="20.1 transitions without a prior",
    question=(
        "On MovieLens leave-last-out (m_hist, m_truth of section 5), fit sq.ItemTransitions(smoothing=0.0) "
        "on m_hist and recommend 10 films per user with exclude_seen=True. What is its HR@10? (a float)"
    ),
    checker=_check_hr,
    hint_text='Without a prior, a transition model can only recommend items that followed the last item in the training sequences.',
    hint_code="recs = model.recommend(m_hist, k=10, exclude_seen=True); then rs.per_user_metrics(recs, m_truth, 10).",
    solution_code=(
        "model = sq.ItemTransitions(smoothing=0.0).fit(m_hist)\n"
        "recs = model.recommend(m_hist, k=10, exclude_seen=True)\n"
        "answer = rs.per_user_metrics(recs, m_truth, 10)['hit_rate'].mean()"
    ),
    reference=lambda: _transitions_hr(0.0),
    wrong_answers=lambda: [_transitions_ndcg(0.0), _transitions_hr(1.0), _transitions_hr(0.1), 1.5, "0.1"],
)


PAD_CASES = [([4, 5], 4), ([1, 2, 3, 4, 5], 3), ([7], 1), ([3, 1, 2], 3), ([9, 8], 5)]


def _expected_pad(items, length):
    kept = list(items)[-length:]
    return [0] * (length - len(kept)) + kept


def _check_left_pad(func):
    return function_checker(_expected_pad, [(list(items), length) for items, length in PAD_CASES], "left_pad")(func)


ex2 = Exercise(
    name="20.2 left padding",
    question=(
        "Write left_pad(items, length): the last `length` items of the list, left-padded with zeros to "
        "exactly `length` entries, as a list. Example: left_pad([4, 5], 4) == [0, 0, 4, 5]."
    ),
    checker=_check_left_pad,
    hint_text='Sequence models look at the most recent items; padding goes in front so the last position is always the latest item.',
    hint_code="Keep items[-length:], then put (length - len(kept)) zeros in front.",
    solution_code=(
        "def left_pad(items, length):\n"
        "    kept = list(items)[-length:]\n"
        "    return [0] * (length - len(kept)) + kept"
    ),
    reference=lambda: _expected_pad,
    wrong_answers=lambda: [
        lambda items, length: list(items)[-length:] + [0] * (length - len(list(items)[-length:])),  # right pad
        lambda items, length: [0] * max(0, length - len(items)) + list(items),  # never truncates
        lambda items, length: [0] * (length - len(items[:length])) + list(items[:length]),  # keeps the oldest
        "left_pad",
    ],
    kind="function",
)


@cache
def _retail_repeat_share() -> float:
    seqs = sq.build_sequences(sq.retail_events(cleaned_online_retail()))
    hist, truth = sq.leave_last_out(seqs)
    seen = hist.matrix()
    cols = hist.items.get_indexer(truth["item_id"])
    rows = hist.users.get_indexer(truth["user_id"])
    had = np.zeros(len(truth), dtype=bool)
    known = cols >= 0
    had[known] = np.asarray(seen[rows[known], cols[known]]).ravel() > 0
    return float(had.mean())


def _check_repeat_share(answer):
    share = _retail_repeat_share()
    return number_checker(
        share, "the share of test products already in the history",
        traps={1 - share: "that is the share of customers whose test product was new to them."},
        share=True,
    )(answer)


ex3 = Exercise(
    name="20.3 how often the next product is a repeat",
    question=(
        "In section 3's leave-last-out split of Online Retail (r_hist, r_truth), for what share of the "
        "customers was the test product already in their history? (a float between 0 and 1)"
    ),
    checker=_check_repeat_share,
    hint_text='A repeat is a test product the customer had already bought before the cut-off; count customers, not purchases.',
    hint_code=(
        "r_hist.matrix() is the customers x products count matrix; look up each (customer, product) of "
        "r_truth with r_hist.users.get_indexer and r_hist.items.get_indexer (an index of -1 is a new product)."
    ),
    solution_code=(
        "seen = r_hist.matrix()\n"
        "rows = r_hist.users.get_indexer(r_truth[C.USER])\n"
        "cols = r_hist.items.get_indexer(r_truth[C.ITEM])\n"
        "known = cols >= 0\n"
        "had = np.zeros(len(r_truth), dtype=bool)\n"
        "had[known] = np.asarray(seen[rows[known], cols[known]]).ravel() > 0\n"
        "answer = had.mean()"
    ),
    reference=_retail_repeat_share,
    wrong_answers=lambda: [1 - _retail_repeat_share(), 45.0, "half"],
)


quiz1 = quiz_question(
    name="20.q1 the causal mask",
    question="Why does SASRec use a causal mask (position t attends only to positions up to t)?",
    options={
        "a": "to make training faster",
        "b": "because it is trained to predict item t+1 at every position t at once; without the mask "
             "position t could read item t+1, the answer",
        "c": "so that padding positions get no attention",
        "d": "because attention cannot handle sequences longer than 50 items",
    },
    correct="b",
    explanation=(
        "Every position predicts the next item in one pass. Without the mask position t could look at "
        "position t+1 and copy it, and the model would learn nothing useful. Padding is handled by a "
        "separate mask on the padding keys."
    ),
    traps={"c": "padding has its own mask (keys that are token 0); the causal mask is about the future."},
)

quiz2 = quiz_question(
    name="20.q2 buy it again",
    question="On Online Retail with repeat purchases in the truth, buy-it-again beats SASRec and ALS. Why?",
    options={
        "a": "the attention model has a bug",
        "b": "many of the shop's customers are businesses re-stocking the same products, so their own "
             "recent purchases are the best guess, and counting them needs no training",
        "c": "buy-it-again sees the test period",
        "d": "full ranking favours simple models",
    },
    correct="b",
    explanation=(
        "A large share of what these customers buy next they bought before. Buy-it-again ranks exactly "
        "those first; a learned model must rediscover it from data, with a limited budget. Check such a "
        "baseline before any neural model."
    ),
)

quiz3 = quiz_question(
    name="20.q3 full ranking",
    question="Why does the lesson rank the whole catalogue instead of the target among 100 sampled items?",
    options={
        "a": "sampling is slower",
        "b": "sampled metrics can change which of two models looks better (Krichene & Rendle 2020)",
        "c": "with sampling HR@10 is always 1",
        "d": "the catalogue is too small to sample from",
    },
    correct="b",
    explanation=(
        "Ranking against a few random items mostly tests whether a model beats unpopular items; Krichene "
        "and Rendle showed that the resulting metrics are not consistent with the full ranking and can "
        "reverse comparisons. With a few thousand items full ranking is cheap."
    ),
)

quiz4 = quiz_question(
    name="20.q4 BERT4Rec replicability",
    question="What did Petrov & Macdonald (2022) find about BERT4Rec?",
    options={
        "a": "it beats SASRec in every published comparison",
        "b": "it never works",
        "c": "its advantage over SASRec is inconsistent across papers, and the original results were "
             "reproduced only with much longer training (up to 30x the default)",
        "d": "it needs a GPU to train at all",
    },
    correct="c",
    explanation=(
        "Their review of 134 comparisons found BERT4Rec's results inconsistent; re-implementations with "
        "default settings fell short, and the original code reached its published numbers only when "
        "trained far longer. Trained long enough, BERT4Rec is state of the art; on a small budget it lags."
    ),
)

EXERCISES = [ex1, ex2, ex3]
QUIZ = [quiz1, quiz2, quiz3, quiz4]
