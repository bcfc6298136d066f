"""Tests of pmkt_lessons.serving.routing: keyed-hash A/B assignment is stable, balanced and keyed."""

import hashlib
import hmac

import numpy as np
import pytest
from scipy import stats

from pmkt_lessons.experiments import sample_ratio_mismatch
from pmkt_lessons.serving.routing import (
    AB_KEY_ENV,
    ab_key_from_env,
    assign_variant,
    assign_variants,
    hash_unit,
)

KEY = "a-test-key-0123456789"
IDS = [f"c{i}" for i in range(100_000)]


@pytest.fixture(scope="module")
def assigned():
    return assign_variants(IDS, KEY, experiment="exp")


def test_hash_unit_is_the_hmac_sha256_of_experiment_and_id():
    digest = hmac.new(KEY.encode(), b"exp:12347", hashlib.sha256).hexdigest()
    assert hash_unit("12347", KEY, "exp") == int(digest[:16], 16) / 2**64
    assert hash_unit(12347, KEY, "exp") == hash_unit("12347", KEY, "exp")


def test_assignment_is_stable_and_the_vector_form_agrees(assigned):
    again = assign_variants(IDS[:2000], KEY, experiment="exp")
    assert (again == assigned.iloc[:2000]).all()
    assert [assign_variant(c, KEY, experiment="exp") for c in IDS[:500]] == assigned.iloc[:500].tolist()
    assert set(assigned.unique()) == {"A", "B"}


def test_split_is_balanced_by_a_chi_square_srm_check(assigned):
    counts = assigned.value_counts().reindex(["A", "B"]).to_numpy()
    check = sample_ratio_mismatch(counts)
    assert not check.mismatch
    assert check.p_value > 0.01
    ref = stats.chisquare(counts)
    assert check.statistic == pytest.approx(ref.statistic) and check.p_value == pytest.approx(ref.pvalue)


def test_unequal_shares_are_respected():
    out = assign_variants(IDS[:50_000], KEY, ["control", "new"], shares=[9, 1], experiment="exp")
    counts = out.value_counts().reindex(["control", "new"]).to_numpy()
    assert not sample_ratio_mismatch(counts, [0.9, 0.1]).mismatch
    assert sample_ratio_mismatch(counts).mismatch  # and they are far from 50/50


def test_another_key_or_experiment_gives_an_independent_split(assigned):
    other_key = assign_variants(IDS[:20_000], "another-key-0123456789", experiment="exp")
    other_exp = assign_variants(IDS[:20_000], KEY, experiment="exp2")
    base = assigned.iloc[:20_000]
    for other in (other_key, other_exp):
        same = float((other == base).mean())
        assert 0.48 < same < 0.52  # about half keep their variant, as for a fresh random split


def test_input_ids_are_not_changed():
    ids = ["x", "y", 3]
    assign_variants(ids, KEY)
    assert ids == ["x", "y", 3]


def test_key_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(AB_KEY_ENV, raising=False)
    with pytest.raises(RuntimeError, match=AB_KEY_ENV):
        ab_key_from_env()
    monkeypatch.setenv(AB_KEY_ENV, "short")
    with pytest.raises(ValueError, match=f"{AB_KEY_ENV}: expected a key of at least 16 bytes"):
        ab_key_from_env()
    monkeypatch.setenv(AB_KEY_ENV, KEY)
    assert ab_key_from_env() == KEY.encode()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"key": "short"}, ValueError, "key: expected a key of at least 16"),
        ({"key": 123}, TypeError, "key: expected a str or bytes"),
        ({"variants": "AB"}, TypeError, "variants"),
        ({"variants": ["A", "A"]}, ValueError, "variants: expected distinct"),
        ({"variants": []}, ValueError, "variants: expected at least one"),
        ({"shares": [1]}, ValueError, "shares"),
        ({"shares": [1, -1]}, ValueError, "shares"),
        ({"experiment": ""}, TypeError, "experiment"),
        ({"customer_id": 1.5}, TypeError, "customer_id"),
        ({"customer_id": None}, TypeError, "customer_id"),
    ],
)
def test_bad_input_is_named(kwargs, error, match):
    args = {"customer_id": "c1", "key": KEY, "variants": ("A", "B"), "shares": None, "experiment": "e"} | kwargs
    with pytest.raises(error, match=match):
        assign_variant(**args)


def test_bad_id_collections_are_named():
    with pytest.raises(TypeError, match="customer_ids"):
        assign_variants("abc", KEY)
    assert np.asarray(assign_variants([], KEY)).size == 0
