"""Exercises and the "Check your understanding" quiz of lesson 22 (models as a service).

Introduced in lesson 22.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from . import Exercise, count_checker, number_checker, quiz_question

LESSON_KEY = "lesson-22-demo-key-not-secret"
NEW_EXPERIMENT = "recommend-v2"

# exercise 2: a service with a fixed cost per request and a cost per impression
FIXED_MS, PER_IMPRESSION_MS, BATCH = 4.0, 0.02, 250
BATCH_THROUGHPUT = BATCH / ((FIXED_MS + PER_IMPRESSION_MS * BATCH) / 1000)  # 27,777.8 impressions/s

# exercise 3: PSI of a small example
REF_SHARES = [0.25, 0.25, 0.25, 0.25]
CUR_SHARES = [0.40, 0.30, 0.20, 0.10]
PSI_EXAMPLE = float(sum((c - r) * np.log(c / r) for r, c in zip(REF_SHARES, CUR_SHARES, strict=True)))


@cache
def _variant_b_count() -> int:
    from ..cleaning import clean_transactions
    from ..data import load_online_retail
    from ..recsys import course_split
    from ..serving.routing import assign_variants

    users = course_split(clean_transactions(load_online_retail()).clean).interactions.users
    return int((assign_variants(users, LESSON_KEY, ("A", "B"), experiment=NEW_EXPERIMENT) == "B").sum())


def _check_variant_b(answer):
    expected = _variant_b_count()
    traps = {3317 - expected: "that is the number in variant A; the question asks for B."}
    problem = count_checker(expected, "training customers in variant B", traps)(answer)
    if problem and problem.endswith("is not the number of training customers in variant B.") and 1600 <= float(answer) <= 1720:
        return ("close to half, as expected, but not the exact count: use experiment='recommend-v2' and "
                "the lesson's key on the training customers' ids.")
    return problem


ex1 = Exercise(
    name="22.1 a new experiment, a new split",
    question=(
        "The next test is named 'recommend-v2' instead of 'recommend-v1'. With the lesson's key "
        f"({LESSON_KEY!r}) and variants ('A', 'B') at equal shares, how many of the 3,317 customers "
        "of the training interactions are in variant B? (answer: an int)"
    ),
    checker=_check_variant_b,
    hint_text="Hash-based assignment depends on the experiment's name: a new name reshuffles who sees which variant.",
    hint_code=(
        "assign_variants(split.interactions.users, key, ('A', 'B'), experiment='recommend-v2'), then "
        "count the 'B's."
    ),
    solution_code=(
        "from pmkt_lessons.serving import assign_variants\n"
        "v2 = assign_variants(split.interactions.users, AB_KEY, ('A', 'B'), experiment='recommend-v2')\n"
        "answer = int((v2 == 'B').sum())"
    ),
    reference=_variant_b_count,
    wrong_answers=lambda: [3317 - _variant_b_count(), 1658, _variant_b_count() + 1, str(_variant_b_count())],
)

ex2 = Exercise(
    name="22.2 what a batch buys",
    question=(
        f"A scoring service spends {FIXED_MS:g} ms on every request whatever its size (HTTP, "
        f"validation, dispatch) plus {PER_IMPRESSION_MS:g} ms per impression, and handles one "
        f"request at a time. How many impressions per second does it score with batches of "
        f"{BATCH} impressions? (answer: a float)"
    ),
    checker=number_checker(
        BATCH_THROUGHPUT, "impressions per second",
        traps={1000 / FIXED_MS: "that is requests per second with empty batches; count the impressions too.",
               1000 / (FIXED_MS + PER_IMPRESSION_MS): "that is one impression per request.",
               1000 / PER_IMPRESSION_MS: "that ignores the fixed cost of each request."},
    ),
    hint_text='The fixed cost is paid once per request, so larger batches spread it over more impressions.',
    hint_code="One request takes fixed + per_impression * batch milliseconds and scores `batch` impressions.",
    solution_code=f"answer = {BATCH} / (({FIXED_MS} + {PER_IMPRESSION_MS} * {BATCH}) / 1000)",
    reference=lambda: BATCH_THROUGHPUT,
    wrong_answers=lambda: [1000 / FIXED_MS, 1000 / (FIXED_MS + PER_IMPRESSION_MS), 1000 / PER_IMPRESSION_MS, 9.0],
)

ex3 = Exercise(
    name="22.3 drift by hand",
    question=(
        f"At training time the scores fell into four bins with shares {REF_SHARES}; this week's "
        f"served scores fall into the same bins with shares {CUR_SHARES}. What is the population "
        "stability index, sum of (current - reference) * ln(current / reference)? (answer: a float)"
    ),
    checker=number_checker(
        PSI_EXAMPLE, "the PSI",
        traps={float(sum(abs(c - r) for r, c in zip(REF_SHARES, CUR_SHARES, strict=True))):
               "that is the total absolute change in shares; PSI weights each change by ln(current / reference)."},
    ),
    hint_text='The population stability index adds one term per bin; bins whose share moved more contribute more.',
    hint_code="Four terms, one per bin; numpy: np.sum((cur - ref) * np.log(cur / ref)).",
    solution_code=(
        f"ref, cur = np.array({REF_SHARES}), np.array({CUR_SHARES})\n"
        "answer = float(np.sum((cur - ref) * np.log(cur / ref)))"
    ),
    reference=lambda: PSI_EXAMPLE,
    wrong_answers=lambda: [0.4, -PSI_EXAMPLE, 0.0],
)

EXERCISES = [ex1, ex2, ex3]

QUIZ = [
    quiz_question(
        "22.Q1 checksums before loading",
        "Why does the service compare every model file with its sha256 manifest before it loads anything?",
        {
            "a": "Hashing the file makes unpickling faster.",
            "b": "A pickle runs code when it is loaded, and a changed file is not the model the metadata "
                 "and metrics describe: the service must refuse it before it serves a single answer.",
            "c": "FastAPI needs the checksum to build its OpenAPI documentation.",
            "d": "The checksum protects the customers' data in the event log.",
        },
        "b",
        "The manifest ties the served model to its metadata (lesson, training period, metrics). "
        "Checking it before unpickling also means a tampered pickle never gets to run its code.",
    ),
    quiz_question(
        "22.Q2 closed and open loops",
        "A closed-loop load test (each worker sends its next request when the previous answer arrives) "
        "reports p99 = 10 ms. Real traffic at the same average rate sees a much worse p99. Why?",
        {
            "a": "The load test used localhost, which is always faster than a network.",
            "b": "When the service stalls, a closed loop stops sending too, so the requests that real "
                 "users would have sent during the stall, and their queueing, are never measured.",
            "c": "Percentiles computed by numpy are biased for small samples.",
            "d": "Real users ask for larger k.",
        },
        "b",
        "Coordinated omission (Tene): an open loop schedules requests at fixed times and counts latency "
        "from the scheduled time, so queueing during a stall shows up in the p99.",
    ),
    quiz_question(
        "22.Q3 keyed-hash routing",
        "Why assign A/B variants with HMAC(key, experiment:customer_id) rather than a random draw per request?",
        {
            "a": "It is the only way to get a 50/50 split.",
            "b": "Random draws are too slow for a web service.",
            "c": "A customer gets the same variant on every request, server and restart without a "
                 "lookup table, and without the key no one can predict or choose their variant.",
            "d": "It makes the two variants' metrics independent of the customers.",
        },
        "c",
        "Per-request draws would show one customer both variants, mixing the treatments. The keyed hash "
        "is a pure function of the id; the SRM check confirms the split matches the plan.",
    ),
    quiz_question(
        "22.Q4 drift without errors",
        "Latency and error rate are normal, but the PSI of the served click scores against the training "
        "reference has jumped from 0.02 to 0.4. What is the most likely reading?",
        {
            "a": "The service is broken and must be restarted.",
            "b": "Nothing: PSI only matters above 1.",
            "c": "The traffic the model sees has changed (a new placement, a new audience, a broken "
                 "upstream feature); its scores, and maybe its calibration, need checking before the "
                 "bids or rankings built on them are trusted.",
            "d": "The event log has lost events.",
        },
        "c",
        "A PSI above 0.25 says the score distribution moved a lot. The server is healthy; the question is "
        "whether the inputs changed and whether the model is still right for them (compare with clicks).",
    ),
]

q1, q2, q3, q4 = QUIZ
