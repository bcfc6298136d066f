"""The course's workloads in Spark: cleaning and RFM, FP-growth rules, implicit ALS, logistic regression.

Each function takes Spark DataFrames (or builds them from the package's
inputs) and gives results in the same shape as the package's pandas / numpy
versions, so a lesson can assert they agree:

* :func:`clean_spark` and :func:`rfm_spark` redo lesson 01's cleaning and
  lesson 03's RFM table with DataFrame operations;
* :func:`fpgrowth_rules_spark` mines rules with ``pyspark.ml.fpm.FPGrowth``
  (compare :func:`pmkt_lessons.rules.mine_rules`);
* :class:`SparkALS` is a recommender of the package's shape whose factors
  come from ``pyspark.ml.recommendation.ALS`` (compare lesson 09's ImplicitALS);
* :func:`spark_logistic_probabilities` trains ``pyspark.ml`` logistic
  regression on one-hot fields (compare scikit-learn, lesson 11).

The session comes from :func:`pmkt_lessons.scale.session.spark_session`.
Introduced in lesson 23.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..features import FREQUENCY, GROSS_REVENUE, MONETARY, RECENCY, RETURNED_REVENUE, RFM_COLUMNS
from ..randomness import check_random_state, library_seed
from ..recsys.base import BaseRecommender
from ..recsys.interactions import Interactions
from ..rules import (
    ANTECEDENTS,
    CONFIDENCE,
    CONSEQUENTS,
    LIFT,
    SUPPORT,
    sort_rules,
)
from ..validation import (
    require_binary,
    require_day,
    require_frame,
    require_in_range,
    require_positive_int,
)

SPARK_RULE_COLUMNS = (ANTECEDENTS, CONSEQUENTS, SUPPORT, CONFIDENCE, LIFT)


def require_spark_frame(value: object, arg: str, columns=()):
    """Give ``value`` back if it is a Spark DataFrame holding ``columns``, else raise naming ``arg``.

    Introduced in lesson 23.
    """
    from pyspark.sql import DataFrame

    if not isinstance(value, DataFrame):
        raise TypeError(f"{arg}: expected a Spark DataFrame, got {type(value).__name__}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{arg}: expected columns {missing}, found {value.columns}")
    return value


def _active_session():
    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession()
    if spark is None:
        from .session import spark_session

        spark = spark_session()
    return spark


# --------------------------------------------------------------------------- cleaning and RFM


def clean_spark(raw):
    """Give (clean, cancellations): lesson 01's standard cleaning of raw Online Retail, in Spark.

    The steps of :func:`pmkt_lessons.cleaning.clean_transactions` with its
    defaults, in the same order: drop a missing customer, set aside
    cancellations (invoice starting with "C"; kept as the returns), drop
    exact duplicates, quantity <= 0 and unit price <= 0; add
    ``Revenue = Quantity * UnitPrice``. Nothing runs until an action
    (``count``, ``collect``...) asks for a result. Introduced in lesson 23.
    """
    from pyspark.sql import functions as F

    raw = require_spark_frame(raw, "raw", C.ONLINE_RETAIL_COLUMNS)
    known = raw.where(F.col(C.CUSTOMER_ID).isNotNull())
    is_cancel = F.coalesce(F.col(C.INVOICE).startswith("C"), F.lit(False))
    revenue = (F.col(C.QUANTITY) * F.col(C.UNIT_PRICE)).alias(C.REVENUE)
    cancellations = known.where(is_cancel).select("*", revenue)
    clean = (
        known.where(~is_cancel)
        .dropDuplicates()
        .where((F.col(C.QUANTITY) > 0) & (F.col(C.UNIT_PRICE) > 0))
        .select("*", revenue)
    )
    return clean, cancellations


def rfm_spark(clean, cancellations, *, snapshot=None):
    """Give the RFM table of :func:`pmkt_lessons.features.rfm_table` as a Spark DataFrame.

    One ``groupBy(CustomerID)`` of the sales before the snapshot, left-joined
    to the returns summed per customer; the default snapshot is the day after
    the last invoice. Collect it with :func:`rfm_to_pandas`. Introduced in lesson 23.
    """
    from pyspark.sql import functions as F

    needs = (C.INVOICE, C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE)
    clean = require_spark_frame(clean, "clean", needs)
    cancellations = require_spark_frame(cancellations, "cancellations", (C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE))
    if snapshot is None:
        last = clean.agg(F.max(C.INVOICE_DATE).alias("last")).first()["last"]
        if last is None:
            raise ValueError("clean: expected purchases, found none")
        day = pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    else:
        day = require_day(snapshot, "snapshot")
    cut = F.lit(day.strftime("%Y-%m-%d")).cast("date")
    before = F.col(C.INVOICE_DATE) < cut.cast("timestamp")
    sales = clean.where(before).groupBy(C.CUSTOMER_ID).agg(
        F.datediff(cut, F.max(F.to_date(C.INVOICE_DATE))).alias(RECENCY),
        F.countDistinct(C.INVOICE).alias(FREQUENCY),
        F.sum(C.REVENUE).alias(GROSS_REVENUE),
    )
    returned = cancellations.where(before).groupBy(C.CUSTOMER_ID).agg(F.sum(C.REVENUE).alias(RETURNED_REVENUE))
    return (
        sales.join(returned, on=C.CUSTOMER_ID, how="left")
        .fillna(0.0, subset=[RETURNED_REVENUE])
        .withColumn(MONETARY, F.col(GROSS_REVENUE) + F.col(RETURNED_REVENUE))
        .select(C.CUSTOMER_ID, *RFM_COLUMNS)
        .orderBy(C.CUSTOMER_ID)
    )


def rfm_to_pandas(rfm) -> pd.DataFrame:
    """Give a Spark RFM table (from :func:`rfm_spark`) as the pandas frame ``rfm_table`` gives.

    Introduced in lesson 23.
    """
    rfm = require_spark_frame(rfm, "rfm", (C.CUSTOMER_ID, *RFM_COLUMNS))
    rows = rfm.collect()
    table = pd.DataFrame([r.asDict() for r in rows], columns=[C.CUSTOMER_ID, *RFM_COLUMNS])
    table = table.astype({C.CUSTOMER_ID: "Int64", RECENCY: "int64", FREQUENCY: "int64"})
    table = table.astype({c: "float64" for c in (GROSS_REVENUE, RETURNED_REVENUE, MONETARY)})
    return table.set_index(C.CUSTOMER_ID).sort_index()


# --------------------------------------------------------------------------- query plans


def plan_text(frame, *, mode: str = "simple") -> str:
    """Give Spark's physical plan of ``frame`` as text, stable from run to run.

    What ``frame.explain(mode)`` prints, with the run-dependent parts
    removed: expression ids (``CustomerID#12L`` becomes ``CustomerID``),
    plan ids and file locations. Read it bottom-up: a ``Scan`` reads the
    data, ``HashAggregate`` aggregates (a partial one per partition, then a
    final one), ``Exchange`` is a **shuffle** (rows move between partitions,
    across the network on a cluster), ``InMemoryTableScan`` reads a cached
    table. Introduced in lesson 23.
    """
    import re

    frame = require_spark_frame(frame, "frame")
    if mode not in ("simple", "formatted"):
        raise ValueError(f"mode: expected 'simple' or 'formatted', got {mode!r}")
    text = frame._sc._jvm.PythonSQLUtils.explainString(frame._jdf.queryExecution(), mode)
    text = re.sub(r"#\d+L?", "", text)
    text = re.sub(r"plan_id=\d+", "plan_id", text)
    text = re.sub(r"\[id=#?\d+\]", "", text)
    text = re.sub(r"(Location: \w+ )\[[^\]]*\]", r"\1[...]", text)
    text = re.sub(r"(InMemoryFileIndex|Location)\(\d+ paths\)\[[^\]]*\]", r"\1[...]", text)
    text = re.sub(r"file:[^,\]\s]+", "file:...", text)
    return text.strip()


def count_shuffles(frame) -> int:
    """Give how many shuffles (``Exchange`` nodes) the physical plan of ``frame`` holds.

    Once the query has run, the adaptive plan lists a final and an initial
    plan; only the final one is counted. Introduced in lesson 23.
    """
    text = plan_text(frame).split("== Initial Plan ==")[0]  # after a run, AQE prints final and initial plans
    return sum(1 for line in text.splitlines() if "Exchange " in line and "Reused" not in line)


# --------------------------------------------------------------------------- FP-growth


def baskets_to_spark(baskets, spark=None):
    """Give a Spark DataFrame with one row per basket and its distinct items in an ``items`` array column.

    Introduced in lesson 23.
    """
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    if isinstance(baskets, (str, pd.DataFrame)) or not hasattr(baskets, "__len__"):
        raise TypeError(f"baskets: expected a list of lists of item labels, got {type(baskets).__name__}")
    if len(baskets) == 0:
        raise ValueError("baskets: expected at least one basket, got none")
    rows = []
    for i, basket in enumerate(baskets):
        if isinstance(basket, str) or not hasattr(basket, "__iter__"):
            raise TypeError(f"baskets: expected each basket to be a list of items, basket {i} is a {type(basket).__name__}")
        items = sorted(set(basket))
        if not items or any(not isinstance(x, str) for x in items):
            raise ValueError(f"baskets: expected every basket to hold item labels (str), basket {i} holds {basket!r}")
        rows.append((items,))
    spark = _active_session() if spark is None else spark
    schema = StructType([StructField("items", ArrayType(StringType()), False)])
    return spark.createDataFrame(rows, schema)


def fpgrowth_rules_spark(baskets, min_support: float, min_confidence: float, *, spark=None) -> pd.DataFrame:
    """Give the association rules Spark's FP-growth finds, sorted like :func:`pmkt_lessons.rules.sort_rules`.

    ``pyspark.ml.fpm.FPGrowth`` (Li et al. 2008, parallel FP-growth) keeps
    itemsets in at least ``ceil(min_support * n)`` baskets and rules with
    confidence >= ``min_confidence``. Spark only builds rules with **one
    item** in the consequent; mlxtend also builds longer consequents, so
    compare with mlxtend's single-item-consequent rules. Introduced in lesson 23.

    Parameters
    ----------
    baskets : list of lists of str, or a Spark DataFrame with an ``items`` array column
    min_support, min_confidence : float in (0, 1]

    Returns
    -------
    DataFrame with ``antecedents``, ``consequents`` (frozensets),
    ``support``, ``confidence`` and ``lift``.
    """
    from pyspark.ml.fpm import FPGrowth
    from pyspark.sql import DataFrame

    require_in_range(min_support, "min_support", 0, 1, low_inclusive=False)
    require_in_range(min_confidence, "min_confidence", 0, 1, low_inclusive=False)
    frame = baskets if isinstance(baskets, DataFrame) else baskets_to_spark(baskets, spark)
    require_spark_frame(frame, "baskets", ["items"])
    model = FPGrowth(itemsCol="items", minSupport=float(min_support), minConfidence=float(min_confidence)).fit(frame)
    rows = model.associationRules.select("antecedent", "consequent", "support", "confidence", "lift").collect()
    rules = pd.DataFrame(
        {
            ANTECEDENTS: [frozenset(r["antecedent"]) for r in rows],
            CONSEQUENTS: [frozenset(r["consequent"]) for r in rows],
            SUPPORT: [float(r["support"]) for r in rows],
            CONFIDENCE: [float(r["confidence"]) for r in rows],
            LIFT: [float(r["lift"]) for r in rows],
        },
        columns=list(SPARK_RULE_COLUMNS),
    )
    return sort_rules(rules)


# --------------------------------------------------------------------------- ALS


class SparkALS(BaseRecommender):
    """Implicit-feedback ALS trained by Spark MLlib, used like the package's recommenders.

    Spark's ``ALS(implicitPrefs=True)`` fits the objective of Hu, Koren &
    Volinsky (2008) with ``c_ui = 1 + alpha r_ui``, as
    :class:`pmkt_lessons.recsys.als.ImplicitALS` does, but scales the
    penalty of each user (item) by its number of interactions
    ("ALS-WR", Zhou et al. 2008)::

        L = sum_{u,i} c_ui (p_ui - x_u . y_i)^2
            + reg (sum_u n_u |x_u|^2 + sum_i n_i |y_i|^2)

    and solves each block of users exactly (Cholesky) rather than with
    conjugate gradients. The factors are collected into numpy, so scoring,
    top-k and evaluation are the package's own. Introduced in lesson 23.

    Parameters
    ----------
    n_factors : int
        Rank of the factorisation.
    reg : float >= 0
        Spark's ``regParam`` (per interaction; see the formula).
    alpha : float >= 0
        Confidence slope.
    iterations : int
    n_blocks : int
        Blocks of users and of items (Spark partitions the work by them).
    random_state : None, int or numpy Generator
        Seed of Spark's initial factors (an integer is passed to Spark as is).

    Attributes
    ----------
    user_factors_, item_factors_ : ndarray (float32)
    fit_seconds_ : float

    References
    ----------
    Hu, Y., Koren, Y. and Volinsky, C. (2008). Collaborative filtering for implicit feedback datasets. ICDM.
    Zhou, Y. et al. (2008). Large-scale parallel collaborative filtering for the Netflix prize. AAIM.
    """

    def __init__(self, n_factors: int = 64, reg: float = 0.01, alpha: float = 1.0, iterations: int = 15,
                 n_blocks: int = 2, random_state=0):
        self.n_factors = n_factors
        self.reg = reg
        self.alpha = alpha
        self.iterations = iterations
        self.n_blocks = n_blocks
        self.random_state = random_state

    def _check_params(self) -> None:
        require_positive_int(self.n_factors, "n_factors")
        require_in_range(self.reg, "reg", 0.0, np.inf)
        require_in_range(self.alpha, "alpha", 0.0, np.inf)
        require_positive_int(self.iterations, "iterations")
        require_positive_int(self.n_blocks, "n_blocks")
        check_random_state(self.random_state)  # validates; draws nothing

    def _fit(self, interactions: Interactions) -> None:
        import time

        from pyspark.ml.recommendation import ALS

        spark = _active_session()
        coo = interactions.matrix.tocoo()
        start = time.perf_counter()
        frame = spark.createDataFrame(
            pd.DataFrame({"u": coo.row.astype("int32"), "i": coo.col.astype("int32"), "r": coo.data.astype("float32")})
        )
        als = ALS(
            rank=int(self.n_factors), maxIter=int(self.iterations), regParam=float(self.reg),
            alpha=float(self.alpha), implicitPrefs=True, userCol="u", itemCol="i", ratingCol="r",
            numUserBlocks=int(self.n_blocks), numItemBlocks=int(self.n_blocks), seed=library_seed(self.random_state),
            nonnegative=False, coldStartStrategy="nan",
        )
        model = als.fit(frame)
        self.user_factors_ = _factors(model.userFactors, interactions.n_users, self.n_factors)
        self.item_factors_ = _factors(model.itemFactors, interactions.n_items, self.n_factors)
        self.fit_seconds_ = time.perf_counter() - start

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T


def _factors(frame, n_rows: int, n_factors: int) -> np.ndarray:
    """Collect Spark's (id, features) factor table into an (n_rows, n_factors) array (zeros where absent)."""
    rows = frame.orderBy("id").collect()
    out = np.zeros((n_rows, n_factors), dtype=np.float32)
    if rows:
        ids = np.array([r["id"] for r in rows], dtype=np.int64)
        out[ids] = np.array([r["features"] for r in rows], dtype=np.float32)
    return out


# --------------------------------------------------------------------------- logistic regression


def spark_logistic_probabilities(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    categorical,
    numeric=(),
    label: str = "click",
    reg: float = 0.0,
    max_iter: int = 100,
    tol: float = 1e-6,
    spark=None,
) -> np.ndarray:
    """Give the test click probabilities of a ``pyspark.ml`` logistic regression on one-hot fields.

    A Spark ML pipeline: ``StringIndexer`` per categorical field (levels
    ordered alphabetically; levels unseen in training share one extra
    column), ``OneHotEncoder`` (the first level dropped as the reference),
    ``VectorAssembler`` with the numeric fields, then
    ``LogisticRegression`` minimising the mean log loss plus
    ``reg / 2 * |w|^2``, without standardising the features, so it matches
    scikit-learn's ``LogisticRegression(C = 1 / (n * reg))`` on the same
    one-hot columns. Introduced in lesson 23.

    Returns
    -------
    ndarray of P(click) for the rows of ``test``, in order.
    """
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import OneHotEncoder, StringIndexer, VectorAssembler
    from pyspark.ml.functions import vector_to_array

    categorical, numeric = list(categorical), list(numeric)
    if not categorical and not numeric:
        raise ValueError("categorical: expected at least one feature column, got none")
    for arg, frame in (("train", train), ("test", test)):
        require_frame(frame, [*categorical, *numeric] + ([label] if arg == "train" else []), arg)
    require_binary(train[label].to_numpy(), "train", what=f"0/1 labels in column {label!r}")
    require_in_range(reg, "reg", 0.0, np.inf)
    max_iter = require_positive_int(max_iter, "max_iter")
    spark = _active_session() if spark is None else spark

    def to_spark(frame: pd.DataFrame, with_label: bool):
        data = {c: frame[c].astype(str).to_numpy(dtype=object) for c in categorical}
        data.update({c: frame[c].to_numpy(dtype=float) for c in numeric})
        if with_label:
            data[label] = frame[label].to_numpy(dtype=float)
        data["_row"] = np.arange(len(frame), dtype=np.int64)
        return spark.createDataFrame(pd.DataFrame(data)).coalesce(2)

    indexed = [f"{c}__idx" for c in categorical]
    encoded = [f"{c}__vec" for c in categorical]
    pipeline = Pipeline(stages=[
        StringIndexer(inputCols=categorical, outputCols=indexed, stringOrderType="alphabetAsc", handleInvalid="keep"),
        OneHotEncoder(inputCols=indexed, outputCols=encoded, dropLast=True, handleInvalid="keep"),
        VectorAssembler(inputCols=encoded + numeric, outputCol="features"),
        LogisticRegression(featuresCol="features", labelCol=label, regParam=float(reg), elasticNetParam=0.0,
                           standardization=False, maxIter=max_iter, tol=tol),
    ])
    model = pipeline.fit(to_spark(train, True).cache())
    scored = model.transform(to_spark(test, False))
    rows = scored.select("_row", vector_to_array("probability")[1].alias("p")).orderBy("_row").collect()
    return np.array([r["p"] for r in rows], dtype=float)


__all__ = [
    "SPARK_RULE_COLUMNS",
    "SparkALS",
    "baskets_to_spark",
    "clean_spark",
    "count_shuffles",
    "fpgrowth_rules_spark",
    "plan_text",
    "require_spark_frame",
    "rfm_spark",
    "rfm_to_pandas",
    "spark_logistic_probabilities",
]
