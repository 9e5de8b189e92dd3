"""The seed's calls, the extra methods and the helper call, for the builder.

The seed's nested calls come from :mod:`execverify.synth.nesting`: a chain of variants, each
fed the previous one's result directly, through an adapter, or as the index of an element,
sometimes through an intermediate variable. Seeds that cannot nest in the syntax (``append``,
``pop``, ``clear``) chain through their receiver instead: several calls on one variable, each
seeing what the previous did.
"""

from __future__ import annotations

from execverify.synth import names as nm
from execverify.synth import types as ty
from execverify.synth.catalogue import ATOM, Op, reach
from execverify.synth.exprs import INPUT_LO, Val, Var, var_val
from execverify.synth.nesting import Feed, seed_feeds
from execverify.synth.rand import pick, weighted
from execverify.synth.rules import MUTATIONS, MutEffect
from execverify.synth.stmts import BuildError


class Seeding:
    """Mixed into :class:`execverify.synth.builder.FunctionWriter`: emits the seed, extras and
    the helper call."""

    def emit_seed(self, body: list) -> None:
        seed = self.plan.seed
        assert seed is not None
        if seed_feeds(seed):
            for _ in range(8):
                cp = self.checkpoint()
                staged: list[tuple[Var, Val]] = []
                val = self.nested_seed(self.plan.nesting, staged)
                if val is not None:
                    for var, part in staged:
                        self.commit(part)
                        body.append(f"{var.name} = {part.code}")
                    self.store(body, val, seed)
                    return
                self.rollback(cp)
            if not any(op.mut for op in self.cat.variants(seed)):
                raise BuildError(f"cannot nest {seed} here")
        self.seed_chain(body, self.plan.nesting)

    def stage(self, val: Val, staged: list[tuple[Var, Val]]) -> Val:
        """Hold an intermediate seed result in a new variable (emitted only if the whole chain
        succeeds): the nesting then runs through the variable instead of the syntax."""
        val = self.storable(val)
        name = self.names.pick(nm.local_candidates(val.type, self.plan.seed))
        var = Var(name, val.type, val.lo, val.elo, self.level, "local", pending=True,
                  small=val.small, deps=frozenset(val.deps()))  # fmt: skip
        self.vars.append(var)
        staged.append((var, val))
        return var_val(var)

    def nested_seed(self, k: int, staged: list[tuple[Var, Val]]) -> Val | None:
        feeds = seed_feeds(self.plan.seed)
        cat = self.cat
        starts = [op for op in cat.variants(self.plan.seed) if id(op) in feeds]
        starts = [op for op in starts if self.obtainable(op)] or starts
        if not starts:
            return None
        first = pick(self.rng, starts)
        links: list[Feed] = []
        cur = first
        for j in range(1, k):
            opts = feeds.get(id(cur), ())
            if j < k - 1:
                opts = tuple(f for f in opts if id(f.outer) in feeds)
            opts = tuple(f for f in opts if self.obtainable(f.outer)) or opts
            if not opts:
                return None
            weights = [3 if f.how == "direct" else 2 if f.how == "el" else 1 for f in opts]
            link = weighted(self.rng, opts, weights)
            links.append(link)
            cur = link.outer
        val = self.apply(first, 1)
        for link in links:
            if val is None:
                return None
            if not val.muts and self.rng.random() < 0.2:
                val = self.stage(val, staged)
            val = self.feed(val, link)
        return val

    def obtainable(self, op: Op) -> bool:
        """Whether the op's variable-only slots can be filled here (a variable of that type
        exists, or a parameter of that type can still be added)."""
        depths = reach()
        for slot in op.slots:
            if slot.mode in ("v", "e"):
                fits = ty.accepted_set(slot.type)
                if any(v.type in fits for v in self.vars):
                    continue
                if slot.mode == "e" and depths.get(slot.type, 99) <= 1:
                    continue
                if len(self.params) < self.max_params and any(t in fits for t in INPUT_LO):
                    continue
                return False
        return True

    def feed(self, inner: Val, link: Feed) -> Val | None:
        depth = 1
        if link.how == "direct":
            return self.apply(link.outer, depth, fixed={link.slot: inner})
        if link.how == "el":
            idx = inner if inner.type == "int" else self.adapt(inner, "int")
            return None if idx is None else self.apply(link.outer, depth, el_inner=idx)
        wrapped = self.adapt(inner, link.outer.slots[link.slot].type)
        return (
            None if wrapped is None else self.apply(link.outer, depth, fixed={link.slot: wrapped})
        )

    def adapt(self, val: Val, slot: str) -> Val | None:
        paths = self.cat.adapters.get((val.type, slot), ())
        short = [p for p in paths if len(p) == 1]
        for _ in range(3):
            if not paths:
                return None
            path = pick(self.rng, short if short and self.rng.random() < 0.75 else paths)
            cp = self.checkpoint()
            out: Val | None = val
            for aop, aslot in path:
                if out is None:
                    break
                out = self.apply(aop, 0, fixed={aslot: out})
            if out is not None:
                return out
            self.rollback(cp)
        return None

    def seed_chain(self, body: list, k: int) -> None:
        """Seeds that nest only through their receiver: k calls on one variable in a row."""
        variants = self.cat.variants(self.plan.seed)
        op = self.chain_variant(variants)
        slot = op.slots[0]
        need = slot.need + k - 1 if slot.need and op.mut == MutEffect.DEC else slot.need
        recv = self.var_for(slot.type, need, op.mut) if slot.mode == "v" else None
        if recv is None:
            made = self.expr(slot.type, 1, need=need)
            if made is None or made.muts:
                raise BuildError(f"no receiver for {op.seed}")
            if made.reads and made.code == made.reads[0].code and made.type != "str":
                made = self.copy_of(made)  # never mutate an alias of another variable
            recv = var_val(self.assign(body, made))
        target = recv.reads[0]
        for j in range(k):
            same = [o for o in variants if target.type in ty.accepted_set(o.slots[0].type)]
            if j and all(len(o.slots) == 1 for o in same):
                self.refill(body, target)  # clear(); clear() would say nothing
            for _ in range(6):
                o = pick(self.rng, same)
                cp = self.checkpoint()
                val = self.apply(o, 1, fixed={0: var_val(target)})
                if val is not None:
                    break
                self.rollback(cp)
            else:
                raise BuildError(f"cannot call {op.seed} again on {target.name}")
            if o.is_stmt:
                self.commit(val)
                body.append(val.code)
            else:
                self.store(body, val, o.seed)

    def refill(self, body: list, target: Var) -> None:
        """Change ``target`` with another method between two argument-less seed calls."""
        grows = [
            o
            for o in self.cat.mutators.get(target.type, ())
            if o.seed != self.plan.seed and o.mut is not None and MUTATIONS[o.mut].grows
        ]
        for _ in range(6):
            cp = self.checkpoint()
            val = (
                self.apply(pick(self.rng, grows), 1, fixed={0: var_val(target)}) if grows else None
            )
            if val is not None and val.type == "None":
                self.commit(val)
                body.append(val.code)
                if self.plan.seed and any(
                    o.mut == MutEffect.ZERO for o in self.cat.variants(self.plan.seed)
                ):
                    self.assign(body, self.copy_of(var_val(target)))  # read it before it is wiped
                return
            self.rollback(cp)
        raise BuildError(f"cannot change {target.name} between two calls")

    def chain_variant(self, variants: tuple[Op, ...]) -> Op:
        """A variant whose receiver exists already or can be a parameter, if there is one."""
        have = {v.type for v in self.vars if v.writable}
        for pool in (
            [o for o in variants if have & ty.accepted_set(o.slots[0].type)],
            [o for o in variants if set(INPUT_LO) & ty.accepted_set(o.slots[0].type)],
        ):
            if pool:
                return pick(self.rng, pool)
        return pick(self.rng, variants)

    def copy_of(self, val: Val) -> Val:
        t = val.type
        if t.startswith("tuple[") or t in ("int", "float", "bool"):
            return val
        ctor = t[: t.index("[")]
        code = pick(self.rng, (f"{ctor}({val.code})", f"{val.code}.copy()"))
        return Val(code, t, ATOM, val.lo, val.elo, False, False, val.reads, (*val.ops, ctor))

    def emit_extra(self, body: list) -> None:
        cat = self.cat
        for _ in range(12):
            op = pick(self.rng, cat.extras)
            if op.key in self.seed_keys or op.seed in self.extras_used:
                continue
            cp = self.checkpoint()
            val = self.apply(op, 1)
            if val is None or val.muts:
                self.rollback(cp)
                continue
            self.extras_used.append(op.seed)
            self.store(body, val, op.seed)
            return
        raise BuildError("no extra method fits")

    def emit_helper(self, body: list) -> None:
        """Call the helper with arguments as good as synthesised inputs: it was written
        assuming them (non-empty, small ints), so each argument must keep those bounds."""
        op = self.helper
        assert op is not None
        for _ in range(8):
            cp = self.checkpoint()
            args = [self.helper_arg(slot.type) for slot in op.slots]
            call = None
            if all(a is not None for a in args):
                call = self.apply(op, 0, fixed=dict(enumerate(args)))
            if call is not None:
                self.store(body, call, None)
                return
            self.rollback(cp)
        raise BuildError("cannot call the helper")

    def helper_arg(self, t: str) -> Val | None:
        lo, elo = INPUT_LO[t]
        self.avoid = frozenset()
        val = self.expr(t, 0 if self.rng.random() < 0.6 else 1, need=lo, small=t == "int")
        if val is None or val.elo < elo or val.muts or (t == "int" and not val.small):
            return None
        return val
