"""REval ground truth from our tracer, with REval's task semantics.

For line ``L`` (1-based) of the benchmark code, in one traced run:

- coverage: ``L`` ran at least once;
- path: the set of lines that ran right after some run of ``L`` (``-1`` where the run was the
  last step, or ``{-1}`` when ``L`` never ran); any member is a right answer;
- state of an expression ``v`` (a name, ``a[i]``, ``obj.attr``, a tuple of those): every value
  it had right after some run of ``L``; a right answer names the type of one of them and equals
  one of them (floats within 1e-6). Like REval's ``VarInterpreter``, subscripts and tuples
  combine the values of their parts over all runs (a product, not a zip), and ``Nil`` is the
  answer when ``L`` never ran or ``v`` never had a value there.

"Right after a run" is our tracer's state after that step in the same frame (REval reads the
next trace event, which may already be inside a called function; ours is the frame's own view).
"""

from __future__ import annotations

import ast
import itertools
import math
from dataclasses import dataclass
from typing import Any

from execverify.eval.reval_programs import ATTRS_MARK
from execverify.tasks.answers import NIL
from execverify.trace.model import Trace


@dataclass(frozen=True)
class RevalValue:
    """A recorded value: its repr, type name, and the object when the repr is a literal."""

    text: str
    type_name: str
    obj: Any = None
    parsed: bool = False

    @classmethod
    def of(cls, text: str, type_name: str) -> RevalValue:
        if text.startswith(ATTRS_MARK):
            attrs = _literal(text[len(ATTRS_MARK):])
            return cls(text, type_name, _Attrs(attrs[1] if attrs[0] else {}), True)
        ok, obj = _literal(text)
        return cls(text, type_name, obj, ok)


@dataclass(frozen=True)
class _Attrs:
    """An instance seen through its attribute dict (see ``reval_programs``)."""

    attrs: dict[str, Any]


class RunTruth:
    """Ground truth for one traced run, restricted to lines ``1..region_end``."""

    def __init__(self, trace: Trace, region_end: int) -> None:
        self.trace = trace
        self.ok = trace.ok
        self.path = [s.line for s in trace.steps if s.line <= region_end]
        self.output = trace.output

    def covered(self, line: int) -> bool:
        return line in self.path

    def next_lines(self, line: int) -> set[int]:
        if not self.covered(line):
            return {-1}
        return {self.path[i + 1] if i + 1 < len(self.path) else -1
                for i, seen in enumerate(self.path) if seen == line}

    def state(self, line: int, expression: str) -> list[RevalValue] | str:
        """The values of ``expression`` right after the runs of ``line``, or ``NIL``."""
        if not self.covered(line):
            return NIL
        try:
            node = ast.parse(expression, mode="eval").body
            values = self._values(line, node)
        except (SyntaxError, ValueError):
            return NIL
        return values if values else NIL

    def _values(self, line: int, node: ast.expr) -> list[RevalValue]:
        if isinstance(node, ast.Constant):
            return [RevalValue(repr(node.value), type(node.value).__name__, node.value, True)]
        if isinstance(node, ast.Name):
            found = (self.trace.state_after(line, hit, node.id)
                     for hit in range(1, self.trace.hits(line) + 1))
            return [RevalValue.of(text, type_name) for text, type_name in filter(None, found)]
        if isinstance(node, ast.Attribute):
            return [_python_value(v.obj.attrs[node.attr]) for v in self._values(line, node.value)
                    if isinstance(v.obj, _Attrs) and node.attr in v.obj.attrs]
        if isinstance(node, ast.Subscript):
            return _subscripts(self._values(line, node.value), self._values(line, node.slice))
        if isinstance(node, ast.Tuple):
            parts = [self._values(line, e) for e in node.elts]
            if not all(parts):
                return []
            return [_python_value(tuple(v.obj for v in combo)) for combo in itertools.product(*parts)
                    if all(v.parsed for v in combo)]
        raise ValueError(f"unsupported expression {ast.unparse(node)!r}")


def _subscripts(containers: list[RevalValue], keys: list[RevalValue]) -> list[RevalValue]:
    out = []
    for c, k in itertools.product(containers, keys):
        if not (c.parsed and k.parsed):
            continue
        try:
            out.append(_python_value(c.obj[k.obj]))
        except (TypeError, KeyError, IndexError):
            continue
    return out


def _python_value(obj: Any) -> RevalValue:
    if isinstance(obj, _Attrs):
        return RevalValue(ATTRS_MARK + repr(obj.attrs), "object", obj, True)
    return RevalValue(repr(obj), type(obj).__name__, obj, True)


def _literal(text: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


# -- judging a state answer --------------------------------------------------------------------

_TYPE_ALIASES = {"string": "str", "integer": "int", "boolean": "bool", "none": "nonetype"}


def parse_reval_state_answer(text: str) -> tuple[Any, str, bool] | str | None:
    """REval's answer normalisation, with ``ast.literal_eval`` instead of ``eval``.

    Returns ``NIL``, ``(value, type name, parsed)`` (``parsed`` False when the value is not a
    literal; it is then compared by its text), or None for an answer with no ``value; type``.
    """
    text = text.replace("\u2018", "'").replace("\u2019", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').strip()
    if text.capitalize() == NIL or text == "[Nil]":
        return NIL
    value, sep, type_name = text.rpartition(";")
    if not sep:
        return None
    value, type_name = value.strip(), type_name.strip().lower()
    if value.capitalize() == NIL:
        return NIL
    if type_name.startswith("<class '") and type_name.endswith("'>"):
        type_name = type_name[8:-2]
    if "[" in type_name:
        type_name = type_name.split("[", 1)[0]
    type_name = _TYPE_ALIASES.get(type_name, type_name)
    if "," in type_name or "tuple" in type_name:
        type_name = "tuple"
    if value == "None" or type_name == "nonetype":
        return None, "nonetype", True
    ok, obj = _literal(value)
    if type_name == "str" and not ok:
        return value, "str", True
    return (obj if ok else value), type_name, ok


def state_matches(answer: tuple[Any, str, bool] | str | None,
                  actual: list[RevalValue] | str) -> bool:
    """REval's ``State._eq``: Nil matches Nil; else the answer's type must be the type of some
    actual value, the answer's value must be of its stated type, and equal some actual value."""
    if answer is None:
        return False
    if answer == NIL or actual == NIL:
        return answer == actual
    assert isinstance(answer, tuple) and isinstance(actual, list)
    obj, type_name, parsed = answer
    if all(type_name != v.type_name.lower() for v in actual):
        return False
    if not parsed:  # a non-literal value: compare the text with the recorded reprs
        return any(obj == v.text for v in actual if v.type_name.lower() == type_name)
    if type(obj).__name__.lower() != type_name:
        return False
    if type_name == "float":
        return any(isinstance(v.obj, (int, float)) and math.isclose(obj, v.obj, rel_tol=0,
                                                                    abs_tol=1e-6)
                   for v in actual if v.parsed)
    return any(v.parsed and _equal(obj, v.obj) for v in actual)


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
