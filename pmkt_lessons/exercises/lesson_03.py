"""Exercises of lesson 03 (customer profiles) on the cleaned Online Retail, and its quiz.

The checkers compare with the figures of the bundled file; the reference
solutions recompute them with ``pmkt_lessons.features``. Introduced in lesson 03.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from .. import features as F
from . import Exercise, function_checker, number_checker, quiz_question, sequence_checker
from . import _online_retail as retail

SEPTEMBER_SNAPSHOT = "2011-09-01"
SEPTEMBER_MEDIAN_MONETARY = 538.17
SEPTEMBER_MEDIAN_GROSS = 552.8
SEPTEMBER_MEAN_MONETARY = 1_483.08136
FULL_YEAR_MEDIAN_MONETARY = 649.955

JUNE_SNAPSHOT = "2011-06-01"
JUNE_PC1_SHARE = 0.450473782
FULL_YEAR_PC1_SHARE = 0.473
JUNE_PC1_UNSCALED = 0.754829419
JUNE_PC12_SHARE = 0.648269971

TERMS_CUSTOMER = 12352
TOP3_TERMS_12352 = ["pantry", "set", "cake"]
TOP3_TERMS_12347 = ["regency", "tea", "red"]


def _median_monetary_reference() -> float:
    result = retail.result()
    rfm = F.rfm_table(result.clean, result.cancellations, snapshot=SEPTEMBER_SNAPSHOT)
    return float(rfm[F.MONETARY].median())


ex1 = Exercise(
    name="03.1 an earlier snapshot",
    question=(
        "Take the RFM table as of 1 September 2011 (snapshot '2011-09-01'): only what happened "
        "before that day counts. What is the customers' median net spend (monetary), in pounds? "
        "(a number)"
    ),
    checker=number_checker(
        SEPTEMBER_MEDIAN_MONETARY,
        "the median net spend as of 2011-09-01",
        {
            FULL_YEAR_MEDIAN_MONETARY: "that is the median at the default snapshot (2011-12-10); pass snapshot='2011-09-01'.",
            SEPTEMBER_MEDIAN_GROSS: "that is the median gross revenue; monetary nets the returns.",
            SEPTEMBER_MEAN_MONETARY: "that is the mean; a few wholesalers pull it far above the median.",
        },
    ),
    hint_text=(
        "A snapshot is a cut in time: rebuild the RFM table as it looked on that day, then take "
        "the middle customer's net spend."
    ),
    hint_code="rfm_table(clean, cancellations, snapshot=...) has a 'monetary' column (net of returns).",
    solution_code=(
        "rfm_sep = rfm_table(clean, cancellations, snapshot='2011-09-01')\n"
        "# only purchases and returns before the snapshot count, so customers are fewer and have\n"
        "# spent less; the median is robust to the wholesalers that drag the mean up\n"
        "answer = rfm_sep['monetary'].median()"
    ),
    reference=_median_monetary_reference,
    wrong_answers=lambda: [
        FULL_YEAR_MEDIAN_MONETARY, SEPTEMBER_MEDIAN_GROSS, SEPTEMBER_MEAN_MONETARY, 500.0,
    ],
)


def _june_pc1_reference() -> float:
    result = retail.result()
    profiles = F.customer_profiles(result.clean, result.cancellations, snapshot=JUNE_SNAPSHOT)
    return float(PCA().fit(F.scale_features(profiles)).explained_variance_ratio_[0])


ex2 = Exercise(
    name="03.2 PCA at an earlier snapshot",
    question=(
        "Build the customer profiles as of 1 June 2011 (snapshot '2011-06-01'), scale them with "
        "scale_features and fit a PCA. What share of the variance does the first component "
        "explain? (a number between 0 and 1)"
    ),
    checker=number_checker(
        JUNE_PC1_SHARE,
        "the first component's share of variance",
        {
            FULL_YEAR_PC1_SHARE: "that is the profile at the default snapshot; pass snapshot='2011-06-01'.",
            JUNE_PC1_UNSCALED: "that is PCA on the unscaled features: the pound column dominates. Use scale_features.",
            JUNE_PC12_SHARE: "that is the first two components together; the question asks for the first.",
        },
        share=True,
    ),
    hint_text=(
        "Repeat sections 5 and 6 on an earlier cut of the data: profile, log and scale, then read "
        "the first entry of the explained-variance ratio."
    ),
    hint_code=(
        "customer_profiles takes snapshot= like rfm_table; after it, sections 5 and 6 apply "
        "unchanged (explained_variance_ratio_)."
    ),
    solution_code=(
        "profiles_june = customer_profiles(clean, cancellations, snapshot='2011-06-01')\n"
        "# scaling first, as in section 5: unscaled, monetary alone would take the first component\n"
        "pca_june = PCA().fit(scale_features(profiles_june))\n"
        "answer = pca_june.explained_variance_ratio_[0]"
    ),
    reference=_june_pc1_reference,
    wrong_answers=lambda: [FULL_YEAR_PC1_SHARE, JUNE_PC1_UNSCALED, JUNE_PC12_SHARE, 45.0],
)


def _top_terms_reference() -> list[str]:
    interest = F.interest_profiles(retail.clean())
    return [str(t) for t in F.customer_top_terms(interest, [TERMS_CUSTOMER], n=3).iloc[0]]


ex3 = Exercise(
    name="03.3 another customer's interests",
    question=(
        f"What are the three heaviest terms of customer {TERMS_CUSTOMER}'s interest profile, "
        "heaviest first? (a list of three words)"
    ),
    checker=sequence_checker(
        TOP3_TERMS_12352,
        f"customer {TERMS_CUSTOMER}'s top three terms",
        traps={tuple(TOP3_TERMS_12347): "those are customer 12347's terms; pick the row of 12352."},
    ),
    hint_text=(
        "The interest profile is one row of the customer x term matrix; its largest weights, in "
        "order, are the terms that single out what this customer buys."
    ),
    hint_code="customer_top_terms(interest, [customer], n=...) gives one row of terms; .iloc[0] and list() turn it into a list.",
    solution_code=(
        "# the profile is the normalised sum of the TF-IDF rows of the products bought, so rare words\n"
        "# of several products (here a kitchen range) outweigh words every product has\n"
        "answer = list(customer_top_terms(interest, [12352], n=3).iloc[0])"
    ),
    reference=_top_terms_reference,
    wrong_answers=lambda: [
        TOP3_TERMS_12347, ["pantry"], ["set", "pantry", "cake"], ["pantry", "set", "cake", "light"],
    ],
)

def _recency_reference(dates: pd.Series, snapshot: pd.Timestamp) -> int:
    return int((snapshot - dates.max().normalize()).days)


def _recency_cases(rng: np.random.Generator) -> list[tuple[pd.Series, pd.Timestamp]]:
    snapshot = pd.Timestamp("2011-12-10")
    cases = [
        (pd.Series(pd.to_datetime(["2011-12-09 12:50"])), snapshot),
        (pd.Series(pd.to_datetime(["2011-03-01 09:00", "2011-12-07 15:52", "2011-06-10 08:30"])), snapshot),
    ]
    start = pd.Timestamp("2010-12-01").value
    for n in (1, 4, 12):
        stamps = rng.integers(start, snapshot.value, size=n)
        cases.append((pd.Series(pd.to_datetime(stamps)).dt.floor("min"), snapshot))
    return cases


def _recency_without_normalising(dates: pd.Series, snapshot: pd.Timestamp) -> int:
    return int((snapshot - dates.max()).days)


def _recency_from_first(dates: pd.Series, snapshot: pd.Timestamp) -> int:
    return int((snapshot - dates.min().normalize()).days)


ex4 = Exercise(
    name="03.4 recency by hand",
    question=(
        "Write a function recency_days(dates, snapshot) that takes one customer's purchase times "
        "(a Series of timestamps, all before the snapshot) and the snapshot day (a Timestamp at "
        "midnight) and gives their recency as rfm_table defines it: whole days from the day of "
        "the last purchase to the snapshot, so a purchase on the day before the snapshot gives 1. "
        "Set answer = recency_days; it is checked on hidden customers."
    ),
    checker=function_checker(_recency_reference, _recency_cases, "recency_days(dates, snapshot)"),
    hint_text=(
        "Recency counts calendar days, not 24-hour periods: a purchase late on 7 December is "
        "3 days before a 10 December snapshot, not 2 days and some hours."
    ),
    hint_code=(
        "Section 1 computes the recency of customer 12347 by hand: look at how it turns the time "
        "of the last purchase into a day."
    ),
    solution_code=(
        "def recency_days(dates, snapshot):\n"
        "    # the day of the last purchase (midnight), so that the time of day does not count\n"
        "    last_day = dates.max().normalize()\n"
        "    return (snapshot - last_day).days\n"
        "\n"
        "answer = recency_days"
    ),
    reference=lambda: _recency_reference,
    wrong_answers=lambda: [_recency_without_normalising, _recency_from_first, 3],
    kind="function",
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "03.q1 the snapshot",
        "You will predict who buys in December 2011 from customer profiles. Why must the profiles be taken as of a snapshot before December?",
        {
            "a": "Because older data are more reliable.",
            "b": "Because a profile that includes December purchases already contains the outcome: the model would learn the answer (leakage) and look far better than it can be in use.",
            "c": "Because rfm_table is faster on less data.",
            "d": "It does not matter as long as the split into training and test customers is random.",
        },
        correct="b",
        explanation=(
            "Features must be computed from what was known at decision time. A December purchase "
            "lowers recency and raises frequency and monetary exactly for the customers who buy, so "
            "a profile taken after the fact predicts perfectly on paper and fails in use. Splitting "
            "customers at random does not help: the leak is in time, not in who."
        ),
        traps={"d": "A random split of customers still leaks: every profile, train or test, was computed with the outcome period in it."},
    ),
    quiz_question(
        "03.q2 scale before distances",
        "Before PCA or k-means on the profile, the features are log-transformed where skewed and standardised. What happens without it?",
        {
            "a": "Nothing changes: PCA and k-means are scale-free.",
            "b": "The column with the largest numbers (monetary, in pounds) dominates every distance and variance: unscaled, the first component is simply monetary and explains 93% of the variance.",
            "c": "The methods fail with an error.",
            "d": "Small customers get more weight.",
        },
        correct="b",
        explanation=(
            "Variance and Euclidean distance add up squared differences in each column's own units, "
            "so pounds beat shares and counts. Scaling gives every feature the same say; logging "
            "first stops a few wholesalers from dominating even after scaling."
        ),
    ),
    quiz_question(
        "03.q3 when not to log",
        "Which feature should NOT be log-transformed before scaling?",
        {
            "a": "monetary (net spend).",
            "b": "tenure_days: it is spread over the year without a long right tail, and log1p would create a long left tail (skewness -0.37 becomes -1.52).",
            "c": "frequency.",
            "d": "avg_basket_value.",
        },
        correct="b",
        explanation=(
            "A log pulls in a long right tail; applied to a feature without one it squeezes the large "
            "values and stretches the small ones, creating skew where there was none. Check the "
            "skewness before and after, as section 5 does, rather than logging everything."
        ),
    ),
    quiz_question(
        "03.q4 ties in quintiles",
        "A third of the customers bought exactly once. What goes wrong when frequency quintiles rank ties by their position in the table?",
        {
            "a": "pd.qcut raises an error.",
            "b": "Two customers with the same behaviour get different F scores (1 or 2) for no reason but the order of their IDs, so segments depend on an arbitrary order; order the ties by something meaningful (spend), or use fewer, unequal bins.",
            "c": "The quintiles are no longer equal-sized.",
            "d": "Nothing: the position is as good a tie-breaker as any.",
        },
        correct="b",
        explanation=(
            "Equal-sized bins cannot put 1,493 identical values into one fifth of 4,338 customers, "
            "so some ties must be split; the question is by what. A meaningful tie-breaker (here "
            "monetary) makes the split defensible; the same care applies to the preferred weekday, "
            "whose ties go to the latest order."
        ),
    ),
]
