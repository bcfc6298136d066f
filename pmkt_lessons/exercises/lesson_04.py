"""Exercises of lesson 04 (segmentation) on the cleaned Online Retail and the simulated customer base.

The checkers compare with the figures of the bundled file and of the seeded
simulation; the reference solutions recompute them with
``pmkt_lessons.segments``. Introduced in lesson 04.
"""

from __future__ import annotations

import numbers

from sklearn.metrics import adjusted_rand_score

from .. import features as F
from .. import segments as S
from ..simulate.segments import simulate_segments
from . import Exercise, close_enough
from . import _online_retail as retail

AT_RISK = 586
AT_RISK_BY_POSITION = 595  # the count when ties in frequency are broken by row order
SILHOUETTE_K3 = 0.3620
SILHOUETTE_K3_UNSCALED = 0.9566
SILHOUETTE_K2 = 0.3718
SILHOUETTE_K4 = 0.3286
ARI_SIGMA_08 = 0.7284
ARI_SIGMA_04 = 0.9535


def _profiles():
    result = retail.result()
    return F.customer_profiles(result.clean, result.cancellations)


def _check_at_risk(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return f"expected a whole number of customers, got {type(answer).__name__}"
    if answer == AT_RISK:
        return None
    if answer == AT_RISK_BY_POSITION:
        return (
            "that count breaks ties in frequency by row order; use rfm_segments on the scores "
            "of customer_profiles (ties broken by spend)."
        )
    return f"{answer:,} is not the number of customers the grid calls 'at risk'"


ex1 = Exercise(
    name="04.1 at risk",
    question="How many customers does the RFM grid (rfm_segments) put in the 'at risk' segment? (an int)",
    checker=_check_at_risk,
    hint_text="rfm_segments(profiles) gives a categorical Series; count the 'at risk' values.",
    solution_code="answer = int((rfm_segments(profiles) == 'at risk').sum())",
    reference=lambda: int((S.rfm_segments(_profiles()) == "at risk").sum()),
    wrong_answers=lambda: [AT_RISK_BY_POSITION, 0, 4_338, float(AT_RISK)],
)


def _check_silhouette(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return f"expected a number between -1 and 1, got {type(answer).__name__}"
    value = float(answer)
    if abs(value - SILHOUETTE_K3_UNSCALED) < 0.01:
        return (
            "that is the silhouette of the unscaled features: monetary alone decides the clusters "
            "and they look well separated for that reason. Scale first."
        )
    if abs(value - SILHOUETTE_K2) < 1e-3:
        return "that is k = 2; the question asks for k = 3."
    if abs(value - SILHOUETTE_K4) < 1e-3:
        return "that is k = 4; the question asks for k = 3."
    # the full-set silhouette (0.3643) differs from the seeded sample's by less than 0.005
    return close_enough(value, SILHOUETTE_K3, "the silhouette at k = 3", rel=0, abs_=0.005)


ex2 = Exercise(
    name="04.2 silhouette",
    question=(
        "What is the silhouette of k-means with k = 3 on the scaled cluster features "
        "(scale_features(profiles, CLUSTER_FEATURES))? (a number)"
    ),
    checker=_check_silhouette,
    hint_text="kmeans_scan(X, ks=[3]) gives a table with a 'silhouette' column.",
    solution_code=(
        "X = scale_features(profiles, CLUSTER_FEATURES)\n"
        "answer = kmeans_scan(X, ks=[3]).loc[3, 'silhouette']"
    ),
    reference=lambda: float(
        S.kmeans_scan(F.scale_features(_profiles(), F.CLUSTER_FEATURES), [3]).loc[3, "silhouette"]
    ),
    wrong_answers=lambda: [SILHOUETTE_K3_UNSCALED, SILHOUETTE_K2, SILHOUETTE_K4, "0.362"],
)


def _check_ari(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return f"expected a number (an adjusted Rand index), got {type(answer).__name__}"
    value = float(answer)
    if abs(value - ARI_SIGMA_04) < 1e-3:
        return "that is the lesson's simulation (sigma = 0.4); pass sigma=0.8."
    if value == 1.0:
        return "an ARI of 1 would be a perfect recovery; with overlapping segments it is lower."
    return close_enough(value, ARI_SIGMA_08, "the adjusted Rand index", rel=0, abs_=1e-3)


def _ari_reference():
    sim = simulate_segments(3000, random_state=42, sigma=0.8)
    labels = S.kmeans_labels(F.scale_features(sim.features, F.CLUSTER_FEATURES), 4)
    return float(adjusted_rand_score(sim.labels, labels))


ex3 = Exercise(
    name="04.3 blurred segments",
    question=(
        "Simulate the customer base with twice the spread inside each segment "
        "(simulate_segments(3000, random_state=42, sigma=0.8)) and run the lesson's pipeline "
        "(scale_features on CLUSTER_FEATURES, kmeans_labels with k = 4). What adjusted Rand "
        "index with the planted segments does it reach? (a number)"
    ),
    checker=_check_ari,
    hint_text="adjusted_rand_score(sim.labels, labels) compares the planted and the found segments.",
    solution_code=(
        "sim = simulate_segments(3000, random_state=42, sigma=0.8)\n"
        "labels = kmeans_labels(scale_features(sim.features, CLUSTER_FEATURES), 4)\n"
        "answer = adjusted_rand_score(sim.labels, labels)"
    ),
    reference=_ari_reference,
    wrong_answers=lambda: [ARI_SIGMA_04, 1.0, 0.5, "0.73"],
)

EXERCISES = [ex1, ex2, ex3]
