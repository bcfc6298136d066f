"""Exercises of lesson 17 (bandits and off-policy evaluation).

Introduced in lesson 17.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..bandits import (
    action_distribution,
    effective_sample_size,
    lookup_probabilities,
    snips_estimate,
)
from ..data import load_open_bandit
from . import Exercise, function_checker, number_checker, quiz_question

CTRS = [0.01, 0.02, 0.04]
HORIZON = 20_000
RANDOM_REGRET = HORIZON * (max(CTRS) - float(np.mean(CTRS)))  # 333.3 clicks

TINY_REWARDS = [1, 0, 0, 1, 0]
TINY_LOGGING = [0.5, 0.25, 0.25, 0.5, 0.5]
TINY_TARGET = [0.2, 0.6, 0.6, 0.2, 0.2]
TINY_IPS = float(np.mean(np.array(TINY_TARGET) / np.array(TINY_LOGGING) * np.array(TINY_REWARDS)))  # 0.16
TINY_SNIPS = 0.8 / 6.0

BTS_FROM_RANDOM_ESS = 2638.873


ex1 = Exercise(
    name="17.1 the price of never learning",
    question=(
        f"A uniform-random policy shows three creatives with CTRs {CTRS}. What is its expected "
        f"cumulative regret (clicks lost against always showing the best) after {HORIZON:,} "
        "impressions? (answer: a float)"
    ),
    checker=number_checker(
        RANDOM_REGRET,
        "the expected regret",
        {
            max(CTRS) - float(np.mean(CTRS)): "that is the regret of one impression; multiply by the number of impressions.",
            HORIZON * max(CTRS): "that is the clicks of the best creative; regret is what random play loses against it.",
            HORIZON * float(np.mean(CTRS)): "that is the clicks random play gets; regret is what it loses against the best.",
        },
        trap_tol=1e-6,
    ),
    hint_text="Random play never learns, so every impression loses the same amount on average.",
    hint_code="Section 1 computes RANDOM_LOSS = CTRS.max() - CTRS.mean() per impression for the lesson's five creatives.",
    solution_code=(
        f"ctrs = {CTRS}\n"
        "# each impression shows the best creative only 1/3 of the time: it loses max - mean on average\n"
        f"answer = {HORIZON} * (max(ctrs) - sum(ctrs) / len(ctrs))"
    ),
    reference=lambda: RANDOM_REGRET,
    wrong_answers=lambda: [RANDOM_REGRET / HORIZON, HORIZON * max(CTRS), HORIZON * float(np.mean(CTRS)), 90.0, "333.3"],
)


ex2 = Exercise(
    name="17.2 IPS by hand",
    question=(
        f"A log of five impressions has clicks {TINY_REWARDS}; the logging policy had shown each "
        f"action with probability {TINY_LOGGING}, and the new policy would show it with probability "
        f"{TINY_TARGET}. What is the IPS estimate of the new policy's CTR? (answer: a float)"
    ),
    checker=number_checker(
        TINY_IPS,
        "your IPS estimate",
        {
            float(np.mean(TINY_REWARDS)): "that is the logging policy's own click rate; reweight each row by target / logging.",
            TINY_SNIPS: "that is the self-normalised estimate (divided by the sum of weights); IPS divides by n.",
            0.8: "that is the sum of the weighted clicks; IPS is their mean over the five rows.",
        },
        trap_tol=1e-6,
    ),
    hint_text=(
        "Each logged click counts more or less according to how much more (or less) often the new "
        "policy would have made that choice than the logging policy did."
    ),
    hint_code="Section 5: w = target_probs / logging_probs, and IPS is the mean of w * click (ips_estimate).",
    solution_code=(
        f"r = np.array({TINY_REWARDS})\n"
        "# the weight says how much more often the new policy would have shown this action\n"
        f"w = np.array({TINY_TARGET}) / np.array({TINY_LOGGING})\n"
        "answer = np.mean(w * r)"
    ),
    reference=lambda: TINY_IPS,
    wrong_answers=lambda: [float(np.mean(TINY_REWARDS)), TINY_SNIPS, 0.8, "0.16"],
)


@cache
def _bts_from_random_ess() -> float:
    random_log = load_open_bandit("random").log
    bts_policy = action_distribution(load_open_bandit("bts").log)
    weights = lookup_probabilities(bts_policy, random_log) / random_log["propensity_score"].to_numpy()
    return effective_sample_size(weights)


ex3 = Exercise(
    name="17.3 how much is the log worth",
    question=(
        "When we evaluate the Thompson-sampling policy on the random log, each row gets the weight "
        "pi_bts(item | position) / propensity_score. What is Kish's effective sample size "
        "(sum w)^2 / sum w^2 of these 10,000 weights? (answer: a float)"
    ),
    checker=number_checker(
        BTS_FROM_RANDOM_ESS,
        "the effective sample size",
        {10_000: "10,000 is the number of rows; the unequal weights make the log worth fewer."},
        sig=3,
    ),
    hint_text=(
        "Equal weights would keep all 10,000 rows' worth of information; the more unequal the "
        "weights, the fewer rows the estimate effectively rests on."
    ),
    hint_code=(
        "Section 5 builds the weights w (action_distribution of the bts log, lookup_probabilities on "
        "the random log, divided by propensity_score); then pmkt_lessons.bandits.effective_sample_size(w)."
    ),
    solution_code=(
        "from pmkt_lessons.bandits import effective_sample_size\n"
        "random_log = load_open_bandit('random').log\n"
        "bts_policy = action_distribution(load_open_bandit('bts').log)\n"
        "w = lookup_probabilities(bts_policy, random_log) / random_log['propensity_score'].to_numpy()\n"
        "# Kish: (sum w)^2 / sum w^2; the estimate is about as noisy as a mean of this many equal rows\n"
        "answer = effective_sample_size(w)"
    ),
    reference=_bts_from_random_ess,
    wrong_answers=lambda: [10_000, 9_970, 100.0],
)



# --- 17.4: write SNIPS -----------------------------------------------------------------------


def _snips_reference(rewards, target_probs, logging_probs):
    return snips_estimate(rewards, target_probs, logging_probs)


def _snips_cases(rng):
    cases = [(np.array(TINY_REWARDS, dtype=float), np.array(TINY_TARGET), np.array(TINY_LOGGING))]
    for n in (20, 500):
        logging = rng.uniform(0.05, 1.0, n)
        cases.append(((rng.random(n) < 0.1).astype(float), rng.uniform(0.0, 1.0, n), logging))
    return cases


ex4 = Exercise(
    name="17.4 write SNIPS",
    question=(
        "Write a function `snips(rewards, target_probs, logging_probs)` that takes three numpy arrays "
        "of a log and returns the self-normalised IPS estimate of the target policy's mean reward. "
        "(answer: the function)"
    ),
    checker=function_checker(_snips_reference, _snips_cases, "snips(rewards, target_probs, logging_probs)"),
    hint_text="Like IPS, but the weighted rewards are averaged with the weights themselves as the denominator.",
    hint_code="Section 5's list of the three estimators: SNIPS divides by the sum of the weights instead of n.",
    solution_code=(
        "def snips(rewards, target_probs, logging_probs):\n"
        "    w = target_probs / logging_probs\n"
        "    # a weighted mean: always within the range of the rewards, slightly biased, less variable\n"
        "    return np.sum(w * rewards) / np.sum(w)\n"
        "answer = snips"
    ),
    reference=lambda: _snips_reference,
    wrong_answers=lambda: [
        lambda r, t, lg: np.mean(t / lg * r),                    # IPS
        lambda r, t, lg: np.sum(lg / t * r) / np.sum(lg / t),    # weights upside down
        lambda r, t, lg: np.sum(t / lg * r) / len(r),            # IPS again
        0.13,
    ],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3, ex4]



QUIZ = [
    quiz_question(
        "17.q1 fixed exploration",
        "Why does epsilon-greedy (epsilon = 0.1) fall behind Thompson sampling as the impressions add up?",
        {
            "a": "Because its estimates of the CTRs are biased.",
            "b": "It keeps showing a random creative to 10 % of the traffic forever, even once it is sure of the best, so its regret grows on a straight line.",
            "c": "Because it explores too little at the start.",
            "d": "It does not fall behind; the two are equivalent in the long run.",
        },
        correct="b",
        explanation=(
            "Fixed exploration costs epsilon x (best CTR - mean CTR) per impression, for ever. "
            "Thompson sampling explores in proportion to its doubt, which shrinks as evidence grows, "
            "so its regret curve flattens."
        ),
    ),
    quiz_question(
        "17.q2 a world that changes",
        "After the best creative's CTR drops, why does a Thompson sampler that counts every impression since the start keep showing it for a long time?",
        {
            "a": "Because Thompson sampling cannot handle more than five creatives.",
            "b": "Its belief rests on thousands of old impressions; the new evidence needs about as many impressions again to outweigh them. Discounting or a sliding window lets old evidence fade.",
            "c": "Because its random draws are seeded.",
            "d": "Because the switch is too small to detect.",
        },
        correct="b",
        explanation=(
            "A Beta belief with thousands of pseudo-counts hardly moves per impression. Forgetting "
            "(discount 0.999, window 1,000) trades a little extra exploration while nothing moves for "
            "a much faster reaction when something does."
        ),
    ),
    quiz_question(
        "17.q3 logging without randomness",
        "A shop logged a deterministic policy: each user always saw the item its old model ranked first. Why can it not evaluate a new policy from that log with IPS?",
        {
            "a": "Because IPS needs at least a million rows.",
            "b": "Actions the old policy never takes have logging probability 0, so the log says nothing about them: the new policy is outside the log's support.",
            "c": "Because the clicks were not logged with timestamps.",
            "d": "It can, if the new policy is similar enough.",
        },
        correct="b",
        explanation=(
            "IPS divides by the logging probability; where it is 0 there is no data to reweight. "
            "Keep randomisation in production (a uniform slice, or never a tiny probability) and log "
            "the propensities at decision time."
        ),
        traps={"d": "Even a similar policy takes some actions the deterministic one never took; those have no data."},
    ),
    quiz_question(
        "17.q4 the nominal 95 %",
        "The IPS interval's 95 % covered the truth in only 90 % of the simulated logs. Why?",
        {
            "a": "Because IPS is biased.",
            "b": "With about 34 clicks per log the estimate's distribution is skewed, and a symmetric normal interval is too short on one side.",
            "c": "Because 300 simulated logs are too few to measure coverage.",
            "d": "Because the bootstrap was not used.",
        },
        correct="b",
        explanation=(
            "The simulation showed IPS unbiased (its mean hit the truth), yet the normal interval "
            "undercovered: rare events make a few rows decide the estimate. Read such intervals as "
            "optimistic, and get more clicks (more traffic, or a more frequent signal) before deciding."
        ),
        traps={"a": "Averaged over the 300 logs, IPS hit the truth within its standard error: unbiased, but skewed."},
    ),
]
