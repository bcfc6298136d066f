"""The closed feedback loop of the capstone: decide, observe, log, retrain (lesson 24).

Each simulated week a policy chooses, within a fixed budget, whom to contact
by e-mail or ad and which product to feature; the shop
(:mod:`pmkt_lessons.simulate.shop`) draws the outcomes; the log grows; learning
policies retrain from it. The pieces are the course's:

- segments from k-means on the observed features (lesson 04);
- the featured product: the segment's best seller in the log (lessons 06-07);
- a response model per action, whose differences are the uplift (lessons 13, 16):

  .. math:: \\widehat{\\Delta}_{ia} = \\hat p_a(x_i) - \\hat p_{\\text{none}}(x_i),
            \\qquad v_{ia} = m\\,\\widehat{\\Delta}_{ia} - c_a;

- budget allocation (lesson 14): each customer's best action by value
  :math:`v_{ia}`, then customers by value per unit cost until the budget is spent;
- exploration and propensity weights (lesson 17): a share ``explore`` of the
  budget goes to random customers and actions, the log keeps every action's
  propensity, and ``propensity_weighting=True`` retrains with weights
  :math:`1/\\pi(a_i \\mid x_i)` so the model is fitted to the population rather
  than to the customers it chose.

Introduced in lesson 24.

References
----------
Sculley, D. et al. (2015). Hidden technical debt in machine learning systems. NeurIPS.
Bottou, L. et al. (2013). Counterfactual reasoning and learning systems. JMLR 14.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .device import limit_threads
from .randomness import check_random_state
from .simulate.shop import ACTIONS, COSTS, MARGIN, Shop, require_shop, simulate_week
from .validation import (
    require_finite,
    require_frame,
    require_in_range,
    require_positive_int,
)

LOG_COLUMNS = ("week", "customer", "action", "product", "propensity", "bought", "product_bought", "profit")


def allocate_budget(value: np.ndarray, budget: float) -> tuple[np.ndarray, np.ndarray]:
    """Give each customer's action (0 = none) and the spend, choosing by value per cost within ``budget``.

    ``value`` is ``(n_customers, n_actions)`` of expected incremental profit
    per action (column 0, no contact, is 0). Each customer's best paid action
    is kept if its value is positive; customers are then taken by value per
    unit cost until the budget runs out (a greedy knapsack, lesson 14).
    """
    value = np.asarray(value, dtype=float)
    if value.ndim != 2 or value.shape[1] != len(ACTIONS):
        raise ValueError(f"value: expected an (n, {len(ACTIONS)}) array, got shape {value.shape}")
    if not np.isfinite(value).all():
        raise ValueError("value: expected finite values, got NaN or inf")
    budget = require_in_range(budget, "budget", 0, np.inf, high_inclusive=False)
    paid = value[:, 1:]
    best = paid.argmax(axis=1) + 1
    best_value = paid.max(axis=1)
    ratio = np.where(best_value > 0, best_value / COSTS[best], -np.inf)
    order = np.argsort(-ratio, kind="stable")
    order = order[np.isfinite(ratio[order])]
    spend = np.cumsum(COSTS[best[order]])
    chosen = order[spend <= budget + 1e-9]
    action = np.zeros(len(value), dtype=int)
    action[chosen] = best[chosen]
    return action, COSTS[action].sum()


@dataclass(frozen=True)
class CustomerDesign:
    """The customers as the models see them: scaled features plus one-hot k-means segments."""

    X: np.ndarray
    segment: np.ndarray
    n_segments: int


def customer_design(features: pd.DataFrame, n_segments: int = 4, random_state: object = 0) -> CustomerDesign:
    """Give the model matrix of the customers: scaled features and their k-means segment (lesson 04)."""
    require_frame(features, (), "features")
    n_segments = require_positive_int(n_segments, "n_segments")
    require_finite(features.to_numpy(dtype=float), "features")
    if len(features) < n_segments:
        raise ValueError(f"features: expected at least n_segments={n_segments} rows, got {len(features)}")
    scaled = StandardScaler().fit_transform(features.to_numpy(dtype=float))
    seed = int(check_random_state(random_state).integers(2**31 - 1))
    segment = KMeans(n_segments, n_init=4, random_state=seed).fit_predict(scaled)
    return CustomerDesign(np.hstack([scaled, np.eye(n_segments)[segment]]), segment, n_segments)


class TargetingPolicy(BaseEstimator):
    """A learning targeting policy: segments, best sellers, one response model per action.

    Parameters
    ----------
    explore : float
        Share of the budget spent on random customers and actions, in [0, 1).
    propensity_weighting : bool
        Retrain with weights ``1 / propensity`` of the logged action.
    max_weight : float
        Clip of those weights (large weights of rare explored actions add variance).
    window : int
        Weeks of the log used for each retraining (the most recent ones).
    C : float
        Inverse regularisation strength of the logistic response models.

    The exploration draws come from the generator passed to :meth:`decide`.
    """

    def __init__(self, explore=0.0, propensity_weighting=False, max_weight=10.0, window=4, C=1.0):
        self.explore = explore
        self.propensity_weighting = propensity_weighting
        self.max_weight = max_weight
        self.window = window
        self.C = C

    def fit(self, log: pd.DataFrame, customers: CustomerDesign) -> TargetingPolicy:
        """Fit best sellers per segment and one response model per action from the ``log``; give ``self``."""
        require_frame(log, LOG_COLUMNS, "log")
        if not isinstance(customers, CustomerDesign):
            raise TypeError(f"customers: expected a CustomerDesign (customer_design()), got {type(customers).__name__}")
        require_positive_int(self.window, "window")
        require_in_range(self.explore, "explore", 0, 1, high_inclusive=False)
        if not isinstance(self.propensity_weighting, bool):
            raise TypeError(f"propensity_weighting: expected a bool, got {type(self.propensity_weighting).__name__}")
        recent = log[log["week"] > log["week"].max() - self.window]
        X = customers.X
        rows = recent["customer"].to_numpy()
        sold = recent[recent["product_bought"] >= 0]
        counts = pd.crosstab(customers.segment[sold["customer"].to_numpy()], sold["product_bought"].to_numpy())
        overall = sold["product_bought"].value_counts().idxmax() if len(sold) else 0
        self.best_seller_ = np.array([
            int(counts.loc[s].idxmax()) if s in counts.index else int(overall) for s in range(customers.n_segments)
        ])
        weights = np.ones(len(recent))
        if self.propensity_weighting:  # clipped inverse propensities: unbiased up to the clip, bounded variance
            weights = np.minimum(1.0 / recent["propensity"].to_numpy(), self.max_weight)
        self.models_ = {}
        for a in range(len(ACTIONS)):
            mask = recent["action"].to_numpy() == a
            y = recent["bought"].to_numpy()[mask]
            if mask.sum() < 20 or y.min() == y.max():
                self.models_[a] = None  # too little data on this action: no estimate, no contact
                continue
            model = LogisticRegression(C=self.C, max_iter=500)
            self.models_[a] = model.fit(X[rows[mask]], y, sample_weight=weights[mask])
        return self

    def predicted_value(self, customers: CustomerDesign) -> np.ndarray:
        """Give the expected incremental profit of each action for each customer, ``(n, 3)``."""
        check_is_fitted(self, "models_")
        X = customers.X
        base = self.models_[0].predict_proba(X)[:, 1] if self.models_[0] is not None else np.zeros(len(X))
        value = np.zeros((len(X), len(ACTIONS)))
        for a in range(1, len(ACTIONS)):
            if self.models_[a] is None:
                value[:, a] = -np.inf
                continue
            value[:, a] = MARGIN * (self.models_[a].predict_proba(X)[:, 1] - base) - COSTS[a]
        return np.nan_to_num(value, neginf=-1e9)

    def decide(self, customers: CustomerDesign, budget: float, rng: np.random.Generator) -> pd.DataFrame:
        """Give this week's decisions: ``action``, featured ``product`` and the ``propensity`` of the action."""
        check_is_fitted(self, "models_")
        n = len(customers.X)
        explore_budget = self.explore * budget
        value = self.predicted_value(customers)
        action, _ = allocate_budget(value, budget - explore_budget)
        # exploration: random customers get a random paid action, paid from the exploration share
        n_random = int(explore_budget / COSTS[1:].mean())
        random_rows = rng.choice(n, size=min(n_random, n), replace=False)
        random_action = rng.integers(1, len(ACTIONS), size=len(random_rows))
        q = np.zeros(len(ACTIONS))
        q[1:] = len(random_rows) / n / (len(ACTIONS) - 1)
        greedy = action.copy()
        action[random_rows] = random_action
        propensity = np.where(action == greedy, 1.0 - q.sum(), 0.0) + q[action]
        product = self.best_seller_[customers.segment]
        return pd.DataFrame({"action": action, "product": product, "propensity": propensity})


RULE_SHARE = 0.4  # the shop's rule e-mails its top 40 % of customers by recent spend


def rule_decisions(shop: Shop, budget: float, best_seller: int = 0) -> pd.DataFrame:
    """Give the shop's current rule, no model: e-mail the top 40 % by recent spend (within the budget)."""
    require_shop(shop)
    budget = require_finite(budget, "budget", low=0.0)
    order = np.argsort(-shop.features["recent_spend"].to_numpy(), kind="stable")
    n = min(int(budget / COSTS[1]), int(RULE_SHARE * shop.n_customers))
    action = np.zeros(shop.n_customers, dtype=int)
    action[order[:n]] = 1
    return pd.DataFrame({"action": action, "product": best_seller, "propensity": 1.0})


def oracle_decisions(shop: Shop, budget: float) -> pd.DataFrame:
    """Give the decisions of the oracle that knows every customer's true response and best product."""
    require_shop(shop)
    budget = require_finite(budget, "budget", low=0.0)
    product = shop.best_product()
    base = shop.purchase_probability(np.zeros(shop.n_customers, dtype=int), product)
    value = np.zeros((shop.n_customers, len(ACTIONS)))
    for a in range(1, len(ACTIONS)):
        value[:, a] = MARGIN * (shop.purchase_probability(np.full(shop.n_customers, a), product) - base) - COSTS[a]
    action, _ = allocate_budget(value, budget)
    return pd.DataFrame({"action": action, "product": product, "propensity": 1.0})


POLICIES = ("no model (rule)", "never retrained", "greedy loop", "loop + exploration",
            "loop + exploration + weights", "oracle")


def run_loop(
    shop: Shop,
    policy: str,
    *,
    n_weeks: int = 12,
    pilot_weeks: int = 2,
    budget: float = 300.0,
    explore: float = 0.2,
    window: int = 4,
    random_state: object = 0,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Run one policy on the shop week by week and give the full log (one row per customer and week).

    Weeks ``0 .. pilot_weeks - 1`` run the shop's current rule (e-mail the top
    spenders) for every policy but the oracle; after that, ``policy`` decides:
    one of ``POLICIES``. Learning policies retrain every week from the log;
    "never retrained" is fitted once, on the pilot; the others retrain on the
    last ``window`` weeks of the log. The outcome draws depend on
    ``random_state`` and the week only, not on the policy (common random numbers).
    ``n_threads`` limits BLAS threads while it runs (small fits run faster on one).
    """
    require_shop(shop)
    with limit_threads(n_threads):
        return _run_loop(shop, policy, n_weeks, pilot_weeks, budget, explore, window, random_state)


def _run_loop(shop, policy, n_weeks, pilot_weeks, budget, explore, window, random_state) -> pd.DataFrame:
    if policy not in POLICIES:
        raise ValueError(f"policy: expected one of {list(POLICIES)}, got {policy!r}")
    n_weeks = require_positive_int(n_weeks, "n_weeks")
    pilot_weeks = require_positive_int(pilot_weeks, "pilot_weeks")
    if pilot_weeks >= n_weeks:
        raise ValueError(f"pilot_weeks: expected fewer than n_weeks={n_weeks}, got {pilot_weeks}")
    budget = require_in_range(budget, "budget", 0, np.inf, low_inclusive=False, high_inclusive=False)
    outcome_rng = check_random_state(random_state)
    draws = outcome_rng.random((n_weeks, shop.n_customers, 2))
    decision_rng = np.random.default_rng(outcome_rng.integers(2**31 - 1))
    learner = customers = None
    if policy in POLICIES[1:5]:
        customers = customer_design(shop.features, random_state=int(decision_rng.integers(2**31 - 1)))
        learner = TargetingPolicy(
            explore=explore if "exploration" in policy else 0.0, window=window,
            propensity_weighting=policy.endswith("weights"),
        )
    weeks = []
    log = pd.DataFrame(columns=list(LOG_COLUMNS))
    for week in range(n_weeks):
        if policy == "oracle":
            decisions = oracle_decisions(shop, budget)
        elif week < pilot_weeks or policy == POLICIES[0]:
            sold = log.loc[log["product_bought"] >= 0, "product_bought"] if len(log) else pd.Series(dtype=int)
            decisions = rule_decisions(shop, budget, int(sold.value_counts().idxmax()) if len(sold) else 0)
        else:
            if policy != "never retrained" or week == pilot_weeks:
                learner.fit(log, customers)
            decisions = learner.decide(customers, budget, decision_rng)
        outcome = simulate_week(shop, decisions["action"].to_numpy(), decisions["product"].to_numpy(), draws[week])
        outcome.insert(0, "week", week)
        outcome["propensity"] = decisions["propensity"].to_numpy()
        weeks.append(outcome)
        log = pd.concat(weeks, ignore_index=True)
    log["policy"] = policy
    return log


def weekly_profit(log: pd.DataFrame) -> pd.Series:
    """Give the shop's profit per week (sales margin minus marketing cost) from a loop's log."""
    require_frame(log, ("week", "profit"), "log")
    return log.groupby("week")["profit"].sum()


def compare_over_seeds(totals: pd.DataFrame, baseline: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Give each policy's mean difference in total profit against ``baseline`` with a t-interval over seeds.

    ``totals`` has one row per seed and one column per policy. Every policy
    ran on the same shop and the same outcome draws within a seed, so the
    differences are paired by seed: the interval is Student's t on the
    per-seed differences (few seeds: a bootstrap would be too narrow).
    """
    require_frame(totals, (baseline,), "totals")
    if len(totals) < 2:
        raise ValueError(f"totals: expected at least 2 seeds (rows), got {len(totals)}")
    require_in_range(confidence, "confidence", 0, 1, low_inclusive=False, high_inclusive=False)
    rows = []
    for policy in totals.columns:
        diff = (totals[policy] - totals[baseline]).to_numpy(dtype=float)
        mean = diff.mean()
        half = stats.t.ppf(0.5 + confidence / 2, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
        rows.append({"policy": policy, "diff": mean, "low": mean - half, "high": mean + half,
                     "wins": int((diff > 0).sum()), "seeds": len(diff)})
    return pd.DataFrame(rows).set_index("policy")


def ab_test(
    shop: Shop,
    decisions_control: pd.DataFrame,
    decisions_treatment: pd.DataFrame,
    *,
    n_weeks: int = 2,
    random_state: object = 0,
) -> pd.DataFrame:
    """Give an A/B test of two policies' decisions: each customer's arm and total profit over ``n_weeks``.

    Customers are randomised 50/50 (seeded); each arm gets its own policy's
    decisions, so each policy spends about half its budget on its half of
    the customers. Read it with the course's tests (lesson 15), e.g.
    ``experiments.compare_means(result, "arm", "profit", control="current")``.
    """
    require_shop(shop)
    for name, decisions in (("decisions_control", decisions_control), ("decisions_treatment", decisions_treatment)):
        require_frame(decisions, ("action", "product"), name)
        require_finite(decisions[["action", "product"]].to_numpy(dtype=float), name)
        if len(decisions) != shop.n_customers:
            raise ValueError(f"{name}: expected {shop.n_customers} rows (one per customer), got {len(decisions)}")
    n_weeks = require_positive_int(n_weeks, "n_weeks")
    rng = check_random_state(random_state)
    treated = rng.permutation(shop.n_customers) < shop.n_customers // 2
    action = np.where(treated, decisions_treatment["action"], decisions_control["action"])
    product = np.where(treated, decisions_treatment["product"], decisions_control["product"])
    profit = np.zeros(shop.n_customers)
    for _ in range(n_weeks):
        profit += simulate_week(shop, action, product, rng.random((shop.n_customers, 2)))["profit"].to_numpy()
    return pd.DataFrame({"arm": np.where(treated, "new", "current"), "profit": profit})
