"""Write one function: statements, the seed's nested calls, and the control-flow chain.

The builder works top to bottom, emitting into a small tree of statements (plain lines and
compound statements with clauses), and keeps three promises:

- *no dead code*: every value it assigns is marked pending until something reads it; a block
  does not close while one of its own values is pending (it is folded into a variable that
  outlives the block, see :mod:`execverify.synth.updates`), and the return reads what is left;
- *no crash in the common case*: values carry lower bounds (:mod:`execverify.synth.exprs`),
  shrinking mutations are kept out of loops unless the target is local to the loop body, a
  loop never mutates what it iterates over, and every ``while`` has a counter or shrinks a
  collection;
- *exact shape*: the control constructs form one chain, each nested in the previous, of exactly
  the requested depth, and nothing else introduces control flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from execverify.synth import names as nm
from execverify.synth import types as ty
from execverify.synth.catalogue import ATOM, Op
from execverify.synth.control import ControlFlow
from execverify.synth.exprs import (
    NEG,
    ExprWriter,
    Val,
    Var,
    added_lo,
    var_val,
)
from execverify.synth.rand import pick
from execverify.synth.rules import MUTATIONS, MutEffect
from execverify.synth.seeding import Seeding
from execverify.synth.stmts import BuildError, Compound
from execverify.synth.updates import UpdateForm, forms_for


@dataclass
class FunctionPlan:
    """What one function must contain, level by level (level 0 is the function body)."""

    kinds: list[str]  # the control chain, outermost first
    tasks: dict[int, list[str]]  # level -> "seed" | "extra" | "helper" | "construct", in order
    seed: str | None
    nesting: int
    plain: bool = False
    single_return: bool = False  # a helper returns one value


class FunctionWriter(ControlFlow, Seeding, ExprWriter):
    """Builds the body of one function according to a :class:`FunctionPlan`."""

    def __init__(self, rng, cat, names, plan: FunctionPlan, helper: Op | None = None, **kw):
        super().__init__(rng, cat, names, plain=plan.plain, **kw)
        self.plan = plan
        self.helper = helper
        self.frozen: dict[str, int] = {}
        self.loop_levels: list[int] = []
        self.loop_written: list[set[str]] = []  # per enclosing loop: names it updates
        self.size_deps: list[set[str]] = []  # per enclosing loop: names its inner loops size by
        self.top: list = []
        self.top_at = 0
        self.effects = 0
        self.ops_used: list[str] = []
        self.extras_used: list[str] = []
        self.last_assign: tuple[list, int, Var, Val] | None = None
        self.return_type = "None"
        seed_ops = cat.variants(plan.seed) if plan.seed else ()
        self.seed_keys = {op.key for op in seed_ops}

    # ---- entry point ----------------------------------------------------------------------

    def write(self) -> list:
        self.block(self.top, 0)
        self.finish(self.top)
        return self.top

    def block(self, body: list, level: int) -> None:
        for task in self.plan.tasks.get(level, ()):
            if task == "construct":
                self.construct(body, level)
            elif task == "seed":
                self.emit_seed(body)
            elif task == "extra":
                self.emit_extra(body)
            elif task == "helper":
                self.emit_helper(body)

    # ---- committing -----------------------------------------------------------------------

    def commit(self, val: Val) -> None:
        for v in val.reads:
            v.pending = False
        self.ops_used.extend(val.ops)
        if val.muts:
            deps = frozenset(val.deps())
            for var, effect, added in val.muts:
                self.wrote(var)
                var.lo = MUTATIONS[effect].after(var.lo)
                if not MUTATIONS[effect].shrinks:
                    var.elo = min(var.elo, added)
                var.pending = True
                var.deps = var.deps | (deps - {var.name})
                if var.level < self.level:
                    self.effects += 1

    def may_mutate(self, v: Var, effect: MutEffect) -> bool:
        if not v.writable or v.name in self.frozen:
            return False
        if v.kind == "param" and self.plan.single_return:
            return False  # a helper must not change what its caller passed in
        shrinks = MUTATIONS[effect].shrinks
        return not (shrinks and self.loop_levels and v.level < self.loop_levels[-1])

    def mutation_ok(self, op: Op, vals: list[Val]) -> bool:
        """In a loop, never grow a collection by something computed from itself, nor put in
        elements smaller than what earlier reads in the body assumed (``min(xs)`` as a
        divisor must stay valid on the next turn)."""
        if not self.loop_levels or not vals[0].reads:
            return True
        recv = vals[0].reads[0]
        if recv.name in self.sizing():
            return False
        written = self.written_in_loops() | {recv.name}
        if any(v.type not in _SCALARS and v.deps() & written for v in vals[1:]):
            return False
        outer = recv.level < self.loop_levels[-1]
        puts_in = op.mut is not None and not MUTATIONS[op.mut].shrinks
        return not (outer and puts_in and added_lo(op, vals) < recv.elo)

    def storable(self, val: Val) -> Val:
        if ty.is_storable(val.type):
            return val
        elem = val.type[5:-1]
        return Val(f"list({val.code})", f"list[{elem}]", ATOM, val.lo, val.elo, False, False,
                   val.reads, (*val.ops, "list"), val.muts)  # fmt: skip

    def assign(self, body: list, val: Val, hint: str | None = None) -> Var:
        val = self.storable(val)
        name = self.names.pick(nm.local_candidates(val.type, hint))
        self.commit(val)
        v = Var(name, val.type, val.lo, val.elo, self.level, "local", pending=True,
                small=val.small, deps=frozenset(val.deps()))  # fmt: skip
        self.vars.append(v)
        body.append(f"{name} = {val.code}")
        self.last_assign = (body, len(body) - 1, v, val)
        return v

    def store(self, body: list, val: Val, hint: str | None = None) -> None:
        """Keep a computed value: as a new local, or folded straight into an outer variable."""
        if self.level > 0 and self.rng.random() < 0.4 and self.update(body, val, create=False):
            return
        self.assign(body, val, hint)

    # ---- folding values into outer variables ----------------------------------------------

    def consumable(self, val: Val) -> Val:
        val = self.storable(val)
        if forms_for(val.type):
            return val
        for target in ("int", "str"):
            paths = [p for p in self.cat.adapters.get((val.type, target), ()) if len(p) == 1]
            for _ in range(3):
                if not paths:
                    break
                aop, aslot = pick(self.rng, paths)[0]
                cp = self.checkpoint()
                wrapped = self.apply(aop, 0, fixed={aslot: val})
                if wrapped is not None:
                    return wrapped
                self.rollback(cp)
        raise BuildError(f"cannot fold a {val.type} into anything")

    def update(self, body: list, val: Val, create: bool = True, pool=None) -> bool:
        """Fold ``val`` into a variable that outlives this block (or one of ``pool``)."""
        cp = self.checkpoint()
        if self.fold(body, val, create, pool):
            return True
        self.rollback(cp)
        return False

    def fold(self, body: list, val: Val, create: bool, pool, shrunk: bool = False) -> bool:
        val = self.consumable(val)
        deps = val.deps()
        in_loop = bool(self.loop_levels)
        plain_name = len(val.reads) == 1 and val.code == val.reads[0].code
        big = val.type not in _SCALARS  # its size may grow with what it was computed from
        forms = [f for f in forms_for(val.type) if plain_name or not f.needs_name]
        targets = pool if pool is not None else self.targets()
        guard = self.loop_guard() if in_loop else None
        options = [
            (form, t)
            for form in forms
            for t in targets
            if t.type == form.acc
            and t not in val.reads
            and not (guard and not self.loop_update_ok(form, t, val, deps, big, guard))
        ]
        if options and (not create or self.rng.random() < 0.8):
            form, target = pick(self.rng, options)
        elif create and self.level > 0:
            fresh = [f for f in forms if f.init is not None]
            if guard:
                fresh = [
                    f for f in fresh if self.loop_update_ok(f, _fresh(f), val, deps, big, guard)
                ]
            if not fresh:
                if big and not shrunk:  # fold its length instead: grows by a number, not a copy
                    short = self.adapt(val, "int") if in_loop else None
                    return short is not None and self.fold(body, short, create, pool, True)
                return False
            form = pick(self.rng, fresh)
            target = self.accumulator(form)
        else:
            return False
        self.apply_update(body, form, target, val, deps)
        return True

    def targets(self) -> list[Var]:
        """Variables of enclosing blocks that a block may update."""
        helper = self.plan.single_return
        return [
            t
            for t in self.vars
            if t.level < self.level
            and t.writable
            and not (helper and t.kind == "param")
            and t.name not in self.frozen
        ]

    def apply_update(self, body: list, form: UpdateForm, target: Var, val: Val, deps) -> None:
        code = form.template.replace("{a}", target.code).replace(
            "{v}", val.wrapped(form.value_prec)
        )
        self.commit(val)
        if form.op:
            self.ops_used.append(form.op)
        target.lo = _form_lo(form.lo, target.lo, val.lo)
        target.elo = min(target.elo, _added(form, val))
        self.wrote(target)
        target.pending = True
        target.fresh = False
        target.deps = target.deps | frozenset(deps - {target.name})
        if target.level < self.level:
            self.effects += 1
        body.append(code)

    def loop_guard(self) -> tuple[set[str], set[str]]:
        """(names sizing inner loops, names written in the enclosing loops), for one fold."""
        return self.sizing(), self.written_in_loops()

    def loop_update_ok(self, form: UpdateForm, t: Var, val: Val, deps, big: bool, guard):
        """What a loop body may do to a variable that outlives it, turn after turn.

        No feedback (the value computed from the target itself), no growth by something that
        grows in the same loop (quadratic output), no lowering of the bounds earlier reads in
        the body relied on, and no change to an int that may size things (``small``).
        """
        sizing, written = guard
        if t.name in deps or t.small or t.name in sizing:
            return False
        if big and not deps.isdisjoint(written):
            return False
        if big and len(self.loop_levels) > 1 and form.elem == "elems":
            return False
        return _form_lo(form.lo, t.lo, val.lo) >= t.lo and _added(form, val) >= t.elo

    def sized_by(self, names: set[str]) -> None:
        """An inner loop's length depends on these names: the enclosing loops must not grow
        them, or every turn would run a longer inner loop (exponential work)."""
        out = set(names)
        for v in self.vars:
            if v.name in names:
                out |= v.deps
        for deps in self.size_deps:
            deps |= out

    def sizing(self) -> set[str]:
        out: set[str] = set()
        for deps in self.size_deps:
            out |= deps
        return out

    def written_in_loops(self) -> set[str]:
        out: set[str] = set()
        for names in self.loop_written:
            out |= names
        return out

    def wrote(self, v: Var) -> None:
        for names in self.loop_written:
            names.add(v.name)

    def accumulator(self, form: UpdateForm) -> Var:
        """A fresh variable initialised just before the current top-level construct."""
        name = self.names.pick(nm.local_candidates(form.acc))
        self.top.insert(self.top_at, f"{name} = {form.init}")
        self.top_at += 1
        lo = NEG if ty.is_int_like(form.acc) else 0
        elo = 1 << 30  # an empty collection: every element (none yet) is as long as you like
        v = Var(name, form.acc, lo, elo, 0, "local", fresh=True, born=(lo, False, True))
        self.vars.insert(0, v)
        return v

    def simple_effect(self, body: list) -> None:
        """One statement that changes an outer variable, built from what this block can see."""
        local = [v for v in self.vars if v.level == self.level]
        if not local or self.rng.random() < 0.5:
            local = [v for v in self.vars if not v.fresh]
        for _ in range(6):
            cp = self.checkpoint()
            source = pick(self.rng, local) if local else None
            slot = source.type if source else pick(self.rng, ("int", "str"))
            val = self.expr(slot, 1)
            if val is not None and self.update(body, val):
                return
            self.rollback(cp)
        raise BuildError("no effect possible in this block")

    def close_block(self, body: list, effects_before: int) -> None:
        for v in [v for v in self.vars if v.level == self.level and v.pending]:
            if v.pending and not self.update(body, var_val(v)):
                raise BuildError(f"cannot consume {v.name}")
        if self.effects == effects_before:
            self.simple_effect(body)
        self.vars = [v for v in self.vars if v.level < self.level]

    # ---- bounds across branches -----------------------------------------------------------

    def snapshot(self) -> dict[int, tuple[int, bool, bool]]:
        """Per variable: lower bound, pending, fresh. Branches start from the same state."""
        return {id(v): (v.lo, v.pending, v.fresh) for v in self.vars}

    def restore(self, snap: dict[int, tuple[int, bool, bool]]) -> None:
        """Back to the state before the construct; a variable born inside it (a parameter
        first used there, an accumulator) goes back to how it was born."""
        for v in self.vars:
            state = snap.get(id(v), v.born)
            if state is not None:
                v.lo, v.pending, v.fresh = state

    def merge(self, snap: dict, ends: list[dict], loop: bool = False) -> None:
        """After a construct: bounds hold on every path (the body may not run); a write is
        pending if some path leaves it unread. A loop's body is taken to run, since its
        inputs are never empty, so reads inside it count."""
        for v in self.vars:
            key = id(v)
            if key in snap:
                lo = snap[key][0]
            elif v.born is not None:
                lo = v.born[0]
            else:
                lo = NEG if ty.is_int_like(v.type) else 0
            pending, fresh, seen = False, True, False
            for end in ends:
                st = end.get(key)
                if st is not None:
                    seen = True
                    if st[0] < lo:
                        lo = st[0]
                    pending = pending or st[1]
                    fresh = fresh and st[2]
            v.lo = lo
            if seen and not loop:
                v.pending, v.fresh = pending, fresh

    def open_clause(self, node: Compound, header: str) -> tuple[list, int]:
        body: list = []
        node.clauses.append([header, body])
        self.level += 1
        return body, self.effects

    def close_clause(self, body: list, effects_before: int) -> None:
        self.close_block(body, effects_before)
        self.level -= 1

    def freeze(self, names: set[str], delta: int) -> None:
        for n in names:
            self.frozen[n] = self.frozen.get(n, 0) + delta
            if self.frozen[n] <= 0:
                del self.frozen[n]

    # ---- the return -----------------------------------------------------------------------

    def finish(self, body: list) -> None:
        pend = [v for v in self.vars if v.pending and v.level == 0]
        while len(pend) > (1 if self.plan.single_return else 3):
            v = pend.pop(0)
            if not self.update(body, var_val(v), create=False, pool=pend):
                pend.insert(0, v)
                break
            pend = [p for p in self.vars if p.pending and p.level == 0]
        if not pend:
            pend = [self.last_assign[2]] if self.last_assign else self.params[-1:]
        if len(pend) == 1:
            self.return_one(body, pend[0])
        elif len(pend) <= 3 and not self.plan.single_return:
            vals = [self.returnable(var_val(v)) for v in pend]
            for v in vals:
                self.commit(v)
            body.append("return " + ", ".join(v.code for v in vals))
            self.return_type = f"tuple[{','.join(v.type for v in vals)}]"
        else:
            vals = [self.returnable(var_val(v)) for v in pend]
            for v in vals:
                self.commit(v)
            joined = ", ".join(v.code for v in vals)
            body.append(f"return '{'-'.join('{}' for _ in vals)}'.format({joined})")
            self.return_type = "str"

    def return_one(self, body: list, v: Var) -> None:
        last = self.last_assign
        if (
            last is not None
            and last[2] is v
            and last[0] is body
            and last[1] == len(body) - 1
            and v.type not in ty.UNORDERED
            and self.rng.random() < 0.35
        ):
            body[-1] = f"return {last[3].code}"
            self.return_type = v.type
            return
        val = self.returnable(var_val(v))
        self.commit(val)
        body.append(f"return {val.code}")
        self.return_type = val.type

    def returnable(self, val: Val) -> Val:
        if val.type in ty.UNORDERED:
            return Val(f"sorted({val.code})", "list[str]", ATOM, val.lo, 0, False, False,
                       val.reads, (*val.ops, "sorted"))  # fmt: skip
        return val


_SCALARS = frozenset({"int", "float", "bool"})


@cache
def _fresh(form: UpdateForm) -> Var:
    """Stands for a fresh accumulator of this form in checks."""
    return Var("", form.acc, NEG if ty.is_int_like(form.acc) else 0, 1 << 30, 0, "local")


def _added(form: UpdateForm, val: Val) -> int:
    """The lowest bound of the elements an update puts into its target."""
    if form.elem == "v":
        return val.lo
    if form.elem == "elems":
        return val.elo
    return 1 << 30


def _form_lo(rule: str, target: int, value: int) -> int:
    if rule == "inc":
        return target + 1
    if rule == "sum":
        return target + value if target >= 0 and value >= 0 else min(target, NEG)
    if rule == "neg":
        return NEG
    if rule == "min":
        return min(target, value)
    if rule == "max":
        return max(target, value)
    return target
