"""The checker core: one way to judge numbers, counts, collections, tables and functions.

Every lesson builds its checkers from these, so the same kind of answer gets
the same treatment everywhere. A checker is called with the student's answer
and returns ``None`` when it is right, or a sentence saying what is off. The
core has already turned away ``...`` and ``None`` (see ``Exercise.evaluate``);
a checker here may meet anything else: text, NaN, a bool, a generator, an
object whose ``__eq__`` raises. Introduced in lesson 00.

Numbers are judged at the precision the student wrote them: ``0.22`` is right
for a truth of 0.2203 (two significant figures agree), ``0.2`` is "close: give
2 significant figures", and a full-precision float is judged at four
significant figures, so floating-point noise never fails a right method.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

MAX_JUDGED_FIGURES = 4

__all__ = [
    "CountChecker",
    "NumberChecker",
    "choice_checker",
    "close_enough",
    "count_checker",
    "frame_checker",
    "function_checker",
    "mapping_checker",
    "number_checker",
    "same_value",
    "sequence_checker",
    "set_checker",
    "show",
]


def show(value: Any, limit: int = 60) -> str:
    """Give a short printable form of ``value`` that never raises."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - an answer whose repr raises is still shown
        text = f"<a {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, (bool, np.bool_))


def _number_problem(answer: Any, what: str) -> str | float:
    """Give ``answer`` as a finite float, or the message a non-number deserves."""
    if isinstance(answer, (bool, np.bool_)):
        return f"{what}: give a number, not the bool {answer!r}."
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", "").strip().rstrip("%"))
        except ValueError:
            return f"{what}: give a number, not the text {show(answer)}."
        return f"{what}: give a number, not the text {show(answer)} (remove the quotes)."
    if isinstance(answer, (np.ndarray, pd.Series, pd.DataFrame, list, tuple)):
        size = getattr(answer, "size", None)
        size = len(answer) if size is None else size
        return f"{what}: expected a single number, got a {type(answer).__name__} of {size} values (use .item() or pick one)."
    if not _is_number(answer):
        return f"{what}: expected a number, got a {type(answer).__name__} ({show(answer)})."
    try:
        value = float(answer)
    except OverflowError:
        return f"{what}: {show(answer, 30)} is far too large to be {what}."
    if math.isnan(value):
        return (f"{what}: your answer is NaN, the result of a computation with no valid input "
                "(an empty selection, 0/0 or a missing value): look at the step that produced it.")
    if math.isinf(value):
        return f"{what}: your answer is {value}: a division by zero or an overflow somewhere?"
    return value


def _written_figures(answer: Any) -> int:
    """Count the significant figures the student wrote (trailing zeros of a float are invisible)."""
    if isinstance(answer, numbers.Integral):
        digits = str(abs(int(answer))).rstrip("0")
        return max(len(digits), 1)
    mantissa = repr(float(answer)).lower().split("e")[0].replace("-", "").replace(".", "")
    return max(len(mantissa.lstrip("0").rstrip("0")), 1)


def _half_unit(value: float, figures: int) -> float:
    """Half a unit in the last of ``figures`` significant figures of ``value``."""
    if value == 0:
        return 0.5 * 10.0 ** (-figures)
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - figures + 1)


def _agrees(value: float, truth: float, figures: int, rel: float | None) -> bool:
    if rel is not None and abs(value - truth) <= rel * abs(truth):
        return True
    return abs(value - truth) <= _half_unit(value, figures) * (1 + 1e-9) + 1e-15


@dataclass(frozen=True)
class NumberChecker:
    """Judge a numeric answer at the precision it was written (see ``number_checker``)."""

    expected: float
    what: str
    traps: Mapping[float, str] = field(default_factory=dict)
    sig: int = 2
    rel: float | None = None
    share: bool = False
    trap_tol: float | None = None

    def __call__(self, answer: Any) -> str | None:
        value = _number_problem(answer, self.what)
        if isinstance(value, str):
            return value
        if self.share and not 0 <= value <= 1:
            return f"{self.what}: {value:g} is outside [0, 1]: give a share, not a count or a percentage."
        figures = min(max(_written_figures(answer), self.sig), MAX_JUDGED_FIGURES)
        if _agrees(value, self.expected, figures, self.rel):
            return None
        for trap, message in self.traps.items():
            near = self.trap_tol is not None and abs(value - trap) <= self.trap_tol * max(1.0, abs(trap))
            if near or _agrees(value, trap, figures, None):
                return message
        if figures > 1 and _agrees(value, self.expected, figures - 1, None):
            return f"close: {self.what} is about {value:g}; check your rounding and give {figures + 1} significant figures."
        direction = "too high" if value > self.expected else "too low"
        return f"{self.what} is {value:g}, which is {direction}."


def number_checker(
    expected: float,
    what: str,
    traps: Mapping[float, str] | None = None,
    *,
    sig: int = 2,
    rel: float | None = None,
    share: bool = False,
    trap_tol: float | None = None,
) -> NumberChecker:
    """Give a checker for a numeric answer, judged at the precision the student wrote it.

    Parameters
    ----------
    expected : float
        The true value.
    what : str
        What the number is, used in every message ("the uplift of arm B").
    traps : dict, optional
        Typical wrong values (a percentage instead of a share, the other arm)
        mapped to a message explaining that mistake. Matched at the same
        precision, after the right answer and before the generic message.
    sig : int
        The fewest significant figures judged (2): ``0.22`` for 0.2203 is
        right; ``0.2`` is "close". A float with more figures than
        ``MAX_JUDGED_FIGURES`` (4) is judged at 4.
    rel : float, optional
        A relative tolerance the exercise states, accepted in addition (for
        a by-hand method that is legitimately less precise).
    share : bool
        Tell an answer outside [0, 1] to give a share.
    trap_tol : float, optional
        Also match a trap within ``trap_tol * max(1, |trap|)``.
    """
    if sig < 1:
        raise ValueError(f"sig: expected at least 1 significant figure, got {sig!r}")
    return NumberChecker(float(expected), what, dict(traps or {}), sig, rel, share, trap_tol)


@dataclass(frozen=True)
class CountChecker:
    """Judge a whole-number answer exactly (see ``count_checker``)."""

    expected: int
    what: str
    traps: Mapping[int, str] = field(default_factory=dict)

    def __call__(self, answer: Any) -> str | None:
        value = _number_problem(answer, f"the number of {self.what}")
        if isinstance(value, str):
            return value
        if not value.is_integer():
            return f"give a whole number of {self.what}, not {value:g}."
        count = int(value)
        if count == self.expected:
            return None
        if count in self.traps:
            return self.traps[count]
        return f"{count:,} is not the number of {self.what}."


def count_checker(expected: int, what: str, traps: Mapping[int, str] | None = None) -> CountChecker:
    """Give a checker for a whole-number answer: ``586`` and ``586.0`` are right, ``586.4`` is not.

    ``traps`` map typical wrong counts to a message explaining that mistake.
    """
    return CountChecker(int(expected), what, dict(traps or {}))


def close_enough(got: Any, expected: float, what: str, *, rel: float = 1e-3, abs_: float = 1e-9) -> str | None:
    """Give ``None`` if ``got`` is a finite number within ``rel`` (or ``abs_``) of ``expected``, else a message."""
    value = _number_problem(got, what)
    if isinstance(value, str):
        return value
    if abs(value - expected) <= max(abs_, rel * abs(expected)):
        return None
    direction = "too high" if value > expected else "too low"
    return f"{what} is {value:g}, which is {direction}."


def same_value(got: Any, expected: Any, *, rel: float = 1e-6) -> str | None:
    """Give ``None`` if ``got`` equals ``expected`` (numbers within ``rel``), else what differs."""
    if isinstance(expected, pd.DataFrame):
        return _frame_difference(got, expected, rel=rel, check_row_order=True)
    if isinstance(expected, np.ndarray) and expected.dtype.kind in "fiu":
        return _array_difference(got, expected, rel=rel)
    if isinstance(expected, (pd.Series, np.ndarray, list, tuple)):
        return _sequence_difference(got, expected, rel=rel, ordered=True)
    if isinstance(expected, (Set, set, frozenset)):
        return _set_difference(got, expected)
    if isinstance(expected, Mapping):
        return _mapping_difference(got, expected, rel=rel)
    if _is_number(expected):
        if not _is_number(got):
            if isinstance(got, str):
                return f"got the text {show(got)} where a number was expected"
            return f"got {show(got)} ({type(got).__name__}) where a number was expected"
        value, truth = float(got), float(expected)
        if math.isnan(truth) and math.isnan(value):
            return None
        if math.isclose(value, truth, rel_tol=rel, abs_tol=1e-12):
            return None
        return f"got {value:g} where {truth:g} was expected"
    if isinstance(expected, (bool, np.bool_)) and not isinstance(got, (bool, np.bool_)):
        return f"got {show(got)} where a bool was expected"
    if isinstance(expected, str) and not isinstance(got, str):
        return f"got {show(got)} where the text {show(expected)} was expected"
    try:
        equal = bool(got == expected)
    except Exception:  # noqa: BLE001 - an answer whose == raises is a wrong answer
        equal = False
    return None if equal else f"got {show(got)} where {show(expected)} was expected"


def _array_difference(got: Any, expected: np.ndarray, *, rel: float) -> str | None:
    if isinstance(got, (str, bytes)) or not isinstance(got, (np.ndarray, list, tuple, pd.Series, pd.DataFrame)):
        return f"got {show(got)} ({type(got).__name__}) where an array of shape {expected.shape} was expected"
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"got {show(got)} where an array of numbers was expected"
    if array.shape != expected.shape:
        return f"got an array of shape {array.shape} where shape {expected.shape} was expected"
    wrong = ~np.isclose(array, expected.astype(float), rtol=rel, atol=1e-9, equal_nan=True)
    if wrong.any():
        return f"{int(wrong.sum())} of {wrong.size} values differ"
    return None


def _as_items(answer: Any, what: str, ordered: bool) -> list | str:
    if isinstance(answer, Iterator):
        return f"{what}: your answer is an iterator (a generator or map): wrap it in list(...)."
    if isinstance(answer, (str, bytes)):
        return f"{what}: expected a collection of items, got the text {show(answer)}."
    if isinstance(answer, Mapping):
        return f"{what}: expected a list of items, got a {type(answer).__name__}; give list(...) of what you mean."
    if isinstance(answer, pd.DataFrame):
        return f"{what}: expected a list of items, got a DataFrame; pick the column you mean."
    if isinstance(answer, (pd.Series, pd.Index, np.ndarray)):
        return list(np.asarray(answer).ravel().tolist())
    if isinstance(answer, (Set, set, frozenset)):
        if ordered:
            return f"{what}: a set has no order; give a list in the right order."
        return list(answer)
    if isinstance(answer, Sequence):
        return list(answer)
    return f"{what}: expected a list of items, got a {type(answer).__name__} ({show(answer)})."


def _same_item(got: Any, expected: Any, rel: float) -> bool:
    return same_value(got, expected, rel=rel) is None


def _sequence_difference(answer: Any, expected: Sequence, *, rel: float, ordered: bool, what: str = "your answer") -> str | None:
    items = _as_items(answer, what, ordered)
    if isinstance(items, str):
        return items
    truth = list(np.asarray(expected, dtype=object).ravel().tolist()) if isinstance(expected, (np.ndarray, pd.Series)) else list(expected)
    if ordered and len(items) == len(truth) and all(_same_item(g, e, rel) for g, e in zip(items, truth, strict=True)):
        return None
    unmatched = list(truth)
    extra = []
    for item in items:
        match = next((i for i, e in enumerate(unmatched) if _same_item(item, e, rel)), None)
        if match is None:
            extra.append(item)
        else:
            unmatched.pop(match)
    if not extra and not unmatched:
        return None if not ordered else f"{what}: the right items in the wrong order."
    parts = []
    if extra:
        texts = [f"the text {show(x, 20)}" if isinstance(x, str) and not any(isinstance(e, str) for e in truth) else show(x, 20) for x in extra[:3]]
        more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
        parts.append(f"{len(extra)} item(s) that should not be there ({', '.join(texts)}{more})")
    if unmatched:
        parts.append(f"{len(unmatched)} item(s) missing")
    return f"{what}: {len(items)} item(s) where {len(truth)} are expected; " + " and ".join(parts) + "."


def _set_difference(answer: Any, expected: Set, what: str = "your answer") -> str | None:
    items = _as_items(answer, what, ordered=False)
    if isinstance(items, str):
        return items
    try:
        given = set(items)
    except TypeError:
        return f"{what}: the items must be single values (text or numbers), got {show(items)}."
    if len(given) < len(items):
        return f"{what}: some items appear more than once; give each once."
    extra = [x for x in given if not any(_same_item(x, e, 0) for e in expected)]
    missing = [e for e in expected if not any(_same_item(x, e, 0) for x in given)]
    if not extra and not missing:
        return None
    parts = []
    if extra:
        parts.append(f"{len(extra)} item(s) that should not be there ({', '.join(show(x, 20) for x in sorted(extra, key=str)[:3])})")
    if missing:
        parts.append(f"{len(missing)} item(s) missing")
    return f"{what}: " + " and ".join(parts) + "."


def _mapping_difference(answer: Any, expected: Mapping, *, rel: float, what: str = "your answer") -> str | None:
    if isinstance(answer, pd.Series):
        answer = answer.to_dict()
    if not isinstance(answer, Mapping):
        return f"{what}: expected a dict, got a {type(answer).__name__} ({show(answer)})."
    extra = [k for k in answer if k not in expected]
    missing = [k for k in expected if k not in answer]
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"keys that should not be there: {', '.join(show(k, 20) for k in extra[:3])}")
        if missing:
            parts.append(f"{len(missing)} key(s) missing")
        return f"{what}: " + "; ".join(parts) + "."
    for key, truth in expected.items():
        problem = same_value(answer[key], truth, rel=rel)
        if problem:
            return f"{what}: the value for {show(key, 30)} is not right ({problem})."
    return None


def _frame_difference(answer: Any, expected: pd.DataFrame, *, rel: float, check_row_order: bool, what: str = "your answer") -> str | None:
    if isinstance(answer, pd.Series):
        return f"{what}: expected a DataFrame, got a Series; use .to_frame() or .reset_index()."
    if not isinstance(answer, pd.DataFrame):
        return f"{what}: expected a DataFrame, got a {type(answer).__name__} ({show(answer)})."
    missing = [c for c in expected.columns if c not in answer.columns]
    extra = [c for c in answer.columns if c not in expected.columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(show, missing))}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(show, extra))}")
        return f"{what}: " + "; ".join(parts) + "."
    if len(answer) != len(expected):
        return f"{what}: {len(answer)} rows where {len(expected)} are expected."
    got = answer[list(expected.columns)].reset_index(drop=True)
    truth = expected.reset_index(drop=True)
    if not check_row_order:
        try:
            got = got.sort_values(list(got.columns)).reset_index(drop=True)
            truth = truth.sort_values(list(truth.columns)).reset_index(drop=True)
        except TypeError:
            return f"{what}: a column mixes types that cannot be compared."
    for column in truth.columns:
        a, b = got[column].to_numpy(), truth[column].to_numpy()
        if pd.api.types.is_numeric_dtype(truth[column]) and not pd.api.types.is_bool_dtype(truth[column]):
            if not pd.api.types.is_numeric_dtype(got[column]) or pd.api.types.is_bool_dtype(got[column]):
                return f"{what}: column {show(column)} should hold numbers, it holds {got[column].dtype}."
            wrong = ~np.isclose(a.astype(float), b.astype(float), rtol=rel, atol=1e-12, equal_nan=True)
        else:
            wrong = np.array([not _same_item(x, y, rel) for x, y in zip(a, b, strict=True)], dtype=bool)
        if wrong.any():
            return f"{what}: column {show(column)} differs in {int(wrong.sum())} of {len(wrong)} rows."
    return None


def _with_traps(truth: Any, what: str, traps: Mapping, differs: Callable[..., str | None]) -> Callable[[Any], str | None]:
    """Give a checker: right when ``differs(answer, truth)`` is None, else a trap's message or the difference."""

    def check(answer: Any) -> str | None:
        problem = differs(answer, truth, what)
        if problem is None:
            return None
        return next((message for trap, message in traps.items() if differs(answer, trap) is None), problem)

    return check


def sequence_checker(expected: Sequence, what: str, *, ordered: bool = True, rel: float = 1e-6,
                     traps: Mapping[tuple, str] | None = None) -> Callable[[Any], str | None]:
    """Give a checker for a list of items (order matters unless ``ordered=False``).

    Numbers are compared within ``rel``; text never equals a number, so
    ``('7', '5')`` is not ``(7, 5)`` and ``(7.6, 5.6)`` is not either. The
    message says how many items are missing, which extra items are there,
    or that the order is wrong. ``traps`` map a typical wrong list (as a
    tuple) to a message.
    """
    truth = tuple(expected)
    traps = dict(traps or {})

    def differs(answer: Any, target: Sequence, label: str = "your answer") -> str | None:
        return _sequence_difference(answer, target, rel=rel, ordered=ordered, what=label)

    return _with_traps(truth, what, traps, differs)


def set_checker(expected: Set | Sequence, what: str, traps: Mapping[frozenset, str] | None = None) -> Callable[[Any], str | None]:
    """Give a checker for a collection whose order does not matter (a set, or a list read as one)."""
    truth = frozenset(expected)
    traps = dict(traps or {})

    def differs(answer: Any, target: Set, label: str = "your answer") -> str | None:
        return _set_difference(answer, frozenset(target), what=label)

    return _with_traps(truth, what, traps, differs)


def mapping_checker(expected: Mapping, what: str, *, rel: float = 1e-6) -> Callable[[Any], str | None]:
    """Give a checker for a dict (or a Series read as one): keys must match, values within ``rel``."""
    truth = dict(expected)
    return lambda answer: _mapping_difference(answer, truth, rel=rel, what=what)


def frame_checker(expected: pd.DataFrame, what: str, *, rel: float = 1e-6, check_row_order: bool = False) -> Callable[[Any], str | None]:
    """Give a checker for a DataFrame: same columns, same rows, values within ``rel`` (row order optional)."""
    truth = expected.copy()
    return lambda answer: _frame_difference(answer, truth, rel=rel, check_row_order=check_row_order, what=what)


def function_checker(
    reference: Callable[..., Any],
    cases: Sequence[tuple] | Callable[[np.random.Generator], Sequence[tuple]],
    what: str,
    *,
    rel: float = 1e-6,
) -> Callable[[Any], str | None]:
    """Give a checker for a function the student writes, run on hidden cases against ``reference``.

    ``cases`` is a list of argument tuples, or a callable that draws them from
    a seeded generator. Each case is copied before each call, so a function
    that modifies its input cannot change the next comparison. The message
    names the first case where the output differs or the function raised.
    """

    def check(answer: Any) -> str | None:
        if not callable(answer):
            return f"{what}: expected a function (def ...), got a {type(answer).__name__} ({show(answer)})."
        drawn = cases(np.random.default_rng(0)) if callable(cases) else cases
        for number, args in enumerate(drawn, start=1):
            truth = reference(*copy.deepcopy(args))
            try:
                got = answer(*copy.deepcopy(args))
            except Exception as exc:  # noqa: BLE001 - the student's bug is feedback
                return f"{what}: on test case {number} your function raised {type(exc).__name__}: {_safe_text(exc)}"
            if got is None and truth is not None:
                return f"{what}: on test case {number} your function returned None: did it forget to `return`?"
            problem = same_value(got, truth, rel=rel)
            if problem:
                return f"{what}: on test case {number} with arguments {show(args, 120)}: {problem}."
        return None

    return check


def _safe_text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - an exception whose str raises still gets reported
        return f"<a {type(exc).__name__} that cannot be printed>"


def choice_checker(correct: str, options: Mapping[str, str], traps: Mapping[str, str] | None = None) -> Callable[[Any], str | None]:
    """Give a checker for a multiple-choice concept question.

    ``options`` maps each letter ("a", "b", ...) to its text; the student
    answers with the letter (any case, surrounding spaces ignored). ``traps``
    map a wrong letter to why that option is tempting but wrong.
    """
    if correct not in options:
        raise ValueError(f"correct: expected one of {sorted(options)}, got {correct!r}")
    traps = dict(traps or {})

    def check(answer: Any) -> str | None:
        if not isinstance(answer, str):
            return f"answer with the letter of one option ({', '.join(sorted(options))}), got {show(answer)}."
        letter = answer.strip().lower().strip("()")
        if letter not in options:
            return f"{show(answer)} is not an option: answer with one of {', '.join(sorted(options))}."
        if letter == correct:
            return None
        return traps.get(letter, f"({letter}) is not the best answer.")

    return check
