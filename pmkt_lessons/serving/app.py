"""The model service: a FastAPI app built by ``create_app(model_dir)``.

Endpoints::

    GET  /health                          status, loaded models (lesson, sha256), event count
    GET  /recommend/{customer_id}?k=10    top-k items; popularity fallback for unknown customers
    POST /score                           a batch of impressions -> click probabilities
    POST /feedback                        an impression, click or purchase -> the event log
    GET  /metrics                         requests, error rate, latency percentiles, score drift

The model folder holds ``recommend/<variant>/`` (one saved recommender per
A/B variant, e.g. ``A`` item-kNN and ``B`` ALS), ``score/`` (a saved CTR
model) and the event log ``events.sqlite3``. Every model is verified against
its sha256 manifest and loaded once, when the app is created: a changed or
missing file stops the start-up with a message naming it. Each customer's
variant comes from a keyed hash (:mod:`.routing`) and is returned with every
answer. Introduced in lesson 22.
"""

import os
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .engines import RecommendEngine, ScoreEngine
from .events import EventLog
from .monitoring import RequestMonitor
from .registry import MANIFEST_FILE, ModelIntegrityError, load_model
from .routing import _check_key, ab_key_from_env, assign_variant
from .schemas import (
    ID_PATTERN,
    IMPRESSION_FIELDS,
    MAX_K,
    FeedbackRequest,
    FeedbackResponse,
    HealthResponse,
    RecommendResponse,
    ScoreRequest,
    ScoreResponse,
)

RECOMMEND_DIR = "recommend"
SCORE_DIR = "score"
EVENTS_FILE = "events.sqlite3"
EXPERIMENT = "recommend-v1"
MAX_BODY_BYTES = 8 * 1024 * 1024
ROUTES = ("/health", "/recommend", "/score", "/feedback", "/metrics")


def _error_field(loc: tuple) -> str:
    """Give the dotted field name of a pydantic error location, without the 'body'/'query'/'path' prefix."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) if parts else "body"


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Answer 422 naming each bad field (without echoing the input back)."""
    detail = [
        {"field": _error_field(tuple(e.get("loc", ()))), "loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
         "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": detail})


class _Monitoring:
    """ASGI middleware: refuse bodies over the size limit, time every request, count statuses."""

    def __init__(self, app, monitor: RequestMonitor, max_body_bytes: int):
        self.app = app
        self.monitor = monitor
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        route = "/" + scope["path"].lstrip("/").split("/", 1)[0]
        route = route if route in ROUTES else "other"  # bounded: unknown paths share one counter
        status = {"code": 500}

        async def send_and_watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        length = dict(scope.get("headers", ())).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            response = JSONResponse(
                status_code=413,
                content={"detail": [{"field": "body", "msg": f"body over {self.max_body_bytes} bytes",
                                     "type": "too_large"}]},
            )
            await response(scope, receive, send_and_watch)
        else:
            try:
                await self.app(scope, receive, send_and_watch)
            finally:  # an exception counts as a 500
                self.monitor.record(route, status["code"], time.perf_counter() - start)
            return
        self.monitor.record(route, status["code"], time.perf_counter() - start)


def _recommenders(model_dir: Path, max_k: int) -> dict[str, RecommendEngine]:
    folder = model_dir / RECOMMEND_DIR
    variants = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    if not variants:
        raise ModelIntegrityError(
            f"{folder}: expected one saved recommender per variant (e.g. {folder / 'A' / MANIFEST_FILE}), found none"
        )
    return {v: RecommendEngine(load_model(folder / v), max_k=max_k) for v in variants}


def create_app(
    model_dir,
    *,
    ab_key: str | bytes | None = None,
    event_log=None,
    experiment: str = EXPERIMENT,
    max_k: int = MAX_K,
) -> FastAPI:
    """Give the FastAPI service for the models saved in ``model_dir`` (verified and loaded once, here).

    Introduced in lesson 22.

    Parameters
    ----------
    model_dir : str or Path
        Holds ``recommend/<variant>/`` and ``score/``, each written by
        :func:`~pmkt_lessons.serving.registry.save_model`.
    ab_key : str or bytes, optional
        The A/B routing key; default: the environment variable ``PMKT_AB_KEY``
        (start-up fails when neither is given).
    event_log : str or Path, optional
        The SQLite event log; default ``model_dir / "events.sqlite3"``.
    experiment : str
        Name of the A/B experiment (part of the hashed message).
    max_k : int
        Largest ``k`` that ``/recommend`` accepts (default 100).

    Raises
    ------
    ModelIntegrityError
        A model file is missing or differs from its manifest (the message names it).
    RuntimeError
        No A/B key.
    """
    if not isinstance(model_dir, (str, os.PathLike)):
        raise TypeError(f"model_dir: expected a folder path (str or Path), got {type(model_dir).__name__}")
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise FileNotFoundError(f"model_dir: expected a folder of saved models, got {model_dir} (not a folder)")
    key = ab_key_from_env() if ab_key is None else _check_key(ab_key, "ab_key")
    recommenders = _recommenders(model_dir, max_k)
    scorer = ScoreEngine(load_model(model_dir / SCORE_DIR), IMPRESSION_FIELDS)
    variants = tuple(recommenders)
    events = EventLog(model_dir / EVENTS_FILE if event_log is None else event_log)
    monitor = RequestMonitor(score_reference=scorer.model_metadata.get("score_reference"))

    def variant_of(customer_id: str) -> str:
        return assign_variant(customer_id, key, variants, experiment=experiment)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        events.close()

    app = FastAPI(title="pmkt-lessons model service", version="1.0", lifespan=lifespan)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(_Monitoring, monitor=monitor, max_body_bytes=MAX_BODY_BYTES)
    app.state.recommenders = recommenders
    app.state.scorer = scorer
    app.state.events = events
    app.state.monitor = monitor
    app.state.variant_of = variant_of
    models = {f"{RECOMMEND_DIR}/{v}": _describe(e.model_metadata) for v, e in recommenders.items()}
    models[SCORE_DIR] = _describe(scorer.model_metadata)

    @app.get("/health", response_model=HealthResponse)
    def health() -> HealthResponse:
        return HealthResponse(status="ok", variants=list(variants), models=models, events=events.count())

    # /recommend and /score are short CPU work: run on the event loop (no thread hand-off);
    # /feedback waits for the disk (fsync), so it runs in the thread pool (a plain def)
    @app.get("/recommend/{customer_id}", response_model=RecommendResponse)
    async def recommend(
        customer_id: Annotated[str, PathParam(min_length=1, max_length=64, pattern=ID_PATTERN)],
        k: Annotated[int, Query(ge=1, le=max_k)] = 10,
    ) -> RecommendResponse:
        variant = variant_of(customer_id)
        engine = recommenders[variant]
        items, scores, fallback = engine.recommend(customer_id, k)
        return RecommendResponse(
            customer_id=customer_id,
            variant=variant,
            model=engine.name,
            fallback=fallback,
            items=[{"item_id": i, "score": s, "rank": r} for r, (i, s) in enumerate(zip(items, scores, strict=True), 1)],
        )

    @app.post("/score", response_model=ScoreResponse)
    async def score(request: ScoreRequest) -> ScoreResponse:
        imps = request.impressions
        columns = {f: [getattr(imp, f) for imp in imps] for f in IMPRESSION_FIELDS}
        p = scorer.score(columns)
        monitor.record_scores(p)
        return ScoreResponse(
            customer_id=request.customer_id, variant=variant_of(request.customer_id), model=scorer.name,
            probabilities=p.tolist(),
        )

    @app.post("/feedback", response_model=FeedbackResponse)
    def feedback(request: FeedbackRequest) -> FeedbackResponse:
        variant = variant_of(request.customer_id)
        row, stored = events.append(
            request.customer_id, request.event, request.item_id,
            variant=variant, value=request.value, event_id=request.event_id,
        )
        return FeedbackResponse(id=row, stored=stored, variant=variant)

    @app.get("/metrics")
    def metrics() -> dict:
        return monitor.snapshot()

    return app


def _describe(metadata: dict) -> dict:
    keys = ("name", "lesson", "training_period", "metrics")
    out = {k: metadata[k] for k in keys if k in metadata}
    out["sha256"] = metadata.get("sha256", "")[:12]
    out["package_version"] = metadata.get("versions", {}).get("pmkt_lessons", "")
    return out
