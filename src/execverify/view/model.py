"""The view model: what every loader produces and the page's script reads, as plain data.

One shape for all four inputs keeps the page's script a single renderer. An *item* is one
problem (a record, an evaluation sample, a training prompt group, or one problem across a
study's arms); its *entries* are the completions shown for it (one per generation, rollout or
arm) and its *questions* carry, per entry, the answer given and whether it was right.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Entry:
    """One completion of an item: whose it is (``label``), how it scored, and its text."""

    label: str
    completion: str | None = None
    score: float | None = None
    ok: bool | None = None
    status: str = ""
    answer: str | None = None
    breakdown: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "completion": self.completion, "score": self.score,
                "ok": self.ok, "status": self.status, "answer": self.answer,
                "breakdown": self.breakdown}


@dataclass
class QuestionView:
    """A question at its line, the accepted answers, and ``given``: per entry index, the answer
    that entry gave (None if none) and whether it was right (None when not judged)."""

    kind: str
    text: str
    accepted: list[str]
    line: int | None = None
    given: list[tuple[int, str | None, bool | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "accepted": self.accepted,
                "line": self.line, "given": [list(g) for g in self.given]}


@dataclass
class Item:
    """One problem. ``hits`` maps a source line to how often it ran (None: no trace, and
    ``trace_note`` says why); ``prompt`` is shown when there is no program to show."""

    id: str
    bench: str = ""
    level: int | None = None
    tag: str = ""
    program: str | None = None
    prompt: str | None = None
    hits: dict[int, int] | None = None
    trace_note: str = ""
    questions: list[QuestionView] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "bench": self.bench, "level": self.level, "tag": self.tag,
                "program": self.program, "prompt": self.prompt,
                "hits": None if self.hits is None else {str(k): v for k, v in self.hits.items()},
                "trace_note": self.trace_note,
                "questions": [q.to_json() for q in self.questions],
                "entries": [e.to_json() for e in self.entries]}


@dataclass
class Bar:
    """One bar of a summary chart: ``value`` is a fraction for accuracy charts, else a number."""

    label: str
    value: float
    n: int | None = None


@dataclass
class Chart:
    """A small bar chart in the summary; ``unit`` is ``fraction``, ``count`` or ``number``."""

    title: str
    bars: list[Bar]
    unit: str = "fraction"

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "unit": self.unit,
                "bars": [{"label": b.label, "value": b.value, "n": b.n} for b in self.bars]}


@dataclass
class View:
    """Everything a page shows: what was read (``kind``, ``source``), the summary charts, and
    the items in display order."""

    kind: str
    source: str
    items: list[Item]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"format": "execverify.view/1", "kind": self.kind, "source": self.source,
                "notes": self.notes, "charts": [c.to_json() for c in self.charts],
                "items": [i.to_json() for i in self.items]}


def count_chart(title: str, labels: list[str]) -> Chart:
    """How many of each label, in sorted label order (the dataset summary)."""
    counts = Counter(labels)
    return Chart(title, [Bar(k, float(v), v) for k, v in sorted(counts.items())], unit="count")
