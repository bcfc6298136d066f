"""A quiet, small, local Spark session for the lessons, and how to point it at a real cluster.

``spark_session()`` finds Java (:func:`pmkt_lessons.scale.java.find_java`),
then starts Spark in local mode on two cores with at most 1 GB for the driver,
the web UI off, every address on 127.0.0.1, log level ERROR and the JVM's own
console chatter sent to a log file rather than the notebook. Set the
environment variable ``PMKT_SPARK_MASTER`` (e.g. ``spark://host:7077``,
``yarn``, ``k8s://https://...``) to run the same code against a cluster.
Introduced in lesson 23.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

from .java import find_java, spark_java_home

MASTER_ENV = "PMKT_SPARK_MASTER"
DEFAULT_MASTER = "local[2]"
DEFAULT_DRIVER_MEMORY = "768m"
_MEMORY = re.compile(r"^(\d+)([mg])$")

# pyspark 4.x warns on every pandas conversion that it "does not yet fully support pandas >= 3";
# the conversions the lessons use are tested (tests/test_scale_spark.py), so this one notice is muted.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_master(environ=None) -> str:
    """Give the Spark master URL: ``$PMKT_SPARK_MASTER`` when set, else ``"local[2]"``. Introduced in lesson 23."""
    environ = os.environ if environ is None else environ
    return environ.get(MASTER_ENV, "").strip() or DEFAULT_MASTER


def _memory_mb(memory: object) -> int:
    if not isinstance(memory, str) or not _MEMORY.match(memory.strip().lower()):
        raise ValueError(f"driver_memory: expected a size such as '768m' or '1g', got {memory!r}")
    number, unit = _MEMORY.match(memory.strip().lower()).groups()
    return int(number) * (1024 if unit == "g" else 1)


@contextmanager
def _stderr_to(path: Path):
    """Point this process's file descriptor 2 at ``path`` while a child (the JVM) is started."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def spark_config(
    master: str | None = None,
    *,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
    shuffle_partitions: int = 4,
    work_dir: str | os.PathLike | None = None,
) -> dict[str, str]:
    """Give the Spark settings the lessons use, as a dict of ``spark.*`` keys to values.

    Local runs stay on 127.0.0.1 with the UI off; ``driver_memory`` is capped
    at 1 GB so the whole lesson (Python plus JVM) fits in 2 GB. Introduced in lesson 23.
    """
    master = spark_master() if master is None else master
    if not isinstance(master, str) or not master.strip():
        raise ValueError(f"master: expected a Spark master URL such as 'local[2]', got {master!r}")
    if _memory_mb(driver_memory) > 1024:
        raise ValueError(f"driver_memory: expected at most 1g for the lessons, got {driver_memory!r}")
    if isinstance(shuffle_partitions, bool) or not isinstance(shuffle_partitions, int) or shuffle_partitions < 1:
        raise ValueError(f"shuffle_partitions: expected a positive integer, got {shuffle_partitions!r}")
    work = Path(work_dir) if work_dir is not None else Path(tempfile.gettempdir()) / "pmkt_spark"
    log4j = work / "log4j2.properties"
    java_options = f"-XX:+UseSerialGC -Dlog4j2.configurationFile=file:{log4j} -Dlog4j.configurationFile=file:{log4j}"
    config = {
        "spark.master": master.strip(),
        "spark.app.name": "pmkt-lessons",
        "spark.driver.memory": driver_memory,
        "spark.driver.extraJavaOptions": java_options,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.default.parallelism": str(shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.local.dir": str(work / "tmp"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.ansi.enabled": "false",
    }
    if master.strip().startswith("local"):
        config.update({
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.pyspark.python": sys.executable,  # Python workers use this interpreter, not `python3`
        })
    return config


def spark_session(
    master: str | None = None,
    *,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
    shuffle_partitions: int = 4,
    work_dir: str | os.PathLike | None = None,
):
    """Give a running SparkSession for the lessons (local[2] unless ``PMKT_SPARK_MASTER`` says otherwise).

    Sets ``JAVA_HOME`` from :func:`find_java` when it is not usable yet,
    starts the JVM with the settings of :func:`spark_config`, sends the
    JVM's console output to ``<work_dir>/jvm.log`` and sets the log level to
    ERROR. Calling it again while a session runs gives that session back
    (Spark allows one per process); stop it with ``spark.stop()``.
    Introduced in lesson 23.

    Parameters
    ----------
    master : str, optional
        Spark master URL; default ``$PMKT_SPARK_MASTER`` or ``"local[2]"``.
    driver_memory : str
        JVM heap of the driver, at most ``"1g"``.
    shuffle_partitions : int
        Partitions after a shuffle (Spark's default of 200 is for clusters;
        a few suit two cores and small data).
    work_dir : path, optional
        Folder for Spark's scratch files and logs (default: a folder in the
        system temp directory; never inside ``datasets/``).
    """
    config = spark_config(
        master, driver_memory=driver_memory, shuffle_partitions=shuffle_partitions, work_dir=work_dir
    )
    work = Path(config["spark.local.dir"]).parent
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    (work / "log4j2.properties").write_text(_LOG4J2)
    runtime = find_java()
    os.environ["JAVA_HOME"] = str(spark_java_home(runtime, work))
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in config.items():
        builder = builder.config(key, value)
    with _stderr_to(work / "jvm.log"):
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
