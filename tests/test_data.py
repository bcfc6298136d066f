"""The loaders reproduce the reference figures and refuse damaged files."""

import shutil

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import columns as C
from pmkt_lessons import data


def test_online_retail_shape_and_types(online_retail):
    assert online_retail.shape == (541_909, 8)
    assert list(online_retail.columns) == list(C.ONLINE_RETAIL_COLUMNS)
    assert pd.api.types.is_datetime64_any_dtype(online_retail[C.INVOICE_DATE])
    assert str(online_retail[C.CUSTOMER_ID].dtype) == "Int64"
    assert pd.api.types.is_string_dtype(online_retail[C.STOCK_CODE])
    assert online_retail[C.CUSTOMER_ID].isna().sum() == 135_080
    assert online_retail[C.DESCRIPTION].isna().sum() == 1_454
    assert online_retail[C.INVOICE_DATE].min() == pd.Timestamp("2010-12-01 08:26:00")
    assert online_retail[C.INVOICE_DATE].max() == pd.Timestamp("2011-12-09 12:50:00")


def test_groceries_reference_figures():
    g = data.load_groceries()
    assert len(g.baskets) == 9_835
    items = {item for basket in g.baskets for item in basket}
    assert len(items) == 169
    assert sum(len(b) for b in g.baskets) == 43_367
    assert "cream cheese" in items and "cream cheese " not in items
    assert list(g.items.columns) == ["item", "level2", "level1"]
    assert len(g.items) == 169
    assert set(g.items["item"]) == items


@pytest.mark.parametrize(("version", "shape"), [("full", (45_211, 17)), ("additional", (41_188, 21))])
def test_bank_marketing(version, shape):
    df = data.load_bank_marketing(version)
    assert df.shape == shape
    assert set(df["y"].unique()) == {0, 1}
    assert isinstance(df["job"].dtype, pd.CategoricalDtype)
    assert "unknown" in df["education"].cat.categories


def test_bank_marketing_rejects_unknown_version():
    with pytest.raises(ValueError, match="version"):
        data.load_bank_marketing("small")


def test_hillstrom_reference_rates():
    df = data.load_hillstrom()
    assert df.shape == (64_000, 12)
    rates = df.groupby("segment", observed=True)["visit"].mean()
    assert round(rates["No E-Mail"], 3) == 0.106
    assert round(rates["Mens E-Mail"], 3) == 0.183
    assert "Surburban" in df["zip_code"].cat.categories


@pytest.mark.parametrize("policy", ["random", "bts"])
def test_open_bandit(policy):
    ob = data.load_open_bandit(policy)
    assert len(ob.log) == 10_000
    assert ob.log["item_id"].between(0, 79).all()
    assert set(ob.log["position"].unique()) == {1, 2, 3}
    assert ob.log["propensity_score"].between(0, 1, inclusive="right").all()
    assert len(ob.items) == 80
    assert isinstance(ob.log["timestamp"].dtype, pd.DatetimeTZDtype)


def test_open_bandit_rejects_unknown_policy():
    with pytest.raises(ValueError, match="policy"):
        data.load_open_bandit("greedy")


def test_sentiment_is_balanced():
    df = data.load_sentiment()
    assert len(df) == 3_000
    counts = df.groupby(["source", "label"], observed=True).size()
    assert (counts == 500).all() and len(counts) == 6


def test_movielens_from_the_recbole_wheel(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    ml = data.load_movielens_100k(download=False)
    assert ml.ratings.shape == (100_000, 4)
    assert ml.ratings[C.USER].nunique() == 943 and ml.ratings[C.ITEM].nunique() == 1_682
    counts = ml.ratings[C.RATING].value_counts().sort_index().tolist()
    assert counts == [6_110, 11_370, 27_145, 34_174, 21_201]
    assert list(ml.items.columns) == data.MOVIELENS_ITEM_COLUMNS
    assert (tmp_path / "movielens_100k.pkl").is_file()
    again = data.load_movielens_100k(download=False)
    pd.testing.assert_frame_equal(again.ratings, ml.ratings)


def test_movielens_missing_everywhere_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.DatasetMissingError, match="pip install --no-deps recbole==1.2.1"):
        data.load_movielens_100k(download=False)


def test_movielens_fingerprint_catches_an_altered_rating(tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    ml = data.load_movielens_100k(download=False, use_cache=False)
    altered = ml.ratings.copy()
    altered.loc[0, C.RATING] = altered.loc[0, C.RATING] % 5 + 1
    assert data.movielens_fingerprint(altered) != data.MOVIELENS_RATINGS_SHA256
    monkeypatch.setattr(data, "_movielens_from_recbole", lambda: data.MovieLens(altered, ml.items))
    with pytest.raises(data.DatasetChecksumError, match="force-reinstall"):
        data.load_movielens_100k(download=False, use_cache=False)


@pytest.fixture
def copied_data(tmp_path, monkeypatch):
    """A private copy of the datasets folder, so damaging a file touches nothing real."""
    shutil.copytree(data.data_dir(), tmp_path / "datasets")
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "datasets"))
    data._VERIFIED.clear()
    yield tmp_path / "datasets"
    data._VERIFIED.clear()


def test_a_missing_file_names_it_and_how_to_restore(copied_data):
    (copied_data / "hillstrom" / "hillstrom_email_2008.csv.xz").unlink()
    with pytest.raises(data.DatasetMissingError, match=r"hillstrom_email_2008\.csv\.xz.*git checkout"):
        data.load_hillstrom()


def test_a_truncated_file_is_caught_by_its_checksum(copied_data):
    path = copied_data / "groceries" / "groceries.csv"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(data.DatasetChecksumError, match=r"groceries\.csv.*sha256.*git checkout"):
        data.load_groceries()


def test_an_edited_file_is_caught_even_after_a_good_load(copied_data):
    data.load_sentiment()
    path = copied_data / "sentiment" / "yelp_labelled.txt"
    text = path.read_text()
    path.write_text(text.replace("\t1", "\t0", 1))
    with pytest.raises(data.DatasetChecksumError, match="yelp_labelled"):
        data.load_sentiment()


def test_verify_all_reports_every_file(copied_data):
    (copied_data / "open_bandit" / "bts" / "item_context.csv").write_text("x")
    report = data.verify_all()
    n_files = sum(len(info.files) for info in data.REGISTRY.values())
    assert len(report) == n_files
    bad = report[report["status"] != "ok"]
    assert bad["file"].tolist() == ["open_bandit/bts/item_context.csv"]
    assert bad["status"].tolist() == ["checksum mismatch"]


def test_shipped_files_match_the_registry():
    report = data.verify_all()
    assert (report["status"] == "ok").all(), report[report["status"] != "ok"]


def test_every_dataset_has_a_datacard_with_its_checksums():
    for info in data.REGISTRY.values():
        card = data.data_dir() / info.name / "DATACARD.md"
        assert card.is_file(), f"{card} is missing"
        text = card.read_text()
        for entry in info.files:
            assert entry.sha256 in text, f"{card} lacks the sha256 of {entry.path}"


def test_dataset_path_bad_arguments():
    with pytest.raises(ValueError, match="name: expected one of"):
        data.dataset_path("criteo")
    with pytest.raises(ValueError, match="filename"):
        data.dataset_path("groceries", "nope.csv")


def test_catalogue_lists_every_dataset():
    cat = data.catalogue()
    assert set(cat.index) == set(data.REGISTRY)
    assert {"what", "rows", "licence", "lessons"} <= set(cat.columns)


def test_sha256_of_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "x.bin"
    payload = np.arange(300_000, dtype=np.int64).tobytes()
    path.write_bytes(payload)
    assert data.sha256_of(path) == hashlib.sha256(payload).hexdigest()
