"""The rules a catalogue row's flags name, each with what it means and the one table applying it.

Every value the generator builds carries a lower bound ``lo`` on its length (on its value, for
int-like types) and ``elo`` on its elements' (see :mod:`execverify.synth.exprs`); from these,
later calls know that ``x[0]`` or ``max(x)`` cannot fail. A catalogue row's ``lo=`` and
``elo=`` say how a call's result's bounds follow from its arguments' (:data:`LO_RULES`,
:data:`ELO_RULES`), and ``mut=`` what a mutating call does to its receiver (:data:`MUTATIONS`).
The catalogue rejects any other value when it is parsed, so a typo fails at load time instead
of quietly meaning "no bound".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from execverify.synth import types as ty

NEG = -(10**9)  # "no useful lower bound"


class Bounded(Protocol):
    """What the rules read of an argument (an ``exprs.Val``)."""

    type: str
    lo: int
    elo: int


class LoRule(StrEnum):
    """``lo=RULE``: the result's ``lo`` from the arguments' (``lo=INT`` is a constant bound)."""

    UNKNOWN = "u"  # no bound (the default): NEG for int-like results, else 0
    KEEP = "keep"  # argument 0's: same length (str.upper, sorted) or value (float(x))
    LEN = "len"  # argument 0's length, never negative (len(x), range(n))
    ELEM = "elem"  # argument 0's ``elo``: the result is one of its elements (x[0], max(x))
    STRX = "strx"  # str(x): argument 0's if it is a str (maybe empty), else 1
    NZ = "nz"  # 1 if argument 0 is non-empty, else 0: something survives (x[::2], set(x))
    NZMIN = "nzmin"  # 1 if every argument is non-empty, else 0 (dict(zip(a, b)))
    NN = "nn"  # 0 if argument 0 is not negative, else unknown (x // d, x & y, x << k)
    SUM = "sum"  # the two arguments' sum if neither is negative, else unknown (x + y)
    MUL = "mul"  # the two arguments' product likewise (x * y, x ** k)
    UMAX = "umax"  # the largest argument's: a union is at least as long as its longest part
    MAX = "max"  # max(a, b): the largest for numbers, the smallest for str (max('ab', 'c'))
    MIN = "min"  # the smallest argument's (zip)


def _unknown(result: str) -> int:
    return NEG if ty.is_int_like(result) else 0


def _sum_or_product(rule: LoRule, result: str, vals: Sequence[Bounded]) -> int:
    a, b = vals[0].lo, vals[1].lo
    if a < 0 or b < 0:
        return _unknown(result)
    return a + b if rule is LoRule.SUM else a * b


def _max_of_two(result: str, vals: Sequence[Bounded]) -> int:
    lows = [v.lo for v in vals]
    return max(lows) if ty.is_int_like(result) else min(lows)


# How each ``lo`` rule computes the bound, from the result type and the arguments.
LO_RULES: dict[LoRule, Callable[[str, Sequence[Bounded]], int]] = {
    LoRule.UNKNOWN: lambda result, vals: _unknown(result),
    LoRule.KEEP: lambda result, vals: vals[0].lo,
    LoRule.LEN: lambda result, vals: max(vals[0].lo, 0),
    LoRule.ELEM: lambda result, vals: vals[0].elo,
    LoRule.STRX: lambda result, vals: vals[0].lo if vals[0].type == "str" else 1,
    LoRule.NZ: lambda result, vals: 1 if vals[0].lo >= 1 else 0,
    LoRule.NZMIN: lambda result, vals: 1 if min(v.lo for v in vals) >= 1 else 0,
    LoRule.NN: lambda result, vals: 0 if vals[0].lo >= 0 else _unknown(result),
    LoRule.SUM: lambda result, vals: _sum_or_product(LoRule.SUM, result, vals),
    LoRule.MUL: lambda result, vals: _sum_or_product(LoRule.MUL, result, vals),
    LoRule.UMAX: lambda result, vals: max(v.lo for v in vals),
    LoRule.MAX: _max_of_two,
    LoRule.MIN: lambda result, vals: min(v.lo for v in vals),
}


def lo_bound(rule: LoRule | int, result: str, vals: Sequence[Bounded]) -> int:
    """The result's ``lo`` under an op's ``lo`` rule or constant."""
    return rule if isinstance(rule, int) else LO_RULES[rule](result, vals)


class EloRule(StrEnum):
    """``elo=RULE``: the result's ``elo`` from the arguments' (a str result's is always 1)."""

    UNKNOWN = "u"  # no bound (the default): NEG for int elements, else 0
    KEEP = "keep"  # argument 0's: the result's elements are some of its elements
    MIN = "min"  # the smallest argument's: the elements come from all of them (a + b)
    S0 = "s0"  # argument 0's ``lo``: argument 0 itself is the element ([x])


# How each ``elo`` rule computes the bound, from the result type and the arguments.
ELO_RULES: dict[EloRule, Callable[[str, Sequence[Bounded]], int]] = {
    EloRule.UNKNOWN: lambda result, vals: NEG if ty.element(result) == "int" else 0,
    EloRule.KEEP: lambda result, vals: vals[0].elo,
    EloRule.MIN: lambda result, vals: min(v.elo for v in vals),
    EloRule.S0: lambda result, vals: vals[0].lo,
}


def elo_bound(rule: EloRule, result: str, vals: Sequence[Bounded]) -> int:
    """The result's ``elo`` under an op's ``elo`` rule."""
    return 1 if result == "str" else ELO_RULES[rule](result, vals)


class MutEffect(StrEnum):
    """``mut=EFFECT``: what a mutating call does to its receiver (argument 0)."""

    INC = "inc"  # adds exactly one element (append, insert)
    ADD = "add"  # adds the elements of an iterable, perhaps none (extend)
    ONE = "one"  # adds or overwrites one entry: never empty afterwards (set.add, d[k] = v)
    KEEP = "keep"  # reorders or overwrites in place, or adds perhaps nothing (sort, update)
    DEC = "dec"  # removes one element (pop, remove) or perhaps none (discard)
    ZERO = "zero"  # may remove everything (clear, difference_update)


@dataclass(frozen=True)
class Mutation:
    """How the builder accounts for one effect."""

    after: Callable[[int], int]  # the receiver's ``lo`` after the call, from the one before
    # Only takes elements out: puts in none that could lower ``elo``, and stays out of loops
    # unless the receiver is local to the loop body (whose bounds assumed its size).
    shrinks: bool
    # Puts something in: what changes a receiver between two argument-less seed calls.
    grows: bool


# What each effect does to the receiver's bound, and whether it shrinks or grows it.
MUTATIONS: dict[MutEffect, Mutation] = {
    MutEffect.INC: Mutation(lambda lo: lo + 1, shrinks=False, grows=True),
    MutEffect.ADD: Mutation(lambda lo: lo, shrinks=False, grows=True),
    MutEffect.ONE: Mutation(lambda lo: max(lo, 1), shrinks=False, grows=True),
    MutEffect.KEEP: Mutation(lambda lo: lo, shrinks=False, grows=False),
    MutEffect.DEC: Mutation(lambda lo: max(lo - 1, 0), shrinks=True, grows=False),
    MutEffect.ZERO: Mutation(lambda lo: 0, shrinks=True, grows=False),
}
