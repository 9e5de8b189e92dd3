"""Is one answer line right? One checker per question kind; none of them runs anything.

Each checker takes the question (with its accepted ``answers``, see
``execverify.tasks.questions``), the model's answer line and the record, and returns
``(correct, why)``. Input prediction is the one kind that needs execution; it lives in
``execverify.rewards.inputs``.

- output: the bare value, or a whole ``assert f(args) == value`` line whose left side is the
  record's call (compared as syntax trees, so spacing and quote style do not matter); the value
  must be a literal, so ``assert f(x) == f(x)`` and any other code scores nothing;
- next_statement and path: the line's source text (whitespace-normalised), its number, ``line
  N``, or ``N | text`` as the prompt lists it (both parts must be right), or ``-1``;
- state: ``value; type`` with the type name exact and the value equal as a literal whose own
  type is the one named (so ``1; bool`` is wrong), or ``Nil``;
- coverage: ``Yes`` / ``No`` in any case.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import lru_cache

from execverify.data.records import Question, Record
from execverify.rewards.values import (
    NOT_LITERAL,
    literal,
    literal_node,
    matches_value,
    nesting_depth,
    quiet_parse,
    same_value,
    squash,
)
from execverify.tasks.answers import END, NIL, parse_state_answer

AnswerCheck = tuple[bool, str]

_NUMBER = re.compile(r"^[+-]?\d{1,9}$")
_LINE_WORD = re.compile(r"^line\s+(-?\d{1,9})\s*[.:]?$", re.IGNORECASE)
_NUMBERED_TEXT = re.compile(r"^(\d{1,9})\s*[|:]\s*(.+)$")
_STRING = re.compile(r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")
_SPACES = re.compile(r"\s+")
_AROUND_PUNCT = re.compile(r" ?([^\w ]) ?")
_CLASS_REPR = re.compile(r"^<(?:class|type) '([\w.]+)'>$")


def check_answer(question: Question, answer: str, record: Record, *, max_chars: int = 4_096,
                 max_depth: int = 64) -> AnswerCheck:
    """Whether ``answer`` is a right answer to ``question`` (never raises)."""
    checker = _CHECKERS.get(question.kind)
    if checker is None:
        return False, f"{question.kind} answers are not checked by reading them"
    if answer in question.answers:  # accepted answers are canonical: no need to read them
        return True, "exact"
    cap = max(max_chars, 4 * _longest(question.answers))
    if len(answer) > cap:
        return False, f"answer longer than {cap} characters"
    try:
        return checker(question, answer, record, cap, max_depth)
    except Exception as exc:  # defensive: a checker bug costs one answer, not the run
        return False, f"checker error: {type(exc).__name__}"


@lru_cache(maxsize=1 << 14)
def _longest(answers: tuple[str, ...]) -> int:
    return max((len(a) for a in answers), default=0)


# -- output --------------------------------------------------------------------------------


def check_output(question: Question, answer: str, record: Record, cap: int,
                 depth: int) -> AnswerCheck:
    text = answer.strip()
    if text.startswith("assert") and not text[6:7].isalnum() and text[6:7] != "_":
        value_text, why = _assert_value(text, record, cap, depth)
        if value_text is None:
            return False, why
        text = value_text
    why = "different value"
    for expected in question.answers:
        ok, why = matches_value(text, expected, max_chars=cap, max_depth=depth)
        if ok:
            return True, why
    return False, why


def _assert_value(text: str, record: Record, cap: int, depth: int) -> tuple[str | None, str]:
    """The value side of ``assert <call> == <value>`` as source text, or None and why not."""
    if nesting_depth(text) > depth:
        return None, "nested too deeply"
    tree = _parse(text, "exec")
    if tree is None:
        return None, "not a valid assert statement"
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None, "not a single assert statement"
    test = tree.body[0].test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return None, "assert is not `call == value`"
    if ast.dump(test.left) != _call_dump(record.entry, record.args):
        return None, "left side is not the asked call"
    if literal_node(test.comparators[0], depth) is NOT_LITERAL:
        return None, "right side is not a literal value"
    return ast.get_source_segment(text, test.comparators[0]) or "", "assert form"


@lru_cache(maxsize=4096)
def _call_dump(entry: str, args: str) -> str:
    tree = _parse(f"{entry}({args})", "eval")
    return ast.dump(tree.body) if tree is not None else "<unparsable call>"


def _parse(text: str, mode: str) -> ast.AST | None:
    return quiet_parse(text, mode)


# -- next statement / path -----------------------------------------------------------------


def check_line(question: Question, answer: str, record: Record, cap: int,
               depth: int) -> AnswerCheck:
    """Any accepted spelling of any accepted line: number, ``-1``, or source text."""
    numbers, texts = _accepted_lines(question.answers)
    text = answer.strip().rstrip(";").strip()
    number = _as_line_number(text)
    if number is not None:
        if number in numbers:
            return True, "line number"
        return False, "wrong line" if number != int(END) else "execution does not end there"
    m = _NUMBERED_TEXT.match(text)
    if m and normalise_code(m.group(2)) in texts:
        if int(m.group(1)) in numbers:
            return True, "numbered line"
        return False, "line number and text disagree"
    if normalise_code(text) in texts:
        return True, "line text"
    return False, "wrong line"


@lru_cache(maxsize=1 << 14)
def _accepted_lines(answers: tuple[str, ...]) -> tuple[frozenset[int], frozenset[str]]:
    numbers = frozenset(int(a) for a in answers if _NUMBER.match(a))
    texts = frozenset(normalise_code(a) for a in answers if not _NUMBER.match(a))
    return numbers, texts


def _as_line_number(text: str) -> int | None:
    if _NUMBER.match(text):
        return int(text)
    m = _LINE_WORD.match(text)
    return int(m.group(1)) if m else None


@lru_cache(maxsize=1 << 14)
def normalise_code(text: str) -> str:
    """Source text with insignificant whitespace removed: runs collapse to one space, and
    spaces next to punctuation or operators go; string literals are left untouched.

    ``out.append( x )`` and ``out.append(x)`` agree; ``return x`` and ``returnx`` do not.
    """
    parts = _STRING.split(text.strip())
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
        else:
            out.append(_AROUND_PUNCT.sub(r"\1", _SPACES.sub(" ", part)))
    return "".join(out).strip()


# -- state ---------------------------------------------------------------------------------


def check_state(question: Question, answer: str, record: Record, cap: int,
                depth: int) -> AnswerCheck:
    text = answer.strip()
    expected = question.answers[0]
    if expected == NIL:
        if text.lower() == NIL.lower():
            return True, "Nil"
        return False, "the line does not run that often (Nil)"
    if text.lower() == NIL.lower():
        return False, "the line does run (not Nil)"
    want = parse_state_answer(expected)
    got = parse_state_answer(text)
    if want is None:
        return False, "record answer is malformed"
    if got is None:
        return False, "not in `value; type` form"
    want_value, want_type = want
    got_value, got_type = got[0], _type_name(got[1])
    if got_type != want_type:
        return False, f"type {got_type!r}, expected {want_type!r}"
    expected_value = literal(want_value, max(cap, len(want_value)), depth)
    if expected_value is NOT_LITERAL:
        ok = squash(got_value) == squash(want_value)
        return ok, "same text" if ok else "different value (compared as text)"
    value = literal(got_value, cap, depth)
    if value is NOT_LITERAL:
        return False, "value is not a Python literal"
    if type(expected_value).__name__ == want_type and type(value).__name__ != want_type:
        return False, f"value is a {type(value).__name__}, not a {want_type}"
    if same_value(value, expected_value):
        return True, "equal value and type"
    return False, "different value"


def _type_name(text: str) -> str:
    text = text.strip().strip("`").strip()
    m = _CLASS_REPR.match(text)
    return m.group(1) if m else text


# -- coverage ------------------------------------------------------------------------------


def check_coverage(question: Question, answer: str, record: Record, cap: int,
                   depth: int) -> AnswerCheck:
    text = answer.strip().rstrip(".!").strip().lower()
    if text not in ("yes", "no"):
        return False, "not Yes or No"
    ok = text == question.answers[0].lower()
    return ok, "right" if ok else "wrong"


_CHECKERS: dict[str, Callable[[Question, str, Record, int, int], AnswerCheck]] = {
    "output": check_output,
    "next_statement": check_line,
    "path": check_line,
    "state": check_state,
    "coverage": check_coverage,
}
