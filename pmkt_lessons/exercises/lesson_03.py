"""Exercises of lesson 03 (customer profiles) on the cleaned Online Retail.

The checkers compare with the figures of the bundled file; the reference
solutions recompute them with ``pmkt_lessons.features``. Introduced in lesson 03.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.decomposition import PCA

from .. import features as F
from . import Exercise, close_enough
from . import _online_retail as retail

SEPTEMBER_SNAPSHOT = "2011-09-01"
SEPTEMBER_MEDIAN_RECENCY = 73.0
SEPTEMBER_CUSTOMERS = 3_317
FULL_YEAR_MEDIAN_RECENCY = 51.0
COMPONENTS_FOR_80 = 4
TOP_TERM_12347 = "regency"


def _check_median_recency(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return f"expected a number of days, got {type(answer).__name__}"
    value = float(answer)
    if value == FULL_YEAR_MEDIAN_RECENCY:
        return "that is the median recency at the default snapshot (2011-12-10); pass snapshot='2011-09-01'."
    if value == SEPTEMBER_CUSTOMERS:
        return "that is the number of customers with a profile; the question asks for their median recency."
    if value < 0:
        return "a recency below zero means purchases after the snapshot were counted; only earlier ones count."
    return close_enough(value, SEPTEMBER_MEDIAN_RECENCY, "the median recency", rel=0, abs_=1e-9)


def _median_recency_reference():
    result = retail.result()
    rfm = F.rfm_table(result.clean, result.cancellations, snapshot=SEPTEMBER_SNAPSHOT)
    return float(rfm[F.RECENCY].median())


ex1 = Exercise(
    name="03.1 an earlier snapshot",
    question=(
        "Take the profiles as of 1 September 2011 (snapshot '2011-09-01'): only what happened "
        "before that day counts. What is the customers' median recency in days? (a number)"
    ),
    checker=_check_median_recency,
    hint_text="rfm_table(clean, cancellations, snapshot='2011-09-01') gives a 'recency' column; take its median.",
    solution_code=(
        "rfm_sep = rfm_table(clean, cancellations, snapshot='2011-09-01')\n"
        "answer = rfm_sep['recency'].median()"
    ),
    reference=_median_recency_reference,
    wrong_answers=lambda: [FULL_YEAR_MEDIAN_RECENCY, SEPTEMBER_CUSTOMERS, 72.0, -20.0, "73"],
)


def _check_components(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return f"expected a whole number of components, got {type(answer).__name__}"
    if answer == COMPONENTS_FOR_80:
        return None
    if answer == 1:
        return (
            "one component is enough only without scaling: monetary's variance, in pounds squared, "
            "then swamps everything. Use the scaled features."
        )
    if answer == COMPONENTS_FOR_80 - 1:
        return "three components explain 79.4%: just short of 80%."
    return f"{answer} components is not the smallest number that explains at least 80%"


def _components_reference():
    result = retail.result()
    profiles = F.customer_profiles(result.clean, result.cancellations)
    ratio = PCA().fit(F.scale_features(profiles)).explained_variance_ratio_
    return int(np.searchsorted(np.cumsum(ratio), 0.8) + 1)


ex2 = Exercise(
    name="03.2 components for 80%",
    question=(
        "How many principal components of the scaled profile features (scale_features(profiles)) "
        "are needed to explain at least 80% of their variance? (an int)"
    ),
    checker=_check_components,
    hint_text="np.cumsum(PCA().fit(Z).explained_variance_ratio_) is the cumulative share; find where it first reaches 0.8.",
    solution_code=(
        "cumulative = np.cumsum(PCA().fit(scale_features(profiles)).explained_variance_ratio_)\n"
        "answer = int(np.searchsorted(cumulative, 0.8) + 1)"
    ),
    reference=_components_reference,
    wrong_answers=lambda: [1, 3, 5, 4.0],
)


def _check_top_term(answer):
    if not isinstance(answer, str):
        return f"expected a word (a str), got {type(answer).__name__}"
    word = answer.strip().lower()
    if word == TOP_TERM_12347:
        return None
    if word in ("tea", "red", "cases"):
        return f"'{word}' is among customer 12347's top terms, but not the heaviest one."
    if word in ("set", "bag", "heart"):
        return f"'{word}' is common in many customers' profiles; look at customer 12347's own row."
    return f"'{word}' is not customer 12347's heaviest interest term"


def _top_term_reference():
    interest = F.interest_profiles(retail.clean())
    return str(F.customer_top_terms(interest, [12347], n=1).iloc[0, 0])


ex3 = Exercise(
    name="03.3 an interest profile",
    question="Which term has the largest weight in the interest profile of customer 12347? (a str)",
    checker=_check_top_term,
    hint_text="customer_top_terms(interest, [12347], n=1) gives it; or argmax of the customer's row of interest.matrix.",
    solution_code="answer = customer_top_terms(interest, [12347], n=1).iloc[0, 0]",
    reference=_top_term_reference,
    wrong_answers=lambda: ["tea", "set", "REGENCY TEA", 12347],
)

EXERCISES = [ex1, ex2, ex3]
