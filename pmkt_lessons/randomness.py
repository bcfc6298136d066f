"""One policy for randomness: every public helper takes ``random_state``.

``random_state`` may be ``None`` (fresh entropy), an integer seed or a
``numpy.random.Generator``; :func:`check_random_state` turns any of them into
a Generator, and :func:`torch_generator` into a local ``torch.Generator`` so
that training never touches torch's global seed. Introduced in lesson 00.
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import MAX_SEED, require_seed

__all__ = ["MAX_SEED", "check_random_state", "draw_seed", "library_seed", "torch_generator"]


def check_random_state(random_state: object, arg: str = "random_state") -> np.random.Generator:
    """Give a ``numpy.random.Generator`` for ``None``, an integer seed or a Generator.

    Like ``sklearn.utils.check_random_state`` but Generator-based. A Generator
    is returned as is (so successive calls share its stream); an integer must
    lie in [0, 2**32).
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"{arg}: expected None, an integer seed or a numpy Generator, "
            f"got {type(random_state).__name__}"
        )
    return np.random.default_rng(require_seed(random_state, arg))


def draw_seed(random_state: object, arg: str = "random_state") -> int:
    """Give one integer seed drawn from ``random_state`` (for libraries that take an int)."""
    return int(check_random_state(random_state, arg).integers(0, 2**31 - 1))


def library_seed(random_state: object, arg: str = "random_state") -> int:
    """Give the integer seed for a library that takes only an int (scikit-learn's ``KMeans``).

    An integer is passed through unchanged, so results for an integer seed are
    the library's own; ``None`` or a Generator gives one seed drawn from it
    (:func:`draw_seed`).
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return require_seed(random_state, arg)
    return draw_seed(random_state, arg)


def torch_generator(random_state: object, device=None, arg: str = "random_state"):
    """Give a local ``torch.Generator`` seeded from ``random_state`` (on ``device``)."""
    import torch

    generator = torch.Generator(device=device if device is not None else "cpu")
    generator.manual_seed(draw_seed(random_state, arg))
    return generator
