"""Self-attention building blocks shared by the text model (lesson 19) and SASRec (lesson 20).

Scaled dot-product attention (Vaswani et al. 2017),

.. math:: \\operatorname{Attention}(Q, K, V) = \\operatorname{softmax}\\Big(\\frac{QK^\\top}{\\sqrt{d}} + M\\Big) V,

where the mask :math:`M` is :math:`-\\infty` where a query may not look
(padding, or a later position under a causal mask) and 0 elsewhere.
:class:`TransformerEncoder` stacks pre-norm blocks of multi-head attention
and a feed-forward layer over token plus learned position embeddings; token
id 0 is padding. Introduced in lesson 19.

References
----------
Vaswani, A. et al. (2017). Attention is all you need. NeurIPS.
Kang, W.-C. & McAuley, J. (2018). Self-attentive sequential recommendation. ICDM.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .validation import require_in_range, require_positive_int, require_tensor

PAD = 0


def causal_mask(length: int, device=None) -> torch.Tensor:
    """Give a ``(length, length)`` bool mask, True where query ``i`` may attend to key ``j <= i``."""
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"length: expected a positive integer, got {length!r}")
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Give ``(output, weights)`` of attention; ``mask`` is True where attending is allowed.

    ``q`` is ``(..., Lq, d)``, ``k`` and ``v`` are ``(..., Lk, d)``; ``mask``
    broadcasts to ``(..., Lq, Lk)``. A query row with no allowed key gets
    all-zero weights instead of NaN.
    """
    for arg, value in (("q", q), ("k", k), ("v", v)):
        require_tensor(value, arg)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = torch.nan_to_num(weights, nan=0.0)  # fully masked rows (padding queries)
    return weights @ v, weights


class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention built on :func:`scaled_dot_product_attention`."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0):
        super().__init__()
        d_model, n_heads = require_positive_int(d_model, "d_model"), require_positive_int(n_heads, "n_heads")
        require_in_range(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        if d_model % n_heads:
            raise ValueError(f"n_heads: expected a divisor of d_model={d_model}, got {n_heads}")
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)
        self.last_weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        batch, length, d_model = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.n_heads, -1).permute(2, 0, 3, 1, 4)
        if mask is not None and mask.dim() == 3:  # (batch, Lq, Lk) -> broadcast over heads
            mask = mask[:, None]
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        self.last_weights = weights.detach()
        out = out.transpose(1, 2).reshape(batch, length, d_model)
        return self.dropout(self.out(out))


class SelfAttentionBlock(nn.Module):
    """A pre-norm transformer block: x + MHA(LN(x)), then x + FFN(LN(x))."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int | None = None, dropout: float = 0.1):
        super().__init__()
        d_model = require_positive_int(d_model, "d_model")
        require_in_range(dropout, "dropout", 0.0, 1.0, high_inclusive=False)
        d_ff = require_positive_int(d_ff, "d_ff") if d_ff is not None else 4 * d_model
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = MultiHeadSelfAttention(d_model, n_heads, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.ffn = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model), nn.Dropout(dropout)
        )

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attention(self.norm1(x), mask)
        return x + self.ffn(self.norm2(x))


class TransformerEncoder(nn.Module):
    """Token + learned position embeddings, ``n_layers`` attention blocks, a final LayerNorm.

    ``forward(tokens, causal=False)`` takes ``(batch, length)`` integer ids
    (0 = padding) and gives ``(batch, length, d_model)`` hidden states. Keys
    at padding positions get no weight; with ``causal=True`` position ``i``
    sees only positions ``<= i`` (SASRec). Padding positions' outputs are zero.
    """

    def __init__(
        self,
        n_tokens: int,
        d_model: int = 64,
        n_heads: int = 2,
        n_layers: int = 2,
        max_len: int = 64,
        dropout: float = 0.1,
    ):
        super().__init__()
        for name, value in (("n_tokens", n_tokens), ("d_model", d_model), ("n_heads", n_heads),
                            ("n_layers", n_layers), ("max_len", max_len)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")
        self.max_len = max_len
        self.token = nn.Embedding(n_tokens, d_model, padding_idx=PAD)
        self.position = nn.Embedding(max_len, d_model)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(SelfAttentionBlock(d_model, n_heads, dropout=dropout) for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)

    def attention_mask(self, tokens: torch.Tensor, causal: bool = False) -> torch.Tensor:
        """Give the ``(batch, L, L)`` bool mask: keys that are not padding (and not later, if causal)."""
        keep = (tokens != PAD)[:, None, :].expand(-1, tokens.shape[1], -1)
        if causal:
            keep = keep & causal_mask(tokens.shape[1], tokens.device)
        return keep

    def forward(self, tokens: torch.Tensor, causal: bool = False) -> torch.Tensor:
        if tokens.dim() != 2:
            raise ValueError(f"tokens: expected a (batch, length) tensor, got shape {tuple(tokens.shape)}")
        if tokens.shape[1] > self.max_len:
            raise ValueError(f"tokens: expected length <= max_len={self.max_len}, got {tokens.shape[1]}")
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.dropout(self.token(tokens) * math.sqrt(self.token.embedding_dim) + self.position(positions))
        mask = self.attention_mask(tokens, causal)
        for block in self.blocks:
            x = block(x, mask)
        x = self.norm(x)
        return x * (tokens != PAD)[..., None]


def masked_mean(hidden: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Average ``hidden`` over the non-padding positions of ``tokens`` (sentence pooling)."""
    require_tensor(hidden, "hidden")
    require_tensor(tokens, "tokens")
    keep = (tokens != PAD)[..., None].to(hidden.dtype)
    return (hidden * keep).sum(1) / keep.sum(1).clamp(min=1.0)
