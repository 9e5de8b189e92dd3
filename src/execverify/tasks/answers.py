"""Answer strings: the exact forms a question's accepted answers take.

Rewards compare a model's answer line with these strings (after their own normalisation), so the
forms are defined once, here: ``value; type`` for states, ``Nil`` for a line that did not run that
often, ``-1`` for "execution ends here / never gets here", ``Yes``/``No`` for coverage.

Sets are the one value whose repr is not a function of the program: the order of a set of
strings changes with ``PYTHONHASHSEED``. ``canonical_repr`` rewrites every set inside a literal
in sorted order, so the same program gives the same stored answer (and record bytes) on every run
and machine. Only the canonical form is stored: the printed order is an accident of hashing, and
a reward must compare set answers by value (``ast.literal_eval``) anyway, never by string.
"""

from __future__ import annotations

import ast
from typing import Any

NIL = "Nil"
"""State answer when the line does not run the asked number of times."""

END = "-1"
"""Next-statement / path answer when execution ends there or the line never runs that often."""

YES = "Yes"
NO = "No"

STATE_SEPARATOR = "; "
"""Between value and type in a state answer: ``[1, 2]; list``."""


def canonical_repr(text: str) -> str:
    """The repr ``text`` with every set in sorted order; other reprs come back unchanged.

    Only literals that ``ast.literal_eval`` reads and that contain a set are rewritten, so
    strings, floats and dict insertion order stay exactly as Python printed them.
    """
    if text.isascii() and "{" not in text and "set" not in text:
        # No set display and no ``set()``: nothing to rewrite. Most reprs end here, which
        # spares a parse (and the reference cycles ``literal_eval`` leaves behind) per answer.
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    if not _contains_set(value):
        return text
    return _render(value)


def state_answer(value_repr: str, type_name: str) -> str:
    """``value; type``, the state-question answer form."""
    return f"{value_repr}{STATE_SEPARATOR}{type_name}"


def parse_state_answer(text: str) -> tuple[str, str] | None:
    """Split a ``value; type`` answer at its last separator; None if there is none.

    The last ``;`` is the separator because a value repr may itself hold one (``'a;b'; str``)
    while a type name never does.
    """
    value, sep, type_name = text.rpartition(";")
    if not sep:
        return None
    return value.strip(), type_name.strip()


def is_stable_repr(text: str) -> bool:
    """False for reprs that differ between runs (``<object at 0x7f...>``), which no one can predict.

    Such values make unfair questions, so selection skips them.
    """
    return " at 0x" not in text


def _contains_set(value: Any) -> bool:
    if isinstance(value, (set, frozenset)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_set(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_set(k) or _contains_set(v) for k, v in value.items())
    return False


def _render(value: Any) -> str:
    """repr, but with sets sorted; mirrors Python's own container reprs otherwise."""
    if isinstance(value, set):
        if not value:
            return "set()"
        return "{" + ", ".join(_render(v) for v in _sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, tuple):
        if len(value) == 1:
            return "(" + _render(value[0]) + ",)"
        return "(" + ", ".join(_render(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_render(k)}: {_render(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _sorted(items: set[Any]) -> list[Any]:
    """Natural order where the elements compare (numbers, strings), else by type then repr."""
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda v: (type(v).__name__, _render(v)))
