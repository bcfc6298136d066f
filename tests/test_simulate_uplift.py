"""Tests for pmkt_lessons.simulate.uplift (lesson 16)."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from pmkt_lessons.simulate.uplift import CUSTOMER_TYPES, FEATURES, simulate_uplift_customers


@pytest.fixture(scope="module")
def customers():
    return simulate_uplift_customers(30_000, random_state=2)


def test_columns_and_types(customers):
    assert list(customers.columns[: len(FEATURES)]) == list(FEATURES)
    for col in ("treatment", "y", "y_control", "y_treatment"):
        assert set(customers[col].unique()) <= {0, 1}
    assert list(customers["customer_type"].cat.categories) == list(CUSTOMER_TYPES)
    assert len(customers) == 30_000


def test_probabilities_follow_the_documented_model(customers):
    c = customers
    base = -2.6 + 3.5 * c["engagement"] + 0.08 * c["tenure_years"]
    effect = 2.0 * c["deal_affinity"] * (1 - c["engagement"]) - 0.1 - 2.5 * c["email_fatigue"] * c["engagement"]
    np.testing.assert_allclose(c["p_control"], expit(base))
    np.testing.assert_allclose(c["p_treatment"], expit(base + effect))
    np.testing.assert_allclose(c["true_uplift"], c["p_treatment"] - c["p_control"])


def test_observed_outcome_is_the_potential_outcome_of_the_arm(customers):
    c = customers
    expected = np.where(c["treatment"] == 1, c["y_treatment"], c["y_control"])
    np.testing.assert_array_equal(c["y"], expected)


def test_customer_types_follow_the_potential_outcomes(customers):
    c = customers
    pairs = {
        "sure thing": (1, 1), "persuadable": (0, 1), "lost cause": (0, 0), "sleeping dog": (1, 0),
    }
    for kind, (y0, y1) in pairs.items():
        rows = c[c["customer_type"] == kind]
        assert len(rows) > 100
        assert (rows["y_control"] == y0).all() and (rows["y_treatment"] == y1).all()
    # one shared uniform draw: a sleeping dog needs p_treatment < p_control
    assert (c.loc[c["customer_type"] == "sleeping dog", "true_uplift"] < 0).all()
    assert (c.loc[c["customer_type"] == "persuadable", "true_uplift"] > 0).all()


def test_rates_match_the_probabilities(customers):
    c = customers
    assert c["y_control"].mean() == pytest.approx(c["p_control"].mean(), abs=0.01)
    assert c["y_treatment"].mean() == pytest.approx(c["p_treatment"].mean(), abs=0.01)
    assert c["treatment"].mean() == pytest.approx(0.5, abs=0.01)
    assert 0 < c["true_uplift"].mean() < 0.05
    assert 0.2 < (c["true_uplift"] < 0).mean() < 0.6


def test_seeded_and_share():
    one = simulate_uplift_customers(500, random_state=1)
    pd.testing.assert_frame_equal(one, simulate_uplift_customers(500, random_state=1))
    assert not one.equals(simulate_uplift_customers(500, random_state=2))
    assert simulate_uplift_customers(5_000, treatment_share=0.2, random_state=1)["treatment"].mean() == pytest.approx(0.2, abs=0.02)


def test_bad_input():
    with pytest.raises(ValueError, match="n_customers"):
        simulate_uplift_customers(0)
    with pytest.raises(TypeError, match="n_customers"):
        simulate_uplift_customers(10.5)
    with pytest.raises(ValueError, match="treatment_share"):
        simulate_uplift_customers(100, treatment_share=1.0)
