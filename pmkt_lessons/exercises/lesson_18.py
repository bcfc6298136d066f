"""Exercises of lesson 18 (responsible marketing: privacy, fairness, popularity bias).

Introduced in lesson 18.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import load_bank_marketing
from ..privacy import class_sizes, generalise
from . import Exercise, count_checker, function_checker, number_checker, quiz_question

#: The lesson's quasi-identifiers and its age bands (section 2).
QUASI_IDENTIFIERS = ["age", "job", "marital", "education"]
AGE_BANDS = [18, 30, 40, 50, 60, 100]
TRAIN_SHARE = 0.6

DASHBOARD_EPSILON = 0.25
DASHBOARD_REFRESHES = 9
_ONE_SD = float(np.sqrt(2) / DASHBOARD_EPSILON)
DASHBOARD_SD = _ONE_SD / np.sqrt(DASHBOARD_REFRESHES)  # 1.886


@cache
def _suppressed_with_all_jobs() -> int:
    bank = load_bank_marketing()
    train = bank.iloc[: int(TRAIN_SHARE * len(bank))]
    banded = generalise(train, {"age": AGE_BANDS})
    return int((class_sizes(banded, QUASI_IDENTIFIERS) < 5).sum())


def _check_suppressed(answer):
    return count_checker(
        _suppressed_with_all_jobs(),
        "rows to suppress",
        traps={141: "141 is what the lesson's job groups needed; keep all 12 jobs this time."},
    )(answer)


ex1 = Exercise(
    name="18.1 the price of keeping every job title",
    question=(
        "Generalise the lesson's training table (the first 60 % of Bank Marketing's rows) with the "
        f"age bands {AGE_BANDS} but keep all 12 job titles as they are. How many rows must be "
        "suppressed so that the table is 5-anonymous on age, job, marital and education? "
        "(answer: an int)"
    ),
    checker=_check_suppressed,
    hint_text='k-anonymity counts the rows whose combination of quasi-identifiers is shared by fewer than k rows; generalise only what the question says.',
    hint_code=(
        "generalise(train, {'age': AGE_BANDS}) bands the ages only; class_sizes(...) < 5 marks the "
        "rows suppress would drop."
    ),
    solution_code=(
        "banded = generalise(train, {'age': [18, 30, 40, 50, 60, 100]})\n"
        "answer = int((class_sizes(banded, ['age', 'job', 'marital', 'education']) < 5).sum())"
    ),
    reference=_suppressed_with_all_jobs,
    wrong_answers=lambda: [141, 0, _suppressed_with_all_jobs() + 1, "many"],
)


def _check_dashboard(answer):
    traps = {
        _ONE_SD: "that is the noise of one refresh; the average of nine independent answers is less noisy.",
        1 / DASHBOARD_EPSILON: "that is the scale b of one answer; its standard deviation is sqrt(2) b.",
        2 * (1 / DASHBOARD_EPSILON) ** 2 / DASHBOARD_REFRESHES: "that is a variance; give the standard deviation.",
    }
    return number_checker(DASHBOARD_SD, "the standard deviation of the average", traps, sig=3)(answer)


ex2 = Exercise(
    name="18.2 what an analyst learns by refreshing",
    question=(
        f"A dashboard shows a count (sensitivity 1) with fresh Laplace noise at epsilon = "
        f"{DASHBOARD_EPSILON} on every refresh. An analyst refreshes it {DASHBOARD_REFRESHES} times "
        "and averages the answers. What is the standard deviation of that average? "
        "(answer: a float; the total privacy loss is then 9 x 0.25 = 2.25)"
    ),
    checker=_check_dashboard,
    hint_text='Independent noise adds up in variance, not in standard deviation; averaging n answers divides the variance by n.',
    hint_code="One answer has variance 2 (1 / epsilon)^2; averaging n independent answers divides the variance by n.",
    solution_code="answer = (2 * (1 / 0.25) ** 2 / 9) ** 0.5",
    reference=lambda: DASHBOARD_SD,
    wrong_answers=lambda: [_ONE_SD, 1 / DASHBOARD_EPSILON, 2 * 16 / 9, "1.9"],
)

_FOUR_FIFTHS_CASES = [
    ({"a": 0.5, "b": 0.4}, True),
    ({"a": 0.5, "b": 0.39}, False),
    ({"a": 0.2, "b": 0.2, "c": 0.2}, True),
    ({"x": 0.10, "y": 0.30, "z": 0.25}, False),
    ({"young": 0.30, "old": 0.24}, True),
    ({"young": 0.24, "old": 0.30}, True),
    ({"only": 0.7}, True),
]


def _check_four_fifths(answer):
    return function_checker(_four_fifths_reference, [(rates,) for rates, _ in _FOUR_FIFTHS_CASES],
                            "passes(rates)")(answer)


def _four_fifths_reference(rates):
    values = list(rates.values())
    return min(values) >= 0.8 * max(values)


ex3 = Exercise(
    name="18.3 the four-fifths rule",
    question=(
        "Write a function `passes(rates)` that takes a dict group -> selection rate and returns "
        "True when the lowest rate is at least four fifths (80 %) of the highest, else False. "
        "(answer: the function)"
    ),
    checker=_check_four_fifths,
    hint_text='The rule compares the least-selected group with the most-selected one, whatever the number of groups.',
    hint_code="Compare min(rates.values()) with 0.8 * max(rates.values()); the order of the groups does not matter.",
    solution_code=(
        "def passes(rates):\n"
        "    values = list(rates.values())\n"
        "    return min(values) >= 0.8 * max(values)\n"
        "answer = passes"
    ),
    reference=lambda: _four_fifths_reference,
    wrong_answers=lambda: [
        lambda rates: max(rates.values()) - min(rates.values()) <= 0.2,
        lambda rates: list(rates.values())[-1] >= 0.8 * list(rates.values())[0],
        lambda rates: min(rates.values()) > 0.8 * max(rates.values()) + 1e-9 if len(rates) > 1 else False,
        0.8,
    ],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3]


QUIZ = [
    quiz_question(
        "18.q1 a hashed e-mail",
        "A partner asks for your customer list 'anonymised' as SHA-256 hashes of the e-mail addresses. Why is that not anonymous?",
        {
            "a": "SHA-256 has known collisions, so two customers may share a hash.",
            "b": "Anyone holding a list of e-mail addresses can hash it and match the hashes: the hash is a pseudonym anyone can recompute.",
            "c": "SHA-256 can be inverted mathematically with enough computing power.",
            "d": "It is anonymous, as long as the partner promises not to re-identify anybody.",
        },
        correct="b",
        explanation=(
            "A plain hash is deterministic and public, so it links to anything hashed the same way "
            "(the partner's own list, a leaked list, all 5-digit IDs). A keyed hash (HMAC) whose key "
            "stays with you stops that; under GDPR even keyed data is still personal data "
            "(pseudonymised, not anonymous)."
        ),
        traps={"c": "Nobody inverts SHA-256; they do not need to, they hash guesses (a dictionary attack)."},
    ),
    quiz_question(
        "18.q2 k = 5 is not the end",
        "A table is 5-anonymous on age band, job group, marital status and education. What can still leak?",
        {
            "a": "Nothing: every person hides among at least four others.",
            "b": "The sensitive value of everyone in a class where all members share it (homogeneity), and more when the attacker knows extra facts (background knowledge).",
            "c": "Only the quasi-identifiers themselves.",
            "d": "The exact age of every person.",
        },
        correct="b",
        explanation=(
            "k-anonymity hides *who* a row is, not *what* the class says about them. If all five people "
            "in a class have a personal loan, finding a neighbour in that class reveals their loan. "
            "l-diversity (at least l distinct sensitive values per class) and differential privacy "
            "address this."
        ),
    ),
    quiz_question(
        "18.q3 epsilon on a dashboard",
        "A dashboard adds fresh Laplace noise with epsilon = 0.1 to a count on every refresh. What happens after 50 refreshes?",
        {
            "a": "Nothing new: every answer is 0.1-differentially private.",
            "b": "The privacy loss adds up to 5, and averaging the 50 answers shrinks the noise about sqrt(50) times.",
            "c": "The noise grows with every refresh.",
            "d": "The count becomes exact after 50 refreshes.",
        },
        correct="b",
        explanation=(
            "Sequential composition: q answers at epsilon each cost q x epsilon in total. That is why "
            "a privacy budget caps the queries, or why a released number is computed once and cached "
            "rather than re-noised on every refresh."
        ),
        traps={"a": "Each answer is, but together they are not: the losses add up (composition)."},
    ),
    quiz_question(
        "18.q4 drop the attribute",
        "To make a targeting model fair by age, a team removes the age column. Why is that usually not enough?",
        {
            "a": "Because scikit-learn keeps a copy of the dropped column.",
            "b": "Because other features (job = retired or student, balance, contact history) carry age, so the model can rebuild it: they are proxies.",
            "c": "Because age is needed to compute the AUC.",
            "d": "It is enough: a model cannot use what it does not see.",
        },
        correct="b",
        explanation=(
            "Fairness through unawareness fails when features correlate with the attribute. Measure "
            "outcomes by group (selection rate, TPR, calibration) with the attribute kept aside for "
            "the audit, and adjust decisions if needed."
        ),
    ),
]
