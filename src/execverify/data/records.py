"""Dataset records: one program call and the questions asked about it (docs/design.md, "The
record contract").

A record is the unit every later stage agrees on: synthesis writes it, tasks fill its questions,
rewards score completions against it, exporters copy its ``id`` into every row. The classes here
are plain data with validation, so a malformed record fails where it is made, with a message that
names the field, rather than as a wrong reward three stages later.

JSON is the storage form. ``to_json`` always writes the same bytes for the same data (fixed key
order, sorted feature keys, no whitespace variation), so content hashes in manifests are stable.
Pure standard library: records are read inside sandbox-free reward workers too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

QUESTION_KINDS: tuple[str, ...] = ("output", "input", "next_statement", "state", "coverage", "path")
"""Every question kind a record may hold, in the order prompts ask them."""

LINE_KINDS = frozenset({"next_statement", "state", "coverage", "path"})
"""Kinds that are about one line of the program, so they need ``line``."""

HIT_KINDS = frozenset({"next_statement", "state"})
"""Kinds that are about the k-th run of a line, so they need ``hit``."""

QUESTION_KEYS: tuple[str, ...] = ("kind", "line", "hit", "var", "answers", "text")
RECORD_KEYS: tuple[str, ...] = (
    "id",
    "level",
    "source",
    "program",
    "entry",
    "args",
    "output",
    "features",
    "questions",
)


@dataclass(frozen=True)
class Question:
    """One checkable question about a record's program call.

    ``answers`` lists every accepted answer string, best first: the first one is what an expected
    completion writes; the others are equally right (a line's number as well as its text, or a
    set's repr in another order). ``text`` is the question sentence as rendered by the default
    templates when the question was built; prompts may re-render it from the location fields.
    """

    kind: str
    answers: tuple[str, ...]
    line: int | None = None
    hit: int | None = None
    var: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in QUESTION_KINDS:
            raise ValueError(
                f"Question.kind must be one of {', '.join(QUESTION_KINDS)}; got {self.kind!r}. "
                "Use one of the listed kinds."
            )
        answers = self.answers
        if isinstance(answers, str) or not isinstance(answers, (list, tuple)):
            raise TypeError(
                f"Question.answers must be a list of strings; got {type(answers).__name__}. "
                "Wrap a single answer in a list."
            )
        object.__setattr__(self, "answers", tuple(answers))
        if not self.answers or not all(isinstance(a, str) for a in self.answers):
            raise ValueError(
                f"Question.answers must be a non-empty list of strings; got {list(answers)!r} "
                f"for a {self.kind} question. Give at least one accepted answer."
            )
        _check_location(self)
        if not isinstance(self.text, str):
            raise TypeError(f"Question.text must be a string; got {type(self.text).__name__}.")

    @property
    def answer(self) -> str:
        """The canonical answer (the first accepted one)."""
        return self.answers[0]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with every key present (``None`` where not relevant), in a fixed order."""
        return {
            "kind": self.kind,
            "line": self.line,
            "hit": self.hit,
            "var": self.var,
            "answers": list(self.answers),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """Inverse of ``to_dict``; missing optional keys default, unknown keys are an error."""
        _check_keys("question", data, required=("kind", "answers"), allowed=QUESTION_KEYS)
        return cls(
            kind=data["kind"],
            answers=data["answers"],
            line=data.get("line"),
            hit=data.get("hit"),
            var=data.get("var"),
            text=data.get("text", ""),
        )


def _check_location(q: Question) -> None:
    """Each kind needs exactly the location fields that make it answerable, no more."""
    needs_line = q.kind in LINE_KINDS
    if needs_line and not _is_positive_int(q.line):
        raise ValueError(
            f"a {q.kind} question needs line >= 1 (1-based line in the program); got {q.line!r}."
        )
    if not needs_line and q.line is not None:
        raise ValueError(f"a {q.kind} question has no line; got line={q.line!r}. Leave it None.")
    if q.kind in HIT_KINDS and not _is_positive_int(q.hit):
        raise ValueError(
            f"a {q.kind} question needs hit >= 1 (which run of the line, counting from 1); "
            f"got {q.hit!r}."
        )
    if q.kind not in HIT_KINDS and q.hit is not None:
        raise ValueError(
            f"a {q.kind} question is about any run of its line, so hit must be None; "
            f"got hit={q.hit!r}."
        )
    if q.kind == "state":
        if not isinstance(q.var, str) or not q.var.isidentifier():
            raise ValueError(
                f"a state question needs var, a Python variable name; got {q.var!r}."
            )
    elif q.var is not None:
        raise ValueError(f"only state questions name a variable; got var={q.var!r} on {q.kind}.")


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@dataclass(frozen=True)
class Record:
    """One program call with its measured features and its questions (docs/design.md, "The
    record contract").

    ``source`` says where the program came from (``"builtin"``, ``"llm"``, ``"cruxeval"``, ...),
    ``args`` is the Python source of the call's arguments (``"[1, 2], 'x'"``), ``output`` the repr
    of the result (sets in canonical order, see ``execverify.tasks.answers``). ``level`` is the
    difficulty level 1..6, or 0 for programs not synthesised at a level (benchmarks).
    """

    id: str
    level: int
    source: str
    program: str
    entry: str
    args: str
    output: str
    features: dict[str, Any] = field(default_factory=dict)
    questions: tuple[Question, ...] = ()

    def __post_init__(self) -> None:
        for name in ("id", "source", "program"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"Record.{name} must be a non-empty string; got {value!r}.")
        for name in ("args", "output"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(
                    f"Record.{name} must be a string of Python source; got "
                    f"{type(getattr(self, name)).__name__}. Pass repr() of the value."
                )
        if not isinstance(self.entry, str) or not self.entry.isidentifier():
            raise ValueError(f"Record.entry must be a function name; got {self.entry!r}.")
        if not isinstance(self.level, int) or isinstance(self.level, bool) or self.level < 0:
            raise ValueError(
                f"Record.level must be an int >= 0 (1..6 for synthesised levels, 0 for none); "
                f"got {self.level!r}."
            )
        if not isinstance(self.features, dict):
            raise TypeError(f"Record.features must be a dict; got {type(self.features).__name__}.")
        questions = tuple(
            q if isinstance(q, Question) else Question.from_dict(q) for q in self.questions
        )
        object.__setattr__(self, "questions", questions)

    def questions_of(self, *kinds: str) -> list[Question]:
        """The record's questions of the given kinds, in record order."""
        unknown = set(kinds) - set(QUESTION_KINDS)
        if unknown:
            raise ValueError(f"unknown question kinds {sorted(unknown)}; use {QUESTION_KINDS}.")
        return [q for q in self.questions if q.kind in kinds]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict in the contract's key order; feature keys sorted."""
        return {
            "id": self.id,
            "level": self.level,
            "source": self.source,
            "program": self.program,
            "entry": self.entry,
            "args": self.args,
            "output": self.output,
            "features": _sorted_keys(self.features),
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Inverse of ``to_dict``; unknown keys are an error so typos do not vanish silently."""
        _check_keys("record", data, required=RECORD_KEYS[:7], allowed=RECORD_KEYS)
        return cls(
            id=data["id"],
            level=data["level"],
            source=data["source"],
            program=data["program"],
            entry=data["entry"],
            args=data["args"],
            output=data["output"],
            features=dict(data.get("features") or {}),
            questions=tuple(Question.from_dict(q) for q in data.get("questions") or ()),
        )

    def to_json(self) -> str:
        """One line of JSON; the same record always gives the same string."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(", ", ": "))

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(json.loads(text))


def _sorted_keys(value: Any) -> Any:
    """Recursively sort dict keys so feature dicts serialise identically however they were built."""
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_sorted_keys(v) for v in value]
    return value


def _check_keys(
    what: str, data: dict[str, Any], *, required: tuple[str, ...], allowed: tuple[str, ...]
) -> None:
    if not isinstance(data, dict):
        raise TypeError(f"a {what} must be a JSON object; got {type(data).__name__}.")
    missing = [k for k in required if k not in data]
    if missing:
        raise ValueError(f"{what} is missing keys {missing}; it needs {list(required)}.")
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ValueError(f"{what} has unknown keys {extra}; allowed keys are {list(allowed)}.")
