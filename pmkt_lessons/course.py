"""The course map: every planned lesson with its data, package modules and minutes.

Lesson 00 shows it and the README's lesson table is checked against it.
Introduced in lesson 00.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course map."""

    number: str
    notebook: str
    title: str
    learn: str
    data: str
    modules: str
    minutes: int


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "00_welcome", "Welcome", "course map, environment and device check, datasets, how exercises work", "all", "data, device, exercises", 20),
    Lesson("01", "01_data_cleaning", "Data cleaning", "quality report, cancellations and returns, duplicates, outliers (IQR, MAD), time features, encoding", "online_retail", "cleaning", 60),
    Lesson("02", "02_customer_behaviour", "Exploring customer behaviour", "revenue over time, hour x weekday, countries, Pareto of customers and products, cohort retention", "online_retail", "behaviour, plots", 45),
    Lesson("03", "03_customer_profiles", "Customer profiles", "RFM, behavioural features, TF-IDF interest profiles, log scaling, PCA", "online_retail", "features", 60),
    Lesson("04", "04_segmentation", "Segmentation", "k-means (elbow, silhouette), Ward clustering, stability, RFM segments, an action per segment", "online_retail, simulated", "segments, simulate", 60),
    Lesson("05", "05_basket_rules", "Market-basket rules", "support, confidence, lift, leverage, conviction; apriori vs FP-growth; rules as cross-sell", "groceries, online_retail", "rules", 50),
    Lesson("06", "06_recsys_evaluation", "Recommender evaluation", "interaction matrix, time-based split, popularity baseline, precision/recall/NDCG/MAP at k, coverage", "online_retail", "recsys", 60),
    Lesson("07", "07_collaborative_filtering", "Collaborative filtering", "user- and item-kNN, cosine / Pearson / Jaccard, weighted-sum scores", "online_retail", "recsys", 60),
    Lesson("08", "08_content_hybrid", "Content-based and hybrid", "TF-IDF item vectors, user profiles, cold start, blending", "online_retail", "recsys", 50),
    Lesson("09", "09_matrix_factorisation", "Matrix factorisation", "explicit MF with L2 on MovieLens, implicit BPR for top-k", "movielens_100k, online_retail", "recsys", 60),
    Lesson("10", "10_neural_recommenders", "Neural recommenders", "NCF / NeuMF in torch, negative sampling, early stopping, comparison table", "online_retail", "recsys", 60),
    Lesson("11", "11_ctr_basics", "CTR prediction basics", "hashing trick, logistic regression, AUC / log loss / calibration, the best possible AUC", "simulated ad log", "ctr, simulate", 60),
    Lesson("12", "12_deep_ctr", "Deep CTR models", "FM, Wide&Deep, DeepFM vs gradient-boosted trees", "simulated ad log, bank_marketing", "ctr", 60),
    Lesson("13", "13_campaign_targeting", "Campaign targeting", "response model, target leakage, unknown values, profit curve, whom to call", "bank_marketing", "targeting", 50),
    Lesson("14", "14_bidding_budgets", "Bidding and budgets", "CPM / CPC / CPA, second-price auctions, bid shading, budget pacing, ROI", "simulated auctions", "ads, simulate", 50),
    Lesson("15", "15_ab_testing", "A/B testing", "power and sample size, tests and intervals, the peeking trap, the Hillstrom campaign", "hillstrom, simulated", "experiments", 60),
    Lesson("16", "16_uplift", "Uplift modelling", "T- and S-learners, uplift and Qini curves, value of a targeting policy", "hillstrom, simulated", "uplift", 60),
    Lesson("17", "17_bandits", "Bandits and real-time marketing", "epsilon-greedy, UCB, Thompson sampling, regret, off-policy evaluation (IPS, DR)", "open_bandit, simulated", "bandits", 60),
    Lesson("18", "18_responsible_marketing", "Responsible marketing", "pseudonymisation with keyed hashes, k-anonymity, differential privacy, fairness of targeting, popularity bias", "bank_marketing, online_retail", "privacy, fairness, popularity_bias", 60),
    Lesson("19", "19_text_signals", "Text signals", "a lexicon baseline, TF-IDF + logistic regression, domain shift, a small attention model, topics", "sentiment", "text, attention", 60),
    Lesson("20", "20_sequential_recommendation", "Sequential recommendation", "buy-it-again and transition baselines, SASRec and a BERT4Rec-style model, next-item and time-split evaluation", "online_retail, movielens_100k", "recsys.sequential, attention", 60),
    Lesson("21", "21_real_time_marketing", "Real-time marketing", "event streams, features updated per event, prequential evaluation, FTRL and River, drift detection, contextual bandits", "online_retail, simulated, open_bandit", "streaming, online, contextual", 60),
    Lesson("22", "22_models_as_a_service", "Models as a service", "a FastAPI service, saved models with checksums, an event log, A/B routing, latency under load", "saved models of 07-12", "serving", 60),
    Lesson("23", "23_scaling_out", "Scaling out", "the same queries in DuckDB, Spark in local mode for rules, ALS and logistic regression, how cost grows with data", "online_retail, groceries, simulated", "scale", 60),
    Lesson("24", "24_capstone", "Capstone: the feedback loop", "segment, recommend, predict response, allocate budget, serve, test, retrain on a simulated shop", "simulated shop", "all", 90),
)


def course_map(notebook_dir=None) -> pd.DataFrame:
    """Give the course map as a DataFrame; with ``notebook_dir``, a column says which lessons exist yet."""
    df = pd.DataFrame([lesson.__dict__ for lesson in LESSONS]).set_index("number")
    if notebook_dir is not None:
        from pathlib import Path

        present = {p.stem for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb")}
        df["available"] = df["notebook"].isin(present)
    return df
