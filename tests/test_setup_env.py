"""tools/setup_env.py: CPU torch by default, a fast fallback, one line per step, no false ERROR."""

import http.server
import importlib.util
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from pmkt_lessons import data

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("setup_env", ROOT / "tools" / "setup_env.py")
setup_env = importlib.util.module_from_spec(spec)
sys.modules["setup_env"] = setup_env
spec.loader.exec_module(setup_env)

NO_VENV = Path("/nonexistent/venv")  # nothing installed: every step is needed


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/whl/cpu"  # the socket is closed again: refused at once


@pytest.fixture
def index_server():
    """A local HTTP server that answers every GET (a stand-in for the PyTorch CPU index)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html></html>")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/whl/cpu"
    server.shutdown()


@pytest.fixture
def console(tmp_path):
    return setup_env.Console(log=tmp_path / "setup.log")


def test_linux_gets_the_cpu_build_macos_keeps_pypi():
    assert setup_env.default_torch_variant("linux") == "cpu"
    assert setup_env.default_torch_variant("darwin") == "pypi"


def test_torch_pin_is_read_from_the_lock():
    assert setup_env.torch_pin() == "2.13.0"


def test_recbole_spec_is_the_one_the_loader_names():
    assert setup_env.RECBOLE_SPEC == data.RECBOLE_SPEC


def test_reachable_cpu_index_installs_the_cpu_build_from_it(index_server, console):
    step = setup_env.torch_step(NO_VENV, "cpu", index_server, console)
    assert step.command[step.command.index("--extra-index-url") + 1] == index_server
    assert "torch==2.13.0+cpu" in step.command


def test_unreachable_index_falls_back_within_seconds_and_says_so(console, capsys):
    url = closed_port_url()
    start = time.perf_counter()
    step = setup_env.torch_step(NO_VENV, "cpu", url, console)
    assert time.perf_counter() - start < setup_env.PROBE_TIMEOUT_S + 1
    assert "--extra-index-url" not in step.command and "torch==2.13.0" in step.command
    out = capsys.readouterr().out
    assert url in out and "cannot be reached" in out and "usual index" in out


def test_probe_gives_up_after_its_timeout_on_a_silent_server():
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        start = time.perf_counter()
        ok, why = setup_env.index_reachable(f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.5)
    assert not ok and time.perf_counter() - start < 3
    assert why


def test_gpu_users_opt_in_with_a_cuda_tag(index_server, console):
    step = setup_env.torch_step(NO_VENV, "cu126", index_server, console)
    assert "torch==2.13.0+cu126" in step.command


def test_pypi_variant_uses_no_extra_index(console):
    step = setup_env.torch_step(NO_VENV, "pypi", None, console)
    assert "--extra-index-url" not in step.command and "torch==2.13.0" in step.command


def test_no_deps_packages_come_after_the_main_install():
    steps = setup_env.install_steps(NO_VENV, ["dev", "crosscheck", "lab"])
    commands = [" ".join(s.command) for s in steps]
    main = next(i for i, c in enumerate(commands) if "-e " in c)
    obp = next(i for i, c in enumerate(commands) if "obp==0.5.7" in c)
    recbole = next(i for i, c in enumerate(commands) if "recbole==1.2.1" in c)
    assert main < obp < recbole
    assert "[dev,crosscheck,lab]" in commands[main] and "-c" in steps[main].command
    assert "--no-deps" in steps[obp].command and "--ignore-requires-python" in steps[obp].command
    assert "--no-deps" in steps[recbole].command
    assert steps[main].env == {"PYTHONWARNINGS": setup_env.QUIET_WARNINGS}


def test_no_deps_packages_are_set_aside_before_a_reinstall():
    steps = setup_env.install_steps(Path(sys.prefix), ["dev", "crosscheck", "lab"])  # this venv has both
    assert "uninstall" in steps[0].command and {"recbole", "obp"} <= set(steps[0].command)


def test_without_crosscheck_obp_is_not_installed():
    steps = setup_env.install_steps(NO_VENV, ["bench-recsys"])
    assert not any("obp==0.5.7" in " ".join(s.command) for s in steps)


def test_error_lines_are_found_and_warnings_are_not():
    output = "WARNING: Location x is ignored\nERROR: pip's dependency resolver does not ...\nok\n"
    assert setup_env.error_lines(output) == ["ERROR: pip's dependency resolver does not ..."]


def test_a_step_prints_one_line_and_logs_the_rest(console, capsys):
    console.total = 1
    console.run(setup_env.Step("say hello", "a moment", [sys.executable, "-c", "print('noise ' * 50)"]))
    out = capsys.readouterr().out
    assert out.startswith("[1/1] say hello (usually a moment) ... done in ") and out.count("\n") == 1
    assert "noise noise" in console.log.read_text()


def test_an_error_line_of_a_successful_step_reaches_the_console(console, capsys):
    console.run(setup_env.Step("pip", "a moment", [sys.executable, "-c", "print('ERROR: resolver says no')"]))
    assert "pip reported: ERROR: resolver says no" in capsys.readouterr().out


def test_a_failed_step_shows_the_end_of_the_log_and_stops(console, capsys):
    bad = setup_env.Step("fail", "a moment", [sys.executable, "-c", "import sys; print('why it broke'); sys.exit(3)"])
    with pytest.raises(SystemExit, match="set-up step failed: fail"):
        console.run(bad)
    out = capsys.readouterr().out
    assert "FAILED" in out and "why it broke" in out and str(console.log) in out


def test_this_environment_has_the_carrier_and_says_which_torch_build():
    venv = Path(sys.prefix)
    assert setup_env.carrier_present(venv)
    summary, cuda = setup_env.torch_summary(venv)
    assert summary.startswith("torch 2.13.0")
    assert summary.endswith("(CUDA build)" if cuda else "(CPU build)")
    import torch

    assert cuda == (torch.version.cuda is not None)


def test_wrong_python_is_refused_with_the_fix(monkeypatch):
    monkeypatch.setattr(setup_env.sys, "version_info", (3, 9, 0))
    with pytest.raises(SystemExit, match="PYTHON=/path/to/python3.11"):
        setup_env.main(["--check"])
