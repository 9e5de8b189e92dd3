"""Fast draws from a ``random.Random``.

``Random.choice`` and ``Random.randint`` go through ``_randbelow`` (several Python calls each);
the generator makes hundreds of draws per program, so it uses these one-liners instead. They
are deterministic given the generator's state, like the originals (but draw differently).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """A uniformly drawn element of a non-empty sequence."""
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, lo: int, hi: int) -> int:
    """A uniformly drawn int in ``lo..hi``, both included."""
    return lo + int(rng.random() * (hi - lo + 1))


def weighted(rng: random.Random, seq: Sequence[T], weights: Sequence[float]) -> T:
    """An element drawn with the given (positive) weights."""
    r = rng.random() * sum(weights)
    for item, w in zip(seq, weights):
        r -= w
        if r < 0:
            return item
    return seq[-1]
