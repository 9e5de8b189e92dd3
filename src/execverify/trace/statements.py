"""Static facts about a program's statement lines, computed once per traced call.

Standard library only (used by the recorder inside the sandbox child).

Two facts (``StatementFacts`` holds both, as the recorder uses them):

- ``statement_lines``: which statement each physical line belongs to. A step is a statement, so
  a multi-line statement is one step on its first line, whatever line table the compiler made.
- ``line_effects``: for each statement line, whether running it can change only the names it
  binds (a *plain* line), and which names those are. The recorder skips reading the frame's
  locals after plain lines and reads them once, later, before anything could change those names
  again; that is what keeps long loops cheap to trace. A line is plain when it binds plain
  names and its expressions use only names, constants, operators, displays, attribute reads,
  f-strings, lambdas, comprehensions, and calls of builtins and methods that change nothing
  (``PURE_FUNCTIONS``, ``PURE_METHODS``): no subscripts (``defaultdict`` inserts on read), no
  ``yield``/``await``/walrus. Calls that land in program code (a program function shadowing
  ``len``, an ``__add__`` or a property defined by the program) are seen by the recorder at run
  time, which then reads everything again. The one assumption: code outside the program that
  such a line reaches (a stdlib class's ``get``) does not mutate locals' values visibly.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LineEffect:
    """What running one statement line can change."""

    plain: bool
    writes: frozenset[str] = frozenset()
    augmented: tuple[str, ...] = ()
    """Names updated with ``+=`` and friends: in place (so visible through aliases) when the
    value is mutable, hence plain only while the name holds an immutable value."""


NOT_PLAIN = LineEffect(plain=False)

# Builtins that change none of their arguments (what they call back into is program code, which
# the recorder sees at run time; a program that rebinds these names to a program function is
# seen the same way).
PURE_FUNCTIONS = frozenset({
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "chr", "complex", "dict", "divmod",
    "enumerate", "filter", "float", "format", "frozenset", "hash", "hex", "int", "isinstance",
    "issubclass", "iter", "len", "list", "map", "max", "min", "next", "oct", "ord", "pow",
    "print", "range", "repr", "reversed", "round", "set", "sorted", "str", "sum", "tuple",
    "type", "zip",
})
# Methods of str, bytes, list, tuple, dict, set, int and float that change nothing.
PURE_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "encode", "decode", "endswith", "expandtabs",
    "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal",
    "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle",
    "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix",
    "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip",
    "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper",
    "zfill", "copy", "get", "keys", "values", "items", "fromkeys", "union", "intersection",
    "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint",
    "bit_length", "bit_count", "is_integer", "as_integer_ratio", "conjugate", "hex",
})
# Methods that change their object: not plain even when only read (``map(out.append, xs)``).
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
    "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
    "symmetric_difference_update", "appendleft", "popleft", "extendleft", "rotate",
    "__setitem__", "__delitem__", "__iadd__", "send", "throw", "close",
})

_PLAIN_EXPR = (
    ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
    ast.Tuple, ast.List, ast.Set, ast.Dict, ast.JoinedStr, ast.FormattedValue, ast.Attribute,
    ast.Starred, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.expr_context,
)
# The ast module's own classes among those, except the two that need a check of their own
# (Attribute, comprehension): for these ``_plain_expr`` only has to look below. Looking a
# node's exact class up here is what it does for most nodes, instead of walking the tuple.
_PLAIN_UNCHECKED = frozenset(
    cls for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, _PLAIN_EXPR)
    and not issubclass(cls, (ast.Attribute, ast.comprehension))
)


def parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree in ``ast.walk`` order, walked once and kept on the tree: the
    analyses that read one tree share it (synthesis's static check, a record's features and
    line facts). On short programs walking the tree is most of what they cost."""
    below = getattr(tree, "_execverify_below", None)
    if below is None:
        # Only the nodes below it are kept on the tree: a list holding the tree itself would
        # make a reference cycle, and every tree would wait for the cyclic collector.
        below = tree._execverify_below = _breadth_first(tree)[1:]  # type: ignore[attr-defined]
    return [tree, *below]


def _breadth_first(tree: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(tree))``: breadth first, children in field order."""
    found = [tree]
    append, extend = found.append, found.extend
    for node in found:  # appending while iterating: the list is the queue
        for name in node._fields:  # child_nodes(node), inlined: a fifth faster on this path
            value = getattr(node, name, None)
            if isinstance(value, list):
                extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                append(value)
    return found


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))`` in about 60% of the time (no nested generators)."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            found.extend([item for item in value if isinstance(item, ast.AST)])
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def child_statements(node: ast.AST) -> list[ast.stmt]:
    """The statements directly below ``node`` (its body, ``else`` and ``finally`` blocks, in
    field order): ``child_nodes`` filtered to statements, without visiting the expressions,
    since statements sit only in lists of statements."""
    found: list[ast.stmt] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            found.extend(value)
    return found


_BLOCK_ITEMS = (ast.stmt, ast.excepthandler, ast.match_case)


def statement_nodes(tree: ast.AST) -> list[ast.AST]:
    """The statements, ``except`` clauses and ``case`` blocks below the tree, in the order
    ``ast.walk`` reaches them, kept on the tree like ``nodes``.

    They sit only in lists of their own kind (bodies, handlers, cases), so only those lists are
    followed and the expressions, most of the nodes, are never visited; breadth first through
    the same fields, the order is ``ast.walk``'s.
    """
    found = getattr(tree, "_execverify_statements", None)
    if found is None:
        queue = [tree]
        for node in queue:
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list) and value and isinstance(value[0], _BLOCK_ITEMS):
                    queue.extend(value)
        found = tree._execverify_statements = queue[1:]  # type: ignore[attr-defined]
    return found


def statement_lines(tree: ast.Module | None) -> dict[int, int]:
    """Map each physical line to the first line of the innermost statement containing it.

    Lines of a multi-line statement (and of a compound statement's header) all map to its first
    line; body statements map to themselves. ``except`` clauses and ``case`` blocks count as
    statements: they are where control lands when a handler or case is tried. No tree (the
    source did not parse) gives an empty map, which the recorder reads as the identity.
    """
    if tree is None:
        return {}
    spans: list[tuple[int, int, int]] = []
    for node in statement_nodes(tree):
        if isinstance(node, (ast.stmt, ast.excepthandler)):
            start, end = node.lineno, node.end_lineno or node.lineno
        elif isinstance(node, ast.match_case):  # has no position of its own
            start, end = node.pattern.lineno, node.body[-1].end_lineno or node.pattern.lineno
        else:
            continue
        spans.append((end - start, start, end))
    mapping: dict[int, int] = {}
    for _, start, end in sorted(spans, reverse=True):  # outer (longer) spans first
        for line in range(start, end + 1):
            mapping[line] = start
    return mapping


def line_effects(tree: ast.Module | None) -> dict[int, LineEffect]:
    """The effect of each statement line (keyed by its first line); absent lines are not plain.

    Statements starting on the same line (``a = 1; b = 2``, ``for x in y: s += x``) combine.
    """
    if tree is None:
        return {}
    effects: dict[int, LineEffect] = {}
    handlers: list[ast.ExceptHandler] = []
    for node in statement_nodes(tree):
        if not isinstance(node, (ast.stmt, ast.excepthandler)):
            continue
        if isinstance(node, ast.ExceptHandler) and node.name:
            handlers.append(node)
        effect = _statement_effect(node)
        seen = effects.get(node.lineno)
        if seen is not None:
            effect = _combine(seen, effect)
        effects[node.lineno] = effect
    for node in handlers:  # ``except E as name`` unbinds name when its body ends
        if node.name:
            for inner in node.body:
                for stmt in ast.walk(inner):
                    effect = effects.get(getattr(stmt, "lineno", -1))
                    if isinstance(stmt, ast.stmt) and effect is not None and effect.plain:
                        effects[stmt.lineno] = LineEffect(
                            True, effect.writes | {node.name}, effect.augmented)
    return effects


def _combine(a: LineEffect, b: LineEffect) -> LineEffect:
    if not (a.plain and b.plain):
        return NOT_PLAIN
    return LineEffect(True, a.writes | b.writes, a.augmented + b.augmented)


def _statement_effect(node: ast.AST) -> LineEffect:
    if isinstance(node, (ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)):
        return LineEffect(True)
    if isinstance(node, (ast.If, ast.While)):
        return _with_exprs([node.test], [])
    if isinstance(node, ast.Expr):
        return _with_exprs([node.value], [])
    if isinstance(node, ast.For):
        return _with_exprs([node.iter], [node.target])
    if isinstance(node, ast.Assign):
        return _with_exprs([node.value], node.targets)
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return _with_exprs([node.value], [node.target])
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        effect = _with_exprs([node.value], [node.target])
        if effect.plain:
            return LineEffect(True, effect.writes, (node.target.id,))
    return NOT_PLAIN


def _with_exprs(exprs: list[ast.expr], targets: list[ast.expr]) -> LineEffect:
    writes: set[str] = set()
    for target in targets:
        if not _bind_names(target, writes):
            return NOT_PLAIN
    for expr in exprs:
        if not _plain_expr(expr, writes):
            return NOT_PLAIN
    return LineEffect(True, frozenset(writes))


def _bind_names(target: ast.expr, out: set[str]) -> bool:
    """Collect the names a plain assignment target binds; False for subscripts, attributes."""
    if isinstance(target, ast.Name):
        out.add(target.id)
        return True
    if isinstance(target, ast.Starred):
        return _bind_names(target.value, out)
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_bind_names(elt, out) for elt in target.elts)
    return False


def _plain_expr(expr: ast.expr, writes: set[str]) -> bool:
    """True when evaluating ``expr`` cannot change any local binding or mutate any object by
    itself. Comprehension targets are added to ``writes``: Python 3.12+ keeps them in the
    frame's locals while the comprehension runs."""
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        cls = type(node)
        if cls is ast.Name or cls is ast.Constant:  # nothing below (a name's context) to check
            continue
        if cls in _PLAIN_UNCHECKED:
            stack.extend(child_nodes(node))
            continue
        if isinstance(node, ast.Lambda):  # the body runs later, in its own frame
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Call):
            if not _pure_callee(node.func):
                return False
            stack.extend(node.args)
            stack.extend(k.value for k in node.keywords)
            if isinstance(node.func, ast.Attribute):
                stack.append(node.func.value)
            continue
        if not isinstance(node, _PLAIN_EXPR):
            return False
        if isinstance(node, ast.Attribute) and node.attr in MUTATING_METHODS:
            return False
        if isinstance(node, ast.comprehension) and not _bind_names(node.target, writes):
            return False
        stack.extend(child_nodes(node))
    return True


def _pure_callee(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in PURE_FUNCTIONS
    return isinstance(func, ast.Attribute) and func.attr in PURE_METHODS


def one_line_loops(tree: ast.Module | None) -> frozenset[int]:
    """Lines of loops whose body starts on the header line (``while x: x -= 1``).

    Such a loop may run without ever starting a new line, so ``sys.settrace`` on 3.11 would
    report no event at all while it spins; the recorder counts its opcodes there instead.
    """
    if tree is None:
        return frozenset()
    return frozenset(node.lineno for node in statement_nodes(tree)
                     if isinstance(node, (ast.For, ast.While, ast.AsyncFor))
                     and node.body and node.body[0].lineno == node.lineno)


@dataclass(frozen=True)
class StatementFacts:
    """What the recorder needs to know about a program's statements.

    ``lines``: ``statement_lines`` without the lines that map to themselves (the recorder reads
    an absent line as itself); ``loops``: ``one_line_loops``; ``plain``: for each plain line,
    the names it binds (sorted, so that the recorder reads them in the same order in every
    process) and those it updates in place (``line_effects``; other lines are absent).

    ``to_wire``/``from_wire`` give the same as JSON-ready lists, so that a caller that has
    parsed a program already (synthesis does, for its own checks) can send them along with it:
    the recorder then compiles the text and never parses it, which saves about a fifth of
    what recording a short program costs.
    """

    lines: dict[int, int]
    loops: frozenset[int]
    plain: dict[int, tuple[tuple[str, ...], tuple[str, ...]]]

    @classmethod
    def of(cls, tree: ast.Module | None) -> StatementFacts:
        """The facts of a parsed program (``None``, a program that does not parse: none)."""
        lines = {line: start for line, start in statement_lines(tree).items() if line != start}
        plain = {line: (tuple(sorted(effect.writes)), effect.augmented)
                 for line, effect in line_effects(tree).items() if effect.plain}
        return cls(lines, one_line_loops(tree), plain)

    def to_wire(self) -> list[Any]:
        return [
            [[line, start] for line, start in self.lines.items()],
            sorted(self.loops),
            [[line, list(writes), list(augmented)]
             for line, (writes, augmented) in self.plain.items()],
        ]

    @classmethod
    def from_wire(cls, data: list[Any]) -> StatementFacts:
        lines, loops, plain = data
        return cls({line: start for line, start in lines}, frozenset(loops),
                   {line: (tuple(writes), tuple(augmented)) for line, writes, augmented in plain})
