"""How cost grows with data: grow a shop by resampling customers, time each engine, fit log-log slopes.

To see how a job's cost grows, run it on 1x, 2x, 4x, 8x the data and fit
``log(seconds) = a + b log(size)``: ``b`` near 1 is linear growth, above 1
worse than linear, and a large fixed cost ``a`` with small ``b`` is a start-up
price (Spark's). The data is grown by drawing whole customers with
replacement, all their transactions with them, under new customer and invoice
ids, so that every copy looks like real customers. Introduced in lesson 23.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..randomness import check_random_state
from ..validation import (
    require_bool,
    require_finite,
    require_frame,
    require_no_nan,
    require_positive_int,
)

SECONDS = "seconds"
PEAK_MB = "peak_mb"
FACTOR = "factor"
ROWS = "rows"
ENGINE = "engine"
TASK = "task"


def resample_customers(clean: pd.DataFrame, factor: int, *, random_state=0) -> pd.DataFrame:
    """Give ``clean`` grown ``factor`` times: the original customers plus ``(factor - 1) x n`` drawn ones.

    Each drawn customer is an existing one picked with replacement, copied
    with all their lines under a new ``CustomerID`` (above every existing
    id) and new invoice numbers (``"<invoice>-<draw>"``), so counts of
    customers and invoices grow with the data. ``factor=1`` gives a copy of
    ``clean``. Vectorised: one ``np.repeat`` of row positions, no loop over
    customers. Introduced in lesson 23.

    Parameters
    ----------
    clean : DataFrame
        Transactions with ``CustomerID`` (no missing values) and ``InvoiceNo``.
    factor : int >= 1
    random_state : None, int or numpy Generator
    """
    require_frame(clean, [C.CUSTOMER_ID, C.INVOICE], "clean")
    require_no_nan(clean, [C.CUSTOMER_ID], "clean")
    factor = require_positive_int(factor, "factor")
    if factor == 1:
        return clean.copy()
    rng = check_random_state(random_state)
    codes, customers = pd.factorize(clean[C.CUSTOMER_ID], sort=True)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=len(customers))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n_draws = (factor - 1) * len(customers)
    drawn = rng.integers(0, len(customers), n_draws)
    lengths = sizes[drawn]
    draw_of_row = np.repeat(np.arange(n_draws), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows = order[starts[drawn][draw_of_row] + offset]
    copies = clean.iloc[rows].reset_index(drop=True)
    first_new = int(np.max(customers)) + 1
    copies[C.CUSTOMER_ID] = pd.array(first_new + draw_of_row, dtype=clean[C.CUSTOMER_ID].dtype)
    copies[C.INVOICE] = copies[C.INVOICE].astype(str) + "-" + pd.Series(draw_of_row).astype(str)
    return pd.concat([clean, copies], ignore_index=True)


@dataclass
class Measurement:
    """What :func:`measure` gives: the function's result, wall seconds and peak extra memory (MB)."""

    result: object
    seconds: float
    peak_mb: float


def _rss_mb(process, children: bool) -> float:
    total = process.memory_info().rss
    if children:
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except Exception:  # noqa: BLE001 - a child may end while we look
                pass
    return total / 2**20


def measure(func, *args, children: bool = True, interval: float = 0.02, **kwargs) -> Measurement:
    """Run ``func(*args, **kwargs)``; give its result, wall seconds and peak memory above the start.

    Memory is the resident set size of this process plus (``children=True``)
    its child processes (Spark's JVM), sampled every ``interval`` seconds by
    a background thread; the figure is the highest sample minus the level
    just before the call, so it is what the job added, not what was already
    loaded. Sampling can miss a peak shorter than ``interval``.
    Introduced in lesson 23.
    """
    import psutil

    if not callable(func):
        raise TypeError(f"func: expected a callable, got {type(func).__name__}")
    children = require_bool(children, "children")
    if not isinstance(interval, (int, float)) or not 0 < interval <= 1:
        raise ValueError(f"interval: expected seconds in (0, 1], got {interval!r}")
    process = psutil.Process()
    base = _rss_mb(process, children)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(interval):
            peak[0] = max(peak[0], _rss_mb(process, children))

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    start = time.perf_counter()
    try:
        result = func(*args, **kwargs)
    finally:
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
    peak[0] = max(peak[0], _rss_mb(process, children))
    return Measurement(result=result, seconds=seconds, peak_mb=max(0.0, peak[0] - base))


def fit_slopes(table: pd.DataFrame, *, x: str = ROWS, y: str = SECONDS, by=(TASK, ENGINE)) -> pd.DataFrame:
    """Give the log-log slope ``b`` of ``y`` against ``x`` per group: ``log y = a + b log x``.

    Least squares on the logarithms, per group of ``by``; ``seconds_at_1x`` is
    the fitted ``y`` at the group's smallest ``x``. Groups with fewer than two
    distinct sizes get NaN. Introduced in lesson 23.
    """
    by = [by] if isinstance(by, str) else list(by)
    require_frame(table, [x, y, *by], "table")
    require_finite(table[[x, y]].to_numpy(dtype=float), "table")
    if (table[x] <= 0).any() or (table[y] <= 0).any():
        raise ValueError(f"table: expected positive {x!r} and {y!r} for logarithms")
    out = []
    for key, group in table.groupby(by, sort=True):
        lx, ly = np.log(group[x].to_numpy(float)), np.log(group[y].to_numpy(float))
        if len(np.unique(lx)) < 2:
            slope, intercept = np.nan, np.nan
        else:
            slope, intercept = np.polyfit(lx, ly, 1)
        key = key if isinstance(key, tuple) else (key,)
        out.append({**dict(zip(by, key, strict=True)), "slope": slope, f"{y}_at_1x": float(np.exp(intercept + slope * lx.min()))})
    return pd.DataFrame(out).set_index(by)


BENCH_COLUMNS = (TASK, ENGINE, FACTOR, ROWS, SECONDS, PEAK_MB)


def bench_table_markdown(table: pd.DataFrame) -> str:
    """Give the measurements as a fenced ``csv`` block, the form :func:`read_bench_table` reads back.

    Introduced in lesson 23.
    """
    require_frame(table, BENCH_COLUMNS, "table")
    body = table[list(BENCH_COLUMNS)].to_csv(index=False, float_format="%.4g").strip()
    return f"```csv\n{body}\n```"


def read_bench_table(path) -> pd.DataFrame:
    """Give the measurements stored in the first fenced ``csv`` block of a Markdown file.

    ``make bench-scale`` writes them to ``docs/BENCH_SCALE.md``. Introduced in lesson 23.
    """
    import io
    import re
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: expected the benchmark file (run `make bench-scale`), got {str(path)!r}")
    match = re.search(r"```csv\n(.*?)\n```", path.read_text(encoding="utf-8"), re.S)
    if not match:
        raise ValueError(f"path: expected a ```csv block in {path.name}, found none")
    table = pd.read_csv(io.StringIO(match.group(1)))
    require_frame(table, BENCH_COLUMNS, "path")
    return table
