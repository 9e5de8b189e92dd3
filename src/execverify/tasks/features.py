"""Measured features of a program: the difficulty knobs as they actually came out.

Synthesis asks an LLM for "control flow of depth 2" or "a helper call"; what it gets back may
differ, so records store what was measured, not what was asked. Static features come from
``ast``; ``steps`` comes from the trace (how many lines actually ran).
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

from execverify.trace.statements import child_statements, nodes, statement_nodes

_CONTROL = (ast.If, ast.For, ast.While, ast.AsyncFor)
_BUILTIN_NAMES = frozenset(dir(builtins))


def program_features(program: str, entry: str, steps: int | None = None,
                     tree: ast.Module | None = None) -> dict[str, Any]:
    """Features of ``program`` called through ``entry``.

    Keys: ``methods`` (sorted names called as ``x.name(...)``), ``builtins`` (sorted built-in
    functions called by name), ``control_flow_depth`` (deepest nesting of if/for/while inside
    functions; an ``elif`` chain counts as one level, comprehensions do not count),
    ``helper_call`` (the entry function calls another function of the program), ``functions``
    (number of function definitions), ``lines`` (non-blank lines), and ``steps`` (executed line
    events, when a trace supplied it). ``tree``: the program already parsed, to skip a parse.
    """
    tree = ast.parse(program) if tree is None else tree
    # Both walks are kept on the tree and shared (this runs for every synthesised record);
    # definitions are statements, so only the statements need a look for them.
    functions: dict[str, ast.AST] = {
        node.name: node for node in statement_nodes(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    calls = [node for node in nodes(tree) if isinstance(node, ast.Call)]
    methods = sorted({c.func.attr for c in calls if isinstance(c.func, ast.Attribute)})
    called_builtins = sorted(
        {
            c.func.id
            for c in calls
            if isinstance(c.func, ast.Name)
            and c.func.id in _BUILTIN_NAMES
            and c.func.id not in functions
        }
    )
    features: dict[str, Any] = {
        "methods": methods,
        "builtins": called_builtins,
        "control_flow_depth": max((_depth(f.body) for f in functions.values()), default=0),
        "helper_call": _calls_helper(functions, entry, calls),
        "functions": len(functions),
        "lines": sum(1 for line in program.splitlines() if line.strip()),
    }
    if steps is not None:
        features["steps"] = steps
    return features


def _depth(body: list[ast.stmt]) -> int:
    """Deepest control-flow nesting in a statement list (nested functions measured separately)."""
    deepest = 0
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, _CONTROL):
            inner = _depth(node.body)
            orelse = node.orelse
            if isinstance(node, ast.If) and len(orelse) == 1 and isinstance(orelse[0], ast.If):
                else_depth = _depth(orelse) - 1  # elif: same level as its if
            else:
                else_depth = _depth(orelse)
            deepest = max(deepest, 1 + inner, 1 + else_depth)
        else:
            nested = child_statements(node)
            for handler in getattr(node, "handlers", ()):
                nested.extend(handler.body)
            deepest = max(deepest, _depth(nested))
    return deepest


def _calls_helper(functions: dict[str, ast.AST], entry: str, calls: list[ast.Call]) -> bool:
    """Whether the entry function's body calls another function defined in the program.

    ``calls``: every call in the program; when none of them calls another program function,
    the answer is no without walking the entry function.
    """
    entry_node = functions.get(entry)
    if entry_node is None or not any(_calls_other(c, functions, entry) for c in calls):
        return False
    return any(isinstance(n, ast.Call) and _calls_other(n, functions, entry)
               for n in nodes(entry_node))


def _calls_other(call: ast.Call, functions: dict[str, ast.AST], entry: str) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id in functions and call.func.id != entry
