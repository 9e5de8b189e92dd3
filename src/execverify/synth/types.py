"""The small type language the built-in generator reasons in.

Types are plain strings (``"int"``, ``"list[str]"``, ``"tuple[int,str]"``) so they are cheap to
hash and compare and read well in errors and records. Three families:

- *value* types, which a variable may hold: scalars, homogeneous lists/tuples/sets over int or
  str, two dict shapes, pairs and lists of pairs;
- *iterator* types (``iter[X]``), produced by ``map``, ``zip``, ``dict.items`` and friends. They
  are single-use, so the generator only ever uses them inline, never stores them;
- *slot* types, which only describe what an argument position accepts: ``it[X]``, ``uit[X]``,
  ``seq[X]``, ``sized`` and ``any`` (:class:`SlotKind` says what each accepts).

``set[str]`` iterates in an order that depends on ``PYTHONHASHSEED``, so it is a value type that
only order-insensitive slots accept; that keeps generated programs deterministic across
interpreter runs by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache

ELEMENTS: tuple[str, ...] = ("int", "str")
PAIRS: tuple[str, ...] = tuple(f"tuple[{a},{b}]" for a in ELEMENTS for b in ELEMENTS)
DICTS: tuple[str, ...] = ("dict[str,int]", "dict[int,str]")
SCALARS: tuple[str, ...] = ("int", "float", "bool", "str")

VALUE_TYPES: tuple[str, ...] = (
    *SCALARS,
    *(f"list[{e}]" for e in ELEMENTS),
    *(f"tuple[{e}]" for e in ELEMENTS),
    *(f"set[{e}]" for e in ELEMENTS),
    *DICTS,
    *PAIRS,
    *(f"list[{p}]" for p in PAIRS),
)
ITER_TYPES: tuple[str, ...] = tuple(f"iter[{x}]" for x in (*ELEMENTS, *PAIRS))
ALL_TYPES: tuple[str, ...] = VALUE_TYPES + ITER_TYPES

# Types a function parameter may have: the input synthesiser can write a literal for each.
INPUT_TYPES: tuple[str, ...] = (
    "int",
    "float",
    "bool",
    "str",
    "list[int]",
    "list[str]",
    "tuple[int]",
    "set[int]",
    "dict[str,int]",
)

# Sized types: strings and every container value type.
SIZED: frozenset[str] = frozenset(t for t in VALUE_TYPES if t not in ("int", "float", "bool"))
# Types with unspecified iteration order across interpreter runs.
UNORDERED: frozenset[str] = frozenset({"set[str]"})


def element(t: str) -> str | None:
    """What iterating a value of type ``t`` yields (dicts yield keys), or None if not iterable."""
    if t == "str":
        return "str"
    if t.startswith(("list[", "tuple[", "set[", "iter[")):
        inner = t[t.index("[") + 1 : -1]
        if t.startswith("tuple[") and "," in inner and not inner.startswith("tuple"):
            a, b = inner.split(",")
            return a if a == b else None  # a pair iterates only if homogeneous
        return inner
    if t.startswith("dict["):
        return t[5 : t.index(",")]
    return None


def is_storable(t: str) -> bool:
    """Whether a variable may hold a value of type ``t`` (iterators are used inline only)."""
    return not t.startswith("iter[")


class SlotKind(StrEnum):
    """The slot-only types: ``it[X]``, ``uit[X]``, ``seq[X]`` (X: the element type), and the
    bare ``sized`` and ``any``; :data:`SLOT_KINDS` says which values each accepts."""

    IT = "it"  # any iterable of X whose order is the same on every run (not set[str])
    UIT = "uit"  # any iterable of X, where order does not matter (sum, sorted, set)
    SEQ = "seq"  # a str, list or tuple of X: indexable and reversible
    SIZED = "sized"  # anything len() accepts: str and every container value type
    ANY = "any"  # any value type that prints the same on every run (not set[str])


# Which values each kind accepts; for it, uit and seq the value must also iterate to X.
SLOT_KINDS: dict[SlotKind, Callable[[str], bool]] = {
    SlotKind.IT: lambda value: value not in UNORDERED,
    SlotKind.UIT: lambda value: True,
    SlotKind.SEQ: lambda value: value == "str" or value.startswith(("list[", "tuple[")),
    SlotKind.SIZED: lambda value: value in SIZED,
    SlotKind.ANY: lambda value: value in VALUE_TYPES and value not in UNORDERED,
}
_BARE: frozenset[SlotKind] = frozenset({SlotKind.SIZED, SlotKind.ANY})  # written without [X]
_KINDS: frozenset[SlotKind] = frozenset(SlotKind)


def _kind_of(slot: str) -> tuple[SlotKind, str | None] | None:
    """A slot-only type's kind and element type (None for a bare kind); None if not one."""
    name, bracket, rest = slot.partition("[")
    if name not in _KINDS:
        return None
    kind = SlotKind(name)
    if (kind in _BARE) == bool(bracket):
        return None
    return kind, rest[:-1] if bracket else None


def check_slot(slot: str) -> None:
    """Raise ValueError unless ``slot`` is a value or iterator type or a slot-only type."""
    parsed = _kind_of(slot)
    if slot in ALL_TYPES or (parsed is not None and parsed[1] in (None, *ALL_TYPES)):
        return
    kinds = ", ".join(k if k in _BARE else f"{k}[X]" for k in SlotKind)
    raise ValueError(f"unknown type {slot!r} (allowed: a value or iterator type, or {kinds})")


def _accepts(slot: str, value: str) -> bool:
    if slot == value:
        return True
    parsed = _kind_of(slot)
    if parsed is None:
        return False
    kind, wanted = parsed
    if wanted is not None and element(value) != wanted:
        return False
    return SLOT_KINDS[kind](value)


@cache
def accepted(slot: str) -> tuple[str, ...]:
    """All concrete types a slot of type ``slot`` accepts, in a fixed order."""
    return tuple(t for t in ALL_TYPES if _accepts(slot, t))


@cache
def accepted_set(slot: str) -> frozenset[str]:
    """:func:`accepted` as a set, for fast membership tests."""
    return frozenset(accepted(slot))


def accepts(slot: str, value: str) -> bool:
    """Whether a value of type ``value`` may fill a slot of type ``slot``."""
    return value in accepted_set(slot)


def is_int_like(t: str) -> bool:
    """Types whose lower bound ``lo`` is a value bound rather than a length bound."""
    return t in ("int", "float", "bool")
