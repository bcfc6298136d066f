"""How cost grows with data for pandas, DuckDB and Spark (``make bench-scale``; lesson 23).

Grows the data 1x, 2x, 4x, 8x (``--factors``) and measures wall time and peak
added memory (the process plus its children, i.e. Spark's JVM, sampled every
20 ms) of three tasks:

* **RFM** on Online Retail, customers resampled with new ids
  (``pmkt_lessons.scale.experiment.resample_customers``), read from a Parquet
  file by DuckDB and Spark: pandas (``features.rfm_table``), DuckDB
  (``scale.duck.rfm_duckdb``), Spark local (``scale.spark.rfm_spark``);
* **FP-growth** on Groceries, baskets resampled with replacement, support 0.01,
  confidence 0.5: mlxtend (``rules.mine_rules``) and Spark's ``FPGrowth``;
* **ALS** on the Online Retail interactions of the resampled customers, 32
  factors, 10 iterations: the package's ``ImplicitALS`` (torch, CPU) and
  Spark's ``ALS``.

Each engine runs in its own child process (so one engine's memory does not
count against another's), warmed up once at the smallest size, started with ``taskset`` on ``--cores`` cores when
available; Spark's start-up is paid once per process and not timed. The table
and fitted log-log slopes go to docs/BENCH_SCALE.md, with a ``csv`` block that
lesson 23 reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "BENCH_SCALE.md"
SPARK = "Spark local[2]"
ENGINES = {
    "RFM": ("pandas", "DuckDB", SPARK),
    "FP-growth": ("mlxtend", SPARK),
    "ALS": ("package ALS", SPARK),
}
ALS_SETTINGS = {"n_factors": 32, "iterations": 10, "alpha": 1.0}


def run_engine(task: str, engine: str, factors: list[int], work: Path) -> list[dict]:
    """Measure one engine on one task at every factor (runs inside a child process)."""
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    from pmkt_lessons import recsys as rs
    from pmkt_lessons.cleaning import clean_transactions
    from pmkt_lessons.data import load_groceries, load_online_retail
    from pmkt_lessons.features import rfm_table
    from pmkt_lessons.rules import mine_rules, one_hot
    from pmkt_lessons.scale import duck, experiment

    spark = None
    if engine == SPARK:
        from pmkt_lessons.scale import spark as S
        from pmkt_lessons.scale.session import spark_session

        spark = spark_session(work_dir=work / "spark")
    rows = []
    if task in ("RFM", "ALS"):
        result = clean_transactions(load_online_retail())
        clean, returns = result.clean, result.cancellations
        returns_path = duck.write_parquet(returns, work / "returns.parquet")
    else:
        baskets = load_groceries().baskets
    for factor in factors:
        if task == "RFM":
            grown = experiment.resample_customers(clean, factor, random_state=0)
            path = duck.write_parquet(grown, work / f"rfm_{factor}.parquet")
            size = len(grown)
            jobs = {
                "pandas": lambda g=grown: rfm_table(g, returns),
                "DuckDB": lambda p=path: duck.rfm_duckdb(p, returns_path),
                SPARK: lambda p=path: S.rfm_to_pandas(
                    S.rfm_spark(spark.read.parquet(str(p)), spark.read.parquet(str(returns_path)))
                ),
            }
        elif task == "FP-growth":
            import numpy as np

            rng = np.random.default_rng(0)
            extra = rng.integers(0, len(baskets), (factor - 1) * len(baskets))
            grown_baskets = list(baskets) + [baskets[i] for i in extra]
            size = len(grown_baskets)
            jobs = {
                "mlxtend": lambda b=grown_baskets: mine_rules(one_hot(b), 0.01, 0.5),
                SPARK: lambda b=grown_baskets: S.fpgrowth_rules_spark(b, 0.01, 0.5, spark=spark),
            }
        else:
            from pmkt_lessons.recsys.als import ImplicitALS

            grown = experiment.resample_customers(clean, factor, random_state=0)
            inter = rs.build_interactions(grown, weight="binary")
            size = inter.nnz
            per_user = inter.nnz / inter.n_users
            jobs = {
                "package ALS": lambda i=inter: ImplicitALS(reg=0.05, device="cpu", **ALS_SETTINGS).fit(i),
                SPARK: lambda i=inter, r=0.05 / per_user: S.SparkALS(reg=r, **ALS_SETTINGS).fit(i),
            }
        if factor == factors[0]:
            jobs[engine]()  # warm-up, not timed: JIT compilation, thread pools, first-call imports
        m = experiment.measure(jobs[engine])
        rows.append({"task": task, "engine": engine, "factor": factor, "rows": size,
                     "seconds": m.seconds, "peak_mb": m.peak_mb})
        print(json.dumps(rows[-1]), flush=True)  # one line per size: kept even if a later size fails
    if spark is not None:
        spark.stop()
    return rows


def machine(cores: int | None) -> str:
    """Describe the machine the sweep ran on."""
    import psutil

    limit = f", limited to {cores} cores with taskset" if cores and shutil.which("taskset") else ""
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs{limit}, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Python {platform.python_version()}")


def write_report(table, args, failures: list[str]) -> None:
    """Write docs/BENCH_SCALE.md: the table, slopes and the csv block lesson 23 reads."""
    from pmkt_lessons.scale import experiment

    slopes = experiment.fit_slopes(table)
    wide = table.pivot_table(index=["task", "factor", "rows"], columns="engine", values="seconds").round(3)
    mem = table.pivot_table(index=["task", "factor"], columns="engine", values="peak_mb").round(0)
    text = f"""# How cost grows with data: pandas, DuckDB and Spark (lesson 23)

Measured {dt.date.today().isoformat()} by `make bench-scale` (`tools/bench_scale.py --factors
{' '.join(map(str, args.factors))} --als-factors {' '.join(map(str, args.als_factors))}`) on {machine(args.cores)}.
Each engine ran in its own process; Spark's start-up and one warm-up run at the smallest size are\nnot in the times.
{''.join(f"**Failed:** {f}.{chr(10)}" for f in failures)}
Wall seconds of one run each: read the growth, not the last digit.

## Wall seconds

{wide.to_markdown()}

## Peak memory added during the job (MB; process plus Spark's JVM)

{mem.to_markdown()}

## Log-log slopes: seconds = a x rows^slope

{slopes.round(2).to_markdown()}

A slope near 1 is linear growth; Spark's smaller slopes with higher times are its fixed cost of
planning and scheduling, which only a bigger job or more machines amortise.

## Raw measurements (read by notebooks/23_scaling_out.ipynb)

{experiment.bench_table_markdown(table)}
"""
    OUT.write_text(text, encoding="utf-8")
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--als-factors", type=int, nargs="+", default=[1, 2, 4],
                        help="factors for ALS (Spark local with a 768 MB driver fails at 8x)")
    parser.add_argument("--cores", type=int, default=2, help="taskset each engine to this many cores (0: all)")
    parser.add_argument("--tasks", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--child", nargs=2, metavar=("TASK", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_engine(args.child[0], args.child[1], args.factors, Path(args.work))
        return

    import pandas as pd

    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as work:
        for task in args.tasks:
            factors = args.als_factors if task == "ALS" else args.factors
            for engine in ENGINES[task]:
                cmd = [sys.executable, __file__, "--child", task, engine, "--work", work,
                       "--factors", *map(str, factors)]
                if args.cores and shutil.which("taskset"):
                    cmd = ["taskset", "-c", f"0-{args.cores - 1}", *cmd]
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # errors go to stderr
                done = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
                rows += done
                if proc.returncode != 0:
                    left = [f for f in factors if f not in {r["factor"] for r in done}]
                    failures.append(f"{task} / {engine} failed at factor {left[0]} (exit code {proc.returncode})")
                    print(failures[-1], flush=True)
                print(f"{task:10s} {engine:15s} done", flush=True)
    write_report(pd.DataFrame(rows), args, failures)


if __name__ == "__main__":
    main()
