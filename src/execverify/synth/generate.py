"""``generate(level_or_knobs, rng) -> Program``: the built-in generator's one entry point.

The pipeline calls this once per sample with its own seeded ``random.Random``; everything the
program and its arguments depend on comes from that object, so the same seed gives the same
programs, in any process, with any ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from execverify.synth import names as nm
from execverify.synth.builder import FunctionPlan, FunctionWriter
from execverify.synth.catalogue import ATOM, Op, Slot, catalogue
from execverify.synth.inputs import synth_args
from execverify.synth.levels import Knobs, knobs_for, level_of
from execverify.synth.rand import pick, randint
from execverify.synth.rules import EloRule, LoRule
from execverify.synth.stmts import BuildError, render_statements

MAX_ATTEMPTS = 30


@dataclass(frozen=True)
class Program:
    """A generated program and the call the pipeline will make.

    ``args`` is the Python source of the call's arguments; ``features`` are the static
    features as built (seed, methods used, nesting, control depth and kinds, helper call,
    functions, lines, parameters), which the tests check against ``ast``.
    """

    source: str
    entry: str
    arg_types: tuple[str, ...]
    args: str
    seed_method: str
    level: int | None
    knobs: Knobs
    features: dict[str, Any] = field(hash=False, compare=True)

    @property
    def call(self) -> str:
        return f"{self.entry}({self.args})"


def generate(
    level_or_knobs: int | Knobs,
    rng: random.Random,
    seed_method: str | None = None,
) -> Program:
    """One program at a level (1..6) or for custom :class:`Knobs`, with synthesised inputs.

    Without ``seed_method`` the seed is drawn uniformly from the catalogue. A seed that does
    not fit the knobs after a few attempts is replaced by another draw (never when the caller
    named it: then the error says so).
    """
    knobs = knobs_for(level_or_knobs) if isinstance(level_or_knobs, int) else level_or_knobs
    cat = catalogue()
    seed = seed_method if seed_method is not None else pick(rng, cat.seeds)
    cat.variants(seed)  # validates the name
    for attempt in range(MAX_ATTEMPTS):
        try:
            source, entry, arg_types, features = build(knobs, seed, rng)
        except BuildError:
            if seed_method is None and attempt % 5 == 4:
                seed = pick(rng, cat.seeds)
            continue
        return Program(
            source=source,
            entry=entry,
            arg_types=arg_types,
            args=synth_args(arg_types, rng),
            seed_method=seed,
            level=level_of(knobs),
            knobs=knobs,
            features=features,
        )
    raise RuntimeError(
        f"could not build a program for seed {seed!r} with {knobs} in {MAX_ATTEMPTS} attempts; "
        "try another seed method or looser knobs"
    )


def plan(
    rng: random.Random,
    knobs: Knobs,
    depth: int,
    seed: str | None,
    extras: int,
    helper: bool,
    single_return: bool = False,
) -> FunctionPlan:
    """Where in one function the seed, the extras, the helper call and the chain go."""
    kinds = [pick(rng, knobs.control_kinds) for _ in range(depth)]
    tasks: dict[int, list[str]] = {i: [] for i in range(depth + 1)}
    for i in range(depth):
        tasks[i].append("construct")
    if seed is not None:
        tasks[randint(rng, 0, depth)].append("seed")
    for _ in range(extras):
        tasks[0 if rng.random() < 0.5 else randint(rng, 0, depth)].append("extra")
    for level_tasks in tasks.values():
        rng.shuffle(level_tasks)
    if helper:  # early and shallow: its arguments need fresh parameters, and its output
        # repeated on every turn of a deep loop bloats the result
        at = 0 if depth == 0 or rng.random() < 0.6 else 1
        tasks[at].insert(0 if rng.random() < 0.6 else len(tasks[at]), "helper")
    plain = knobs.extra_methods == 0 and depth == 0 and not helper
    return FunctionPlan(kinds, tasks, seed, knobs.seed_nesting, plain, single_return)


def build(knobs: Knobs, seed: str, rng: random.Random):
    """Source, entry name, argument types and features of one program (may raise BuildError)."""
    cat = catalogue()
    if not knobs.helper_call:
        p = plan(rng, knobs, knobs.control_depth, seed, knobs.extra_methods, False)
        w = FunctionWriter(rng, cat, nm.NamePool(rng), p)
        w.write()
        name = _function_name(rng, w, nm.ENTRY_VERBS, set())
        source = _source(name, w)
        return source, name, _arg_types(w), _features(seed, knobs, [w], p.kinds, source)
    depth = knobs.control_depth
    chain_in_helper = rng.random() < 0.5
    seed_in_helper = rng.random() < 0.5
    extras_helper = randint(rng, 0, knobs.extra_methods)
    if not seed_in_helper and extras_helper == 0:
        extras_helper = 1
    small = pick(rng, (0, min(1, depth)))
    hp = plan(rng, knobs, depth if chain_in_helper else small, seed if seed_in_helper else None,
              extras_helper, False, single_return=True)  # fmt: skip
    hw = FunctionWriter(rng, cat, nm.NamePool(rng), hp, max_params=2)
    hw.write()
    hname = _function_name(rng, hw, nm.HELPER_VERBS, set())
    helper_op = _helper_op(hname, hw)
    ep = plan(rng, knobs, small if chain_in_helper else depth,
              None if seed_in_helper else seed,
              max(0, knobs.extra_methods - extras_helper), True)  # fmt: skip
    ew = FunctionWriter(rng, cat, nm.NamePool(rng, {hname}), ep, helper=helper_op, max_params=5)
    ew.write()
    ename = _function_name(rng, ew, nm.ENTRY_VERBS, {hname})
    source = _source(hname, hw) + "\n\n" + _source(ename, ew)
    kinds = hp.kinds if chain_in_helper else ep.kinds
    features = _features(seed, knobs, [hw, ew], kinds, source)
    return source, ename, _arg_types(ew), features


def _function_name(rng, w: FunctionWriter, verbs: tuple[str, ...], taken: set[str]) -> str:
    if not w.params:
        raise BuildError("a function without parameters")
    nouns = nm.NOUNS.get(w.params[0].type, ("data",))
    for _ in range(6):
        name = f"{pick(rng, verbs)}_{pick(rng, nouns)}"
        if name not in taken and name not in w.names.taken:
            return name
    raise BuildError("no free function name")


def _source(name: str, w: FunctionWriter) -> str:
    params = ", ".join(p.name for p in w.params)
    return f"def {name}({params}):\n" + "\n".join(render_statements(w.top)) + "\n"


def _arg_types(w: FunctionWriter) -> tuple[str, ...]:
    return tuple(p.type for p in w.params)


def _helper_op(name: str, w: FunctionWriter) -> Op:
    n = len(w.params)
    template = f"{name}(" + ", ".join(f"{{{i}}}" for i in range(n)) + ")"
    parts: list[str | int] = [f"{name}("]
    for i in range(n):
        if i:
            parts.append(", ")
        parts.append(i)
    parts.append(")")
    return Op(
        seed=name,
        template=template,
        parts=tuple(parts),
        slots=tuple(Slot(p.type, "e", 0, p.lo if p.lo > 0 else None) for p in w.params),
        result=w.return_type,
        prec=ATOM,
        lo=LoRule.UNKNOWN,
        elo=EloRule.UNKNOWN,
        mut=None,
        idem=False,
        adapt=False,
        is_seed=False,
        key=("call", name),
        is_call=True,
    )


def _features(seed: str, knobs: Knobs, writers: list[FunctionWriter], kinds, source: str):
    methods = sorted({op for w in writers for op in w.ops_used if op in catalogue().by_seed})
    return {
        "seed": seed,
        "methods": methods,
        "seed_nesting": knobs.seed_nesting,
        "control_depth": knobs.control_depth,
        "control_kinds": list(kinds),
        "helper_call": knobs.helper_call,
        "functions": len(writers),
        "lines": sum(1 for line in source.splitlines() if line.strip()),
        "params": len(writers[-1].params),
    }
