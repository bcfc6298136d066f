"""Text checks, a word tokenizer, a vocabulary and padded id matrices, and sentiment cue flags.

The small pieces every text model of lesson 19 shares: :func:`check_texts`
validates a batch of documents, :func:`tokenize` splits one into lowercase
words (keeping ``!`` and ``?``, which carry sentiment), :func:`build_vocabulary`
numbers the words seen often enough, and :func:`encode` turns texts into the
``(n, max_len)`` integer matrix a torch model reads (0 = padding, 1 = unknown
word). :func:`cue_flags` marks sentences with a negation or a contrast, for
error analysis. Introduced in lesson 19.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

PAD, UNK = 0, 1
TOKEN_PATTERN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")

#: Regular expressions of the cues the error analysis counts (lowercase text).
CUES = {
    "negation": r"\b(?:not|no|never|nothing|nobody|none|nor|neither|hardly|without|cannot|\w+n't|"
    r"dont|didnt|doesnt|isnt|wasnt|werent|wont|wouldnt|couldnt|shouldnt|cant|havent|hasnt|arent)\b",
    "contrast": r"\b(?:but|however|although|though|yet|except|instead)\b",
    "exclamation": r"!",
}


def check_texts(texts: object, arg: str = "texts") -> list[str]:
    """Give ``texts`` as a new list of non-empty strings, or raise naming ``arg``.

    Accepts a list, tuple, numpy array or pandas Series of strings. A single
    string is refused (it would be read as a list of characters).
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{arg}: expected a list of strings (one per document), got a single {type(texts).__name__}")
    if not isinstance(texts, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        raise TypeError(f"{arg}: expected a list, array or Series of strings, got {type(texts).__name__}")
    values = list(texts)
    if not values:
        raise ValueError(f"{arg}: expected at least one text, got an empty {type(texts).__name__}")
    wrong = [i for i, t in enumerate(values) if not isinstance(t, str)]
    if wrong:
        first = values[wrong[0]]
        raise TypeError(
            f"{arg}: expected strings, got {type(first).__name__} at position {wrong[0]} "
            f"({len(wrong)} non-string value(s))"
        )
    empty = [i for i, t in enumerate(values) if not t.strip()]
    if empty:
        raise ValueError(f"{arg}: expected non-empty texts, got an empty text at position {empty[0]} ({len(empty)} in all)")
    return values


def tokenize(text: str) -> list[str]:
    """Give the lowercase word tokens of ``text`` (letters, digits, an apostrophe part, ``!``, ``?``).

    >>> tokenize("Don't buy it!! Battery died in 2 days.")
    ["don't", 'buy', 'it', '!', '!', 'battery', 'died', 'in', '2', 'days']
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {type(text).__name__}")
    return TOKEN_PATTERN.findall(text.lower())


def build_vocabulary(
    token_lists: Iterable[Sequence[str]], min_count: int = 1, max_size: int | None = None
) -> dict[str, int]:
    """Give a word -> id mapping of the words seen at least ``min_count`` times, ids from 2.

    Ids 0 and 1 are reserved for padding and unknown words. The most frequent
    words get the smallest ids; ties are broken alphabetically, so the same
    texts always give the same vocabulary. ``max_size`` caps the number of words.
    """
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count: expected a positive integer, got {min_count!r}")
    if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, (int, np.integer))
                                 or max_size < 1):
        raise ValueError(f"max_size: expected a positive integer or None, got {max_size!r}")
    if isinstance(token_lists, str):
        raise TypeError("token_lists: expected a list of token lists, got a single str")
    counts: Counter = Counter()
    for tokens in token_lists:
        if isinstance(tokens, str):
            raise TypeError("token_lists: expected lists of tokens, got a str (tokenize the text first)")
        counts.update(tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size]
    return {word: i + 2 for i, word in enumerate(words)}


def encode(texts: object, vocabulary: dict[str, int], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Give ``(ids, lengths)``: an ``(n, max_len)`` int64 matrix of token ids and each text's length.

    Each text is tokenized; words outside ``vocabulary`` become 1 (unknown),
    the rest of a row is 0 (padding), and texts longer than ``max_len`` tokens
    are cut after their first ``max_len``. ``lengths`` counts the kept tokens.
    """
    texts = check_texts(texts)
    if not isinstance(vocabulary, dict):
        raise TypeError(f"vocabulary: expected a dict of word -> id, got {type(vocabulary).__name__}")
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ValueError(f"max_len: expected a positive integer, got {max_len!r}")
    rows = [[vocabulary.get(tok, UNK) for tok in tokenize(t)][:max_len] for t in texts]
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    ids = np.zeros((len(rows), int(max_len)), dtype=np.int64)
    row_index = np.repeat(np.arange(len(rows)), lengths)
    col_index = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ids[row_index, col_index] = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum()))
    return ids, lengths


def cue_flags(texts: object, cues: dict[str, str] | None = None) -> pd.DataFrame:
    """Give a bool DataFrame, one column per cue in ``cues`` (default :data:`CUES`), True where it occurs."""
    texts = check_texts(texts)
    cues = CUES if cues is None else cues
    if not isinstance(cues, dict) or not cues:
        raise TypeError(f"cues: expected a non-empty dict of name -> regular expression, got {type(cues).__name__}")
    lowered = pd.Series(texts).str.lower()
    return pd.DataFrame({name: lowered.str.contains(pattern, regex=True) for name, pattern in cues.items()})
