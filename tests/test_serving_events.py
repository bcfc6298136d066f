"""Tests of pmkt_lessons.serving.events: an append-only SQLite log that survives reopening."""

import sqlite3
import threading

import pytest

from pmkt_lessons.data import data_dir
from pmkt_lessons.serving.events import COLUMNS, EventLog


@pytest.fixture
def log(tmp_path):
    with EventLog(tmp_path / "events.sqlite3") as events:
        yield events


def test_append_stores_every_field(log):
    row, stored = log.append("c1", "purchase", "85123A", variant="B", value=12.5, event_id="e-1")
    assert (row, stored) == (1, True)
    frame = log.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    assert frame.loc[0, ["customer_id", "event", "item_id", "value", "variant", "event_id"]].tolist() == [
        "c1", "purchase", "85123A", 12.5, "B", "e-1"]
    assert frame.loc[0, "received_at"].endswith("+00:00")


def test_the_file_is_in_wal_mode_with_full_sync(log):
    conn = sqlite3.connect(log.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_events_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "events.sqlite3"
    with EventLog(path) as first:
        for i in range(30):
            first.append(f"c{i}", "click", "i1", variant="A")
    with EventLog(path) as second:
        assert second.count() == 30
        second.append("c99", "impression", "i2", variant="B")
        assert second.to_frame()["id"].tolist() == list(range(1, 32))
        assert second.counts().to_dict() == {("A", "click"): 30, ("B", "impression"): 1}


def test_a_repeated_event_id_is_stored_once(log):
    first = log.append("c1", "click", "i1", variant="A", event_id="retry-me")
    again = log.append("c1", "click", "i1", variant="A", event_id="retry-me")
    assert first == (1, True) and again == (1, False)
    log.append("c1", "click", "i1", variant="A")  # no id: always stored
    log.append("c1", "click", "i1", variant="A")
    assert log.count() == 3


def test_concurrent_appends_are_all_kept(log):
    def writer(t):
        for i in range(40):
            log.append(f"t{t}", "impression", f"i{i}", variant="A")

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    frame = log.to_frame()
    assert len(frame) == 320 and frame["id"].is_unique
    assert frame.groupby("customer_id").size().eq(40).all()


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("c1", "view", "i1"), {"variant": "A"}, ValueError, "event: expected one of"),
        (("", "click", "i1"), {"variant": "A"}, TypeError, "customer_id"),
        (("c1", "click", 5), {"variant": "A"}, TypeError, "item_id"),
        (("c1", "click", "i1"), {"variant": None}, TypeError, "variant"),
        (("c1", "click", "i1"), {"variant": "A", "value": -1.0}, ValueError, "value"),
        (("c1", "click", "i1"), {"variant": "A", "value": float("nan")}, ValueError, "value"),
        (("c1", "click", "i1"), {"variant": "A", "value": float("inf")}, ValueError, "value"),
        (("c1", "click", "i1"), {"variant": "A", "event_id": ""}, TypeError, "event_id"),
    ],
)
def test_bad_events_are_named_and_not_stored(log, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        log.append(*args, **kwargs)
    assert log.count() == 0


def test_bad_paths_are_named():
    with pytest.raises(TypeError, match="path"):
        EventLog(3)
    with pytest.raises(ValueError, match="outside the datasets folder"):
        EventLog(data_dir() / "events.sqlite3")
