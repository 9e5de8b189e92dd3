"""Typed random expressions over the variables in scope.

The builder asks for "an expression of type X" and gets one built from variables it already has
(preferring those not yet read, so data flows instead of piling up), new parameters, literals
where a literal is natural, and catalogue calls. Every value carries a lower bound ``lo`` on
its length (or, for ints, its value), so calls that would fail on an empty or too short value
(``x[0]``, ``max(x)``, ``x.pop()``) are only made where they cannot fail, and a ``small`` flag
on ints, so widths and ranges never come from a value that could be huge.

A parameter is created the first time an expression needs a value nobody has yet, so every
parameter is used by construction. Attempts that fail roll back (:meth:`ExprWriter.checkpoint`,
:meth:`ExprWriter.rollback`), so an abandoned attempt leaves no unused parameter behind; a
``Val`` lists the variables it reads and the ops it uses, committed when its statement is
emitted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

from execverify.synth import names as nm
from execverify.synth import types as ty
from execverify.synth.catalogue import ATOM, Catalogue, Op, Slot, producing_within
from execverify.synth.rand import pick, randint, weighted
from execverify.synth.rules import NEG, MutEffect, elo_bound, lo_bound

_NONE: frozenset[int] = frozenset()

# Seeds whose int result stays small (a length, a position, a count), so it may size things.
SMALL_INT_SEEDS = frozenset(
    {
        "len", "str.count", "str.find", "str.rfind", "str.index", "str.rindex", "list.count",
        "list.index", "tuple.count", "tuple.index", "int.bit_length", "int.bit_count",
    }
)  # fmt: skip
# Seeds whose int result is small when their int operands are.
SMALL_IF_SMALL = frozenset(
    {"int.__add__", "int.__sub__", "int.__floordiv__", "int.__rshift__", "int.__mod__", "min"}
)
MAYBE_SMALL = SMALL_INT_SEEDS | SMALL_IF_SMALL
INPUT_LO: dict[str, tuple[int, int]] = {  # (lo, elo) of a synthesised input of each type
    "int": (5, 0),
    "float": (5, 0),
    "bool": (0, 0),
    "str": (5, 1),
    "list[int]": (6, 5),
    "list[str]": (6, 5),
    "tuple[int]": (6, 5),
    "set[int]": (6, 5),
    "dict[str,int]": (6, 3),
}
LITERALS: dict[str, tuple[str, ...]] = {
    "int": ("1", "2", "3", "4", "5", "7", "10"),
    "str": ("'a'", "'x'", "'ab'", "'-'", "'e'", "'!'", "'0'"),
    "float": ("0.5", "1.5", "2.0", "0.25"),
    "bool": ("True", "False"),
}
CHARS = ("'a'", "'e'", "'o'", "'x'", "'-'", "'_'", "','", "'.'", "' '", "'0'", "'1'", "'#'", "'A'")
SUBS = ("'a'", "'ab'", "'x'", "'-'", "'0'", "'!'", "'abc'", "'e'", "'A'")
SEPS = ("''", "' '", "','", "'-'", "', '", "'_'", "'|'", "'/'")
FMTI = ("'03d'", "'>6'", "'<5'", "'x'", "'b'", "'+d'", "'^7'", "'08b'", "','")
FMTF = ("'.2f'", "'.1f'", "'>8.2f'", "'.3e'", "'+.1f'", "'.0%'")
SMALL_FLOATS = ("2.0", "0.5", "4.0", "1.5")


@dataclass(eq=False, slots=True)
class Var:
    """A name in scope: a parameter, a local, a loop variable, a counter, or an alias.

    An alias is an expression that reads like a variable inside one block (``items[i]`` in a
    ``while i < len(items)`` loop); ``code`` is what the program writes to read it.
    """

    name: str
    type: str
    lo: int
    elo: int
    level: int
    kind: str  # "param" | "local" | "loop" | "counter" | "alias"
    code: str = ""
    pending: bool = False  # written and not read since: must be read before the end
    small: bool = False
    fresh: bool = False  # an accumulator still holding its initial constant: not worth reading
    born: tuple[int, bool, bool] | None = None  # (lo, pending, fresh) when created mid-construct
    deps: frozenset[str] = frozenset()  # names its value was computed from

    def __post_init__(self) -> None:
        if not self.code:
            self.code = self.name

    @property
    def writable(self) -> bool:
        return self.kind in ("param", "local")


@dataclass(slots=True)
class Val:
    """An expression not yet emitted, with everything needed to commit it."""

    code: str
    type: str
    prec: int = ATOM
    lo: int = 0
    elo: int = 0
    small: bool = False
    literal: bool = False
    reads: tuple[Var, ...] = ()
    ops: tuple[str, ...] = ()
    # (receiver, effect, lowest bound of what it adds) of the mutating calls inside
    muts: tuple[tuple[Var, MutEffect, int], ...] = ()

    def deps(self) -> set[str]:
        out: set[str] = set()
        for v in self.reads:
            out.add(v.name)
            out |= v.deps
        return out

    def wrapped(self, need: int) -> str:
        return self.code if self.prec >= need else f"({self.code})"


def var_val(v: Var) -> Val:
    return Val(v.code, v.type, ATOM, v.lo, v.elo, v.small, False, (v,))


def lit_val(code: str, t: str) -> Val:
    prec = 80 if code.startswith("-") else ATOM
    lo = int(code) if t == "int" else (len(code) - 2 if t == "str" else 0)
    return Val(code, t, prec, lo, 1, True, True)


@dataclass
class ExprWriter:
    """Builds typed expressions for one function; the statement builder extends it."""

    rng: random.Random
    cat: Catalogue
    names: nm.NamePool
    max_params: int = 4
    vars: list[Var] = field(default_factory=list)
    params: list[Var] = field(default_factory=list)
    level: int = 0
    plain: bool = False  # level 1: prefer variables and literals over extra calls
    avoid: frozenset[int] = frozenset()  # ids of variables the current slot must not be
    deep_avoid: frozenset[int] = frozenset()  # ids nothing inside the current slot may read

    # ---- choosing ---------------------------------------------------------------------------

    def candidates(self, slot: str, need: int | None, small: bool = False) -> list[Var]:
        fits = ty.accepted_set(slot)
        avoid = self.avoid | self.deep_avoid if self.deep_avoid else self.avoid
        return [
            v
            for v in self.vars
            if v.type in fits
            and (need is None or v.lo >= need)
            and (not small or v.small or v.type != "int")
            and not v.fresh
            and id(v) not in avoid
        ]

    def pick_var(self, cands: list[Var]) -> Var:
        weights = [4 if v.pending else (2 if v.level == self.level else 1) for v in cands]
        return weighted(self.rng, cands, weights)

    def checkpoint(self) -> tuple[int, int]:
        return len(self.params), len(self.vars)

    def rollback(self, cp: tuple[int, int]) -> None:
        for v in self.params[cp[0] :]:
            self.names.release(v.name)
        del self.params[cp[0] :]
        del self.vars[cp[1] :]

    def new_param(self, slot: str, need: int | None = None) -> Val | None:
        """A new parameter for a slot nothing in scope fits; its input will be synthesised."""
        if len(self.params) >= self.max_params:
            return None
        options = _param_types(slot, need)
        if not options:
            return None
        t = options[int(self.rng.random() * len(options))]
        lo, elo = INPUT_LO[t]
        name = self.names.pick(nm.param_candidates(t))
        v = Var(name, t, lo, elo, 0, "param", small=t == "int", born=(lo, False, False))
        self.params.append(v)
        self.vars.append(v)
        return var_val(v)

    # ---- expressions ------------------------------------------------------------------------

    def expr(
        self,
        slot: str,
        depth: int = 1,
        need: int | None = None,
        small: bool = False,
        literal_ok: bool = False,
    ) -> Val | None:
        """An expression whose type fits ``slot``, nested at most ``depth`` calls deep."""
        cands = self.candidates(slot, need, small)
        rng = self.rng
        p_var = 0.9 if self.plain else 0.6
        if literal_ok and slot in LITERALS and rng.random() < 0.25:
            val = self.literal(slot)
            if need is None or val.lo >= need:
                return val
        if cands and (depth <= 0 or rng.random() < p_var):
            return var_val(self.pick_var(cands))
        if depth > 0:
            for _ in range(3):
                cp = self.checkpoint()
                val = self.call(slot, depth, need, small)
                if val is not None:
                    return val
                self.rollback(cp)
        if cands:
            return var_val(self.pick_var(cands))
        cp = self.checkpoint()
        val = self.new_param(slot, need)
        if val is not None and (not small or val.small or val.type != "int"):
            return val
        self.rollback(cp)
        if literal_ok and slot in LITERALS and (need is None or need <= 1):
            return self.literal(slot)
        return None

    def literal(self, t: str) -> Val:
        return lit_val(pick(self.rng, LITERALS[t]), t)

    def call(self, slot: str, depth: int, need: int | None, small: bool) -> Val | None:
        ops = producing_within(slot, depth) if self.rng.random() < 0.85 else None
        if not ops:
            ops = self.cat.producing.get(slot)
        if not ops:
            return None
        op = pick(self.rng, ops)
        if small and op.result == "int" and op.seed not in MAYBE_SMALL:
            return None
        val = self.apply(op, depth - 1)
        if val is None or (need is not None and val.lo < need) or (small and not val.small):
            return None
        return val

    def apply(
        self,
        op: Op,
        depth: int,
        fixed: dict[int, Val] | None = None,
        el_inner: Val | None = None,
    ) -> Val | None:
        """Fill the op's slots (``fixed`` ones are given) and render the call.

        ``el_inner`` (an int) picks the element for an ``el`` slot, which is how a nested seed
        call feeds a slot that must hold a member of the receiver.
        """
        vals: list[Val] = []
        codes: list[str] = []
        avoid, deep = self.avoid, self.deep_avoid
        try:
            for i, slot in enumerate(op.slots):
                val = fixed.get(i) if fixed else None
                if val is None:
                    self.avoid = (
                        frozenset([id(r) for v in vals for r in v.reads]) if vals else _NONE
                    )
                    if op.mut is not None and i > 0 and slot.mode != "el" and vals:
                        self.deep_avoid = deep | {id(r) for r in vals[0].reads}
                    if slot.mode == "el" and el_inner is not None:
                        val = self.element_of(vals[0], el_inner) if vals else None
                    else:
                        val = self.fill(op, i, slot, vals, depth)
                    self.deep_avoid = deep
                if val is None or not self.slot_ok(val, slot):
                    return None
                code = val.wrapped(slot.prec)
                if code in codes:  # f(x, x) says nothing f(x, y) would not
                    return None
                vals.append(val)
                codes.append(code)
        finally:
            self.avoid, self.deep_avoid = avoid, deep
        if op.mut is not None and not self.mutation_ok(op, vals):
            return None
        return self.result(op, vals, op.render(codes))

    def mutation_ok(self, op: Op, vals: list[Val]) -> bool:
        """Overridden by the statement builder, which knows about loops."""
        return True

    @staticmethod
    def slot_ok(val: Val | None, slot: Slot) -> bool:
        if val is None or (slot.need is not None and val.lo < slot.need):
            return False
        if slot.mode == "v" and val.literal:
            return False
        return not (slot.mode in ("n", "width") and val.type == "int" and not val.small)

    def result(self, op: Op, vals: list[Val], code: str) -> Val:
        lo = lo_bound(op.lo, op.result, vals)
        elo = elo_bound(op.elo, op.result, vals)
        small = op.result == "int" and (
            op.seed in SMALL_INT_SEEDS
            or (op.seed in SMALL_IF_SMALL and all(v.small and v.type == "int" for v in vals))
        )
        reads: tuple[Var, ...] = ()
        ops: tuple[str, ...] = ()
        muts: tuple[tuple[Var, MutEffect, int], ...] = ()
        for v in vals:
            reads += v.reads
            if v.ops:
                ops += v.ops
            if v.muts:
                muts += v.muts
        ops += (op.seed,)
        if op.mut is not None and vals[0].reads:
            muts += ((vals[0].reads[0], op.mut, added_lo(op, vals)),)
        return Val(code, op.result, op.prec, lo, elo, small, False, reads, ops, muts)

    def fill(self, op: Op, i: int, slot: Slot, done: list[Val], depth: int) -> Val | None:
        mode = slot.mode
        rng = self.rng
        if mode == "e":
            receiver = slot.prec >= ATOM or i == 0
            return self.expr(slot.type, depth, slot.need, literal_ok=not receiver)
        if mode == "v":
            return self.var_for(slot.type, slot.need, op.mut if i == 0 else None)
        if mode == "s":
            if slot.type in LITERALS and rng.random() < 0.5:
                return self.literal(slot.type)
            return self.expr(slot.type, min(depth, 1), slot.need, literal_ok=True)
        if mode == "cmp":  # near what slot 0 can be, so the comparison can go either way
            base = done[0].lo if done and 0 <= done[0].lo < 100 else 0
            if rng.random() < 0.6:
                return lit_val(str(randint(rng, base, base + 10)), "int")
            return self.expr("int", min(depth, 1), literal_ok=False)
        if mode == "n":
            return self.expr("int", min(depth, 1), slot.need, small=True, literal_ok=True)
        if mode == "el":
            return self.element_of(done[0]) if done else None
        if mode == "div":
            if rng.random() < 0.5:
                return lit_val(str(randint(rng, 2, 5)), "int")
            val = self.expr("int", min(depth, 1), need=1)
            return val if val is not None else lit_val(str(randint(rng, 2, 5)), "int")
        if mode == "width":
            return self.width()
        if mode == "small":
            if slot.type == "float":
                return lit_val(pick(rng, SMALL_FLOATS), "float")
            return lit_val(pick(rng, ("2", "3")), "int")
        pools = {"char": CHARS, "sep": SEPS, "fmti": FMTI, "fmtf": FMTF}
        if mode in pools:
            return lit_val(pick(rng, pools[mode]), "str")
        if mode == "sub":
            if rng.random() < 0.65:
                return lit_val(pick(rng, SUBS), "str")
            return self.expr("str", 0)
        raise ValueError(f"unknown slot mode {mode!r} in {op.template!r}")

    def var_for(self, slot: str, need: int | None, effect: MutEffect | None = None) -> Val | None:
        """A variable for a ``v`` slot; with ``effect``, one the call may mutate that way."""
        cands = self.candidates(slot, need)
        if effect is not None:
            cands = [v for v in cands if self.may_mutate(v, effect)]
        if cands:
            return var_val(self.pick_var(cands))
        cp = self.checkpoint()
        val = self.new_param(slot, need)
        if val is not None and (effect is None or self.may_mutate(val.reads[0], effect)):
            return val
        self.rollback(cp)
        return None

    def may_mutate(self, v: Var, effect: MutEffect) -> bool:
        """Overridden by the statement builder, which knows about loops."""
        return v.writable

    def width(self) -> Val:
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            return lit_val(str(randint(rng, 6, 12)), "int")
        val = self.expr("int", 1 if r < 0.7 else 0, need=0, small=True)
        if val is None:
            return lit_val(str(randint(rng, 6, 12)), "int")
        if val.ops and val.ops[-1] == "len" and rng.random() < 0.6:
            k = randint(rng, 1, 4)
            return Val(f"{val.code} + {k}", "int", 60, val.lo + k, 0, True, False,
                       val.reads, val.ops, val.muts)  # fmt: skip
        return val

    def element_of(self, recv: Val, inner: Val | None = None) -> Val | None:
        """An element (dict: key) of ``recv``, which must be a plain variable, non-empty.

        With ``inner`` (an int), the element is picked by ``inner % len(recv)``: the way
        nesting feeds a value into a slot that must hold a member.
        """
        if len(recv.reads) != 1 or recv.code != recv.reads[0].code or recv.lo < 1:
            return None
        r = recv.code
        t = recv.type
        if inner is not None:
            if inner.muts:  # the index would be computed after the member list is taken
                return None
            idx = f"{inner.wrapped(71)} % len({r})"
            if t.startswith("dict["):
                code = f"list({r})[{idx}]"
            elif t.startswith("set["):
                code = f"sorted({r})[{idx}]"
            else:
                code = f"{r}[{idx}]"
            extra = inner
        else:
            if t.startswith(("dict[", "set[")):
                forms = [f"max({r})", f"min({r})", f"sorted({r})[0]"]
                if t.startswith("dict["):
                    forms.append(f"list({r})[0]")
            else:
                forms = [f"{r}[0]", f"{r}[-1]", f"max({r})", f"{r}[len({r}) // 2]"]
            code = pick(self.rng, forms)
            extra = None
        reads = recv.reads + (extra.reads if extra else ())
        ops = extra.ops if extra else ()
        muts = extra.muts if extra else ()
        elem = ty.element(t) or "str"
        lo = recv.elo if elem != "int" else NEG
        return Val(code, elem, ATOM, lo, 1, False, False, reads, ops, muts)


@cache
def _param_types(slot: str, need: int | None) -> tuple[str, ...]:
    fits = ty.accepted(slot)
    return tuple(
        t for t in ty.INPUT_TYPES if t in fits and (need is None or INPUT_LO[t][0] >= need)
    )


def added_lo(op: Op, vals: list[Val]) -> int:
    """The lowest bound of the elements a mutating call puts into its receiver."""
    elem = ty.element(op.slots[0].type)
    lows = [v.lo if v.type == elem else v.elo for v in vals[1:] if v.type != "int" or elem == "int"]
    return min(lows, default=1 << 30)
