"""Which generated programs to keep (DESIGN.md section 1, point 2).

Static filters need only ``ast``: no imports of system modules and no escape hatches
(``open``, ``eval``, dunder attributes), and a dedup key that ignores naming. Execution filters
run programs in the sandbox: the call finishes within the time limit, its result round-trips
through ``ast.literal_eval`` (so an answer can be compared as a literal), two runs agree
(determinism) and the result is small enough to ask a model to write down.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execverify.trace.statements import nodes

BANNED_MODULES: frozenset[str] = frozenset(
    {
        "os", "sys", "random", "time", "subprocess", "socket", "shutil", "pathlib", "signal",
        "threading", "multiprocessing", "asyncio", "ctypes", "importlib", "builtins", "io",
        "pickle", "marshal", "shelve", "tempfile", "glob", "urllib", "http", "ftplib",
        "requests", "inspect", "gc", "resource", "pty", "platform", "secrets", "uuid",
        "datetime", "sched", "select", "selectors", "mmap", "code", "codeop", "runpy",
    }
)  # fmt: skip
BANNED_NAMES: frozenset[str] = frozenset(
    {
        "open", "eval", "exec", "compile", "__import__", "input", "breakpoint", "globals",
        "locals", "vars", "getattr", "setattr", "delattr", "exit", "quit", "help", "memoryview",
        "id", "hash", "print",
    }
)  # fmt: skip
_BUILTINS: frozenset[str] = frozenset(dir(builtins))
_CHECKED = (ast.Name, ast.Attribute, ast.Import, ast.ImportFrom)
# The ast module's node classes the static check has nothing to say about: most of a tree's
# nodes (contexts, calls, operators...), each skipped with one set lookup.
_UNCHECKED: frozenset[type] = frozenset(
    cls for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.AST) and not issubclass(cls, _CHECKED)
)
_NOTHING_RENAMED: dict[str, Any] = {}


def static_violation(source: str, tree: ast.Module | None = None) -> str | None:
    """Why ``source`` must not be run or kept, or None if it passes the static checks.

    ``id`` and ``hash`` are banned because their values change between runs; ``print``
    because the method asks for a value, not output. ``tree``: the program already parsed
    (the pipeline parses each candidate once for every check and the record).
    """
    if tree is None:
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            return f"syntax: {exc.msg} (line {exc.lineno})"
    for node in nodes(tree):
        if type(node) in _UNCHECKED:
            continue
        if isinstance(node, ast.Name):
            if node.id in BANNED_NAMES:
                return f"name: {node.id}"
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__"):
                return f"attribute: {node.attr}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in BANNED_MODULES:
                    return f"import: {alias.name}"
        elif (isinstance(node, ast.ImportFrom)
              and (node.module or "").split(".")[0] in BANNED_MODULES):
            return f"import: {node.module}"
    return None


class _Normaliser:
    """Dumps a tree as ``ast.dump(tree, annotate_fields=False)`` would after renaming
    identifiers (and optionally constants) to canonical names by first use.

    One pass that writes the text while it renames, instead of a ``NodeTransformer`` and then
    ``ast.dump``: it runs for every candidate, costs half as much, and leaves the tree as it
    was, so the pipeline can share one parse with the static check and the record. Renamed:
    variable names, parameters (their annotations dropped) and ``def`` names; built-in names
    are kept, and so are attribute (method) names, which are the program.
    """

    def __init__(self, constants: bool) -> None:
        self.names: dict[str, str] = {}
        self.consts: dict[tuple[str, Any], str] = {}
        self.constants = constants

    def _name(self, name: str) -> str:
        if name in _BUILTINS:
            return name
        if name not in self.names:
            self.names[name] = f"v{len(self.names)}"
        return self.names[name]

    def _const(self, value: Any) -> str:
        key = (type(value).__name__, value)
        if key not in self.consts:
            self.consts[key] = f"{key[0]}{len(self.consts)}"
        return self.consts[key]

    def dump(self, node: ast.AST) -> str:
        out: list[str] = []
        self._write(node, out)
        return "".join(out)

    def _write(self, node: ast.AST, out: list[str]) -> None:
        """Append the node's dump to ``out``, joined once at the end: each node returning its
        own string, for its parent to join again, made the dump an eighth slower."""
        cls = type(node)
        if cls is ast.Name:  # the commonest node, written directly; its ctx has no fields
            out.append(f"Name({self._name(node.id)!r}, {type(node.ctx).__name__}())")
            return
        if cls is ast.Constant:
            value = node.value
            if self.constants and value is not None and not isinstance(value, bool):
                out.append(f"Name({self._const(value)!r}, Load())")
                return
        renamed = _NOTHING_RENAMED
        if cls is ast.arg:
            renamed = {"arg": self._name(node.arg), "annotation": None}
        elif cls is ast.FunctionDef:
            renamed = {"name": self._name(node.name)}
        # ast.dump's rules: a field that is None where its class default is None is left out,
        # and every field after one left out is written with its name.
        out.append(f"{cls.__name__}(")
        keywords = False
        first = True
        for field in node._fields:
            try:
                value = renamed[field] if field in renamed else getattr(node, field)
            except AttributeError:
                keywords = True
                continue
            if value is None and getattr(cls, field, ...) is None:
                keywords = True
                continue
            if not first:
                out.append(", ")
            first = False
            if keywords:
                out.append(f"{field}=")
            self._write_value(value, out)
        out.append(")")

    def _write_value(self, value: Any, out: list[str]) -> None:
        if isinstance(value, ast.AST):
            self._write(value, out)
        elif isinstance(value, list):
            out.append("[")
            for i, item in enumerate(value):
                if i:
                    out.append(", ")
                self._write_value(item, out)
            out.append("]")
        else:
            out.append(repr(value))


def normalise(source: str, constants: bool = True, tree: ast.Module | None = None) -> str:
    """A canonical dump of the program: identifiers (and constants) renamed by first use.

    Two programs that differ only in naming (and, with ``constants``, in literal values) have
    the same normal form; method and built-in names are kept, they are the program.
    ``tree``: the program already parsed; it is not changed.
    """
    return _Normaliser(constants).dump(ast.parse(source) if tree is None else tree)


def dedup_key(source: str, args: str, constants: bool = True,
              tree: ast.Module | None = None) -> str:
    """Key for "the same program on the same input": normalised AST plus the arguments."""
    text = normalise(source, constants, tree) + "\0" + args.strip()
    return hashlib.sha1(text.encode()).hexdigest()


def round_trips(value_repr: str) -> bool:
    """Whether a result, given as its repr, reads back as an equal literal.

    This is ``ast.literal_eval(repr(x)) == x`` for the value behind ``value_repr``: reprs
    ``literal_eval`` rejects (objects, ``inf``) fail, and so does ``nan``, which equals
    nothing. The text need not come back identical: ``{16, 5}`` reads back as a set that
    prints ``{5, 16}``, and is still equal.
    """
    try:
        value = ast.literal_eval(value_repr)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    try:
        return bool(value == value)
    except RecursionError:
        return False


def value_round_trips(value: object) -> bool:
    """``ast.literal_eval(repr(value)) == value``, without raising."""
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


@dataclass(frozen=True)
class ExecFilter:
    """Limits for the execution filters.

    ``timeout_s``: the call must finish within this (the method's 0.5 s). ``max_value_chars``:
    longest accepted repr of the result (an answer a model must write out). ``runs``: how many
    times to run each program; all runs must agree.
    """

    timeout_s: float = 0.5
    max_value_chars: int = 1000
    runs: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.timeout_s <= 60:
            raise ValueError(f"timeout_s must be in (0, 60], got {self.timeout_s}; e.g. 0.5")
        if self.max_value_chars < 1:
            raise ValueError(f"max_value_chars must be >= 1, got {self.max_value_chars}")
        if self.runs < 1:
            raise ValueError(f"runs must be >= 1 (2 checks determinism), got {self.runs}")


@dataclass(frozen=True)
class ExecVerdict:
    """What the execution filters concluded about one program call."""

    keep: bool
    reason: str  # "ok" or why not: the sandbox status, "round_trip", "nondeterministic", ...
    value: str | None = None
    value_type: str | None = None
    duration_s: float = 0.0


def verdict(results: Sequence[Any], config: ExecFilter) -> ExecVerdict:
    """Judge the runs of one call (sandbox ``ExecResult``-like objects, first run first)."""
    first = results[0]
    if first.status != "ok":
        reason = first.error_type if first.status == "error" and first.error_type else None
        return ExecVerdict(False, f"error:{reason}" if reason else str(first.status))
    value = first.value
    if value is None:
        return ExecVerdict(False, "no_value")
    if len(value) > config.max_value_chars:
        return ExecVerdict(False, "too_long", value, first.value_type, first.duration_s)
    if not round_trips(value):
        return ExecVerdict(False, "round_trip", value, first.value_type, first.duration_s)
    for other in results[1:]:
        if other.status != "ok" or other.value != value:
            return ExecVerdict(False, "nondeterministic", value, first.value_type)
    return ExecVerdict(True, "ok", value, first.value_type, first.duration_s)


def check_execution(
    calls: Sequence[tuple[str, str, str]],
    sandbox: Any = None,
    config: ExecFilter | None = None,
) -> list[ExecVerdict]:
    """Run each ``(source, entry, args)`` ``config.runs`` times and judge it.

    Uses the shared default sandbox unless one is given; the runs of one call go to the pool
    as separate jobs, so they may land on different workers.
    """
    from execverify.sandbox import Job, Limits, default_sandbox

    config = config or ExecFilter()
    sb = sandbox if sandbox is not None else default_sandbox()
    limits = Limits(timeout_s=config.timeout_s)
    jobs = [
        Job(source=source, entry=entry, args=args, limits=limits)
        for source, entry, args in calls
        for _ in range(config.runs)
    ]
    results = sb.run_jobs(jobs)
    n = config.runs
    return [verdict(results[i * n : (i + 1) * n], config) for i in range(len(calls))]
