"""Static structure of a program's lines, read with ``ast``.

The trace says what happened; selection also needs what *could* have happened: which lines are
branch or loop headers (where next-statement questions are interesting), which statement follows
a line in source order (so a jump is recognisable as non-sequential), and which lines never ran
but would bind a variable (questions whose right answer is ``-1`` or ``Nil``).

Only statements inside function bodies count: the trace covers the entry call, not the module
body that defines the functions.
"""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass

from execverify.trace.statements import child_statements, statement_nodes

# Statements that never produce a line event of their own, so "did line N run?" is ill-posed.
_SILENT = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal, ast.Try)


@dataclass(frozen=True)
class ProgramLines:
    """Line facts of one program, computed once and shared by every question builder."""

    source_lines: tuple[str, ...]
    statements: frozenset[int]
    """Start lines of statements inside functions that run as their own line event."""
    branches: frozenset[int]
    """``if``/``elif``/``while``/``for`` header lines: where the next line depends on data."""
    loops: frozenset[int]
    """``for``/``while`` header lines."""
    successor: dict[int, int]
    """Statement line -> the next statement line in source order (absent for the last)."""
    bindings: dict[int, tuple[str, ...]]
    """Statement line -> variable names the statement binds, in source order."""

    @classmethod
    def parse(cls, program: str, tree: ast.Module | None = None) -> ProgramLines:
        """Analyse ``program`` (or its already parsed ``tree``); a syntax error propagates,
        since no question can be built then."""
        tree = ast.parse(program) if tree is None else tree
        statements: set[int] = set()
        header_ends: dict[int, int] = {}
        branches: set[int] = set()
        loops: set[int] = set()
        bindings: dict[int, tuple[str, ...]] = {}
        for func in _functions(tree):
            for node in _body_statements(func):
                if isinstance(node, _SILENT):
                    continue
                statements.add(node.lineno)
                header_ends[node.lineno] = _header_end(node)
                if isinstance(node, (ast.If, ast.For, ast.While, ast.AsyncFor)):
                    branches.add(node.lineno)
                if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
                    loops.add(node.lineno)
                names = _bound_names(node)
                if names:
                    bindings[node.lineno] = names
        ordered = sorted(statements)
        successor = {}
        for line in ordered:
            after = bisect.bisect_right(ordered, header_ends[line])  # first line past the header
            if after < len(ordered):
                successor[line] = ordered[after]
        return cls(
            source_lines=tuple(program.splitlines()),
            statements=frozenset(statements),
            branches=frozenset(branches),
            loops=frozenset(loops),
            successor=successor,
            bindings=bindings,
        )

    def text(self, line: int) -> str:
        """The stripped source text of ``line`` (1-based); empty if out of range."""
        if 1 <= line <= len(self.source_lines):
            return self.source_lines[line - 1].strip()
        return ""

    def is_jump(self, line: int, next_line: int | None) -> bool:
        """True when ``next_line`` is not simply the statement after ``line`` in source order.

        Loop back-edges, calls into helpers, returns to a caller, ``break``/``continue`` and
        skipped branches are all jumps; falling through to the next statement is not.
        """
        if next_line is None:
            return True
        return self.successor.get(line) != next_line


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in statement_nodes(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _body_statements(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """Statements nested in ``func`` (not in functions nested inside it), docstring excluded."""
    body = list(func.body)
    if body and _is_docstring(body[0]):
        body = body[1:]
    found: list[ast.stmt] = []
    stack: list[ast.stmt] = list(reversed(body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        children = child_statements(node)
        for handler in getattr(node, "handlers", ()):
            children.extend(handler.body)
        for case in getattr(node, "cases", ()):
            children.extend(case.body)
        stack.extend(reversed(children))
    return found


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _header_end(node: ast.stmt) -> int:
    """Last line of a statement's own text: the header for compound statements."""
    body = getattr(node, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        return max(node.lineno, body[0].lineno - 1)
    return node.end_lineno or node.lineno


def _bound_names(node: ast.stmt) -> tuple[str, ...]:
    """Variable names a statement binds directly (assignment targets, loop variables, ``as``)."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)) or (
        isinstance(node, ast.AnnAssign) and node.value is not None
    ):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    names: list[str] = []
    for target in targets:
        for name in _target_names(target):
            if name not in names:
                names.append(name)
    return tuple(names)


def _target_names(target: ast.expr) -> list[str]:
    """Names bound by an assignment target; ``a[i] = x`` and ``o.x = y`` bind none."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []
