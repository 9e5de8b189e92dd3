"""The LLM-prompted generator: the method's own route to programs (docs/design.md, "The method").

A model is asked for a program exercising one seed method under a level's constraints, then, in
a second prompt, for literal inputs to call it with. Model text is only ever parsed (``ast``,
``ast.literal_eval``), never run: running is the filters' job, in the sandbox. What cannot be
parsed, or breaks the method's rules, becomes a :class:`Rejection` with a reason from
:data:`REASONS`, so a synthesis run can report why a model's output was discarded; what passes
becomes the same :class:`~execverify.synth.generate.Program` the built-in generator makes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execverify.models.base import Backend, SamplingParams
from execverify.synth import Program
from execverify.synth.catalogue import catalogue, node_key
from execverify.synth.levels import Knobs, knobs_for, level_of
from execverify.tasks.features import program_features

REASONS: dict[str, str] = {
    "no_code": "the completion holds no Python function",
    "syntax": "the code does not parse",
    "structure": "classes, imports or top-level code other than functions and the entry call",
    "signature": "a function without arguments, with defaults, *args, **kwargs or keyword-only",
    "entry": "no single entry function, a dead function, or the entry called or recursing wrongly",
    "knobs": "the measured constraints differ from the level's",
    "no_inputs": "no usable literal call arguments in the input completion",
}
"""Why a completion was rejected; every :class:`Rejection` carries one of these keys."""

SYNTH_SYSTEM = (
    "You write small, self-contained Python programs used to test whether a reader can trace "
    "code execution by hand. Answer with a single Python code block and nothing else."
)
INPUT_RULES = (
    "integers between 5 and 20; lists with 5 to 15 elements; strings of 5 to 10 characters, "
    "mostly letters and digits, sometimes one character repeated, rarely with punctuation"
)
_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)
_CONTROL_WORDS = "one of `if`, `for`, `while` or `if`/`elif`"


@dataclass(frozen=True)
class LLMGeneratorConfig:
    """Settings of :class:`LLMGenerator`.

    inputs_per_program: literal calls asked for per program; each valid one yields a Program.
    program_tokens / input_tokens: generation budget of the two prompts.
    temperature, top_p, seed: sampling of both prompts (seeded, so runs repeat).
    check_knobs: reject programs whose measured seed nesting, extra methods, control depth or
        helper call differ from the knobs (off: keep them, the features tell what they are).
    """

    inputs_per_program: int = 3
    program_tokens: int = 512
    input_tokens: int = 256
    temperature: float = 0.7
    top_p: float = 0.95
    seed: int = 0
    check_knobs: bool = True

    def __post_init__(self) -> None:
        for name in ("inputs_per_program", "program_tokens", "input_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"LLMGeneratorConfig.{name} must be an int >= 1; got {value!r}")
        SamplingParams(temperature=self.temperature, top_p=self.top_p, seed=self.seed)


@dataclass(frozen=True)
class Rejection:
    """A request whose completion did not yield a program: why, and the text that failed."""

    seed_method: str
    level: int | None
    stage: str  # "program" or "inputs"
    reason: str  # a key of REASONS
    detail: str
    completion: str


@dataclass(frozen=True)
class Extracted:
    """A program that passed the static rules, before it has inputs."""

    source: str
    entry: str
    params: tuple[str, ...]
    features: dict[str, Any]


class Rejected(Exception):
    """Raised inside parsing with a reason key; turned into a :class:`Rejection`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class LLMGenerator:
    """Programs from a model: ``generate([(seed_method, level_or_knobs), ...])``.

    Both prompts of a batch go to the backend as one batch each, so a vLLM or HTTP backend
    works on all requests at once.
    """

    def __init__(self, backend: Backend, config: LLMGeneratorConfig | None = None) -> None:
        self.backend = backend
        self.config = config or LLMGeneratorConfig()

    def generate(
        self, requests: Sequence[tuple[str, int | Knobs]]
    ) -> list[list[Program] | Rejection]:
        """Per request, in order: its programs (one per valid input) or a Rejection."""
        cfg = self.config
        asks = [(seed, _knobs(k)) for seed, k in requests]
        completions = self.backend.generate(
            [program_prompt(seed, knobs) for seed, knobs in asks],
            self._params(cfg.program_tokens),
        )
        results: list[list[Program] | Rejection] = []
        extracted: dict[int, Extracted] = {}
        for i, ((seed, knobs), (text, *_)) in enumerate(zip(asks, completions)):
            try:
                extracted[i] = extract_program(text, seed, knobs, check_knobs=cfg.check_knobs)
                results.append([])
            except Rejected as r:
                results.append(_rejection(seed, knobs, "program", r, text))
        order = sorted(extracted)
        input_texts = (
            self.backend.generate(
                [synth_input_prompt(extracted[i], cfg.inputs_per_program) for i in order],
                self._params(cfg.input_tokens),
            )
            if order
            else []
        )
        for i, (text, *_) in zip(order, input_texts):
            seed, knobs = asks[i]
            try:
                results[i] = _programs(extracted[i], seed, knobs, text, cfg.inputs_per_program)
            except Rejected as r:
                results[i] = _rejection(seed, knobs, "inputs", r, text)
        return results

    def _params(self, tokens: int) -> SamplingParams:
        cfg = self.config
        return SamplingParams(
            max_new_tokens=tokens, temperature=cfg.temperature, top_p=cfg.top_p, seed=cfg.seed
        )


def _knobs(level_or_knobs: int | Knobs) -> Knobs:
    return level_or_knobs if isinstance(level_or_knobs, Knobs) else knobs_for(level_or_knobs)


def _rejection(seed: str, knobs: Knobs, stage: str, r: Rejected, text: str) -> Rejection:
    return Rejection(seed, level_of(knobs), stage, r.reason, r.detail, text)


def _programs(ex: Extracted, seed: str, knobs: Knobs, text: str, limit: int) -> list[Program]:
    calls = parse_inputs(text, ex.entry, ex.params)[:limit]
    return [
        Program(
            source=ex.source,
            entry=ex.entry,
            arg_types=tuple(type_name(v) for v in values),
            args=", ".join(repr(v) for v in values),
            seed_method=seed,
            level=level_of(knobs),
            knobs=knobs,
            features=dict(ex.features),
        )
        for values in calls
    ]


# --- prompts ---------------------------------------------------------------------------------


def seed_example(seed: str) -> str:
    """How a seed is written, from the catalogue's first variant (``a.zfill(b)``, ``a + b``)."""
    variants = catalogue().by_seed.get(seed)
    if not variants:
        return seed
    letters = "abcdefgh"
    return variants[0].render([letters[i] for i in range(len(variants[0].slots))])


def program_prompt(seed: str, knobs: Knobs) -> list[dict[str, str]]:
    """The constraint prompt: one rule per line, so each knob is visible to the model."""
    example = seed_example(seed)
    written = f" (written like `{example}`)" if example != seed else ""
    rules = [
        f"Nest calls of `{seed}` at least {knobs.seed_nesting} levels deep: the result of one "
        "call feeds the next.",
    ]
    if knobs.extra_methods:
        rules.append(f"Also call at least {knobs.extra_methods} other built-in method(s).")
    if knobs.control_depth == 0:
        rules.append("Use no control flow: no `if`, `for` or `while`.")
    elif knobs.control_depth == 1:
        rules.append(f"Use control flow of depth 1: {_CONTROL_WORDS}, not nested.")
    else:
        rules.append(
            f"Use control flow nested exactly {knobs.control_depth} levels deep: "
            f"{_CONTROL_WORDS}, each inside the previous one."
        )
    if knobs.helper_call:
        rules.append(
            "Write two functions: a helper function, and an entry function that calls the helper."
        )
    else:
        rules.append("Write exactly one function.")
    rules += [
        "Every function takes at least one argument; no default parameter values.",
        "The arguments are ints, strings, or lists of them.",
        "No imports, no comments, no docstrings, no print.",
        "End with exactly one call of the entry function on example literal arguments.",
    ]
    user = f"Write a Python program that uses `{seed}`{written}.\n\nRules:\n" + "\n".join(
        f"- {r}" for r in rules
    )
    return [{"role": "system", "content": SYNTH_SYSTEM}, {"role": "user", "content": user}]


def synth_input_prompt(ex: Extracted, count: int) -> list[dict[str, str]]:
    """The second prompt: literal arguments for the extracted entry function."""
    user = (
        f"Here is a Python program:\n\n```python\n{ex.source}```\n\n"
        f"Write {count} different calls of `{ex.entry}` with literal arguments, one call per "
        f"line, inside one code block, each like `{ex.entry}({', '.join(ex.params)})` with "
        f"the names replaced by values. Use {INPUT_RULES}. Only literals: no variables, "
        "expressions or function calls inside the parentheses. Each call must run without error."
    )
    return [{"role": "system", "content": SYNTH_SYSTEM}, {"role": "user", "content": user}]


# --- parsing the program ---------------------------------------------------------------------


def code_blocks(text: str) -> list[str]:
    """Candidate code, best first: fenced blocks (an unclosed last fence runs to the end), then
    the text from the first ``def``/``import`` line to the next fence, for models that start
    writing code without opening a fence (small models often do)."""
    blocks = [m.group(1) for m in _FENCE.finditer(text)]
    start = re.search(r"^(def |class |import |from )", text, re.MULTILINE)
    if start:
        blocks.append(text[start.start() :].split("```", 1)[0])
    return blocks


def extract_program(text: str, seed: str, knobs: Knobs, *, check_knobs: bool = True) -> Extracted:
    """The program in a completion, normalised, checked against the rules; raises Rejected."""
    tree = _parse_first(text)
    functions, entry_calls = _split_module(tree)
    for f in functions:
        _check_signature(f)
        _strip_docstring(f)
    entry = _entry(functions, entry_calls)
    source = ast.unparse(ast.Module(body=list(functions), type_ignores=[])) + "\n"
    by_name = {f.name: f for f in functions}
    params = tuple(a.arg for a in by_name[entry].args.args)
    features = measure(source, entry, seed)
    if check_knobs:
        _check_knobs(features, knobs, seed)
    return Extracted(source, entry, params, features)


def _parse_first(text: str) -> ast.Module:
    blocks = code_blocks(text)
    if not blocks:
        raise Rejected("no_code", "no code block and no line starting with def")
    error = None
    for block in blocks:
        try:
            tree = ast.parse(block)
        except (SyntaxError, ValueError) as exc:
            error = error or exc
            continue
        if any(isinstance(n, ast.FunctionDef) for n in tree.body):
            return tree
    if error is not None:
        raise Rejected("syntax", f"{type(error).__name__}: {error}")
    raise Rejected("no_code", "the code defines no function")


def _split_module(tree: ast.Module) -> tuple[list[ast.FunctionDef], list[ast.Call]]:
    """Top-level functions, and top-level calls (the example call the prompt asks for)."""
    functions: list[ast.FunctionDef] = []
    calls: list[ast.Call] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            raise Rejected("structure", f"imports are not allowed (line {node.lineno})")
        elif isinstance(node, (ast.ClassDef, ast.AsyncFunctionDef)):
            raise Rejected(
                "structure", f"{type(node).__name__} is not allowed (line {node.lineno})"
            )
        else:  # example calls, prints, assignments: dropped, the pipeline makes the call
            calls += [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    for f in functions:
        for n in ast.walk(f):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                raise Rejected("structure", f"imports are not allowed (line {n.lineno})")
    return functions, calls


def _check_signature(f: ast.FunctionDef) -> None:
    a = f.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        raise Rejected("signature", f"{f.name} has *args, **kwargs, keyword-only or / parameters")
    if not a.args:
        raise Rejected("signature", f"{f.name} takes no arguments")
    if a.defaults:
        raise Rejected("signature", f"{f.name} has default parameter values")


def _strip_docstring(f: ast.FunctionDef) -> None:
    body = f.body
    first = body[0].value if body and isinstance(body[0], ast.Expr) else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        del body[0]
    if not body or all(isinstance(s, ast.Pass) for s in body):
        raise Rejected("no_code", f"{f.name} has an empty body")


def _entry(functions: list[ast.FunctionDef], top_calls: list[ast.Call]) -> str:
    """The one function nothing else calls; every other function must be reachable from it."""
    names = [f.name for f in functions]
    if len(set(names)) != len(names):
        raise Rejected("entry", "a function is defined twice")
    callees = {f.name: _called_names(f) & set(names) for f in functions}
    roots = [n for n in names if not any(n in callees[m] for m in names if m != n)]
    top = [c.func.id for c in top_calls if isinstance(c.func, ast.Name) and c.func.id in names]
    if len(top) > 1:
        raise Rejected("entry", f"the program calls {top} at top level; exactly one call allowed")
    if len(roots) != 1:
        raise Rejected("entry", f"expected one entry function, found roots {roots}")
    entry = roots[0]
    if top and top[0] != entry:
        raise Rejected("entry", f"the top-level call is to {top[0]}, not the entry {entry}")
    if entry in callees[entry]:
        raise Rejected("entry", f"the entry function {entry} calls itself")
    reachable, todo = {entry}, [entry]
    while todo:
        for callee in callees[todo.pop()] - reachable:
            reachable.add(callee)
            todo.append(callee)
    if dead := [n for n in names if n not in reachable]:
        raise Rejected("entry", f"functions {dead} are never called")
    return entry


def _called_names(node: ast.AST) -> set[str]:
    return {
        n.func.id
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


# --- measuring the knobs ---------------------------------------------------------------------


def seed_keys(seed: str) -> set[tuple[str, str]]:
    """Syntactic shapes that count as a use of the seed (from the catalogue, else its name)."""
    variants = catalogue().by_seed.get(seed)
    if variants:
        return {op.key for op in variants}
    name = seed.rsplit(".", 1)[-1]
    return {("attr", name)} if "." in seed else {("call", name)}


def measure(source: str, entry: str, seed: str) -> dict[str, Any]:
    """Static features, named as the built-in generator names them, but measured, not asked."""
    base = program_features(source, entry)
    tree = ast.parse(source)
    keys = seed_keys(seed)
    own = {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
    seed_names = {name for _, name in keys}
    extras = sorted((set(base["methods"]) | set(base["builtins"])) - seed_names - own)
    functions = [f for f in tree.body if isinstance(f, ast.FunctionDef)]
    entry_node = next(f for f in functions if f.name == entry)
    return {
        "seed": seed,
        "methods": base["methods"],
        "builtins": base["builtins"],
        "extra_methods": extras,
        "seed_calls": sum(1 for n in ast.walk(tree) if node_key(n) in keys),
        "seed_nesting": max((_seed_nesting(f, keys) for f in functions), default=0),
        "control_depth": base["control_flow_depth"],
        "control_kinds": _control_kinds(tree),
        "helper_call": base["helper_call"],
        "functions": base["functions"],
        "lines": base["lines"],
        "params": len(entry_node.args.args),
    }


def _seed_nesting(function: ast.FunctionDef, keys: set[tuple[str, str]]) -> int:
    """Longest chain of seed uses feeding each other, directly or through variables.

    Statements are read in source order; a variable assigned from (or mutated by) an expression
    with k chained seed uses carries k into the expressions that read it.
    """
    carried: dict[str, int] = {}

    def depth(node: ast.AST) -> int:
        d = max((depth(c) for c in ast.iter_child_nodes(node)), default=0)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            d = max(d, carried.get(node.id, 0))
        return d + (node_key(node) in keys)

    best = 0
    statements = [n for n in ast.walk(function) if isinstance(n, ast.stmt) and n is not function]
    for stmt in sorted(statements, key=lambda s: (s.lineno, s.col_offset)):
        exprs = [c for c in ast.iter_child_nodes(stmt) if isinstance(c, ast.expr)]
        d = max((depth(e) for e in exprs), default=0)
        best = max(best, d)
        for name in _written_names(stmt):
            carried[name] = max(carried.get(name, 0), d)
    return best


def _written_names(stmt: ast.stmt) -> list[str]:
    """Variables a simple statement assigns, or mutates through a method call (``x.append``)."""
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For)):
        targets = [stmt.target]
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return [func.value.id]
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _control_kinds(tree: ast.Module) -> list[str]:
    kinds = []
    for n in ast.walk(tree):
        if isinstance(n, ast.For):
            kinds.append("for")
        elif isinstance(n, ast.While):
            kinds.append("while")
        elif isinstance(n, ast.If):
            elif_ = len(n.orelse) == 1 and isinstance(n.orelse[0], ast.If)
            kinds.append("if_elif" if elif_ else "if")
    return sorted(set(kinds))


def _check_knobs(features: dict[str, Any], knobs: Knobs, seed: str) -> None:
    problems = []
    if features["seed_nesting"] < knobs.seed_nesting:
        problems.append(
            f"`{seed}` chained {features['seed_nesting']} deep, asked >= {knobs.seed_nesting}"
        )
    if len(features["extra_methods"]) < knobs.extra_methods:
        problems.append(
            f"{len(features['extra_methods'])} other built-ins, asked >= {knobs.extra_methods}"
        )
    if features["control_depth"] != knobs.control_depth:
        problems.append(f"control depth {features['control_depth']}, asked {knobs.control_depth}")
    if features["helper_call"] != knobs.helper_call:
        problems.append(f"helper call {features['helper_call']}, asked {knobs.helper_call}")
    if problems:
        raise Rejected("knobs", "; ".join(problems))


# --- parsing the inputs ----------------------------------------------------------------------


def parse_inputs(text: str, entry: str, params: Sequence[str]) -> list[tuple[Any, ...]]:
    """Distinct literal argument tuples from calls of ``entry`` in a completion.

    Any line holding a call of the entry (``f(...)``, ``print(f(...))``, ``assert f(...) == 3``)
    counts; keyword arguments are put in parameter order. Raises Rejected if none is usable.
    """
    blocks = [m.group(1) for m in _FENCE.finditer(text)] or [text]
    found: list[tuple[Any, ...]] = []
    problems: list[str] = []
    for line in (ln.strip() for b in blocks for ln in b.splitlines()):
        for call in _entry_calls(line, entry):
            try:
                values = _literal_args(call, params)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if values not in found:
                found.append(values)
    if not found:
        detail = problems[0] if problems else f"no call of {entry}(...) found"
        raise Rejected("no_inputs", detail)
    return found


def _entry_calls(line: str, entry: str) -> list[ast.Call]:
    if entry not in line:
        return []
    try:
        tree = ast.parse(line)
    except (SyntaxError, ValueError):
        return []
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == entry
    ]


def _literal_args(call: ast.Call, params: Sequence[str]) -> tuple[Any, ...]:
    by_name = {k.arg: k.value for k in call.keywords}
    if None in by_name or any(isinstance(a, ast.Starred) for a in call.args):
        raise ValueError("starred arguments are not literals")
    nodes = list(call.args) + [by_name.pop(p) for p in params[len(call.args) :] if p in by_name]
    if by_name or len(nodes) != len(params):
        raise ValueError(f"{ast.unparse(call)} does not give exactly {len(params)} arguments")
    try:
        values = tuple(ast.literal_eval(n) for n in nodes)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"{ast.unparse(call)} has non-literal arguments") from None
    for v in values:  # repr must read back equal, or the record's args would lie
        if ast.literal_eval(repr(v)) != v:
            raise ValueError(f"{v!r} does not round-trip through repr")
    return values


def type_name(value: Any) -> str:
    """A value's type in the synth type language (``list[int]``, ``dict[str,int]``, ``str``)."""
    if isinstance(value, (bool, int, float, str, complex, type(None))):
        return type(value).__name__
    if isinstance(value, dict):
        keys = {type_name(k) for k in value}
        vals = {type_name(v) for v in value.values()}
        if len(keys) == 1 and len(vals) == 1:
            return f"dict[{keys.pop()},{vals.pop()}]"
        return "dict"
    if isinstance(value, (list, tuple, set, frozenset)):
        inner = {type_name(v) for v in value}
        kind = type(value).__name__
        return f"{kind}[{inner.pop()}]" if len(inner) == 1 else kind
    return type(value).__name__
