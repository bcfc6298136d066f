"""Simulated customers whose individual uplift is known, for lesson 16.

In a real campaign each customer is either e-mailed or not, so nobody's
individual uplift (their response if e-mailed minus their response if not)
is ever observed. Here both potential outcomes are drawn, so the uplift
learners can be checked against the truth. Introduced in lesson 16.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from ..randomness import check_random_state
from ..validation import require_in_range, require_positive_int

FEATURES = ("engagement", "deal_affinity", "email_fatigue", "tenure_years", "noise_1", "noise_2")
CUSTOMER_TYPES = ("sure thing", "persuadable", "lost cause", "sleeping dog")


def simulate_uplift_customers(
    n_customers: int = 40_000, *, treatment_share: float = 0.5, random_state=0
) -> pd.DataFrame:
    """Give simulated customers, a randomised e-mail, both potential responses and the true uplift.

    The story behind the numbers:

    - ``engagement`` (0-1) drives the response without any e-mail: engaged
      customers buy anyway (the *sure things*);
    - ``deal_affinity`` (0-1) makes the e-mail work, mostly for customers who
      are not yet engaged (the *persuadables*);
    - ``email_fatigue`` (0-1) makes the e-mail backfire for engaged,
      fatigued customers (the *sleeping dogs*);
    - ``tenure_years`` nudges the baseline a little; ``noise_1``/``noise_2``
      are irrelevant, as many real features are.

    ``p_control = expit(-2.6 + 3.5 engagement + 0.08 tenure)`` and
    ``p_treatment = expit(logit(p_control) + effect)`` with
    ``effect = 2.0 deal_affinity (1 - engagement) - 0.1 - 2.5 email_fatigue engagement``.
    One uniform draw per customer decides both potential responses
    (``y_control = u < p_control``, ``y_treatment = u < p_treatment``), so the
    customer's type is defined: sure thing (1, 1), persuadable (0, 1),
    lost cause (0, 0), sleeping dog (1, 0). The observed ``y`` is the
    potential response of the arm the customer was randomised to. Introduced
    in lesson 16.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    treatment_share : float
        Chance of being e-mailed, in (0, 1).
    random_state : None, int or numpy Generator
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    DataFrame
        The features in ``FEATURES``, then ``treatment`` (0/1), ``y`` (0/1),
        ``p_control``, ``p_treatment``, ``true_uplift`` (their difference),
        ``y_control``, ``y_treatment`` and ``customer_type``.
    """
    n = require_positive_int(n_customers, "n_customers")
    share = require_in_range(treatment_share, "treatment_share", 0, 1, low_inclusive=False, high_inclusive=False)
    rng = check_random_state(random_state)
    engagement = rng.beta(2.0, 4.0, n)
    deal_affinity = rng.uniform(0, 1, n)
    email_fatigue = rng.uniform(0, 1, n)
    tenure = rng.exponential(3.0, n)
    noise = rng.normal(0, 1, (n, 2))
    base_logit = -2.6 + 3.5 * engagement + 0.08 * tenure
    effect = 2.0 * deal_affinity * (1 - engagement) - 0.1 - 2.5 * email_fatigue * engagement
    p_control = expit(base_logit)
    p_treatment = expit(base_logit + effect)
    u = rng.uniform(0, 1, n)
    y_control = u < p_control
    y_treatment = u < p_treatment
    treatment = (rng.uniform(0, 1, n) < share).astype("int8")
    kind = np.select(
        [y_control & y_treatment, ~y_control & y_treatment, y_control & ~y_treatment],
        CUSTOMER_TYPES[0:2] + CUSTOMER_TYPES[3:],
        default=CUSTOMER_TYPES[2],
    )
    return pd.DataFrame(
        {
            "engagement": engagement,
            "deal_affinity": deal_affinity,
            "email_fatigue": email_fatigue,
            "tenure_years": tenure,
            "noise_1": noise[:, 0],
            "noise_2": noise[:, 1],
            "treatment": treatment,
            "y": np.where(treatment == 1, y_treatment, y_control).astype("int8"),
            "p_control": p_control,
            "p_treatment": p_treatment,
            "true_uplift": p_treatment - p_control,
            "y_control": y_control.astype("int8"),
            "y_treatment": y_treatment.astype("int8"),
            "customer_type": pd.Categorical(kind, categories=CUSTOMER_TYPES),
        }
    )
