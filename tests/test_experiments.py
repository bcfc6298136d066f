"""Tests for pmkt_lessons.experiments (lesson 15)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

from pmkt_lessons import experiments as ex
from pmkt_lessons.data import load_hillstrom

CONTROL = "No E-Mail"


@pytest.fixture(scope="session")
def hillstrom():
    return load_hillstrom()


def _toy():
    return pd.DataFrame(
        {
            "arm": ["A", "A", "A", "A", "B", "B", "B", "B", "C", "C", "C", "C"],
            "visit": [0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0],
            "conversion": [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0],
            "spend": [0.0, 30.0, 0.0, 0.0, 50.0, 0.0, 0.0, 70.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


# --- two_proportion_ztest --------------------------------------------------------------


def test_ztest_worked_example_by_hand():
    # pooled rate 230 / 2000 = 0.115; se = sqrt(0.115 * 0.885 * 2 / 1000)
    se = np.sqrt(0.115 * 0.885 * 2 / 1000)
    result = ex.two_proportion_ztest(100, 1000, 130, 1000)
    assert result.z == pytest.approx(0.03 / se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(0.03 / se))


@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
@pytest.mark.parametrize("counts", [(100, 1000, 130, 1000), (5, 80, 1, 120), (2262, 21306, 3894, 21307)])
def test_ztest_matches_statsmodels(counts, alternative):
    s_a, n_a, s_b, n_b = counts
    z, p = proportions_ztest([s_b, s_a], [n_b, n_a], alternative=alternative)
    result = ex.two_proportion_ztest(s_a, n_a, s_b, n_b, alternative=alternative)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(p)


def test_ztest_is_vectorised_and_antisymmetric():
    s_a = np.array([[10, 20], [30, 40]])
    result = ex.two_proportion_ztest(s_a, 100, 25, 100)
    assert result.z.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            assert result.z[i, j] == pytest.approx(ex.two_proportion_ztest(s_a[i, j], 100, 25, 100).z)
    swapped = ex.two_proportion_ztest(25, 100, s_a, 100)
    np.testing.assert_allclose(swapped.z, -result.z)


def test_ztest_without_any_conversion_gives_no_evidence():
    assert ex.two_proportion_ztest(0, 50, 0, 70) == (0.0, 1.0)
    assert ex.two_proportion_ztest(50, 50, 70, 70) == (0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10_000), st.integers(1, 10_000), st.floats(0, 1), st.floats(0, 1),
    st.sampled_from(ex.ALTERNATIVES),
)
def test_ztest_p_values_are_probabilities(n_a, n_b, frac_a, frac_b, alternative):
    result = ex.two_proportion_ztest(round(frac_a * n_a), n_a, round(frac_b * n_b), n_b, alternative=alternative)
    assert 0.0 <= result.p_value <= 1.0
    assert np.isfinite(result.z)


def test_ztest_bad_input():
    with pytest.raises(ValueError, match="trials_a.*zero-size"):
        ex.two_proportion_ztest(0, 0, 1, 10)
    with pytest.raises(ValueError, match="trials_b"):
        ex.two_proportion_ztest(1, 10, 0, np.array([5, 0]))
    with pytest.raises(ValueError, match="successes_b"):
        ex.two_proportion_ztest(1, 10, 11, 10)
    with pytest.raises(ValueError, match="successes_a"):
        ex.two_proportion_ztest(-1, 10, 1, 10)
    with pytest.raises(ValueError, match="successes_a.*NaN"):
        ex.two_proportion_ztest(np.nan, 10, 1, 10)
    with pytest.raises(TypeError, match="trials_a"):
        ex.two_proportion_ztest(1, "ten", 1, 10)
    with pytest.raises(ValueError, match="alternative"):
        ex.two_proportion_ztest(1, 10, 1, 10, alternative="bigger")


# --- compare_proportions ---------------------------------------------------------------


def test_compare_proportions_on_hillstrom(hillstrom):
    table = ex.compare_proportions(hillstrom, "segment", "visit", CONTROL)
    assert list(table.index) == ["Mens E-Mail", "Womens E-Mail"]
    mens = table.loc["Mens E-Mail"]
    assert mens["rate_control"] == pytest.approx(2262 / 21306)
    assert mens["rate_treatment"] == pytest.approx(3894 / 21307)
    assert round(mens["rate_control"], 3) == 0.106 and round(mens["rate_treatment"], 3) == 0.183
    z, p = proportions_ztest([3894, 2262], [21307, 21306])
    assert mens["z"] == pytest.approx(z) and mens["p_value"] == pytest.approx(p)
    low, high = confint_proportions_2indep(3894, 21307, 2262, 21306, method="wald")
    assert (mens["ci_low"], mens["ci_high"]) == pytest.approx((low, high))
    assert mens["relative_lift"] == pytest.approx(mens["diff"] / mens["rate_control"])


def test_compare_proportions_by_hand_and_does_not_mutate():
    df = _toy()
    before = df.copy()
    table = ex.compare_proportions(df, "arm", "visit", "A", alpha=0.1, ci_method="newcomb")
    pd.testing.assert_frame_equal(df, before)
    assert list(table.index) == ["B", "C"]
    assert table.loc["B", "diff"] == pytest.approx(0.75 - 0.25)
    assert table.loc["C", "diff"] == pytest.approx(0.0)
    assert table.loc["C", "p_value"] == pytest.approx(1.0)
    low, high = confint_proportions_2indep(3, 4, 1, 4, method="newcomb", alpha=0.1)
    assert table.loc["B", "ci_low"] == pytest.approx(low)
    assert table.loc["B", "ci_high"] == pytest.approx(high)


def test_compare_proportions_bad_input():
    df = _toy()
    with pytest.raises(ValueError, match="spend"):
        ex.compare_proportions(df, "arm", "spend", "A")
    with pytest.raises(ValueError, match="control"):
        ex.compare_proportions(df, "arm", "visit", "Z")
    with pytest.raises(ValueError, match="missing"):
        ex.compare_proportions(df, "group", "visit", "A")
    with pytest.raises(TypeError, match="df"):
        ex.compare_proportions(df.to_numpy(), "arm", "visit", "A")
    with pytest.raises(ValueError, match="df"):
        ex.compare_proportions(df.iloc[:0], "arm", "visit", "A")
    with pytest.raises(ValueError, match="at least one arm"):
        ex.compare_proportions(df[df["arm"] == "A"], "arm", "visit", "A")
    nan = df.astype({"visit": float})
    nan.loc[0, "visit"] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        ex.compare_proportions(nan, "arm", "visit", "A")
    with pytest.raises(ValueError, match="alpha"):
        ex.compare_proportions(df, "arm", "visit", "A", alpha=1.5)
    with pytest.raises(TypeError, match="outcome"):
        ex.compare_proportions(df, "arm", 3, "A")


# --- compare_means ---------------------------------------------------------------------


def test_compare_means_matches_scipy_and_is_seeded():
    df = _toy()
    before = df.copy()
    table = ex.compare_means(df, "arm", "spend", "A", n_resamples=500, random_state=1)
    pd.testing.assert_frame_equal(df, before)
    b = table.loc["B"]
    assert b["diff"] == pytest.approx(30.0 - 7.5)
    welch = stats.ttest_ind([50, 0, 0, 70], [0, 30, 0, 0], equal_var=False)
    assert b["t"] == pytest.approx(welch.statistic)
    assert b["p_value"] == pytest.approx(welch.pvalue)
    assert b["boot_ci_low"] <= b["diff"] <= b["boot_ci_high"]
    again = ex.compare_means(df, "arm", "spend", "A", n_resamples=500, random_state=1)
    pd.testing.assert_frame_equal(table, again)


def test_compare_means_bootstrap_agrees_with_welch_on_hillstrom(hillstrom):
    table = ex.compare_means(hillstrom, "segment", "spend", CONTROL, n_resamples=300, random_state=0)
    mens = table.loc["Mens E-Mail"]
    assert mens["diff"] == pytest.approx(30311.69 / 21307 - 13908.33 / 21306)
    assert mens["boot_ci_low"] == pytest.approx(mens["welch_ci_low"], abs=0.05)
    assert mens["boot_ci_high"] == pytest.approx(mens["welch_ci_high"], abs=0.05)
    assert mens["p_value"] < 1e-5


def test_compare_means_bad_input():
    df = _toy()
    with pytest.raises(TypeError, match="numeric"):
        ex.compare_means(df.assign(spend=df["spend"].astype(str)), "arm", "spend", "A")
    with pytest.raises(ValueError, match="at least 2"):
        ex.compare_means(df.iloc[:5], "arm", "spend", "A")
    with pytest.raises(ValueError, match="confidence"):
        ex.compare_means(df, "arm", "spend", "A", confidence=95)
    with pytest.raises(ValueError, match="n_resamples"):
        ex.compare_means(df, "arm", "spend", "A", n_resamples=0)


# --- sample_ratio_mismatch -------------------------------------------------------------


def test_srm_on_hillstrom_and_by_hand(hillstrom):
    counts = hillstrom["segment"].value_counts()
    check = ex.sample_ratio_mismatch(counts)
    assert check.p_value == pytest.approx(stats.chisquare(counts.to_numpy()).pvalue)
    assert not check.mismatch
    equal = ex.sample_ratio_mismatch([500, 500])
    assert equal.statistic == 0.0 and equal.p_value == pytest.approx(1.0)
    # 50.6 / 49.4 on 100,000 users: chi2 = 2 * 600^2 / 50,000 = 14.4
    skewed = ex.sample_ratio_mismatch([50_600, 49_400])
    assert skewed.statistic == pytest.approx(14.4)
    assert skewed.mismatch


def test_srm_with_planned_shares():
    check = ex.sample_ratio_mismatch([900, 100], expected_shares=[9, 1])
    np.testing.assert_allclose(check.expected, [900, 100])
    assert check.p_value == pytest.approx(1.0)
    assert ex.sample_ratio_mismatch([900, 100]).mismatch


def test_srm_bad_input():
    with pytest.raises(ValueError, match="counts.*zero-size"):
        ex.sample_ratio_mismatch([10, 0])
    with pytest.raises(ValueError, match="counts.*two arms"):
        ex.sample_ratio_mismatch([10])
    with pytest.raises(ValueError, match="counts.*NaN"):
        ex.sample_ratio_mismatch([10, np.nan])
    with pytest.raises(ValueError, match="expected_shares"):
        ex.sample_ratio_mismatch([10, 10], expected_shares=[1, 1, 1])


# --- adjust_pvalues --------------------------------------------------------------------


def test_adjust_pvalues_holm_by_hand_keeps_index():
    p = pd.Series([0.01, 0.04, 0.03], index=["a", "b", "c"])
    table = ex.adjust_pvalues(p, method="holm")
    # sorted 0.01, 0.03, 0.04 -> x3, x2, x1 = 0.03, 0.06, 0.04 -> monotone 0.03, 0.06, 0.06
    np.testing.assert_allclose(table["p_adjusted"], [0.03, 0.06, 0.06])
    assert list(table.index) == ["a", "b", "c"]
    assert table["reject"].tolist() == [True, False, False]
    bonf = ex.adjust_pvalues([0.01, 0.04, 0.03], method="bonferroni")
    np.testing.assert_allclose(bonf["p_adjusted"], multipletests([0.01, 0.04, 0.03], method="bonferroni")[1])


def test_adjust_pvalues_bad_input():
    with pytest.raises(ValueError, match="pvalues"):
        ex.adjust_pvalues([0.5, 1.2])
    with pytest.raises(ValueError, match="pvalues.*NaN"):
        ex.adjust_pvalues([0.5, np.nan])
    with pytest.raises(ValueError, match="pvalues"):
        ex.adjust_pvalues([])
    with pytest.raises(ValueError, match="method"):
        ex.adjust_pvalues([0.5], method="magic")


# --- design: cohens_h, sample size, power, MDE ------------------------------------------


def test_cohens_h_matches_statsmodels():
    assert ex.cohens_h(0.1, 0.12) == pytest.approx(proportion_effectsize(0.12, 0.1))
    np.testing.assert_allclose(ex.cohens_h(0.5, [0.4, 0.6]), [-0.2013579, 0.2013579], rtol=1e-6)
    with pytest.raises(ValueError, match="p_treatment"):
        ex.cohens_h(0.5, 1.5)


@pytest.mark.parametrize(
    ("p_base", "mde", "ratio", "power"), [(0.1, 0.01, 1.0, 0.8), (0.0057, 0.002, 1.0, 0.9), (0.3, -0.03, 2.0, 0.8)]
)
def test_sample_size_matches_statsmodels(p_base, mde, ratio, power):
    h = proportion_effectsize(p_base + mde, p_base)
    n = NormalIndPower().solve_power(abs(h), alpha=0.05, power=power, ratio=ratio)
    assert ex.sample_size_per_arm(p_base, mde, power=power, ratio=ratio) == int(np.ceil(n))


def test_sample_size_worked_example_and_options():
    # h = 2 asin(sqrt(.11)) - 2 asin(sqrt(.1)) = 0.032644...; n = 2 (1.959964 + 0.841621)^2 / h^2
    h = 2 * np.arcsin(np.sqrt(0.11)) - 2 * np.arcsin(np.sqrt(0.1))
    expected = int(np.ceil(2 * (1.959964 + 0.841621) ** 2 / h**2))
    assert ex.sample_size_per_arm(0.1, 0.01) == expected == 14745
    assert ex.sample_size_per_arm(0.1, 0.1, relative=True) == expected
    assert ex.sample_size_per_arm(0.1, 0.01, alternative="larger") < expected
    assert ex.sample_size_per_arm(0.1, 0.02) < expected / 3.5


def test_sample_size_bad_input():
    with pytest.raises(ValueError, match="mde"):
        ex.sample_size_per_arm(0.1, 0)
    with pytest.raises(ValueError, match="mde"):
        ex.sample_size_per_arm(0.95, 0.1)
    with pytest.raises(TypeError, match="mde"):
        ex.sample_size_per_arm(0.1, "0.01")
    with pytest.raises(ValueError, match="p_base"):
        ex.sample_size_per_arm(0.0, 0.01)
    with pytest.raises(ValueError, match="power"):
        ex.sample_size_per_arm(0.1, 0.01, power=1.0)
    with pytest.raises(ValueError, match="alpha"):
        ex.sample_size_per_arm(0.1, 0.01, alpha=0)
    with pytest.raises(ValueError, match="ratio"):
        ex.sample_size_per_arm(0.1, 0.01, ratio=0)
    with pytest.raises(ValueError, match="alternative"):
        ex.sample_size_per_arm(0.1, 0.01, alternative="both")


@pytest.mark.parametrize("ratio", [1.0, 0.5, 3.0])
def test_power_matches_statsmodels(ratio):
    h = proportion_effectsize(0.12, 0.1)
    for n in (500, 5_000, 20_000):
        expected = NormalIndPower().power(h, n, 0.05, ratio=ratio)
        assert ex.power_two_proportions(0.1, 0.12, n, ratio=ratio) == pytest.approx(expected)


def test_power_without_an_effect_is_alpha():
    assert ex.power_two_proportions(0.1, 0.1, 1000, alpha=0.05) == pytest.approx(0.05)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0.01, 0.5), st.floats(0.001, 0.2), st.integers(10, 100_000), st.integers(1, 100_000)
)
def test_power_grows_with_sample_size(p_base, lift, n, extra):
    small = ex.power_two_proportions(p_base, p_base + lift, n)
    large = ex.power_two_proportions(p_base, p_base + lift, n + extra)
    assert 0.05 <= small <= large <= 1.0


def test_power_is_vectorised():
    n = np.array([100, 1000, 10_000])
    power = ex.power_two_proportions(0.1, 0.12, n)
    assert power.shape == (3,) and np.all(np.diff(power) > 0)


def test_power_bad_input():
    with pytest.raises(ValueError, match="n_per_arm.*zero-size"):
        ex.power_two_proportions(0.1, 0.12, 0)
    with pytest.raises(ValueError, match="n_per_arm.*NaN"):
        ex.power_two_proportions(0.1, 0.12, np.nan)
    with pytest.raises(ValueError, match="p_treatment"):
        ex.power_two_proportions(0.1, -0.1, 100)


def test_mde_inverts_sample_size_and_matches_statsmodels():
    mde = ex.minimum_detectable_effect(0.106, 21_306)
    h = NormalIndPower().solve_power(nobs1=21_306, alpha=0.05, power=0.8)
    assert proportion_effectsize(0.106 + mde, 0.106) == pytest.approx(h, rel=1e-4)  # solver tolerance
    assert abs(ex.sample_size_per_arm(0.106, mde) - 21_306) <= 1
    assert ex.power_two_proportions(0.106, 0.106 + mde, 21_306) == pytest.approx(0.8, abs=1e-6)
    assert ex.minimum_detectable_effect(0.106, 21_306, power=0.9) > mde
    assert ex.minimum_detectable_effect(0.106, 50_000) < mde


def test_mde_bad_input():
    with pytest.raises(ValueError, match="n_per_arm"):
        ex.minimum_detectable_effect(0.1, 0)
    with pytest.raises(TypeError, match="n_per_arm"):
        ex.minimum_detectable_effect(0.1, 100.5)
    with pytest.raises(ValueError, match="n_per_arm.*below 1"):
        ex.minimum_detectable_effect(0.9, 2)


# --- sequential bounds and first_crossing ----------------------------------------------


def test_sequential_bounds_match_published_values():
    # Jennison & Turnbull (2000), table 2.1: K = 5, two-sided alpha = 0.05
    np.testing.assert_allclose(ex.sequential_bounds(5, kind="pocock"), 2.413, atol=1e-3)
    obf = ex.sequential_bounds(5, kind="obrien-fleming")
    assert obf[-1] == pytest.approx(2.040, abs=1e-3)
    np.testing.assert_allclose(obf, obf[-1] * np.sqrt(5 / np.arange(1, 6)))
    assert ex.sequential_bounds(2, kind="pocock")[0] == pytest.approx(2.178, abs=1e-3)
    assert ex.sequential_bounds(1)[0] == pytest.approx(1.959964, abs=1e-6)
    np.testing.assert_allclose(ex.sequential_bounds(5, kind="bonferroni"), stats.norm.isf(0.005))


def test_sequential_bounds_keep_alpha_on_simulated_paths():
    rng = np.random.default_rng(0)
    z = np.cumsum(rng.normal(size=(40_000, 8)), axis=1) / np.sqrt(np.arange(1, 9))
    for kind in ("pocock", "obrien-fleming"):
        rate = (ex.first_crossing(z, ex.sequential_bounds(8, kind=kind)) >= 0).mean()
        assert rate == pytest.approx(0.05, abs=0.005)
    assert (ex.first_crossing(z, 1.959964) >= 0).mean() > 0.15


def test_sequential_bounds_bad_input():
    with pytest.raises(ValueError, match="kind"):
        ex.sequential_bounds(5, kind="haybittle")
    with pytest.raises(ValueError, match="n_looks"):
        ex.sequential_bounds(0)
    with pytest.raises(ValueError, match="alpha"):
        ex.sequential_bounds(5, alpha=1.0)
    with pytest.raises(ValueError, match="n_grid"):
        ex.sequential_bounds(5, n_grid=5)


def test_first_crossing_by_hand():
    z = np.array([[0.5, 2.5, 3.0], [-2.1, 0.0, 0.0], [1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(ex.first_crossing(z, 2.0), [1, 0, -1])
    np.testing.assert_array_equal(ex.first_crossing(z, [3.0, 3.0, 2.9]), [2, -1, -1])
    np.testing.assert_array_equal(ex.first_crossing(z, [np.inf, np.inf, 1.0]), [2, -1, 2])
    before = z.copy()
    ex.first_crossing(z, 2.0)
    np.testing.assert_array_equal(z, before)


def test_first_crossing_bad_input():
    with pytest.raises(ValueError, match="z_paths"):
        ex.first_crossing(np.ones(3), 2.0)
    with pytest.raises(ValueError, match="bounds"):
        ex.first_crossing(np.ones((2, 3)), [2.0, 2.0])
    with pytest.raises(ValueError, match="bounds"):
        ex.first_crossing(np.ones((2, 3)), -1.0)
    with pytest.raises(ValueError, match="z_paths.*NaN"):
        ex.first_crossing(np.array([[np.nan, 1.0]]), 2.0)
    with pytest.raises(ValueError, match="bounds.*NaN"):
        ex.first_crossing(np.ones((2, 2)), [np.nan, 2.0])


# --- campaign_metrics ------------------------------------------------------------------


def test_campaign_metrics_by_hand():
    df = _toy()
    before = df.copy()
    m = ex.campaign_metrics(df, "arm", "A", cost_per_contact=2.0, margin=0.5)
    pd.testing.assert_frame_equal(df, before)
    assert list(m.index) == ["A", "B", "C"]
    b = m.loc["B"]
    assert (b["customers"], b["visits"], b["conversions"], b["revenue"]) == (4, 3, 2, 120.0)
    assert b["visit_rate"] == 0.75 and b["conversion_rate"] == 0.5
    assert b["cvr"] == pytest.approx(2 / 3)
    assert b["revenue_per_visitor"] == pytest.approx(40.0)
    # A earns 30 / 4 = 7.5 per customer, B 30: incremental 22.5 x 4 = 90
    assert b["incremental_revenue"] == pytest.approx(90.0)
    assert b["cost"] == 8.0
    assert b["roi"] == pytest.approx((0.5 * 90 - 8) / 8)
    assert m.loc["A", "cost"] == 0 and np.isnan(m.loc["A", "roi"])
    assert m.loc["C", "revenue_per_visitor"] == 0.0
    assert m.loc["C", "incremental_revenue"] == pytest.approx(-30.0)


def test_campaign_metrics_bad_input():
    df = _toy()
    with pytest.raises(ValueError, match="cost_per_contact"):
        ex.campaign_metrics(df, "arm", "A", cost_per_contact=-1)
    with pytest.raises(ValueError, match="margin"):
        ex.campaign_metrics(df, "arm", "A", cost_per_contact=1, margin=0)
    with pytest.raises(ValueError, match="missing"):
        ex.campaign_metrics(df.drop(columns="spend"), "arm", "A", cost_per_contact=1)
    with pytest.raises(ValueError, match="control"):
        ex.campaign_metrics(df, "arm", "Z", cost_per_contact=1)
    with pytest.raises(ValueError, match="visit"):
        ex.campaign_metrics(df.assign(visit=2), "arm", "A", cost_per_contact=1)
