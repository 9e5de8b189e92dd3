"""Measure, from the source alone, whether a program meets its constraints.

The generator reports the knobs it built for; these functions check them independently with
``ast`` (the tests use them on every level, and they apply as well to LLM-written programs):

- :func:`seed_nesting`: the longest chain of seed calls feeding each other, either nested in
  the syntax (``s.zfill(len(s.zfill(4)))``) or through variables (``a = s.zfill(4)`` then
  ``a.zfill(9)``), and for mutating seeds through their receiver (``xs.append(1)`` then
  ``xs.append(len(xs))``: the second call sees the first's effect). Flow within a function is
  followed in source order;
- :func:`control_depth` (an ``elif`` chain is one level), :func:`control_kinds`;
- :func:`called_names`, :func:`comment_count`, :func:`has_defaults`, :func:`unused_params`,
  :func:`calls_between` (who calls whom, for the helper -> entry chain).
"""

from __future__ import annotations

import ast
import io
import tokenize
from functools import cache

from execverify.synth.catalogue import Op, catalogue, node_key

_CONTROL = (ast.If, ast.For, ast.While)


@cache
def _seed_info(seed: str) -> tuple[frozenset[tuple[str, str]], bool]:
    ops: tuple[Op, ...] = catalogue().variants(seed)
    return frozenset(op.key for op in ops), any(op.mut is not None for op in ops)


class _Nesting:
    """Flow-following depth of seed calls, per function."""

    def __init__(self, seed: str) -> None:
        self.keys, self.mutating = _seed_info(seed)
        self.best = 0
        self.env: dict[str, int] = {}

    def expr(self, node: ast.AST | None) -> int:
        if node is None:
            return 0
        if isinstance(node, ast.Name):
            return self.env.get(node.id, 0)
        depth = max((self.expr(c) for c in ast.iter_child_nodes(node)), default=0)
        if node_key(node) in self.keys:
            depth += 1
            receiver = _receiver(node)
            if self.mutating and receiver is not None:
                self.env[receiver] = max(self.env.get(receiver, 0), depth)
        self.best = max(self.best, depth)
        return depth

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            depth = self.expr(node.value)
            for target in node.targets:
                self.assign(target, depth)
        elif isinstance(node, ast.AugAssign):
            self.assign(node.target, max(self.expr(node.value), self.expr(node.target)))
        elif isinstance(node, ast.Expr):
            depth = self.expr(node.value)
            receiver = _receiver(node.value)
            if receiver is not None:  # a method call statement may change its receiver
                self.env[receiver] = max(self.env.get(receiver, 0), depth)
        elif isinstance(node, ast.Return):
            self.expr(node.value)
        elif isinstance(node, ast.For):
            self.assign(node.target, self.expr(node.iter))
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, (ast.While, ast.If)):
            self.expr(node.test)
            self.block(node.body)
            self.block(node.orelse)

    def assign(self, target: ast.AST, depth: int) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = depth
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.assign(elt, depth)
        elif isinstance(target, ast.Subscript):
            inner = max(depth, self.expr(target.slice), self.expr(target.value))
            if ("setitem", "") in self.keys:
                inner += 1
                self.best = max(self.best, inner)
            if isinstance(target.value, ast.Name):
                self.env[target.value.id] = max(self.env.get(target.value.id, 0), inner)


def _receiver(node: ast.AST) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    ):
        return node.func.value.id
    return None


def _functions(tree: ast.AST) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def seed_nesting(source: str, seed: str) -> int:
    """The longest chain of calls of ``seed`` feeding each other, in any one function."""
    best = 0
    for fn in _functions(ast.parse(source)):
        walker = _Nesting(seed)
        walker.block(fn.body)
        best = max(best, walker.best)
    return best


def seed_calls(source: str, seed: str) -> int:
    """How many calls (or uses of the operator) of ``seed`` the program contains."""
    keys, _ = _seed_info(seed)
    tree = ast.parse(source)
    count = sum(1 for n in ast.walk(tree) if node_key(n) in keys)
    if ("setitem", "") in keys:
        count += sum(
            1
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Subscript) for t in n.targets)
        )
    return count


def _depth(body: list[ast.stmt]) -> int:
    deepest = 0
    for node in body:
        if isinstance(node, _CONTROL):
            orelse = node.orelse
            if isinstance(node, ast.If) and len(orelse) == 1 and isinstance(orelse[0], ast.If):
                else_depth = _depth(orelse) - 1  # elif: the same level as its if
            else:
                else_depth = _depth(orelse)
            deepest = max(deepest, 1 + _depth(node.body), 1 + else_depth)
    return deepest


def control_depth(source: str) -> int:
    """Deepest nesting of if/for/while in any function (an elif chain counts once)."""
    return max((_depth(fn.body) for fn in _functions(ast.parse(source))), default=0)


def control_kinds(source: str) -> set[str]:
    """Which constructs occur: "if", "if_elif", "for", "while"."""
    kinds = set()
    elifs: set[int] = set()  # the If nodes that are the `elif` of another
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.For):
            kinds.add("for")
        elif isinstance(node, ast.While):
            kinds.add("while")
        elif isinstance(node, ast.If) and id(node) not in elifs:
            elif_ = len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)
            kinds.add("if_elif" if elif_ else "if")
            chain = node
            while len(chain.orelse) == 1 and isinstance(chain.orelse[0], ast.If):
                chain = chain.orelse[0]
                elifs.add(id(chain))
    return kinds


def other_control(source: str) -> list[str]:
    """Constructs that add control flow outside if/for/while: these must not appear."""
    bad = (
        ast.IfExp,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
        ast.Try,
        ast.With,
        ast.Lambda,
        ast.Match,
    )
    return sorted({type(n).__name__ for n in ast.walk(ast.parse(source)) if isinstance(n, bad)})


def called_names(source: str) -> set[str]:
    """Names of called methods (``x.name(...)``) and functions (``name(...)``)."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                out.add(node.func.attr)
            elif isinstance(node.func, ast.Name):
                out.add(node.func.id)
    return out


def seed_call_names(seed: str) -> set[str]:
    """The method/function names under which ``seed`` appears as a call (empty for operators)."""
    keys, _ = _seed_info(seed)
    return {name for kind, name in keys if kind in ("attr", "call")}


def comment_count(source: str) -> int:
    toks = tokenize.generate_tokens(io.StringIO(source).readline)
    return sum(1 for t in toks if t.type == tokenize.COMMENT)


def has_defaults(source: str) -> bool:
    return any(
        fn.args.defaults or any(d is not None for d in fn.args.kw_defaults)
        for fn in _functions(ast.parse(source))
    )


def unused_params(source: str) -> list[str]:
    """Parameters never read in their function's body."""
    out = []
    for fn in _functions(ast.parse(source)):
        read = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
        out.extend(a.arg for a in fn.args.args if a.arg not in read)
    return out


def calls_between(source: str) -> dict[str, set[str]]:
    """For each function, the program's functions it calls."""
    fns = _functions(ast.parse(source))
    names = {fn.name for fn in fns}
    return {
        fn.name: {
            n.func.id
            for n in ast.walk(fn)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
        }
        for fn in fns
    }
