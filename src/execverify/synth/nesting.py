"""Which variants of a seed can be nested in which, and through what.

"Nested calls of the seed, at least two levels" needs the inner call's result to fit a slot of
the outer call. Sometimes it fits as is (``text.zfill(n).zfill(m)``), sometimes through a
natural adapter (``len``, ``str``, ``sorted``: ``len(str(len(items)))``), and sometimes through
an element slot, where an int picks the member (``items.index(items[k % len(items)])``).
Idempotent seeds (``upper``, ``strip``, ``sorted``) always go through an adapter, since
``s.upper().upper()`` says nothing. This is computed once per seed and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from execverify.synth import types as ty
from execverify.synth.catalogue import Op, catalogue
from execverify.synth.exprs import MAYBE_SMALL

_FEED_MODES = ("e", "s", "n", "width")


@dataclass(frozen=True)
class Feed:
    """The inner call's result goes into ``outer``'s slot ``slot``, ``how``."""

    outer: Op
    slot: int
    how: str  # "direct" | "adapt" | "el"


@cache
def seed_feeds(seed: str) -> dict[int, tuple[Feed, ...]]:
    """For each expression variant of ``seed`` (by ``id``), the ways it can nest in another."""
    cat = catalogue()
    variants = [op for op in cat.variants(seed) if not op.is_stmt]
    feeds: dict[int, tuple[Feed, ...]] = {}
    for inner in variants:
        found = []
        for outer in variants:
            for i, slot in enumerate(outer.slots):
                how = _how(inner, outer, slot.mode, slot.type, cat.adapters)
                if how:
                    found.append(Feed(outer, i, how))
        if found:
            feeds[id(inner)] = tuple(found)
    return feeds


def _how(inner: Op, outer: Op, mode: str, slot_type: str, adapters: dict) -> str | None:
    result = inner.result
    if mode == "el":
        return "el" if result == "int" or (result, "int") in adapters else None
    if mode not in _FEED_MODES:
        return None
    if mode in ("n", "width") and result == "int" and inner.seed not in MAYBE_SMALL:
        return None
    if ty.accepts(slot_type, result) and not outer.idem:
        return "direct"
    if (result, slot_type) in adapters:
        return "adapt"
    return None
