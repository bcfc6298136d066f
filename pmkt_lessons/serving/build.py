"""Train and save the service's models: item-kNN and ALS recommenders (variants A, B) and an FM click model.

What ``make serve`` and ``make bench-serve`` run when the model folder is
empty; lesson 22 does the same steps one by one. Recommenders: lessons 07
and 09 on the course split of lesson 06 (train before 2011-09-01, metrics on
the test period). Click model: lesson 12's factorisation machine on the
simulated click log of lesson 11, evaluated on an independent simulated log.
Introduced in lesson 22.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import columns as C
from .. import recsys as rs
from ..cleaning import clean_transactions
from ..ctr.metrics import ctr_scores
from ..ctr.models import FactorizationMachine
from ..data import load_online_retail
from ..recsys.als import ImplicitALS
from ..simulate.clicks import CATEGORICAL_FIELDS, NUMERIC_FIELDS, P_CLICK, simulate_click_log
from ..validation import require_positive_int
from .app import RECOMMEND_DIR, SCORE_DIR
from .monitoring import score_reference
from .registry import save_model

K = 10
CTR_SETTINGS = dict(embedding_dim=8, lr=0.02, lr_decay=0.8, batch_size=4096, epochs=6, patience=2, random_state=0)


def recommender_metadata(name: str, lesson: str, split: rs.CourseSplit, model) -> dict:
    """Give the metadata of a recommender fitted on the course split: period, test metrics at k=10.

    Introduced in lesson 22.
    """
    recs = model.recommend(split.truth[C.USER].unique(), K)
    metrics = rs.evaluate(recs, split.truth, K, train=split.interactions)
    dates = split.train[C.INVOICE_DATE]
    return {
        "name": name,
        "lesson": lesson,
        "training_period": [str(dates.min().date()), str(dates.max().date())],
        "data": "online_retail, course split of lesson 06 (train before 2011-09-01)",
        "metrics": {k: round(float(v), 6) for k, v in metrics.items()},
        "n_users": int(split.interactions.n_users),
        "n_items": int(split.interactions.n_items),
    }


def train_ctr_model(n_impressions: int = 60_000, *, device: str = "cpu"):
    """Give ``(model, metadata, held-out scores)`` of lesson 12's FM on the simulated click log.

    Training log: seed 0; evaluation log: seed 1, 20,000 impressions of the
    same world. Introduced in lesson 22.
    """
    n_impressions = require_positive_int(n_impressions, "n_impressions")
    train = simulate_click_log(n_impressions, random_state=0)
    test = simulate_click_log(20_000, random_state=1)
    model = FactorizationMachine(list(CATEGORICAL_FIELDS), list(NUMERIC_FIELDS), device=device, progress=False,
                                 **CTR_SETTINGS)
    model.fit(train, train[C.CLICK])
    p = model.predict_proba(test)[:, 1]
    scores = ctr_scores(test[C.CLICK].to_numpy(), p, test[P_CLICK].to_numpy())
    metadata = {
        "name": "FM click model",
        "lesson": "12",
        "training_period": f"simulated click log, seed 0, {n_impressions:,} impressions",
        "data": "simulate_click_log (lesson 11); metrics on an independent log (seed 1, 20,000 impressions)",
        "metrics": {k: round(float(v), 6) for k, v in scores.items() if np.isscalar(v)},
        "score_reference": score_reference(p),
        "settings": CTR_SETTINGS,
    }
    return model, metadata, p


def train_service_models(model_dir, *, n_impressions: int = 60_000, overwrite: bool = False) -> dict[str, Path]:
    """Give the folder of each saved model after training and saving all three into ``model_dir``.

    ``recommend/A``: item-kNN (cosine, 50 neighbours, lesson 07);
    ``recommend/B``: implicit ALS (lesson 09 defaults); ``score``: FM (lesson 12).
    Introduced in lesson 22.
    """
    model_dir = Path(model_dir)
    clean = clean_transactions(load_online_retail()).clean
    split = rs.course_split(clean)
    knn = rs.ItemKNN("cosine", 50).fit(split.interactions)
    als = ImplicitALS(device="cpu").fit(split.interactions)
    out = {
        "recommend/A": save_model(knn, model_dir / RECOMMEND_DIR / "A",
                                  recommender_metadata("item-kNN cosine k=50", "07", split, knn), overwrite=overwrite),
        "recommend/B": save_model(als, model_dir / RECOMMEND_DIR / "B",
                                  recommender_metadata("implicit ALS 64 factors", "09", split, als),
                                  overwrite=overwrite),
    }
    ctr, meta, _ = train_ctr_model(n_impressions)
    out["score"] = save_model(ctr, model_dir / SCORE_DIR, meta, overwrite=overwrite)
    return out
