"""FieldEncoder (one-hot indices, unknown buckets) and the hashing trick."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction import FeatureHasher

from pmkt_lessons.ctr.encoding import (
    UNKNOWN,
    FieldEncoder,
    hash_bucket,
    hash_collisions,
    hash_features,
    hash_indices,
)


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "site": pd.Categorical(["a", "b", "a", "c"]),
            "hour": np.array([3, 10, 3, 2], dtype="int8"),
            "x": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_indices_by_hand(frame):
    enc = FieldEncoder(["site", "hour"], ["x"]).fit(frame)
    # site: bucket 0, a=1, b=2, c=3; hour: bucket 4, 2=5, 3=6, 10=7 (numeric order)
    assert list(enc.levels_["hour"]) == [2, 3, 10]
    assert enc.offsets_.tolist() == [0, 4] and enc.n_indices_ == 8
    out = enc.transform(frame)
    assert out.index.tolist() == [[1, 6], [2, 7], [1, 6], [3, 5]]
    np.testing.assert_allclose(out.dense.ravel(), (frame["x"] - 2.5) / np.std(frame["x"]), rtol=1e-6)
    assert enc.feature_names()[:2] == [f"site={UNKNOWN}", "site=a"]
    assert len(enc.feature_names()) == enc.n_indices_ + 1


def test_unknown_levels_and_missing_values_go_to_the_bucket(frame):
    enc = FieldEncoder(["site", "hour"], ["x"]).fit(frame)
    new = pd.DataFrame({"site": ["zzz", None, "b"], "hour": [99, 3, 2], "x": [0.0, 0.0, 0.0]})
    idx = enc.transform(new).index
    assert idx[:, 0].tolist() == [0, 0, 2]
    assert idx[:, 1].tolist() == [4, 6, 5]


def test_min_count_sends_rare_levels_to_the_bucket(frame):
    enc = FieldEncoder(["site"], min_count=2).fit(frame)
    assert list(enc.levels_["site"]) == ["a"]
    assert enc.transform(frame).index[:, 0].tolist() == [1, 0, 1, 0]


def test_one_hot_matches_indices(frame):
    enc = FieldEncoder(["site", "hour"], ["x"]).fit(frame)
    m = enc.one_hot(frame).toarray()
    assert m.shape == (4, 9)
    assert (m[:, :8].sum(axis=1) == 2).all()
    assert m[3, 3] == 1 and m[3, 5] == 1
    np.testing.assert_allclose(m[:, 8], enc.transform(frame).dense[:, 0], rtol=1e-6)


def test_empty_frame_transforms_to_no_rows_but_cannot_be_fitted(frame):
    enc = FieldEncoder(["site"], ["x"]).fit(frame)
    out = enc.transform(frame.iloc[:0])
    assert out.index.shape == (0, 1) and out.dense.shape == (0, 1)
    assert enc.one_hot(frame.iloc[:0]).shape == (0, enc.n_indices_ + 1)
    with pytest.raises(ValueError, match="X"):
        FieldEncoder(["site"]).fit(frame.iloc[:0])


def test_no_mutation(frame):
    before = frame.copy()
    enc = FieldEncoder(["site", "hour"], ["x"]).fit(frame)
    enc.transform(frame)
    enc.one_hot(frame)
    hash_features(frame, ["site", "hour"], 16)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("kwargs", "exc", "arg"),
    [
        ({"categorical": "site"}, TypeError, "categorical"),
        ({"categorical": []}, ValueError, "categorical"),
        ({"categorical": ["site", "site"]}, ValueError, "categorical"),
        ({"categorical": ["nope"]}, ValueError, "X"),
        ({"categorical": ["site"], "numeric": ["site"]}, ValueError, "numeric"),
        ({"categorical": ["site"], "min_count": 0}, ValueError, "min_count"),
    ],
)
def test_bad_arguments(frame, kwargs, exc, arg):
    with pytest.raises(exc, match=arg):
        FieldEncoder(**kwargs).fit(frame)


def test_transform_before_fit_and_nan_numeric(frame):
    with pytest.raises(NotFittedError, match="fit"):
        FieldEncoder(["site"]).transform(frame)
    bad = frame.assign(x=[1.0, np.nan, 2.0, 3.0])
    with pytest.raises(ValueError, match="missing"):
        FieldEncoder(["site"], ["x"]).fit(bad)
    with pytest.raises(TypeError, match="X"):
        FieldEncoder(["site"]).fit(frame.to_numpy())


# --------------------------------------------------------------------------- hashing


def test_hash_features_equal_sklearn_feature_hasher(frame):
    ours = hash_features(frame, ["site", "hour"], 8)
    tokens = [[f"site={s}", f"hour={h}"] for s, h in zip(frame["site"], frame["hour"], strict=True)]
    theirs = FeatureHasher(n_features=8, input_type="string", alternate_sign=False).transform(tokens)
    np.testing.assert_array_equal(ours.toarray(), theirs.toarray())


def test_hash_bucket_is_stable_and_in_range():
    assert hash_bucket("site=a", 1000) == hash_bucket("site=a", 1000)
    assert all(0 <= hash_bucket(f"t{i}", 7) < 7 for i in range(50))
    assert hash_bucket("x", 1) == 0
    with pytest.raises(TypeError, match="token"):
        hash_bucket(3, 10)
    with pytest.raises(ValueError, match="n_buckets"):
        hash_bucket("x", 0)


def test_hash_indices_shape_and_unseen_values_still_hash(frame):
    idx = hash_indices(frame, ["site"], 32)
    assert idx.shape == (4, 1) and idx[0, 0] == idx[2, 0]
    new = pd.DataFrame({"site": ["never-seen"]})
    assert hash_indices(new, ["site"], 32)[0, 0] == hash_bucket("site=never-seen", 32)
    assert hash_indices(frame.iloc[:0], ["site"], 32).shape == (0, 1)


def test_collisions_counted_by_hand():
    tokens = pd.DataFrame({"f": [f"v{i}" for i in range(40)]})
    one = hash_collisions(tokens, ["f"], 1)
    assert one["colliding_tokens"] == 40 and one["buckets_used"] == 1 and one["collision_rate"] == 1.0
    report = hash_collisions(tokens, ["f"], 64)
    buckets = [hash_bucket(f"f=v{i}", 64) for i in range(40)]
    counts = pd.Series(buckets).value_counts()
    assert report["colliding_tokens"] == int(counts[counts > 1].sum())
    assert report["expected_rate"] == pytest.approx(1 - (1 - 1 / 64) ** 39)
    assert hash_collisions(tokens.iloc[:0], ["f"], 8)["collision_rate"] == 0.0


def test_hash_tokens_by_hand(frame):
    from pmkt_lessons.ctr.encoding import hash_tokens

    tokens = hash_tokens(frame, ["site", "hour"])
    assert tokens.iloc[0].tolist() == ["site=a", "hour=3"]
    assert tokens.index.equals(frame.index) and hash_tokens(frame.iloc[:0], ["site"]).empty
    with pytest.raises(ValueError, match="X"):
        hash_tokens(frame, ["missing"])
