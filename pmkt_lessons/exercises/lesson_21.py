"""Exercises and the concept quiz of lesson 21 (real-time marketing).

Introduced in lesson 21.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from .. import features as F
from . import Exercise, count_checker, number_checker, quiz_question
from . import _online_retail as retail

MARCH = "2011-03-01"


@cache
def _loyal_by_march() -> int:
    result = retail.result()
    rfm = F.rfm_table(result.clean, result.cancellations, snapshot=MARCH)
    return int((rfm[F.FREQUENCY] >= 5).sum())


@cache
def _loyal_traps() -> dict[int, str]:
    result = retail.result()
    rfm = F.rfm_table(result.clean, result.cancellations, snapshot=MARCH)
    full = F.rfm_table(result.clean, result.cancellations)
    return {
        int((rfm[F.FREQUENCY] > 5).sum()): "that counts more than 5 invoices; the question says at least 5.",
        int((full[F.FREQUENCY] >= 5).sum()): "that is the count after the whole year: replay only until 1 March.",
        len(rfm): "that is every customer with a purchase by then; keep those with frequency >= 5.",
    }


def _check_loyal(answer):
    return count_checker(_loyal_by_march(), "customers with at least 5 invoices by 1 March 2011", _loyal_traps())(answer)


ex1 = Exercise(
    name="21.1 loyal customers, as the stream saw them",
    question=(
        "Replay the stream until 1 March 2011 with a StreamingRFM and count the customers with "
        "at least 5 purchase invoices by then. (answer: an int)"
    ),
    checker=_check_loyal,
    hint_text='The stream only knows what has arrived by the day you stop it: replay up to that day, then read the counts.',
    hint_code=(
        "rfm = StreamingRFM(); for e in stream.replay(until='2011-03-01'): rfm.update(e); then "
        "rfm.table('2011-03-01')['frequency'] >= 5."
    ),
    solution_code=(
        "rfm = StreamingRFM()\n"
        "for event in stream.replay(until='2011-03-01'):\n"
        "    rfm.update(event)\n"
        "answer = int((rfm.table('2011-03-01')['frequency'] >= 5).sum())"
    ),
    reference=_loyal_by_march,
    wrong_answers=lambda: [*_loyal_traps(), 5.0, "many"],
)


def _ftrl_step(z=0.3, n=4.0, alpha=0.1, beta=1.0, l1=0.1, l2=1.0, x=1.0, p=0.2, y=1.0, *, with_sigma=True):
    w = 0.0 if abs(z) <= l1 else -(z - math.copysign(l1, z)) / ((beta + math.sqrt(n)) / alpha + l2)
    g = (p - y) * x
    sigma = (math.sqrt(n + g * g) - math.sqrt(n)) / alpha
    return z + g - (sigma * w if with_sigma else 0.0)


FTRL_Z = _ftrl_step()  # -0.49006

ex2 = Exercise(
    name="21.2 one FTRL-proximal step",
    question=(
        "A coordinate has z = 0.3 and n = 4; alpha = 0.1, beta = 1, l1 = 0.1, l2 = 1. The impression "
        "has x_i = 1, the model predicted p = 0.2 and there was a click (y = 1). What is z after the "
        "step? (answer: a float)"
    ),
    checker=number_checker(
        FTRL_Z,
        "the new z",
        traps={
            _ftrl_step(with_sigma=False): "you left out the - sigma * w term (w is not 0 here: |z| > l1).",
            _ftrl_step(p=1.0, y=0.2): "the gradient of the log loss is (p - y) x, not (y - p) x.",
            _ftrl_step(p=0.8, y=0.0): "the gradient of the log loss is (p - y) x, not (y - p) x.",
        },
        rel=1e-4,
    ),
    hint_text='FTRL keeps z and n per coordinate; the weight is a closed-form function of them, and the step adds the gradient minus a correction.',
    hint_code=(
        "First w = -(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + l2); then g = (p - y) x, "
        "sigma = (sqrt(n + g^2) - sqrt(n)) / alpha, and z + g - sigma * w."
    ),
    solution_code=(
        "import math\n"
        "z, n, alpha, beta, l1, l2, x, p, y = 0.3, 4, 0.1, 1, 0.1, 1, 1, 0.2, 1\n"
        "w = -(z - math.copysign(l1, z)) / ((beta + math.sqrt(n)) / alpha + l2)\n"
        "g = (p - y) * x\n"
        "sigma = (math.sqrt(n + g * g) - math.sqrt(n)) / alpha\n"
        "answer = z + g - sigma * w"
    ),
    reference=lambda: FTRL_Z,
    wrong_answers=lambda: [-0.5, 0.3, 1.1099, "-0.49"],
)

A_EX = np.array([[3.0, 1.0], [1.0, 2.0]])
B_EX = np.array([1.0, 0.5])
X_EX = np.array([1.0, 1.0])
_A_INV = np.linalg.inv(A_EX)
UCB_MEAN = float(X_EX @ _A_INV @ B_EX)        # 0.4
UCB_VAR = float(X_EX @ _A_INV @ X_EX)         # 0.6
UCB = UCB_MEAN + 0.5 * math.sqrt(UCB_VAR)     # 0.7873

ex3 = Exercise(
    name="21.3 a LinUCB score by hand",
    question=(
        "A creative has A = [[3, 1], [1, 2]] and b = [1, 0.5]. For the customer x = [1, 1] and "
        "alpha = 0.5, what is its LinUCB score x . A^-1 b + alpha sqrt(x^T A^-1 x)? (answer: a float)"
    ),
    checker=number_checker(
        UCB,
        "the UCB score",
        traps={
            UCB_MEAN: "that is the estimate alone; add the bonus alpha * sqrt(x^T A^-1 x).",
            UCB_MEAN + 0.5 * UCB_VAR: "take the square root of x^T A^-1 x before multiplying by alpha.",
            UCB_MEAN + math.sqrt(UCB_VAR): "the bonus is multiplied by alpha = 0.5.",
        },
        rel=1e-4,
    ),
    hint_text="The score is the predicted reward plus an exploration bonus that grows with the uncertainty in the customer's direction.",
    hint_code="np.linalg.inv(A) gives A^-1; theta = A^-1 b; then the formula.",
    solution_code=(
        "A = np.array([[3, 1], [1, 2]]); b = np.array([1, 0.5]); x = np.array([1, 1])\n"
        "A_inv = np.linalg.inv(A)\n"
        "answer = x @ A_inv @ b + 0.5 * np.sqrt(x @ A_inv @ x)"
    ),
    reference=lambda: UCB,
    wrong_answers=lambda: [UCB_MEAN, UCB_MEAN + 0.5 * UCB_VAR, UCB_MEAN + math.sqrt(UCB_VAR), "0.79"],
)


q1 = quiz_question(
    "21.q1 test, then train",
    "In prequential evaluation the model recommends before each invoice and learns it only after. Why this order?",
    {
        "a": "It is faster: learning is cheaper after recommending.",
        "b": "Learning first would let the model see the basket it is then judged on: a leak that inflates the hit rate.",
        "c": "River requires it.",
        "d": "It gives the same hit rate either way; the order is a convention.",
    },
    "b",
    "Each invoice must be predicted by the model of the moment before it, exactly as in production. "
    "Learning it first is look-ahead: 'buy it again' would then recommend the very basket it is scored on.",
    traps={"d": "Not so: a model that has just learned the basket recommends its products, so the hit rate jumps."},
)

q2 = quiz_question(
    "21.q2 is real time worth it",
    "In section 3, per-event updates did not beat a nightly refresh, but both beat never retraining. What explains this best?",
    {
        "a": "The per-event model has a bug.",
        "b": "What drives these baskets (a customer's long history and the season) changes over weeks, not within a day.",
        "c": "Per-event learning is always worse than batch learning.",
        "d": "The nightly model sees the future.",
    },
    "b",
    "Freshness pays only when the signal changes faster than the refresh. A wholesaler's repeat orders and the "
    "season move slowly; a session-based shop, a flash sale or a fraud pattern would be different. Measure it.",
    traps={"d": "It does not: it learns a day's invoices only after midnight, after they were scored."},
)

q3 = quiz_question(
    "21.q3 what to monitor",
    "ADWIN found no change in the raw click indicator but found it in the batch model's log loss. Why?",
    {
        "a": "ADWIN only works on losses.",
        "b": "The creatives swapped places, so the overall click rate hardly moved while the model's errors grew.",
        "c": "There was no change in the click rates.",
        "d": "The click indicator has too many zeros for ADWIN.",
    },
    "b",
    "A change in *which* impressions get clicked can leave the average rate flat. A model's loss reacts to it, "
    "which is why monitoring usually watches the model's error, not only the raw rates.",
)

q4 = quiz_question(
    "21.q4 a thin log",
    "In section 6 the IPS interval of the contextual policy excluded the random policy's CTR, yet we did not trust it. Why?",
    {
        "a": "IPS is biased when the logging policy is uniform.",
        "b": "The policy's favourite items appeared in about 70 logged rows with no click: the effective sample size is tiny "
             "and the normal interval ignores how uncertain a CTR from 70 impressions is.",
        "c": "The second half of the log is from another policy.",
        "d": "DR and IPS disagreed.",
    },
    "b",
    "Importance weighting spends the log on the rows where the logged action matches the target policy. With "
    "80 items and a 0.4 % CTR, a few dozen such rows cannot tell a good item from a bad one.",
)

QUIZ = [q1, q2, q3, q4]
EXERCISES = [ex1, ex2, ex3]  # the quiz is QUIZ (kind "concept"), shown in its own section
