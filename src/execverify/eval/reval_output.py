"""REval's output task: fill the ``??`` holes of a test template, then run it.

REval runs whatever test code the model writes, which rewards restating the call
(``assert f(x) == f(x)``). Here the runnable code is always the *template* with only its holes
replaced, and each hole must hold a literal-like expression (no calls, names, attributes,
subscripts, lambdas or comprehensions): the model supplies values, never code. The model may
answer with the completed template (whitespace may differ) or, for a single hole, with the
value alone.
"""

from __future__ import annotations

import ast
import re

HOLE = "??"
_FORBIDDEN = (ast.Call, ast.Name, ast.Attribute, ast.Subscript, ast.Lambda, ast.ListComp,
              ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr, ast.Await, ast.Yield,
              ast.YieldFrom, ast.Starred)


def fill(template: str, answer: str) -> list[str] | None:
    """The template's lines with every hole filled from ``answer``, or None if the answer
    does not fill every hole with an acceptable value."""
    lines = template.split("\n")
    holes = [i for i, line in enumerate(lines) if HOLE in line]
    answer_lines = [a.strip() for a in answer.strip().split("\n") if a.strip()]
    filled = list(lines)
    start = 0
    for i in holes:
        pattern = _line_pattern(lines[i].strip())
        for j in range(start, len(answer_lines)):
            match = pattern.fullmatch(answer_lines[j])
            if match:
                values = list(match.groups())
                start = j + 1
                break
        else:
            if len(holes) == 1 and lines[i].count(HOLE) == 1 and len(answer_lines) == 1:
                values = [answer_lines[0]]  # the bare value
            else:
                return None
        if not all(is_value(v) for v in values):
            return None
        filled[i] = _substitute(lines[i], values)
    return filled


def is_value(text: str) -> bool:
    """A literal-like expression: parses, and contains no code that could compute the answer."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return not any(isinstance(node, _FORBIDDEN) for node in ast.walk(tree))


def gold_values(template: str, original: str) -> list[str] | None:
    """The values REval removed to make ``template`` from the original test code ``original``
    (statements are compared after ``ast.unparse``, which is how REval wrote its templates)."""
    try:
        statements = [ast.unparse(s) for s in ast.parse(original).body]
    except SyntaxError:
        return None
    values: list[str] = []
    pos = 0
    for line in template.split("\n"):
        if HOLE not in line:
            continue
        pattern = _line_pattern(line.strip())
        for k in range(pos, len(statements)):
            flat = " ".join(statements[k].split("\n"))
            match = pattern.fullmatch(_self_free(flat))
            if match:
                values.extend(match.groups())
                pos = k + 1
                break
        else:
            return None
    return values


def fill_with(template: str, values: list[str]) -> list[str]:
    """The template's lines with its holes, in order, replaced by ``values``."""
    out, it = [], iter(values)
    for line in template.split("\n"):
        count = line.count(HOLE)
        out.append(_substitute(line, [next(it) for _ in range(count)]) if count else line)
    return out


def _substitute(line: str, values: list[str]) -> str:
    parts = line.split(HOLE)
    out = parts[0]
    for value, rest in zip(values, parts[1:]):
        out += f"({value.strip()})" + rest
    return out


def _line_pattern(line: str) -> re.Pattern[str]:
    """A regex for a template line: holes capture, whitespace is flexible."""
    pieces = []
    for k, chunk in enumerate(line.split(HOLE)):
        if k:
            pieces.append(r"\s*(.+?)\s*")
        pieces.append(r"\s*".join(re.escape(tok) for tok in re.split(r"\s+", chunk)))
    return re.compile("".join(pieces))


def _self_free(text: str) -> str:
    return re.sub(r"(?<![\w.])self\.(assert[A-Z]\w*)\(", r"\1(", text)
