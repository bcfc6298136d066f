"""Online Retail loaded and cleaned once per process, for the exercises' reference solutions.

The frames are shared between calls: treat them as read-only. Introduced in lesson 01.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..cleaning import CleaningResult, clean_transactions
from ..data import load_online_retail


@lru_cache(maxsize=1)
def raw() -> pd.DataFrame:
    """Give the raw Online Retail frame (cached; do not modify it)."""
    return load_online_retail()


@lru_cache(maxsize=1)
def result() -> CleaningResult:
    """Give ``clean_transactions(raw())`` with the default choices (cached; do not modify it)."""
    return clean_transactions(raw())


def clean() -> pd.DataFrame:
    """Give the standard cleaned frame, 392,692 rows (cached; do not modify it)."""
    return result().clean
