"""One randomness policy: None, an int or a Generator."""

import numpy as np
import pytest
import torch

from pmkt_lessons.randomness import check_random_state, draw_seed, torch_generator


def test_int_seed_repeats_and_generator_passes_through():
    assert check_random_state(3).random() == check_random_state(3).random()
    rng = np.random.default_rng(0)
    assert check_random_state(rng) is rng
    assert isinstance(check_random_state(None), np.random.Generator)
    assert draw_seed(5) == draw_seed(5)


def test_torch_generator_is_local():
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    g = torch_generator(1)
    torch.rand(3, generator=g)
    assert torch.rand(1) == before  # the global stream is untouched
    assert torch.equal(torch.rand(2, generator=torch_generator(1)), torch.rand(2, generator=torch_generator(1)))


@pytest.mark.parametrize(("value", "error"), [(1.5, TypeError), ("1", TypeError), (True, TypeError), (-1, ValueError), (2**32, ValueError)])
def test_bad_random_state(value, error):
    with pytest.raises(error, match="random_state"):
        check_random_state(value)
