"""Recommender systems on implicit purchase data (lessons 06-10).

The shared pieces: the interaction matrix (:mod:`.interactions`), the course's
time split and evaluation truth (:mod:`.split`), top-k selection
(:mod:`.topk`), ranking metrics (:mod:`.metrics`) and the recommenders
(popularity, item/user kNN, content, hybrid). Every recommender follows one
shape: ``Model(hyper-parameters).fit(interactions)``, then ``score(users)`` (dense
users x items) and ``recommend(users, k)`` (a DataFrame ``user_id, item_id,
prediction, rank``). Matrix factorisation and neural models (lessons 09-10) live
in the submodules ``mf``, ``als``, ``bpr`` and ``ncf``; import them from there.
Introduced in lesson 06.
"""

from .base import BaseRecommender, require_interactions
from .content import ContentRecommender
from .hybrid import HybridRecommender, blend_scores, minmax_rows
from .interactions import WEIGHTS, Interactions, build_interactions
from .knn import ItemKNN, UserKNN, neighbour_matrix
from .metrics import (
    catalogue_coverage,
    compare,
    evaluate,
    hit_rate_at_k,
    item_popularity,
    map_at_k,
    mean_popularity,
    ndcg_at_k,
    per_user_metrics,
    precision_at_k,
    ranked_lists,
    recall_at_k,
)
from .popularity import PopularityRecommender
from .similarity import (
    SIMILARITIES,
    cosine_similarity,
    jaccard_similarity,
    pearson_similarity,
    similarity_matrix,
)
from .split import (
    COURSE_CUTOFF,
    VALIDATION_CUTOFF,
    CourseSplit,
    course_split,
    course_validation_split,
    item_descriptions,
    label_test_pairs,
    make_truth,
    split_report,
    time_split,
    truth_from_pairs,
)
from .topk import mask_scores, top_k_indices, top_k_items

__all__ = [
    "COURSE_CUTOFF",
    "SIMILARITIES",
    "VALIDATION_CUTOFF",
    "WEIGHTS",
    "BaseRecommender",
    "ContentRecommender",
    "CourseSplit",
    "HybridRecommender",
    "Interactions",
    "ItemKNN",
    "PopularityRecommender",
    "UserKNN",
    "blend_scores",
    "build_interactions",
    "catalogue_coverage",
    "compare",
    "cosine_similarity",
    "course_split",
    "course_validation_split",
    "evaluate",
    "hit_rate_at_k",
    "item_descriptions",
    "item_popularity",
    "jaccard_similarity",
    "label_test_pairs",
    "make_truth",
    "map_at_k",
    "mask_scores",
    "mean_popularity",
    "minmax_rows",
    "ndcg_at_k",
    "neighbour_matrix",
    "pearson_similarity",
    "per_user_metrics",
    "precision_at_k",
    "ranked_lists",
    "recall_at_k",
    "require_interactions",
    "similarity_matrix",
    "split_report",
    "time_split",
    "top_k_indices",
    "top_k_items",
    "truth_from_pairs",
]
