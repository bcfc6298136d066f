"""A simulated shop with known truth, for the capstone's feedback loop (lesson 24).

No public data set shows what would have happened to a customer under every
marketing action, week after week, so the capstone simulates a shop where it
is known. Each customer belongs to a latent segment (never shown to the
policies) that sets their weekly chance of buying, their preferred products,
and their true response to an e-mail and to a display ad:

.. math::
    p_{iw}(a, j) = \\sigma\\big(\\beta_{s_i} + \\gamma_i + \\tau_{s_i a} \\cdot r_{ij}\\big),
    \\qquad r_{ij} = 0.5 + \\frac{\\pi_{ij}}{\\max_k \\pi_{ik}},

where :math:`\\beta_s` is the segment's base log-odds, :math:`\\gamma_i` a
customer effect, :math:`\\tau_{sa}` the true effect of action :math:`a`
(0 for no contact) and :math:`r_{ij}` scales it by how much the customer likes
the featured product :math:`j` (their preference :math:`\\pi_i`), so a good
recommendation makes a contact work better. Policies see only the observed
features, which depend on the segment plus noise. Introduced in lesson 24.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from ..randomness import check_random_state
from ..validation import require_1d, require_finite, require_positive_int, require_shape

ACTIONS = ("none", "email", "ad")
COSTS = np.array([0.0, 0.10, 1.00])  # cost of each action per customer
MARGIN = 10.0  # profit of one sale before marketing costs
FEATURES = ("recent_spend", "visits", "deal_clicks", "email_opens", "tenure_years", "noise")
SEGMENT_NAMES = ("loyal regulars", "deal seekers", "browsers", "fatigued")
# base log-odds of a weekly purchase, and the true effect (log-odds) of e-mail and ad per segment
BASE_LOGIT = np.array([-1.4, -3.4, -3.0, -2.4])
EFFECT = np.array([
    [0.0, 0.10, 0.10],   # loyal regulars buy anyway: sure things
    [0.0, 0.90, 1.00],   # deal seekers: persuaded by an e-mail (cheap) or an ad
    [0.0, 0.15, 1.80],   # browsers: only an ad moves them
    [0.0, -0.70, 0.00],  # fatigued: an e-mail backfires (sleeping dogs)
])
# feature means per segment (rows) for FEATURES (columns); the policies see these plus noise
FEATURE_MEANS = np.array([
    [4.6, 6.0, 0.6, 3.0, 4.0, 0.0],
    [2.2, 2.0, 3.0, 2.0, 1.5, 0.0],
    [2.0, 5.0, 0.8, 0.6, 1.0, 0.0],
    [3.2, 1.0, 0.5, 0.4, 5.0, 0.0],
])
FEATURE_SD = np.array([0.8, 1.5, 0.9, 0.9, 1.5, 1.0])


@dataclass(frozen=True)
class Shop:
    """The simulated shop: observed features, hidden truth, products and margins."""

    features: pd.DataFrame      # what a policy sees, one row per customer
    segment: np.ndarray         # latent segment of each customer (hidden from policies)
    customer_effect: np.ndarray  # gamma_i
    preferences: np.ndarray     # (n_customers, n_products), rows sum to 1
    random_state: int

    @property
    def n_customers(self) -> int:
        return len(self.segment)

    @property
    def n_products(self) -> int:
        return self.preferences.shape[1]

    def purchase_probability(self, action: np.ndarray, product: np.ndarray) -> np.ndarray:
        """Give each customer's true chance of buying this week under ``action`` featuring ``product``.

        ``action`` holds indices into ``ACTIONS`` (0 none, 1 e-mail, 2 ad) and
        ``product`` the featured product of each customer (ignored for none).
        """
        action = np.asarray(action)
        product = np.asarray(product)
        rows = np.arange(self.n_customers)
        relevance = 0.5 + self.preferences[rows, product] / self.preferences.max(axis=1)
        effect = EFFECT[self.segment, action] * np.where(action > 0, relevance, 0.0)
        return expit(BASE_LOGIT[self.segment] + self.customer_effect + effect)

    def best_product(self) -> np.ndarray:
        """Give each customer's truly most preferred product (what an oracle would feature)."""
        return self.preferences.argmax(axis=1)


def require_shop(shop: object, arg: str = "shop") -> Shop:
    """Give ``shop`` if it is a :class:`Shop` (from :func:`make_shop`), else raise naming ``arg``."""
    if not isinstance(shop, Shop):
        raise TypeError(f"{arg}: expected a Shop from make_shop, got {type(shop).__name__}")
    return shop


def simulate_week(shop: Shop, action: np.ndarray, product: np.ndarray, draws: np.ndarray) -> pd.DataFrame:
    """Give one week's outcomes: who bought, what, and the profit of each customer.

    ``draws`` is a ``(n_customers, 2)`` array of uniforms: the first decides the
    purchase, the second which product is bought (from the customer's
    preferences). Passing the same draws to two policies gives them common
    random numbers, so their difference is measured without outcome noise.
    """
    require_shop(shop)
    n = shop.n_customers
    for arg, values, top in (("action", action, len(ACTIONS)), ("product", product, shop.n_products)):
        arr = require_finite(require_1d(values, arg, n=n, what=f"codes (one per customer, {n})"), arg)
        if (arr != np.round(arr)).any() or (arr < 0).any() or (arr >= top).any():
            raise ValueError(f"{arg}: expected whole numbers in [0, {top}), got values outside")
    draws = require_shape(require_finite(draws, "draws", low=0.0, high=1.0), "draws", (n, 2))
    action, product = np.asarray(action).astype(int), np.asarray(product).astype(int)
    p = shop.purchase_probability(action, product)
    bought = draws[:, 0] < p
    cumulative = np.cumsum(shop.preferences, axis=1)
    product_bought = np.minimum((cumulative < draws[:, 1:2]).sum(axis=1), shop.n_products - 1)
    profit = MARGIN * bought - COSTS[action]
    return pd.DataFrame({
        "customer": np.arange(shop.n_customers),
        "action": action,
        "product": product,
        "bought": bought.astype(int),
        "product_bought": np.where(bought, product_bought, -1),
        "profit": profit,
        "p_true": p,
    })


def make_shop(
    n_customers: int = 3000, *, n_products: int = 30, random_state: object = 0
) -> Shop:
    """Give a simulated shop with ``n_customers`` customers in 4 latent segments.

    Segment shares are 30 / 25 / 25 / 20 %. Each segment prefers its own
    third of the catalogue (a Dirichlet draw per customer around the
    segment's taste); every sale earns ``MARGIN``. Everything follows from
    ``random_state``. Introduced in lesson 24.
    """
    n_customers = require_positive_int(n_customers, "n_customers")
    n_products = require_positive_int(n_products, "n_products")
    if n_customers < 40:
        raise ValueError(f"n_customers: expected at least 40 customers, got {n_customers}")
    if n_products < 4:
        raise ValueError(f"n_products: expected at least 4 products, got {n_products}")
    seed = random_state if isinstance(random_state, int) and not isinstance(random_state, bool) else 0
    rng = check_random_state(random_state)
    segment = rng.choice(4, size=n_customers, p=[0.30, 0.25, 0.25, 0.20])
    features = FEATURE_MEANS[segment] + rng.normal(size=(n_customers, len(FEATURES))) * FEATURE_SD
    features[:, :5] = np.maximum(features[:, :5], 0.0)
    taste = np.full((4, n_products), 0.3)
    for s in range(4):
        taste[s, rng.choice(n_products, size=max(2, n_products // 3), replace=False)] = 3.0
    preferences = np.vstack([rng.dirichlet(taste[s]) for s in segment])
    return Shop(
        features=pd.DataFrame(features, columns=list(FEATURES)).round(3),
        segment=segment,
        customer_effect=rng.normal(scale=0.3, size=n_customers),
        preferences=preferences,
        random_state=seed,
    )
