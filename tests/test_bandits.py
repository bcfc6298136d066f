"""Tests of pmkt_lessons.bandits: policies, the regret runner, and off-policy estimators."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkt_lessons import bandits as B
from pmkt_lessons.simulate.bandits import simulate_logged_bandit, switching_ctrs

RNG = np.random.default_rng


# =========================================================================== policies


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: B.EpsilonGreedy(1.5), r"epsilon: expected a value in \[0, 1\]"),
        (lambda: B.EpsilonGreedy(-0.1), "epsilon"),
        (lambda: B.UCB1(c=-1), "c: expected"),
        (lambda: B.ThompsonSampling(alpha=0), r"alpha: expected a value in \(0"),
        (lambda: B.ThompsonSampling(discount=0), r"discount: expected a value in \(0, 1\]"),
        (lambda: B.ThompsonSampling(discount=1.2), "discount"),
        (lambda: B.ThompsonSampling(window=0), "window: expected a positive integer"),
        (lambda: B.UCB1(window=10, discount=0.9), "either a window or a discount"),
    ],
)
def test_policy_bad_hyperparameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make().check_params()


def test_policy_names():
    assert B.EpsilonGreedy(1.0).name == "uniform random"
    assert B.EpsilonGreedy(0.1).name == "epsilon-greedy 0.1"
    assert B.UCB1().name == "UCB1"
    assert B.UCB1(0.2, window=50).name == "UCB1 c=0.2 (window 50)"
    assert B.ThompsonSampling(discount=0.99).name == "Thompson (discount 0.99)"


def test_greedy_tries_untried_arms_then_takes_the_best_mean():
    pulls = np.array([[10.0, 0.0, 5.0], [10.0, 4.0, 5.0]])
    clicks = np.array([[1.0, 0.0, 2.0], [1.0, 1.0, 2.0]])
    chosen = B.EpsilonGreedy(0.0).choose(pulls, clicks, RNG(0))
    assert chosen.tolist() == [1, 2]  # untried arm 1 first; then mean 0.4 beats 0.25 and 0.1


def test_ties_are_broken_at_random():
    pulls = np.zeros((4000, 4))
    chosen = B.EpsilonGreedy(0.0).choose(pulls, pulls, RNG(1))
    shares = np.bincount(chosen, minlength=4) / 4000
    np.testing.assert_allclose(shares, 0.25, atol=0.03)


def test_epsilon_explores_at_its_rate():
    pulls = np.tile([100.0, 100.0, 100.0, 100.0], (20_000, 1))
    clicks = np.tile([50.0, 10.0, 10.0, 10.0], (20_000, 1))
    chosen = B.EpsilonGreedy(0.2).choose(pulls, clicks, RNG(2))
    # greedy arm 0 with 0.8 + 0.2 / 4, each other arm 0.2 / 4
    np.testing.assert_allclose(np.bincount(chosen) / 20_000, [0.85, 0.05, 0.05, 0.05], atol=0.01)


def test_ucb1_index_by_hand():
    # arm 0: 0.5 + sqrt(2 ln 110 / 10) = 1.470; arm 1: 0.6 + sqrt(2 ln 110 / 100) = 0.907
    pulls = np.array([[10.0, 100.0]])
    clicks = np.array([[5.0, 60.0]])
    assert B.UCB1().choose(pulls, clicks, RNG(0)).tolist() == [0]
    # with a small bonus the better mean wins: 0.5 + 0.1 * 0.970 < 0.6 + 0.1 * 0.307
    assert B.UCB1(c=0.1).choose(pulls, clicks, RNG(0)).tolist() == [1]


def test_thompson_follows_a_confident_posterior():
    pulls = np.tile([10_000.0, 10_000.0], (500, 1))
    clicks = np.tile([300.0, 500.0], (500, 1))
    assert (B.ThompsonSampling().choose(pulls, clicks, RNG(0)) == 1).all()


def test_thompson_samples_in_proportion_to_belief():
    # one click in two pulls vs nothing known: P(Beta(2, 2) > Beta(1, 1)) = 1/2
    pulls = np.tile([2.0, 0.0], (20_000, 1))
    clicks = np.tile([1.0, 0.0], (20_000, 1))
    share = (B.ThompsonSampling().choose(pulls, clicks, RNG(3)) == 0).mean()
    assert share == pytest.approx(0.5, abs=0.015)


# =========================================================================== runner


def test_uniform_random_regret_is_the_mean_gap():
    ctrs = [0.1, 0.2, 0.6]
    result = B.run_bandit(B.EpsilonGreedy(1.0), ctrs, horizon=200, n_runs=500, random_state=0)
    per_step = 0.6 - np.mean(ctrs)
    assert result["regret"].mean() == pytest.approx(per_step, rel=0.03)
    assert result["best_arm_share"].mean() == pytest.approx(1 / 3, abs=0.02)


def test_greedy_on_a_sure_thing_loses_at_most_one_click():
    # arm 1 always clicks, arm 0 never: greedy tries both once, then sticks to arm 1
    result = B.run_bandit(B.EpsilonGreedy(0.0), [0.0, 1.0], horizon=50, n_runs=300, random_state=4)
    np.testing.assert_allclose(result["cumulative_regret"].iloc[1:], 1.0)
    assert result["regret"].iloc[0] == pytest.approx(0.5, abs=0.1)


def test_run_bandit_output_shape_and_determinism():
    a = B.run_bandit(B.ThompsonSampling(), [0.05, 0.1], horizon=100, n_runs=50, random_state=1)
    b = B.run_bandit(B.ThompsonSampling(), [0.05, 0.1], horizon=100, n_runs=50, random_state=1)
    c = B.run_bandit(B.ThompsonSampling(), [0.05, 0.1], horizon=100, n_runs=50, random_state=2)
    assert list(a.columns) == ["regret", "cumulative_regret", "cumulative_regret_se", "best_arm_share"]
    assert a.index[0] == 1 and a.index[-1] == 100 and a.index.name == "step"
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert a["cumulative_regret"].is_monotonic_increasing


def test_learning_policies_beat_random():
    ctrs = [0.02, 0.04, 0.08]
    final = {
        p.name: B.run_bandit(p, ctrs, horizon=2000, n_runs=100, random_state=5)["cumulative_regret"].iloc[-1]
        for p in (B.EpsilonGreedy(1.0), B.EpsilonGreedy(0.1), B.UCB1(), B.ThompsonSampling())
    }
    random_regret = final.pop("uniform random")
    assert random_regret == pytest.approx(2000 * (0.08 - np.mean(ctrs)), rel=0.05)
    assert all(value < random_regret for value in final.values())
    assert final["Thompson"] < final["UCB1"]


class _Spy(B.BanditPolicy):
    """Plays at random and records the counts the runner hands it."""

    label = "spy"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen, self.played = [], []

    def choose(self, pulls, clicks, rng):
        self.seen.append(pulls.copy())
        actions = rng.integers(0, pulls.shape[1], pulls.shape[0])
        self.played.append(actions)
        return actions


def test_sliding_window_counts_only_the_last_steps():
    spy = _Spy(window=5)
    B.run_bandit(spy, [0.5, 0.5, 0.5], horizon=20, n_runs=4, random_state=0)
    played = np.array(spy.played)  # (step, run)
    for t in (3, 5, 12, 19):
        recent = played[max(0, t - 5):t]
        expected = np.stack([(recent == arm).sum(axis=0) for arm in range(3)], axis=1)
        np.testing.assert_array_equal(spy.seen[t], expected)


def test_discount_weights_past_pulls_geometrically():
    spy = _Spy(discount=0.5)
    B.run_bandit(spy, [0.5, 0.5], horizon=8, n_runs=3, random_state=0)
    played = np.array(spy.played)
    t = 7
    weights = 0.5 ** np.arange(t - 1, -1, -1)  # step s counts 0.5 ** (t - 1 - s)
    expected = np.stack([(weights[:, None] * (played[:t] == arm)).sum(axis=0) for arm in range(2)], axis=1)
    np.testing.assert_allclose(spy.seen[t], expected)


def test_forgetting_wins_after_a_switch():
    schedule = switching_ctrs([0.02, 0.08], [0.08, 0.02], horizon=3000, switch_at=1000)
    plain = B.run_bandit(B.ThompsonSampling(), schedule, n_runs=100, random_state=6)["cumulative_regret"]
    window = B.run_bandit(B.ThompsonSampling(window=300), schedule, n_runs=100, random_state=6)["cumulative_regret"]
    after_plain = plain.iloc[-1] - plain.iloc[999]
    after_window = window.iloc[-1] - window.iloc[999]
    assert after_window < 0.5 * after_plain


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"policy": "thompson"}, TypeError, "policy: expected a BanditPolicy"),
        ({"ctrs": [0.1, 1.2]}, ValueError, "ctrs: expected probabilities"),
        ({"ctrs": [0.1]}, ValueError, "at least 2 arms"),
        ({"horizon": None}, ValueError, "horizon: expected the number of steps"),
        ({"ctrs": np.full((5, 2), 0.1), "horizon": 7}, ValueError, "horizon: expected 5"),
        ({"n_runs": 0}, ValueError, "n_runs"),
    ],
)
def test_run_bandit_bad_input(kwargs, error, match):
    args = {"policy": B.ThompsonSampling(), "ctrs": [0.1, 0.2], "horizon": 10, "n_runs": 5} | kwargs
    with pytest.raises(error, match=match):
        B.run_bandit(**args)


# =========================================================================== off-policy evaluation

REWARDS = np.array([1.0, 0.0, 1.0, 0.0])
TARGET = np.array([0.5, 0.2, 0.1, 0.0])
LOGGING = np.array([0.25, 0.5, 0.5, 0.25])


def test_ips_snips_dr_by_hand():
    # weights 2, 0.4, 0.2, 0 -> IPS (2 + 0.2) / 4, SNIPS 2.2 / 2.6
    assert B.ips_estimate(REWARDS, TARGET, LOGGING) == pytest.approx(0.55)
    assert B.snips_estimate(REWARDS, TARGET, LOGGING) == pytest.approx(2.2 / 2.6)
    q_logged = np.array([0.5, 0.5, 0.5, 0.5])
    q_target = np.array([0.3, 0.3, 0.3, 0.3])
    dr_terms = q_target + np.array([2, 0.4, 0.2, 0]) * (REWARDS - q_logged)
    assert B.dr_estimate(REWARDS, TARGET, LOGGING, q_logged, q_target) == pytest.approx(dr_terms.mean())
    zeros = np.zeros(4)
    assert B.dr_estimate(REWARDS, TARGET, LOGGING, zeros, zeros) == pytest.approx(0.55)


def test_on_policy_weights_give_the_mean_reward():
    rewards = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    p = np.array([0.2, 0.3, 0.5, 0.3, 0.2])
    assert B.ips_estimate(rewards, p, p) == pytest.approx(0.6)
    assert B.snips_estimate(rewards, p, p) == pytest.approx(0.6)


def test_estimators_do_not_change_their_inputs():
    r, t, lg = REWARDS.copy(), TARGET.copy(), LOGGING.copy()
    B.off_policy_estimates(r, t, lg, np.zeros(4), np.zeros(4), n_resamples=20)
    np.testing.assert_array_equal(r, REWARDS)
    np.testing.assert_array_equal(t, TARGET)
    np.testing.assert_array_equal(lg, LOGGING)


@pytest.mark.parametrize(
    ("rewards", "target", "logging", "match"),
    [
        (REWARDS, TARGET, [0.25, 0.0, 0.5, 0.25], r"logging_probs: expected propensities in \(0, 1\]"),
        (REWARDS, TARGET, [0.25, 1.5, 0.5, 0.25], "logging_probs: expected propensities"),
        (REWARDS, TARGET, [0.25, np.nan, 0.5, 0.25], "logging_probs"),
        (REWARDS, [0.5, 0.2, 1.1, 0.0], LOGGING, "target_probs: expected probabilities"),
        (REWARDS, TARGET[:3], LOGGING, "target_probs: expected 4 values"),
        (REWARDS, TARGET, LOGGING[:3], "logging_probs: expected 4 values"),
        ([], [], [], "rewards: expected a non-empty"),
        ([1.0, np.nan, 0.0, 0.0], TARGET, LOGGING, "rewards: expected finite"),
    ],
)
def test_estimators_bad_input(rewards, target, logging, match):
    for estimator in (B.ips_estimate, B.snips_estimate):
        with pytest.raises(ValueError, match=match):
            estimator(rewards, target, logging)
    with pytest.raises(ValueError, match=match):
        B.off_policy_estimates(rewards, target, logging, n_resamples=10)


def test_estimators_bad_model_input():
    with pytest.raises(ValueError, match="q_logged: expected 4 values"):
        B.dr_estimate(REWARDS, TARGET, LOGGING, np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="q_target: expected finite"):
        B.dr_estimate(REWARDS, TARGET, LOGGING, np.zeros(4), [0, np.nan, 0, 0])
    with pytest.raises(ValueError, match="q_target: expected q_logged and q_target together"):
        B.off_policy_estimates(REWARDS, TARGET, LOGGING, q_logged=np.zeros(4))
    with pytest.raises(ValueError, match="all weights are 0"):
        B.snips_estimate(REWARDS, np.zeros(4), LOGGING)
    with pytest.raises(ValueError, match="alpha"):
        B.off_policy_estimates(REWARDS, TARGET, LOGGING, alpha=1.0)
    with pytest.raises(ValueError, match="n_resamples: expected at least 2"):
        B.off_policy_estimates(REWARDS, TARGET, LOGGING, n_resamples=1)


# Simulated world with known truth: 4 creatives, a skewed logging policy, a different target.
CTRS = np.array([0.05, 0.10, 0.20, 0.08])
LOG_PROBS = np.array([0.4, 0.3, 0.2, 0.1])
TARGET_PROBS = np.array([0.1, 0.1, 0.2, 0.6])
TRUTH = float(TARGET_PROBS @ CTRS)


@pytest.fixture(scope="module")
def simulated_estimates():
    """IPS, SNIPS, DR (with a deliberately wrong reward model) and IPS intervals on 300 seeded logs."""
    rows = []
    for seed in range(300):
        log = simulate_logged_bandit(CTRS, LOG_PROBS, n_rounds=2000, random_state=seed)
        a, r, p = log["action"].to_numpy(), log["reward"].to_numpy(), log["propensity"].to_numpy()
        target = TARGET_PROBS[a]
        wrong_q = np.full(CTRS.size, 0.3)  # a bad model: DR must stay unbiased anyway
        report = B.off_policy_estimates(
            r, target, p, wrong_q[a], np.full(len(a), TARGET_PROBS @ wrong_q), n_resamples=2
        )
        rows.append(
            {
                "ips": B.ips_estimate(r, target, p),
                "snips": B.snips_estimate(r, target, p),
                "dr": report.loc["DR", "estimate"],
                "covered": report.loc["IPS", "ci_low"] <= TRUTH <= report.loc["IPS", "ci_high"],
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("estimator", ["ips", "dr"])
def test_ips_and_dr_are_unbiased_on_simulated_logs(simulated_estimates, estimator):
    values = simulated_estimates[estimator]
    se_of_mean = values.std(ddof=1) / np.sqrt(len(values))
    assert abs(values.mean() - TRUTH) < 3 * se_of_mean


def test_snips_is_close_and_less_variable(simulated_estimates):
    assert simulated_estimates["snips"].mean() == pytest.approx(TRUTH, rel=0.02)
    assert simulated_estimates["snips"].std() < simulated_estimates["ips"].std()


def test_ips_interval_covers_the_truth_about_95_percent(simulated_estimates):
    assert 0.91 <= simulated_estimates["covered"].mean() <= 0.99


def test_off_policy_estimates_table():
    log = simulate_logged_bandit(CTRS, LOG_PROBS, n_rounds=5000, random_state=11)
    a, r, p = log["action"].to_numpy(), log["reward"].to_numpy(), log["propensity"].to_numpy()
    q = CTRS[a]
    report = B.off_policy_estimates(r, TARGET_PROBS[a], p, q, np.full(len(a), TRUTH), n_resamples=500, random_state=0)
    assert report.index.tolist() == ["IPS", "SNIPS", "DR"]
    assert report.loc["IPS", "estimate"] == pytest.approx(B.ips_estimate(r, TARGET_PROBS[a], p))
    assert report.loc["SNIPS", "estimate"] == pytest.approx(B.snips_estimate(r, TARGET_PROBS[a], p))
    assert (report["ci_low"] < report["estimate"]).all() and (report["estimate"] < report["ci_high"]).all()
    assert (report["boot_low"] < report["estimate"]).all() and (report["estimate"] < report["boot_high"]).all()
    # bootstrap and normal intervals agree roughly on 5,000 rows
    np.testing.assert_allclose(report["boot_high"] - report["boot_low"], report["ci_high"] - report["ci_low"], rtol=0.2)
    # a perfect reward model removes the variance of the weights (only click noise is left)
    assert report.loc["DR", "se"] < report.loc["IPS", "se"]
    again = B.off_policy_estimates(r, TARGET_PROBS[a], p, q, np.full(len(a), TRUTH), n_resamples=500, random_state=0)
    pd.testing.assert_frame_equal(report, again)


def test_off_policy_bootstrap_is_scipys_percentile_bootstrap_of_the_rows():
    from scipy import stats

    log = simulate_logged_bandit(CTRS, LOG_PROBS, n_rounds=2000, random_state=5)
    a, r, p = log["action"].to_numpy(), log["reward"].to_numpy(), log["propensity"].to_numpy()
    report = B.off_policy_estimates(r, TARGET_PROBS[a], p, n_resamples=300, random_state=np.random.default_rng(9))
    w = TARGET_PROBS[a] / p
    rng = np.random.default_rng(9)
    ips = stats.bootstrap((w * r,), np.mean, n_resamples=300, method="percentile", random_state=rng).confidence_interval
    snips = stats.bootstrap((w * r, w), lambda x, y, axis=-1: x.sum(axis) / y.sum(axis), paired=True,
                            n_resamples=300, method="percentile", random_state=rng).confidence_interval
    assert report.loc["IPS", ["boot_low", "boot_high"]].tolist() == pytest.approx([ips.low, ips.high])
    assert report.loc["SNIPS", ["boot_low", "boot_high"]].tolist() == pytest.approx([snips.low, snips.high])


def test_dr_with_a_perfect_model_of_a_noise_free_world_is_exact():
    ctrs = np.array([0.0, 1.0, 1.0, 0.0])
    log = simulate_logged_bandit(ctrs, LOG_PROBS, n_rounds=1000, random_state=2)
    a, r, p = log["action"].to_numpy(), log["reward"].to_numpy(), log["propensity"].to_numpy()
    truth = TARGET_PROBS @ ctrs
    report = B.off_policy_estimates(r, TARGET_PROBS[a], p, ctrs[a], np.full(len(a), truth), n_resamples=50)
    assert report.loc["DR", "estimate"] == pytest.approx(truth)
    assert report.loc["DR", "se"] == pytest.approx(0.0, abs=1e-12)
    assert report.loc["IPS", "se"] > 0.01


def test_effective_sample_size():
    assert B.effective_sample_size(np.ones(50)) == pytest.approx(50)
    assert B.effective_sample_size([0, 0, 3.0, 0]) == pytest.approx(1)
    assert B.effective_sample_size([1.0, 3.0]) == pytest.approx(16 / 10)
    with pytest.raises(ValueError, match="weights"):
        B.effective_sample_size([])
    with pytest.raises(ValueError, match="weights"):
        B.effective_sample_size([1.0, -1.0])
    with pytest.raises(ValueError, match="all are 0"):
        B.effective_sample_size([0.0, 0.0])


# ---------------------------------------------------------------------------- policy tables

SMALL_LOG = pd.DataFrame(
    {
        "item_id": [0, 1, 1, 2, 0, 0, 2, 1],
        "position": [1, 1, 1, 1, 2, 2, 2, 2],
        "click": [0, 1, 0, 0, 1, 0, 0, 1],
    }
)


def test_action_distribution_by_hand():
    before = SMALL_LOG.copy()
    table = B.action_distribution(SMALL_LOG)
    expected = pd.DataFrame({1: [0.25, 0.5, 0.25], 2: [0.5, 0.25, 0.25]}, index=[0, 1, 2])
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy())
    assert table.index.tolist() == [0, 1, 2] and table.columns.tolist() == [1, 2]
    pd.testing.assert_frame_equal(SMALL_LOG, before)


def test_log_helpers_do_not_change_their_inputs():
    log = SMALL_LOG.copy()
    table = B.action_distribution(log)
    table_before = table.copy()
    B.lookup_probabilities(table, log)
    B.support_gaps(table, log)
    B.crossfit_reward_model(log, table, n_folds=2)
    pd.testing.assert_frame_equal(log, SMALL_LOG)
    pd.testing.assert_frame_equal(table, table_before)


def test_action_distribution_bad_input():
    with pytest.raises(ValueError, match="log: expected columns"):
        B.action_distribution(SMALL_LOG.drop(columns="position"))
    with pytest.raises(ValueError, match="log: expected a non-empty"):
        B.action_distribution(SMALL_LOG.iloc[:0])


def test_lookup_probabilities_and_support_gaps():
    table = pd.DataFrame({1: [0.6, 0.4], 2: [0.0, 1.0]}, index=[0, 1])
    probs = B.lookup_probabilities(table, SMALL_LOG)
    np.testing.assert_allclose(probs, [0.6, 0.4, 0.4, 0.0, 0.0, 0.0, 0.0, 1.0])  # item 2 unknown: 0
    gaps = B.support_gaps(pd.DataFrame({1: [0.5, 0.5], 2: [0.5, 0.5]}, index=[1, 3]), SMALL_LOG)
    assert list(map(tuple, gaps[["item_id", "position"]].to_numpy())) == [(3, 1), (3, 2)]
    assert B.support_gaps(table, SMALL_LOG).empty
    with pytest.raises(ValueError, match=r"policy: expected a column for every slot of the log, missing slots \[2\]"):
        B.lookup_probabilities(table[[1]], SMALL_LOG)
    with pytest.raises(ValueError, match="policy: expected probabilities"):
        B.lookup_probabilities(table * 2, SMALL_LOG)


def test_crossfit_reward_model_without_prior_is_the_out_of_fold_ctr():
    rng = np.random.default_rng(0)
    log = pd.DataFrame(
        {"item_id": rng.integers(0, 3, 600), "position": rng.integers(1, 3, 600), "click": rng.integers(0, 2, 600)}
    )
    target = pd.DataFrame({1: [0.2, 0.3, 0.5], 2: [1.0, 0.0, 0.0]}, index=[0, 1, 2])
    q_logged, q_target = B.crossfit_reward_model(log, target, prior_strength=0, n_folds=3, random_state=1)
    fold = np.random.default_rng(1).permutation(600) % 3
    row = 0
    other = log[fold != fold[row]]
    same_cell = other[(other.item_id == log.item_id[row]) & (other.position == log.position[row])]
    assert q_logged[row] == pytest.approx(same_cell.click.mean())
    at_slot = other[other.position == log.position[row]]
    cell_ctr = at_slot.groupby("item_id").click.mean()
    assert q_target[row] == pytest.approx((target[log.position[row]] * cell_ctr).sum())


def test_crossfit_reward_model_with_a_strong_prior_is_the_slot_ctr():
    q_logged, q_target = B.crossfit_reward_model(
        SMALL_LOG, B.action_distribution(SMALL_LOG), prior_strength=1e9, n_folds=2, random_state=0
    )
    np.testing.assert_allclose(q_logged, q_target, atol=1e-6)


def test_crossfit_reward_model_bad_input():
    target = B.action_distribution(SMALL_LOG)
    with pytest.raises(ValueError, match="some arms have no data"):
        B.crossfit_reward_model(SMALL_LOG, target, prior_strength=0, n_folds=4, random_state=0)
    with pytest.raises(ValueError, match="n_folds: expected at least 2"):
        B.crossfit_reward_model(SMALL_LOG, target, n_folds=1)
    with pytest.raises(ValueError, match="log: expected columns"):
        B.crossfit_reward_model(SMALL_LOG.drop(columns="click"), target)
    with pytest.raises(ValueError, match="prior_strength"):
        B.crossfit_reward_model(SMALL_LOG, target, prior_strength=-1)


# ---------------------------------------------------------------------------- property: exact IPS


@st.composite
def _population_logs(draw):
    """A log whose action shares equal the logging propensities exactly, with known clicks."""
    n_arms = draw(st.integers(2, 5))
    shown = draw(st.lists(st.integers(1, 30), min_size=n_arms, max_size=n_arms))
    clicked = [draw(st.integers(0, c)) for c in shown]
    raw = draw(st.lists(st.integers(0, 10), min_size=n_arms, max_size=n_arms).filter(lambda v: sum(v) > 0))
    target = np.array(raw, dtype=float) / sum(raw)
    return np.array(shown), np.array(clicked), target


@settings(max_examples=60, deadline=None)
@given(_population_logs())
def test_ips_on_a_population_log_is_the_target_weighted_ctr(population):
    shown, clicked, target = population
    actions = np.repeat(np.arange(shown.size), shown)
    rewards = np.concatenate([np.r_[np.ones(k), np.zeros(c - k)] for c, k in zip(shown, clicked, strict=True)])
    logging = (shown / shown.sum())[actions]
    expected = float(target @ (clicked / shown))
    assert B.ips_estimate(rewards, target[actions], logging) == pytest.approx(expected)
    # the weights average to exactly 1 here, so self-normalising changes nothing
    assert B.snips_estimate(rewards, target[actions], logging) == pytest.approx(expected)


def test_regret_curve_by_hand():
    from pmkt_lessons.bandits.policies import regret_curve

    best = np.array([[0.3], [0.3]])
    played = np.array([[0.3, 0.1], [0.1, 0.1]])
    curve = regret_curve(best, played, played == best)
    assert curve.index.tolist() == [1, 2]
    np.testing.assert_allclose(curve["regret"], [0.1, 0.2])
    np.testing.assert_allclose(curve["cumulative_regret"], [0.1, 0.3])
    np.testing.assert_allclose(curve["cumulative_regret_se"], [np.std([0.0, 0.2], ddof=1) / np.sqrt(2),
                                                               np.std([0.2, 0.4], ddof=1) / np.sqrt(2)])
    np.testing.assert_allclose(curve["best_arm_share"], [0.5, 0.0])
