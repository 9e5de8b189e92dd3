"""Comparing answers by value, without ever running them.

Model text is read with ``ast.literal_eval`` only: it builds numbers, strings, bytes, tuples,
lists, dicts, sets, booleans and None, and refuses everything else (calls, names, attribute
access, lambdas, walrus, ``__import__``, comprehensions, operators other than the signs and
complex-number sums). Hostile text cannot make it expensive either: text is capped in length
before it is read, bracket nesting is capped before ``ast`` sees it (deep nesting would exhaust
the parser's recursion), and integers over CPython's 4,300-digit limit are refused by the
parser itself. Every failure is a value, never an exception.

Semantics are Python's ``==`` (what ``assert f(x) == value`` checks): ``1 == 1.0 == True``,
``-0.0 == 0.0``, ``[1, 2] != (1, 2)``, sets and dicts compare by content whatever their order.
State answers additionally compare type names (see ``execverify.rewards.checks``).

NaN, infinities and object reprs are not literals (``nan``, ``inf``, ``<Foo object>``), so an
expected value written that way is compared as text, exactly (after trimming): the answer
``nan`` matches a NaN result, as a reader would expect, although ``nan != nan`` in Python.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from functools import lru_cache
from typing import Any

NOT_LITERAL: Any = object()
"""Returned by ``literal`` for text that is not a Python literal (or is too big to read)."""

_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
_SPACES = re.compile(r"\s+")
# Fast paths for the commonest answers, each giving exactly what ast.literal_eval gives:
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,99})")
_PLAIN_STR = re.compile(r"'[ -&(-\[\]-~]*'|\"[ !#-\[\]-~]*\"")  # printable ASCII, no escapes
_INT_LISTS = re.compile(r"[-0-9, \[\]]+")  # JSON and Python agree where JSON parses these
_NAMED = {"True": True, "False": False, "None": None}


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting in ``text`` (brackets inside strings count too: the cap is
    conservative, never lenient)."""
    depth = best = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
            if depth > best:
                best = depth
        elif ch in _CLOSERS:
            depth -= 1
    return best


@lru_cache(maxsize=1 << 16)
def literal(text: str, max_chars: int = 4_096, max_depth: int = 64) -> Any:
    """The value of ``text`` as a Python literal, or ``NOT_LITERAL``.

    Cached: rollouts of one prompt repeat the same answers, and the expected answers of a record
    are read once per record rather than once per completion. Callers must not mutate results.
    """
    text = text.strip()
    if not text or len(text) > max_chars:
        return NOT_LITERAL
    if text in _NAMED:
        return _NAMED[text]
    if _INT.fullmatch(text):
        return int(text)
    if _PLAIN_STR.fullmatch(text):
        return text[1:-1]
    if _OPENERS.intersection(text) and nesting_depth(text) > max_depth:
        return NOT_LITERAL
    if _INT_LISTS.fullmatch(text):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass  # "[1, 2,]" or "- 1": Python may still read it
    tree = quiet_parse(text, "eval")
    return NOT_LITERAL if tree is None else literal_node(tree.body, max_depth)


ANSWER_FILENAME = "<execverify-answer>"
"""The file name model text is compiled under. The compiler's warnings about model text
("invalid decimal literal", "invalid escape sequence", ...) carry it as their module, so one
filter silences exactly those, without touching anyone else's warnings (and without the cost
and thread-unsafety of ``warnings.catch_warnings`` around every parse)."""

for _category in (SyntaxWarning, DeprecationWarning):
    warnings.filterwarnings("ignore", category=_category, module=re.escape(ANSWER_FILENAME))


def quiet_parse(text: str, mode: str = "eval") -> ast.AST | None:
    """``ast.parse`` of model text: None instead of an exception, and no compiler warnings."""
    try:
        return ast.parse(text, filename=ANSWER_FILENAME, mode=mode)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError, OverflowError):
        return None


def literal_node(node: ast.AST, max_depth: int = 64) -> Any:
    """The value of an already-parsed expression node if it is a literal, else ``NOT_LITERAL``."""
    try:
        return _convert(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError, OverflowError):
        return NOT_LITERAL
    except Exception:
        return NOT_LITERAL


def _convert(node: ast.AST) -> Any:
    """``ast.literal_eval`` of a node, with the common node types dispatched directly (the same
    results, about twice as fast on containers); everything else goes to ``literal_eval``."""
    kind = type(node)
    if kind is ast.Constant:
        return node.value  # type: ignore[attr-defined]
    if kind is ast.List:
        return [_convert(e) for e in node.elts]  # type: ignore[attr-defined]
    if kind is ast.Tuple:
        return tuple([_convert(e) for e in node.elts])  # type: ignore[attr-defined]
    if kind is ast.Set:
        return {_convert(e) for e in node.elts}  # type: ignore[attr-defined]
    if kind is ast.Dict:
        keys, vals = node.keys, node.values  # type: ignore[attr-defined]
        if len(keys) != len(vals) or any(k is None for k in keys):  # ``**spread``
            raise ValueError("malformed node or string")
        return dict(zip([_convert(k) for k in keys], [_convert(v) for v in vals]))
    return ast.literal_eval(node)


def same_value(a: Any, b: Any) -> bool:
    """``a == b`` for two literal values, never raising."""
    try:
        return bool(a == b)
    except Exception:  # RecursionError on absurdly deep values, in theory
        return False


def squash(text: str) -> str:
    """Trim and collapse runs of whitespace: the form non-literal values are compared in."""
    return _SPACES.sub(" ", text.strip())


def matches_value(answer: str, expected: str, *, max_chars: int = 4_096,
                  max_depth: int = 64) -> tuple[bool, str]:
    """Whether ``answer`` denotes the same value as the ``expected`` repr, and why not.

    Both are read as literals; an expected value that is not a literal (``nan``, an object
    repr) is compared as text instead.
    """
    if answer == expected:
        return True, "exact"
    want = literal(expected, max(max_chars, len(expected)), max_depth)
    if want is NOT_LITERAL:
        ok = squash(answer) == squash(expected)
        return ok, "same text" if ok else "differs (compared as text: expected is not a literal)"
    got = literal(answer, max_chars, max_depth)
    if got is NOT_LITERAL:
        return False, "not a Python literal"
    if same_value(got, want):
        return True, "equal value"
    return False, "different value"
