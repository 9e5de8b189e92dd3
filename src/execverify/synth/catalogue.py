"""The seed methods: every built-in method, operator and function the generator can call.

Each row says, in one line, what a call looks like and what it needs::

    seed name ~ template ~ signature ~ flags

- *template*: Python with ``{0}``, ``{1}`` ... where the slots go (``{0}.zfill({1})``);
- *signature*: ``slot, slot -> result``; a slot is ``type`` or ``type:mode``. Types are those of
  :mod:`execverify.synth.types`; the placeholders ``T``/``U`` range over int and str, ``X`` also
  over pairs, ``K,V`` over the two dict shapes. Modes say how a slot may be filled (see
  :data:`MODES`);
- *flags*: ``lo=RULE``, ``elo=RULE``, ``needN=K``, ``mut=EFFECT``, ``idem``, ``adapt``,
  ``noseed``; :class:`Flag` says what each means, :mod:`execverify.synth.rules` what each rule
  and effect means and does.

Parsing checks every row: an unknown flag, rule, effect, mode or type raises
:class:`CatalogueError`, naming the row, the bad value and the allowed ones.

Several rows may share a seed name: they are the variants of one seed (``str.strip()`` and
``str.strip(chars)``, ``list.append`` over ints and over strs). The catalogue is built lazily
and once per process (:func:`catalogue`), so importing this module costs nothing.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

from execverify.synth import types as ty
from execverify.synth.rules import EloRule, LoRule, MutEffect

# How a slot may be filled.
MODES: dict[str, str] = {
    "e": "any expression of the slot's type (variables, nested calls, rarely a literal)",
    "v": "a variable (the template repeats it, or the call mutates it)",
    "s": "a short literal or a simple expression",
    "n": "a small int (a literal, a length, a position): sizes loops and ranges",
    "cmp": "what an int is compared with: a literal near slot 0's lower bound, or an int",
    "el": "an element (dict: key) read from slot 0, which must be a non-empty variable",
    "div": "a non-zero int: a literal 2..5 or an int known to be >= 1",
    "width": "a width: an int variable, a literal 6..12, or len(x) plus a little",
    "small": "a literal 2 or 3 (repetitions, exponents, shifts)",
    "char": "a one-character string literal",
    "sub": "a short string literal or a string expression",
    "sep": "a separator literal for str.join",
    "fmti": "a format spec for an int",
    "fmtf": "a format spec for a float",
}


class Flag(StrEnum):
    """The flags that end a row, ``name=value`` or bare; :data:`FLAG_VALUES` reads each one."""

    LO = "lo"  # lo=RULE (rules.LoRule) or lo=INT: a lower bound on the result's length or value
    ELO = "elo"  # elo=RULE (rules.EloRule): a lower bound on the result's elements
    NEED = "need"  # needN=K, written need0, need1...: argument N must have lo >= K
    MUT = "mut"  # mut=EFFECT (rules.MutEffect): mutates argument 0, which must be a variable
    IDEM = "idem"  # applying it twice in a row is a no-op, so nesting puts something in between
    ADAPT = "adapt"  # a natural way to turn one type into another when nesting
    NOSEED = "noseed"  # a helper form, not a seed of its own


class CatalogueError(ValueError):
    """A row that does not parse; the message names the row, the bad value and the allowed."""


_E = TypeVar("_E", bound=StrEnum)


def _member(enum: type[_E], value: str, what: str, also: str = "") -> _E:
    """``value`` as a member of ``enum``, or a ValueError naming it and the allowed values."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join([*([also] if also else []), *enum])
        raise ValueError(f"unknown {what} {value!r} (allowed: {allowed})") from None


def _lo_value(value: str) -> LoRule | int:
    """An int is a constant bound (``'[{}]'.format(x)`` has at least 2 characters); any other
    value must name a rule."""
    if re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return _member(LoRule, value, "lo rule", also="an int")


def _need_value(value: str) -> int:
    if not re.fullmatch(r"[0-9]+", value):
        raise ValueError(f"need value {value!r} is not a non-negative int")
    return int(value)


# How each flag's value is read and checked; None: the flag stands alone, without a value.
FLAG_VALUES: dict[Flag, Callable[[str], Any] | None] = {
    Flag.LO: _lo_value,
    Flag.ELO: lambda value: _member(EloRule, value, "elo rule"),
    Flag.NEED: _need_value,
    Flag.MUT: lambda value: _member(MutEffect, value, "mut effect"),
    Flag.IDEM: None,
    Flag.ADAPT: None,
    Flag.NOSEED: None,
}

ATOM = 100
_BINOP_PREC: dict[type, int] = {
    ast.Pow: 90,
    ast.Mult: 70,
    ast.FloorDiv: 70,
    ast.Mod: 70,
    ast.Div: 70,
    ast.Add: 60,
    ast.Sub: 60,
    ast.LShift: 55,
    ast.RShift: 55,
    ast.BitAnd: 50,
    ast.BitXor: 45,
    ast.BitOr: 40,
}
CMP = 30
NOT = 25
AND = 20
OR = 10

_ROWS = r"""
str.capitalize ~ {0}.capitalize() ~ str -> str ~ lo=keep idem
str.casefold ~ {0}.casefold() ~ str -> str ~ lo=keep idem
str.center ~ {0}.center({1}) ~ str, int:width -> str ~ lo=keep
str.center ~ {0}.center({1}, {2}) ~ str, int:width, str:char -> str ~ lo=keep
str.count ~ {0}.count({1}) ~ str, str:sub -> int ~ lo=0
str.endswith ~ {0}.endswith({1}) ~ str, str:sub -> bool
str.expandtabs ~ {0}.expandtabs({1}) ~ str, int:small -> str ~ lo=keep idem
str.find ~ {0}.find({1}) ~ str, str:sub -> int ~ lo=-1
str.format ~ '{}-{}'.format({0}, {1}) ~ T, U -> str ~ lo=3
str.format ~ '[{}]'.format({0}) ~ T -> str ~ lo=2
str.format ~ '{}: {}'.format({0}, {1}) ~ T, U -> str ~ lo=3
str.index ~ {0}.index({1}) ~ str:v, str:el -> int ~ lo=0 need0=1
str.isalnum ~ {0}.isalnum() ~ str -> bool
str.isalpha ~ {0}.isalpha() ~ str -> bool
str.isascii ~ {0}.isascii() ~ str -> bool
str.isdecimal ~ {0}.isdecimal() ~ str -> bool
str.isdigit ~ {0}.isdigit() ~ str -> bool
str.isidentifier ~ {0}.isidentifier() ~ str -> bool
str.islower ~ {0}.islower() ~ str -> bool
str.isnumeric ~ {0}.isnumeric() ~ str -> bool
str.isprintable ~ {0}.isprintable() ~ str -> bool
str.isspace ~ {0}.isspace() ~ str -> bool
str.istitle ~ {0}.istitle() ~ str -> bool
str.isupper ~ {0}.isupper() ~ str -> bool
str.join ~ {1}.join({0}) ~ it[str], str:sep -> str ~ adapt
str.ljust ~ {0}.ljust({1}) ~ str, int:width -> str ~ lo=keep
str.ljust ~ {0}.ljust({1}, {2}) ~ str, int:width, str:char -> str ~ lo=keep
str.lower ~ {0}.lower() ~ str -> str ~ lo=keep idem
str.lstrip ~ {0}.lstrip() ~ str -> str ~ idem
str.lstrip ~ {0}.lstrip({1}) ~ str, str:char -> str ~ idem
str.partition ~ {0}.partition({1}) ~ str, str:char -> tuple[str] ~ lo=3
str.removeprefix ~ {0}.removeprefix({1}) ~ str, str:sub -> str
str.removesuffix ~ {0}.removesuffix({1}) ~ str, str:sub -> str
str.replace ~ {0}.replace({1}, {2}) ~ str, str:char, str:char -> str ~ lo=keep
str.replace ~ {0}.replace({1}, '') ~ str, str:char -> str
str.rfind ~ {0}.rfind({1}) ~ str, str:sub -> int ~ lo=-1
str.rindex ~ {0}.rindex({1}) ~ str:v, str:el -> int ~ lo=0 need0=1
str.rjust ~ {0}.rjust({1}) ~ str, int:width -> str ~ lo=keep
str.rjust ~ {0}.rjust({1}, {2}) ~ str, int:width, str:char -> str ~ lo=keep
str.rpartition ~ {0}.rpartition({1}) ~ str, str:char -> tuple[str] ~ lo=3
str.rsplit ~ {0}.rsplit({1}, 1) ~ str, str:char -> list[str] ~ lo=1
str.rsplit ~ {0}.rsplit({1}) ~ str, str:char -> list[str] ~ lo=1
str.rstrip ~ {0}.rstrip() ~ str -> str ~ idem
str.rstrip ~ {0}.rstrip({1}) ~ str, str:char -> str ~ idem
str.split ~ {0}.split({1}) ~ str, str:char -> list[str] ~ lo=1 adapt
str.split ~ {0}.split() ~ str -> list[str]
str.splitlines ~ {0}.splitlines() ~ str -> list[str]
str.startswith ~ {0}.startswith({1}) ~ str, str:sub -> bool
str.strip ~ {0}.strip() ~ str -> str ~ idem
str.strip ~ {0}.strip({1}) ~ str, str:char -> str ~ idem
str.swapcase ~ {0}.swapcase() ~ str -> str ~ lo=keep
str.title ~ {0}.title() ~ str -> str ~ lo=keep idem
str.translate ~ {0}.translate(str.maketrans({1}, {2})) ~ str, str:char, str:char -> str ~ lo=keep
str.upper ~ {0}.upper() ~ str -> str ~ lo=keep idem
str.zfill ~ {0}.zfill({1}) ~ str, int:width -> str ~ lo=keep
str.__add__ ~ {0} + {1} ~ str, str -> str ~ lo=sum adapt
str.__mul__ ~ {0} * {1} ~ str, int:small -> str ~ lo=keep
str.__contains__ ~ {1} in {0} ~ str, str:sub -> bool
str.__getitem__ ~ {0}[0] ~ str -> str ~ lo=1 need0=1 adapt
str.__getitem__ ~ {0}[-1] ~ str -> str ~ lo=1 need0=1
str.__getitem__ ~ {0}[1] ~ str -> str ~ lo=1 need0=2
str.__getitem__ ~ {0}[len({0}) // 2] ~ str:v -> str ~ lo=1 need0=1
str.slice ~ {0}[:{1}] ~ str, int:s -> str
str.slice ~ {0}[{1}:] ~ str, int:s -> str
str.slice ~ {0}[::-1] ~ str -> str ~ lo=keep adapt
str.slice ~ {0}[1:-1] ~ str -> str
str.slice ~ {0}[::2] ~ str -> str ~ lo=nz
str.slice ~ {0}[{1}:{2}] ~ str, int:s, int:s -> str
list.append ~ {0}.append({1}) ~ list[T]:v, T -> None ~ mut=inc
list.clear ~ {0}.clear() ~ list[T]:v -> None ~ mut=zero
list.copy ~ {0}.copy() ~ list[T] -> list[T] ~ lo=keep idem elo=keep
list.count ~ {0}.count({1}) ~ list[T], T -> int ~ lo=0
list.extend ~ {0}.extend({1}) ~ list[T]:v, it[T] -> None ~ mut=add
list.index ~ {0}.index({1}) ~ list[T]:v, T:el -> int ~ lo=0 need0=1
list.insert ~ {0}.insert({1}, {2}) ~ list[T]:v, int:s, T -> None ~ mut=inc
list.pop ~ {0}.pop() ~ list[T]:v -> T ~ lo=elem need0=1 mut=dec
list.pop ~ {0}.pop(0) ~ list[T]:v -> T ~ lo=elem need0=1 mut=dec
list.remove ~ {0}.remove({1}) ~ list[T]:v, T:el -> None ~ need0=1 mut=dec
list.reverse ~ {0}.reverse() ~ list[T]:v -> None ~ mut=keep
list.sort ~ {0}.sort() ~ list[T]:v -> None ~ mut=keep
list.sort ~ {0}.sort(reverse=True) ~ list[T]:v -> None ~ mut=keep
list.sort ~ {0}.sort(key=len) ~ list[str]:v -> None ~ mut=keep
list.sort ~ {0}.sort(key=abs) ~ list[int]:v -> None ~ mut=keep
list.__add__ ~ {0} + {1} ~ list[T], list[T] -> list[T] ~ lo=sum elo=min
list.__mul__ ~ {0} * {1} ~ list[T], int:small -> list[T] ~ lo=keep elo=keep
list.__contains__ ~ {1} in {0} ~ list[T], T -> bool
list.__getitem__ ~ {0}[0] ~ list[T] -> T ~ lo=elem need0=1 adapt
list.__getitem__ ~ {0}[-1] ~ list[T] -> T ~ lo=elem need0=1
list.__getitem__ ~ {0}[1] ~ list[T] -> T ~ lo=elem need0=2
list.__getitem__ ~ {0}[len({0}) // 2] ~ list[T]:v -> T ~ lo=elem need0=1
list.slice ~ {0}[:{1}] ~ list[T], int:s -> list[T] ~ elo=keep
list.slice ~ {0}[{1}:] ~ list[T], int:s -> list[T] ~ elo=keep
list.slice ~ {0}[::-1] ~ list[T] -> list[T] ~ lo=keep elo=keep
list.slice ~ {0}[1:] ~ list[T] -> list[T] ~ elo=keep
list.slice ~ {0}[::2] ~ list[T] -> list[T] ~ lo=nz elo=keep
list.__setitem__ ~ {0}[0] = {1} ~ list[T]:v, T -> None ~ need0=1 mut=keep
list.__setitem__ ~ {0}[-1] = {1} ~ list[T]:v, T -> None ~ need0=1 mut=keep
dict.clear ~ {0}.clear() ~ dict[K,V]:v -> None ~ mut=zero
dict.copy ~ {0}.copy() ~ dict[K,V] -> dict[K,V] ~ lo=keep idem elo=keep
dict.fromkeys ~ dict.fromkeys({0}, {1}) ~ it[K], V -> dict[K,V] ~ lo=nz adapt elo=keep
dict.get ~ {0}.get({1}, {2}) ~ dict[K,V], K, V:s -> V
dict.items ~ {0}.items() ~ dict[K,V] -> iter[tuple[K,V]] ~ lo=keep adapt
dict.keys ~ {0}.keys() ~ dict[K,V] -> iter[K] ~ lo=keep adapt elo=keep
dict.values ~ {0}.values() ~ dict[K,V] -> iter[V] ~ lo=keep adapt
dict.pop ~ {0}.pop({1}, {2}) ~ dict[K,V]:v, K, V:s -> V ~ mut=dec
dict.pop ~ {0}.pop({1}) ~ dict[K,V]:v, K:el -> V ~ need0=1 mut=dec
dict.popitem ~ {0}.popitem() ~ dict[K,V]:v -> tuple[K,V] ~ need0=1 mut=dec
dict.setdefault ~ {0}.setdefault({1}, {2}) ~ dict[K,V]:v, K, V:s -> V ~ mut=one
dict.update ~ {0}.update({1}) ~ dict[K,V]:v, dict[K,V] -> None ~ mut=keep
dict.update ~ {0}.update({{1}: {2}}) ~ dict[K,V]:v, K, V -> None ~ mut=one
dict.__getitem__ ~ {0}[{1}] ~ dict[K,V]:v, K:el -> V ~ need0=1
dict.__setitem__ ~ {0}[{1}] = {2} ~ dict[K,V]:v, K, V -> None ~ mut=one
dict.__contains__ ~ {1} in {0} ~ dict[K,V], K -> bool
dict.__or__ ~ {0} | {1} ~ dict[K,V], dict[K,V] -> dict[K,V] ~ lo=umax elo=min
set.add ~ {0}.add({1}) ~ set[T]:v, T -> None ~ mut=one
set.clear ~ {0}.clear() ~ set[T]:v -> None ~ mut=zero
set.copy ~ {0}.copy() ~ set[T] -> set[T] ~ lo=keep idem elo=keep
set.difference ~ {0}.difference({1}) ~ set[T], uit[T] -> set[T] ~ elo=keep
set.difference_update ~ {0}.difference_update({1}) ~ set[T]:v, uit[T] -> None ~ mut=zero
set.discard ~ {0}.discard({1}) ~ set[T]:v, T -> None ~ mut=dec
set.intersection ~ {0}.intersection({1}) ~ set[T], uit[T] -> set[T] ~ elo=keep
set.intersection_update ~ {0}.intersection_update({1}) ~ set[T]:v, uit[T] -> None ~ mut=zero
set.isdisjoint ~ {0}.isdisjoint({1}) ~ set[T], uit[T] -> bool
set.issubset ~ {0}.issubset({1}) ~ set[T], uit[T] -> bool
set.issuperset ~ {0}.issuperset({1}) ~ set[T], uit[T] -> bool
set.pop ~ {0}.pop() ~ set[int]:v -> int ~ lo=elem need0=1 mut=dec
set.remove ~ {0}.remove({1}) ~ set[T]:v, T:el -> None ~ need0=1 mut=dec
set.symmetric_difference ~ {0}.symmetric_difference({1}) ~ set[T], uit[T] -> set[T] ~ elo=min
set.symmetric_difference_update ~ {0}.symmetric_difference_update({1}) ~ set[T]:v, uit[T] -> None ~ mut=zero
set.union ~ {0}.union({1}) ~ set[T], uit[T] -> set[T] ~ lo=keep elo=min
set.update ~ {0}.update({1}) ~ set[T]:v, uit[T] -> None ~ mut=keep
set.__or__ ~ {0} | {1} ~ set[T], set[T] -> set[T] ~ lo=umax elo=min
set.__and__ ~ {0} & {1} ~ set[T], set[T] -> set[T] ~ elo=keep
set.__sub__ ~ {0} - {1} ~ set[T], set[T] -> set[T] ~ elo=keep
set.__xor__ ~ {0} ^ {1} ~ set[T], set[T] -> set[T] ~ elo=min
set.__contains__ ~ {1} in {0} ~ set[T], T -> bool
tuple.count ~ {0}.count({1}) ~ tuple[T], T -> int ~ lo=0
tuple.index ~ {0}.index({1}) ~ tuple[T]:v, T:el -> int ~ lo=0 need0=1
tuple.__add__ ~ {0} + {1} ~ tuple[T], tuple[T] -> tuple[T] ~ lo=sum elo=min
tuple.__contains__ ~ {1} in {0} ~ tuple[T], T -> bool
tuple.__getitem__ ~ {0}[0] ~ tuple[T] -> T ~ lo=elem need0=1
tuple.__getitem__ ~ {0}[-1] ~ tuple[T] -> T ~ lo=elem need0=1
tuple.__getitem__ ~ {0}[0] ~ tuple[T,U] -> T ~ adapt
tuple.__getitem__ ~ {0}[1] ~ tuple[T,U] -> U ~ adapt
tuple.slice ~ {0}[:{1}] ~ tuple[T], int:s -> tuple[T] ~ elo=keep
tuple.slice ~ {0}[::-1] ~ tuple[T] -> tuple[T] ~ lo=keep elo=keep
int.bit_length ~ {0}.bit_length() ~ int -> int ~ lo=0
int.bit_count ~ {0}.bit_count() ~ int -> int ~ lo=0
int.as_integer_ratio ~ {0}.as_integer_ratio() ~ int -> tuple[int,int] ~ lo=2
int.__add__ ~ {0} + {1} ~ int, int:s -> int ~ lo=sum adapt
int.__sub__ ~ {0} - {1} ~ int, int:s -> int
int.__mul__ ~ {0} * {1} ~ int, int:s -> int ~ lo=mul
int.__floordiv__ ~ {0} // {1} ~ int, int:div -> int ~ lo=nn
int.__mod__ ~ {0} % {1} ~ int, int:div -> int ~ lo=0
int.__pow__ ~ {0} ** {1} ~ int, int:small -> int ~ lo=mul
int.__and__ ~ {0} & {1} ~ int, int:s -> int ~ lo=nn
int.__or__ ~ {0} | {1} ~ int, int:s -> int ~ lo=nn
int.__xor__ ~ {0} ^ {1} ~ int, int:s -> int ~ lo=nn
int.__lshift__ ~ {0} << {1} ~ int, int:small -> int ~ lo=nn
int.__rshift__ ~ {0} >> {1} ~ int, int:small -> int ~ lo=nn
int.__truediv__ ~ {0} / {1} ~ int, int:div -> float
int.__lt__ ~ {0} < {1} ~ int, int:cmp -> bool ~ noseed
int.__gt__ ~ {0} > {1} ~ int, int:cmp -> bool ~ noseed
int.__le__ ~ {0} <= {1} ~ int, int:cmp -> bool ~ noseed
int.__ge__ ~ {0} >= {1} ~ int, int:cmp -> bool ~ noseed
int.__eq__ ~ {0} == {1} ~ int, int:cmp -> bool ~ noseed
int.__ne__ ~ {0} != {1} ~ int, int:cmp -> bool ~ noseed
float.is_integer ~ {0}.is_integer() ~ float -> bool
float.as_integer_ratio ~ {0}.as_integer_ratio() ~ float -> tuple[int,int] ~ lo=2
float.hex ~ {0}.hex() ~ float -> str ~ lo=1
float.__add__ ~ {0} + {1} ~ float, float:s -> float ~ lo=sum
float.__add__ ~ {0} + {1} ~ float, int:s -> float ~ lo=sum
float.__sub__ ~ {0} - {1} ~ float, float:s -> float
float.__mul__ ~ {0} * {1} ~ float, float:s -> float ~ lo=mul
float.__truediv__ ~ {0} / {1} ~ float, float:small -> float ~ lo=nn
len ~ len({0}) ~ sized -> int ~ lo=len adapt
sum ~ sum({0}) ~ uit[int] -> int ~ adapt
sum ~ sum({0}, {1}) ~ uit[int], int:s -> int
min ~ min({0}) ~ uit[T] -> T ~ lo=elem need0=1 adapt
min ~ min({0}, default={1}) ~ uit[T], T:s -> T
min ~ min({0}, {1}) ~ T, T -> T
min ~ min({0}, key=len) ~ uit[str] -> str ~ lo=elem need0=1
max ~ max({0}) ~ uit[T] -> T ~ lo=elem need0=1 adapt
max ~ max({0}, default={1}) ~ uit[T], T:s -> T
max ~ max({0}, {1}) ~ T, T -> T ~ lo=max
max ~ max({0}, key=len) ~ uit[str] -> str ~ lo=elem need0=1
all ~ all({0}) ~ uit[T] -> bool
any ~ any({0}) ~ uit[T] -> bool
bin ~ bin({0}) ~ int -> str ~ lo=3
hex ~ hex({0}) ~ int -> str ~ lo=3
oct ~ oct({0}) ~ int -> str ~ lo=3
bool ~ bool({0}) ~ sized -> bool
bool ~ bool({0}) ~ int -> bool
chr ~ chr({0} % 26 + 97) ~ int -> str ~ lo=1
chr ~ chr(ord('a') + {0} % 26) ~ int -> str ~ lo=1
ord ~ ord({0}[0]) ~ str -> int ~ lo=0 need0=1 adapt
ord ~ ord({0}[-1]) ~ str -> int ~ lo=0 need0=1
ord ~ ord(max({0})) ~ str -> int ~ lo=0 need0=1
divmod ~ divmod({0}, {1}) ~ int, int:div -> tuple[int,int] ~ lo=2
pow ~ pow({0}, {1}, {2}) ~ int, int:small, int:div -> int ~ lo=0
pow ~ pow({0}, 2) ~ int -> int ~ lo=0
round ~ round({0}) ~ float -> int
round ~ round({0}, {1}) ~ float, int:small -> float
round ~ round({0}, -1) ~ int -> int
abs ~ abs({0}) ~ int -> int ~ lo=0
abs ~ abs({0}) ~ float -> float ~ lo=0
str ~ str({0}) ~ any -> str ~ lo=strx adapt
repr ~ repr({0}) ~ any -> str ~ lo=1
int ~ int({0}) ~ float -> int ~ adapt
int ~ int({0}) ~ bool -> int ~ lo=0 adapt
float ~ float({0}) ~ int -> float ~ lo=keep adapt
list ~ list({0}) ~ it[X] -> list[X] ~ lo=keep adapt elo=keep
tuple ~ tuple({0}) ~ it[T] -> tuple[T] ~ lo=keep adapt elo=keep
set ~ set({0}) ~ uit[T] -> set[T] ~ lo=nz adapt elo=keep
dict ~ dict({0}) ~ it[tuple[K,V]] -> dict[K,V] ~ lo=nz adapt
dict ~ dict(zip({0}, {1})) ~ it[K], it[V] -> dict[K,V] ~ lo=nzmin
dict ~ dict(enumerate({0})) ~ it[str] -> dict[int,str] ~ lo=keep
sorted ~ sorted({0}) ~ uit[X] -> list[X] ~ lo=keep adapt elo=keep
sorted ~ sorted({0}, reverse=True) ~ uit[T] -> list[T] ~ lo=keep elo=keep
sorted ~ sorted({0}, key=len) ~ uit[str] -> list[str] ~ lo=keep elo=keep
sorted ~ sorted({0}, key=str.lower) ~ uit[str] -> list[str] ~ lo=keep elo=keep
sorted ~ sorted({0}, key=abs) ~ uit[int] -> list[int] ~ lo=keep elo=keep
reversed ~ reversed({0}) ~ seq[X] -> iter[X] ~ lo=keep adapt elo=keep
enumerate ~ enumerate({0}) ~ it[T] -> iter[tuple[int,T]] ~ lo=keep adapt
enumerate ~ enumerate({0}, {1}) ~ it[T], int:s -> iter[tuple[int,T]] ~ lo=keep
zip ~ zip({0}, {1}) ~ it[T], it[U] -> iter[tuple[T,U]] ~ lo=min adapt
range ~ range({0}) ~ int:n -> iter[int] ~ lo=len adapt
range ~ range({0}, {1}) ~ int:s, int:n -> iter[int]
range ~ range({0}, {1}, {2}) ~ int:s, int:n, int:small -> iter[int]
filter ~ filter(None, {0}) ~ it[T] -> iter[T] ~ elo=keep
filter ~ filter(str.isdigit, {0}) ~ it[str] -> iter[str] ~ elo=keep
filter ~ filter(str.isalpha, {0}) ~ it[str] -> iter[str] ~ elo=keep
filter ~ filter(str.isupper, {0}) ~ it[str] -> iter[str] ~ elo=keep
filter ~ filter(str.islower, {0}) ~ it[str] -> iter[str] ~ elo=keep
map ~ map(str.upper, {0}) ~ it[str] -> iter[str] ~ lo=keep
map ~ map(str.lower, {0}) ~ it[str] -> iter[str] ~ lo=keep
map ~ map(str.strip, {0}) ~ it[str] -> iter[str] ~ lo=keep
map ~ map(len, {0}) ~ it[str] -> iter[int] ~ lo=keep adapt elo=keep
map ~ map(str, {0}) ~ it[int] -> iter[str] ~ lo=keep adapt
map ~ map(abs, {0}) ~ it[int] -> iter[int] ~ lo=keep elo=keep
next ~ next(iter({0})) ~ it[T] -> T ~ lo=elem need0=1
format ~ format({0}, {1}) ~ int, str:fmti -> str ~ lo=1
format ~ format({0}, {1}) ~ float, str:fmtf -> str ~ lo=1
list ~ [{0}] ~ T -> list[T] ~ lo=1 elo=s0 noseed adapt
list ~ [{0}, {1}] ~ T, T -> list[T] ~ lo=2 noseed
set ~ {{0}} ~ T -> set[T] ~ lo=1 noseed
dict ~ {{0}: {1}} ~ K, V -> dict[K,V] ~ lo=1 noseed
"""

_PLACEHOLDERS: dict[str, tuple[dict[str, str], ...]] = {
    "T": tuple({"T": e} for e in ty.ELEMENTS),
    "U": tuple({"U": e} for e in ty.ELEMENTS),
    "X": tuple({"X": x} for x in (*ty.ELEMENTS, *ty.PAIRS)),
    "KV": tuple({"K": d[5 : d.index(",")], "V": d[d.index(",") + 1 : -1]} for d in ty.DICTS),
}
_PLACEHOLDER_RE = re.compile(r"\b([TUXKV])\b")
_SLOT_RE = re.compile(r"\{(\d)\}")


@dataclass(frozen=True)
class Slot:
    """One argument position of an op: its type, how it may be filled, what it needs."""

    type: str
    mode: str
    prec: int  # the filler needs at least this precedence, or parentheses
    need: int | None  # minimum ``lo`` of the filler, if any


@dataclass(frozen=True)
class Op:
    """One concrete, fully typed variant of a seed method."""

    seed: str
    template: str
    parts: tuple[str | int, ...]  # literal text and slot indices, in order
    slots: tuple[Slot, ...]
    result: str  # a type, or "None" for statement-only mutators
    prec: int  # precedence of the rendered expression
    lo: LoRule | int  # rule (or constant) for the result's lower bound
    elo: EloRule  # rule for the result's element lower bound
    mut: MutEffect | None  # what the op does to slot 0, if it mutates it
    idem: bool
    adapt: bool
    is_seed: bool
    key: tuple[str, str]  # syntactic signature, e.g. ("attr", "zfill"), ("binop", "Add")
    is_call: bool  # renders as a call (method or built-in function), not an operator

    @property
    def is_stmt(self) -> bool:
        return self.result == "None"

    def render(self, codes: list[str]) -> str:
        fmt, order = _formats(self.parts)
        return fmt % tuple([codes[i] for i in order])


@dataclass(frozen=True)
class Catalogue:
    """All ops, indexed the ways the builder asks for them."""

    ops: tuple[Op, ...]
    seeds: tuple[str, ...]  # seed names, sorted
    by_seed: dict[str, tuple[Op, ...]]
    producing: dict[str, tuple[Op, ...]]  # slot type -> non-mutating ops whose result fits it
    adapters: dict[tuple[str, str], tuple[tuple[tuple[Op, int], ...], ...]]
    mutators: dict[str, tuple[Op, ...]]  # receiver type -> mutating ops on it
    extras: tuple[Op, ...]  # call-shaped, non-mutating ops usable as "another built-in method"

    def variants(self, seed: str) -> tuple[Op, ...]:
        try:
            return self.by_seed[seed]
        except KeyError:
            raise KeyError(
                f"unknown seed method {seed!r}; use one of catalogue().seeds "
                f"({len(self.seeds)} names such as 'str.zfill', 'list.append', 'zip')"
            ) from None


@cache
def _formats(parts: tuple[str | int, ...]) -> tuple[str, tuple[int, ...]]:
    """A ``%`` format string and slot order for a template, for fast rendering."""
    fmt = "".join(p.replace("%", "%%") if isinstance(p, str) else "%s" for p in parts)
    return fmt, tuple(p for p in parts if isinstance(p, int))


def _expand(sig: str) -> list[dict[str, str]]:
    """Every binding of the placeholders a signature uses."""
    used = set(_PLACEHOLDER_RE.findall(sig))
    groups = []
    if "K" in used or "V" in used:
        groups.append(_PLACEHOLDERS["KV"])
    for name in ("T", "U", "X"):
        if name in used:
            groups.append(_PLACEHOLDERS[name])
    bindings = []
    for combo in itertools.product(*groups):
        merged: dict[str, str] = {}
        for part in combo:
            merged.update(part)
        bindings.append(merged)
    return bindings


def _slot_precs(template: str, n: int) -> tuple[list[int], int, tuple[str, str], bool]:
    """Per-slot precedence needs, the result's precedence, and the syntactic key, via ``ast``."""
    code = _SLOT_RE.sub(lambda m: f"_{m.group(1)}", template)
    node: ast.AST = ast.parse(code).body[0]
    if isinstance(node, ast.Expr):
        node = node.value
    needs = [0] * n
    for parent in ast.walk(node):
        for field, child in ast.iter_fields(parent):
            children = child if isinstance(child, list) else [child]
            for index, c in enumerate(children):
                if isinstance(c, ast.Name) and c.id.startswith("_") and c.id[1:].isdigit():
                    slot = int(c.id[1:])
                    needs[slot] = max(needs[slot], _need(parent, field, index))
    return needs, _prec(node), _key(node), _is_call(node)


def _need(parent: ast.AST, field: str, index: int) -> int:
    if isinstance(parent, (ast.Attribute, ast.Subscript)) and field == "value":
        return ATOM
    if isinstance(parent, ast.BinOp):
        p = _BINOP_PREC[type(parent.op)]
        pow_ = isinstance(parent.op, ast.Pow)
        if field == "left":
            return p + 1 if pow_ else p
        return p if pow_ else p + 1
    if isinstance(parent, ast.Compare):
        return CMP + 1
    if isinstance(parent, ast.BoolOp):
        return (AND if isinstance(parent.op, ast.And) else OR) + 1
    if isinstance(parent, ast.UnaryOp):
        return NOT if isinstance(parent.op, ast.Not) else 80
    return 0


def _prec(node: ast.AST) -> int:
    if isinstance(node, ast.BinOp):
        return _BINOP_PREC[type(node.op)]
    if isinstance(node, ast.Compare):
        return CMP
    return ATOM


def node_key(node: ast.AST) -> tuple[str, str] | None:
    """The syntactic key of an expression node (see ``Op.key``): what the generator, the
    LLM-program checks and the measured features all use to recognise a seed's use."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            return ("attr", node.func.attr)
        if isinstance(node.func, ast.Name):
            return ("call", node.func.id)
    elif isinstance(node, ast.BinOp):
        return ("binop", type(node.op).__name__)
    elif isinstance(node, ast.Compare):
        return ("cmp", type(node.ops[0]).__name__)
    elif isinstance(node, ast.Subscript):
        return ("slice" if isinstance(node.slice, ast.Slice) else "index", "")
    return None


def _key(node: ast.AST) -> tuple[str, str]:
    if isinstance(node, ast.Assign):
        return ("setitem", "")
    return node_key(node) or ("literal", type(node).__name__)


def _is_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))


def _flag(name: str, n_slots: int) -> Flag:
    """The flag ``name`` spells; a ``needN`` must name one of the op's ``n_slots`` arguments."""
    if m := re.fullmatch(r"need([0-9]+)", name):
        if int(m[1]) >= n_slots:
            raise ValueError(f"flag {name!r} names argument {m[1]}, but the op has {n_slots}")
        return Flag.NEED
    if name in set(Flag) - {Flag.NEED}:
        return Flag(name)
    allowed = ", ".join(f"{f}N" if f is Flag.NEED else f for f in Flag)
    raise ValueError(f"unknown flag {name!r} (allowed: {allowed})")


def _parse_flags(text: str, n_slots: int) -> dict[str, Any]:
    """A row's flags by name (``need0`` keeps its index), each value read and checked."""
    flags: dict[str, Any] = {}
    for token in text.split():
        name, eq, value = token.partition("=")
        read = FLAG_VALUES[_flag(name, n_slots)]
        if (read is None) == bool(eq):
            raise ValueError(f"flag {name!r} " + ("takes no value" if eq else "needs =VALUE"))
        if name in flags:
            raise ValueError(f"flag {name!r} is given twice")
        flags[name] = True if read is None else read(value)
    return flags


def _check_signature(slot_specs: list[tuple[str, str, str]], result: str) -> None:
    """Raise ValueError unless every slot's type and mode and the result type are known."""
    for t, _, mode in slot_specs:
        ty.check_slot(t)
        if (mode or "e") not in MODES:
            raise ValueError(f"unknown slot mode {mode!r} (allowed: {', '.join(MODES)})")
    if result != "None" and result not in ty.ALL_TYPES:
        raise ValueError(f"unknown result type {result!r} (allowed: None or a value type)")


def parse_rows(text: str) -> list[Op]:
    """The ops of a table of rows, one a line; a row that does not parse raises
    :class:`CatalogueError`, so a typo fails when the catalogue loads, not mid-generation."""
    ops: list[Op] = []
    for number, row in enumerate(text.strip().splitlines(), 1):
        try:
            ops.extend(_parse_row(row))
        except ValueError as e:
            raise CatalogueError(f"catalogue row {number} ({row.strip()!r}): {e}") from None
    return ops


def _parse_row(row: str) -> list[Op]:
    seed, template, sig, flags_text = (part.strip() for part in (row + " ~ ").split(" ~ ")[:4])
    flags = _parse_flags(flags_text, len(sig.partition("->")[0].split(", ")))
    parts: list[str | int] = []
    last = 0
    for m in _SLOT_RE.finditer(template):
        parts.append(template[last : m.start()])
        parts.append(int(m.group(1)))
        last = m.end()
    parts.append(template[last:])
    parts = [p for p in parts if p != ""]
    ops = []
    for binding in _expand(sig):
        concrete = _PLACEHOLDER_RE.sub(lambda m, b=binding: b[m.group(1)], sig)
        args_text, result = (s.strip() for s in concrete.split("->"))
        slot_specs = [s.strip().partition(":") for s in args_text.split(", ")]
        _check_signature(slot_specs, result)
        needs, prec, key, is_call = _slot_precs(template, len(slot_specs))
        slots = tuple(
            Slot(
                type=t,
                mode=mode or "e",
                prec=needs[i],
                need=flags.get(f"need{i}"),
            )
            for i, (t, _, mode) in enumerate(slot_specs)
        )
        ops.append(
            Op(
                seed=seed,
                template=template,
                parts=tuple(parts),
                slots=slots,
                result=result,
                prec=prec,
                lo=flags.get(Flag.LO, LoRule.UNKNOWN),
                elo=flags.get(Flag.ELO, EloRule.UNKNOWN),
                mut=flags.get(Flag.MUT),
                idem=Flag.IDEM in flags,
                adapt=Flag.ADAPT in flags,
                is_seed=Flag.NOSEED not in flags,
                key=key,
                is_call=is_call,
            )
        )
    return ops


def _adapter_paths(
    adapters: list[Op], slot_types: list[str]
) -> dict[tuple[str, str], tuple[tuple[tuple[Op, int], ...], ...]]:
    """For (value type, slot type): ways to wrap a value so it fits, via one or two adapters.

    A path is a tuple of (op, slot index) steps, innermost first.
    """
    steps: dict[str, list[tuple[Op, int]]] = defaultdict(list)
    for op in adapters:
        for i, slot in enumerate(op.slots):
            if slot.mode == "e":
                for t in ty.accepted(slot.type):
                    steps[t].append((op, i))
    fitting = {t: [s for s in slot_types if ty.accepts(s, t)] for t in ty.ALL_TYPES}
    paths: dict[tuple[str, str], list[tuple[tuple[Op, int], ...]]] = defaultdict(list)
    for value in ty.ALL_TYPES:
        for first in steps.get(value, ()):
            mid = first[0].result
            for slot in fitting[mid]:
                paths[(value, slot)].append((first,))
            for second in steps.get(mid, ()):
                if second[0].seed != first[0].seed:
                    for slot in fitting[second[0].result]:
                        paths[(value, slot)].append((first, second))
    return {k: tuple(v) for k, v in paths.items()}


@cache
def catalogue() -> Catalogue:
    """The catalogue, parsed and indexed once per process."""
    ops = parse_rows(_ROWS)
    slot_types = sorted({s.type for op in ops for s in op.slots} | set(ty.ALL_TYPES))
    by_seed: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        if op.is_seed:
            by_seed[op.seed].append(op)
    pure = [op for op in ops if op.mut is None and not op.is_stmt]
    producing: dict[str, list[Op]] = defaultdict(list)
    for slot in slot_types:
        for op in pure:
            if ty.accepts(slot, op.result):
                producing[slot].append(op)
    mutators: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        if op.mut is not None:
            mutators[op.slots[0].type].append(op)
    adapters = [op for op in pure if op.adapt]
    return Catalogue(
        ops=tuple(ops),
        seeds=tuple(sorted(by_seed)),
        by_seed={k: tuple(v) for k, v in by_seed.items()},
        producing={k: tuple(v) for k, v in producing.items()},
        adapters=_adapter_paths(adapters, slot_types),
        mutators={k: tuple(v) for k, v in mutators.items()},
        extras=tuple(op for op in pure if op.is_call and op.is_seed),
    )


@cache
def reach() -> dict[str, int]:
    """For every slot type, how many calls deep an expression must go to produce it from
    parameters and literals alone (0: a parameter or literal fits; 99: unreachable)."""
    cat = catalogue()
    slot_types = sorted(set(cat.producing) | {s.type for op in cat.ops for s in op.slots})
    roots = (*ty.INPUT_TYPES, *ty.SCALARS)
    out = {t: 0 if any(ty.accepts(t, x) for x in roots) else 99 for t in slot_types}
    changed = True
    while changed:
        changed = False
        for op in cat.ops:
            if op.mut is not None or op.is_stmt:
                continue
            depth = 1 + max((out[s.type] for s in op.slots if s.mode in ("e", "v")), default=0)
            for t in slot_types:
                if depth < out[t] and ty.accepts(t, op.result):
                    out[t] = depth
                    changed = True
    return out


@cache
def producing_within(slot: str, depth: int) -> tuple[Op, ...]:
    """The ops producing ``slot`` whose own slots parameters can fill within ``depth - 1``
    further calls: drawing from these rather than from every producer wastes fewer tries."""
    depths = reach()
    return tuple(
        op
        for op in catalogue().producing.get(slot, ())
        if all(depths[s.type] < depth for s in op.slots if s.mode in ("e", "v"))
    )
