"""Benchmark our SASRec against RecBole's SASRec on the same sequences and split (lesson 20).

In one process, on CPU, one thread each:

* **MovieLens 100K, leave-last-out** (``pmkt_lessons.recsys.sequential``):
  the sequences of ``movielens_events`` (ties in file order), each user's last
  film the test target, the one before it the validation target. RecBole gets
  exactly these sequences: its ``.inter`` file carries each event's position
  in our order as the timestamp, and its ``LS: valid_and_test`` split takes the
  same two last items.
* Both models: L = 30, width 32, 2 blocks of 2 heads, feed-forward 128, dropout
  0.2, Adam lr 0.005, batch 64, full-softmax cross-entropy, at most ``--epochs``
  epochs with early stopping on validation NDCG@10 (patience 2), full ranking
  of every film, *no* exclusion of already-rated films (RecBole's sequential
  evaluation does not exclude them, so ours does not either here).
* Reported: HR@10 and NDCG@10 on the test targets with a paired bootstrap
  interval over users (ours - RecBole), training seconds per epoch (validation
  excluded; what an epoch contains differs, see the notes written with the
  table), epochs run and total fit seconds.

The table goes to docs/BENCH_SEQUENTIAL.md. Run it in an environment with
RecBole's runtime dependencies (see that file); the course environment has the
``recbole`` wheel without them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmkt_lessons import columns as C  # noqa: E402
from pmkt_lessons.data import load_movielens_100k  # noqa: E402
from pmkt_lessons.device import limit_threads  # noqa: E402
from pmkt_lessons.evaluation import paired_bootstrap  # noqa: E402
from pmkt_lessons.recsys import per_user_metrics  # noqa: E402
from pmkt_lessons.recsys import sequential as sq  # noqa: E402

OUT = ROOT / "docs" / "BENCH_SEQUENTIAL.md"
ENVIRONMENT_NOTE = """## Running RecBole 1.2.1 with numpy 2 and pandas 3

RecBole is installed with `pip install --no-deps recbole==1.2.1`: its declared dependencies include
`ray<=2.6.3` and `plotly`, which the code paths used here never import. What it does
import, and the versions this run used (Python 3.11, with the course's `constraints.txt`):

    pip install --no-deps recbole==1.2.1
    pip install colorlog==4.7.2 colorama==0.4.4 texttable==1.7.2 thop==0.1.1.post2209072238 \\
        tensorboard==2.21.0 pyyaml==6.0.4 psutil==7.2.2 tabulate==0.10.0

(`tensorboard` brings absl-py 2.5.1, grpcio 1.85.3, markdown 3.11.3, protobuf 7.36.2,
tensorboard-data-server 0.7.2 and werkzeug 3.1.9; `recbole.utils` imports
`torch.utils.tensorboard` at import time, so it cannot be left out.)

With numpy 2.4 RecBole fails before reading any data: `Config.compatibility_settings` runs
`np.float = np.float_`, and numpy 2 removed `np.float_`, `np.complex_` and `np.unicode_`
(AttributeError). The benchmark puts those three names back as aliases of `np.float64`,
`np.complex128` and `np.str_` (`numpy2_shim`) before building the config; nothing else is changed.
With pandas 3 (copy-on-write) RecBole's `feat[field].fillna(..., inplace=True)` no longer fills
anything and pandas warns (ChainedAssignmentError); it only matters for missing values, and these
sequences have none. RecBole also warns that `torch.cuda.amp.GradScaler` is deprecated. Everything
else (dataset, leave-last-out split, training, full-ranking evaluation) ran unchanged.
"""
K = 10
SETTINGS = {"max_len": 30, "d_model": 32, "n_heads": 2, "n_layers": 2, "dropout": 0.2, "lr": 0.005,
            "batch_size": 64, "patience": 2}


def ours(seqs: sq.Sequences, epochs: int, windows: int) -> dict:
    hist, truth = sq.leave_last_out(seqs)
    train, val = sq.leave_last_out(hist)
    model = sq.SASRec(**SETTINGS, epochs=epochs, windows_per_user=windows, exclude_seen=False,
                      random_state=0, device="cpu", n_threads=1, progress=False)
    model.fit(train, validation=(train, val))
    recs = model.recommend(hist, k=K, exclude_seen=False)
    per_user = per_user_metrics(recs, truth, K)
    return {"per_user": per_user, "epoch_seconds": model.epoch_seconds_, "epochs": len(model.history_),
            "fit_seconds": model.fit_seconds_,
            "predictions_per_epoch": int((sq.training_windows(train, SETTINGS["max_len"] + 1, windows) != 0).sum()
                                         - len(sq.training_windows(train, SETTINGS["max_len"] + 1, windows)))}


def numpy2_shim() -> list[str]:
    """Give back the numpy aliases that numpy 2 removed and RecBole 1.2.1 still reads; name them.

    ``recbole.config.Config.compatibility_settings`` runs ``np.float = np.float_``
    (and ``complex_``, ``unicode_``), which raises AttributeError under numpy 2.
    Restoring the three old names as aliases of their numpy 2 equivalents is
    the only change; nothing else of RecBole is touched.
    """
    added = []
    for old, new in (("float_", np.float64), ("complex_", np.complex128), ("unicode_", np.str_)):
        if old not in np.__dict__:
            setattr(np, old, new)
            added.append(old)
    return added


def run_recbole(seqs: sq.Sequences, epochs: int, workdir: Path) -> dict:
    import torch
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.model.sequential_recommender import SASRec
    from recbole.trainer import Trainer
    from recbole.utils import init_seed

    numpy2_shim()
    frame = seqs.to_frame()
    inter = pd.DataFrame({"user_id:token": frame[C.USER].astype(str), "item_id:token": frame[C.ITEM].astype(str),
                          "timestamp:float": frame["position"].astype(float)})
    (workdir / "mlseq").mkdir(parents=True, exist_ok=True)
    inter.to_csv(workdir / "mlseq" / "mlseq.inter", sep="\t", index=False)
    config = Config(model="SASRec", dataset="mlseq", config_dict={
        "data_path": str(workdir), "checkpoint_dir": str(workdir / "saved"), "show_progress": False,
        "USER_ID_FIELD": "user_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": "timestamp",
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "MAX_ITEM_LIST_LENGTH": SETTINGS["max_len"],
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user", "mode": "full"},
        "train_neg_sample_args": None, "loss_type": "CE",
        "n_layers": SETTINGS["n_layers"], "n_heads": SETTINGS["n_heads"], "hidden_size": SETTINGS["d_model"],
        "inner_size": 4 * SETTINGS["d_model"], "hidden_dropout_prob": SETTINGS["dropout"],
        "attn_dropout_prob": SETTINGS["dropout"], "hidden_act": "gelu",
        "learning_rate": SETTINGS["lr"], "train_batch_size": SETTINGS["batch_size"], "epochs": epochs,
        "stopping_step": SETTINGS["patience"], "valid_metric": "NDCG@10", "metrics": ["Hit", "NDCG"],
        "topk": [K], "eval_batch_size": 1024, "seed": 0, "reproducibility": True, "use_gpu": False,
        "device": "cpu", "log_wandb": False, "save_dataset": False, "save_dataloaders": False,
    })
    init_seed(config["seed"], config["reproducibility"])
    logging.getLogger().setLevel(logging.WARNING)
    dataset = create_dataset(config)
    train_data, valid_data, test_data = data_preparation(config, dataset)
    model = SASRec(config, train_data.dataset).to(config["device"])
    trainer = Trainer(config, model)
    epoch_seconds = []
    train_epoch = trainer._train_epoch

    def timed_epoch(*args, **kwargs):
        start = time.perf_counter()
        out = train_epoch(*args, **kwargs)
        epoch_seconds.append(time.perf_counter() - start)
        return out

    trainer._train_epoch = timed_epoch
    start = time.perf_counter()
    trainer.fit(train_data, valid_data, saved=True, show_progress=False, verbose=False)
    fit_seconds = time.perf_counter() - start
    trainer.model.load_state_dict(torch.load(trainer.saved_model_file, weights_only=False)["state_dict"])
    trainer.model.eval()
    rows = []
    with torch.no_grad():
        for batch in test_data:
            interaction, scores, _, positive_i = trainer._full_sort_batch_eval(batch)
            target = scores.gather(1, positive_i[:, None])
            rank = (scores > target).sum(dim=1) + 1
            users = dataset.id2token("user_id", interaction["user_id"].cpu().numpy())
            rows.append(pd.DataFrame({C.USER: users, "rank": rank.cpu().numpy()}))
    ranks = pd.concat(rows, ignore_index=True)
    ranks[C.USER] = ranks[C.USER].astype(int)
    ranks = ranks.set_index(C.USER).sort_index()["rank"]
    hit = (ranks <= K).astype(float)
    ndcg = np.where(ranks <= K, 1.0 / np.log2(ranks + 1.0), 0.0)
    per_user = pd.DataFrame({"hit_rate": hit, "ndcg": ndcg}, index=ranks.index)
    return {"per_user": per_user, "epoch_seconds": float(np.mean(epoch_seconds)), "epochs": len(epoch_seconds),
            "fit_seconds": fit_seconds,
            "predictions_per_epoch": len(train_data.dataset)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs of both models (same budget in epochs)")
    parser.add_argument("--long-epochs", type=int, default=30,
                        help="epochs of our second run (early stopping decides; still less time than RecBole's)")
    parser.add_argument("--windows", type=int, default=1000,
                        help="our windows per user (1000: every training target once per epoch, as RecBole)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import recbole
    import torch

    seqs = sq.build_sequences(sq.movielens_events(load_movielens_100k().ratings))
    with limit_threads(1):
        a = ours(seqs, args.epochs, args.windows)
        a_long = ours(seqs, args.long_epochs, args.windows)
        with tempfile.TemporaryDirectory() as tmp:
            here = Path.cwd()
            os.chdir(tmp)  # RecBole writes log/ and log_tensorboard/ into the working directory
            try:
                b = run_recbole(seqs, args.epochs, Path(tmp))
            finally:
                os.chdir(here)
    users = a["per_user"].index
    if not b["per_user"].index.equals(users):
        raise RuntimeError("RecBole scored other users than ours: the splits differ")
    rows = []
    runs = ((f"ours (pmkt_lessons SASRec), max {args.epochs} epochs", a),
            (f"ours, max {args.long_epochs} epochs", a_long),
            (f"RecBole {recbole.__version__} SASRec, max {args.epochs} epochs", b))
    for name, res in runs:
        rows.append({"model": name, "HR@10": res["per_user"]["hit_rate"].mean(), "NDCG@10": res["per_user"]["ndcg"].mean(),
                     "s / epoch": res["epoch_seconds"], "epochs run": res["epochs"],
                     "fit s (with validation)": res["fit_seconds"], "predictions / epoch": res["predictions_per_epoch"]})
    table = pd.DataFrame(rows)
    diffs = []
    for label, res in ((f"ours, max {args.epochs} epochs", a), (f"ours, max {args.long_epochs} epochs", a_long)):
        ndcg_diff = paired_bootstrap(res["per_user"]["ndcg"], b["per_user"].loc[users, "ndcg"])
        hr_diff = paired_bootstrap(res["per_user"]["hit_rate"], b["per_user"].loc[users, "hit_rate"])
        diffs.append(f"- {label} - RecBole: NDCG@10 {ndcg_diff}; HR@10 {hr_diff}")
    fmt = {"HR@10": "{:.4f}", "NDCG@10": "{:.4f}", "s / epoch": "{:.2f}", "fit s (with validation)": "{:.1f}",
           "predictions / epoch": "{:,}"}
    lines = ["| " + " | ".join(table.columns) + " |", "|---|" + "---:|" * (len(table.columns) - 1)]
    for _, row in table.iterrows():
        lines.append("| " + " | ".join(fmt.get(c, "{}").format(row[c]) for c in table.columns) + " |")
    text = f"""# Sequential recommendation: ours vs RecBole (lesson 20)

Written by `tools/bench_sequential.py` on {dt.date.today().isoformat()}: {platform.processor() or platform.machine()},
Python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}, pandas {pd.__version__},
RecBole {recbole.__version__}; CPU, one thread each.

MovieLens 100K, leave-last-out on the same sequences (ties in file order), full ranking of all
{seqs.n_items:,} films without excluding rated ones (RecBole's sequential protocol), {len(users):,} users.
Same architecture and budget: L = {SETTINGS['max_len']}, width {SETTINGS['d_model']}, {SETTINGS['n_layers']} blocks x
{SETTINGS['n_heads']} heads, dropout {SETTINGS['dropout']}, Adam lr {SETTINGS['lr']}, batch {SETTINGS['batch_size']},
full-softmax cross-entropy, early stopping on validation NDCG@10 with patience {SETTINGS['patience']}; every
training target once per epoch for both (ours: up to {args.windows} windows per user).

{chr(10).join(lines)}

Paired bootstrap over users (95 % intervals):

{chr(10).join(diffs)}

How an epoch is computed differs: RecBole trains on every prefix of every training sequence (one
next-item prediction per prefix, each a full forward pass over up to L items); ours cuts each
sequence into windows of L + 1 items and predicts the next item at every position of a window in
one pass (the causal mask makes that legitimate), so each target is seen once per epoch in both,
with up to L items of context in RecBole and between 1 and L in ours. "predictions / epoch" counts
next-item targets (ours misses the first item of each window as a target, about 3 %).
Seconds per epoch are training only (validation excluded), measured with other jobs on the machine:
compare the ratio, not the absolute values.

{ENVIRONMENT_NOTE}"""
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
