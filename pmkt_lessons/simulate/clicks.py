"""A simulated display-ad click log that keeps the true click probability of every impression.

No public click log (Criteo, Avazu) may be redistributed, so the CTR lessons
draw one from a small, seeded "world" in the shape of a display-ad log:
categorical fields (user segment, age band, device, site, hour, ad category,
creative, slot), two numeric fields, planted main effects, planted pairwise
interactions of low rank (user segment x ad category, device x creative,
site x hour: real structure that factorisation models can find and a
logistic regression on the raw fields cannot), a position bias by slot, and
a base CTR of a few percent. Because the truth is kept, the best possible
AUC and log loss are known. Introduced in lesson 11.

The click probability is ``sigmoid(logit)`` with::

    logit = intercept + sum of main effects + slot effect
            + ad_quality * 1.5 + user_visits_30d * 0.03
            + interaction_scale * sum over planted pairs of <u_a, v_b>

and the intercept chosen so that the mean probability is ``base_ctr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from .. import columns as C
from ..randomness import check_random_state
from ..validation import require_frame, require_in_range, require_positive_int, require_seed

USER_SEGMENT = "user_segment"
AGE_BAND = "age_band"
DEVICE = "device"
SITE = "site"
AD_CATEGORY = "ad_category"
CREATIVE = "creative"
SLOT = "slot"
AD_QUALITY = "ad_quality"
USER_VISITS = "user_visits_30d"
P_CLICK = "p_click"

CATEGORICAL_FIELDS = (USER_SEGMENT, AGE_BAND, DEVICE, SITE, C.HOUR, AD_CATEGORY, CREATIVE, SLOT)
NUMERIC_FIELDS = (AD_QUALITY, USER_VISITS)
FEATURES = CATEGORICAL_FIELDS + NUMERIC_FIELDS
PLANTED_INTERACTIONS = ((USER_SEGMENT, AD_CATEGORY), (DEVICE, CREATIVE), (SITE, C.HOUR))

DEFAULT_N = 300_000
DEFAULT_BASE_CTR = 0.05
DEFAULT_WORLD_SEED = 2024

_AD_CATEGORIES = (
    "apparel", "auto", "beauty", "electronics", "finance", "food",
    "gaming", "home", "insurance", "sports", "telecom", "travel",
)
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_DEVICES = ("desktop", "mobile", "tablet")
_N_SEGMENTS = 10
_SLOT_EFFECT = np.array([0.0, -0.35, -0.7, -1.0])  # slots 1-4: lower slots are seen less
_NUMERIC_COEF = {AD_QUALITY: 1.5, USER_VISITS: 0.03}


_N_SITES, _N_CREATIVES = 20, 30
# (rank, scale) of each planted interaction: its logit term is scale * <u_a, v_b>
_INTERACTION_SHAPE = {
    (USER_SEGMENT, AD_CATEGORY): (2, 0.8),
    (DEVICE, CREATIVE): (1, 0.6),
    (SITE, C.HOUR): (1, 0.6),
}
_MAIN_SD = {USER_SEGMENT: 0.3, AGE_BAND: 0.2, DEVICE: 0.2, SITE: 0.4, AD_CATEGORY: 0.3, CREATIVE: 0.3}
_REFERENCE_N = 200_000


@dataclass(frozen=True, eq=False)
class ClickWorld:
    """The fixed truth behind the simulated click log: levels, effects and intercept.

    Introduced in lesson 11. Build it with :func:`make_click_world`; draw
    impressions with :meth:`sample`; get the true probability of any frame
    of impressions with :meth:`probability`.
    """

    levels: dict
    weights: dict
    creative_category: np.ndarray
    creative_quality: np.ndarray
    main: dict
    factors: dict
    interaction_scale: float
    intercept: float

    def sample(self, n_impressions: int, random_state=0) -> pd.DataFrame:
        """Give ``n_impressions`` impressions with their true ``p_click`` and a drawn ``click``."""
        n = require_positive_int(n_impressions, "n_impressions")
        rng = check_random_state(random_state)
        idx = _draw_indices(self, n, rng)
        logit = _logit_from_indices(self, idx)
        p = expit(logit)
        log = _frame_from_indices(self, idx)
        log[P_CLICK] = p
        log[C.CLICK] = (rng.random(n) < p).astype("int8")
        return log

    def logit(self, log: pd.DataFrame) -> np.ndarray:
        """Give the true click logit of every row of ``log`` (which needs the ``FEATURES`` columns)."""
        require_frame(log, FEATURES, "log")
        idx = {f: _level_index(self, log, f) for f in CATEGORICAL_FIELDS}
        idx[AD_QUALITY] = log[AD_QUALITY].to_numpy(dtype=float)
        idx[USER_VISITS] = log[USER_VISITS].to_numpy(dtype=float)
        return _logit_from_indices(self, idx)

    def probability(self, log: pd.DataFrame) -> np.ndarray:
        """Give the true click probability of every row of ``log``."""
        return expit(self.logit(log))


def simulate_click_log(
    n_impressions: int = DEFAULT_N,
    *,
    random_state=0,
    base_ctr: float = DEFAULT_BASE_CTR,
    interaction_scale: float = 1.0,
    world_seed: int = DEFAULT_WORLD_SEED,
) -> pd.DataFrame:
    """Give a simulated display-ad impression log with the true click probability of each row.

    Introduced in lesson 11.

    Parameters
    ----------
    n_impressions : int
        Rows to draw (default 300,000).
    random_state : None, int or numpy Generator
        Draws the impressions and clicks. Two seeds give two
        independent logs from the same world (same effects).
    base_ctr : float
        Mean click probability of the world, in (0, 0.5].
    interaction_scale : float
        Multiplies the planted pairwise interactions (0 removes them, so a
        logistic regression on the raw fields is then the true model).
    world_seed : int
        Seed of the world itself (levels, effects, interactions): an integer
        key, because worlds are cached, so not a ``random_state``.

    Returns
    -------
    pandas.DataFrame
        Columns ``FEATURES`` (string fields as ``category``, ``hour`` 0-23 and
        ``slot`` 1-4 as integers, ``ad_quality`` in [0, 1], ``user_visits_30d``
        a count), then ``p_click`` (the true probability) and ``click`` (0/1).
    """
    world = make_click_world(world_seed, base_ctr=base_ctr, interaction_scale=interaction_scale)
    return world.sample(n_impressions, random_state=random_state)


def make_click_world(
    world_seed: int = DEFAULT_WORLD_SEED,
    *,
    base_ctr: float = DEFAULT_BASE_CTR,
    interaction_scale: float = 1.0,
) -> ClickWorld:
    """Give the (cached, read-only) :class:`ClickWorld` for a seed, base CTR and interaction scale.

    Introduced in lesson 11.
    """
    world_seed = _check_seed(world_seed, "world_seed")
    base_ctr = require_in_range(base_ctr, "base_ctr", 0.0, 0.5, low_inclusive=False)
    interaction_scale = require_in_range(interaction_scale, "interaction_scale", 0.0, 10.0)
    return _cached_world(world_seed, base_ctr, interaction_scale)


@lru_cache(maxsize=16)
def _cached_world(world_seed: int, base_ctr: float, interaction_scale: float) -> ClickWorld:
    n_sites, n_creatives = _N_SITES, _N_CREATIVES
    rng = np.random.default_rng(world_seed)
    levels = {
        USER_SEGMENT: np.array([f"seg_{i:02d}" for i in range(_N_SEGMENTS)]),
        AGE_BAND: np.array(_AGE_BANDS),
        DEVICE: np.array(_DEVICES),
        SITE: np.array([f"site_{i:02d}" for i in range(n_sites)]),
        C.HOUR: np.arange(24),
        AD_CATEGORY: np.array(_AD_CATEGORIES),
        CREATIVE: np.array([f"cr_{i:03d}" for i in range(n_creatives)]),
        SLOT: np.arange(1, 5),
    }
    hours = np.arange(24)
    weights = {
        USER_SEGMENT: rng.dirichlet(np.full(_N_SEGMENTS, 5.0)),
        AGE_BAND: np.array([0.12, 0.24, 0.22, 0.18, 0.14, 0.10]),
        DEVICE: np.array([0.35, 0.55, 0.10]),
        SITE: _zipf(n_sites, 1.0),
        C.HOUR: _normalise(1.0 + 0.8 * np.sin((hours - 9) / 24 * 2 * np.pi)),
        CREATIVE: _zipf(n_creatives, 0.8)[rng.permutation(n_creatives)],
        SLOT: np.array([0.4, 0.3, 0.2, 0.1]),
    }
    # every category gets at least one creative
    creative_category = np.concatenate(
        [np.arange(len(_AD_CATEGORIES)), rng.integers(0, len(_AD_CATEGORIES), n_creatives - len(_AD_CATEGORIES))]
    )
    main = {f: rng.normal(0.0, sd, len(levels[f])) for f, sd in _MAIN_SD.items()}
    main[C.HOUR] = 0.25 * np.sin((hours - 14) / 24 * 2 * np.pi)
    main[SLOT] = _SLOT_EFFECT.copy()
    factors = {}
    for (a, b), (rank, scale) in _INTERACTION_SHAPE.items():
        u = rng.normal(0.0, 1.0, (len(levels[a]), rank))
        v = rng.normal(0.0, 1.0, (len(levels[b]), rank))
        factors[(a, b)] = (u * np.sqrt(scale / np.sqrt(rank)), v * np.sqrt(scale / np.sqrt(rank)))
    world = ClickWorld(
        levels=levels,
        weights=weights,
        creative_category=creative_category,
        creative_quality=rng.beta(4.0, 4.0, n_creatives),
        main=main,
        factors=factors,
        interaction_scale=interaction_scale,
        intercept=0.0,
    )
    ref = _draw_indices(world, _REFERENCE_N, np.random.default_rng([world_seed, 1]))
    z = _logit_from_indices(world, ref)
    intercept = brentq(lambda b: expit(z + b).mean() - base_ctr, -30.0, 30.0, xtol=1e-10)
    object.__setattr__(world, "intercept", float(intercept))
    _freeze(world)
    return world


def _zipf(n: int, s: float) -> np.ndarray:
    return _normalise(1.0 / np.arange(1, n + 1) ** s)


def _normalise(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


def _freeze(world: ClickWorld) -> None:
    arrays = [world.creative_category, world.creative_quality]
    arrays += list(world.levels.values()) + list(world.weights.values()) + list(world.main.values())
    arrays += [m for pair in world.factors.values() for m in pair]
    for arr in arrays:
        arr.setflags(write=False)


def _check_seed(seed: object, arg: str) -> int:
    return require_seed(seed, arg)


def _draw_indices(world: ClickWorld, n: int, rng: np.random.Generator) -> dict:
    idx = {}
    for field in (USER_SEGMENT, AGE_BAND, DEVICE, SITE, C.HOUR, CREATIVE, SLOT):
        w = world.weights[field]
        idx[field] = rng.choice(len(w), size=n, p=w)
    idx[AD_CATEGORY] = world.creative_category[idx[CREATIVE]]
    quality = world.creative_quality[idx[CREATIVE]] + rng.normal(0.0, 0.08, n)
    idx[AD_QUALITY] = np.clip(quality, 0.0, 1.0).round(3)
    idx[USER_VISITS] = rng.negative_binomial(2, 2 / (2 + 5.0), n).astype(float)
    return idx


def _logit_from_indices(world: ClickWorld, idx: dict) -> np.ndarray:
    z = np.full(len(idx[SLOT]), world.intercept)
    for field, effect in world.main.items():
        z += effect[idx[field]]
    for (a, b), (u, v) in world.factors.items():
        z += world.interaction_scale * np.einsum("ij,ij->i", u[idx[a]], v[idx[b]])
    for field, coef in _NUMERIC_COEF.items():
        z += coef * idx[field]
    return z


def _frame_from_indices(world: ClickWorld, idx: dict) -> pd.DataFrame:
    cols = {}
    for field in CATEGORICAL_FIELDS:
        labels = world.levels[field]
        if field in (C.HOUR, SLOT):
            cols[field] = labels[idx[field]].astype("int8")
        else:
            cols[field] = pd.Categorical.from_codes(idx[field], categories=list(labels))
    cols[AD_QUALITY] = idx[AD_QUALITY]
    cols[USER_VISITS] = idx[USER_VISITS].astype("int64")
    return pd.DataFrame(cols)


def _level_index(world: ClickWorld, log: pd.DataFrame, field: str) -> np.ndarray:
    labels = world.levels[field]
    values = log[field]
    if field in (C.HOUR, SLOT):
        values = pd.to_numeric(values, errors="coerce")
    codes = pd.Index(labels).get_indexer(np.asarray(values))
    if (codes < 0).any():
        bad = values[codes < 0].iloc[0]
        raise ValueError(
            f"log: expected column {field!r} to hold levels of the simulated world "
            f"({list(labels[:3])}...), got {bad!r}"
        )
    return codes.astype(np.int64)
