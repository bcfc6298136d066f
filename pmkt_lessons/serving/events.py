"""The event log: every impression, click and purchase the service accepts, in an SQLite file.

SQLite in WAL mode (write-ahead log) lets readers run while one writer
appends, and ``synchronous=FULL`` makes each insert durable before the call
returns, so an event the service answered "stored" survives a crash or a
restart. One connection is shared by the service's worker threads behind a
lock (SQLite allows one writer at a time anyway). An optional client
``event_id`` makes retries safe: the same id is stored once. The capstone
(lesson 24) retrains from this table. Introduced in lesson 22.

References
----------
SQLite, "Write-Ahead Logging", https://www.sqlite.org/wal.html, and
"PRAGMA synchronous", https://www.sqlite.org/pragma.html#pragma_synchronous.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from pathlib import Path

import pandas as pd

from ..data import data_dir

EVENT_TYPES = ("impression", "click", "purchase")
COLUMNS = ("id", "event_id", "received_at", "customer_id", "event", "item_id", "value", "variant")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT UNIQUE,
    received_at TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ({", ".join(repr(e) for e in EVENT_TYPES)})),
    item_id     TEXT NOT NULL,
    value       REAL NOT NULL DEFAULT 0 CHECK (value >= 0),
    variant     TEXT NOT NULL
)
"""


def _text(value: object, arg: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{arg}: expected a non-empty string, got {value!r}")
    return value


class EventLog:
    """An append-only SQLite table of feedback events that survives restarts.

    Introduced in lesson 22.

    Parameters
    ----------
    path : str or Path
        The database file (created with its folder if missing); never inside
        the datasets folder. Reopening the same file continues the same log.

    Examples
    --------
    >>> with EventLog(tmp / "events.sqlite3") as log:          # doctest: +SKIP
    ...     log.append("12347", "click", "85123A", variant="A")
    """

    def __init__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path: expected a file path (str or Path), got {type(path).__name__}")
        path = Path(path)
        data = data_dir().resolve()
        if data in path.resolve().parents:
            raise ValueError(f"path: expected a file outside the datasets folder {data}, got {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        # isolation_level=None: autocommit, so each INSERT is its own committed transaction
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
        mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise RuntimeError(f"path: expected SQLite to switch {path} to WAL mode, got {mode!r}")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(_SCHEMA)

    # ------------------------------------------------------------------ write
    def append(
        self,
        customer_id: str,
        event: str,
        item_id: str,
        *,
        variant: str,
        value: float = 0.0,
        event_id: str | None = None,
    ) -> tuple[int, bool]:
        """Give ``(row id, stored)`` after appending one event; ``stored`` is False for a repeated ``event_id``.

        The row is committed (and synced to disk) before this returns.
        """
        _text(customer_id, "customer_id")
        _text(item_id, "item_id")
        _text(variant, "variant")
        if event not in EVENT_TYPES:
            raise ValueError(f"event: expected one of {list(EVENT_TYPES)}, got {event!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
            raise ValueError(f"value: expected a finite number >= 0, got {value!r}")
        if event_id is not None:
            _text(event_id, "event_id")
        received = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO events (event_id, received_at, customer_id, event, item_id, value, variant) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event_id, received, customer_id, event, item_id, float(value), variant),
            )
            if cur.rowcount == 1:
                return int(cur.lastrowid), True
            row = self._conn.execute("SELECT id FROM events WHERE event_id = ?", (event_id,)).fetchone()
            return int(row[0]), False

    # ------------------------------------------------------------------- read
    def count(self) -> int:
        """Give the number of stored events."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def counts(self) -> pd.Series:
        """Give the number of stored events by variant and event type."""
        frame = self.to_frame()
        return frame.groupby(["variant", "event"]).size().rename("events")

    def to_frame(self) -> pd.DataFrame:
        """Give every stored event as a DataFrame, in the order they were stored."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY id").fetchall()
        return pd.DataFrame(rows, columns=list(COLUMNS))

    # -------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close the connection (the file and its events stay)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventLog({str(self.path)!r})"
