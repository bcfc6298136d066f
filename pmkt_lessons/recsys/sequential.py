"""Sequential recommendation: what will this customer take next, given the order of what came before?

A customer's history is a time-ordered sequence of items. This module turns
an event log into :class:`Sequences` (item codes ``1..n_items``, 0 is
padding), splits them for evaluation (:func:`leave_last_out`) and gives four
next-item recommenders (and a popularity yardstick, :class:`MostPopular`) that share one shape, ``fit(sequences)``, then
``score(histories)`` and ``recommend(histories, k)``:

* :class:`BuyItAgain`: the customer's own items, by recency-weighted frequency;
* :class:`ItemTransitions`: a first-order Markov chain, last item -> next item;
* :class:`SASRec`: causal self-attention over the last ``max_len`` items
  (Kang & McAuley 2018), trained with the full softmax over all items;
* :class:`BERT4Rec`: bidirectional attention trained to fill in masked items
  (Sun et al. 2019).

The attention layers are :class:`pmkt_lessons.attention.TransformerEncoder`
(lesson 19). Introduced in lesson 20.

References
----------
Rendle, S., Freudenthaler, C. & Schmidt-Thieme, L. (2010). Factorizing personalized
Markov chains for next-basket recommendation. WWW.
Kang, W.-C. & McAuley, J. (2018). Self-attentive sequential recommendation. ICDM.
Sun, F. et al. (2019). BERT4Rec: sequential recommendation with bidirectional encoder
representations from transformer. CIKM.
Petrov, A. & Macdonald, C. (2022). A systematic review and replicability study of
BERT4Rec for sequential recommendation. RecSys.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F

from .. import columns as C
from ..attention import TransformerEncoder
from ..device import limit_threads
from ..randomness import check_random_state, draw_seed
from ..validation import (
    require_bool,
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
)
from .metrics import ndcg_at_k
from .topk import top_k_items

PAD = 0
INVOICE_COL = "invoice"
UNKNOWN_ITEMS = ("raise", "drop")


# --------------------------------------------------------------------------- sequences
@dataclass(frozen=True, eq=False)
class Sequences:
    """Every user's items in time order, stored flat (CSR-like).

    Attributes
    ----------
    users : pd.Index
        User ids, one per sequence.
    items : pd.Index
        The item vocabulary: code ``c`` (1..n_items) is ``items[c - 1]``; 0 is padding.
    codes : ndarray of int64
        All sequences one after the other; user ``u``'s are ``codes[indptr[u]:indptr[u + 1]]``.
    indptr : ndarray of int64, length ``n_users + 1``
    times : ndarray
        The time of every event, aligned with ``codes``.

    Introduced in lesson 20.
    """

    users: pd.Index
    items: pd.Index
    codes: np.ndarray
    indptr: np.ndarray
    times: np.ndarray

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def lengths(self) -> np.ndarray:
        """Give the length of every user's sequence."""
        return np.diff(self.indptr)

    def __len__(self) -> int:
        return self.n_users

    def __repr__(self) -> str:
        return (f"Sequences({self.n_users:,} users, {self.n_items:,} items, {len(self.codes):,} events, "
                f"median length {int(np.median(self.lengths)) if self.n_users else 0})")

    def _user_of_event(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_users), self.lengths)

    def padded(self, max_len: int) -> np.ndarray:
        """Give the last ``max_len`` codes of every user, left-padded with 0: ``(n_users, max_len)``."""
        max_len = require_positive_int(max_len, "max_len")
        return _windows(self.codes, self.indptr[1:], self.indptr[:-1], max_len)

    def matrix(self) -> sp.csr_matrix:
        """Give the users x items count matrix (how often each user has each item)."""
        ones = np.ones(len(self.codes), dtype=np.float32)
        out = sp.csr_matrix((ones, (self._user_of_event(), self.codes - 1)), shape=(self.n_users, self.n_items))
        out.sum_duplicates()
        return out

    def to_frame(self) -> pd.DataFrame:
        """Give the events back as ``user_id, item_id, timestamp, position`` (0 = first)."""
        user = self._user_of_event()
        position = np.arange(len(self.codes)) - self.indptr[user]
        return pd.DataFrame({C.USER: self.users[user], C.ITEM: self.items[self.codes - 1],
                             C.TIMESTAMP: self.times, "position": position})

    def select(self, users) -> Sequences:
        """Give the sequences of ``users`` (known ids), in that order."""
        rows = self.users.get_indexer(pd.Index(users))
        if (rows < 0).any():
            missing = list(pd.Index(users)[rows < 0][:5])
            raise ValueError(f"users: expected users that have a sequence, got {int((rows < 0).sum())} unknown, e.g. {missing}")
        return self._take(rows, self.indptr[rows], self.indptr[rows + 1])

    def _take(self, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Sequences:
        lengths = ends - starts
        index = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(lengths.sum())
        return Sequences(self.users[rows], self.items, self.codes[index], np.concatenate([[0], np.cumsum(lengths)]),
                         self.times[index])


def _windows(codes: np.ndarray, ends: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Give ``codes[max(start, end - width):end]`` of every pair, left-padded with 0 to ``width``."""
    index = ends[:, None] - width + np.arange(width)[None, :]
    valid = index >= starts[:, None]
    return np.where(valid, codes[np.clip(index, 0, max(len(codes) - 1, 0))], PAD).astype(np.int64)


def _time_values(values: pd.Series, arg: str) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy()
    raise TypeError(f"{arg}: expected a datetime or numeric time column, got dtype {values.dtype}")


def build_sequences(
    events: pd.DataFrame,
    *,
    user_col: str = C.USER,
    item_col: str = C.ITEM,
    time_col: str = C.TIMESTAMP,
    items: pd.Index | None = None,
    unknown: str = "raise",
) -> Sequences:
    """Give each user's items as a time-ordered :class:`Sequences`.

    The row order of ``events`` *is* the order of each user's sequence (so
    items with the same time keep the order the caller stated); the times of
    a user must therefore not decrease from row to row, else a ``ValueError``
    says so. Users may be interleaved. Introduced in lesson 20.

    Parameters
    ----------
    events : DataFrame
        One row per event with ``user_col``, ``item_col`` and ``time_col``.
    items : pd.Index, optional
        A fixed item vocabulary (e.g. a fitted model's ``items_``); default:
        the sorted distinct items of ``events``.
    unknown : {"raise", "drop"}
        With ``items``: raise on items outside it, or drop those events.
    """
    require_frame(events, [user_col, item_col, time_col], "events")
    require_no_nan(events, [user_col, item_col, time_col], "events")
    if unknown not in UNKNOWN_ITEMS:
        raise ValueError(f"unknown: expected one of {list(UNKNOWN_ITEMS)}, got {unknown!r}")
    times = _time_values(events[time_col], "events")
    item_values = events[item_col].to_numpy()
    if items is None:
        items = pd.Index(np.unique(item_values), name=C.ITEM)
    elif not isinstance(items, pd.Index) or items.empty or not items.is_unique:
        raise TypeError(f"items: expected a non-empty pd.Index of distinct item ids, got {type(items).__name__}")
    codes = items.get_indexer(item_values) + 1
    keep = codes > 0
    if not keep.all():
        if unknown == "raise":
            raise ValueError(
                f"events: expected items known to the model, got {int((~keep).sum())} events of unknown items, "
                f"e.g. {item_values[~keep][0]!r} (pass unknown='drop' to leave them out)"
            )
        if not keep.any():
            raise ValueError("events: expected at least one event of a known item, got none")
    user_codes, users = pd.factorize(events[user_col].to_numpy()[keep], sort=True)
    order = np.argsort(user_codes, kind="stable")
    user_sorted, times_sorted, codes_sorted = user_codes[order], times[keep][order], codes[keep][order]
    same_user = user_sorted[1:] == user_sorted[:-1]
    backwards = same_user & (times_sorted[1:] < times_sorted[:-1])
    if backwards.any():
        first = users[user_sorted[1:][backwards][0]]
        first = first.item() if isinstance(first, np.generic) else first
        raise ValueError(
            f"events: expected non-decreasing {time_col!r} within each user in row order, got "
            f"{int(backwards.sum())} out-of-order events (first for user {first!r}); sort the events first"
        )
    indptr = np.concatenate([[0], np.cumsum(np.bincount(user_sorted, minlength=len(users)))]).astype(np.int64)
    return Sequences(pd.Index(users, name=C.USER), items, codes_sorted.astype(np.int64), indptr, times_sorted)


def sequences_from_lists(histories: dict, items: pd.Index | None = None) -> Sequences:
    """Give :class:`Sequences` from ``{user: [item, item, ...]}`` in the listed order (hand-made examples).

    Event times are the positions 0, 1, 2... Introduced in lesson 20.
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError(f"histories: expected a non-empty dict user -> list of items, got {type(histories).__name__}")
    rows = []
    for user, seq in histories.items():
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise TypeError(f"histories: expected a list of items for user {user!r}, got {type(seq).__name__}")
        if len(seq) == 0:
            raise ValueError(f"histories: expected at least one item per user, got an empty sequence for user {user!r}")
        rows.append(pd.DataFrame({C.USER: user, C.ITEM: list(seq), C.TIMESTAMP: np.arange(len(seq))}))
    return build_sequences(pd.concat(rows, ignore_index=True), items=items)


def retail_events(clean: pd.DataFrame) -> pd.DataFrame:
    """Give cleaned Online Retail as ordered events ``user_id, item_id, timestamp, invoice``.

    Each customer's invoices in time order (same-minute invoices by invoice
    number); within an invoice, items in the order of its lines in the source
    file. A product on several lines of one invoice counts once, at its first
    line. ``clean`` is not changed. Introduced in lesson 20.
    """
    require_frame(clean, [C.CUSTOMER_ID, C.STOCK_CODE, C.INVOICE, C.INVOICE_DATE], "clean")
    require_no_nan(clean, [C.CUSTOMER_ID, C.STOCK_CODE, C.INVOICE, C.INVOICE_DATE], "clean")
    events = pd.DataFrame({
        C.USER: clean[C.CUSTOMER_ID].to_numpy(),
        C.ITEM: clean[C.STOCK_CODE].to_numpy(),
        C.TIMESTAMP: clean[C.INVOICE_DATE].to_numpy(),
        INVOICE_COL: clean[C.INVOICE].astype(str).to_numpy(),
        "_line": np.arange(len(clean)),
    })
    events = events.drop_duplicates([INVOICE_COL, C.ITEM], keep="first")
    events = events.sort_values([C.USER, C.TIMESTAMP, INVOICE_COL, "_line"], kind="stable")
    return events.drop(columns="_line").reset_index(drop=True)


def movielens_events(ratings: pd.DataFrame) -> pd.DataFrame:
    """Give MovieLens ratings as ordered events ``user_id, item_id, timestamp``.

    Each user's ratings by time. Half of the ratings share their second with
    the previous one; the data cannot say which came first, so ties keep the
    row order of the file, which GroupLens shuffled ("the data is randomly
    ordered"). Ordering ties by film id instead would leak: the next item would
    tend to have a larger id. Introduced in lesson 20.
    """
    require_frame(ratings, [C.USER, C.ITEM, C.TIMESTAMP], "ratings")
    require_no_nan(ratings, [C.USER, C.ITEM, C.TIMESTAMP], "ratings")
    events = ratings[[C.USER, C.ITEM, C.TIMESTAMP]].sort_values([C.USER, C.TIMESTAMP], kind="stable")
    return events.reset_index(drop=True)


def leave_last_out(sequences: Sequences) -> tuple[Sequences, pd.DataFrame]:
    """Give ``(histories, truth)``: every sequence without its last item, and that item.

    Users with a single item are left out (nothing would remain to learn
    from). Apply twice for a validation target: ``train, val = leave_last_out(histories)``.
    Introduced in lesson 20.
    """
    if not isinstance(sequences, Sequences):
        raise TypeError(f"sequences: expected a Sequences object, got {type(sequences).__name__}")
    rows = np.flatnonzero(sequences.lengths >= 2)
    if rows.size == 0:
        raise ValueError("sequences: expected at least one user with two or more items, got none")
    histories = sequences._take(rows, sequences.indptr[rows], sequences.indptr[rows + 1] - 1)
    last = sequences.codes[sequences.indptr[rows + 1] - 1]
    truth = pd.DataFrame({C.USER: sequences.users[rows], C.ITEM: sequences.items[last - 1]})
    return histories, truth


# --------------------------------------------------------------------------- shared estimator logic
def _require_sequences(value: object, arg: str) -> Sequences:
    if not isinstance(value, Sequences):
        raise TypeError(f"{arg}: expected a Sequences object (from build_sequences), got {type(value).__name__}")
    if value.n_users == 0:
        raise ValueError(f"{arg}: expected at least one sequence, got none")
    return value


class SequentialRecommender(BaseEstimator):
    """Common fit / score / recommend logic of the next-item recommenders.

    Subclasses implement ``_fit(sequences, validation)`` and
    ``_score(histories)`` (dense ``(n_users, n_items)`` scores of the next item).
    Introduced in lesson 20.
    """

    def fit(self, sequences: Sequences, validation: tuple | None = None):
        """Learn from ``sequences``; give ``self``.

        ``validation`` is ``(histories, truth)``: histories encoded with the
        same items, and a DataFrame ``user_id, item_id`` of what came next
        (used by the trained models to stop early; ignored by the baselines).
        """
        sequences = _require_sequences(sequences, "sequences")
        self._check_params()
        if validation is not None:
            validation = self._check_validation(validation, sequences.items)
        self.items_ = sequences.items
        self.n_items_ = sequences.n_items
        counts = np.bincount(sequences.codes - 1, minlength=sequences.n_items).astype(np.float64)
        self.popularity_ = counts / counts.sum()
        self._fit(sequences, validation)
        return self

    def _check_params(self) -> None:
        """Validate hyper-parameters (at the start of ``fit``)."""

    def _fit(self, sequences: Sequences, validation) -> None:
        raise NotImplementedError

    def _score(self, histories: Sequences) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def _check_validation(validation: object, items: pd.Index):
        if not isinstance(validation, tuple) or len(validation) != 2:
            raise TypeError(f"validation: expected a tuple (histories, truth), got {type(validation).__name__}")
        histories, truth = validation
        histories = _require_sequences(histories, "validation")
        if not histories.items.equals(items):
            raise ValueError("validation: expected histories encoded with the training items (build_sequences(..., items=...))")
        require_frame(truth, [C.USER, C.ITEM], "validation")
        return histories, truth

    def _check_histories(self, histories: object) -> Sequences:
        check_is_fitted(self, "items_")
        histories = _require_sequences(histories, "histories")
        if not histories.items.equals(self.items_):
            raise ValueError(
                "histories: expected sequences encoded with the model's items; "
                "build them with build_sequences(events, items=model.items_, unknown='drop')"
            )
        return histories

    def score(self, histories: Sequences) -> np.ndarray:
        """Give next-item scores, shape ``(n_users, n_items)``; higher means recommend sooner."""
        return np.asarray(self._score(self._check_histories(histories)))

    def recommend(self, histories: Sequences, k: int = 10, exclude_seen: bool = False,
                  *, batch_size: int = 1024) -> pd.DataFrame:
        """Give the top-k next items of every history: ``user_id, item_id, prediction, rank``.

        Parameters
        ----------
        histories : Sequences
            Encoded with the model's items.
        k : int
            List length, >= 1.
        exclude_seen : bool
            Leave out items already in the history.
        batch_size : int
            Users scored at a time (bounds memory).
        """
        histories = self._check_histories(histories)
        k = require_positive_int(k, "k")
        batch_size = require_positive_int(batch_size, "batch_size")
        require_bool(exclude_seen, "exclude_seen")
        seen = histories.matrix() if exclude_seen else None
        parts = []
        for start in range(0, histories.n_users, batch_size):
            rows = np.arange(start, min(start + batch_size, histories.n_users))
            part = histories._take(rows, histories.indptr[rows], histories.indptr[rows + 1])
            parts.append(top_k_items(self._score(part), k, None if seen is None else seen[rows],
                                     users=part.users, items=self.items_))
        return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- baselines
class MostPopular(SequentialRecommender):
    """Recommend the items most frequent in training to everyone: the yardstick every model must beat.

    Attributes
    ----------
    popularity_ : ndarray (n_items,)
        Share of training events of each item (the score).

    Introduced in lesson 20.
    """

    def _fit(self, sequences: Sequences, validation) -> None:
        pass

    def _score(self, histories: Sequences) -> np.ndarray:
        return np.broadcast_to(self.popularity_, (histories.n_users, self.n_items_)).copy()


class BuyItAgain(SequentialRecommender):
    """Recommend the customer's own items again, by recency-weighted frequency.

    An item the customer has had scores

    .. math:: s_u(i) = 1 + \\sum_{t:\\, x_t = i} \\gamma^{\\,T - t}

    over the positions ``t`` of the history ``x_1..x_T`` (``gamma = decay``;
    1 counts purchases, a small value ranks the most recent first). Items not
    in the history follow, ranked by training popularity (a score in [0, 1)).

    Parameters
    ----------
    decay : float in (0, 1]

    Attributes
    ----------
    items_ : pd.Index
    popularity_ : ndarray (n_items,)
        Share of training events of each item.

    Introduced in lesson 20.
    """

    def __init__(self, decay: float = 1.0):
        self.decay = decay

    def _check_params(self) -> None:
        require_in_range(self.decay, "decay", 0.0, 1.0, low_inclusive=False)

    def _fit(self, sequences: Sequences, validation) -> None:
        pass

    def _score(self, histories: Sequences) -> np.ndarray:
        user = histories._user_of_event()
        age = histories.indptr[user + 1] - 1 - np.arange(len(histories.codes))
        weight = np.power(float(self.decay), age.astype(np.float64))
        own = sp.csr_matrix((weight, (user, histories.codes - 1)), shape=(histories.n_users, self.n_items_))
        own.sum_duplicates()
        fallback = self.popularity_ / (self.popularity_.max() * (1 + 1e-9))
        scores = np.broadcast_to(fallback, (histories.n_users, self.n_items_)).copy()
        dense = own.toarray()
        had = histories.matrix().toarray() > 0
        scores[had] = 1.0 + dense[had]
        return scores


class ItemTransitions(SequentialRecommender):
    """A first-order Markov chain: score the next item by what followed the last item in training.

    .. math:: s_u(j) = \\frac{n(x_T \\to j) + \\alpha\\, p(j)}{n(x_T \\to \\cdot) + \\alpha}

    where ``n(i -> j)`` counts training sequences in which ``j`` came right
    after ``i``, ``p`` is item popularity and ``alpha = smoothing`` pulls rare
    last items towards it.

    Parameters
    ----------
    smoothing : float >= 0

    Attributes
    ----------
    transitions_ : scipy.sparse.csr_matrix (n_items, n_items)
        ``transitions_[i, j]``: times item code ``j + 1`` followed ``i + 1``.
    popularity_ : ndarray (n_items,)

    Introduced in lesson 20.
    """

    def __init__(self, smoothing: float = 1.0):
        self.smoothing = smoothing

    def _check_params(self) -> None:
        require_in_range(self.smoothing, "smoothing", 0.0, np.inf)

    def _fit(self, sequences: Sequences, validation) -> None:
        nxt = np.arange(1, len(sequences.codes))
        same_user = np.ones(len(sequences.codes), dtype=bool)
        same_user[sequences.indptr[1:-1]] = False  # first event of a user has no predecessor
        nxt = nxt[same_user[1:]]
        counts = sp.csr_matrix(
            (np.ones(len(nxt)), (sequences.codes[nxt - 1] - 1, sequences.codes[nxt] - 1)),
            shape=(sequences.n_items, sequences.n_items),
        )
        counts.sum_duplicates()
        self.transitions_ = counts
        self.out_counts_ = np.asarray(counts.sum(axis=1)).ravel()

    def _score(self, histories: Sequences) -> np.ndarray:
        last = histories.codes[histories.indptr[1:] - 1] - 1
        alpha = float(self.smoothing)
        numerator = self.transitions_[last].toarray() + alpha * self.popularity_[None, :]
        denominator = self.out_counts_[last][:, None] + alpha
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = numerator / denominator
        return np.nan_to_num(scores, nan=0.0)  # an unseen last item with alpha = 0 scores nothing


# --------------------------------------------------------------------------- attention models
def mask_items(tokens, mask_prob: float, mask_token: int, generator):
    """Give ``(inputs, targets)`` for the masked-item objective of BERT4Rec.

    Each non-padding position is masked with probability ``mask_prob``
    (replaced by ``mask_token``); a row with no masked position gets its last
    item masked, so every row teaches something. ``targets`` holds the original
    item where masked and 0 (ignored) elsewhere. Padding is never masked;
    ``tokens`` is not changed. Introduced in lesson 20.
    """
    if not isinstance(tokens, torch.Tensor) or tokens.dim() != 2:
        raise TypeError(f"tokens: expected a (batch, length) integer tensor, got {type(tokens).__name__}")
    require_in_range(mask_prob, "mask_prob", 0.0, 1.0, low_inclusive=False)
    if isinstance(mask_token, (bool, np.bool_)) or not isinstance(mask_token, (int, np.integer)):
        raise TypeError(f"mask_token: expected an integer token id, got {type(mask_token).__name__}")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator: expected a torch.Generator, got {type(generator).__name__}")
    real = tokens != PAD
    draw = torch.rand(tokens.shape, generator=generator, device=generator.device).to(tokens.device)
    masked = real & (draw < mask_prob)
    none = ~masked.any(dim=1) & real.any(dim=1)
    last = tokens.shape[1] - 1  # sequences are left-padded: the last position is the latest item
    masked[none, last] = True
    inputs = torch.where(masked, torch.full_like(tokens, mask_token), tokens)
    targets = torch.where(masked, tokens, torch.zeros_like(tokens))
    return inputs, targets


def _init_weights(net, generator) -> None:
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight, generator=generator)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, std=0.02, generator=generator)
        net.encoder.token.weight[PAD].zero_()


class NextItemNet(nn.Module):
    """The shared encoder plus an output layer tied to the item embeddings (SASRec, BERT4Rec).

    ``logits(hidden)`` scores item codes ``1..n_items`` as
    ``hidden @ E[1:n_items + 1].T + b``, with ``E`` the encoder's token
    embeddings. Introduced in lesson 20.
    """

    def __init__(self, n_tokens: int, n_items: int, d_model: int, n_heads: int, n_layers: int, max_len: int,
                 dropout: float):
        super().__init__()
        n_items = require_positive_int(n_items, "n_items")
        require_in_range(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        self.n_items = n_items
        self.encoder = TransformerEncoder(n_tokens, d_model, n_heads, n_layers, max_len, dropout)
        self.bias = nn.Parameter(torch.zeros(n_items))

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Give scores of every item for hidden states ``(..., d_model)``."""
        return hidden @ self.encoder.token.weight[1:self.n_items + 1].T + self.bias


class _AttentionRecommender(SequentialRecommender):
    """Training loop shared by SASRec and BERT4Rec: epochs, early stopping, device, threads, seeds."""

    _causal = True
    _name = "attention"

    def _check_params(self) -> None:
        for name in ("max_len", "d_model", "n_heads", "n_layers", "batch_size", "epochs", "patience",
                     "eval_k", "windows_per_user"):
            require_positive_int(getattr(self, name), name)
        if self.d_model % self.n_heads:
            raise ValueError(f"n_heads: expected a divisor of d_model={self.d_model}, got {self.n_heads}")
        require_in_range(self.dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        require_in_range(self.lr, "lr", 0.0, np.inf, low_inclusive=False)
        require_in_range(self.weight_decay, "weight_decay", 0.0, np.inf)
        check_random_state(self.random_state)
        for name in ("progress", "exclude_seen"):
            require_bool(getattr(self, name), name)
        if self.n_threads is not None:
            require_positive_int(self.n_threads, "n_threads")

    # the two models differ in these three
    def _n_tokens(self) -> int:
        return self.n_items_ + 1

    def _train_windows(self, sequences: Sequences) -> np.ndarray:
        raise NotImplementedError

    def _batch_loss(self, net, batch, generator):
        raise NotImplementedError

    def _fit(self, sequences: Sequences, validation) -> None:
        from ..device import resolve_device

        device = resolve_device(self.device)
        seed = draw_seed(self.random_state)
        fork_devices = [device.index or 0] if device.type == "cuda" else []
        start = time.perf_counter()
        # dropout inside the shared encoder draws from torch's global generator: train inside a fork
        # of it, seeded from random_state, so results repeat and the caller's global state is untouched
        with limit_threads(self.n_threads), torch.random.fork_rng(devices=fork_devices,
                                                                   device_type=device.type if fork_devices else "cuda"):
            torch.manual_seed(seed)
            self._train(sequences, validation, device, seed)
        self.fit_seconds_ = time.perf_counter() - start

    def _train(self, sequences: Sequences, validation, device, seed: int) -> None:
        from tqdm.auto import tqdm

        generator = torch.Generator().manual_seed(seed)
        params = {name: getattr(self, name) for name in ("d_model", "n_heads", "n_layers", "max_len", "dropout")}
        net = NextItemNet(self._n_tokens(), self.n_items_, **params)
        _init_weights(net, generator)
        net = net.to(device)
        self.net_, self.device_ = net, device
        optimiser = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        windows = torch.from_numpy(self._train_windows(sequences))
        history, best, best_state, waited, train_seconds = [], -np.inf, None, 0, 0.0
        bar = tqdm(range(1, self.epochs + 1), desc=type(self).__name__, disable=not self.progress)
        for epoch in bar:
            tick = time.perf_counter()
            net.train()
            order = torch.randperm(len(windows), generator=generator)
            total, count = 0.0, 0
            for begin in range(0, len(order), self.batch_size):
                batch = windows[order[begin:begin + self.batch_size]].to(device)
                loss, n = self._batch_loss(net, batch, generator)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * n
                count += n
            net.eval()
            seconds = time.perf_counter() - tick
            train_seconds += seconds
            row = {"epoch": epoch, "train_loss": total / max(count, 1), "seconds": seconds}
            if validation is not None:
                histories, truth = validation
                recs = self.recommend(histories, k=self.eval_k, exclude_seen=self.exclude_seen)
                row["val_ndcg"] = ndcg_at_k(recs, truth, self.eval_k)
                bar.set_postfix(loss=f"{row['train_loss']:.3f}", val_ndcg=f"{row['val_ndcg']:.4f}")
                if row["val_ndcg"] > best:
                    best, waited, self.best_epoch_ = row["val_ndcg"], 0, epoch
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    waited += 1
            history.append(row)
            if validation is not None and waited >= self.patience:
                break
        bar.close()
        if best_state is not None:
            net.load_state_dict(best_state)
        else:
            self.best_epoch_ = len(history)
        self.history_ = pd.DataFrame(history).set_index("epoch")
        self.epoch_seconds_ = train_seconds / len(history)

    def _predict_tokens(self, histories: Sequences) -> np.ndarray:
        return histories.padded(self.max_len)

    def _score(self, histories: Sequences) -> np.ndarray:
        check_is_fitted(self, "net_")
        tokens = torch.from_numpy(self._predict_tokens(histories)).to(self.device_)
        self.net_.eval()
        with torch.no_grad(), limit_threads(self.n_threads):
            hidden = self.net_.encoder(tokens, causal=self._causal)[:, -1]
            return self.net_.logits(hidden).float().cpu().numpy()


_ATTENTION_PARAMS_DOC = """
    max_len : int
        L, the number of latest items the model reads.
    d_model, n_heads, n_layers : int
        Width, attention heads and blocks of the encoder.
    dropout : float in [0, 1)
    lr, weight_decay : float
        Adam's learning rate and L2 penalty.
    batch_size, epochs : int
        ``epochs`` is the maximum; early stopping may end sooner.
    patience : int
        With validation: stop after this many epochs without a better NDCG@``eval_k``
        and keep the best epoch's weights.
    eval_k : int
    windows_per_user : int
        Train on up to this many non-overlapping windows per user, from the end
        of the sequence back (1: only the latest, as in the papers).
    exclude_seen : bool
        Leave out already-seen items when validating (set it as the evaluation does).
    random_state : None, int or numpy Generator
        Seeds initialisation, shuffling, masking and dropout.
    device : str or torch.device, optional
        Default: :func:`pmkt_lessons.device.get_device`.
    n_threads : int or None
        CPU threads while training and scoring (:func:`pmkt_lessons.device.limit_threads`).
    progress : bool
        A tqdm bar over epochs.

    Attributes
    ----------
    net_ : torch.nn.Module
        The trained network (best epoch's weights) on ``device_``.
    history_ : DataFrame
        Per epoch: ``train_loss``, ``seconds`` and, with validation, ``val_ndcg``.
    best_epoch_ : int
    epoch_seconds_ : float
        Mean training seconds per epoch (without validation).
    fit_seconds_ : float
    items_ : pd.Index
    popularity_ : ndarray
"""


class SASRec(_AttentionRecommender):
    """SASRec: causal self-attention over the last L items, trained with the full softmax.

    With hidden state :math:`h_t` after reading :math:`x_1..x_t` (position
    :math:`t` attends only to positions :math:`\\le t`), the next item is scored
    against every item embedding :math:`e_j` (shared with the input):

    .. math:: P(x_{t+1} = j \\mid x_{1..t}) = \\operatorname{softmax}_j(h_t^\\top e_j + b_j),
              \\qquad \\mathcal{L} = -\\sum_{t} \\log P(x_{t+1} \\mid x_{1..t})

    summed over every non-padding position of every training window. The
    paper samples one negative per positive and uses a binary loss; the full
    softmax over the catalogue is affordable here and is what makes SASRec
    competitive with BERT4Rec (Klenitskiy & Vasilev 2023).

    Parameters
    ----------""" + _ATTENTION_PARAMS_DOC + """
    References
    ----------
    Kang, W.-C. & McAuley, J. (2018). Self-attentive sequential recommendation. ICDM.
    Klenitskiy, A. & Vasilev, A. (2023). Turning dross into gold loss: is BERT4Rec
    really better than SASRec? RecSys.

    Introduced in lesson 20.
    """

    _causal = True

    def __init__(self, max_len: int = 50, d_model: int = 64, n_heads: int = 2, n_layers: int = 2,
                 dropout: float = 0.2, lr: float = 1e-3, weight_decay: float = 0.0, batch_size: int = 64,
                 epochs: int = 30, patience: int = 3, eval_k: int = 10, windows_per_user: int = 1,
                 exclude_seen: bool = False, random_state=0, device=None, n_threads: int | None = 1,
                 progress: bool = False):
        self.max_len = max_len
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.eval_k = eval_k
        self.windows_per_user = windows_per_user
        self.exclude_seen = exclude_seen
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.progress = progress

    def _train_windows(self, sequences: Sequences) -> np.ndarray:
        return training_windows(sequences, self.max_len + 1, self.windows_per_user, min_items=2)

    def _batch_loss(self, net, batch, generator):
        inputs, targets = batch[:, :-1], batch[:, 1:]
        keep = inputs != PAD
        hidden = net.encoder(inputs, causal=True)[keep]
        return F.cross_entropy(net.logits(hidden), targets[keep] - 1), int(keep.sum())


class BERT4Rec(_AttentionRecommender):
    """BERT4Rec-style model: bidirectional attention trained to recover masked items.

    Each training window has a share ``mask_prob`` of its items replaced by a
    ``[MASK]`` token (:func:`mask_items`); the encoder reads the whole window
    in both directions and is trained with the full-softmax cross-entropy of
    the original item at the masked positions only. To recommend, a ``[MASK]``
    is appended after the latest ``max_len - 1`` items and its prediction read.

    Parameters
    ----------
    mask_prob : float in (0, 1)
        Share of items masked per window (Sun et al. use 0.2 on MovieLens).""" + _ATTENTION_PARAMS_DOC + """
    References
    ----------
    Sun, F. et al. (2019). BERT4Rec: sequential recommendation with bidirectional encoder
    representations from transformer. CIKM.
    Petrov, A. & Macdonald, C. (2022). A systematic review and replicability study of
    BERT4Rec for sequential recommendation. RecSys.

    Introduced in lesson 20.
    """

    _causal = False

    def __init__(self, mask_prob: float = 0.2, max_len: int = 50, d_model: int = 64, n_heads: int = 2,
                 n_layers: int = 2, dropout: float = 0.2, lr: float = 1e-3, weight_decay: float = 0.0,
                 batch_size: int = 64, epochs: int = 30, patience: int = 3, eval_k: int = 10,
                 windows_per_user: int = 1, exclude_seen: bool = False, random_state=0, device=None,
                 n_threads: int | None = 1, progress: bool = False):
        self.mask_prob = mask_prob
        self.max_len = max_len
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.eval_k = eval_k
        self.windows_per_user = windows_per_user
        self.exclude_seen = exclude_seen
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.progress = progress

    def _check_params(self) -> None:
        super()._check_params()
        require_in_range(self.mask_prob, "mask_prob", 0.0, 1.0, low_inclusive=False, high_inclusive=False)

    @property
    def mask_token_(self) -> int:
        """Give the id of the ``[MASK]`` token (one past the last item code)."""
        check_is_fitted(self, "items_")
        return self.n_items_ + 1

    def _n_tokens(self) -> int:
        return self.n_items_ + 2

    def _train_windows(self, sequences: Sequences) -> np.ndarray:
        return training_windows(sequences, self.max_len, self.windows_per_user, min_items=1)

    def _batch_loss(self, net, batch, generator):
        inputs, targets = mask_items(batch, self.mask_prob, self.mask_token_, generator)
        keep = targets != PAD
        hidden = net.encoder(inputs, causal=False)[keep]
        return F.cross_entropy(net.logits(hidden), targets[keep] - 1), int(keep.sum())

    def _predict_tokens(self, histories: Sequences) -> np.ndarray:
        tokens = histories.padded(self.max_len)
        tokens[:, :-1] = tokens[:, 1:]
        tokens[:, -1] = self.mask_token_
        return tokens


def training_windows(sequences: Sequences, width: int, windows_per_user: int = 1, *, min_items: int = 2) -> np.ndarray:
    """Give training windows ``(n_windows, width)``: each user's latest ``width`` codes, then the ``width`` before...

    Up to ``windows_per_user`` non-overlapping windows per user, left-padded
    with 0; windows with fewer than ``min_items`` items are dropped.
    Introduced in lesson 20.
    """
    sequences = _require_sequences(sequences, "sequences")
    width = require_positive_int(width, "width")
    windows_per_user = require_positive_int(windows_per_user, "windows_per_user")
    n_windows = np.minimum(windows_per_user, -(-sequences.lengths // width))
    user = np.repeat(np.arange(sequences.n_users), n_windows)
    back = np.arange(len(user)) - np.repeat(np.cumsum(n_windows) - n_windows, n_windows)
    ends = sequences.indptr[user + 1] - back * width
    starts = sequences.indptr[user]
    out = _windows(sequences.codes, ends, starts, width)
    return out[(out != PAD).sum(axis=1) >= min_items]
