"""Run the service with uvicorn: ``python -m pmkt_lessons.serving --model-dir DIR``, or in a child process.

:func:`start_server` starts the service in a separate Python process on
127.0.0.1 (so a notebook's load test does not share the GIL with the
service), waits until ``/health`` answers, and gives a handle whose
``stop()`` ends it; start-up errors (a bad checksum, a missing key) come back
as a ``RuntimeError`` with the service's own message. Introduced in lesson 22.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ..device import limit_threads
from ..validation import require_in_range

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """Give a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """A running service in a child process: its ``url``, ``process`` and ``stop()``.

    Use it as a context manager, or call :meth:`stop`. Introduced in lesson 22.
    """

    def __init__(self, process: subprocess.Popen, url: str, log_path: Path):
        self.process = process
        self.url = url
        self.log_path = log_path

    @property
    def running(self) -> bool:
        """Give True while the child process is alive."""
        return self.process.poll() is None

    def log(self) -> str:
        """Give what the service wrote to stderr and stdout (until ``stop``, which removes the file)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 15.0) -> int:
        """Give the exit code after asking the service to shut down (SIGTERM, then SIGKILL after ``timeout``)."""
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.log_path.unlink(missing_ok=True)
        return int(self.process.returncode)

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(model_dir, *, port: int | None = None, env: dict | None = None, timeout: float = 60.0) -> ServiceProcess:
    """Give a :class:`ServiceProcess` serving ``model_dir`` on 127.0.0.1, once ``/health`` answers 200.

    Introduced in lesson 22.

    Parameters
    ----------
    model_dir : str or Path
    port : int, optional
        Default: a free port.
    env : dict, optional
        Extra environment variables for the service (e.g. ``PMKT_AB_KEY``).
    timeout : float
        Seconds to wait for ``/health``.
    """
    if not isinstance(model_dir, (str, os.PathLike)):
        raise TypeError(f"model_dir: expected a folder path (str or Path), got {type(model_dir).__name__}")
    timeout = require_in_range(timeout, "timeout", 0.0, 600.0, low_inclusive=False)
    port = free_port() if port is None else port
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port: expected an integer 1-65535, got {port!r}")
    log = Path(tempfile.mkstemp(prefix="pmkt-service-", suffix=".log")[1])
    child_env = {**os.environ, **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pmkt_lessons.serving", "--model-dir", str(model_dir), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=child_env,
        )
    service = ServiceProcess(process, f"http://{HOST}:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.running:
            log_text = service.log()[-2000:]
            service.stop()
            raise RuntimeError(f"the service stopped at start-up:\n{log_text}")
        try:
            if httpx.get(f"{service.url}/health", timeout=1.0).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    log_text = service.log()[-2000:]
    service.stop()
    raise RuntimeError(f"the service did not answer /health within {timeout} s:\n{log_text}")


def main(argv: list[str] | None = None) -> int:
    """Run the service in this process until interrupted (what ``make serve`` runs)."""
    import uvicorn

    from .app import create_app
    from .registry import ModelIntegrityError

    parser = argparse.ArgumentParser(prog="python -m pmkt_lessons.serving", description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, type=Path, help="folder written by train_service_models")
    parser.add_argument("--host", default=HOST, help="interface to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", default=8000, type=int)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    import torch  # noqa: F401 - imported first so that limit_threads limits its thread pool too

    # one BLAS/torch thread: requests run side by side, and a many-thread reduction on a
    # small batch costs more in thread hand-offs than it saves (20x slower on a busy 2-core machine)
    with limit_threads(1):
        try:
            app = create_app(args.model_dir)
        except (ModelIntegrityError, FileNotFoundError, RuntimeError, ValueError) as exc:
            print(f"pmkt_lessons.serving: start-up stopped: {exc}", file=sys.stderr)
            return 1
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0
