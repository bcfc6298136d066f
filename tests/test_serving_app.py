"""Tests of the lesson 22 service through FastAPI's TestClient, and of the server process and load test.

Small models keep it fast: item-kNN (variant A) and ALS (variant B) on a
random 60 x 30 purchase matrix, and an FM trained for one epoch on 3,000
simulated impressions.
"""

import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fastapi.testclient import TestClient

from pmkt_lessons.ctr.models import FactorizationMachine
from pmkt_lessons.recsys import Interactions, ItemKNN, PopularityRecommender
from pmkt_lessons.recsys.als import ImplicitALS
from pmkt_lessons.serving import (
    POPULARITY_FALLBACK,
    ModelIntegrityError,
    RecommendEngine,
    ScoreEngine,
    assign_variant,
    create_app,
    load_model,
    run_load_test,
    save_model,
    start_server,
)
from pmkt_lessons.serving import app as app_module
from pmkt_lessons.serving.app import EXPERIMENT
from pmkt_lessons.serving.build import recommender_metadata, train_ctr_model
from pmkt_lessons.serving.monitoring import score_reference
from pmkt_lessons.serving.routing import AB_KEY_ENV
from pmkt_lessons.serving.schemas import (
    IMPRESSION_FIELDS,
    MAX_BATCH,
    Impression,
    impression_records,
)
from pmkt_lessons.serving.server import main as server_main
from pmkt_lessons.simulate.clicks import (
    CATEGORICAL_FIELDS,
    FEATURES,
    NUMERIC_FIELDS,
    simulate_click_log,
)

KEY = "service-test-key-0123456789"


def meta(name, lesson):
    return {"name": name, "lesson": lesson, "training_period": ["2011-01-01", "2011-06-30"], "metrics": {"x": 1.0}}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    rng = np.random.default_rng(0)
    dense = (rng.random((60, 30)) < 0.15).astype(np.float32)
    dense[np.arange(60), np.arange(60) % 30] = 1
    inter = Interactions(sp.csr_matrix(dense), pd.Index(np.arange(1000, 1060)), pd.Index([f"P{j:03d}" for j in range(30)]))
    knn = ItemKNN("cosine", 10).fit(inter)
    als = ImplicitALS(n_factors=4, iterations=3, device="cpu").fit(inter)
    log = simulate_click_log(3000, random_state=0)
    fm = FactorizationMachine(list(CATEGORICAL_FIELDS), list(NUMERIC_FIELDS), epochs=1, batch_size=512,
                              device="cpu", progress=False).fit(log, log["click"])
    root = tmp_path_factory.mktemp("service")
    save_model(knn, root / "recommend" / "A", meta("kNN", "07"))
    save_model(als, root / "recommend" / "B", meta("ALS", "09"))
    ctr_meta = meta("FM", "12") | {"score_reference": score_reference(fm.predict_proba(log)[:, 1])}
    save_model(fm, root / "score", ctr_meta)
    return {"dir": root, "A": knn, "B": als, "fm": fm, "inter": inter}


@pytest.fixture
def model_dir(models, tmp_path):
    """A fresh copy of the saved models (each test gets its own event log and may change files)."""
    folder = tmp_path / "models"
    shutil.copytree(models["dir"], folder)
    return folder


@pytest.fixture
def client(model_dir):
    with TestClient(create_app(model_dir, ab_key=KEY)) as c:
        yield c


def impressions(n, seed=5):
    log = simulate_click_log(n, random_state=seed)[list(FEATURES)]
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in log.astype(object).to_dict("records")]


def variant(customer_id):
    return assign_variant(customer_id, KEY, ("A", "B"), experiment=EXPERIMENT)


# ---------------------------------------------------------------------------- endpoints


def test_health_lists_variants_and_models_with_their_checksums(client, model_dir):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["variants"] == ["A", "B"] and body["events"] == 0
    assert set(body["models"]) == {"recommend/A", "recommend/B", "score"}
    import hashlib

    digest = hashlib.sha256((model_dir / "score" / "model.joblib").read_bytes()).hexdigest()
    assert body["models"]["score"]["sha256"] == digest[:12]
    assert body["models"]["recommend/B"]["lesson"] == "09"


def test_recommend_gives_the_model_of_the_customers_variant(client, models):
    seen_variants = set()
    for user in models["inter"].users[:20]:
        body = client.get(f"/recommend/{user}", params={"k": 5}).json()
        v = variant(str(user))
        seen_variants.add(v)
        expected = models[v].recommend([user], 5)
        assert body["variant"] == v and body["fallback"] is None
        assert body["model"] == {"A": "kNN", "B": "ALS"}[v]
        assert [i["item_id"] for i in body["items"]] == expected["item_id"].tolist()
        np.testing.assert_allclose([i["score"] for i in body["items"]], expected["prediction"], rtol=1e-6)
        assert [i["rank"] for i in body["items"]] == [1, 2, 3, 4, 5]
    assert seen_variants == {"A", "B"}


def test_unknown_customer_gets_the_named_popularity_fallback(client, models):
    body = client.get("/recommend/never-seen-42?k=4").json()
    popular = PopularityRecommender().fit(models["inter"]).recommend([1000], 4, exclude_seen=False)
    assert body["fallback"] == POPULARITY_FALLBACK
    assert body["variant"] == variant("never-seen-42")
    assert [i["item_id"] for i in body["items"]] == popular["item_id"].tolist()


def test_default_k_is_ten(client):
    assert len(client.get("/recommend/1001").json()["items"]) == 10


def test_score_gives_the_models_probabilities_in_order(client, models):
    batch = impressions(300)
    body = client.post("/score", json={"customer_id": "1001", "impressions": batch}).json()
    expected = models["fm"].predict_proba(pd.DataFrame(batch))[:, 1]
    np.testing.assert_allclose(body["probabilities"], expected, rtol=1e-6)
    assert body["variant"] == variant("1001") and body["model"] == "FM"


def test_feedback_is_stored_with_the_variant(client, model_dir):
    r = client.post("/feedback", json={"customer_id": "1002", "event": "purchase", "item_id": "P003", "value": 9.5})
    assert r.status_code == 200 and r.json() == {"id": 1, "stored": True, "variant": variant("1002")}
    frame = client.app.state.events.to_frame()
    assert frame[["customer_id", "event", "item_id", "value", "variant"]].iloc[0].tolist() == [
        "1002", "purchase", "P003", 9.5, variant("1002")]


def test_metrics_count_requests_and_errors(client):
    client.get("/recommend/1001")
    client.get("/recommend/1001?k=0")
    client.post("/score", json={"customer_id": "1", "impressions": impressions(50)})
    snap = client.get("/metrics").json()
    assert snap["routes"]["/recommend"]["requests"] == 2 and snap["routes"]["/recommend"]["client_errors"] == 1
    assert snap["routes"]["/recommend"]["error_rate"] == 0.0
    assert snap["scores"]["count"] == 50 and snap["scores"]["psi"] >= 0


# ---------------------------------------------------------------------------- bad input

BAD_RECOMMEND = [
    ("/recommend/1001?k=-1", "k"),
    ("/recommend/1001?k=0", "k"),
    ("/recommend/1001?k=101", "k"),
    ("/recommend/1001?k=1000000000000", "k"),
    ("/recommend/1001?k=abc", "k"),
    ("/recommend/1001?k=2.5", "k"),
    ("/recommend/" + "x" * 65, "customer_id"),
    ("/recommend/bad%20id", "customer_id"),
]


@pytest.mark.parametrize("url, field", BAD_RECOMMEND)
def test_bad_recommend_requests_get_422_naming_the_field(client, url, field):
    r = client.get(url)
    assert r.status_code == 422
    assert field in [d["field"] for d in r.json()["detail"]]


def test_unknown_routes_get_404(client):
    assert client.get("/recommendations/1001").status_code == 404
    assert client.get("/").status_code == 404
    assert client.get("/score").status_code == 405


def _bad_bodies():
    good = impressions(2)
    imp = good[0]
    return [
        ("score", None, "body"),
        ("score", {}, "customer_id"),
        ("score", {"customer_id": "1", "impressions": []}, "impressions"),
        ("score", {"customer_id": "1", "impressions": good * (MAX_BATCH // 2 + 1)}, "impressions"),
        ("score", {"customer_id": "1", "impressions": [imp | {"hour": "3"}]}, "impressions.0.hour"),
        ("score", {"customer_id": "1", "impressions": [imp | {"hour": 24}]}, "impressions.0.hour"),
        ("score", {"customer_id": "1", "impressions": [imp | {"slot": True}]}, "impressions.0.slot"),
        ("score", {"customer_id": "1", "impressions": [imp | {"ad_quality": -0.1}]}, "impressions.0.ad_quality"),
        ("score", {"customer_id": "1", "impressions": [imp | {"device": 3}]}, "impressions.0.device"),
        ("score", {"customer_id": "1", "impressions": [imp | {"colour": "red"}]}, "impressions.0.colour"),
        ("score", {"customer_id": "1", "impressions": [{k: v for k, v in imp.items() if k != "site"}]},
         "impressions.0.site"),
        ("score", {"customer_id": 1, "impressions": good}, "customer_id"),
        ("score", {"customer_id": "1", "impressions": good, "debug": True}, "debug"),
        ("feedback", None, "body"),
        ("feedback", {"customer_id": "1", "event": "view", "item_id": "P1"}, "event"),
        ("feedback", {"customer_id": "1", "event": "click"}, "item_id"),
        ("feedback", {"customer_id": "1", "event": "click", "item_id": "P1", "value": -5}, "value"),
        ("feedback", {"customer_id": "1", "event": "click", "item_id": "P1", "value": "5"}, "value"),
        ("feedback", {"customer_id": "1", "event": "click", "item_id": "P1", "when": "now"}, "when"),
        ("feedback", {"customer_id": "", "event": "click", "item_id": "P1"}, "customer_id"),
        ("feedback", [1, 2], "body"),
    ]


BAD_BODIES = _bad_bodies()


@pytest.mark.parametrize("route, body, field", BAD_BODIES, ids=[f"{r}-{f}-{i}" for i, (r, _, f) in enumerate(BAD_BODIES)])
def test_bad_bodies_get_422_naming_the_field_and_write_nothing(client, route, body, field):
    r = client.post(f"/{route}", json=body) if body is not None else client.post(f"/{route}")
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert field in [d["field"] for d in detail]
    assert all("input" not in d for d in detail)  # the input is not echoed back
    assert client.app.state.events.count() == 0


def test_a_body_that_is_not_json_gets_422(client):
    r = client.post("/feedback", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and client.app.state.events.count() == 0


def test_an_oversized_body_gets_413_and_writes_nothing(client):
    r = client.post("/feedback", content=b" " * (app_module.MAX_BODY_BYTES + 1),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"][0]["field"] == "body"
    assert client.app.state.events.count() == 0


# ---------------------------------------------------------------------------- durability, concurrency


def test_accepted_events_survive_a_restart_and_rejected_ones_are_never_there(model_dir):
    sent = []
    with TestClient(create_app(model_dir, ab_key=KEY)) as first:
        for i in range(40):
            event = {"customer_id": f"c{i}", "event": ("impression", "click", "purchase")[i % 3], "item_id": f"P{i}"}
            if i % 4 == 0:
                bad = event | {"value": -1}
                assert first.post("/feedback", json=bad).status_code == 422
            assert first.post("/feedback", json=event).status_code == 200
            sent.append(event)
    with TestClient(create_app(model_dir, ab_key=KEY)) as second:
        assert second.get("/health").json()["events"] == 40
        frame = second.app.state.events.to_frame()
        assert frame[["customer_id", "event", "item_id"]].to_dict("records") == sent
        assert (frame["value"] == 0).all()
        assert frame["variant"].tolist() == [variant(e["customer_id"]) for e in sent]
        assert second.post("/feedback", json=sent[0]).json()["id"] == 41


def test_a_retried_event_id_is_stored_once(client):
    event = {"customer_id": "c1", "event": "click", "item_id": "P1", "event_id": "click-0001"}
    first, again = client.post("/feedback", json=event).json(), client.post("/feedback", json=event).json()
    assert first["stored"] and not again["stored"] and first["id"] == again["id"]
    assert client.app.state.events.count() == 1


def test_concurrent_requests_give_the_same_answers_as_sequential_ones(client):
    batches = [impressions(64, seed=s) for s in range(6)]
    calls = [("get", f"/recommend/{u}?k=7", None) for u in list(range(1000, 1030)) + ["ghost-1", "ghost-2"]]
    calls += [("post", "/score", {"customer_id": f"c{i}", "impressions": b}) for i, b in enumerate(batches)]

    def call(spec):
        method, url, body = spec
        r = client.get(url) if method == "get" else client.post(url, json=body)
        return r.status_code, r.json()

    sequential = [call(s) for s in calls]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(call, calls * 3))
    assert concurrent == sequential * 3
    assert all(status == 200 for status, _ in sequential)


# ---------------------------------------------------------------------------- start-up


def test_models_load_once_at_start_up(model_dir, monkeypatch):
    calls = []
    real = app_module.load_model
    monkeypatch.setattr(app_module, "load_model", lambda folder: calls.append(folder) or real(folder))
    with TestClient(create_app(model_dir, ab_key=KEY)) as c:
        assert len(calls) == 3
        for u in range(1000, 1020):
            c.get(f"/recommend/{u}")
        c.post("/score", json={"customer_id": "1", "impressions": impressions(5)})
    assert len(calls) == 3


@pytest.mark.parametrize("target", ["recommend/A/model.joblib", "recommend/B/metadata.json", "score/model.joblib"])
def test_a_changed_model_file_stops_start_up_naming_it(model_dir, target):
    with open(model_dir / target, "r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ModelIntegrityError, match=f"{target}: sha256 mismatch"):
        create_app(model_dir, ab_key=KEY)


def test_a_missing_model_file_or_folder_stops_start_up(model_dir):
    (model_dir / "score" / "manifest.json").unlink()
    with pytest.raises(ModelIntegrityError, match="score/manifest.json: manifest missing"):
        create_app(model_dir, ab_key=KEY)
    shutil.rmtree(model_dir / "recommend")
    with pytest.raises(ModelIntegrityError, match="recommend: expected one saved recommender"):
        create_app(model_dir, ab_key=KEY)


def test_start_up_needs_an_ab_key(model_dir, monkeypatch):
    monkeypatch.delenv(AB_KEY_ENV, raising=False)
    with pytest.raises(RuntimeError, match=AB_KEY_ENV):
        create_app(model_dir)
    monkeypatch.setenv(AB_KEY_ENV, KEY)
    with TestClient(create_app(model_dir)) as c:
        assert c.get("/recommend/1001").json()["variant"] == variant("1001")


def test_bad_factory_arguments_are_named(model_dir, tmp_path):
    with pytest.raises(TypeError, match="model_dir"):
        create_app(3, ab_key=KEY)
    with pytest.raises(FileNotFoundError, match="model_dir"):
        create_app(tmp_path / "nothing", ab_key=KEY)
    with pytest.raises(ValueError, match="ab_key"):
        create_app(model_dir, ab_key="short")


# ---------------------------------------------------------------------------- server process and load test


def test_server_process_answers_a_bounded_load_test_and_stops(model_dir):
    with start_server(model_dir, env={AB_KEY_ENV: KEY}) as service:
        assert service.url.startswith("http://127.0.0.1:")
        requests = [("GET", f"/recommend/{1000 + i % 60}?k=5") for i in range(60)]
        requests += [("POST", "/score", {"customer_id": "c", "impressions": impressions(20)})] * 10
        result = run_load_test(service.url, requests, concurrency=4)
        assert result.n_requests == 70 and result.errors == 0
        assert (result.statuses == 200).all() and (result.latencies > 0).all()
        summary = result.summary()
        assert summary["throughput_rps"] > 0 and summary["p50_ms"] <= summary["p99_ms"]
        paced = run_load_test(service.url, [("GET", "/health")] * 20, concurrency=2, rate=200.0)
        assert paced.errors == 0 and paced.wall_seconds >= 19 / 200
    assert not service.running


def test_the_server_command_stops_at_start_up_naming_the_changed_file(model_dir, monkeypatch, capsys):
    # start_server reports this exit and message (lesson 22 shows it; a child process costs seconds,
    # so the test runs the same main() here)
    monkeypatch.setenv(AB_KEY_ENV, KEY)
    (model_dir / "score" / "model.joblib").write_bytes(b"tampered")
    assert server_main(["--model-dir", str(model_dir)]) == 1
    err = capsys.readouterr().err
    assert "start-up stopped" in err and "score/model.joblib: sha256 mismatch" in err


@pytest.mark.parametrize(
    "args, error, match",
    [
        (("http://example.com", [("GET", "/health")]), ValueError, "base_url"),
        (("http://10.0.0.1:8000", [("GET", "/health")]), ValueError, "base_url"),
        ((42, [("GET", "/health")]), TypeError, "base_url"),
        (("http://127.0.0.1:1", []), ValueError, "requests"),
        (("http://127.0.0.1:1", "GET /"), TypeError, "requests"),
        (("http://127.0.0.1:1", [("DELETE", "/x")]), ValueError, "requests"),
        (("http://127.0.0.1:1", [("GET", "/x")], 0), ValueError, "concurrency"),
        (("http://127.0.0.1:1", [("GET", "/x")], 65), ValueError, "concurrency"),
    ],
)
def test_load_test_bad_input_is_named(args, error, match):
    with pytest.raises(error, match=match):
        run_load_test(*args)


def test_load_test_counts_refused_connections_as_errors():
    from pmkt_lessons.serving.server import free_port

    result = run_load_test(f"http://127.0.0.1:{free_port()}", [("GET", "/health")] * 3, concurrency=1, timeout=2.0)
    assert result.errors == 3 and (result.statuses == 0).all()


# ---------------------------------------------------------------------------- engines and helpers


def test_engines_name_bad_input(models):
    loaded_a = load_model(models["dir"] / "recommend" / "A")
    with pytest.raises(TypeError, match="loaded"):
        RecommendEngine(models["A"])
    with pytest.raises(TypeError, match="loaded"):
        RecommendEngine(load_model(models["dir"] / "score"))
    with pytest.raises(ValueError, match="max_k"):
        RecommendEngine(loaded_a, max_k=0)
    engine = RecommendEngine(loaded_a, max_k=5)
    with pytest.raises(ValueError, match="k: expected at most 5"):
        engine.recommend("1001", 6)
    with pytest.raises(ValueError, match="k"):
        engine.recommend("1001", 0)
    with pytest.raises(TypeError, match="loaded"):
        ScoreEngine(loaded_a, IMPRESSION_FIELDS)
    with pytest.raises(ValueError, match="fields"):
        ScoreEngine(load_model(models["dir"] / "score"), IMPRESSION_FIELDS[:-1])


def test_impression_records_are_valid_requests_and_leave_the_frame_alone():
    log = simulate_click_log(50, random_state=3)
    before = log.copy()
    records = impression_records(log)
    assert len(records) == 50 and all(Impression.model_validate(r) for r in records)
    assert records[0]["user_segment"] == str(log["user_segment"].iloc[0]) and isinstance(records[0]["hour"], int)
    pd.testing.assert_frame_equal(log, before)
    with pytest.raises(ValueError, match="log"):
        impression_records(log.drop(columns="site"))


def test_train_ctr_model_records_metrics_and_a_score_reference():
    model, metadata, scores = train_ctr_model(3000)
    assert metadata["lesson"] == "12" and "3,000 impressions" in metadata["training_period"]
    assert 0.5 < metadata["metrics"]["auc"] <= 1 and metadata["metrics"]["auc_gap"] > -0.05
    assert len(scores) == 20_000 and sum(metadata["score_reference"]["shares"]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="n_impressions"):
        train_ctr_model(0)


def test_recommender_metadata_gives_the_period_and_lesson_06_metrics(cleaned):
    from pmkt_lessons import recsys as rs

    split = rs.course_split(cleaned.clean)
    model = rs.PopularityRecommender().fit(split.interactions)
    meta_pop = recommender_metadata("popularity", "06", split, model)
    expected = rs.evaluate(model.recommend(split.truth["user_id"].unique(), 10), split.truth, 10,
                           train=split.interactions)
    assert meta_pop["training_period"] == ["2010-12-01", "2011-08-31"]
    assert meta_pop["metrics"]["ndcg@10"] == pytest.approx(expected["ndcg@10"], abs=1e-6)
    assert meta_pop["n_users"] == split.interactions.n_users
