"""Start the lesson 22 model service on 127.0.0.1 (what ``make serve`` runs).

Trains and saves the three models into ``--model-dir`` first if they are not
there (about 20 s on the 2-core machine): item-kNN and implicit ALS on the
course split of Online Retail (A/B variants of /recommend) and the FM click
model on the simulated click log (/score). The A/B key comes from
``PMKT_AB_KEY``; without it a fixed development key is used, with a warning
(anyone who reads this file can compute that split: never use it in production).
Stop the service with Ctrl-C.

    .venv/bin/python tools/serve.py [--model-dir build/serve_models] [--port 8000] [--retrain]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmkt_lessons.serving.routing import AB_KEY_ENV  # noqa: E402

DEFAULT_DIR = ROOT / "build" / "serve_models"
DEV_KEY = "development-key-not-secret-0001"


def ensure_models(model_dir: Path, retrain: bool = False) -> None:
    """Train and save the service's models unless ``model_dir`` already holds them."""
    from pmkt_lessons.serving.build import train_service_models

    present = all((model_dir / sub / "manifest.json").is_file() for sub in ("recommend/A", "recommend/B", "score"))
    if retrain or not present:
        print(f"training the service's models into {model_dir} ...", flush=True)
        train_service_models(model_dir, overwrite=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--retrain", action="store_true", help="train the models again even if saved")
    args = parser.parse_args(argv)
    ensure_models(args.model_dir, args.retrain)
    if not os.environ.get(AB_KEY_ENV):
        print(f"warning: {AB_KEY_ENV} is not set; using a development key that is not secret", file=sys.stderr)
        os.environ[AB_KEY_ENV] = DEV_KEY
    from pmkt_lessons.serving.server import main as serve

    print(f"serving {args.model_dir} on http://127.0.0.1:{args.port} (docs at /docs; Ctrl-C stops)", flush=True)
    return serve(["--model-dir", str(args.model_dir), "--port", str(args.port), "--log-level", "info"])


if __name__ == "__main__":
    sys.exit(main())
