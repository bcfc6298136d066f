"""Tests of pmkt_lessons.serving.registry: saved models come back only when every checksum matches."""

import copy
import hashlib
import json
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pmkt_lessons.data import data_dir
from pmkt_lessons.recsys import Interactions, ItemKNN
from pmkt_lessons.serving.registry import (
    MANIFEST_FILE,
    METADATA_FILE,
    MODEL_FILE,
    ModelIntegrityError,
    load_model,
    save_model,
    verify_model,
)

META = {"name": "toy kNN", "lesson": "07", "training_period": ["2011-01-01", "2011-02-01"], "metrics": {"ndcg@10": 0.5}}


def toy_model():
    dense = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1]], dtype=np.float32)
    inter = Interactions(sp.csr_matrix(dense), pd.Index(["u0", "u1", "u2"]), pd.Index(["i0", "i1", "i2", "i3"]))
    return ItemKNN("cosine", 2).fit(inter)


@pytest.fixture
def saved(tmp_path):
    return save_model(toy_model(), tmp_path / "m", META)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_gives_the_same_model_and_metadata(saved):
    loaded = load_model(saved)
    assert loaded.name == "toy kNN"
    assert loaded.metadata["lesson"] == "07" and loaded.metadata["metrics"] == {"ndcg@10": 0.5}
    assert loaded.metadata["model_class"] == "pmkt_lessons.recsys.knn.ItemKNN"
    assert loaded.metadata["versions"]["pmkt_lessons"] and loaded.metadata["versions"]["torch"]
    np.testing.assert_array_equal(loaded.model.score(["u0", "u2"]), toy_model().score(["u0", "u2"]))


def test_manifest_holds_the_sha256_of_every_file_as_hashlib_computes_it(saved):
    manifest = json.loads((saved / MANIFEST_FILE).read_text())
    assert manifest["algorithm"] == "sha256"
    assert manifest["files"] == {MODEL_FILE: sha256(saved / MODEL_FILE), METADATA_FILE: sha256(saved / METADATA_FILE)}
    assert verify_model(saved) == manifest["files"]
    assert load_model(saved).metadata["sha256"] == sha256(saved / MODEL_FILE)


@pytest.mark.parametrize("name", [MODEL_FILE, METADATA_FILE])
def test_a_changed_file_is_named(saved, name):
    with open(saved / name, "ab") as handle:
        handle.write(b" ")
    with pytest.raises(ModelIntegrityError, match=f"{name}: sha256 mismatch"):
        load_model(saved)


@pytest.mark.parametrize("name", [MODEL_FILE, METADATA_FILE, MANIFEST_FILE])
def test_a_missing_file_is_named(saved, name):
    (saved / name).unlink()
    with pytest.raises(ModelIntegrityError, match=f"{name}: .*missing"):
        load_model(saved)


def test_nothing_is_unpickled_before_the_checksums_pass(saved):
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    (saved / MODEL_FILE).write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelIntegrityError, match=MODEL_FILE):
        load_model(saved)


def test_an_unreadable_manifest_is_named(saved):
    (saved / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(ModelIntegrityError, match="unreadable manifest"):
        verify_model(saved)


def test_a_manifest_entry_outside_the_folder_is_refused(saved):
    manifest = json.loads((saved / MANIFEST_FILE).read_text())
    manifest["files"]["../elsewhere"] = "0" * 64
    (saved / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError, match="inside the folder"):
        verify_model(saved)


def test_a_saved_version_is_not_overwritten_by_default(saved):
    with pytest.raises(FileExistsError, match="folder"):
        save_model(toy_model(), saved, META)
    save_model(toy_model(), saved, {**META, "name": "second"}, overwrite=True)
    assert load_model(saved).name == "second"


def test_metadata_is_not_changed(tmp_path):
    meta = copy.deepcopy(META)
    save_model(toy_model(), tmp_path / "m", meta)
    assert meta == META


@pytest.mark.parametrize(
    "meta, error, match",
    [
        ({"name": "x"}, ValueError, "metadata: expected keys"),
        ({**META, "name": ""}, ValueError, "metadata: expected 'name'"),
        ({**META, "metrics": [1]}, TypeError, "metadata: expected 'metrics'"),
        ({**META, "when": object()}, TypeError, "metadata: expected JSON"),
        ("meta", TypeError, "metadata: expected a dict"),
    ],
)
def test_bad_metadata_is_named(tmp_path, meta, error, match):
    with pytest.raises(error, match=match):
        save_model(toy_model(), tmp_path / "m", meta)


def test_bad_folders_are_named(tmp_path):
    with pytest.raises(TypeError, match="folder"):
        save_model(toy_model(), 42, META)
    with pytest.raises(ValueError, match="outside the datasets folder"):
        save_model(toy_model(), data_dir() / "models", META)
    with pytest.raises(TypeError, match="overwrite"):
        save_model(toy_model(), tmp_path / "m", META, overwrite="yes")
    with pytest.raises(TypeError, match="folder"):
        load_model(None)
