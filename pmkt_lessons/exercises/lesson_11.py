"""Exercises of lesson 11 (CTR prediction basics): hash collisions on the log, calibration of the
crosses model, normalised entropy as a function; and the concept quiz.

The references rebuild the lesson's simulated log (``simulate_click_log(150_000,
random_state=11, interaction_scale=1.3)``, first half for training).
Introduced in lesson 11.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..ctr.encoding import FieldEncoder, hash_collisions
from ..ctr.metrics import binary_entropy, calibration_ratios, log_loss, normalized_entropy
from ..simulate.clicks import (
    CATEGORICAL_FIELDS,
    NUMERIC_FIELDS,
    PLANTED_INTERACTIONS,
    simulate_click_log,
)
from . import Exercise, function_checker, number_checker, quiz_question

N_BUCKETS = 512
"""Exercise 11.1 hashes the training fields into this many buckets (the lesson shows 16 to 4,096)."""


@cache
def _log():
    log = simulate_click_log(150_000, random_state=11, interaction_scale=1.3)
    return log.iloc[:75_000], log.iloc[75_000:]


@cache
def _collisions() -> dict:
    train, _ = _log()
    return hash_collisions(train, list(CATEGORICAL_FIELDS), N_BUCKETS)


def _collision_rate() -> float:
    return float(_collisions()["collision_rate"])


def _check_collisions(answer):
    stats = _collisions()
    traps = {
        stats["expected_rate"]: "that is what a uniform random hash would give (expected_rate); measure the real collisions.",
        stats["colliding_tokens"]: "that is the number of colliding tokens; give their share of all tokens.",
        1 - stats["collision_rate"]: "that is the share of tokens alone in their bucket; the question asks for the colliding ones.",
        stats["buckets_used"] / N_BUCKETS: "that is the share of buckets used, not of tokens that collide.",
    }
    return number_checker(stats["collision_rate"], "the share of colliding tokens", traps, share=True)(answer)


ex1 = Exercise(
    name="11.1 collisions at 512 buckets",
    question=(
        f"Hash the 8 categorical fields of the lesson's training rows into {N_BUCKETS} buckets. What "
        "share of the distinct 'field=value' tokens share their bucket with at least one other token? "
        "(answer: a number between 0 and 1)"
    ),
    checker=_check_collisions,
    hint_text="A token collides when its bucket holds at least one other distinct token; count those tokens and divide by all tokens.",
    hint_code="hash_collisions(train, fields, n_buckets) from section 2.2 returns the measured and the expected rate.",
    solution_code=(
        "# the measured rate on the real tokens, not the uniform-hash estimate: chance moves it either way\n"
        "answer = hash_collisions(train, list(CATEGORICAL_FIELDS), 512)['collision_rate']"
    ),
    reference=_collision_rate,
    wrong_answers=lambda: [
        _collisions()["expected_rate"], _collisions()["colliding_tokens"], 1 - _collision_rate(), "0.3",
    ],
)


def _with_crosses(frame):
    out = frame[list(CATEGORICAL_FIELDS) + list(NUMERIC_FIELDS)].copy()
    for a, b in PLANTED_INTERACTIONS:
        out[f"{a}_x_{b}"] = frame[a].astype(str) + "|" + frame[b].astype(str)
    return out


@cache
def _cross_calibration():
    from sklearn.linear_model import LogisticRegression

    train, test = _log()
    fields = list(CATEGORICAL_FIELDS) + [f"{a}_x_{b}" for a, b in PLANTED_INTERACTIONS]
    encoder = FieldEncoder(fields, list(NUMERIC_FIELDS)).fit(_with_crosses(train))
    model = LogisticRegression(max_iter=2000).fit(encoder.one_hot(_with_crosses(train)), train["click"])
    p = model.predict_proba(encoder.one_hot(_with_crosses(test)))[:, 1]
    return calibration_ratios(test["click"], p, n_bins=10)


def _lowest_decile_ratio() -> float:
    return float(_cross_calibration()["ratio"].iloc[0])


def _check_ratio(answer):
    table = _cross_calibration()
    first = table.iloc[0]
    traps = {
        1 / first["ratio"]: "that is predicted / observed; the lesson's ratio is observed / predicted (above 1 = under-predicted).",
        first["observed_rate"] - first["mean_predicted"]: "that is the absolute gap; the question asks for the ratio observed / predicted.",
        float(table["ratio"].iloc[-1]): "that is the top decile; the question asks about the lowest predictions.",
    }
    return number_checker(first["ratio"], "the observed / predicted ratio of the lowest decile", traps)(answer)


ex2 = Exercise(
    name="11.2 calibration with the crosses",
    question=(
        "Section 5 fits logistic regression with the planted crosses (p_cross). In the decile of its "
        "lowest test predictions, what is the ratio observed click rate / mean prediction? "
        "(answer: a float; 1 = calibrated, above 1 = under-predicted)"
    ),
    checker=_check_ratio,
    hint_text="Sort the test impressions by the crosses model's prediction, take the lowest tenth, and compare its click rate with its mean prediction, as a ratio.",
    hint_code="calibration_ratios(y_test, p_cross, n_bins=10) from section 4 gives the ratio per decile; the first row is the lowest.",
    solution_code=(
        "# the ratio, not the gap: at a 0.5 % click rate a gap of 0.003 is a factor of two\n"
        "table = calibration_ratios(y_test, p_cross, n_bins=10)\n"
        "answer = table['ratio'].iloc[0]\n"
        "# read its interval too (table[['ratio_low', 'ratio_high']].iloc[0]): with a handful of clicks\n"
        "# in the decile it is wide, and here it contains 1, so this miss may be noise"
    ),
    reference=_lowest_decile_ratio,
    wrong_answers=lambda: [
        1 / _lowest_decile_ratio(),
        float(_cross_calibration()["ratio"].iloc[-1]),
        float(_cross_calibration()["observed_rate"].iloc[0] - _cross_calibration()["mean_predicted"].iloc[0]),
    ],
)


def _ne_cases(rng):
    cases = []
    for n, rate in ((20, 0.3), (200, 0.05), (1000, 0.5), (50, 0.1)):
        y = (rng.random(n) < rate).astype(int)
        y[:2] = [1, 0]  # both labels present
        cases.append((y, rng.uniform(0.01, 0.99, n)))
    cases.append((np.array([0, 0, 1, 0]), np.array([0.1, 0.2, 0.7, 0.1])))
    return cases


def _ne_reference(y, p):
    return normalized_entropy(y, p)


ex3 = Exercise(
    name="11.3 write normalised entropy",
    question=(
        "Write a function `ne(y, p)` that takes 0/1 labels and predicted probabilities (numpy arrays "
        "of the same length, both labels present) and returns the normalised entropy: the log loss "
        "of p divided by the log loss of predicting the observed click rate for every row. "
        "(answer: the function)"
    ),
    checker=function_checker(_ne_reference, _ne_cases, "ne(y, p)"),
    hint_text="Two log losses: the model's, and that of a model that knows only the average click rate of these labels.",
    hint_code="Section 4 defines both; mean of -(y log p + (1 - y) log(1 - p)), and the same with p replaced by y.mean().",
    solution_code=(
        "import numpy as np\n"
        "def ne(y, p):\n"
        "    model = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n"
        "    rate = y.mean()   # the base rate of THESE labels: NE = 1 means no better than the average\n"
        "    base = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))\n"
        "    return model / base\n"
        "answer = ne"
    ),
    reference=lambda: _ne_reference,
    wrong_answers=lambda: [
        log_loss,
        lambda y, p: log_loss(y, p) / binary_entropy(float(np.mean(p))),
        lambda y, p: binary_entropy(float(np.mean(y))) / log_loss(y, p),
        0.85,
    ],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "11.q1 what AUC cannot see",
        "Model A predicts p for every impression; model B predicts p / 3. How do their AUC and log loss compare?",
        {
            "a": "Same AUC, different log loss: AUC depends only on the order of the predictions, log loss on their values.",
            "b": "B has a lower AUC, because its predictions are smaller.",
            "c": "Same AUC and same log loss: both rank the impressions alike.",
            "d": "B has a higher AUC, because it is more cautious.",
        },
        correct="a",
        explanation=(
            "Dividing by 3 keeps every pair of impressions in the same order, so AUC cannot change; but a "
            "prediction of 0.02 for an impression clicked 6 % of the time costs log loss. A bid is "
            "proportional to the predicted CTR, so a model with a fine AUC and a biased scale over- or "
            "under-bids on every impression: check calibration as well as ranking."
        ),
    ),
    quiz_question(
        "11.q2 calibration at a 5 % CTR",
        "A decile predicted 0.003 is clicked at 0.008; the top decile predicted 0.19 is clicked at 0.21. Which statement is right?",
        {
            "a": "The top decile is the worse miss, because its gap (0.02) is the larger one.",
            "b": "Both are well calibrated: every gap is below 0.02.",
            "c": "The low decile is the worse miss: it is clicked 2.7 times as often as predicted, the top one only 1.1 times; at small rates judge the ratio, not the gap.",
            "d": "Calibration cannot be judged below a 1 % CTR.",
        },
        correct="c",
        explanation=(
            "An absolute tolerance such as 0.02 is as large as the whole click rate of most impressions, "
            "so it passes almost any miss among them. Bids scale with the prediction, so a factor of 2.7 "
            "means bidding a third of what the impression is worth. Plot reliability on log axes, or the "
            "ratio observed / predicted with its interval, decile by decile."
        ),
    ),
    quiz_question(
        "11.q3 a random split of a click log",
        "This lesson splits its log into two halves by row order and calls that a fair test. When would that be wrong?",
        {
            "a": "Never: a split in two halves is always fair.",
            "b": "When the rows are a real log in time order: CTR, creatives and traffic drift, and a test set drawn from the same weeks as training hides that drift; split by time instead.",
            "c": "Only when the log has fewer than 100,000 rows.",
            "d": "Only when the two halves have different click rates.",
        },
        correct="b",
        explanation=(
            "The simulated rows are independent draws from one fixed world, so any split is fair here. A "
            "real log is a time series: new creatives and sites appear, the CTR moves with the season, and "
            "the model will be used on *later* traffic. Train on earlier days and test on later ones, as "
            "lessons 12 and 13 do with Bank Marketing."
        ),
    ),
    quiz_question(
        "11.q4 the ceiling below 1",
        "Why is the AUC of the true click probabilities (0.894) well below 1?",
        {
            "a": "Because the simulator adds noise to the probabilities it reports.",
            "b": "Because the test set is too small to measure it.",
            "c": "Because clicks are random even when the probability is known: an impression with p = 0.3 goes unclicked 70 % of the time, so no score can order every click above every non-click.",
            "d": "Because logistic regression was used to compute it.",
        },
        correct="c",
        explanation=(
            "The Bayes ceiling is the best any model can do with these features: the uncertainty that is "
            "left is in the coin flip itself. That is why the lesson measures each model's *gap* to the "
            "ceiling rather than its distance to 1, and why a real team, with no ceiling to compare with, "
            "should be wary of big claims from small AUC gains."
        ),
    ),
]
