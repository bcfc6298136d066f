"""Privacy for marketing data: keyed pseudonyms, k-anonymity, and differentially private reports.

Three tools a marketing team needs before customer data leaves the system
that collected it:

* **pseudonymisation**: a customer ID replaced by a keyed hash (HMAC-SHA256)
  whose key lives in a secret store, never next to the data. A plain hash is
  *not* anonymous: anyone can hash every possible ID and look the hashes up
  (:func:`dictionary_attack`).
* **k-anonymity and l-diversity**: every combination of quasi-identifiers
  (age, job, ...) shared by at least ``k`` people, after generalising values
  (:func:`generalise`) and suppressing the rare combinations (:func:`suppress`).
* **differential privacy** for published counts and rates: the Laplace
  mechanism (:func:`laplace_mechanism`) and a budget that adds up the
  ``epsilon`` of repeated queries (:class:`PrivacyBudget`).

Introduced in lesson 18.

References
----------
Krawczyk, H., Bellare, M. & Canetti, R. (1997). HMAC: keyed-hashing for message
authentication. RFC 2104.
Sweeney, L. (2002). k-anonymity: a model for protecting privacy. *International
Journal of Uncertainty, Fuzziness and Knowledge-Based Systems* 10(5), 557-570.
Machanavajjhala, A., Kifer, D., Gehrke, J. & Venkitasubramaniam, M. (2007).
l-diversity: privacy beyond k-anonymity. *ACM TKDD* 1(1).
Dwork, C. & Roth, A. (2014). The algorithmic foundations of differential
privacy. *Foundations and Trends in Theoretical Computer Science* 9(3-4).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .randomness import check_random_state, library_seed
from .validation import require_frame, require_positive_int

#: Environment variable that holds the pseudonymisation key (lesson 18).
KEY_ENV = "PMKT_PSEUDONYM_KEY"
CLASS_SIZE = "class_size"


class PrivacyBudgetExceeded(ValueError):
    """Raised when a query would spend more ``epsilon`` than the budget has left."""


# --------------------------------------------------------------------------- pseudonymisation


def _as_text(values: object, arg: str = "values") -> list[str]:
    """Give ``values`` (a Series, array, list or one scalar) as a list of non-empty strings."""
    if isinstance(values, (str, bytes, int, np.integer)):
        values = [values]
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    if not isinstance(values, (list, tuple, np.ndarray, pd.Index)):
        raise TypeError(f"{arg}: expected a Series, array, list or one ID, got {type(values).__name__}")
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            raise ValueError(f"{arg}: expected no missing IDs, got {v!r}; drop them before pseudonymising")
        text = v.decode() if isinstance(v, bytes) else str(v)
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            text = str(int(v))  # 12346.0 and 12346 are the same customer
        if not text.strip():
            raise ValueError(f"{arg}: expected non-empty IDs, got an empty string")
        out.append(text)
    if not out:
        raise ValueError(f"{arg}: expected at least one ID, got none")
    return out


def _as_key(key: object, arg: str = "key") -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError(f"{arg}: expected a secret key as str or bytes, got {type(key).__name__}")
    if len(key) == 0:
        raise ValueError(f"{arg}: expected a non-empty secret key, got an empty one")
    return bytes(key)


def plain_hash(values: object) -> np.ndarray:
    """Give the unsalted SHA-256 hex digest of every ID: *not* a safe pseudonym.

    Introduced in lesson 18. The same ID always gives the same digest, and
    anyone can compute it, so a list of all possible IDs reverses it
    (:func:`dictionary_attack`).

    Parameters
    ----------
    values : Series, array, list of IDs, or one ID
        Numbers are hashed as their decimal text (``12346.0`` as ``"12346"``).

    Returns
    -------
    ndarray of str
        64-character hex digests, in the input order.
    """
    return np.array([hashlib.sha256(t.encode("utf-8")).hexdigest() for t in _as_text(values)], dtype=object)


def keyed_pseudonym(values: object, key: str | bytes) -> np.ndarray:
    """Give the HMAC-SHA256 pseudonym of every ID under a secret ``key``.

    Introduced in lesson 18.

    .. math:: \\mathrm{HMAC}(K, m) = H\\big((K' \\oplus opad) \\,\\|\\, H((K' \\oplus ipad) \\,\\|\\, m)\\big)

    with ``H`` = SHA-256. Without ``K`` nobody can compute the pseudonym of a
    guessed ID, so a dictionary attack fails; with the same ``K`` one ID
    always gives the same pseudonym, so tables can still be joined.

    Parameters
    ----------
    values : Series, array, list of IDs, or one ID
    key : str or bytes
        The secret; read it with :func:`key_from_env`, never store it with
        the data.

    Returns
    -------
    ndarray of str
        64-character hex pseudonyms, in the input order.

    References
    ----------
    Krawczyk, Bellare & Canetti (1997), RFC 2104.
    """
    secret = _as_key(key)
    return np.array(
        [hmac.new(secret, t.encode("utf-8"), hashlib.sha256).hexdigest() for t in _as_text(values)],
        dtype=object,
    )


def key_from_env(name: str = KEY_ENV) -> bytes:
    """Give the pseudonymisation key held in the environment variable ``name``.

    Introduced in lesson 18. In production the variable is filled from a
    secret store (a vault, the cloud provider's secret manager) when the job
    starts; the key is never written next to the pseudonymised data.

    Raises
    ------
    ValueError
        If the variable is unset or empty.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected the name of an environment variable, got {name!r}")
    value = os.environ.get(name, "")
    if not value:
        raise ValueError(f"name: expected environment variable {name!r} to hold a secret key, got nothing")
    return value.encode("utf-8")


def dictionary_attack(digests: object, candidates: object) -> pd.Series:
    """Give, for every digest, the candidate ID whose plain SHA-256 equals it (None if none does).

    Introduced in lesson 18. The attacker hashes every candidate once and
    looks the digests up in that table: the cost is one hash per candidate,
    whatever the number of digests.

    Parameters
    ----------
    digests : array-like of str
        Released hex digests (pseudonyms).
    candidates : array-like of IDs
        Every ID the attacker thinks possible (e.g. all 5-digit numbers).

    Returns
    -------
    Series of object, indexed by the digests in input order
        The recovered ID as text, or None.
    """
    wanted = _as_text(digests, "digests")
    names = _as_text(candidates, "candidates")
    table = dict(zip(plain_hash(names), names, strict=True))
    return pd.Series([table.get(d) for d in wanted], index=pd.Index(wanted, name="digest"),
                     name="recovered", dtype=object)


def rotation_table(values: object, old_key: str | bytes, new_key: str | bytes) -> pd.DataFrame:
    """Give the map from old to new pseudonyms when the key is rotated.

    Introduced in lesson 18. HMAC cannot be inverted, so rotation happens
    where the original IDs are kept: every ID is pseudonymised under both
    keys, and the analytics side receives only the ``old -> new`` table to
    re-key its tables (then both the table and the old key are destroyed).

    Returns
    -------
    DataFrame
        ``old_pseudonym, new_pseudonym``, one row per distinct ID.
    """
    ids = list(dict.fromkeys(_as_text(values)))
    if _as_key(old_key, "old_key") == _as_key(new_key, "new_key"):
        raise ValueError("new_key: expected a key different from old_key, got the same key")
    return pd.DataFrame(
        {"old_pseudonym": keyed_pseudonym(ids, old_key), "new_pseudonym": keyed_pseudonym(ids, new_key)}
    )


# --------------------------------------------------------------------------- k-anonymity


def _qi(df: object, quasi_identifiers: Iterable[str], arg: str = "df") -> list[str]:
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    cols = list(quasi_identifiers)
    if not cols:
        raise ValueError("quasi_identifiers: expected at least one column name, got none")
    require_frame(df, cols, arg)
    return cols


def class_sizes(df: pd.DataFrame, quasi_identifiers: Iterable[str]) -> pd.Series:
    """Give, for every row, how many rows share its combination of quasi-identifiers.

    Introduced in lesson 18. Rows with the same values of all
    ``quasi_identifiers`` form an *equivalence class*; a row in a class of
    size 1 is unique and can be singled out by anyone who knows those values.

    Returns
    -------
    Series of int, aligned with ``df.index``, named ``class_size``
    """
    cols = _qi(df, quasi_identifiers)
    return df.groupby(cols, observed=True, dropna=False)[cols[0]].transform("size").rename(CLASS_SIZE).astype(np.int64)


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Iterable[str]) -> int:
    """Give k: the size of the smallest equivalence class over ``quasi_identifiers``.

    Introduced in lesson 18. A table is k-anonymous when every person is
    indistinguishable from at least ``k - 1`` others on the quasi-identifiers.

    References
    ----------
    Sweeney (2002).
    """
    return int(class_sizes(df, quasi_identifiers).min())


def l_diversity(df: pd.DataFrame, quasi_identifiers: Iterable[str], sensitive: str) -> int:
    """Give l: the smallest number of distinct ``sensitive`` values within an equivalence class.

    Introduced in lesson 18 (distinct l-diversity). ``l = 1`` means some class
    holds a single sensitive value: knowing someone is in that class reveals
    it (the homogeneity attack), however large ``k`` is.

    References
    ----------
    Machanavajjhala et al. (2007).
    """
    cols = _qi(df, quasi_identifiers)
    require_frame(df, [sensitive], "df")
    if sensitive in cols:
        raise ValueError(f"sensitive: expected a column that is not a quasi-identifier, got {sensitive!r}")
    return int(df.groupby(cols, observed=True, dropna=False)[sensitive].nunique(dropna=False).min())


def generalise(df: pd.DataFrame, rules: Mapping[str, object]) -> pd.DataFrame:
    """Give a copy of ``df`` with coarser quasi-identifiers: numbers into bands, categories into groups.

    Introduced in lesson 18.

    Parameters
    ----------
    df : DataFrame
        Not modified.
    rules : mapping column -> rule
        A rule is either a sorted list of band edges for a numeric column
        (``[18, 30, 40, 50, 60, 100]`` gives bands ``"18-29"``, ...,
        left-closed; values outside the edges raise), a dict mapping each
        category to its group (every value present must be mapped), or the
        string ``"*"`` to drop the detail altogether (one value ``"*"``).

    Returns
    -------
    DataFrame
        The generalised columns as ``category``; other columns unchanged.
    """
    require_frame(df, arg="df")
    if not isinstance(rules, Mapping) or not rules:
        raise TypeError(f"rules: expected a non-empty mapping column -> rule, got {type(rules).__name__}")
    require_frame(df, list(rules), "df")
    out = df.copy()
    for col, rule in rules.items():
        if isinstance(rule, str):
            if rule != "*":
                raise ValueError(f"rules[{col!r}]: expected band edges, a mapping or '*', got {rule!r}")
            out[col] = pd.Categorical(np.full(len(df), "*"))
        elif isinstance(rule, Mapping):
            values = df[col].astype(object)
            unmapped = sorted(set(values.unique()) - set(rule), key=str)
            if unmapped:
                raise ValueError(f"rules[{col!r}]: expected a group for every value, got none for {unmapped[:5]}")
            out[col] = pd.Categorical(values.map(rule), categories=list(dict.fromkeys(rule.values())))
        else:
            edges = np.asarray(rule, dtype=float)
            if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
                raise ValueError(f"rules[{col!r}]: expected at least two increasing band edges, got {rule!r}")
            if not pd.api.types.is_numeric_dtype(df[col]):
                raise TypeError(f"df: expected column {col!r} to be numeric for band edges, got dtype {df[col].dtype}")
            x = df[col].to_numpy(dtype=float)
            outside = (x < edges[0]) | (x >= edges[-1]) | np.isnan(x)
            if outside.any():
                raise ValueError(
                    f"rules[{col!r}]: expected every value in [{edges[0]:g}, {edges[-1]:g}), "
                    f"got {int(outside.sum())} outside (first: {x[outside][0]!r})"
                )
            labels = [f"{lo:g}-{hi - 1:g}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
            out[col] = pd.cut(x, edges, right=False, labels=labels)
    return out


def suppress(df: pd.DataFrame, quasi_identifiers: Iterable[str], k: int) -> pd.DataFrame:
    """Give the rows of ``df`` whose equivalence class has at least ``k`` rows (the rest suppressed).

    Introduced in lesson 18. After suppression the table is k-anonymous on
    ``quasi_identifiers``; the price is the rows dropped, so generalise first
    and suppress only the few rare combinations left.
    """
    k = require_positive_int(k, "k")
    sizes = class_sizes(df, quasi_identifiers)
    return df[sizes.to_numpy() >= k].copy()


# --------------------------------------------------------------------------- differential privacy


def _positive(value: object, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{arg}: expected a positive number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{arg}: expected a finite number > 0, got {value!r}")
    return float(value)


def laplace_scale(sensitivity: float, epsilon: float) -> float:
    """Give the Laplace noise scale ``b = sensitivity / epsilon``; the noise variance is ``2 b**2``.

    Introduced in lesson 18.
    """
    return _positive(sensitivity, "sensitivity") / _positive(epsilon, "epsilon")


def laplace_mechanism(value: object, *, sensitivity: float, epsilon: float, random_state: object = None):
    """Give ``value`` plus Laplace noise of scale ``sensitivity / epsilon``: an epsilon-DP release.

    Introduced in lesson 18.

    .. math:: M(x) = f(x) + \\mathrm{Lap}(b), \\quad b = \\Delta f / \\varepsilon, \\quad
              p(z) = \\frac{1}{2b} e^{-|z| / b}, \\quad \\mathrm{Var} = 2 b^2

    where the sensitivity :math:`\\Delta f` is the most one person can change
    ``f`` (1 for a count). Then for any two data sets differing in one person
    the probabilities of any output differ by a factor of at most
    :math:`e^{\\varepsilon}`.

    Parameters
    ----------
    value : float or array-like of float
        The true answer(s); each gets its own independent noise.
    sensitivity : float
        :math:`\\Delta f > 0`.
    epsilon : float
        Privacy loss ``> 0``; smaller is more private and noisier.
    random_state : None, int or numpy Generator

    Returns
    -------
    float, or ndarray of the shape of ``value``

    References
    ----------
    Dwork, McSherry, Nissim & Smith (2006). Calibrating noise to sensitivity in
    private data analysis. *TCC*. Dwork & Roth (2014), section 3.3.
    """
    scale = laplace_scale(sensitivity, epsilon)
    if isinstance(value, (str, bytes, bool)):
        raise TypeError(f"value: expected a number or an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"value: expected a number or an array of numbers, got {type(value).__name__}") from exc
    if arr.size == 0:
        raise ValueError("value: expected at least one number, got none")
    if not np.isfinite(arr).all():
        raise ValueError(f"value: expected finite numbers, got {int((~np.isfinite(arr)).sum())} NaN or inf")
    rng = check_random_state(random_state)
    noisy = arr + rng.laplace(0.0, scale, size=arr.shape)
    return float(noisy) if noisy.ndim == 0 else noisy


def private_rate(successes: int, n: int, *, epsilon: float, random_state: object = None) -> dict:
    """Give a differentially private conversion rate: noisy successes over a noisy count.

    Introduced in lesson 18. The budget is split in half: ``epsilon / 2`` for
    each count (sensitivity 1), so the pair costs ``epsilon`` by sequential
    composition. Noisy counts are clipped at 0 (and the successes at the
    noisy count), which costs no privacy (post-processing).

    Returns
    -------
    dict
        ``successes``, ``n`` (the noisy counts) and ``rate`` (their ratio, NaN if
        the noisy count is 0).
    """
    for arg, x in (("successes", successes), ("n", n)):
        if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 0:
            raise ValueError(f"{arg}: expected a whole number >= 0, got {x!r}")
    if successes > n:
        raise ValueError(f"successes: expected at most n = {n}, got {successes}")
    half = _positive(epsilon, "epsilon") / 2
    rng = check_random_state(random_state)
    noisy = laplace_mechanism(np.array([successes, n], dtype=float), sensitivity=1.0, epsilon=half,
                              random_state=rng)
    noisy_n = max(noisy[1], 0.0)
    noisy_s = min(max(noisy[0], 0.0), noisy_n)
    return {"successes": noisy_s, "n": noisy_n, "rate": noisy_s / noisy_n if noisy_n > 0 else float("nan")}


class PrivacyBudget:
    """A running total of the epsilon spent on one data set (sequential composition).

    Introduced in lesson 18. Answering queries with privacy losses
    :math:`\\varepsilon_1, \\dots, \\varepsilon_q` on the same people is
    :math:`(\\sum_i \\varepsilon_i)`-DP: every refresh of a dashboard spends
    budget, and once the budget is gone the data set must not be queried again.

    Parameters
    ----------
    total : float
        The whole budget, ``> 0``.

    Attributes
    ----------
    spent : float
        Epsilon spent so far.
    """

    def __init__(self, total: float):
        self.total = _positive(total, "total")
        self.spent = 0.0

    @property
    def remaining(self) -> float:
        """Give the epsilon left (0 once spent up to rounding)."""
        left = self.total - self.spent
        return 0.0 if left < 1e-9 * self.total else left

    def spend(self, epsilon: float) -> float:
        """Record a query costing ``epsilon`` and give the epsilon left; refuse if it would overspend.

        Raises
        ------
        PrivacyBudgetExceeded
            (a ``ValueError``) if ``epsilon`` exceeds what is left; nothing is spent then.
        """
        eps = _positive(epsilon, "epsilon")
        if eps > self.remaining + 1e-9 * self.total:
            raise PrivacyBudgetExceeded(
                f"epsilon: expected at most the {self.remaining:.4g} left of a budget of {self.total:g}, got {eps:g}"
            )
        self.spent += eps
        return self.remaining

    def __repr__(self) -> str:
        return f"PrivacyBudget(total={self.total:g}, spent={self.spent:.4g})"


def diffprivlib_laplace(*, sensitivity: float, epsilon: float, random_state: int | None = None):
    """Give diffprivlib's Laplace mechanism, the maintained implementation ours is checked against.

    Introduced in lesson 18. ``mech.randomise(value)`` gives one noisy release;
    ``mech.variance(value)`` its variance ``2 (sensitivity / epsilon)**2``.

    diffprivlib 0.6.6 imports its machine-learning models in its top-level
    ``__init__``, and those need a private name that scikit-learn 1.9 removed
    (``sklearn.tree._tree.DOUBLE``). Its ``mechanisms`` subpackage needs none of
    that, so when the top-level import fails it is loaded on its own.
    """
    import importlib
    import importlib.util
    import sys
    import types

    try:
        from diffprivlib.mechanisms import Laplace
    except ImportError:
        spec = importlib.util.find_spec("diffprivlib")
        if spec is None or not spec.submodule_search_locations:
            raise
        for name in [m for m in sys.modules if m == "diffprivlib" or m.startswith("diffprivlib.")]:
            del sys.modules[name]
        shell = types.ModuleType("diffprivlib")
        shell.__path__ = list(spec.submodule_search_locations)
        sys.modules["diffprivlib"] = shell
        Laplace = importlib.import_module("diffprivlib.mechanisms").Laplace
    return Laplace(epsilon=_positive(epsilon, "epsilon"), delta=0.0,
                   sensitivity=_positive(sensitivity, "sensitivity"),
                   random_state=None if random_state is None else library_seed(random_state))
