"""Which generated programs to keep: the checks that need only ``ast``.

No imports of system modules and no escape hatches (``open``, ``eval``, dunder attributes);
a dedup key that ignores naming; and whether a result's repr round-trips through
``ast.literal_eval`` (so an answer can be compared as a literal). The checks that run a
program (time limit, determinism, result size) are the pipeline's own, in
``execverify.synth.pipeline``, which lists every rejection reason in order.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
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
