"""Benchmark our DeepFM against DeepCTR-Torch's DeepFM on the simulated click log (``make bench-ctr``).

Both models are trained in this one process, on the same rows, with the same
field encoding, embedding size, hidden layers, batch size, optimiser,
learning rate and number of epochs, and the same number of torch threads;
the script reports test AUC and training rows per second of each into
docs/BENCH_CTR.md. Runs in .venv-bench (deepctr-torch 0.3.0 and the package).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
import types
from pathlib import Path

import torch
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmkt_lessons import columns as C  # noqa: E402
from pmkt_lessons.ctr.encoding import FieldEncoder  # noqa: E402
from pmkt_lessons.ctr.metrics import bayes_ceiling  # noqa: E402
from pmkt_lessons.ctr.models import DeepFM  # noqa: E402
from pmkt_lessons.device import limit_threads  # noqa: E402
from pmkt_lessons.simulate.clicks import (  # noqa: E402
    CATEGORICAL_FIELDS,
    NUMERIC_FIELDS,
    P_CLICK,
    simulate_click_log,
)

OUT = ROOT / "docs" / "BENCH_CTR.md"
SETTINGS = {
    "embedding_dim": 8,
    "hidden": (32, 16),
    "batch_size": 4096,
    "epochs": 5,
    "lr": 0.01,
    "l2": 1e-5,  # ours: Adam weight_decay; DeepCTR: l2_reg_* = l2 / 2 (it adds l2_reg * ||w||^2 to the loss)
    "threads": 1,
    "seed": 0,
}


def import_deepctr():
    """Import deepctr_torch without its start-up version check, which calls PyPI over the network."""
    if "requests" not in sys.modules:
        stub = types.ModuleType("requests")
        stub.codes = types.SimpleNamespace(ok=200)
        stub.get = lambda *args, **kwargs: types.SimpleNamespace(status_code=0, text="{}")
        sys.modules["requests"] = stub
    import deepctr_torch
    from deepctr_torch.inputs import DenseFeat, SparseFeat
    from deepctr_torch.models import DeepFM as DeepCTRDeepFM

    return deepctr_torch.__version__, SparseFeat, DenseFeat, DeepCTRDeepFM


def split(n_rows: int, seed: int):
    log = simulate_click_log(n_rows, random_state=seed, interaction_scale=1.3)
    n_train, n_val = int(0.6 * n_rows), int(0.1 * n_rows)
    return log.iloc[:n_train], log.iloc[n_train : n_train + n_val], log.iloc[n_train + n_val :]


def run_ours(train, val, test, s) -> dict:
    model = DeepFM(
        list(CATEGORICAL_FIELDS), list(NUMERIC_FIELDS), embedding_dim=s["embedding_dim"], hidden=s["hidden"],
        lr=s["lr"], weight_decay=s["l2"], batch_size=s["batch_size"], epochs=s["epochs"],
        patience=s["epochs"], random_state=s["seed"], device="cpu", progress=False, n_threads=s["threads"],
    )
    start = time.perf_counter()
    model.fit(train, train[C.CLICK], val, val[C.CLICK])
    seconds = time.perf_counter() - start
    p = model.predict_proba(test)[:, 1]
    return {"auc": roc_auc_score(test[C.CLICK], p), "seconds": seconds, "epochs": len(model.history_)}


def deepctr_inputs(encoder: FieldEncoder, frame) -> dict:
    enc = encoder.transform(frame)
    local = enc.index - encoder.offsets_  # each field's own 0..levels index (0 = unknown)
    inputs = {f: local[:, j] for j, f in enumerate(CATEGORICAL_FIELDS)}
    inputs.update({f: enc.dense[:, j] for j, f in enumerate(NUMERIC_FIELDS)})
    return inputs


def run_deepctr(train, val, test, s) -> dict:
    version, SparseFeat, DenseFeat, DeepCTRDeepFM = import_deepctr()
    encoder = FieldEncoder(list(CATEGORICAL_FIELDS), list(NUMERIC_FIELDS)).fit(train)
    columns = [
        SparseFeat(f, vocabulary_size=len(encoder.levels_[f]) + 1, embedding_dim=s["embedding_dim"])
        for f in CATEGORICAL_FIELDS
    ] + [DenseFeat(f, 1) for f in NUMERIC_FIELDS]
    model = DeepCTRDeepFM(
        linear_feature_columns=columns, dnn_feature_columns=columns, dnn_hidden_units=s["hidden"],
        l2_reg_linear=s["l2"] / 2, l2_reg_embedding=s["l2"] / 2, l2_reg_dnn=0, dnn_dropout=0,
        task="binary", device="cpu", seed=s["seed"],
    )
    model.compile(torch.optim.Adam(model.parameters(), lr=s["lr"]), "binary_crossentropy")
    x_train, x_val, x_test = (deepctr_inputs(encoder, f) for f in (train, val, test))
    start = time.perf_counter()
    model.fit(
        x_train, train[C.CLICK].to_numpy(dtype=float), batch_size=s["batch_size"], epochs=s["epochs"],
        verbose=0, validation_data=(x_val, val[C.CLICK].to_numpy(dtype=float)),
    )
    seconds = time.perf_counter() - start
    p = model.predict(x_test, batch_size=65_536).ravel()
    return {"auc": roc_auc_score(test[C.CLICK], p), "seconds": seconds, "epochs": s["epochs"], "version": version}


def report(rows: dict, n_rows: int, n_train: int, ceiling_auc: float, s: dict) -> str:
    lines = [
        "# DeepFM: ours vs DeepCTR-Torch",
        "",
        f"Written by `make bench-ctr` (`tools/bench_ctr.py`) on {dt.date.today().isoformat()}, "
        f"{platform.machine()}, {platform.python_version()}, torch {torch.__version__}, "
        f"deepctr-torch {rows['DeepCTR-Torch DeepFM']['version']}.",
        "",
        f"Data: `simulate_click_log({n_rows:,}, random_state=12, interaction_scale=1.3)` (as lesson 12), the first {n_train:,} rows for training, the next "
        f"10% for the per-epoch validation both libraries compute, the last 30% for test "
        f"(Bayes ceiling AUC on test: {ceiling_auc:.4f}). Both models get the same field encoding "
        "(`FieldEncoder`: one index per level plus an unknown bucket, numeric fields standardised).",
        "",
        f"Common settings: embedding size {s['embedding_dim']}, hidden layers {s['hidden']} (ReLU, no dropout, "
        f"no batch norm), batch size {s['batch_size']}, {s['epochs']} epochs (no early stopping), Adam with "
        f"learning rate {s['lr']}, L2 {s['l2']} on embeddings and linear weights (ours: Adam `weight_decay`; "
        f"DeepCTR: `l2_reg_* = {s['l2'] / 2}`, which it adds as `l2_reg * ||w||^2` to the loss), "
        f"`pmkt_lessons.device.limit_threads({s['threads']})`, CPU, one process, seed {s['seed']}.",
        "",
        "| model | test AUC | epochs | fit seconds | training rows / s |",
        "|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        speed = n_train * r["epochs"] / r["seconds"]
        lines.append(f"| {name} | {r['auc']:.4f} | {r['epochs']} | {r['seconds']:.1f} | {speed:,.0f} |")
    ours, theirs = rows["pmkt_lessons DeepFM"], rows["DeepCTR-Torch DeepFM"]
    ratio = (theirs["seconds"] / theirs["epochs"]) / (ours["seconds"] / ours["epochs"])
    lines += [
        "",
        f"Ours trains {ratio:.1f}x as many rows per second. Where the time goes: DeepCTR-Torch feeds "
        "batches through a `DataLoader` over a `TensorDataset` (one `__getitem__` per row, then "
        "collation) and keeps one embedding table per field; ours slices whole tensors by a shuffled "
        "index and looks every field up in one table whose backward is one `index_add_`. "
        "Fit seconds include each library's per-epoch validation pass. Timings depend on the machine "
        "and on what else runs on it; the AUCs are deterministic for a given machine.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000, help="impressions to simulate")
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    s = {**SETTINGS, "epochs": args.epochs}
    train, val, test = split(args.rows, seed=12)
    ceiling_auc = bayes_ceiling(test[C.CLICK], test[P_CLICK])["auc"]
    rows = {}
    # DeepCTR first, then ours: any warm-up advantage (imports, allocator) goes to DeepCTR-Torch
    with limit_threads(s["threads"]):  # the package's one thread limiter, for both libraries
        rows["DeepCTR-Torch DeepFM"] = run_deepctr(train, val, test, s)
        rows["pmkt_lessons DeepFM"] = run_ours(train, val, test, s)
    text = report(rows, args.rows, len(train), ceiling_auc, s)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
