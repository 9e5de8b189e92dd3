import ast
import os
import random
import subprocess
import sys

import pytest

from execverify.synth import Knobs, generate
from execverify.synth import features as F
from execverify.synth.catalogue import catalogue
from execverify.synth.filters import static_violation
from execverify.synth.inputs import INT_RANGE
from execverify.synth.levels import LEVELS
from execverify.tasks.features import program_features

PER_LEVEL = 80


def programs(level_or_knobs, n: int, seed: int = 0):
    rng = random.Random(seed)
    return [generate(level_or_knobs, rng) for _ in range(n)]


def check_constraints(p) -> list[str]:
    """Every rule of the method and the brief, measured on the source with ast."""
    knobs, src = p.knobs, p.source
    problems = []
    compile(src, "<generated>", "exec")
    if F.seed_nesting(src, p.seed_method) < knobs.seed_nesting:
        problems.append("seed nesting")
    if F.control_depth(src) != knobs.control_depth:
        problems.append("control depth")
    if program_features(src, p.entry)["control_flow_depth"] != knobs.control_depth:
        problems.append("control depth (tasks.features)")
    if not F.control_kinds(src) <= set(knobs.control_kinds):
        problems.append("control kinds")
    if F.other_control(src):
        problems.append(f"other control flow {F.other_control(src)}")
    others = F.called_names(src) - F.seed_call_names(p.seed_method)
    if len(others) < knobs.extra_methods:
        problems.append("extra methods")
    if F.comment_count(src) or F.has_defaults(src) or F.unused_params(src):
        problems.append("comment, default or unused parameter")
    calls = F.calls_between(src)
    if knobs.helper_call:
        helpers = set(calls) - {p.entry}
        if len(calls) != 2 or calls[p.entry] != helpers or any(calls[h] for h in helpers):
            problems.append("helper -> entry chain")
    elif list(calls) != [p.entry]:
        problems.append("one function")
    tree = ast.parse(src)
    if any(not fn.args.args for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)):
        problems.append("a function without arguments")
    entry_calls = [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == p.entry
    ]  # fmt: skip
    if entry_calls:
        problems.append("the program calls its entry function")
    if static_violation(src):
        problems.append(static_violation(src))
    return problems


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_every_level_meets_its_constraints(level):
    failures = {}
    for p in programs(level, PER_LEVEL, seed=level):
        problems = check_constraints(p)
        if problems:
            failures[p.source] = problems
    assert not failures, next(iter(failures.items()))


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_program_fields_describe_the_call(level):
    for p in programs(level, 20, seed=100 + level):
        assert p.level == level and p.knobs == LEVELS[level]
        assert p.seed_method in catalogue().seeds
        values = ast.literal_eval(f"({p.args},)")
        assert len(values) == len(p.arg_types) == p.features["params"]
        tree = ast.parse(p.source)
        entry = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == p.entry)
        assert len(entry.args.args) == len(p.arg_types)
        assert tree.body[-1] is entry  # the entry comes last, after its helper
        for t, v in zip(p.arg_types, values):
            if t == "int":
                assert INT_RANGE[0] <= v <= INT_RANGE[1]
        assert p.features["control_depth"] == F.control_depth(p.source)
        assert p.features["seed"] == p.seed_method and p.seed_method in p.features["methods"]
        assert p.call == f"{p.entry}({p.args})"


def test_levels_get_longer():
    lines = {
        level: sorted(p.features["lines"] for p in programs(level, 60, seed=level))[30]
        for level in LEVELS
    }
    assert lines[1] < lines[3] < lines[5] < lines[6]


def test_same_seed_same_programs():
    a = [(p.source, p.args) for p in programs(5, 30, seed=42)]
    b = [(p.source, p.args) for p in programs(5, 30, seed=42)]
    c = [(p.source, p.args) for p in programs(5, 30, seed=43)]
    assert a == b
    assert a != c


def test_same_seed_same_programs_across_processes_and_hash_seeds():
    script = (
        "import random, hashlib\n"
        "from execverify.synth import generate\n"
        "rng = random.Random(9)\n"
        "text = ''.join(p.source + p.args for p in (generate(l, rng) for l in [1, 3, 6] * 10))\n"
        "print(hashlib.sha256(text.encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_programs_vary_in_structure_not_just_names():
    from execverify.synth.filters import normalise

    for level in (1, 3, 5):
        forms = {normalise(p.source) for p in programs(level, 100, seed=level)}
        assert len(forms) >= 95


@pytest.mark.parametrize(
    "knobs",
    [
        Knobs(control_depth=2, helper_call=True),
        Knobs(control_depth=1, control_kinds=("while",)),
        Knobs(control_depth=3, control_kinds=("for", "if")),
        Knobs(control_depth=2, control_kinds=("if_elif",)),
        Knobs(seed_nesting=3),
        Knobs(seed_nesting=4, extra_methods=3),
        Knobs(helper_call=True),
    ],
    ids=repr,
)
def test_knobs_work_on_their_own(knobs):
    for p in programs(knobs, 40, seed=7):
        assert not check_constraints(p), (p.source, check_constraints(p))
        assert p.level is None


def test_single_kind_chains_use_only_that_kind():
    for p in programs(Knobs(control_depth=3, control_kinds=("while",)), 20, seed=3):
        assert F.control_kinds(p.source) == {"while"}


def test_every_seed_builds_at_levels_1_and_5():
    rng = random.Random(0)
    for seed in catalogue().seeds:
        for level in (1, 5):
            p = generate(level, rng, seed_method=seed)
            assert p.seed_method == seed
            assert not check_constraints(p), (seed, p.source, check_constraints(p))


def test_unknown_seed_method_is_rejected():
    with pytest.raises(KeyError, match="unknown seed method"):
        generate(1, random.Random(0), seed_method="str.nope")
