"""Literal inputs for a generated function, drawn the way the method describes.

ExecVerify synthesises call arguments as literals: ints in 5..20; lists (and other
collections) of 6..15 elements, so longer than 5 as the method asks and within its 5..15;
strings of length 5..10 that are 50% alphanumeric, 40% one repeated character and 10% mixed
with punctuation. The mix matters: repeated-character strings make ``count``, ``replace`` and
``strip`` do something visible, punctuation makes ``split`` and the ``is*`` predicates do so.

Values are written with ``repr``, so ``ast.literal_eval`` reads them back exactly, and drawn
from the ``random.Random`` given, so the same seed gives the same arguments.
"""

from __future__ import annotations

import random
import string

from execverify.synth.rand import pick, randint

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
PUNCTUATION = "!#$%&*+,-./:;?@_~ "
INT_RANGE = (5, 20)
STR_LEN = (5, 10)
COLLECTION_LEN = (6, 15)


def synth_str(rng: random.Random) -> str:
    n = randint(rng, *STR_LEN)
    r = rng.random()
    if r < 0.5:
        pool = LOWER_ALNUM if rng.random() < 0.6 else ALNUM
        return "".join(rng.choices(pool, k=n))
    if r < 0.9:
        return pick(rng, ALNUM) * n
    chars = rng.choices(ALNUM, k=n)
    for i in rng.sample(range(n), randint(rng, 1, max(1, n // 3))):
        chars[i] = pick(rng, PUNCTUATION)
    return "".join(chars)


def synth_int(rng: random.Random) -> int:
    return randint(rng, *INT_RANGE)


def synth_value(t: str, rng: random.Random) -> object:
    """One value of type ``t`` (one of :data:`execverify.synth.types.INPUT_TYPES`)."""
    if t == "int":
        return synth_int(rng)
    if t == "float":
        return randint(rng, INT_RANGE[0] * 10, INT_RANGE[1] * 10) / 10
    if t == "bool":
        return rng.random() < 0.5
    if t == "str":
        return synth_str(rng)
    n = randint(rng, *COLLECTION_LEN)
    if t == "list[int]":
        return [synth_int(rng) for _ in range(n)]
    if t == "tuple[int]":
        return tuple(synth_int(rng) for _ in range(n))
    if t == "list[str]":
        return [synth_str(rng) for _ in range(n)]
    if t == "set[int]":
        lo, hi = INT_RANGE
        return set(rng.sample(range(lo, hi + 1), min(n, hi - lo + 1)))
    if t == "dict[str,int]":
        out: dict[str, int] = {}
        while len(out) < n:
            out[synth_str(rng)] = synth_int(rng)
        return out
    raise ValueError(
        f"no input synthesiser for type {t!r}; parameter types must be one of "
        "execverify.synth.types.INPUT_TYPES"
    )


def synth_args(arg_types: tuple[str, ...] | list[str], rng: random.Random) -> str:
    """The call's arguments as Python source, e.g. ``"[5, 7, 9, 11, 13, 6], 'abcde'"``."""
    return ", ".join(repr(synth_value(t, rng)) for t in arg_types)
