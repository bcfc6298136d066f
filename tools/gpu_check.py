"""Check every torch model of the package on CUDA against the CPU: same random_state, same answer.

For each model (ExplicitMF, ImplicitALS, NeuMF, TorchLogisticRegression, FM,
Wide&Deep, DeepFM) this trains a few epochs on lesson data on the CPU and on
CUDA from the same ``random_state``, and prints the device, the seconds and
the lesson's metric for both. It fails (exit status 1) when the two metrics
differ by more than the model's stated tolerance (``TOLERANCE`` below): float
sums run in another order on a GPU, so the numbers are close, not equal.

Usage (needs only torch, numpy, pandas, scipy and scikit-learn, with the
project on ``PYTHONPATH``; about 2-4 minutes on a GPU machine)::

    PYTHONPATH=. python tools/gpu_check.py            # CPU vs CUDA
    PYTHONPATH=. python tools/gpu_check.py --quick    # small data; CPU vs CPU without a GPU

Without CUDA it runs the same models twice on the CPU (a determinism check);
``--quick`` shrinks the data so that the test suite runs it in seconds
(tests/test_gpu_check.py). Data: the course split of Online Retail (lessons
06-10) for ALS and NeuMF, MovieLens 100K for ExplicitMF when it is available
offline (else simulated low-rank ratings, and the report says so), the
simulated click log of lessons 11-12 for the click models.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOLERANCE = {
    "ExplicitMF": 0.02,  # test RMSE (stars)
    "ImplicitALS": 0.02,  # test NDCG@10
    "NeuMF": 0.03,  # test NDCG@10 (early stopping may pick a neighbouring epoch)
    "TorchLogisticRegression": 1e-3,  # test log loss
    "FactorizationMachine": 5e-3,  # test log loss
    "WideAndDeep": 5e-3,
    "DeepFM": 5e-3,
}
"""Largest allowed |metric on CUDA - metric on CPU| per model."""


@dataclass
class Result:
    model: str
    device: str
    seconds: float
    metric_name: str
    metric: float


def _recsys_data(quick: bool):
    from pmkt_lessons.cleaning import clean_transactions
    from pmkt_lessons.data import load_online_retail
    from pmkt_lessons.recsys import course_split

    clean = clean_transactions(load_online_retail()).clean
    if quick:
        top = clean["CustomerID"].value_counts().index[:300]
        clean = clean[clean["CustomerID"].isin(top)]
    return course_split(clean)


def _ratings(quick: bool) -> tuple[pd.DataFrame, str]:
    from pmkt_lessons.data import load_movielens_100k

    try:
        if quick:
            raise RuntimeError("quick: simulated ratings")
        ratings = load_movielens_100k(download=False).ratings
        return ratings[["user_id", "item_id", "rating"]], "MovieLens 100K"
    except Exception:  # noqa: BLE001 - any missing route means: simulate instead
        rng = np.random.default_rng(9)
        n_u, n_i, n = (200, 150, 6_000) if quick else (900, 1600, 100_000)
        p, q = rng.normal(size=(n_u, 4)), rng.normal(size=(n_i, 4))
        u, i = rng.integers(0, n_u, n), rng.integers(0, n_i, n)
        r = np.clip(np.round(3.5 + 0.6 * (p[u] * q[i]).sum(1) + rng.normal(0, 0.5, n)), 1, 5)
        frame = pd.DataFrame({"user_id": u, "item_id": i, "rating": r}).drop_duplicates(["user_id", "item_id"])
        return frame.reset_index(drop=True), "simulated low-rank ratings"


def _clicks(quick: bool):
    from pmkt_lessons.simulate.clicks import CATEGORICAL_FIELDS, NUMERIC_FIELDS, simulate_click_log

    n = 20_000 if quick else 150_000
    log = simulate_click_log(n, random_state=12, interaction_scale=1.3)
    cut1, cut2 = int(0.7 * n), int(0.8 * n)
    return log.iloc[:cut1], log.iloc[cut1:cut2], log.iloc[cut2:], list(CATEGORICAL_FIELDS), list(NUMERIC_FIELDS)


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def run(devices: list[str], quick: bool) -> list[Result]:
    """Give one Result per (model, device): every model trained from random_state=0 on each device."""
    from sklearn.metrics import log_loss

    from pmkt_lessons.ctr.encoding import FieldEncoder
    from pmkt_lessons.ctr.logistic import TorchLogisticRegression
    from pmkt_lessons.ctr.models import DeepFM, FactorizationMachine, WideAndDeep
    from pmkt_lessons.recsys import ndcg_at_k
    from pmkt_lessons.recsys.als import ImplicitALS
    from pmkt_lessons.recsys.mf import ExplicitMF, split_ratings
    from pmkt_lessons.recsys.ncf import NeuMF

    results: list[Result] = []
    epochs = 2 if quick else 5

    ratings, source = _ratings(quick)
    print(f"ExplicitMF data: {source}, {len(ratings):,} ratings")
    train, test = split_ratings(ratings)
    for dev in devices:
        model, secs = _timed(lambda dev=dev: ExplicitMF(n_factors=32, epochs=epochs, device=dev).fit(train))
        results.append(Result("ExplicitMF", dev, secs, "RMSE", float(model.score_ratings(test)["RMSE"])))

    split = _recsys_data(quick)
    users = split.truth["user_id"].unique()
    users = users[np.isin(users, split.interactions.users)]
    for dev in devices:
        als, secs = _timed(lambda dev=dev: ImplicitALS(n_factors=32, iterations=epochs, device=dev).fit(split.interactions))
        results.append(Result("ImplicitALS", dev, secs, "NDCG@10", ndcg_at_k(als.recommend(users), split.truth, 10)))
        ncf, secs = _timed(lambda dev=dev: NeuMF(epochs=epochs, device=dev).fit(split.interactions))
        results.append(Result("NeuMF", dev, secs, "NDCG@10", ndcg_at_k(ncf.recommend(users), split.truth, 10)))

    tr, va, te, cat, num = _clicks(quick)
    encoder = FieldEncoder(cat, num).fit(tr)
    X_tr, X_te = encoder.one_hot(tr), encoder.one_hot(te)
    for dev in devices:
        lr, secs = _timed(lambda dev=dev: TorchLogisticRegression(C=1.0, device=dev).fit(X_tr, tr["click"]))
        results.append(Result("TorchLogisticRegression", dev, secs, "log loss",
                              log_loss(te["click"], lr.predict_proba(X_te)[:, 1])))
        for cls in (FactorizationMachine, WideAndDeep, DeepFM):
            model, secs = _timed(lambda cls=cls, dev=dev: cls(cat, num, epochs=epochs, lr=0.02, device=dev).fit(
                tr, tr["click"], va, va["click"]))
            results.append(Result(cls.__name__, dev, secs, "log loss",
                                  log_loss(te["click"], model.predict_proba(te)[:, 1])))
    return results


def compare(results: list[Result]) -> pd.DataFrame:
    """Give one row per model: the metric on each device, the gap, the tolerance and a verdict."""
    frame = pd.DataFrame([r.__dict__ for r in results])
    rows = []
    for model, part in frame.groupby("model", sort=False):
        first, last = part.iloc[0], part.iloc[-1]
        gap = abs(float(first["metric"]) - float(last["metric"]))
        rows.append({
            "model": model, "metric": first["metric_name"],
            f"{first['device']} (run 1)": round(float(first["metric"]), 5),
            f"{last['device']} (run 2)": round(float(last["metric"]), 5),
            "seconds run 1": round(float(first["seconds"]), 2), "seconds run 2": round(float(last["seconds"]), 2),
            "gap": gap, "tolerance": TOLERANCE[model], "ok": gap <= TOLERANCE[model],
        })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data (the test suite's reduced form)")
    args = parser.parse_args(argv)
    import torch

    from pmkt_lessons.device import describe_device

    cuda = torch.cuda.is_available()
    devices = ["cpu", "cuda"] if cuda else ["cpu", "cpu"]
    print(describe_device("cuda" if cuda else "cpu"))
    if not cuda:
        print("no CUDA device: running every model twice on the CPU (determinism check)")
    table = compare(run(devices, args.quick))
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.to_string(index=False))
    failed = table.loc[~table["ok"], "model"].tolist()
    print("FAILED: " + ", ".join(failed) if failed else "all models agree within tolerance")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
