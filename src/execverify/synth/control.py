"""Control flow for the builder: the chain of if / if-elif / for / while constructs.

The chain has exactly the requested depth, each construct nested in the previous one, and
nothing else adds control flow. Loops are made safe by construction: a ``for`` never mutates
what it iterates over; a ``while`` either counts to a small bound or pops from a collection it
alone changes; a loop nested in another ranges over something short (a word, a slice of a few
elements, ``range(3)``), and the enclosing loops may not grow what sizes it. Conditions are
built from the variables in scope and avoid ones the inputs make constant.
"""

from __future__ import annotations

from execverify.synth import names as nm
from execverify.synth import types as ty
from execverify.synth.catalogue import AND, ATOM, NOT, OR
from execverify.synth.exprs import NEG, Val, Var, lit_val, var_val
from execverify.synth.rand import pick, randint
from execverify.synth.rules import MutEffect
from execverify.synth.stmts import BuildError, Compound


class ControlFlow:
    """Mixed into :class:`execverify.synth.builder.FunctionWriter`: emits the constructs."""

    def construct(self, body: list, level: int) -> None:
        if self.level == 0:
            self.top_at = len(body)
        node = Compound()
        body.append(node)
        kind = self.plan.kinds[level]
        if kind in ("if", "if_elif"):
            self.emit_if(node, level, kind == "if_elif")
        elif kind == "for":
            self.emit_for(node, level)
        else:
            self.emit_while(node, body, level)

    def innermost(self, level: int) -> bool:
        return level + 1 >= len(self.plan.kinds) and not self.plan.tasks.get(level + 1)

    def emit_if(self, node: Compound, level: int, elif_: bool) -> None:
        rng = self.rng
        n_cond = 2 if elif_ else 1
        has_else = rng.random() < (0.5 if elif_ else 0.3)
        n = n_cond + has_else
        main = 0 if rng.random() < 0.7 else int(rng.random() * n)
        nested = self.plan.kinds[level + 1] if level + 1 < len(self.plan.kinds) else None
        if main == n_cond and nested in ("if", "if_elif"):
            main = 0  # `else:` holding only an `if` would read (and parse) as an `elif`
        snap = self.snapshot()
        ends = []
        for c in range(n):
            self.restore(snap)
            if c < n_cond:
                cond = self.condition()
                self.commit(cond)
                header = f"{'if' if c == 0 else 'elif'} {cond.code}:"
            else:
                header = "else:"
            body, eff = self.open_clause(node, header)
            if c == main:
                if not (self.innermost(level) and self.early_exit(body)):
                    self.block(body, level + 1)
            else:
                self.simple_effect(body)
            self.close_clause(body, eff)
            ends.append(self.snapshot())
        if not has_else:
            ends.append(snap)
        self.merge(snap, ends)

    def early_exit(self, body: list) -> bool:
        """Sometimes the innermost branch just leaves: ``return x`` or ``break``."""
        r = self.rng.random()
        if self.loop_levels and r < 0.15:
            body.append("break")
            self.effects += 1
            return True
        if r < 0.35 and not self.plan.single_return:
            val = self.expr("any", 1)
            if val is not None:
                val = self.storable(val)
                self.commit(val)
                body.append(f"return {val.code}")
                self.effects += 1
                return True
        return False

    def condition(self, combine: bool = True) -> Val:
        """A test for an if/elif/while, read from the variables in scope."""
        for _ in range(8):
            cp = self.checkpoint()
            val = self.simple_condition()
            if val is not None and combine and self.rng.random() < 0.12:
                other = self.condition(combine=False)
                if other.code != val.code:
                    op, prec = ("and", AND) if self.rng.random() < 0.6 else ("or", OR)
                    code = f"{val.wrapped(prec + 1)} {op} {other.wrapped(prec + 1)}"
                    val = Val(code, "bool", prec, 0, 0, False, False, val.reads + other.reads,
                              val.ops + other.ops)  # fmt: skip
            if val is not None and not val.muts and not val.literal and not self.constant(val):
                return val
            self.rollback(cp)
        raise BuildError("no condition")

    def simple_condition(self) -> Val | None:
        r = self.rng.random()
        if r < 0.1:
            return self.truthiness()
        if r < 0.2:
            n = self.expr("int", 1)
            if n is None or n.literal or n.muts:
                return None
            return Val(f"{n.wrapped(71)} % 2 == 0", "bool", 30, 0, 0, False, False, n.reads,
                       (*n.ops, "int.__mod__"))  # fmt: skip
        val = self.expr("bool", 1)
        if val is not None and val.prec >= ATOM and self.rng.random() < 0.15:
            val = Val(f"not {val.code}", "bool", NOT, 0, 0, False, False, val.reads, val.ops,
                      val.muts)  # fmt: skip
        return val

    @staticmethod
    def constant(cond: Val) -> bool:
        """Conditions that inputs (never empty, ints 5..20) make constant: ``bool(x)``,
        ``any(xs)``, ``all(xs)`` over values the generator knows are non-empty/non-zero."""
        return cond.ops[-1:] in (("bool",), ("any",), ("all",))

    def truthiness(self) -> Val | None:
        sized = [
            v
            for v in self.vars
            if v.type in ty.SIZED and v.kind != "alias" and v.lo == 0 and not v.fresh
        ]
        if not sized:
            return None
        v = self.pick_var(sized)
        code = v.code if self.rng.random() < 0.6 else f"not {v.code}"
        return Val(code, "bool", ATOM if code == v.code else 25, 0, 0, False, False, (v,))

    def emit_for(self, node: Compound, level: int) -> None:
        header, loop_vars, frozen = self.loop_source()
        snap = self.snapshot()
        body, eff = self.open_clause(node, header)
        self.loop_levels.append(self.level)
        self.loop_written.append(set())
        self.size_deps.append(set())
        self.freeze(frozen, 1)
        for v in loop_vars:
            v.level = self.level
            self.vars.append(v)
        self.block(body, level + 1)
        self.close_clause(body, eff)
        self.loop_levels.pop()
        self.loop_written.pop()
        self.size_deps.pop()
        self.freeze(frozen, -1)
        self.merge(snap, [self.snapshot()], loop=True)

    def short_sources(self) -> list[Var]:
        """Collections a nested loop may range over without multiplying the work."""
        inner = self.loop_levels[-1]
        return [
            v
            for v in self.vars
            if v.type == "str" and v.lo >= 1 and (v.kind == "loop" or v.level >= inner)
        ]

    def loop_source(self) -> tuple[str, list[Var], set[str]]:
        """The ``for`` header, the loop variables, and the names the body must not change."""
        rng = self.rng
        nested = bool(self.loop_levels)
        for _ in range(8):
            cp = self.checkpoint()
            if nested:
                got = self.nested_source()
                if got is not None:
                    self.sized_by(got[2])
            else:
                r = rng.random()
                got = (
                    self.zip_source() if r < 0.1
                    else self.range_source() if r < 0.2
                    else self.expr_source() if r < 0.35
                    else self.var_source()
                )  # fmt: skip
            if got is not None:
                return got
            self.rollback(cp)
        raise BuildError("no loop source")

    def iterable_vars(self, seq_only: bool = False) -> list[Var]:
        out = []
        for v in self.vars:
            if v.kind == "alias" or v.type in ty.UNORDERED or ty.element(v.type) is None:
                continue
            if v.lo < 1 or v.fresh:  # looping over an empty collection is dead code
                continue
            if seq_only and not (v.type == "str" or v.type.startswith(("list[", "tuple["))):
                continue
            out.append(v)
        return out

    def var_source(self) -> tuple[str, list[Var], set[str]] | None:
        cands = self.iterable_vars()
        if not cands:
            val = self.expr(pick(self.rng, ("it[str]", "it[int]")), 0, need=1)
            if val is None or len(val.reads) != 1:
                return None
            cands = [val.reads[0]]
        src = self.pick_var(cands)
        r = self.rng.random()
        if src.type.startswith("dict[") and r < 0.5:
            return self.items_source(src)
        if r < 0.2 and src.type in ("str", "list[int]", "list[str]", "tuple[int]"):
            return self.index_source(src)
        if r < 0.35:
            return self.enumerate_source(src)
        self.commit(var_val(src))
        return self.simple_loop(src.code, src.type, src, {src.name})

    def simple_loop(self, code: str, t: str, src: Var, frozen: set[str]):
        elem = ty.element(t)
        if elem is None:
            return None
        if "," in elem:
            return self.pair_loop(code, elem, src, frozen)
        hint = "char" if t == "str" else elem
        name = self.names.pick(nm.loop_candidates(hint if hint == "char" else elem, src.name))
        lo = 1 if t == "str" else src.elo
        v = Var(name, elem, lo, 1, 0, "loop", pending=True, deps=frozenset({src.name}) | src.deps)
        return f"for {name} in {code}:", [v], frozen

    def pair_loop(self, code: str, pair: str, src: Var | None, frozen: set[str], indexed=False):
        a, b = pair[6:-1].split(",")
        deps = frozenset({src.name}) | src.deps if src else frozenset()
        na = self.names.pick(nm.LOOP_NAMES["index"] if indexed else nm.loop_candidates(a, None))
        nb = self.names.pick(nm.loop_candidates(b, None))
        va = Var(na, a, NEG if a == "int" else 0, 1, 0, "loop", pending=True, deps=deps)
        vb = Var(nb, b, NEG if b == "int" else 0, 1, 0, "loop", pending=True, deps=deps)
        return f"for {na}, {nb} in {code}:", [va, vb], frozen

    def items_source(self, src: Var):
        self.commit(var_val(src))
        k, v = src.type[5:-1].split(",")
        nk = self.names.pick(("key", "name", "k", "label"))
        nv = self.names.pick(("value", "count", "amount", "v"))
        deps = frozenset({src.name}) | src.deps
        vk = Var(nk, k, src.elo if k == "str" else NEG, 1, 0, "loop", pending=True, deps=deps)
        vv = Var(nv, v, 0 if v == "str" else NEG, 1, 0, "loop", pending=True, deps=deps)
        return f"for {nk}, {nv} in {src.code}.items():", [vk, vv], {src.name}

    def index_source(self, src: Var):
        self.commit(var_val(src))
        self.ops_used.extend(("range", "len"))
        name = self.names.pick(nm.LOOP_NAMES["index"])
        idx = Var(name, "int", 0, 0, 0, "loop", small=True)
        elem = ty.element(src.type) or "str"
        alias = Var(f"{src.name}[{name}]", elem, 1 if src.type == "str" else src.elo, 1, 0,
                    "alias", code=f"{src.code}[{name}]", pending=True,
                    deps=frozenset({src.name}) | src.deps)  # fmt: skip
        return f"for {name} in range(len({src.code})):", [idx, alias], {src.name}

    def enumerate_source(self, src: Var):
        self.commit(var_val(src))
        self.ops_used.append("enumerate")
        elem = ty.element(src.type) or "str"
        ni = self.names.pick(nm.LOOP_NAMES["index"])
        ne = self.names.pick(nm.loop_candidates("char" if src.type == "str" else elem, src.name))
        deps = frozenset({src.name}) | src.deps
        vi = Var(ni, "int", 0, 0, 0, "loop", pending=True, small=True)
        ve = Var(ne, elem, 1 if src.type == "str" else src.elo, 1, 0, "loop", pending=True,
                 deps=deps)  # fmt: skip
        return f"for {ni}, {ne} in enumerate({src.code}):", [vi, ve], {src.name}

    def zip_source(self):
        cands = self.iterable_vars()
        if len(cands) < 2:
            return None
        a, b = self.rng.sample(cands, 2)
        ea, eb = ty.element(a.type), ty.element(b.type)
        if not ea or not eb or "," in ea or "," in eb:
            return None
        self.commit(Val("", "", reads=(a, b)))
        self.ops_used.append("zip")
        na = self.names.pick(nm.loop_candidates(ea, a.name))
        nb = self.names.pick(nm.loop_candidates(eb, b.name))
        deps = frozenset({a.name, b.name}) | a.deps | b.deps
        va = Var(na, ea, 1 if a.type == "str" else a.elo, 1, 0, "loop", pending=True, deps=deps)
        vb = Var(nb, eb, 1 if b.type == "str" else b.elo, 1, 0, "loop", pending=True, deps=deps)
        return f"for {na}, {nb} in zip({a.code}, {b.code}):", [va, vb], {a.name, b.name}

    def range_source(self):
        val = self.expr("int", 0, small=True)
        if val is None or val.literal or not val.small:
            return None
        self.commit(val)
        self.ops_used.append("range")
        name = self.names.pick(nm.LOOP_NAMES["index"])
        v = Var(name, "int", 0, 0, 0, "loop", pending=True, small=True)
        return f"for {name} in range({val.code}):", [v], {r.name for r in val.reads}

    def expr_source(self):
        slot = pick(self.rng, ("it[str]", "it[int]", "it[tuple[int,str]]", "it[tuple[str,int]]"))
        val = self.expr(slot, 1, need=1)
        if val is None or not val.ops or val.muts:
            return None
        self.commit(val)
        src = Var("_", val.type, val.lo, val.elo, 0, "local", deps=frozenset(val.deps()))
        if val.ops[-1] == "enumerate" and "," in (ty.element(val.type) or ""):
            frozen = {r.name for r in val.reads}
            return self.pair_loop(val.code, ty.element(val.type), None, frozen, indexed=True)
        return self.simple_loop(val.code, val.type, src, {r.name for r in val.reads})

    def nested_source(self):
        rng = self.rng
        shorts = self.short_sources()
        r = rng.random()
        if shorts and r < 0.55:
            src = self.pick_var(shorts)
            if r < 0.15:
                return self.enumerate_source(src)
            self.commit(var_val(src))
            return self.simple_loop(src.code, src.type, src, {src.name})
        seqs = self.iterable_vars(seq_only=True)
        if seqs and r < 0.8:
            src = self.pick_var(seqs)
            self.commit(var_val(src))
            self.ops_used.append("list.slice" if src.type != "str" else "str.slice")
            k = randint(rng, 2, 4)
            return self.simple_loop(f"{src.code}[:{k}]", src.type, src, {src.name})
        name = self.names.pick(nm.LOOP_NAMES["index"])
        self.ops_used.append("range")
        v = Var(name, "int", 0, 0, 0, "loop", pending=True, small=True)
        return f"for {name} in range({randint(rng, 2, 4)}):", [v], set()

    def emit_while(self, node: Compound, parent: list, level: int) -> None:
        rng = self.rng
        nested = bool(self.loop_levels)
        drain = None if nested or rng.random() > 0.25 else self.drain_target()
        snap = self.snapshot()
        if drain is not None:
            self.emit_drain(node, drain, level)
        else:
            self.emit_counted(node, parent, level, nested)
        self.merge(snap, [self.snapshot()], loop=True)

    def drain_target(self) -> Var | None:
        cands = [
            v
            for v in self.vars
            if v.type in ("list[int]", "list[str]", "set[int]")
            and self.may_mutate(v, MutEffect.DEC)
            and v.kind in ("param", "local")
        ]
        return self.pick_var(cands) if cands else None

    def emit_drain(self, node: Compound, target: Var, level: int) -> None:
        """``while xs:`` popping one element per turn: bounded by the collection's size."""
        k = pick(self.rng, (0, 0, 1, 2))
        header = f"while {target.code}:" if k == 0 else f"while len({target.code}) > {k}:"
        self.commit(var_val(target))
        body, eff = self.open_clause(node, header)
        self.loop_levels.append(self.level)
        self.loop_written.append(set())
        self.size_deps.append(set())
        target.lo = k + 1
        pop = "pop()" if target.type.startswith("set[") else pick(self.rng, ("pop()", "pop(0)"))
        elem = ty.element(target.type) or "int"
        name = self.names.pick(nm.local_candidates(elem, "list.pop"))
        body.append(f"{name} = {target.code}.{pop}")
        self.ops_used.append("set.pop" if target.type.startswith("set[") else "list.pop")
        self.vars.append(Var(name, elem, target.elo, 1, self.level, "local", pending=True,
                             deps=frozenset({target.name}) | target.deps))  # fmt: skip
        target.lo = k
        target.pending = True
        self.freeze({target.name}, 1)
        self.effects += 1
        self.block(body, level + 1)
        self.close_clause(body, eff)
        self.freeze({target.name}, -1)
        self.loop_levels.pop()
        self.loop_written.pop()
        self.size_deps.pop()
        target.lo = 0

    def emit_counted(self, node: Compound, parent: list, level: int, nested: bool) -> None:
        rng = self.rng
        counter = self.names.pick(nm.COUNTER_NAMES)
        frozen: set[str] = set()
        alias = None
        seqs = self.short_sources() if nested else self.iterable_vars(seq_only=True)
        seqs = [v for v in seqs if v.type == "str" or v.type.startswith(("list[", "tuple["))]
        down = False
        if seqs and rng.random() < 0.5:
            seq = self.pick_var(seqs)
            self.commit(var_val(seq))
            self.ops_used.append("len")
            header = f"while {counter} < len({seq.code})"
            elem = ty.element(seq.type) or "str"
            alias = Var(f"{seq.name}[{counter}]", elem, 1 if seq.type == "str" else seq.elo, 1,
                        0, "alias", code=f"{seq.code}[{counter}]", pending=True,
                        deps=frozenset({seq.name}) | seq.deps)  # fmt: skip
            frozen.add(seq.name)
            init = "0"
        else:
            bound = self.bound(nested)
            self.commit(bound)
            frozen |= {r.name for r in bound.reads}
            down = rng.random() < 0.3
            init = bound.code if down else "0"
            header = f"while {counter} > 0" if down else f"while {counter} < {bound.code}"
        if nested:
            self.sized_by(frozen)
        parent.insert(len(parent) - 1, f"{counter} = {init}")
        body, eff = self.open_clause(node, header + ":")
        self.loop_levels.append(self.level)
        self.loop_written.append(set())
        self.size_deps.append(set())
        self.freeze(frozen, 1)
        cvar = Var(counter, "int", 0, 0, self.level, "counter", pending=rng.random() < 0.25,
                   small=True)  # fmt: skip
        self.vars.append(cvar)
        if alias is not None:
            alias.level = self.level
            self.vars.append(alias)
            if rng.random() < 0.25:
                cp = self.checkpoint()
                extra = self.condition()
                if extra.prec > AND:
                    self.commit(extra)
                    node.clauses[0][0] = f"{header} and {extra.code}:"
                else:
                    self.rollback(cp)
        self.block(body, level + 1)
        self.close_clause(body, eff)
        body.append(f"{counter} -= 1" if down else f"{counter} += 1")
        self.loop_levels.pop()
        self.loop_written.pop()
        self.size_deps.pop()
        self.freeze(frozen, -1)

    def bound(self, nested: bool) -> Val:
        rng = self.rng
        if nested or rng.random() < 0.3:
            return lit_val(str(randint(rng, 2, 4) if nested else randint(rng, 3, 6)), "int")
        cp = self.checkpoint()
        val = self.expr("int", 1, small=True)
        if val is None or val.muts:
            self.rollback(cp)
            return lit_val(str(randint(rng, 3, 6)), "int")
        return val
