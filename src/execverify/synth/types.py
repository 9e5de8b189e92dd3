"""The small type language the built-in generator reasons in.

Types are plain strings (``"int"``, ``"list[str]"``, ``"tuple[int,str]"``) so they are cheap to
hash and compare and read well in errors and records. Three families:

- *value* types, which a variable may hold: scalars, homogeneous lists/tuples/sets over int or
  str, two dict shapes, pairs and lists of pairs;
- *iterator* types (``iter[X]``), produced by ``map``, ``zip``, ``dict.items`` and friends. They
  are single-use, so the generator only ever uses them inline, never stores them;
- *slot* types, which only describe what an argument position accepts: ``it[X]`` (any ordered
  iterable of X), ``uit[X]`` (any iterable of X, order irrelevant), ``seq[X]`` (indexable,
  reversible), ``sized`` (anything ``len`` accepts) and ``any`` (anything printable).

``set[str]`` iterates in an order that depends on ``PYTHONHASHSEED``, so it is a value type that
only order-insensitive slots accept; that keeps generated programs deterministic across
interpreter runs by construction.
"""

from __future__ import annotations

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


def _accepts(slot: str, value: str) -> bool:
    if slot == value:
        return True
    if slot == "any":
        return value in VALUE_TYPES and value not in UNORDERED
    if slot == "sized":
        return value in SIZED
    kind, _, rest = slot.partition("[")
    if kind not in ("it", "uit", "seq") or not rest:
        return False
    wanted = rest[:-1]
    if element(value) != wanted:
        return False
    if kind == "it":
        return value not in UNORDERED
    if kind == "seq":
        return value == "str" or value.startswith(("list[", "tuple["))
    return True


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
