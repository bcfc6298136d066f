"""Bad input never gives a silent answer (issue 10).

Two parts:

* ``SPECIFIC``: the cases found by hand (a crash, a hang, silent wrong
  answers, unclear messages), each with the error it must now raise.
* ``TABLE``: one entry per public function and estimator of the package, with
  small good arguments. From each entry wrong inputs are generated
  (:func:`bad_values`): wrong types, empty and one-row inputs, a missing
  column, NaN, +-inf, negative and zero sizes, out-of-range numbers, text
  where a number or a flag belongs, and unfitted use of an estimator. Every
  call must give an answer or raise ``ValueError`` / ``TypeError`` whose
  message names the argument; none may hang (``time_limit``) or crash the
  interpreter (risky entries run in a forked child), no input may be
  changed, and text given for a flag or a number must be refused.
  ``test_every_public_name_has_an_entry`` fails when a public name is added
  to the package without an entry here.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import multiprocessing
import os
import pkgutil
import signal
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, is_dataclass

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

import pmkt_lessons
from pmkt_lessons import columns as C

# --------------------------------------------------------------------------- harness

TIMEOUT_S = 20  # generous: the machine is shared; a hang is minutes, not seconds
MAX_VARIANTS = 30  # per entry, sampled deterministically when more are generated (torch estimators: 8)


class Hang(Exception):
    """Raised by :func:`time_limit` when a call does not return in time."""


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`Hang` in the main thread if the block runs longer than ``seconds`` (SIGALRM)."""

    def handler(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _numeric_frame_column(df: pd.DataFrame):
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            return col
    return None


def _with(df: pd.DataFrame, col, value) -> pd.DataFrame:
    out = df.copy()
    out[col] = out[col].astype(float)
    out.iloc[0, out.columns.get_loc(col)] = value
    return out


def bad_values(value) -> list[tuple[str, object, bool]]:
    """Give ``(label, bad value, must_raise)`` for a good argument ``value``.

    ``must_raise``: the value can only be a mistake (text for a flag or a
    number, a string for a table), so an answer is a silent wrong answer.
    """
    nan, inf = float("nan"), float("inf")
    if value is None or callable(value) and not isinstance(value, BaseEstimator):
        return []
    if isinstance(value, (bool, np.bool_)):
        return [("text flag", "no", True), ("int flag", 1, False)]
    if isinstance(value, (int, np.integer)):
        return [("negative", -1, False), ("zero", 0, False), ("text number", "3", True), ("fraction", 2.5, False)]
    if isinstance(value, (float, np.floating)):
        return [("nan", nan, False), ("+inf", inf, False), ("-inf", -inf, False), ("negative", -1.0, False),
                ("above 1", 1.5, False), ("zero", 0.0, False), ("text number", "0.5", True)]
    if isinstance(value, (str, bytes)):
        return [("wrong type", 12345, False), ("unknown text", "no-such-thing", False)]
    if isinstance(value, pd.DataFrame):
        out = [("not a frame", "abc", True), ("empty", value.iloc[:0], False), ("one row", value.iloc[:1], False)]
        if len(value.columns):
            out.append(("missing column", value.drop(columns=value.columns[0]), False))
        col = _numeric_frame_column(value)
        if col is not None and len(value):
            out += [("NaN", _with(value, col, nan), False), ("inf", _with(value, col, inf), False)]
        return out
    if isinstance(value, pd.Series):
        out = [("text", "abc", True), ("empty", value.iloc[:0], False), ("one value", value.iloc[:1], False)]
        if pd.api.types.is_numeric_dtype(value) and not pd.api.types.is_bool_dtype(value) and len(value):
            out += [("NaN", value.astype(float).mask(value.index == value.index[0]), False),
                    ("inf", value.astype(float).where(value.index != value.index[0], inf), False)]
        return out
    if isinstance(value, np.ndarray) or isinstance(value, list) and value and all(
        isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in value
    ):
        arr = np.asarray(value)
        back = (lambda a: a.tolist()) if isinstance(value, list) else (lambda a: a)
        out = [("text", "abc", True), ("empty", back(arr[:0]), False), ("one value", back(arr[:1]), False)]
        if arr.dtype.kind in "iuf" and arr.size:
            for label, x in (("NaN", nan), ("inf", inf)):
                bad = arr.astype(float).copy()
                bad.flat[0] = x
                out.append((label, back(bad), False))
            if arr.ndim == 1:
                out.append(("column vector", arr.reshape(-1, 1), False))
        return out
    if isinstance(value, (list, tuple, dict, set)):
        return [("text", "abc", True), ("empty", type(value)(), False)]
    return [("wrong type", "abc", True)]


@dataclass
class Entry:
    """A public callable with good arguments; bad ones are generated from them."""

    func: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    risky: bool = False  # may crash the interpreter: run in a forked child
    run_good: bool = True  # False where the good call is slow (a dataset load); only bad inputs run
    skip: tuple = ()  # arguments not varied (with the reason in a comment at the entry)
    aliases: dict = field(default_factory=dict)  # argument -> other words its messages may use
    names: tuple = ()  # words any message may use for any argument (the ``arg`` label of a validation helper)
    text_ok: tuple = ()  # arguments for which one string is a documented value (one ID, one digest)
    max_variants: int = MAX_VARIANTS

    def opts(self, **kw) -> Entry:
        for k, v in kw.items():
            setattr(self, k, v)
        return self


def E(func, *args, **kwargs) -> Entry:
    return Entry(func, args, kwargs)


@dataclass
class Est:
    """An estimator: how to build it, what fit takes, and a method that needs a fitted model."""

    make: Callable[[], BaseEstimator]
    fit_args: tuple
    use: str | Callable  # a method name (called with use_args) or a function of the fitted model
    use_args: tuple | None = None  # default: the first fit argument
    max_variants: int = MAX_VARIANTS
    skip: tuple = ()
    fit: Callable | None = None  # how to fit when it is not model.fit(*fit_args); fit arguments not varied then

    def do_fit(self, model, args):
        return self.fit(model) if self.fit is not None else model.fit(*args)

    def do_use(self, model):
        if callable(self.use):
            return self.use(model)
        args = self.use_args if self.use_args is not None else self.fit_args[:1]
        return getattr(model, self.use)(*args)


def _snapshot(value):
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, list, dict, set)):
        return copy.deepcopy(value)
    if sp.issparse(value):
        return value.copy()
    return None


def _unchanged(before, after) -> bool:
    if before is None:
        return True
    if isinstance(before, (pd.DataFrame, pd.Series)):
        return before.equals(after) and list(getattr(before, "columns", [])) == list(getattr(after, "columns", []))
    if isinstance(before, np.ndarray):
        return before.shape == after.shape and bool(np.array_equal(before, after, equal_nan=before.dtype.kind == "f"))
    if sp.issparse(before):
        return (before != after).nnz == 0
    try:
        return bool(before == after)
    except Exception:  # noqa: BLE001 - containers of arrays: compare their repr
        return repr(before) == repr(after)


def _all_nan(result) -> bool:
    if isinstance(result, float):
        return math.isnan(result)
    if isinstance(result, np.ndarray) and result.dtype.kind == "f" and result.size:
        return bool(np.isnan(result).all())
    return False


# Bad inputs whose fault may lie with a partner argument (lengths that disagree, a frame
# without the column another argument names): the message may name any argument of the call.
RELATIONAL = {"empty", "one value", "one row", "column vector", "missing column", "NaN", "inf"}


def _call(func, args, kwargs, arg_name: str, must_raise: bool, label: str, aliases=(), bad=None) -> str | None:
    """Run one call; give a description of what is wrong with its outcome, or None.

    A ``ValueError``/``TypeError`` must name ``arg_name`` (or an alias); for a
    relational bad input any argument of ``func`` will do, and for bad text
    quoting the text is enough (``df: expected columns [...], missing ['x']``).
    """
    before = [_snapshot(a) for a in args] + [_snapshot(v) for v in kwargs.values()]
    try:
        with time_limit(TIMEOUT_S):
            result = func(*args, **kwargs)
    except Hang as exc:
        return f"hangs ({exc})"
    except (ValueError, TypeError) as exc:
        message = str(exc)
        names = (arg_name, *aliases) if arg_name else ()
        if label in RELATIONAL:
            try:
                names += tuple(inspect.signature(func).parameters)
            except (TypeError, ValueError):
                pass
        if isinstance(bad, str) and label in ("unknown text", "text"):
            names += (bad,)
        if isinstance(bad, (int, float)) and label == "wrong type":
            names += (str(bad),)
        if names and not any(n in message for n in names):
            return f"{type(exc).__name__} does not name {arg_name!r}: {message[:160]!r}"
        result = exc
    except FileNotFoundError as exc:  # Python's convention for a path that is not there
        if arg_name not in str(exc):
            return f"FileNotFoundError does not name {arg_name!r}: {str(exc)[:160]!r}"
        result = exc
    except Exception as exc:  # noqa: BLE001 - any other exception is a finding
        return f"raises {type(exc).__name__} (not ValueError/TypeError): {str(exc)[:160]!r}"
    else:
        if must_raise:
            return f"answers {type(result).__name__} instead of refusing"
        if label in ("nan", "+inf", "-inf", "NaN", "inf") and _all_nan(result):
            return "answers NaN (a silent answer)"
    after = list(args) + list(kwargs.values())
    for b, a in zip(before, after, strict=True):
        if not _unchanged(b, a):
            return "changes its input"
    return None


def _variants(entry: Entry):
    sig = inspect.signature(entry.func)
    bound = sig.bind(*entry.args, **entry.kwargs)
    out = []
    for name, value in bound.arguments.items():
        kind = sig.parameters[name].kind
        if name in entry.skip or kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        for label, bad, must_raise in bad_values(value):
            arguments = dict(bound.arguments)
            arguments[name] = bad
            new = inspect.BoundArguments(sig, arguments)
            out.append((name, label, new.args, new.kwargs, must_raise, bad))
    return out


def _sample(items: list, n: int, key: str) -> list:
    if len(items) <= n:
        return items
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    keep = sorted(rng.choice(len(items), size=n, replace=False))
    return [items[i] for i in keep]


def run_entry(name: str, entry: Entry) -> list[str]:
    problems = []
    if entry.run_good:
        try:
            with time_limit(TIMEOUT_S):
                entry.func(*entry.args, **entry.kwargs)
        except Exception as exc:  # noqa: BLE001 - the good arguments must work
            return [f"good arguments: {type(exc).__name__}: {str(exc)[:200]}"]
    variants = _sample(_variants(entry), entry.max_variants, name)
    bound = inspect.signature(entry.func).bind(*entry.args, **entry.kwargs)
    bound.apply_defaults()
    label_arg = bound.arguments.get("arg")
    own = (label_arg,) if isinstance(label_arg, str) else ()  # a validation helper names its label
    for arg, label, args, kwargs, must_raise, bad in variants:
        must_raise = must_raise and arg not in entry.text_ok
        aliases = tuple(entry.aliases.get(arg, ())) + entry.names + own
        problem = _call(entry.func, args, kwargs, arg, must_raise, label, aliases, bad)
        if problem:
            problems.append(f"{arg} = <{label}>: {problem}")
    problems.append(f"[{len(variants)} bad inputs]")
    return problems


def run_estimator(name: str, est: Est) -> list[str]:
    problems = []

    def fit_then_use(model, fit_args):
        est.do_fit(model, fit_args)
        return est.do_use(model)

    # unfitted use
    try:
        with time_limit(TIMEOUT_S):
            est.do_use(est.make())
        problems.append("use before fit: answers instead of NotFittedError")
    except NotFittedError:
        pass
    except Exception as exc:  # noqa: BLE001
        problems.append(f"use before fit: {type(exc).__name__} instead of NotFittedError: {str(exc)[:120]!r}")
    variants, names = _estimator_variants(name, est)
    for where, arg, label, bad, must_raise in variants:
        if where == "param":
            model = est.make().set_params(**{arg: bad})
            args = est.fit_args
        else:
            model = est.make()
            args = tuple(bad if i == names.index(arg) else a for i, a in enumerate(est.fit_args))
        fit_names = tuple(names) if label in RELATIONAL else ()
        problem = _call(lambda *a, _m=model: fit_then_use(_m, a), args, {}, arg, must_raise, label, fit_names, bad)
        if problem:
            problems.append(f"{where} {arg} = <{label}>: {problem}")
    problems.append(f"[{len(variants) + 1} bad inputs]")
    return problems


def _estimator_variants(name: str, est: Est):
    """Give the sampled ``(where, argument, label, bad value, must_raise)`` of an estimator, and fit's argument names."""
    variants = []
    for param, value in est.make().get_params(deep=False).items():
        if param in est.skip:
            continue
        for label, bad, must_raise in bad_values(value):
            variants.append(("param", param, label, bad, must_raise))
    names = list(inspect.signature(est.make().fit).parameters)
    for i, value in enumerate(est.fit_args if est.fit is None else ()):
        for label, bad, must_raise in bad_values(value):
            variants.append(("fit", names[i] if i < len(names) else f"arg{i}", label, bad, must_raise))
    return _sample(variants, est.max_variants, name), names


def _in_child(func, *args):
    """Run ``func(*args)`` in a forked child; a crash (segfault) becomes a reported problem."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def target():
        child.send(func(*args))
        child.close()

    proc = ctx.Process(target=target)
    proc.start()
    proc.join(TIMEOUT_S * 3)
    if proc.is_alive():
        proc.kill()
        return ["the child process did not finish (hang)"]
    if proc.exitcode != 0:
        return [f"the interpreter died (exit code {proc.exitcode}: a crash)"]
    return parent.recv()


# --------------------------------------------------------------------------- small synthetic inputs

RNG = np.random.default_rng(0)
os.environ.setdefault("PMKT_BAD_INPUT_TEST_KEY", "k" * 32)  # for key_from_env / ab_key_from_env


def _raw_retail() -> pd.DataFrame:
    rows = []
    t0 = pd.Timestamp("2011-01-03 09:00")
    for i in range(48):
        customer = 12340 + i % 6
        rows.append({
            C.INVOICE: str(536000 + i // 2), C.STOCK_CODE: f"2{i % 7:04d}",
            C.DESCRIPTION: ["RED MUG", "BLUE MUG", "TEA POT", "GARDEN GNOME", "RED BAG", "TEA CUP", "BLUE BAG"][i % 7],
            C.QUANTITY: 1 + i % 4, C.INVOICE_DATE: t0 + pd.Timedelta(days=2 * i, hours=i % 9),
            C.UNIT_PRICE: 1.25 + (i % 5), C.CUSTOMER_ID: float(customer), C.COUNTRY: ["UK", "France", "EIRE"][i % 3],
        })
    rows.append({**rows[3], C.INVOICE: "C536999", C.QUANTITY: -1, C.INVOICE_DATE: t0 + pd.Timedelta(days=30)})
    return pd.DataFrame(rows)


RAW = _raw_retail()


def _clean():
    from pmkt_lessons.cleaning import clean_transactions

    result = clean_transactions(RAW)
    cancellations = result.removed[result.removed[C.REMOVAL_REASON] == "cancellation invoice"].drop(columns=C.REMOVAL_REASON)
    return result, result.clean, cancellations


CLEANING, CLEAN, CANCELLATIONS = _clean()
X2 = RNG.normal(size=(40, 2))
Y01 = (X2[:, 0] + RNG.normal(size=40) > 0).astype(int)
T01 = np.tile([0, 1], 20)
P = np.clip(RNG.random(40), 0.05, 0.95)
SCORES = RNG.normal(size=(4, 6))
RECS = pd.DataFrame({C.USER: [1, 1, 2, 2], C.ITEM: ["a", "b", "a", "c"], C.RANK: [1, 2, 1, 2]})
TRUTH = pd.DataFrame({C.USER: [1, 2], C.ITEM: ["b", "d"]})


def _table() -> dict[str, Entry | Est]:
    """Name (module path below ``pmkt_lessons``) -> entry. Built lazily: imports are heavy."""
    from sklearn.tree import DecisionTreeClassifier

    from pmkt_lessons import (
        ads,
        auctions,
        behaviour,
        cleaning,
        contextual,
        evaluation,
        fairness,
        features,
        privacy,
        randomness,
        rules,
        segments,
        targeting,
        uplift,
    )
    from pmkt_lessons import popularity_bias as pb
    from pmkt_lessons import validation as v
    from pmkt_lessons.bandits import off_policy as op
    from pmkt_lessons.bandits import policies as bp
    from pmkt_lessons.ctr import encoding as enc
    from pmkt_lessons.ctr import metrics as cm
    from pmkt_lessons.experiments import analysis as ea
    from pmkt_lessons.experiments import design as ed
    from pmkt_lessons.experiments import sequential as es
    from pmkt_lessons.recsys import metrics as rm
    from pmkt_lessons.recsys import similarity as rsim
    from pmkt_lessons.recsys import split as rsplit
    from pmkt_lessons.recsys import topk
    from pmkt_lessons.serving import monitoring, routing
    from pmkt_lessons.text import tokens

    hours = np.arange(40) // 2
    value = np.linspace(0.5, 2.0, 40)
    top = np.linspace(0.2, 2.5, 40)[::-1].copy()
    pacing = ads.pace_budget(value, top, hours, budget=5.0)
    bids = pd.DataFrame({"a": [1.0, 2.0, 0.5], "b": [0.8, 2.5, 0.4]})
    log = pd.DataFrame({C.ITEM: [0, 1, 2, 0, 1, 2], "position": [1, 1, 1, 2, 2, 2], "click": [0, 1, 0, 1, 0, 0],
                        "segment": ["x", "y", "x", "y", "x", "y"]})
    policy = pd.DataFrame({1: [0.2, 0.3, 0.5], 2: [0.5, 0.25, 0.25]}, index=[0, 1, 2])
    rewards = np.array([0.0, 1, 0, 1, 1, 0, 0, 1])
    probs = np.full(8, 0.5)
    best = np.full((3, 5), 0.2)
    played = np.full((3, 5), 0.1)
    best_arm = np.zeros((3, 5), dtype=int)
    world = contextual.make_contextual_world(n_arms=3, random_state=0)
    groups = np.tile(["a", "b"], 20)
    audit_df = pd.DataFrame({"g": groups, "y": Y01, "selected": (P > 0.5).astype(int), "p": P})
    thresholds = fairness.equal_opportunity_thresholds(Y01, P, groups, 0.5)
    rfm = features.rfm_table(CLEAN, CANCELLATIONS)
    profiles = features.customer_profiles(CLEAN, CANCELLATIONS, n_bins=2)
    interest = features.interest_profiles(CLEAN, min_df=1)
    ab = pd.DataFrame({"arm": np.tile(["A", "B"], 20), "visit": Y01, "conversion": Y01 * T01, "spend": P * 10})
    onehot = rules.one_hot([["a", "b"], ["a", "c"], ["a", "b", "c"], ["b"]])
    mined = rules.mine_rules(onehot, 0.25, 0.3)
    qi = pd.DataFrame({"age": [30, 30, 40, 40, 50], "zip": ["1", "1", "2", "2", "3"], "sick": ["a", "b", "a", "a", "b"]})
    Z = segments.ward_linkage(X2)
    pairs = rsplit.label_test_pairs(CLEAN.iloc[:30], CLEAN.iloc[30:])
    popularity = pd.Series([10.0, 5, 3, 1], index=["a", "b", "c", "d"])
    dense01 = (RNG.random((5, 4)) < 0.5).astype(float)
    ref = monitoring.score_reference(P)
    bank = pd.DataFrame({"job": ["admin", "unknown", "tech", "tech"], "pdays": [-1, 3, -1, 5], "y": [0, 1, 0, 1],
                         "duration": [10, 20, 30, 40]})
    curve = targeting.profit_curve(P, Y01, cost=1.0, value=5.0)

    return {
        # ads
        "ads.cost_per_impression": E(ads.cost_per_impression, 4.0, "CPC", ctr=0.01),
        "ads.convert_price": E(ads.convert_price, 4.0, "CPM", "CPC", ctr=0.005),
        "ads.value_per_impression": E(ads.value_per_impression, P[:5], P[5:10], 20.0),
        "ads.shading_curve": E(ads.shading_curve, value, top, [0.5, 1.0]),
        "ads.pace_budget": E(ads.pace_budget, value, top, hours, budget=5.0),
        "ads.best_fixed_multiplier": E(ads.best_fixed_multiplier, value, top, budget=5.0),
        "ads.campaign_report": E(ads.campaign_report, pacing, Y01, Y01 * T01, value_per_conversion=3.0),
        # auctions
        "auctions.second_price_auction": E(auctions.second_price_auction, bids, reserve=0.6),
        "auctions.first_price_auction": E(auctions.first_price_auction, bids),
        "auctions.bid_against": E(auctions.bid_against, value, top),
        # bandits
        "bandits.off_policy.action_distribution": E(op.action_distribution, log),
        "bandits.off_policy.lookup_probabilities": E(op.lookup_probabilities, policy, log),
        "bandits.off_policy.support_gaps": E(op.support_gaps, policy, log),
        "bandits.off_policy.ips_estimate": E(op.ips_estimate, rewards, probs, probs),
        "bandits.off_policy.snips_estimate": E(op.snips_estimate, rewards, probs, probs),
        "bandits.off_policy.dr_estimate": E(op.dr_estimate, rewards, probs, probs, probs, probs),
        "bandits.off_policy.effective_sample_size": E(op.effective_sample_size, probs * 2),
        "bandits.off_policy.off_policy_estimates": E(op.off_policy_estimates, rewards, probs, probs, n_resamples=200),
        "bandits.off_policy.crossfit_reward_model": E(op.crossfit_reward_model, log, policy, n_folds=2),
        "bandits.policies.EpsilonGreedy": E(lambda epsilon=0.1, discount=1.0: bp.run_bandit(
            bp.EpsilonGreedy(epsilon, discount=discount), [0.1, 0.3], horizon=20, n_runs=3)),
        "bandits.policies.UCB1": E(lambda c=1.0, window=10: bp.run_bandit(
            bp.UCB1(c, window=window), [0.1, 0.3], horizon=20, n_runs=3)),
        "bandits.policies.ThompsonSampling": E(lambda alpha=1.0, beta=1.0: bp.run_bandit(
            bp.ThompsonSampling(alpha, beta), [0.1, 0.3], horizon=20, n_runs=3)),
        "bandits.policies.run_bandit": E(bp.run_bandit, bp.EpsilonGreedy(0.1), [0.1, 0.3], horizon=20, n_runs=3),
        "bandits.policies.regret_curve": E(bp.regret_curve, best, played, best_arm),
        # behaviour
        "behaviour.monthly_revenue": E(behaviour.monthly_revenue, CLEAN),
        "behaviour.hour_weekday_table": E(behaviour.hour_weekday_table, CLEAN),
        "behaviour.revenue_by_country": E(behaviour.revenue_by_country, CLEAN, top=2),
        "behaviour.concentration_curve": E(behaviour.concentration_curve, CLEAN),
        "behaviour.top_share": E(behaviour.top_share, CLEAN, fraction=0.2),
        "behaviour.cohort_retention": E(behaviour.cohort_retention, CLEAN, counts=True),
        # cleaning
        "cleaning.is_cancellation": E(cleaning.is_cancellation, RAW[C.INVOICE]),
        "cleaning.is_non_product_code": E(cleaning.is_non_product_code, RAW[C.STOCK_CODE]),
        "cleaning.quality_report": E(cleaning.quality_report, RAW),
        "cleaning.clean_transactions": E(cleaning.clean_transactions, RAW, drop_non_product=True),
        "cleaning.iqr_bounds": E(cleaning.iqr_bounds, CLEAN[C.REVENUE], 1.5),
        "cleaning.iqr_outliers": E(cleaning.iqr_outliers, CLEAN[C.REVENUE], 1.5),
        "cleaning.robust_zscore": E(cleaning.robust_zscore, CLEAN[C.REVENUE]),
        "cleaning.mad_outliers": E(cleaning.mad_outliers, CLEAN[C.REVENUE], 3.5),
        "cleaning.add_time_features": E(cleaning.add_time_features, CLEAN),
        # contextual
        "contextual.make_contextual_world": E(contextual.make_contextual_world, 3, 2, random_state=1),
        "contextual.LinUCB": E(lambda alpha=1.0, ridge=1.0: contextual.run_contextual_bandit(
            contextual.LinUCB(alpha, ridge), world, 10, n_runs=2)),
        "contextual.LinearThompsonSampling": E(lambda v=0.3, ridge=1.0: contextual.run_contextual_bandit(
            contextual.LinearThompsonSampling(v, ridge), world, 10, n_runs=2)),
        "contextual.run_contextual_bandit": E(contextual.run_contextual_bandit, contextual.LinUCB(), world, 10,
                                              n_runs=2),
        "contextual.contextual_greedy_policy": E(contextual.contextual_greedy_policy, log, "segment"),
        "contextual.contextual_target_probs": E(contextual.contextual_target_probs,
                                                contextual.contextual_greedy_policy(log, "segment"), log, "segment"),
        # ctr
        "ctr.encoding.hash_tokens": E(enc.hash_tokens, bank, ["job"]),
        "ctr.encoding.hash_bucket": E(enc.hash_bucket, "job=admin", 16),
        "ctr.encoding.hash_indices": E(enc.hash_indices, bank, ["job"], 16),
        "ctr.encoding.hash_features": E(enc.hash_features, bank, ["job"], 16),
        "ctr.encoding.hash_collisions": E(enc.hash_collisions, bank, ["job"], 16),
        "ctr.metrics.check_labels_and_probabilities": E(cm.check_labels_and_probabilities, Y01, P),
        "ctr.metrics.log_loss": E(cm.log_loss, Y01, P),
        "ctr.metrics.binary_entropy": E(cm.binary_entropy, 0.2),
        "ctr.metrics.normalized_entropy": E(cm.normalized_entropy, Y01, P),
        "ctr.metrics.calibration_table": E(cm.calibration_table, Y01, P, n_bins=4),
        "ctr.metrics.expected_calibration_error": E(cm.expected_calibration_error, Y01, P, n_bins=4),
        "ctr.metrics.expected_auc": E(cm.expected_auc, P),
        "ctr.metrics.expected_log_loss": E(cm.expected_log_loss, P),
        "ctr.metrics.bayes_ceiling": E(cm.bayes_ceiling, Y01, P),
        "ctr.metrics.ctr_scores": E(cm.ctr_scores, Y01, P, P),
        # evaluation
        "evaluation.paired_bootstrap": E(evaluation.paired_bootstrap, P, P[::-1].copy(), n_resamples=200),
        "evaluation.paired_auc_difference": E(evaluation.paired_auc_difference, Y01, P, P[::-1].copy(),
                                              n_resamples=100),
        # experiments
        "experiments.analysis.two_proportion_ztest": E(ea.two_proportion_ztest, 30, 1000, 45, 1000),
        "experiments.analysis.compare_proportions": E(ea.compare_proportions, ab, "arm", "visit", "A"),
        "experiments.analysis.compare_means": E(ea.compare_means, ab, "arm", "spend", "A", n_resamples=200),
        "experiments.analysis.sample_ratio_mismatch": E(ea.sample_ratio_mismatch, [500, 520]),
        "experiments.analysis.adjust_pvalues": E(ea.adjust_pvalues, [0.01, 0.04, 0.2]),
        "experiments.analysis.campaign_metrics": E(ea.campaign_metrics, ab, "arm", "A", cost_per_contact=0.1),
        "experiments.design.cohens_h": E(ed.cohens_h, 0.05, 0.06),
        "experiments.design.sample_size_per_arm": E(ed.sample_size_per_arm, 0.05, 0.01, relative=False),
        "experiments.design.power_two_proportions": E(ed.power_two_proportions, 0.05, 0.06, 5000),
        "experiments.design.minimum_detectable_effect": E(ed.minimum_detectable_effect, 0.05, 5000),
        "experiments.sequential.sequential_bounds": E(es.sequential_bounds, 3, n_grid=51),
        "experiments.sequential.first_crossing": E(es.first_crossing, RNG.normal(size=(4, 3)), np.full(3, 2.0)),
        # fairness
        "fairness.selection_rate": E(fairness.selection_rate, Y01),
        "fairness.true_positive_rate": E(fairness.true_positive_rate, Y01, Y01[::-1].copy()),
        "fairness.group_metrics": E(fairness.group_metrics, Y01, Y01[::-1].copy(), groups, P),
        "fairness.audit": E(fairness.audit, audit_df, "g", y_prob="p"),
        "fairness.disparities": E(fairness.disparities, fairness.audit(audit_df, "g")),
        "fairness.calibration_by_group": E(fairness.calibration_by_group, Y01, P, groups, 2),
        "fairness.equal_opportunity_thresholds": E(fairness.equal_opportunity_thresholds, Y01, P, groups, 0.5),
        "fairness.apply_thresholds": E(fairness.apply_thresholds, P, groups, thresholds),
        "fairness.proxy_auc": E(fairness.proxy_auc, pd.DataFrame(X2, columns=["u", "w"]), T01),
        # features
        "features.default_snapshot": E(features.default_snapshot, CLEAN),
        "features.invoice_table": E(features.invoice_table, CLEAN),
        "features.rfm_table": E(features.rfm_table, CLEAN, CANCELLATIONS, snapshot="2011-12-01"),
        "features.quantile_scores": E(features.quantile_scores, np.arange(10.0), 5, higher_is_better=False),
        "features.rfm_scores": E(features.rfm_scores, rfm, 2),
        "features.behaviour_features": E(features.behaviour_features, CLEAN, CANCELLATIONS),
        "features.customer_profiles": E(features.customer_profiles, CLEAN, CANCELLATIONS, n_bins=2),
        "features.scale_features": E(features.scale_features, profiles),
        "features.word_pattern": E(features.word_pattern, 3),
        "features.product_descriptions": E(features.product_descriptions, CLEAN),
        "features.customer_product_matrix": E(features.customer_product_matrix, CLEAN),
        "features.interest_profiles": E(features.interest_profiles, CLEAN, binary=True, min_df=1),
        "features.top_terms": E(features.top_terms, np.array([[0.1, 0.5, 0.2]]), np.array(["mug", "tea", "bag"]), 2),
        "features.customer_top_terms": E(features.customer_top_terms, interest, list(interest.customers[:2]), 2),
        # popularity bias
        "popularity_bias.gini": E(pb.gini, [1.0, 2.0, 5.0]),
        "popularity_bias.item_exposure": E(pb.item_exposure, RECS, ["a", "b", "c", "d"], k=2),
        "popularity_bias.head_items": E(pb.head_items, popularity, 0.25),
        "popularity_bias.exposure_report": E(pb.exposure_report, RECS, popularity, 2),
        "popularity_bias.popularity_penalty_rerank": E(pb.popularity_penalty_rerank, SCORES[:, :4],
                                                       popularity.to_numpy(), 0.5, 2),
        # privacy
        "privacy.plain_hash": E(privacy.plain_hash, ["a@x.org", "b@y.org"]).opts(text_ok=("values", "digests", "candidates")),
        "privacy.keyed_pseudonym": E(privacy.keyed_pseudonym, ["a@x.org"], b"k" * 32).opts(text_ok=("values", "digests", "candidates")),
        "privacy.dictionary_attack": E(privacy.dictionary_attack, privacy.plain_hash(["a"]), ["a", "b"]).opts(text_ok=("values", "digests", "candidates")),
        "privacy.rotation_table": E(privacy.rotation_table, ["a", "b"], b"k" * 32, b"j" * 32).opts(text_ok=("values", "digests", "candidates")),
        "privacy.class_sizes": E(privacy.class_sizes, qi, ["age", "zip"]),
        "privacy.k_anonymity": E(privacy.k_anonymity, qi, ["age", "zip"]),
        "privacy.l_diversity": E(privacy.l_diversity, qi, ["age", "zip"], "sick"),
        "privacy.generalise": E(privacy.generalise, qi, {"age": [0, 35, 100]}),
        "privacy.suppress": E(privacy.suppress, qi, ["age", "zip"], 2),
        "privacy.laplace_scale": E(privacy.laplace_scale, 1.0, 0.5),
        "privacy.laplace_mechanism": E(privacy.laplace_mechanism, 10.0, sensitivity=1.0, epsilon=0.5, random_state=0),
        "privacy.private_rate": E(privacy.private_rate, 30, 100, epsilon=1.0, random_state=0),
        "privacy.PrivacyBudget": E(lambda total=1.0, spend=0.4: privacy.PrivacyBudget(total).spend(spend)),
        # randomness
        "randomness.check_random_state": E(randomness.check_random_state, 3),
        "randomness.draw_seed": E(randomness.draw_seed, 3),
        "randomness.library_seed": E(randomness.library_seed, 3),
        "randomness.torch_generator": E(randomness.torch_generator, 3),
        # recsys (functions)
        "recsys.metrics.ranked_lists": E(rm.ranked_lists, RECS, 2),
        "recsys.metrics.per_user_metrics": E(rm.per_user_metrics, RECS, TRUTH, 2),
        "recsys.metrics.precision_at_k": E(rm.precision_at_k, RECS, TRUTH, 2),
        "recsys.metrics.recall_at_k": E(rm.recall_at_k, RECS, TRUTH, 2),
        "recsys.metrics.ndcg_at_k": E(rm.ndcg_at_k, RECS, TRUTH, 2),
        "recsys.metrics.map_at_k": E(rm.map_at_k, RECS, TRUTH, 2),
        "recsys.metrics.hit_rate_at_k": E(rm.hit_rate_at_k, RECS, TRUTH, 2),
        "recsys.metrics.catalogue_coverage": E(rm.catalogue_coverage, RECS, 5, k=2),
        "recsys.metrics.item_popularity": E(rm.item_popularity, TRUTH),
        "recsys.metrics.mean_popularity": E(rm.mean_popularity, RECS, TRUTH, k=2),
        "recsys.metrics.evaluate": E(rm.evaluate, RECS, TRUTH, 2),
        "recsys.metrics.compare": E(rm.compare, {"m": RECS}, TRUTH, 2),
        "recsys.similarity.cosine_similarity": E(rsim.cosine_similarity, sp.csr_matrix(dense01)),
        "recsys.similarity.pearson_similarity": E(rsim.pearson_similarity, sp.csr_matrix(dense01)),
        "recsys.similarity.jaccard_similarity": E(rsim.jaccard_similarity, sp.csr_matrix(dense01)),
        "recsys.similarity.similarity_matrix": E(rsim.similarity_matrix, sp.csr_matrix(dense01), "jaccard"),
        "recsys.split.time_split": E(rsplit.time_split, CLEAN, "2011-03-01"),
        "recsys.split.label_test_pairs": E(rsplit.label_test_pairs, CLEAN.iloc[:30], CLEAN.iloc[30:]),
        "recsys.split.truth_from_pairs": E(rsplit.truth_from_pairs, pairs, exclude_seen=False),
        "recsys.split.make_truth": E(rsplit.make_truth, CLEAN.iloc[:30], CLEAN.iloc[30:]),
        "recsys.split.split_report": E(rsplit.split_report, pairs),
        "recsys.split.item_descriptions": E(rsplit.item_descriptions, CLEAN),
        "recsys.topk.mask_scores": E(topk.mask_scores, SCORES, sp.csr_matrix(SCORES > 1)),
        "recsys.topk.top_k_indices": E(topk.top_k_indices, SCORES, 2),
        "recsys.topk.top_k_items": E(topk.top_k_items, SCORES, 2),
        # rules
        "rules.one_hot": E(rules.one_hot, [["a", "b"], ["a"]]),
        "rules.transactions_to_one_hot": E(rules.transactions_to_one_hot, CLEAN),
        "rules.item_popularity": E(rules.item_popularity, onehot),
        "rules.rule_metrics": E(rules.rule_metrics, onehot, ["a"], ["b"]),
        "rules.itemset_text": E(rules.itemset_text, ["a", "b"]),
        "rules.frequent_itemsets": E(rules.frequent_itemsets, onehot, 0.25),
        "rules.mine_rules": E(rules.mine_rules, onehot, 0.25, 0.3),
        "rules.rule_text": E(rules.rule_text, mined),
        "rules.sort_rules": E(rules.sort_rules, mined),
        "rules.filter_rules": E(rules.filter_rules, mined, min_lift=0.5),
        "rules.recommend_from_rules": E(rules.recommend_from_rules, mined, ["a"], 2),
        # segments
        "segments.canonical_labels": E(segments.canonical_labels, [2, 2, 0, 1]),
        "segments.kmeans_labels": E(segments.kmeans_labels, X2, 2, n_init=1),
        "segments.kmeans_scan": E(segments.kmeans_scan, X2, [2, 3], n_init=1, silhouette_sample=None),
        "segments.seed_stability": E(segments.seed_stability, X2, 2, [0, 1]),
        "segments.ward_linkage": E(segments.ward_linkage, X2),
        "segments.ward_labels": E(segments.ward_labels, Z, 3).opts(risky=True),
        "segments.rfm_segment_rules": E(segments.rfm_segment_rules),
        "segments.rfm_segments": E(segments.rfm_segments, features.rfm_scores(rfm, 2)),
        "segments.distinctive_terms": E(segments.distinctive_terms, interest,
                                          pd.Series(np.arange(len(interest.customers)) % 2, index=interest.customers)),
        "segments.segment_profile": E(segments.segment_profile, profiles, np.arange(len(profiles)) % 2),
        # serving (pure functions)
        "serving.monitoring.latency_summary": E(monitoring.latency_summary, P),
        "serving.monitoring.score_reference": E(monitoring.score_reference, P, 4),
        "serving.monitoring.psi_against": E(monitoring.psi_against, ref, P[::-1].copy()),
        "serving.monitoring.population_stability_index": E(monitoring.population_stability_index, P, P ** 2, 4),
        "serving.routing.hash_unit": E(routing.hash_unit, "c1", b"k" * 32),
        "serving.routing.assign_variant": E(routing.assign_variant, "c1", b"k" * 32),
        "serving.routing.assign_variants": E(routing.assign_variants, ["c1", "c2"], b"k" * 32),
        # targeting
        "targeting.unknown_report": E(targeting.unknown_report, bank),
        "targeting.prepare_features": E(targeting.prepare_features, bank),
        "targeting.response_model": E(lambda kind="logistic", unknown="impute": targeting.response_model(
            kind, unknown=unknown).fit(targeting.prepare_features(bank), bank["y"])),
        "targeting.break_even_probability": E(targeting.break_even_probability, 1.0, 5.0),
        "targeting.expected_profit": E(targeting.expected_profit, P, cost=1.0, value=5.0),
        "targeting.call_list": E(targeting.call_list, P, cost=1.0, value=5.0),
        "targeting.profit_curve": E(targeting.profit_curve, P, Y01, cost=1.0, value=5.0),
        "targeting.best_list_size": E(targeting.best_list_size, curve),
        "targeting.campaign_profit": E(targeting.campaign_profit, Y01, T01 == 1, cost=1.0, value=5.0),
        # text
        "text.tokens.check_texts": E(tokens.check_texts, ["good", "bad"]),
        "text.tokens.tokenize": E(tokens.tokenize, "Not bad at all!"),
        "text.tokens.build_vocabulary": E(tokens.build_vocabulary, [["a", "b"], ["a"]], 1),
        "text.tokens.encode": E(tokens.encode, ["a b", "b"], {"a": 2, "b": 3}, 4),
        "text.tokens.cue_flags": E(tokens.cue_flags, ["not bad", "great!"]),
        # uplift (functions)
        "uplift.uplift_curve": E(uplift.uplift_curve, Y01, T01, P),
        "uplift.qini_coefficient": E(uplift.qini_coefficient, Y01, T01, P),
        "uplift.qini_interval": E(uplift.qini_interval, Y01, T01, P, n_resamples=100),
        "uplift.policy_value": E(uplift.policy_value, Y01, T01, (P > 0.5).astype(int)),
        "uplift.targeting_table": E(uplift.targeting_table, Y01, T01, P, (0.5, 1.0)),
        "uplift.uplift_by_group": E(uplift.uplift_by_group, Y01, T01, P, n_groups=2),
        # validation
        "validation.require_dataframe": E(v.require_dataframe, bank, "bank").opts(skip=VALIDATION_SKIP),
        "validation.require_columns": E(v.require_columns, bank, ["y"], "bank").opts(skip=VALIDATION_SKIP),
        "validation.require_frame": E(v.require_frame, bank, ["y"], "bank").opts(skip=VALIDATION_SKIP),
        "validation.require_numeric": E(v.require_numeric, bank, ["y"], "bank").opts(skip=VALIDATION_SKIP),
        "validation.require_datetime": E(v.require_datetime, CLEAN, [C.INVOICE_DATE], "clean").opts(skip=VALIDATION_SKIP),
        "validation.require_no_nan": E(v.require_no_nan, bank, ["y"], "bank").opts(skip=VALIDATION_SKIP),
        "validation.require_series": E(v.require_series, [1.0, 2.0], "values").opts(skip=VALIDATION_SKIP),
        "validation.require_in_range": E(v.require_in_range, 0.5, "share", 0.0, 1.0).opts(skip=VALIDATION_SKIP),
        "validation.require_positive_int": E(v.require_positive_int, 3, "k").opts(skip=VALIDATION_SKIP),
        "validation.require_probabilities": E(v.require_probabilities, P, "p").opts(skip=VALIDATION_SKIP),
        "validation.require_day": E(v.require_day, "2011-12-10", "snapshot").opts(skip=VALIDATION_SKIP),
        "validation.require_bool": E(v.require_bool, True, "flag").opts(skip=VALIDATION_SKIP),
        "validation.require_finite": E(v.require_finite, P, "x", low=0.0).opts(skip=VALIDATION_SKIP),
        "validation.require_1d": E(v.require_1d, P, "x", n=40).opts(skip=VALIDATION_SKIP),
        "validation.require_shape": E(v.require_shape, X2, "X", (None, 2)).opts(skip=VALIDATION_SKIP),
        "validation.require_binary": E(v.require_binary, Y01, "y", 40).opts(skip=VALIDATION_SKIP),
        "validation.require_count": E(v.require_count, 0, "n_dense").opts(skip=VALIDATION_SKIP),
        "validation.require_tensor": E(v.require_tensor, _tensor(), "q").opts(skip=VALIDATION_SKIP),
        "validation.require_seed": E(v.require_seed, 3, "seed").opts(skip=VALIDATION_SKIP),
        "validation.require_random_state": E(v.require_random_state, 3, "seed").opts(skip=VALIDATION_SKIP),
        "validation.require_matrix": E(v.require_matrix, X2, "X").opts(skip=VALIDATION_SKIP),
        # estimators
        "ctr.encoding.FieldEncoder": Est(lambda: enc.FieldEncoder(["job"], ["pdays"]), (bank,), "transform"),
        "uplift.TwoModelUplift": Est(uplift.TwoModelUplift, (X2, T01, Y01), "predict_uplift"),
        "uplift.SingleModelUplift": Est(lambda: uplift.SingleModelUplift(DecisionTreeClassifier(max_depth=2)),
                                        (X2, T01, Y01), "predict_uplift"),
        "uplift.ClassTransformationUplift": Est(uplift.ClassTransformationUplift, (X2, T01, Y01), "predict_uplift"),
        "targeting.UnknownImputer": Est(targeting.UnknownImputer, (bank,), "transform"),
    }


def _contract_estimators() -> dict[str, Est]:
    """The estimators of tests/test_contract.py (built there on small data), as bad-input entries."""
    import test_contract as tc

    out = {}
    for case in tc.CASES:
        model = case.make()
        name = f"{type(model).__module__.removeprefix('pmkt_lessons.')}.{type(model).__name__}"
        n_fit = sum(
            1 for p in inspect.signature(model.fit).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
        )
        plain = bool(case.inputs) and n_fit == len(case.inputs)
        out[name] = Est(case.make, tuple(case.inputs) if plain else (), case.output,
                        fit=None if plain else case.fit, max_variants=8)
    return out


# The checks' own settings (the label, the bounds, the expected length or shape) are not user input.
VALIDATION_SKIP = ("arg", "low", "high", "low_inclusive", "high_inclusive", "n", "shape", "what", "both")

# Not in the table, each for a reason (issue 10 allows only these kinds):
EXCLUDED_KINDS = (
    # exceptions and result records (dataclasses, NamedTuples, pydantic schemas): data, not helpers;
    # the functions that build them are in the table
    "exception", "record",
)
EXCLUDED = {
    # notebook display helpers (draw on matplotlib axes)
    "plots.label_axes", "plots.heatmap", "plots.pareto_plot", "plots.waterfall",
    # need a separate process, a JVM or a Spark session (tests/test_scale_spark.py, test_serving_*.py)
    "scale.spark", "scale.session", "scale.java", "serving.server", "serving.app.create_app",
    "serving.loadtest.run_load_test", "serving.build",
    # the lesson map reads the notebooks folder (course.py is the lead's)
    "course",
    # abstract bases, never built by a user; every subclass has an entry
    "bandits.policies.BanditPolicy", "recsys.base.BaseRecommender", "recsys.sequential.SequentialRecommender",
}


def _table2() -> dict[str, Entry | Est]:
    """Data, device, simulators, feedback loop, online, sequences, streaming, text, training, DuckDB."""
    import torch

    from pmkt_lessons import data, device, feedback_loop, online, privacy, training, uplift
    from pmkt_lessons.recsys import als, base, hybrid, knn, mf, ncf, split
    from pmkt_lessons.recsys import interactions as ri
    from pmkt_lessons.recsys import sequential as sq
    from pmkt_lessons.scale import duck, experiment
    from pmkt_lessons.serving import routing
    from pmkt_lessons.simulate import auctions as sa
    from pmkt_lessons.simulate import bandits as sb
    from pmkt_lessons.simulate import clicks as sc
    from pmkt_lessons.simulate import experiments as se
    from pmkt_lessons.simulate import segments as ss
    from pmkt_lessons.simulate import shop as sshop
    from pmkt_lessons.simulate import uplift as su
    from pmkt_lessons.streaming import events as sev
    from pmkt_lessons.streaming import prequential as pq
    from pmkt_lessons.text import baselines as tb
    from pmkt_lessons.text import evaluate as te
    from pmkt_lessons.text import signals as tsig

    shop = sshop.make_shop(60, n_products=5, random_state=1)
    rule = feedback_loop.rule_decisions(shop, 10.0)
    totals = pd.DataFrame({"rule": [10.0, 12, 11], "model": [13.0, 12, 15]})
    stream = online.simulate_click_stream(3, 60, 1, random_state=0)
    feats, _ = online.click_features(stream)
    seqs = sq.sequences_from_lists({f"u{u}": [f"i{(u + t) % 5}" for t in range(6)] for u in range(6)})
    events = pd.DataFrame({"user_id": [1, 1, 2, 2, 2], "item_id": ["a", "b", "a", "c", "b"],
                           "timestamp": [1, 2, 1, 2, 3]})
    ratings = pd.DataFrame({"user_id": [1, 1, 2, 2, 3, 3], "item_id": [1, 2, 1, 3, 2, 3],
                            "rating": [4.0, 3, 5, 2, 1, 4], "timestamp": [1, 2, 3, 4, 5, 6]})
    evstream = sev.event_stream(CLEAN, CANCELLATIONS)  # 7 products
    sentences = pd.DataFrame({"sentence": ["good", "bad", "great", "awful", "fine", "poor"] * 4,
                              "label": [1, 0] * 12, "source": ["amazon"] * 12 + ["yelp"] * 12})
    tfidf = tb.make_tfidf_logistic(Cs=(1.0,), cv=2).fit(sentences["sentence"], sentences["label"])
    review = tsig.review_stream(sentences, n_periods=3, per_period=4)
    mat = sp.csr_matrix((RNG.random((6, 5)) < 0.5).astype(np.float32))
    factors_u, factors_i = RNG.normal(size=(6, 2)), RNG.normal(size=(5, 2))
    inter = ri.build_interactions(CLEAN)
    bench = pd.DataFrame({"task": ["rfm"] * 3, "engine": ["pandas"] * 3, "factor": [1, 2, 4], "rows": [100, 200, 400],
                          "seconds": [0.1, 0.2, 0.4], "peak_mb": [10.0, 11, 12]})
    hill = pd.DataFrame({"recency": [1, 5], "history": [10.0, 200.0], "mens": [1, 0], "womens": [0, 1],
                         "zip_code": ["Urban", "Rural"], "newbie": [0, 1], "channel": ["Web", "Phone"],
                         "history_segment": ["1) $0 - $100", "3) $200 - $350"]})

    return {
        # data (loading the real files is slow and covered by tests/test_data.py: bad arguments only)
        "data.data_dir": E(data.data_dir),
        "data.cache_dir": E(data.cache_dir),
        "data.sha256_of": E(data.sha256_of, __file__),
        "data.dataset_path": E(data.dataset_path, "online_retail", verify=False),
        "data.verify_all": E(data.verify_all).opts(run_good=False),
        "data.catalogue": E(data.catalogue),
        "data.load_online_retail": E(data.load_online_retail).opts(run_good=False),
        "data.load_groceries": E(data.load_groceries).opts(run_good=False),
        "data.load_bank_marketing": E(data.load_bank_marketing, "full").opts(run_good=False),
        "data.load_hillstrom": E(data.load_hillstrom).opts(run_good=False),
        "data.load_open_bandit": E(data.load_open_bandit, "random").opts(run_good=False),
        "data.load_sentiment": E(data.load_sentiment).opts(run_good=False),
        "data.movielens_fingerprint": E(data.movielens_fingerprint, ratings),
        "data.pip_command": E(data.pip_command),
        "data.load_movielens_100k": E(data.load_movielens_100k, download=False, use_cache=False).opts(run_good=False),
        # device
        "device.get_device": E(device.get_device, "cpu"),
        "device.require_available": E(device.require_available, "cpu"),
        "device.resolve_device": E(device.resolve_device, "cpu"),
        "device.describe_device": E(device.describe_device, "cpu"),
        "device.seed_everything": E(device.seed_everything, 42),
        "device.limit_threads": E(lambda n_threads=1: device.limit_threads(n_threads).__enter__()),
        # feedback loop
        "feedback_loop.allocate_budget": E(feedback_loop.allocate_budget, RNG.random((8, 3)), 2.0),
        "feedback_loop.customer_design": E(feedback_loop.customer_design, shop.features, 2),
        "feedback_loop.rule_decisions": E(feedback_loop.rule_decisions, shop, 10.0),
        "feedback_loop.oracle_decisions": E(feedback_loop.oracle_decisions, shop, 10.0),
        "feedback_loop.run_loop": E(feedback_loop.run_loop, shop, "no model (rule)", n_weeks=3, pilot_weeks=2,
                                    budget=10.0).opts(max_variants=8),
        "feedback_loop.weekly_profit": E(feedback_loop.weekly_profit, feedback_loop.run_loop(
            shop, "no model (rule)", n_weeks=3, pilot_weeks=2, budget=10.0)),
        "feedback_loop.compare_over_seeds": E(feedback_loop.compare_over_seeds, totals, "rule"),
        "feedback_loop.ab_test": E(feedback_loop.ab_test, shop, rule, rule, n_weeks=1),
        # online
        "online.adwin_alarms": E(online.adwin_alarms, np.r_[np.zeros(50), np.ones(50)]),
        "online.simulate_click_stream": E(online.simulate_click_stream, 3, 60, 1, n_creatives=2, n_segments=2),
        "online.click_features": E(online.click_features, stream, as_dicts=False),
        "online.daily_batch_predictions": E(online.daily_batch_predictions, stream, feats, window_days=2),
        "online.daily_metrics": E(online.daily_metrics, stream, {"batch": np.full(len(stream), 0.1)}),
        "online.river_progressive": E(online.river_progressive, _river_model(),
                                      online.click_features(stream.iloc[:30], as_dicts=True),
                                      stream["click"].iloc[:30].to_numpy()),
        # privacy (the rest)
        "privacy.key_from_env": E(privacy.key_from_env, "PMKT_BAD_INPUT_TEST_KEY"),
        "privacy.diffprivlib_laplace": E(privacy.diffprivlib_laplace, sensitivity=1.0, epsilon=0.5, random_state=0),
        # recsys functions
        "recsys.als.als_exact_solve": E(als.als_exact_solve, mat, factors_i),
        "recsys.als.als_cg_solve": E(als.als_cg_solve, mat, factors_i, factors_u, device="cpu"),
        "recsys.als.implicit_loss": E(als.implicit_loss, mat, factors_u, factors_i),
        "recsys.base.require_interactions": E(base.require_interactions, inter),
        "recsys.hybrid.minmax_rows": E(hybrid.minmax_rows, SCORES),
        "recsys.hybrid.blend_scores": E(hybrid.blend_scores, SCORES, SCORES[::-1].copy(), 0.3),
        "recsys.interactions.build_interactions": E(ri.build_interactions, CLEAN, weight="count"),
        "recsys.knn.neighbour_matrix": E(knn.neighbour_matrix, np.corrcoef(RNG.random((5, 8))), 2),
        "recsys.mf.split_ratings": E(mf.split_ratings, ratings, 0.5),
        "recsys.mf.rating_errors": E(mf.rating_errors, [4.0, 3.0], [3.5, 3.0]),
        "recsys.ncf.sample_negatives": E(ncf.sample_negatives, mat, 2),
        "recsys.sequential.build_sequences": E(sq.build_sequences, events),
        "recsys.sequential.sequences_from_lists": E(sq.sequences_from_lists, {"u": ["a", "b"], "v": ["b"]}),
        "recsys.sequential.retail_events": E(sq.retail_events, CLEAN),
        "recsys.sequential.movielens_events": E(sq.movielens_events, ratings),
        "recsys.sequential.leave_last_out": E(sq.leave_last_out, seqs),
        "recsys.sequential.mask_items": E(sq.mask_items, torch.tensor([[0, 1, 2, 3]]), 0.5, 9, torch.Generator()),
        "recsys.sequential.training_windows": E(sq.training_windows, seqs, 4),
        "recsys.split.course_split": E(split.course_split, CLEAN, "2011-03-01"),
        # CLEAN ends in April 2011, before the course's validation cutoff: only bad inputs run
        "recsys.split.course_validation_split": E(split.course_validation_split, CLEAN).opts(run_good=False,
                                                                                           names=("cutoff",)),
        # simulators
        "simulate.auctions.competition_by_hour": E(sa.competition_by_hour, np.arange(24)),
        "simulate.auctions.simulate_competing_bids": E(sa.simulate_competing_bids, P, n_competitors=2),
        "simulate.auctions.simulate_ad_day": E(sa.simulate_ad_day, 200, n_competitors=2),
        "simulate.bandits.switching_ctrs": E(sb.switching_ctrs, [0.1, 0.2], [0.2, 0.1], 10, 5),
        "simulate.bandits.drifting_ctrs": E(sb.drifting_ctrs, [0.1, 0.2], 0.5, 5, 10),
        "simulate.bandits.simulate_logged_bandit": E(sb.simulate_logged_bandit, [0.1, 0.2], [0.5, 0.5], 20),
        "simulate.clicks.make_click_world": E(sc.make_click_world, 7, base_ctr=0.05),
        "simulate.clicks.simulate_click_log": E(sc.simulate_click_log, 200, world_seed=7),
        "simulate.experiments.simulate_daily_tests": E(se.simulate_daily_tests, 3, 4, 50, 0.1, 0.12),
        "simulate.segments.simulate_segments": E(ss.simulate_segments, 60, sigma=0.4),
        "simulate.shop.make_shop": E(sshop.make_shop, 40, n_products=4),
        "simulate.shop.require_shop": E(sshop.require_shop, shop),
        "simulate.shop.simulate_week": E(sshop.simulate_week, shop, np.zeros(60, dtype=int), np.zeros(60, dtype=int),
                                         RNG.random((60, 2))),
        "simulate.uplift.simulate_uplift_customers": E(su.simulate_uplift_customers, 200, treatment_share=0.5),
        # streaming
        "streaming.events.stream_table": E(sev.stream_table, CLEAN, CANCELLATIONS),
        "streaming.events.event_stream": E(sev.event_stream, CLEAN, CANCELLATIONS),
        "streaming.prequential.prequential_replay": E(pq.prequential_replay, evstream, pq.StreamingRecommender(7), k=3),
        "streaming.prequential.latency_summary": E(pq.latency_summary, pq.prequential_replay(
            evstream, pq.StreamingRecommender(7), k=3)),
        # text
        "text.baselines.lexicon_scores": E(tb.lexicon_scores, ["good", "bad"]),
        "text.baselines.check_binary_labels": E(tb.check_binary_labels, Y01, 40).opts(skip=("n", "arg")),
        "text.baselines.make_tfidf_logistic": E(tb.make_tfidf_logistic, (1.0,), 2),
        "text.baselines.top_features": E(tb.top_features, tfidf, 3),
        "text.evaluate.sentence_folds": E(te.sentence_folds, sentences, 2),
        "text.evaluate.crossval_predictions": E(te.crossval_predictions, tb.LexiconClassifier(), sentences["sentence"],
                                                sentences["label"], te.sentence_folds(sentences, 2)),
        "text.evaluate.domain_shift_table": E(te.domain_shift_table, sentences, tb.LexiconClassifier()),
        "text.signals.review_stream": E(tsig.review_stream, sentences, n_periods=3, per_period=4),
        "text.signals.sentiment_drops": E(tsig.sentiment_drops, review.assign(score=0.5), "score",
                                          baseline_periods=1),
        # training
        "training.seed_from": E(training.seed_from, 3),
        "training.local_generator": E(training.local_generator, 3),
        "training.training_scope": E(lambda random_state=0, n_threads=1: training.training_scope(
            random_state, "cpu", n_threads).__enter__()),
        # uplift
        "uplift.hillstrom_features": E(uplift.hillstrom_features, hill),
        # DuckDB and the scale experiment (in process, unlike Spark)
        "scale.duck.connect": E(duck.connect, 1),
        "scale.duck.rfm_duckdb": E(duck.rfm_duckdb, CLEAN, CANCELLATIONS),
        "scale.duck.cohort_counts_duckdb": E(duck.cohort_counts_duckdb, CLEAN),
        "scale.duck.cohort_retention_duckdb": E(duck.cohort_retention_duckdb, CLEAN, counts=True),
        "scale.duck.pair_counts_duckdb": E(duck.pair_counts_duckdb, CLEAN, min_count=1),
        "scale.duck.pair_counts_pandas": E(duck.pair_counts_pandas, CLEAN, min_count=1),
        "scale.experiment.resample_customers": E(experiment.resample_customers, CLEAN, 2),
        "scale.experiment.measure": E(experiment.measure, sum, [1, 2], children=False),
        "scale.experiment.fit_slopes": E(experiment.fit_slopes, bench),
        "scale.experiment.bench_table_markdown": E(experiment.bench_table_markdown, bench),
        # serving
        # a variable that is not set is a setup error, raised as RuntimeError (tests/test_serving_routing.py)
        "serving.routing.ab_key_from_env": E(routing.ab_key_from_env, "PMKT_BAD_INPUT_TEST_KEY").opts(skip=("env",)),
    }


def _table3() -> dict[str, Entry]:
    """Torch building blocks, CTR training plumbing, streaming state, serving records (files in a temp folder)."""
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    import torch

    from pmkt_lessons import attention, training
    from pmkt_lessons.ctr import encoding as enc
    from pmkt_lessons.ctr import models as cmod
    from pmkt_lessons.ctr import train as ctrain
    from pmkt_lessons.recsys import ncf
    from pmkt_lessons.recsys import sequential as sq
    from pmkt_lessons.scale import duck, experiment
    from pmkt_lessons.serving import engines, monitoring, registry, schemas
    from pmkt_lessons.serving import events as sev
    from pmkt_lessons.streaming import events as stev
    from pmkt_lessons.streaming import features as stf
    from pmkt_lessons.text import transformer as ttr

    tmp = Path(tempfile.mkdtemp(prefix="pmkt_bad_input_"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    bench = pd.DataFrame({"task": ["rfm"] * 2, "engine": ["pandas"] * 2, "factor": [1, 2], "rows": [100, 200],
                          "seconds": [0.1, 0.2], "peak_mb": [10.0, 11]})
    META = {"name": "toy", "lesson": "22", "training_period": "2011", "metrics": {"auc": 0.5}}  # noqa: N806
    (tmp / "bench.md").write_text(experiment.bench_table_markdown(bench), encoding="utf-8")
    saved = registry.save_model({"a": 1}, tmp / "model", META, overwrite=True)
    q = torch.randn(2, 3, 4)
    encoder = enc.FieldEncoder(["a"], ["x"]).fit(pd.DataFrame({"a": ["u", "v"] * 10, "x": np.arange(20.0)}))
    encoded = encoder.transform(pd.DataFrame({"a": ["u", "v"] * 10, "x": np.arange(20.0)}))
    net = cmod.CTRNet(encoder.n_indices_, 1, 1, 4)
    lines, items = stev.stream_table(CLEAN, CANCELLATIONS)
    event = next(iter(stev.event_stream(CLEAN, CANCELLATIONS)))
    impressions = pd.DataFrame({f: ["x"] for f in schemas.IMPRESSION_FIELDS})
    linear = torch.nn.Linear(2, 1)
    import test_contract as tc

    recommender = registry.LoadedModel(tc.PopularityRecommender().fit(tc.INTER), META, tmp)
    scorer = registry.LoadedModel(cmod.FactorizationMachine(**tc.CTR).fit(tc.CLICK_X, tc.CLICK_Y), META, tmp)

    return {
        "attention.causal_mask": E(attention.causal_mask, 4),
        "attention.scaled_dot_product_attention": E(attention.scaled_dot_product_attention, q, q, q),
        "attention.masked_mean": E(attention.masked_mean, q, torch.tensor([[1, 2, 0], [3, 0, 0]])),
        "attention.MultiHeadSelfAttention": E(attention.MultiHeadSelfAttention, 8, 2),
        "attention.SelfAttentionBlock": E(attention.SelfAttentionBlock, 8, 2, dropout=0.0),
        "attention.TransformerEncoder": E(attention.TransformerEncoder, 10, 8, 2, 1, 16),
        "ctr.models.CTRNet": E(cmod.CTRNet, 10, 2, 1, 4, hidden=(4,), dropout=0.1),
        "ctr.train.to_tensors": E(ctrain.to_tensors, encoded, "cpu"),
        "ctr.train.predict_logits": E(ctrain.predict_logits, net, encoded, "cpu"),
        "ctr.train.train_ctr_net": E(ctrain.train_ctr_net, net, encoded, Y01[:20], encoded, Y01[:20],
                                     ctrain.TrainSettings(epochs=1, batch_size=8)).opts(max_variants=8),
        "recsys.ncf.NeuMFNet": E(ncf.NeuMFNet, 5, 6, 4, 4, (4,)),
        "recsys.sequential.NextItemNet": E(sq.NextItemNet, 8, 6, 8, 2, 1, 5, 0.0),
        "text.transformer.SentenceNet": E(ttr.SentenceNet, 10, 2, 8, 2, 1, 16),
        "text.transformer.init_parameters": E(ttr.init_parameters, torch.nn.Linear(2, 2), torch.Generator()),
        "training.fit_with_early_stopping": E(training.fit_with_early_stopping, linear, lambda epoch: 1.0 / epoch,
                                              lambda: 0.5, 3, 1, higher_is_better=True),
        "streaming.events.EventStream": E(stev.EventStream, lines, items),
        "streaming.events.SimulatedClock": E(lambda time=5: stev.SimulatedClock().advance(time)),
        "streaming.features.StreamingRFM": E(lambda e=event: stf.StreamingRFM().update(e)),
        "streaming.features.TrendingItems": E(lambda n_items=7, window="7D": stf.TrendingItems(
            n_items, window).update(event).top(3)),
        "streaming.features.ItemCooccurrence": E(lambda n_items=7, item=0: stf.ItemCooccurrence(
            n_items).update(event).most_similar(item, 3)),
        "scale.duck.write_parquet": E(duck.write_parquet, CLEAN, tmp / "clean.parquet").opts(skip=("path",)),
        "scale.experiment.read_bench_table": E(experiment.read_bench_table, tmp / "bench.md"),
        # the folder is not varied: a bad one would create folders in the working directory
        "serving.registry.save_model": E(registry.save_model, {"a": 1}, tmp / "model2", META,
                                         overwrite=True).opts(skip=("folder",), text_ok=("model",)),
        "serving.registry.verify_model": E(registry.verify_model, saved),
        "serving.registry.load_model": E(registry.load_model, saved),
        "serving.registry.library_versions": E(registry.library_versions),
        "serving.events.EventLog": E(lambda customer_id="c1", value=1.0: sev.EventLog(tmp / "events.db").append(
            customer_id, "click", "i1", variant="A", value=value)),
        "serving.monitoring.RequestMonitor": E(lambda window=10, seconds=0.01: monitoring.RequestMonitor(
            window).record("/score", 200, seconds)),
        "serving.schemas.impression_records": E(schemas.impression_records, impressions),
        "serving.engines.RecommendEngine": E(lambda customer_id="100", k=3, max_k=5: engines.RecommendEngine(
            recommender, max_k).recommend(customer_id, k)),
        "serving.engines.ScoreEngine": E(lambda columns=None, fields=("a", "b", "x"): engines.ScoreEngine(
            scorer, fields).score(columns if columns is not None else {"a": ["1", "2"], "b": ["0", "1"], "x": [0.1, 0.2]})),
    }


def _closing(func):
    """Wrap a plotting helper so that every figure it opens is closed (same signature for the table)."""
    import functools

    import matplotlib.pyplot as plt

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            plt.close("all")

    return wrapper


def _table4() -> dict[str, Entry]:
    """Helpers added in lessons 07-16 after the first tables: eCPM, calibration ratios, CUPED, BPR, sampled metrics."""
    import matplotlib

    matplotlib.use("Agg")

    import test_contract as tc

    from pmkt_lessons import ads, evaluation, plots, targeting, uplift
    from pmkt_lessons.ctr import metrics as cm
    from pmkt_lessons.ctr import models as cmod
    from pmkt_lessons.experiments import variance as ev
    from pmkt_lessons.recsys import bpr, ncf, sampled
    from pmkt_lessons.recsys import similarity as rsim

    y = RNG.normal(size=40)
    pre = y + RNG.normal(size=40)
    ab = pd.DataFrame({"arm": np.tile(["A", "B"], 20), "visit": np.tile([1, 1, 0, 1], 10), "spend": P * 10,
                       "pre": pre})
    fields = pd.DataFrame({"a": ["u", "v", "u"], "b": [1, 2, 2]})
    user_f, item_f, item_b = RNG.normal(size=(5, 3)), RNG.normal(size=(7, 3)), RNG.normal(size=7)
    users, pos, neg = np.array([0, 1, 4]), np.array([2, 3, 6]), np.array([1, 0, 5])
    truth = pd.DataFrame({C.USER: [100, 101, 102, 102], C.ITEM: ["a", "b", "c", "d"]})
    cands = sampled.sample_candidates(truth, tc.INTER, 3, random_state=0)
    popular = tc.PopularityRecommender().fit(tc.INTER)
    scores = popular.score(cands.users)
    ranks = sampled.positive_ranks(scores, cands)
    dense01 = (RNG.random((5, 4)) < 0.5).astype(float)
    rows = pd.DataFrame({"y": Y01, "age": np.arange(40)})

    return {
        "ads.ecpm": E(ads.ecpm, 4.0, "CPC", ctr=0.01),
        "ctr.metrics.calibration_ratios": E(cm.calibration_ratios, Y01, P, n_bins=4, confidence=0.9),
        "ctr.models.cross_features": E(cmod.cross_features, fields, [("a", "b")]),
        "experiments.variance.cuped_theta": E(ev.cuped_theta, y, pre),
        "experiments.variance.cuped_adjust": E(ev.cuped_adjust, y, pre, np.array([0.5])),
        "experiments.variance.cuped_difference": E(ev.cuped_difference, y, T01, pre, alpha=0.05),
        "experiments.variance.compare_means_cuped": E(ev.compare_means_cuped, ab, "arm", "spend", "A", ["pre"],
                                                      alpha=0.05),
        "experiments.variance.ratio_and_se": E(ev.ratio_and_se, ab["spend"].to_numpy(), ab["visit"].to_numpy()),
        "experiments.variance.compare_ratios": E(ev.compare_ratios, ab, "arm", "spend", "visit", "A", alpha=0.05),
        "experiments.variance.always_valid_bounds": E(ev.always_valid_bounds, np.array([0.1, 0.05, 0.02]),
                                                      tau=0.1, alpha=0.05),
        "plots.difference_plot": E(_closing(plots.difference_plot), {"a - b": evaluation.paired_bootstrap(
            P, P[::-1].copy(), n_resamples=200)}, title="t", xlabel="x", ylabel="y"),
        "recsys.bpr.bpr_loss": E(bpr.bpr_loss, user_f, item_f, item_b, users, pos, neg, reg=0.1),
        "recsys.bpr.bpr_gradients": E(bpr.bpr_gradients, user_f, item_f, item_b, users, pos, neg, reg=0.1),
        "recsys.bpr.sample_negatives": E(bpr.sample_negatives, sp.csr_matrix(np.eye(5, 4)),
                                         np.array([0, 1, 2]), random_state=0),
        "recsys.ncf.DotNet": E(ncf.DotNet, 5, 6, 4),
        "recsys.sampled.sample_candidates": E(sampled.sample_candidates, truth, tc.INTER, 3, random_state=0),
        "recsys.sampled.positive_ranks": E(sampled.positive_ranks, scores, cands, "sampled"),
        "recsys.sampled.rank_metrics": E(sampled.rank_metrics, ranks, cands, 2),
        "recsys.sampled.candidate_metrics": E(sampled.candidate_metrics, popular, cands, 2, "full"),
        "recsys.sampled.sampled_hit_probability": E(sampled.sampled_hit_probability, [1, 5, 20], 100, 20, k=10),
        "recsys.similarity.similarity_blocks": E(rsim.similarity_blocks, sp.csr_matrix(dense01), "jaccard", 2),
        "targeting.time_split": E(targeting.time_split, rows, 0.25),
        "targeting.response_by_period": E(targeting.response_by_period, rows, 4, "y"),
        "uplift.normalised_qini": E(uplift.normalised_qini, Y01, T01, P),
    }


def _tensor():
    import torch

    return torch.zeros(2, 3)


def _river_model():
    from river import linear_model

    return linear_model.LogisticRegression()

# Public names still without an entry (none today). Shrink this set; never grow it.
PENDING: set[str] = set()


def public_names() -> dict[str, object]:
    """Every public function and class of the package: ``module.name`` (below ``pmkt_lessons``) -> object.

    Public: no leading underscore, defined in that module, listed in ``__all__`` where the module has one.
    """
    found = {}
    for info in pkgutil.walk_packages(pmkt_lessons.__path__, "pmkt_lessons."):
        if ".exercises" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        listed = getattr(module, "__all__", None)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or listed is not None and name not in listed:
                continue
            found[f"{info.name.removeprefix('pmkt_lessons.')}.{name}"] = obj
    return found


def _kind(obj) -> str:
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return "exception"
    if inspect.isclass(obj) and (
        is_dataclass(obj) or issubclass(obj, tuple) and hasattr(obj, "_fields") or hasattr(obj, "model_fields")
    ):
        return "record"
    return "callable"


def _excluded(name: str, obj) -> bool:
    return _kind(obj) in EXCLUDED_KINDS or any(name == e or name.startswith(e + ".") for e in EXCLUDED)


TABLE = {**_contract_estimators(), **_table(), **_table2(), **_table3(), **_table4()}
PUBLIC = public_names()


def test_every_public_name_has_an_entry():
    missing = sorted(n for n, obj in PUBLIC.items() if n not in TABLE and not _excluded(n, obj) and n not in PENDING)
    assert not missing, f"public names without a bad-input entry: {missing}"
    stale = sorted(set(TABLE) - set(PUBLIC))
    assert not stale, f"entries for names that are not public (renamed?): {stale}"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_bad_input_gives_a_clear_error_or_a_right_answer(name):
    entry = TABLE[name]
    runner = run_estimator if isinstance(entry, Est) else run_entry
    if isinstance(entry, Entry) and entry.risky:
        problems = _in_child(runner, name, entry)
    else:
        problems = runner(name, entry)
    found = [p for p in problems if not p.startswith("[")]
    assert not found, f"{name}:\n  " + "\n  ".join(found)


def test_coverage_figures(capsys):
    """Print how many public helpers and bad inputs the table covers (for the closing note)."""
    n_bad = 0
    for name, entry in TABLE.items():
        if isinstance(entry, Est):
            n_bad += len(_estimator_variants(name, entry)[0]) + 1  # + the unfitted use
        else:
            n_bad += len(_sample(_variants(entry), entry.max_variants, name))
    n_public = sum(1 for n, obj in PUBLIC.items() if not _excluded(n, obj))
    with capsys.disabled():
        print(f"\nbad-input table: {len(TABLE)} of {n_public} public helpers, {n_bad} bad inputs, "
              f"+ {len(SPECIFIC)} cases of issue 10")
    assert len(TABLE) > 100


# --------------------------------------------------------------------------- the cases of issue 10


def _nan_linkage():
    from scipy.cluster.hierarchy import linkage

    Z = linkage(X2, "ward")
    Z[2, 2] = np.nan
    return Z


def _specific_cases():
    from sklearn.tree import DecisionTreeClassifier

    from pmkt_lessons import ads, behaviour, cleaning, data, features, segments, targeting, uplift
    from pmkt_lessons import validation as v
    from pmkt_lessons.bandits import off_policy as op
    from pmkt_lessons.bandits import policies as bp
    from pmkt_lessons.ctr import metrics as cm
    from pmkt_lessons.ctr.encoding import FieldEncoder
    from pmkt_lessons.ctr.logistic import TorchLogisticRegression
    from pmkt_lessons.experiments import design
    from pmkt_lessons.recsys import split
    from pmkt_lessons.recsys.mf import BiasBaseline, GlobalMean

    value, top = np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.5])
    bank = pd.DataFrame({"pdays": [-1, 3, -1, 5], "y": [0, 1, 0, 1], "age": [30, 40, 50, 60]})
    half_nan = CLEAN.assign(**{C.REVENUE: CLEAN[C.REVENUE].where(CLEAN.index % 2 == 0)})
    raw_nan = RAW.assign(**{C.QUANTITY: RAW[C.QUANTITY].astype(float).where(RAW.index != 5)})
    raw_price = RAW.assign(**{C.UNIT_PRICE: RAW[C.UNIT_PRICE].where(RAW.index != 7)})
    inf_ratings = pd.DataFrame({"user_id": [1, 2, 3], "item_id": [1, 1, 2], "rating": [1.0, np.inf, 3.0]})
    log = pd.DataFrame({C.ITEM: [0, 1, 0, 1], "position": [1, 1, 2, 2], "click": [0, 1, 1, 0]})
    policy = pd.DataFrame({1: [0.5, np.nan], 2: [0.5, 1.0]}, index=[0, 1])
    pairs = pd.DataFrame({C.USER: [1, 2], C.ITEM: ["a", "b"], "known_user": [True, np.nan], "repeat": [False, False]})
    y12 = np.tile([1, 2], 10)
    X = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) % 3})
    return [
        ("ward_labels on a NaN linkage", lambda: segments.ward_labels(_nan_linkage(), 3), ValueError,
         r"linkage_matrix: expected finite numbers, got 1 NaN"),
        ("best_fixed_multiplier tol=0", lambda: ads.best_fixed_multiplier(value, top, budget=1.0, tol=0), ValueError,
         r"tol: expected a value in \(0, inf\), got 0.0"),
        ("best_fixed_multiplier tol<0", lambda: ads.best_fixed_multiplier(value, top, budget=1.0, tol=-1.0),
         ValueError, "tol: expected"),
        ("best_fixed_multiplier tol=inf", lambda: ads.best_fixed_multiplier(value, top, budget=1.0, tol=np.inf),
         ValueError, "tol: expected a finite number, got inf"),
        ("best_fixed_multiplier tol=nan", lambda: ads.best_fixed_multiplier(value, top, budget=1.0, tol=np.nan),
         ValueError, "tol: expected a finite number, got nan"),
        ("sample_size_per_arm relative='no'", lambda: design.sample_size_per_arm(0.05, 0.01, relative="no"),
         TypeError, "relative: expected True or False, got str 'no'"),
        ("quantile_scores higher_is_better='no'",
         lambda: features.quantile_scores(np.arange(10.0), higher_is_better="no"), TypeError, "higher_is_better:"),
        ("SingleModelUplift interactions='no'", lambda: uplift.SingleModelUplift(
            DecisionTreeClassifier(), interactions="no").fit(X2, T01, Y01), TypeError, "interactions:"),
        ("load_movielens_100k download='no'", lambda: data.load_movielens_100k(download="no"), TypeError,
         "download: expected True or False"),
        ("load_movielens_100k use_cache='no'", lambda: data.load_movielens_100k(use_cache="no"), TypeError,
         "use_cache: expected True or False"),
        ("dataset_path verify='no'", lambda: data.dataset_path("online_retail", verify="no"), TypeError, "verify:"),
        ("require_dataframe allow_empty='no'", lambda: v.require_dataframe(bank, allow_empty="no"), TypeError,
         "allow_empty:"),
        ("response_model with labels 1/2", lambda: targeting.response_model("logistic").fit(X, y12), ValueError,
         r"y: expected 0/1 labels .*got values \[1.0, 2.0\]"),
        ("prepare_features target='Y' (a leak of y)", lambda: targeting.prepare_features(bank, target="Y"),
         ValueError, "target: expected the outcome column of df, got 'Y'.*target leak"),
        ("clean_transactions with NaN Quantity", lambda: cleaning.clean_transactions(raw_nan), ValueError,
         "df: expected no missing values in column 'Quantity', found 1"),
        ("clean_transactions with NaN UnitPrice", lambda: cleaning.clean_transactions(raw_price), ValueError,
         "df: expected no missing values in column 'UnitPrice', found 1"),
        ("monthly_revenue with NaN revenue", lambda: behaviour.monthly_revenue(half_nan), ValueError,
         "clean: expected no missing values in column 'Revenue'"),
        ("hour_weekday_table with NaN revenue", lambda: behaviour.hour_weekday_table(half_nan), ValueError,
         "clean: expected no missing values in column 'Revenue'"),
        ("revenue_by_country with NaN revenue", lambda: behaviour.revenue_by_country(half_nan), ValueError,
         "clean: expected no missing values in column 'Revenue'"),
        ("invoice_table with NaN revenue", lambda: features.invoice_table(half_nan), ValueError,
         "clean: expected no missing values in column 'Revenue'"),
        ("FieldEncoder with inf in a numeric field", lambda: FieldEncoder(["a"], ["x"]).fit(
            pd.DataFrame({"a": ["u", "v"], "x": [1.0, np.inf]})), ValueError, "X: expected .*inf"),
        ("ThompsonSampling alpha=inf", lambda: bp.run_bandit(bp.ThompsonSampling(alpha=np.inf), [0.1, 0.2],
                                                             horizon=5), ValueError, "alpha: expected a finite"),
        ("ThompsonSampling beta=inf", lambda: bp.run_bandit(bp.ThompsonSampling(beta=np.inf), [0.1, 0.2],
                                                            horizon=5), ValueError, "beta: expected a finite"),
        ("UCB1 c=inf", lambda: bp.run_bandit(bp.UCB1(c=np.inf), [0.1, 0.2], horizon=5), ValueError,
         "c: expected a finite"),
        ("TorchLogisticRegression lr=inf", lambda: TorchLogisticRegression(lr=np.inf, device="cpu").fit(X2, Y01),
         ValueError, "lr: expected a finite number, got inf"),
        ("GlobalMean on an infinite rating", lambda: GlobalMean().fit(inf_ratings), ValueError,
         r"ratings\['rating'\]: expected finite numbers, got inf"),
        ("BiasBaseline on an infinite rating", lambda: BiasBaseline().fit(inf_ratings), ValueError,
         r"ratings\['rating'\]: expected finite"),
        ("crossfit_reward_model prior_strength=inf", lambda: op.crossfit_reward_model(
            log, pd.DataFrame({1: [0.5, 0.5], 2: [0.5, 0.5]}, index=[0, 1]), prior_strength=np.inf, n_folds=2),
         ValueError, "prior_strength: expected a finite number"),
        ("value_per_impression with a column vector", lambda: ads.value_per_impression(
            np.full((3, 1), 0.1), np.full(3, 0.2), 10.0), ValueError, r"p_ctr: expected a number or a 1-d array"),
        ("support_gaps with a NaN probability", lambda: op.support_gaps(policy, log), ValueError,
         r"policy: expected probabilities in \[0, 1\].*nan"),
        ("truth_from_pairs with NaN flags", lambda: split.truth_from_pairs(pairs), TypeError,
         r"pairs\['known_user'\]: expected True/False flags"),
        ("require_probabilities('abc')", lambda: v.require_probabilities("abc"), TypeError,
         "p: expected probabilities .*got str 'abc'"),
        ("log_loss([0, 1], 'abc')", lambda: cm.log_loss([0, 1], "abc"), TypeError, "p: expected probabilities"),
        ("UnknownImputer().transform before fit", lambda: targeting.UnknownImputer().transform(bank), NotFittedError,
         "UnknownImputer"),
    ]


SPECIFIC = _specific_cases()


@pytest.mark.parametrize(("case", "func", "error", "match"), SPECIFIC, ids=[c[0] for c in SPECIFIC])
def test_the_cases_of_issue_10_raise_a_clear_error(case, func, error, match):
    if case.startswith("ward_labels"):  # this one used to kill the interpreter: run it in a child
        assert _in_child(_raises, func, error, match) == "ok"
    else:
        with pytest.raises(error, match=match):
            func()


def _raises(func, error, match) -> str:
    import re

    try:
        func()
    except error as exc:
        return "ok" if re.search(match, str(exc)) else f"message {exc}"
    return "no error"


def test_sample_size_with_real_flags_is_unchanged():
    from pmkt_lessons.experiments import design

    assert design.sample_size_per_arm(0.05, 0.01, relative=False) == 8143
    assert design.sample_size_per_arm(0.05, 0.01, relative=False) != design.sample_size_per_arm(0.05, 0.01,
                                                                                                relative=True)


def test_best_fixed_multiplier_still_bisects():
    from pmkt_lessons import ads

    m = ads.best_fixed_multiplier(np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.5]), budget=1.0)
    assert 0 < m < 1 and abs(m - 0.5) < 1e-5  # bids of m * value beat only the 0.5 bid below m = 0.5


def test_corrupt_movielens_cache_names_the_file_and_the_remedy(tmp_path, monkeypatch):
    from pmkt_lessons import data

    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    (tmp_path / "movielens_100k.pkl").write_bytes(b"not a pickle")
    monkeypatch.setattr(data, "_movielens_from_recbole", lambda: None)
    with pytest.raises(data.DatasetMissingError, match=r"movielens_100k.pkl is corrupt.*rm "):
        data.load_movielens_100k(download=False)


def test_data_dir_pointing_nowhere_names_the_variable(tmp_path, monkeypatch):
    from pmkt_lessons import data

    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(data.DatasetMissingError, match="PMKT_DATA_DIR: expected a folder"):
        data.dataset_path("online_retail")
