"""The shared attention block: shapes, causal masking, padding ignored."""

import pytest
import torch

from pmkt_lessons.attention import (
    TransformerEncoder,
    causal_mask,
    masked_mean,
    scaled_dot_product_attention,
)


def test_attention_matches_torch_reference():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 5, 8, generator=g) for _ in range(3))
    mask = causal_mask(5)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.allclose(out, expected, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 5))


def test_causal_mask_blocks_later_positions():
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(1, 4, 3, generator=g) for _ in range(3))
    _, weights = scaled_dot_product_attention(q, k, v, causal_mask(4))
    assert torch.all(weights[0].triu(diagonal=1) == 0)


def test_encoder_shapes_padding_and_causality():
    torch.manual_seed(0)
    enc = TransformerEncoder(n_tokens=20, d_model=16, n_heads=2, n_layers=2, max_len=6, dropout=0.0).eval()
    tokens = torch.tensor([[0, 0, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]])
    out = enc(tokens, causal=True)
    assert out.shape == (2, 6, 16)
    assert torch.all(out[0, :2] == 0)  # padding positions give zero output
    # padding keys get no weight
    weights = enc.blocks[0].attention.last_weights
    assert torch.all(weights[0, :, :, :2] == 0)
    # changing a later token does not change an earlier position's output (causal)
    changed = tokens.clone()
    changed[1, 5] = 13
    out2 = enc(changed, causal=True)
    assert torch.allclose(out[1, :5], out2[1, :5], atol=1e-6)
    assert not torch.allclose(out[1, 5], out2[1, 5])
    assert masked_mean(out, tokens).shape == (2, 16)


def test_encoder_bad_input():
    with pytest.raises(ValueError, match="n_tokens"):
        TransformerEncoder(n_tokens=0)
    enc = TransformerEncoder(n_tokens=5, d_model=8, n_heads=2, max_len=3)
    with pytest.raises(ValueError, match="tokens"):
        enc(torch.tensor([[1, 2, 3, 4]]))
    with pytest.raises(ValueError, match="length"):
        causal_mask(0)
