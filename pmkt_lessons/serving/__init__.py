"""Models as a service (lesson 22): a FastAPI app over saved models, with checks, an event log and A/B routing.

Modules: ``registry`` (save / verify / load a model folder with metadata and
a sha256 manifest), ``routing`` (A/B variants by keyed hash), ``events``
(the SQLite event log), ``schemas`` (the pydantic request and answer models),
``engines`` (what a request computes), ``app`` (``create_app(model_dir)``),
``monitoring`` (latency, error rate, score drift), ``loadtest`` (a bounded
load test against localhost), ``server`` (uvicorn in a child process) and
``build`` (train and save the service's models). Introduced in lesson 22.
"""

from .app import create_app
from .engines import POPULARITY_FALLBACK, RecommendEngine, ScoreEngine
from .events import EventLog
from .loadtest import LoadTestResult, run_load_test
from .monitoring import latency_summary, population_stability_index, psi_against, score_reference
from .registry import LoadedModel, ModelIntegrityError, load_model, save_model, verify_model
from .routing import AB_KEY_ENV, ab_key_from_env, assign_variant, assign_variants, hash_unit
from .server import ServiceProcess, start_server

__all__ = [
    "AB_KEY_ENV",
    "POPULARITY_FALLBACK",
    "EventLog",
    "LoadTestResult",
    "LoadedModel",
    "ModelIntegrityError",
    "RecommendEngine",
    "ScoreEngine",
    "ServiceProcess",
    "ab_key_from_env",
    "assign_variant",
    "assign_variants",
    "create_app",
    "hash_unit",
    "latency_summary",
    "load_model",
    "population_stability_index",
    "psi_against",
    "run_load_test",
    "save_model",
    "score_reference",
    "start_server",
    "verify_model",
]
