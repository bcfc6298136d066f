"""Exercises and quiz of lesson 04 (segmentation) on the cleaned Online Retail and the simulated base.

Every exercise asks for something the lesson did not print: the agreement of
k-means and Ward at another k, what happens without scaling, recovery of
blurred segments, and a function to write (the inertia). The checkers hold the
figures of the bundled file and of the seeded simulation; the reference
solutions recompute them with ``pmkt_lessons.segments``. Introduced in lesson 04.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from sklearn.metrics import adjusted_rand_score

from .. import features as F
from .. import segments as S
from ..simulate.segments import simulate_segments
from . import Exercise, count_checker, function_checker, number_checker, quiz_question
from . import _online_retail as retail

ARI_K4 = 0.6070  # k-means vs Ward at k = 4, printed by the lesson
ARI_K3 = 0.5362  # k-means vs Ward at k = 3 (the answer of 04.1)
ARI_K5 = 0.5987
LARGEST_COUNT_UNSCALED = 4_218  # of 4,338 customers
LARGEST_COUNT_SCALED = 1_270
ARI_SIGMA_08 = 0.7284
ARI_SIGMA_04 = 0.9535


@cache
def _profiles():
    result = retail.result()
    return F.customer_profiles(result.clean, result.cancellations)


@cache
def _scaled():
    return F.scale_features(_profiles(), F.CLUSTER_FEATURES)


def _ari_k3() -> float:
    X = _scaled()
    return float(adjusted_rand_score(S.kmeans_labels(X, 3, random_state=0), S.ward_labels(S.ward_linkage(X), 3)))


ex1 = Exercise(
    name="04.1 do k-means and Ward agree at k = 3?",
    question=(
        "The lesson found ARI 0.607 between k-means and Ward at k = 4. Do the two methods agree more "
        "when you ask for fewer clusters? Cut the Ward tree of the scaled features into 3 clusters "
        "(ward_labels(Z, 3)), run kmeans_labels(X, 3, random_state=0), and give the adjusted Rand "
        "index between the two partitions. (answer: a number)"
    ),
    checker=number_checker(
        ARI_K3,
        "the ARI between k-means and Ward at k = 3",
        {
            ARI_K4: "0.607 is the lesson's k = 4; cut the tree and run k-means with 3 clusters.",
            ARI_K5: "that is k = 5; the question asks for 3 clusters.",
            1.0: "an ARI of 1 would mean identical partitions; compute it with adjusted_rand_score.",
        },
    ),
    hint_text=(
        "Fewer clusters do not guarantee more agreement: where the two methods draw the boundaries "
        "depends on how each treats the customers on the border. Compute it and see."
    ),
    hint_code=(
        "Section 5: the lesson built Z = ward_linkage(X) and compared kmeans_labels(X, 4, ...) with "
        "ward_labels(Z, 4) using adjusted_rand_score. Change the 4 in both."
    ),
    solution_code=(
        "# both methods on the same scaled features, cut at the same k; the ARI ignores cluster numbers\n"
        "Z = ward_linkage(X)\n"
        "answer = adjusted_rand_score(kmeans_labels(X, 3, random_state=0), ward_labels(Z, 3))\n"
        "# about 0.54: lower than at k = 4, so agreement is not a reason to prefer k = 3"
    ),
    reference=_ari_k3,
    wrong_answers=lambda: [ARI_K4, ARI_K5, 1.0, 0.0],
    explanation=(
        "At k = 3 the methods agree *less* (0.54) than at k = 4 (0.61): Ward and k-means split the "
        "continuum of customers in different places. Agreement between methods is evidence about one "
        "boundary, not a score that picks k."
    ),
)


def _largest_count_unscaled() -> int:
    labels = S.kmeans_labels(_profiles()[list(F.CLUSTER_FEATURES)], 4, random_state=0)
    return int(np.bincount(labels).max())


ex2 = Exercise(
    name="04.2 clustering without scaling",
    question=(
        "Run k-means with k = 4 on the *unscaled* cluster features, "
        "profiles[list(CLUSTER_FEATURES)] (recency in days, frequency in orders, monetary in pounds, "
        "tenure in days), with kmeans_labels(..., 4, random_state=0). How many of the 4,338 customers "
        "land in the largest cluster? (answer: a whole number)"
    ),
    checker=count_checker(
        LARGEST_COUNT_UNSCALED,
        "customers in the largest cluster",
        {
            LARGEST_COUNT_SCALED: "that is the largest cluster of the scaled features; use the raw columns.",
            4_338: "that is every customer; k-means with k = 4 leaves a few in the other three clusters.",
        },
    ),
    hint_text=(
        "Euclidean distance adds up squared differences in each column's own units. Which column has "
        "differences in the thousands?"
    ),
    hint_code=(
        "kmeans_labels numbers the clusters by size (0 = largest), so np.bincount(labels) gives the "
        "sizes, largest first."
    ),
    solution_code=(
        "labels = kmeans_labels(profiles[list(CLUSTER_FEATURES)], 4, random_state=0)\n"
        "answer = np.bincount(labels).max()\n"
        "# about 97 % of the customers: monetary (pounds, up to hundreds of thousands) swamps the other\n"
        "# columns, so k-means puts almost everyone in one cluster and a few big spenders in the others"
    ),
    reference=_largest_count_unscaled,
    wrong_answers=lambda: [LARGEST_COUNT_SCALED, 4_338, 1_085, LARGEST_COUNT_UNSCALED + 0.4],
    explanation=(
        "Without scaling, monetary alone decides: 97 % of the customers share one cluster and the other "
        "three hold a handful of wholesalers. The partition even has a high silhouette, because a few "
        "extreme spenders are far from everyone; that is why the lesson log-transforms and standardises."
    ),
)


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
        "index with the planted segments does it reach? (answer: a number)"
    ),
    checker=number_checker(
        ARI_SIGMA_08,
        "the adjusted Rand index",
        {
            1.0: "an ARI of 1 would be a perfect recovery; with overlapping segments it is lower.",
            ARI_SIGMA_04: "that is the lesson's simulation (sigma = 0.4); pass sigma=0.8.",
        },
    ),
    hint_text=(
        "The truth is known here: compare the planted labels with the clusters found, whatever "
        "numbers the clusters carry."
    ),
    hint_code=(
        "Section 8 of the lesson runs the same pipeline with the default sigma; the planted labels are "
        "sim.labels and adjusted_rand_score compares two labelings."
    ),
    solution_code=(
        "sim = simulate_segments(3000, random_state=42, sigma=0.8)\n"
        "labels = kmeans_labels(scale_features(sim.features, CLUSTER_FEATURES), 4)\n"
        "answer = adjusted_rand_score(sim.labels, labels)\n"
        "# about 0.73: when segments overlap, even the right k and the right pipeline misplace many customers"
    ),
    reference=_ari_reference,
    wrong_answers=lambda: [ARI_SIGMA_04, 1.0, 0.5],
    explanation=(
        "Recovery falls from 0.95 to 0.73 when the planted segments overlap more. Real segments, if they "
        "exist, overlap at least this much, so a clustering is a useful partition, not a discovered truth."
    ),
)


def _inertia(X, labels) -> float:
    X = np.asarray(X, dtype=float)
    _, codes = np.unique(np.asarray(labels), return_inverse=True)
    sums = np.zeros((codes.max() + 1, X.shape[1]))
    np.add.at(sums, codes, X)
    means = sums / np.bincount(codes)[:, None]
    return float(((X - means[codes]) ** 2).sum())


def _inertia_cases(rng):
    cases = []
    for _ in range(12):
        n, d = int(rng.integers(4, 40)), int(rng.integers(1, 5))
        values = rng.choice([0, 2, 5, 9], size=int(rng.integers(1, 5)), replace=False)
        labels = rng.choice(values, size=n)
        cases.append((rng.normal(size=(n, d)) * rng.uniform(0.5, 20), labels))
    cases.append((np.array([[1.0, 2.0], [3.0, 2.0], [10.0, 0.0]]), np.array([7, 7, 3])))  # 2 + 0 = 4 by hand
    return cases


def _total_sum_of_squares(X, labels):
    X = np.asarray(X, dtype=float)
    return float(((X - X.mean(axis=0)) ** 2).sum())


def _sum_of_distances(X, labels):
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    return float(sum(np.linalg.norm(X[labels == j] - X[labels == j].mean(axis=0), axis=1).sum() for j in set(labels)))


def _assumes_labels_0_to_k(X, labels):
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    present = [j for j in range(len(set(labels))) if (labels == j).any()]  # misses labels like 7
    return float(sum(((X[labels == j] - X[labels == j].mean(axis=0)) ** 2).sum() for j in present))


ex4 = Exercise(
    name="04.4 write the inertia",
    question=(
        "Write a function inertia(X, labels) that takes a 2-d array X (customers x features) and an "
        "array of cluster labels (any integers, e.g. [7, 7, 3]) and returns the k-means inertia: the sum "
        "over customers of the squared Euclidean distance to the mean of their own cluster. It is "
        "checked on hidden random cases. (answer: the function itself, answer = inertia)"
    ),
    checker=function_checker(_inertia, _inertia_cases, "inertia(X, labels)", rel=1e-6),
    hint_text=(
        "Each cluster's centre is the mean of its own rows; the inertia adds, over every row, the "
        "squared distance to its centre, over all features."
    ),
    hint_code=(
        "Section 2 computed ours = ((values - centres[assign]) ** 2).sum(). Here the centres are not "
        "given: loop over np.unique(labels) (labels need not run 0..k-1)."
    ),
    solution_code=(
        "def inertia(X, labels):\n"
        "    X, labels = np.asarray(X, dtype=float), np.asarray(labels)\n"
        "    total = 0.0\n"
        "    for j in np.unique(labels):          # the labels are names, not positions 0..k-1\n"
        "        rows = X[labels == j]\n"
        "        total += ((rows - rows.mean(axis=0)) ** 2).sum()   # squared, summed over features\n"
        "    return total\n"
        "answer = inertia\n"
        "# k-means minimises exactly this, which is why inertia always falls as k grows"
    ),
    reference=lambda: _inertia,
    wrong_answers=lambda: [_total_sum_of_squares, _sum_of_distances, _assumes_labels_0_to_k],
    kind="function",
    explanation=(
        "The inertia is what Lloyd's algorithm lowers at every step. It always falls when k grows (k = n "
        "gives 0), which is why the elbow figure alone can never choose k."
    ),
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "04.q1 when k-means misleads",
        "When would k-means mislead you about the segments in your customer base?",
        {
            "a": "Never, as long as the silhouette is above 0.",
            "b": "Whenever there are more than four segments.",
            "c": "Always: it returns k clusters whether or not k groups exist, and it prefers round, equally "
            "spread clusters, so a continuum, elongated groups or very unequal spreads get cut anyway.",
            "d": "Only when the data have missing values.",
        },
        correct="c",
        explanation=(
            "k-means minimises the squared distance to k centres, so it always finds k groups and favours "
            "compact, similar-sized ones. On a continuum (lesson 03's PCA map has no islands) it still "
            "draws boundaries; stability across seeds, agreement with another method and, where possible, "
            "simulated data with known segments tell you whether they mean anything."
        ),
        traps={"a": "A silhouette of 0.3 means 'some structure', and k-means gives one on a continuum too."},
    ),
    quiz_question(
        "04.q2 the silhouette peaks at k = 2",
        "On the real customers the silhouette is highest at k = 2. Why did the lesson still take k = 4?",
        {
            "a": "Because the silhouette must be ignored on real data.",
            "b": "The silhouette measures separation, not usefulness; on a continuum it falls slowly with k, "
            "so k was chosen by stability across seeds and by whether each segment needs a different action.",
            "c": "Because the elbow showed a sharp bend at k = 4.",
            "d": "Because four is the usual number of RFM segments.",
        },
        correct="b",
        explanation=(
            "k = 2 splits active from lapsed customers, which a marketer knows already. The silhouette "
            "falls gently from 0.37 to 0.33 between k = 2 and 4, so it does not forbid k = 4; the choice "
            "rests on stability (ARI near 1 across seeds) and on usefulness, and it is a choice, not a finding."
        ),
        traps={"c": "The inertia bends gently; the lesson says there is no sharp elbow."},
    ),
    quiz_question(
        "04.q3 stable is not true",
        "k-means with k = 4 gives the same partition for every seed (ARI 1.000 between seeds). What does that prove?",
        {
            "a": "That the customers really fall into four segments.",
            "b": "That the partition is reproducible from these data; not that the segments exist or are the right ones.",
            "c": "That Ward will find the same four clusters.",
            "d": "That k = 4 maximises the silhouette.",
        },
        correct="b",
        explanation=(
            "Stability rules out one failure (an accident of the start) but a stable cut through a "
            "continuum is still a cut. Only data with known segments (section 8) can show whether a "
            "pipeline recovers true groups, and only an experiment whether the actions work."
        ),
    ),
    quiz_question(
        "04.q4 why scale",
        "Why are recency, frequency and monetary log-transformed and standardised before clustering?",
        {
            "a": "To make k-means converge faster.",
            "b": "Because scikit-learn refuses unscaled data.",
            "c": "Euclidean distance adds differences in each column's own units, so the column with the largest "
            "spread (pounds) would decide the clusters alone; logs also tame the long tail of big spenders.",
            "d": "To make every cluster the same size.",
        },
        correct="c",
        explanation=(
            "Distances are the definition of similarity for k-means and Ward. Unscaled, monetary (up to "
            "hundreds of thousands of pounds) dwarfs recency in days and frequency in orders, and exercise "
            "04.2 shows the result: almost everyone in one cluster."
        ),
    ),
]
