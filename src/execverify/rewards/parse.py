"""Completion parsing: from a model's text to its answer lines, or a status saying why not.

The expected form is ``<reasoning>...</reasoning><answer>...</answer>`` with one answer per line.
What models really write is tolerated where the intent is unambiguous:

- a missing reasoning block (``<answer>`` alone), or ``<think>`` in place of ``<reasoning>``;
- code fences around the answers, stray whitespace and blank lines, backticks around a line;
- ``Answer:`` / ``Final answer:`` prefixes, and numbering (``1.``, ``2)``) when every line is
  numbered 1..n in order;
- an unclosed ``<answer>`` at the very end (a generation that stopped before the closing tag);
- after a closed reasoning block, answers without ``<answer>`` tags;
- no tags at all when the whole completion is a single line (single-question prompts);
- chat special tokens (``<|im_end|>``) left in the text.

Rejected, each with its own status: non-text, over-long completions, an unclosed reasoning
block with no answer, several answer blocks that disagree, an empty answer block, more answer
lines than any prompt asks. Text inside ``<reasoning>`` never counts as an answer, even when it
holds ``<answer>`` tags. Nothing here raises, whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

OK = "ok"
NOT_TEXT = "not_text"
TOO_LONG = "too_long"
NO_ANSWER = "no_answer"
UNCLOSED_REASONING = "unclosed_reasoning"
MULTIPLE_ANSWERS = "multiple_answers"
EMPTY_ANSWER = "empty_answer"
TOO_MANY_LINES = "too_many_lines"

_TAG = re.compile(r"<\s*(/?)\s*(reasoning|think|answer)\s*>", re.IGNORECASE)
_TAG_NAMES = frozenset({"reasoning", "think", "answer"})
_SPECIAL = re.compile(r"<\|[^|<>\n]{1,40}\|>|</s>|<s>|<eos>|<pad>")
_PREFIX = re.compile(r"^(?:final\s+)?answers?(?:\s*\d+)?\s*[:：]\s*", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})\s*[.)]\s+(.*)$")
_FENCES = ("```", "~~~")
_PREFIX_STARTS = frozenset("aAfF")


@dataclass(frozen=True)
class Parsed:
    """The answer lines of a completion, or why there are none (``status != "ok"``)."""

    status: str
    answers: tuple[str, ...] = ()
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


def completion_text(completion: Any) -> str | None:
    """The text of a completion as trainers hand it over: a string, or chat messages.

    TRL passes conversational completions as ``[{"role": "assistant", "content": ...}]``; the
    assistant contents are joined. Anything else is not text (None).
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        content = completion.get("content")
        return content if isinstance(content, str) else None
    if isinstance(completion, Sequence) and not isinstance(completion, (bytes, bytearray)):
        parts = []
        for message in completion:
            if not isinstance(message, dict):
                return None
            content = message.get("content")
            if message.get("role", "assistant") == "assistant" and isinstance(content, str):
                parts.append(content)
        return "\n".join(parts) if parts else None
    return None


def parse_completion(completion: Any, *, max_chars: int = 100_000,
                     max_lines: int = 256) -> Parsed:
    """Split ``completion`` into answer lines (see the module docstring for what is tolerated)."""
    try:
        return _parse(completion, max_chars, max_lines)
    except Exception as exc:  # a bug here must cost one sample, not a training run
        return Parsed(NO_ANSWER, detail=f"parser error: {type(exc).__name__}")


def split_blocks(text: str) -> tuple[list[str], str | None, str, bool]:
    """Scan the tags once: (closed answer blocks outside reasoning, an unclosed trailing answer
    block or None, the text after the last closed reasoning block, whether a reasoning block
    was left open).

    Tags are matched case-insensitively with inner spaces allowed (``< /answer >``).
    """
    blocks: list[str] = []
    state = "out"
    start = 0
    after_reasoning = ""
    reasoning_closed_at: int | None = None
    for tag in _TAG.finditer(text):
        slash, name = tag.group(1, 2)
        closing = slash == "/"
        if name not in _TAG_NAMES:
            name = name.lower()
        is_reasoning = name != "answer"
        if state == "reasoning":
            if closing and is_reasoning:
                state, reasoning_closed_at = "out", tag.end()
        elif state == "answer":
            if closing and name == "answer":
                blocks.append(text[start:tag.start()])
                state = "out"
        elif is_reasoning and not closing:
            state = "reasoning"
        elif is_reasoning:  # a close with no open: the prompt opened it; what came before is
            blocks.clear()  # reasoning, answers included
            reasoning_closed_at = tag.end()
        elif name == "answer" and not closing:
            state, start = "answer", tag.end()
    if reasoning_closed_at is not None:
        after_reasoning = text[reasoning_closed_at:]
    unclosed = text[start:] if state == "answer" else None
    return blocks, unclosed, after_reasoning, state == "reasoning"


def answer_lines(block: str) -> list[str]:
    """The answers in an answer block: one per non-empty line, wrappers removed."""
    lines = []
    for raw in block.splitlines():
        line = raw.strip()
        if not line or line.startswith(_FENCES):
            continue
        if "<" in line:
            line = _SPECIAL.sub("", line).strip()
            if not line:
                continue
        lines.append(line)
    if lines and lines[0][0].isdigit():
        lines = _strip_numbering(lines)
    return [_clean_line(line) for line in lines]


def _parse(completion: Any, max_chars: int, max_lines: int) -> Parsed:
    text = completion_text(completion)
    if text is None:
        return Parsed(NOT_TEXT, detail=f"completion is {type(completion).__name__}, not text")
    if len(text) > max_chars:
        return Parsed(TOO_LONG, detail=f"{len(text)} characters > {max_chars}")
    blocks, unclosed, after_reasoning, open_reasoning = split_blocks(text)
    if blocks:
        candidates = [answer_lines(b) for b in blocks]
        if any(c != candidates[0] for c in candidates[1:]):
            return Parsed(MULTIPLE_ANSWERS, detail=f"{len(blocks)} answer blocks disagree")
        lines, detail = candidates[0], ""
    elif unclosed is not None:
        lines, detail = answer_lines(unclosed), "answer tag not closed"
    elif open_reasoning:
        return Parsed(UNCLOSED_REASONING, detail="reasoning never closed and no answer block")
    elif after_reasoning.strip():
        lines, detail = answer_lines(after_reasoning), "answers after reasoning without tags"
    elif _TAG.search(text) is None:
        lines = answer_lines(text)
        if len(lines) != 1:
            return Parsed(NO_ANSWER, detail="no <answer> block and not a single-line answer")
        detail = "single line without tags"
    else:
        return Parsed(NO_ANSWER, detail="no <answer> block")
    if not lines:
        return Parsed(EMPTY_ANSWER, detail="the answer block is empty")
    if len(lines) > max_lines:
        return Parsed(TOO_MANY_LINES, detail=f"{len(lines)} answer lines > {max_lines}")
    return Parsed(OK, tuple(lines), detail)


def _strip_numbering(lines: list[str]) -> list[str]:
    """Drop ``1.``/``2)`` numbering, but only when every line is numbered 1..n in order."""
    if not lines:
        return lines
    stripped = []
    for i, line in enumerate(lines, start=1):
        m = _NUMBERED.match(line)
        if m is None or int(m.group(1)) != i:
            return lines
        stripped.append(m.group(2))
    return stripped


def _clean_line(line: str) -> str:
    if line[0] in _PREFIX_STARTS:
        line = _PREFIX.sub("", line, count=1)
    if len(line) >= 2 and line[0] == "`" and line[-1] == "`" and "`" not in line[1:-1]:
        line = line[1:-1].strip()
    return line
