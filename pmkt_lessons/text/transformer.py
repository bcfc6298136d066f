"""A tiny transformer sentence classifier in torch, trained from scratch, as a scikit-learn estimator.

The model reads a sentence as token ids (vocabulary built in ``fit``), adds
learned position embeddings, runs the shared self-attention encoder of
:mod:`pmkt_lessons.attention`, averages the hidden states of the real
(non-padding) tokens and maps that average to class logits:

.. math:: h = \\operatorname{Encoder}(x_{1:L}), \\qquad
          \\bar h = \\frac{1}{|\\{i: x_i \\ne 0\\}|} \\sum_{i: x_i \\ne 0} h_i, \\qquad
          p(y \\mid x) = \\operatorname{softmax}(W \\bar h + b).

It is trained with Adam on cross-entropy; a stratified validation split of
the training data stops training when the validation loss has not improved
for ``patience`` epochs, and the best epoch's weights are kept. Regularised
by weight decay and *token dropout* (each training token replaced by the
unknown id with probability ``token_dropout``). Every random draw (weights,
split, shuffling, token dropout) comes from ``random_state`` through local
generators, so the same ``random_state`` gives the same model without
touching torch's global seed. Introduced in lesson 19.

References
----------
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS.
Zhang, A., Lipton, Z. C., Li, M. & Smola, A. J. Dive into Deep Learning,
ch. 11 (attention mechanisms and transformers). https://d2l.ai
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..attention import TransformerEncoder, masked_mean
from ..device import get_device, limit_threads
from ..randomness import check_random_state, draw_seed, torch_generator
from ..validation import require_bool, require_in_range, require_positive_int
from .tokens import UNK, build_vocabulary, check_texts, encode, tokenize


class SentenceNet(nn.Module):
    """Encoder + masked mean pooling + a linear head: ``(batch, L)`` ids -> ``(batch, n_classes)`` logits."""

    def __init__(self, n_tokens: int, n_classes: int, d_model: int, n_heads: int, n_layers: int, max_len: int):
        super().__init__()
        n_classes = require_positive_int(n_classes, "n_classes")
        # dropout 0: the only dropout is token dropout, drawn from the estimator's own generator
        self.encoder = TransformerEncoder(n_tokens, d_model, n_heads, n_layers, max_len, dropout=0.0)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(masked_mean(self.encoder(tokens), tokens))


def init_parameters(module: nn.Module, generator: torch.Generator) -> None:
    """Initialise ``module``'s weights in place, as torch's defaults do, drawing from ``generator``."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(m.in_features)
            nn.init.uniform_(m.bias, -bound, bound, generator=generator)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, generator=generator)
            if m.padding_idx is not None:
                with torch.no_grad():
                    m.weight[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class TransformerTextClassifier(ClassifierMixin, BaseEstimator):
    """Sentence classifier: a tiny transformer encoder trained from scratch, with early stopping.

    Parameters
    ----------
    d_model : int
        Width of the token embeddings and hidden states (divisible by ``n_heads``).
    n_heads, n_layers : int
        Attention heads per block, and blocks.
    max_len : int
        Tokens kept per sentence (longer sentences are cut).
    min_count : int
        A word enters the vocabulary if it occurs this often in the training part.
    lr, weight_decay : float
        AdamW's learning rate and decoupled weight decay.
    batch_size, epochs : int
        ``epochs`` is the maximum; early stopping usually ends sooner.
    patience : int
        Stop after this many epochs without a lower validation loss.
    validation_fraction : float in (0, 0.5]
        Share of the training texts held out (stratified) for early stopping.
    token_dropout : float in [0, 1)
        Probability that a training token is replaced by the unknown id.
    random_state : None, int or numpy Generator
        Seeds the weights, the validation split, the batch order and token dropout.
    device : str or torch.device, optional
        Default :func:`pmkt_lessons.device.get_device` (GPU when present).
    n_threads : int or None
        CPU threads for torch and BLAS during ``fit`` and ``predict`` (see
        :func:`pmkt_lessons.device.limit_threads`); ``None`` leaves them alone.
    progress : bool
        Show a tqdm bar over epochs with the training and validation loss.

    Attributes
    ----------
    classes_ : ndarray
    vocabulary_ : dict
        Word -> id (0 padding, 1 unknown), from the training part only.
    net_ : SentenceNet
        The trained network with the best epoch's weights, on ``device_``.
    history_ : DataFrame
        Per epoch: ``train_loss``, ``val_loss``, ``val_accuracy``.
    best_epoch_ : int
    device_ : torch.device
    fit_seconds_ : float

    Introduced in lesson 19.
    """

    def __init__(
        self,
        d_model: int = 32,
        n_heads: int = 2,
        n_layers: int = 1,
        max_len: int = 64,
        min_count: int = 2,
        lr: float = 1e-2,
        weight_decay: float = 0.01,
        batch_size: int = 128,
        epochs: int = 15,
        patience: int = 2,
        validation_fraction: float = 0.15,
        token_dropout: float = 0.2,
        random_state: object = 0,
        device=None,
        n_threads: int | None = 1,
        progress: bool = False,
    ):
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.max_len = max_len
        self.min_count = min_count
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.token_dropout = token_dropout
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.progress = progress

    def _check_params(self) -> None:
        for name in ("d_model", "n_heads", "n_layers", "max_len", "min_count", "batch_size", "epochs", "patience"):
            require_positive_int(getattr(self, name), name)
        if self.d_model % self.n_heads:
            raise ValueError(f"n_heads: expected a divisor of d_model={self.d_model}, got {self.n_heads}")
        require_in_range(self.lr, "lr", 0.0, np.inf, low_inclusive=False)
        require_in_range(self.weight_decay, "weight_decay", 0.0, np.inf)
        require_in_range(self.validation_fraction, "validation_fraction", 0.0, 0.5, low_inclusive=False)
        require_in_range(self.token_dropout, "token_dropout", 0.0, 1.0, high_inclusive=False)
        require_bool(self.progress, "progress")

    def _resolve_device(self):
        if self.device is None:
            return get_device()
        try:
            return torch.device(self.device)
        except (TypeError, RuntimeError) as exc:
            raise ValueError(f"device: expected 'cpu', 'cuda', 'mps', a torch.device or None, got {self.device!r}") from exc

    def fit(self, X: object, y: object):
        """Build the vocabulary and train on texts ``X`` with labels ``y``; give ``self``."""
        texts = check_texts(X, "X")
        if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
            raise TypeError(f"y: expected an array of labels, got {type(y).__name__}")
        y_arr = np.asarray(y)
        if y_arr.ndim != 1 or len(y_arr) != len(texts):
            raise ValueError(f"y: expected {len(texts)} labels (one per text), got shape {y_arr.shape}")
        if y_arr.dtype.kind == "f" and np.isnan(y_arr).any():
            raise ValueError("y: expected labels, got NaN")
        self._check_params()
        classes, y_idx = np.unique(y_arr, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y: expected at least two classes, got {classes.tolist()}")
        rng = check_random_state(self.random_state)
        train, val = train_test_split(np.arange(len(texts)), test_size=self.validation_fraction,
                                      stratify=y_idx, random_state=draw_seed(rng))
        tokens = [tokenize(t) for t in texts]
        self.classes_ = classes
        self.vocabulary_ = build_vocabulary([tokens[i] for i in train], self.min_count)
        self.device_ = self._resolve_device()
        generator = torch_generator(rng)  # CPU: weights, order and token dropout
        start = time.perf_counter()
        with limit_threads(self.n_threads):
            ids, lengths = encode(texts, self.vocabulary_, self.max_len)
            self._train(ids, lengths, y_idx, train, val, generator)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _new_net(self, generator: torch.Generator) -> SentenceNet:
        with torch.device("meta"):  # build without drawing from torch's global generator
            net = SentenceNet(len(self.vocabulary_) + 2, len(self.classes_), self.d_model, self.n_heads,
                              self.n_layers, self.max_len)
        net = net.to_empty(device="cpu")
        init_parameters(net, generator)
        return net.to(self.device_)

    def _batch(self, ids: np.ndarray, lengths: np.ndarray, rows: np.ndarray) -> torch.Tensor:
        width = max(1, int(lengths[rows].max()))  # pad each batch only to its longest sentence
        return torch.from_numpy(ids[rows, :width])

    def _train(self, ids, lengths, y_idx, train, val, generator) -> None:
        from tqdm.auto import tqdm

        net = self._new_net(generator)
        optimiser = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        targets = torch.from_numpy(y_idx.astype(np.int64))
        history, best_loss, best_state, waited = [], np.inf, None, 0
        bar = tqdm(range(1, self.epochs + 1), desc="TransformerTextClassifier", disable=not self.progress, leave=False)
        for epoch in bar:
            net.train()
            order = train[torch.randperm(len(train), generator=generator).numpy()]
            total = 0.0
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                batch = self._batch(ids, lengths, rows)
                if self.token_dropout > 0:
                    drop = (torch.rand(batch.shape, generator=generator) < self.token_dropout) & (batch != 0)
                    batch = batch.masked_fill(drop, UNK)
                loss = nn.functional.cross_entropy(net(batch.to(self.device_)), targets[rows].to(self.device_))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(rows)
            val_proba = self._proba(net, ids[val], lengths[val])
            val_loss = float(-np.mean(np.log(np.clip(val_proba[np.arange(len(val)), y_idx[val]], 1e-12, None))))
            val_acc = float(np.mean(val_proba.argmax(1) == y_idx[val]))
            history.append({"epoch": epoch, "train_loss": total / len(train), "val_loss": val_loss,
                            "val_accuracy": val_acc})
            bar.set_postfix(train_loss=f"{total / len(train):.3f}", val_loss=f"{val_loss:.3f}")
            if val_loss < best_loss:
                best_loss, waited, self.best_epoch_ = val_loss, 0, epoch
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            else:
                waited += 1
                if waited >= self.patience:
                    break
        bar.close()
        net.load_state_dict(best_state)
        net.eval()
        self.net_ = net
        self.history_ = pd.DataFrame(history).set_index("epoch")

    def _proba(self, net: SentenceNet, ids: np.ndarray, lengths: np.ndarray, batch_size: int = 512) -> np.ndarray:
        net.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(ids), batch_size):
                rows = np.arange(start, min(start + batch_size, len(ids)))
                logits = net(self._batch(ids, lengths, rows).to(self.device_))
                out.append(torch.softmax(logits.float(), dim=-1).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    def predict_proba(self, X: object) -> np.ndarray:
        """Give the ``(n, n_classes)`` class probabilities of texts ``X`` (columns in ``classes_`` order)."""
        check_is_fitted(self, "net_")
        texts = check_texts(X, "X")
        with limit_threads(self.n_threads):
            ids, lengths = encode(texts, self.vocabulary_, self.max_len)
            return self._proba(self.net_, ids, lengths)

    def predict(self, X: object) -> np.ndarray:
        """Give the most probable class of each text in ``X``."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def attention_map(self, text: str, layer: int = 0) -> pd.DataFrame:
        """Give one sentence's attention weights in block ``layer``, averaged over heads (rows: queries)."""
        check_is_fitted(self, "net_")
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        (text,) = check_texts([text], "text")
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < self.n_layers:
            raise ValueError(f"layer: expected an integer in [0, {self.n_layers}), got {layer!r}")
        words = tokenize(text)[: self.max_len]
        if not words:
            raise ValueError(f"text: expected at least one word, got {text!r}")
        ids, lengths = encode([text], self.vocabulary_, self.max_len)
        with limit_threads(self.n_threads), torch.no_grad():
            self.net_(self._batch(ids, lengths, np.array([0])).to(self.device_))
        weights = self.net_.encoder.blocks[layer].attention.last_weights[0].mean(0).cpu().numpy()
        labels = [w if w in self.vocabulary_ else f"{w} (unknown)" for w in words]
        return pd.DataFrame(weights, index=pd.Index(labels, name="query"), columns=pd.Index(labels, name="key"))
