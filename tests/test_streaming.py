"""Tests of pmkt_lessons.streaming: the event stream, per-event features, prequential replay."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pmkt_lessons import columns as C
from pmkt_lessons import features as F
from pmkt_lessons.recsys import PopularityRecommender, build_interactions
from pmkt_lessons.recsys.similarity import cosine_similarity
from pmkt_lessons.streaming import (
    Event,
    ItemCooccurrence,
    SimulatedClock,
    StreamingRecommender,
    StreamingRFM,
    TrendingItems,
    event_stream,
    latency_summary,
    prequential_replay,
    stream_table,
)

SNAPSHOT = pd.Timestamp("2011-06-01")


@pytest.fixture(scope="module")
def stream(cleaned):
    return event_stream(cleaned.clean, cleaned.cancellations)


@pytest.fixture(scope="module")
def replayed(stream):
    """Every feature store after the full replay; RFM and co-occurrence after the replay until SNAPSHOT."""
    full = [StreamingRFM(), TrendingItems(len(stream.items), "7D"), ItemCooccurrence(len(stream.items))]
    for event in stream:
        for store in full:
            store.update(event)
    part = StreamingRFM()
    part_cooc = ItemCooccurrence(len(stream.items))
    for event in stream.replay(until=SNAPSHOT):
        part.update(event)
        part_cooc.update(event)
    return full, part, part_cooc


def _tiny():
    t = pd.Timestamp("2011-01-03 10:00")
    clean = pd.DataFrame(
        {
            C.INVOICE: ["1", "1", "2", "3", "3"],
            C.STOCK_CODE: ["A", "B", "A", "C", "B"],
            C.QUANTITY: [1, 2, 3, 1, 1],
            C.INVOICE_DATE: [t, t, t + pd.Timedelta("2D"), t + pd.Timedelta("9D"), t + pd.Timedelta("9D")],
            C.CUSTOMER_ID: [10, 10, 11, 10, 10],
            C.REVENUE: [1.0, 4.0, 3.0, 2.0, 2.0],
        }
    )
    returns = pd.DataFrame(
        {
            C.INVOICE: ["C9"], C.STOCK_CODE: ["A"], C.QUANTITY: [-1],
            C.INVOICE_DATE: [t + pd.Timedelta("3D")], C.CUSTOMER_ID: [10], C.REVENUE: [-1.0],
        }
    )
    return clean, returns


# --------------------------------------------------------------------------- the stream


def test_stream_is_time_ordered_and_complete(cleaned, stream):
    events = list(stream)
    times = np.array([e.time for e in events])
    assert (np.diff(times) >= 0).all()
    assert len(events) == cleaned.clean[C.INVOICE].nunique() + cleaned.cancellations[C.INVOICE].nunique()
    assert sum(len(e.items) for e in events) == len(cleaned.clean) + len(cleaned.cancellations)
    assert stream.n_lines == len(cleaned.clean) + len(cleaned.cancellations)
    sales = [e for e in events if not e.is_return]
    assert np.isclose(sum(e.value for e in sales), cleaned.clean[C.REVENUE].sum())
    # a second iteration replays the same events (a log can be re-read)
    first = next(iter(stream))
    assert first.invoice == events[0].invoice and first.time == events[0].time


def test_stream_tiny_events_and_clock():
    clean, returns = _tiny()
    stream = event_stream(clean, returns)
    clock = SimulatedClock()
    events = list(stream.replay(clock=clock))
    assert [e.invoice for e in events] == ["1", "2", "C9", "3"]
    assert list(stream.items) == ["A", "B", "C"]
    assert events[0].items.tolist() == [0, 1] and events[0].value == 5.0
    assert events[2].is_return and events[2].value == -1.0
    assert clock.timestamp == pd.Timestamp("2011-01-12 10:00")
    assert [e.invoice for e in stream.replay(until="2011-01-06")] == ["1", "2"]


def test_stream_bad_inputs():
    clean, returns = _tiny()
    with pytest.raises(ValueError, match="clean: expected a non-empty DataFrame"):
        event_stream(clean.iloc[:0])
    with pytest.raises(TypeError, match="clean: expected a pandas DataFrame"):
        event_stream(clean.to_numpy())
    with pytest.raises(ValueError, match=r"clean: expected columns"):
        event_stream(clean.drop(columns=[C.REVENUE]))
    with pytest.raises(ValueError, match="items: expected every StockCode .* unknown codes"):
        event_stream(clean, items=["A", "B"])
    with pytest.raises(ValueError, match="items: expected a non-empty catalogue"):
        event_stream(clean, items=[])
    with pytest.raises(ValueError, match="clean: expected no missing values"):
        event_stream(clean.assign(**{C.CUSTOMER_ID: pd.array([10, None, 11, 10, 10], dtype="Int64")}))
    clock = SimulatedClock()
    clock.advance(10)
    with pytest.raises(ValueError, match="time: expected a time at or after .* out of order"):
        clock.advance(5)


def test_stream_does_not_modify_its_inputs():
    clean, returns = _tiny()
    before, before_r = clean.copy(deep=True), returns.copy(deep=True)
    stream = event_stream(clean, returns)
    list(stream)
    stream_table(clean, returns)
    pd.testing.assert_frame_equal(clean, before)
    pd.testing.assert_frame_equal(returns, before_r)


# --------------------------------------------------------------------------- features equal batch


def test_rfm_after_full_replay_equals_lesson_03(cleaned, replayed):
    rfm = replayed[0][0]
    batch = F.rfm_table(cleaned.clean, cleaned.cancellations)
    streamed = rfm.table(F.default_snapshot(cleaned.clean))
    np.testing.assert_array_equal(streamed.index.to_numpy(np.int64), batch.index.to_numpy(np.int64))
    for col in (F.RECENCY, F.FREQUENCY):
        np.testing.assert_array_equal(streamed[col].to_numpy(), batch[col].to_numpy())
    for col in (F.MONETARY, F.GROSS_REVENUE, F.RETURNED_REVENUE):
        np.testing.assert_allclose(streamed[col].to_numpy(), batch[col].to_numpy(), rtol=1e-9, atol=1e-6)


def test_features_never_look_ahead(cleaned, stream, replayed):
    part = replayed[1]
    batch = F.rfm_table(cleaned.clean, cleaned.cancellations, snapshot=SNAPSHOT)
    streamed = part.table(SNAPSHOT)
    np.testing.assert_array_equal(streamed.index.to_numpy(), batch.index.to_numpy())
    np.testing.assert_array_equal(streamed[F.FREQUENCY].to_numpy(), batch[F.FREQUENCY].to_numpy())
    np.testing.assert_allclose(streamed[F.MONETARY].to_numpy(), batch[F.MONETARY].to_numpy(), atol=1e-6)
    assert part.last_time_ < SNAPSHOT.value
    before = cleaned.clean[cleaned.clean[C.INVOICE_DATE] < SNAPSHOT]
    X = build_interactions(before, items=stream.items).binary().astype(np.float64)
    np.testing.assert_array_equal(replayed[2].counts_, (X.T @ X).toarray().astype(np.int32))
    with pytest.raises(ValueError, match="snapshot: expected a time after the last event seen"):
        replayed[0][0].table(SNAPSHOT)


def test_per_event_features_do_not_change_when_the_future_does():
    clean, returns = _tiny()
    before = []
    rfm = StreamingRFM()
    for event in event_stream(clean, returns):
        before.append(rfm.customer(10, now=event.timestamp))
        rfm.update(event)
    future = clean.copy()
    future.loc[future[C.INVOICE] == "3", C.REVENUE] = 1000.0  # change the last invoice only
    after = []
    rfm = StreamingRFM()
    for event in event_stream(future, returns):
        after.append(rfm.customer(10, now=event.timestamp))
        rfm.update(event)
    assert before == after
    assert before[1] == {F.RECENCY: 2, F.FREQUENCY: 1, F.MONETARY: 5.0}
    assert rfm.customer(10)[F.MONETARY] == 5.0 - 1.0 + 2000.0


def test_trending_equals_lesson_06_popularity_in_the_window(cleaned, replayed):
    trending = replayed[0][1]
    lines, items = stream_table(cleaned.clean, cleaned.cancellations)
    end = pd.Timestamp(trending.last_time_)
    window = lines[(~lines["is_return"]) & (lines["event_time"] > end - pd.Timedelta("7D"))]
    inter = build_interactions(window, weight="count", items=items)
    batch = PopularityRecommender(by="weight").fit(inter).popularity_
    np.testing.assert_array_equal(trending.counts_, batch.astype(np.int64))
    top = trending.top(5)
    assert (np.diff(trending.counts_[top]) <= 0).all()
    assert trending.counts_[top[-1]] >= np.sort(trending.counts_)[-5]


def test_cooccurrence_equals_lesson_07_gram(cleaned, stream, replayed):
    co = replayed[0][2]
    inter = build_interactions(cleaned.clean, items=stream.items)
    X = inter.binary().astype(np.float64)
    gram = (X.T @ X).toarray()
    np.testing.assert_array_equal(co.counts_, gram.astype(np.int32))
    np.testing.assert_allclose(co.cosine(), cosine_similarity(X), atol=1e-5)
    item = int(np.argmax(np.diag(co.counts_)))
    neighbours = co.most_similar(item, 3)
    assert item not in neighbours and len(neighbours) == 3


def test_top_k_breaks_ties_by_position():
    trending = TrendingItems(6)
    trending.counts_[:] = [3, 5, 3, 0, 5, 3]
    assert trending.top(4).tolist() == [1, 4, 0, 2]
    assert trending.top(10).tolist() == [1, 4, 0, 2, 5, 3]


def test_trending_window_by_hand():
    clean, returns = _tiny()
    stream = event_stream(clean, returns)
    trending = TrendingItems(3, "7D")
    counts = []
    for event in stream:
        trending.update(event)
        counts.append(trending.counts_.tolist())
    # invoice 1 (day 0) leaves the 7-day window when invoice 3 (day 9) arrives; the return is ignored
    assert counts == [[1, 1, 0], [2, 1, 0], [2, 1, 0], [0, 1, 1]]


@pytest.mark.parametrize("store", [StreamingRFM, lambda: TrendingItems(3), lambda: ItemCooccurrence(3)])
def test_feature_stores_reject_out_of_order_events(store):
    clean, returns = _tiny()
    events = list(event_stream(clean, returns))
    s = store()
    s.update(events[1])
    with pytest.raises(ValueError, match="out-of-order timestamp"):
        s.update(events[0])
    with pytest.raises(TypeError, match="event: expected an Event"):
        s.update("not an event")


def test_feature_stores_reject_unknown_items_and_bad_settings():
    clean, returns = _tiny()
    event = next(iter(event_stream(clean, returns)))
    unknown = event._replace(items=np.array([0, 7]))
    with pytest.raises(ValueError, match="unknown item 7"):
        TrendingItems(3).update(unknown)
    with pytest.raises(ValueError, match="unknown item 7"):
        ItemCooccurrence(3).update(unknown)
    with pytest.raises(ValueError, match="window: expected a positive duration"):
        TrendingItems(3, "-1D")
    with pytest.raises(TypeError, match="window: expected a duration"):
        TrendingItems(3, [7])
    with pytest.raises(ValueError, match="n_items: expected a positive integer"):
        ItemCooccurrence(0)
    with pytest.raises(ValueError, match="k: expected a positive integer"):
        TrendingItems(3).top(0)
    with pytest.raises(ValueError, match="unknown item 5"):
        ItemCooccurrence(3).most_similar(5)
    with pytest.raises(ValueError, match="table: expected at least one purchase"):
        StreamingRFM().table()


def test_event_is_not_modified_by_the_stores():
    clean, returns = _tiny()
    events = list(event_stream(clean, returns))
    copies = [e.items.copy() for e in events]
    stores = [StreamingRFM(), TrendingItems(3), ItemCooccurrence(3), StreamingRecommender(3)]
    for e in events:
        for s in stores[:3]:
            s.update(e)
        stores[3].learn_one(e)
    for e, c in zip(events, copies, strict=True):
        np.testing.assert_array_equal(e.items, c)
    assert isinstance(events[0], Event)
    with pytest.raises(ValueError, match="read-only"):
        events[0].items[0] = 2  # the log cannot be rewritten through an event


# --------------------------------------------------------------------------- prequential


def test_recommender_buy_again_then_trending():
    clean, returns = _tiny()
    events = list(event_stream(clean, returns))
    model = StreamingRecommender(n_items=3, window="7D")
    with pytest.raises(NotFittedError):
        model.recommend_one(10)
    model.fit(events[:2])  # customer 10 bought A, B; customer 11 bought A
    assert model.recommend_one(10, 2).tolist() == [0, 1]          # own items, A more trending
    assert model.recommend_one(11, 2).tolist() == [0, 1]          # own A, then trending B
    assert model.recommend_one(99, 3).tolist() == [0, 1, 2]       # unknown: trending only
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(ValueError, match="k: expected a positive integer"):
        model.recommend_one(10, 0)
    with pytest.raises(ValueError, match="events: expected at least one event"):
        StreamingRecommender(3).fit([])


def test_prequential_tests_before_it_trains():
    clean, returns = _tiny()
    stream = event_stream(clean, returns)
    result = prequential_replay(stream, StreamingRecommender(n_items=3), k=1, refresh="event")
    # invoice 1: nothing learned yet, trending is empty: recommends item 0 (A), a hit by luck of order;
    # invoice 2 (customer 11, A): trending says A -> hit; invoice 3 (C, B): own history says A -> miss
    assert result.log["hit"].tolist() == [1, 1, 0]
    assert result.n_events == 4 and result.n_lines == 6
    never = prequential_replay(stream, StreamingRecommender(n_items=3), k=1, refresh="never",
                               train_until="2011-01-04")
    assert never.model.n_learned_ == 1
    daily = prequential_replay(stream, StreamingRecommender(n_items=3), k=1, refresh="daily")
    assert daily.model.n_learned_ == 3  # the last day's events wait for a midnight that never comes
    table = latency_summary(result)
    assert list(table.columns) == ["p50", "p99"] and list(table.index) == ["recommend_us", "learn_us"]


def test_daily_refresh_equals_refit_on_everything_before_midnight(stream):
    day = pd.Timestamp("2011-03-01")
    result = prequential_replay(stream, StreamingRecommender(len(stream.items)), refresh="daily")
    refit = StreamingRecommender(len(stream.items)).fit(stream.replay(until=day))
    baskets = [e for e in stream.replay(until=day + pd.Timedelta("1D"))
               if e.time >= day.value and not e.is_return]
    expected = [int(np.isin(refit.recommend_one(e.customer), e.items).any()) for e in baskets]
    logged = result.log.loc[result.log["time"].dt.normalize() == day, "hit"].tolist()
    assert len(baskets) > 50 and logged == expected
    assert result.hit_rate() > 0.5


def test_prequential_full_replay_hit_rates(stream):
    cutoff = "2011-09-01"
    event = prequential_replay(stream, StreamingRecommender(len(stream.items)), refresh="event")
    never = prequential_replay(stream, StreamingRecommender(len(stream.items)), refresh="never",
                               train_until=cutoff)
    assert event.hit_rate(cutoff) > never.hit_rate(cutoff) + 0.05
    assert len(event.log) == stream.n_events - sum(e.is_return for e in stream)
    assert event.hit_rate_by("W", cutoff).between(0, 1).all()


def test_prequential_bad_inputs(stream):
    model = StreamingRecommender(len(stream.items))
    with pytest.raises(TypeError, match="stream: expected an EventStream"):
        prequential_replay([1, 2], model)
    with pytest.raises(TypeError, match="model: expected a StreamingRecommender"):
        prequential_replay(stream, object())
    with pytest.raises(ValueError, match="k: expected a positive integer"):
        prequential_replay(stream, model, k=0)
    with pytest.raises(ValueError, match="refresh: expected one of"):
        prequential_replay(stream, model, refresh="hourly")
    with pytest.raises(ValueError, match="train_until: expected the end of training"):
        prequential_replay(stream, model, refresh="never")
    with pytest.raises(TypeError, match="features: expected objects with an update"):
        prequential_replay(stream, model, features=[1])
    with pytest.raises(ValueError, match="n_items: expected a positive integer"):
        StreamingRecommender(0).fit(stream.replay(until="2011-01-01"))
