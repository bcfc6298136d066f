"""Exercises of lesson 10 (neural recommenders): the sampled protocol with another number of
negatives, the chance of a sampled hit as a function, one early-stopping decision; and the quiz.

Exercise 10.1 rebuilds the course split of Online Retail (lesson 06) and the
popularity recommender. Introduced in lesson 10.
"""

from __future__ import annotations

import math
from functools import cache

from .. import recsys as rs
from ..recsys.sampled import (
    positive_ranks,
    rank_metrics,
    sample_candidates,
    sampled_hit_probability,
)
from . import Exercise, function_checker, number_checker, quiz_question, sequence_checker
from ._online_retail import clean

N_NEGATIVES = 20
"""Exercise 10.1 draws this many negatives per purchase (the lesson draws 100)."""

VAL_NDCG = (0.052, 0.071, 0.080, 0.079, 0.083, 0.081, 0.080)
"""Validation NDCG@10 after epochs 1..7, for exercise 10.3."""


@cache
def _popularity_hit_rates() -> dict:
    split = rs.course_split(clean())
    inter = rs.build_interactions(split.train, items=split.catalogue.index)
    scores = rs.PopularityRecommender().fit(inter)
    out = {}
    for n in (N_NEGATIVES, 100):
        held_out = sample_candidates(split.truth, inter, n_negatives=n, random_state=0)
        s = scores.score(held_out.users)
        for protocol in ("sampled", "full"):
            ranks = positive_ranks(s, held_out, protocol)
            out[n, protocol] = float(rank_metrics(ranks, held_out, k=10)["hit_rate"].mean())
    return out


def _check_hit_rate(answer):
    rates = _popularity_hit_rates()
    traps = {
        rates[100, "sampled"]: "that is the lesson's value with 100 negatives; draw 20 this time.",
        rates[N_NEGATIVES, "full"]: "that is the full-ranking hit rate; the question asks for the sampled protocol.",
        10 / (N_NEGATIVES + 1): "that is what a model scoring at random would get (10 of 21 candidates).",
    }
    return number_checker(rates[N_NEGATIVES, "sampled"], "the sampled HR@10 of popularity", traps, share=True)(answer)


ex1 = Exercise(
    name="10.1 twenty negatives",
    question=(
        f"Draw {N_NEGATIVES} negatives per test purchase instead of 100 "
        f"(sample_candidates(split.truth, inter, n_negatives={N_NEGATIVES}, random_state=0)). What is the "
        "sampled HR@10 of the popularity recommender, averaged per customer as in the lesson? "
        "(answer: a number between 0 and 1)"
    ),
    checker=_check_hit_rate,
    hint_text="Fewer negatives make a hit easier still: the purchase now needs to beat only some of 20 random products.",
    hint_code="Section 4: sample_candidates, then positive_ranks(model.score(held_out.users), held_out, 'sampled') and rank_metrics(...)['hit_rate'].mean().",
    solution_code=(
        "held_20 = sample_candidates(split.truth, inter, n_negatives=20, random_state=0)\n"
        "ranks = positive_ranks(models['popularity'].score(held_20.users), held_20, 'sampled')\n"
        "# per customer first, then over customers, as the lesson averages\n"
        "answer = rank_metrics(ranks, held_20, k=10)['hit_rate'].mean()"
    ),
    reference=lambda: _popularity_hit_rates()[N_NEGATIVES, "sampled"],
    wrong_answers=lambda: [
        _popularity_hit_rates()[100, "sampled"], _popularity_hit_rates()[N_NEGATIVES, "full"], 10 / 21, "0.5",
    ],
)


def _hit_cases(rng):
    cases = [(1, 500, 100, 10), (11, 3664, 100, 10), (300, 3664, 100, 10), (50, 1000, 200, 5)]
    for _ in range(6):
        n_others = int(rng.integers(200, 5000))
        cases.append((int(rng.integers(1, n_others + 2)), n_others, int(rng.integers(10, 200)), int(rng.integers(1, 20))))
    return cases


def _hit_reference(full_rank, n_others, n_negatives, k):
    return sampled_hit_probability(full_rank, n_others, n_negatives, k)


def _binomial_version(full_rank, n_others, n_negatives, k):
    from scipy import stats

    return float(stats.binom.cdf(k - 1, n_negatives, (full_rank - 1) / n_others))


ex2 = Exercise(
    name="10.2 the chance of a sampled hit",
    question=(
        "Write a function `p_hit(full_rank, n_others, n_negatives, k)`: a purchase is ranked "
        "`full_rank` among itself and `n_others` other products (so full_rank - 1 of them score above "
        "it); `n_negatives` distinct others are drawn at random. Return the probability that the "
        "purchase is in the top k of the sample. (answer: the function)"
    ),
    checker=function_checker(_hit_reference, _hit_cases, "p_hit(full_rank, n_others, n_negatives, k)"),
    hint_text=(
        "The purchase is a sampled hit when fewer than k of the drawn negatives come from the "
        "full_rank - 1 products above it; drawing without replacement from two groups has a named distribution."
    ),
    hint_code=(
        "scipy.stats.hypergeom.cdf(x, M, n, N): M objects of which n are 'successes', N drawn; "
        "here the successes are the products above the purchase."
    ),
    solution_code=(
        "from scipy import stats\n"
        "def p_hit(full_rank, n_others, n_negatives, k):\n"
        "    # above ~ Hypergeom(M=n_others, n=full_rank - 1, N=n_negatives); a hit when above <= k - 1\n"
        "    return stats.hypergeom.cdf(k - 1, n_others, full_rank - 1, n_negatives)\n"
        "answer = p_hit"
    ),
    reference=lambda: _hit_reference,
    wrong_answers=lambda: [
        _binomial_version,
        lambda full_rank, n_others, n_negatives, k: float(full_rank <= k),
        lambda full_rank, n_others, n_negatives, k: 1 - (full_rank - 1) / n_others,
        0.5,
    ],
    kind="function",
)


def _early_stop(history, patience):
    best, best_epoch, waited = -math.inf, 0, 0
    for epoch, value in enumerate(history, start=1):
        if value > best:
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
        if waited >= patience:
            return epoch, best_epoch
    return len(history), best_epoch


EARLY_STOP = _early_stop(VAL_NDCG, 2)

ex3 = Exercise(
    name="10.3 when does early stopping stop?",
    question=(
        f"Validation NDCG@10 after epochs 1-7 is {list(VAL_NDCG)} (ex.VAL_NDCG). With patience=2 "
        "(stop after 2 epochs in a row without a new best), at which epoch does training stop, and "
        "which epoch's weights does the model keep? Answer with a pair (stop_epoch, kept_epoch) of whole numbers."
    ),
    checker=sequence_checker(
        EARLY_STOP,
        "(stop_epoch, kept_epoch)",
        traps={
            _early_stop(VAL_NDCG, 1): "that is patience 1 (stop at the first epoch without a gain); here patience is 2.",
            (EARLY_STOP[0], EARLY_STOP[0]): "early stopping keeps the weights of the best epoch, not the last one.",
            (EARLY_STOP[1], EARLY_STOP[1]): "training goes on for `patience` epochs after the best one before it stops.",
        },
    ),
    hint_text="Walk the list: a new best resets the count of epochs without gain; training stops when the count reaches the patience.",
    hint_code="Section 2: NeuMF keeps the best epoch's weights (best_epoch_) and stops `patience` epochs after it; ex.VAL_NDCG holds the list.",
    solution_code=(
        "# best 0.083 at epoch 5; epochs 6 and 7 bring no gain (patience 2), so training stops after\n"
        "# epoch 7 and restores the weights of epoch 5\n"
        "answer = (7, 5)"
    ),
    reference=lambda: EARLY_STOP,
    wrong_answers=lambda: [_early_stop(VAL_NDCG, 1), (7, 7), (5, 5), (7.6, 5.6), ("7", "5"), 7],
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "10.q1 why the sampled metric is optimistic",
        "Why is HR@10 computed among a purchase and 100 random unbought products so much higher than HR@10 among all 3,665 products?",
        {
            "a": "Because sampling removes the customers who are hard to recommend for.",
            "b": "Because the purchase only has to beat the few of its 100 random rivals that score above it: a purchase ranked 100th of 3,665 still lands in the sampled top 10 almost surely.",
            "c": "Because the 100 negatives are chosen among the most popular products.",
            "d": "It is not optimistic: the two protocols estimate the same quantity.",
        },
        correct="b",
        explanation=(
            "With N others and n drawn, the number of drawn products above a purchase ranked r is "
            "hypergeometric with mean n (r - 1) / N: about 2.7 for r = 100, n = 100, N = 3,664. So the "
            "sampled HR@10 asks whether the purchase is in roughly the top tenth of the catalogue, a "
            "coarse-order question closer to AUC than to the quality of a top-10 list; and models can "
            "swap places between the two protocols (Krichene & Rendle 2020)."
        ),
    ),
    quiz_question(
        "10.q2 the same budget",
        "A team tunes its new neural recommender on 50 settings and compares it with matrix factorisation run at its defaults. What is wrong?",
        {
            "a": "Nothing, as long as both are evaluated on the same test period.",
            "b": "Matrix factorisation should have been tuned on the test period to be fair.",
            "c": "The comparison measures the tuning budget as much as the model: the baseline must be tuned on the same validation data with a comparable budget, or the result is decided before the experiment starts.",
            "d": "Neural models should never be tuned.",
        },
        correct="c",
        explanation=(
            "Untuned baselines are the most common reason a new model 'wins' (Rendle et al. 2020; "
            "Dacrema et al. 2019). In the lesson both models got the same four settings, the same epochs "
            "and the same early stopping on August, and ended within noise of each other. Tuning on the "
            "test period is never fair: it makes the test score a selection, not an estimate."
        ),
    ),
    quiz_question(
        "10.q3 within noise",
        "On 1,891 customers, NeuMF - MF in NDCG@10 is -0.0016 with a 95 % paired interval [-0.0069, +0.0037]. What can you conclude?",
        {
            "a": "MF is better, because the difference is negative.",
            "b": "The two models are equally good.",
            "c": "This split cannot tell them apart: the data are compatible with either being better by a few thousandths, so neither may be called the winner.",
            "d": "NeuMF is better, because its interval reaches further above zero than MF's.",
        },
        correct="c",
        explanation=(
            "An interval containing 0 means 'no evidence of a difference', not 'no difference'. To claim "
            "a winner you need an interval that excludes 0, or a larger test (more customers, a longer "
            "period). And a difference can be real yet too small to matter: read the interval against the "
            "smallest improvement worth the cost."
        ),
    ),
    quiz_question(
        "10.q4 refit after early stopping",
        "Early stopping on August chose 5 epochs. Why does the lesson then refit on all training data for 5 epochs instead of testing the model that stopped?",
        {
            "a": "The model that stopped never saw August's purchases (or the customers who first bought in August); the refit uses everything before the test period, with the epochs as a chosen hyper-parameter.",
            "b": "Because the early-stopped model is overfitted to August.",
            "c": "To choose the number of epochs on the test period.",
            "d": "The refit is optional: both give the same model.",
        },
        correct="a",
        explanation=(
            "The validation period is carved from the training months to choose settings; once chosen, "
            "the final model should learn from all the data that precede the test period, as it would in "
            "production. The number of epochs transfers approximately (a month more data may move it a "
            "little); what must never happen is looking at the test period to pick it."
        ),
    ),
]
