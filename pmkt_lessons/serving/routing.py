"""A/B routing by keyed hash: the same customer always gets the same variant, and no one can predict it.

A customer's variant is a pure function of their id::

    u = int(HMAC-SHA256(key, experiment + ":" + customer_id)[:8]) / 2**64      in [0, 1)
    variant = the first v with u < w_1 + ... + w_v                               (shares w)

so it needs no table, is the same on every server and after every restart,
and changes for everyone when the experiment name changes (a fresh, independent
split for the next test). The secret key (lesson 18's pseudonymisation) means
nobody outside can compute the split from an id and game it. The key comes
from the environment variable ``PMKT_AB_KEY``, never from the code.
Introduced in lesson 22.

References
----------
Krawczyk, H., Bellare, M. and Canetti, R. (1997). HMAC: keyed-hashing for
message authentication. RFC 2104.
Kohavi, R., Tang, D. and Xu, Y. (2020). *Trustworthy Online Controlled
Experiments*, chapters 4 and 21 (assignment by hashing; sample-ratio mismatch).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

AB_KEY_ENV = "PMKT_AB_KEY"
MIN_KEY_BYTES = 16
_SCALE = float(2**64)


def ab_key_from_env(env: str = AB_KEY_ENV) -> bytes:
    """Give the A/B routing key from the environment variable ``env``; raise if it is unset or short.

    Introduced in lesson 22.
    """
    if not isinstance(env, str) or not env:
        raise TypeError(f"env: expected the name of an environment variable, got {env!r}")
    value = os.environ.get(env)
    if not value:
        raise RuntimeError(
            f"{env}: expected a secret A/B routing key in this environment variable, got none; "
            f"set it, e.g. export {env}=$(python -c 'import secrets; print(secrets.token_hex(16))')"
        )
    return _check_key(value, env)


def _check_key(key: object, arg: str = "key") -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes):
        raise TypeError(f"{arg}: expected a str or bytes key, got {type(key).__name__}")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{arg}: expected a key of at least {MIN_KEY_BYTES} bytes, got {len(key)}")
    return key


def _check_variants(variants: object, shares: object) -> tuple[tuple[str, ...], np.ndarray]:
    if isinstance(variants, str) or not isinstance(variants, Sequence):
        raise TypeError(f"variants: expected a list or tuple of names, got {type(variants).__name__}")
    names = tuple(variants)
    if len(names) < 1 or not all(isinstance(v, str) and v for v in names):
        raise ValueError(f"variants: expected at least one non-empty name, got {list(names)}")
    if len(set(names)) != len(names):
        raise ValueError(f"variants: expected distinct names, got {list(names)}")
    if shares is None:
        weights = np.full(len(names), 1.0 / len(names))
    else:
        weights = np.asarray(shares, dtype=float).ravel()
        if weights.shape != (len(names),) or not np.isfinite(weights).all() or (weights <= 0).any():
            raise ValueError(f"shares: expected {len(names)} positive numbers (one per variant), got {shares!r}")
        weights = weights / weights.sum()
    return names, np.cumsum(weights)


def hash_unit(customer_id: object, key: str | bytes, experiment: str = "default") -> float:
    """Give the customer's position in [0, 1): the first 8 bytes of HMAC-SHA256(key, experiment:id) / 2**64.

    Introduced in lesson 22.
    """
    key = _check_key(key)
    if not isinstance(experiment, str) or not experiment:
        raise TypeError(f"experiment: expected a non-empty string, got {experiment!r}")
    if customer_id is None or isinstance(customer_id, (bool, float)):
        raise TypeError(f"customer_id: expected a str or int id, got {type(customer_id).__name__}")
    message = f"{experiment}:{customer_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def assign_variant(
    customer_id: object,
    key: str | bytes,
    variants: Sequence[str] = ("A", "B"),
    shares: Sequence[float] | None = None,
    experiment: str = "default",
) -> str:
    """Give the variant of one customer: stable for a key and experiment, unpredictable without the key.

    Introduced in lesson 22.

    Parameters
    ----------
    customer_id : str or int
        ``12345`` and ``"12345"`` get the same variant.
    key : str or bytes
        The secret routing key (at least 16 bytes), e.g. :func:`ab_key_from_env`.
    variants : sequence of str
        Variant names, in the order of ``shares``.
    shares : sequence of float, optional
        Planned share of each variant (normalised); equal by default.
    experiment : str
        Name of the experiment; a new name gives a new, independent split.
    """
    names, edges = _check_variants(variants, shares)
    u = hash_unit(customer_id, key, experiment)
    return names[min(int(np.searchsorted(edges, u, side="right")), len(names) - 1)]


def assign_variants(
    customer_ids: Iterable,
    key: str | bytes,
    variants: Sequence[str] = ("A", "B"),
    shares: Sequence[float] | None = None,
    experiment: str = "default",
) -> pd.Series:
    """Give the variant of every customer id, as a Series indexed by the ids (same rule as :func:`assign_variant`).

    HMAC has no vectorised form, so this hashes id by id (about a second per
    few hundred thousand ids); the bucketing is vectorised. Introduced in lesson 22.
    """
    if isinstance(customer_ids, (str, bytes)) or not isinstance(customer_ids, Iterable):
        raise TypeError(f"customer_ids: expected a list, array or Series of ids, got {type(customer_ids).__name__}")
    ids = list(customer_ids)
    names, edges = _check_variants(variants, shares)
    units = np.fromiter((hash_unit(c, key, experiment) for c in ids), dtype=float, count=len(ids))
    pos = np.minimum(np.searchsorted(edges, units, side="right"), len(names) - 1)
    return pd.Series(np.asarray(names, dtype=object)[pos], index=pd.Index(ids, name="customer_id"), name="variant")
