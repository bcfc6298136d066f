"""Shared fixtures: the real datasets are loaded once per test session."""

import pytest

from pmkt_lessons import cleaning, data


@pytest.fixture(scope="session")
def online_retail():
    return data.load_online_retail()


@pytest.fixture(scope="session")
def cleaned(online_retail):
    return cleaning.clean_transactions(online_retail)


def pytest_configure(config):
    """Register the ``crosscheck`` marker: tests comparing us with a peer library (issue 9)."""
    config.addinivalue_line(
        "markers", "crosscheck: compares a result with a maintained peer library (ranx, obp, sklift, ...)"
    )
