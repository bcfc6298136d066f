"""Keyed pseudonyms, k-anonymity / l-diversity and the Laplace mechanism (lesson 18)."""

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pmkt_lessons import privacy as pv

IDS = pd.Series([12346, 12347, 12348, 17850], dtype="Int64")


# --------------------------------------------------------------------------- pseudonyms


def test_plain_hash_is_sha256_of_the_decimal_text():
    digests = pv.plain_hash(IDS)
    assert digests[0] == hashlib.sha256(b"12346").hexdigest()
    assert pv.plain_hash([12346.0])[0] == digests[0]      # a float ID hashes like the integer
    assert pv.plain_hash("12346")[0] == digests[0]


def test_keyed_pseudonyms_are_stable_per_key_and_differ_across_keys():
    a1 = pv.keyed_pseudonym(IDS, "key-A")
    a2 = pv.keyed_pseudonym(IDS.to_numpy(), b"key-A")
    b = pv.keyed_pseudonym(IDS, "key-B")
    assert list(a1) == list(a2)
    assert len(set(a1)) == len(IDS)
    assert not set(a1) & set(b)
    assert a1[0] == hmac.new(b"key-A", b"12346", hashlib.sha256).hexdigest()
    assert not set(a1) & set(pv.plain_hash(IDS))


def test_dictionary_attack_recovers_plain_hashes_and_fails_on_keyed_ones():
    candidates = np.arange(12_000, 18_500)
    recovered = pv.dictionary_attack(pv.plain_hash(IDS), candidates)
    assert list(recovered) == ["12346", "12347", "12348", "17850"]
    keyed = pv.dictionary_attack(pv.keyed_pseudonym(IDS, "secret"), candidates)
    assert keyed.isna().all()
    partial = pv.dictionary_attack(pv.plain_hash([5, 12346]), candidates)
    assert partial.iloc[0] is None and partial.iloc[1] == "12346"


def test_key_from_env(monkeypatch):
    monkeypatch.setenv("PMKT_TEST_KEY", "s3cret")
    assert pv.key_from_env("PMKT_TEST_KEY") == b"s3cret"
    monkeypatch.delenv("PMKT_TEST_KEY")
    with pytest.raises(ValueError, match="PMKT_TEST_KEY"):
        pv.key_from_env("PMKT_TEST_KEY")


def test_rotation_table_maps_old_to_new():
    table = pv.rotation_table([1, 2, 2, 3], "old", "new")
    assert len(table) == 3
    assert list(table["old_pseudonym"]) == list(pv.keyed_pseudonym([1, 2, 3], "old"))
    assert list(table["new_pseudonym"]) == list(pv.keyed_pseudonym([1, 2, 3], "new"))
    with pytest.raises(ValueError, match="new_key"):
        pv.rotation_table([1], "same", "same")


@pytest.mark.parametrize(
    ("call", "error", "arg"),
    [
        (lambda: pv.keyed_pseudonym([""], "k"), ValueError, "values"),
        (lambda: pv.keyed_pseudonym([], "k"), ValueError, "values"),
        (lambda: pv.keyed_pseudonym([1], ""), ValueError, "key"),
        (lambda: pv.keyed_pseudonym([1], 123), TypeError, "key"),
        (lambda: pv.plain_hash(pd.Series([1, None], dtype="Int64")), ValueError, "values"),
        (lambda: pv.plain_hash({"a": 1}), TypeError, "values"),
        (lambda: pv.dictionary_attack(["   "], [1]), ValueError, "digests"),
    ],
)
def test_pseudonym_bad_input(call, error, arg):
    with pytest.raises(error, match=arg):
        call()


# --------------------------------------------------------------------------- k-anonymity

PEOPLE = pd.DataFrame(
    {
        "age": [23, 27, 25, 41, 44, 47, 49, 62],
        "job": ["admin", "admin", "technician", "admin", "technician", "technician", "admin", "retired"],
        "disease": ["flu", "cold", "flu", "flu", "flu", "flu", "flu", "cold"],
    }
)


def test_k_anonymity_on_a_hand_made_table():
    # raw: every (age, job) is unique -> k = 1
    assert pv.k_anonymity(PEOPLE, ["age", "job"]) == 1
    coarse = pv.generalise(PEOPLE, {"age": [20, 40, 60, 80], "job": {"admin": "office", "technician": "office",
                                                                      "retired": "not working"}})
    assert list(coarse["age"].astype(str)) == ["20-39"] * 3 + ["40-59"] * 4 + ["60-79"]
    # classes: (20-39, office) = 3, (40-59, office) = 4, (60-79, not working) = 1
    assert list(pv.class_sizes(coarse, ["age", "job"])) == [3, 3, 3, 4, 4, 4, 4, 1]
    assert pv.k_anonymity(coarse, ["age", "job"]) == 1
    kept = pv.suppress(coarse, ["age", "job"], k=3)
    assert len(kept) == 7 and pv.k_anonymity(kept, ["age", "job"]) == 3
    # the 40-59 office workers all have flu: 3-anonymous but 1-diverse (homogeneity)
    assert pv.l_diversity(kept, ["age", "job"], "disease") == 1
    assert pv.l_diversity(kept[kept["age"] == "20-39"], ["age", "job"], "disease") == 2
    starred = pv.generalise(PEOPLE, {"job": "*", "age": [0, 100]})
    assert pv.k_anonymity(starred, ["age", "job"]) == len(PEOPLE)


def test_helpers_do_not_mutate_inputs():
    before = PEOPLE.copy()
    pv.generalise(PEOPLE, {"age": [0, 50, 100]})
    pv.suppress(PEOPLE, ["job"], 2)
    pv.class_sizes(PEOPLE, ["age"])
    pv.l_diversity(PEOPLE, ["job"], "disease")
    pd.testing.assert_frame_equal(PEOPLE, before)
    values = np.array([1.0, 2.0])
    pv.laplace_mechanism(values, sensitivity=1, epsilon=1, random_state=0)
    assert list(values) == [1.0, 2.0]
    ids = IDS.copy()
    pv.keyed_pseudonym(ids, "k")
    pd.testing.assert_series_equal(ids, IDS)


@pytest.mark.parametrize(
    ("call", "error", "arg"),
    [
        (lambda: pv.suppress(PEOPLE, ["age"], k=0), ValueError, "k"),
        (lambda: pv.suppress(PEOPLE, ["age"], k=2.5), TypeError, "k"),
        (lambda: pv.k_anonymity(PEOPLE, ["zip"]), ValueError, "df"),
        (lambda: pv.k_anonymity(PEOPLE, []), ValueError, "quasi_identifiers"),
        (lambda: pv.k_anonymity(PEOPLE.iloc[:0], ["age"]), ValueError, "df"),
        (lambda: pv.l_diversity(PEOPLE, ["age"], "salary"), ValueError, "df"),
        (lambda: pv.l_diversity(PEOPLE, ["age", "job"], "job"), ValueError, "sensitive"),
        (lambda: pv.generalise(PEOPLE, {"age": [30, 40]}), ValueError, "rules"),
        (lambda: pv.generalise(PEOPLE, {"age": [50, 40]}), ValueError, "rules"),
        (lambda: pv.generalise(PEOPLE, {"job": {"admin": "office"}}), ValueError, "rules"),
        (lambda: pv.generalise(PEOPLE, {"job": [0, 10]}), TypeError, "df"),
        (lambda: pv.generalise(PEOPLE, {"job": "?"}), ValueError, "rules"),
        (lambda: pv.generalise(PEOPLE, {}), TypeError, "rules"),
    ],
)
def test_k_anonymity_bad_input(call, error, arg):
    with pytest.raises(error, match=arg):
        call()


# --------------------------------------------------------------------------- differential privacy


@pytest.mark.parametrize(("sensitivity", "epsilon"), [(1.0, 1.0), (1.0, 0.1), (2.0, 0.5)])
def test_laplace_empirical_variance_is_two_b_squared(sensitivity, epsilon):
    noisy = pv.laplace_mechanism(np.zeros(200_000), sensitivity=sensitivity, epsilon=epsilon, random_state=1)
    expected = 2 * (sensitivity / epsilon) ** 2
    # the sample variance of 200k Laplace draws has a relative sd of sqrt(5 / n) ~ 0.5 %
    assert abs(noisy.var() / expected - 1) < 0.03
    assert abs(noisy.mean()) < 5 * np.sqrt(expected / noisy.size)


def test_laplace_mechanism_is_reproducible_and_keeps_shape():
    a = pv.laplace_mechanism([[10.0, 20.0]], sensitivity=1, epsilon=1, random_state=3)
    b = pv.laplace_mechanism([[10.0, 20.0]], sensitivity=1, epsilon=1, random_state=3)
    assert a.shape == (1, 2) and np.array_equal(a, b)
    assert isinstance(pv.laplace_mechanism(5, sensitivity=1, epsilon=1, random_state=0), float)
    assert pv.laplace_scale(2, 0.5) == 4.0


def test_laplace_mechanism_matches_diffprivlib_in_distribution():
    mech = pv.diffprivlib_laplace(epsilon=0.5, sensitivity=1.0, random_state=7)
    theirs = np.array([mech.randomise(100.0) for _ in range(20_000)])
    ours = pv.laplace_mechanism(np.full(20_000, 100.0), sensitivity=1.0, epsilon=0.5, random_state=7)
    assert mech.variance(100.0) == pytest.approx(2 * pv.laplace_scale(1.0, 0.5) ** 2)
    assert stats.ks_2samp(ours, theirs).pvalue > 0.01
    assert np.var(ours) == pytest.approx(np.var(theirs), rel=0.06)
    assert stats.kstest(ours - 100.0, stats.laplace(scale=2.0).cdf).pvalue > 0.01


def test_private_rate_and_budget():
    release = pv.private_rate(300, 10_000, epsilon=1.0, random_state=0)
    assert 0 <= release["successes"] <= release["n"]
    assert abs(release["rate"] - 0.03) < 0.005
    budget = pv.PrivacyBudget(1.0)
    for _ in range(4):
        budget.spend(0.25)
    assert budget.remaining == pytest.approx(0.0)
    with pytest.raises(pv.PrivacyBudgetExceeded, match="epsilon"):
        budget.spend(0.01)
    assert budget.spent == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "error", "arg"),
    [
        (lambda: pv.laplace_mechanism(1.0, sensitivity=1, epsilon=0), ValueError, "epsilon"),
        (lambda: pv.laplace_mechanism(1.0, sensitivity=1, epsilon=-1), ValueError, "epsilon"),
        (lambda: pv.laplace_mechanism(1.0, sensitivity=0, epsilon=1), ValueError, "sensitivity"),
        (lambda: pv.laplace_mechanism(1.0, sensitivity=1, epsilon="1"), TypeError, "epsilon"),
        (lambda: pv.laplace_mechanism([], sensitivity=1, epsilon=1), ValueError, "value"),
        (lambda: pv.laplace_mechanism([np.nan], sensitivity=1, epsilon=1), ValueError, "value"),
        (lambda: pv.laplace_mechanism("10", sensitivity=1, epsilon=1), TypeError, "value"),
        (lambda: pv.private_rate(5, 3, epsilon=1), ValueError, "successes"),
        (lambda: pv.private_rate(1, 3, epsilon=0), ValueError, "epsilon"),
        (lambda: pv.PrivacyBudget(0), ValueError, "total"),
        (lambda: pv.PrivacyBudget(1).spend(-0.1), ValueError, "epsilon"),
        (lambda: pv.diffprivlib_laplace(sensitivity=1, epsilon=0), ValueError, "epsilon"),
        (lambda: pv.key_from_env(""), TypeError, "name"),
    ],
)
def test_dp_bad_input(call, error, arg):
    with pytest.raises(error, match=arg):
        call()
