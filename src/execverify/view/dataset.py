"""Dataset folders (or JSONL files of records): each record with its questions and accepted
answers, by level. There is no model here, so nothing is right or wrong; the summary counts
records per level and questions per kind."""

from __future__ import annotations

from pathlib import Path

from execverify.data.dataset import read_records
from execverify.data.records import Record
from execverify.view.lines import line_hits, untraced
from execverify.view.model import Item, QuestionView, View, count_chart


def record_call(record: Record) -> tuple[str, str, str]:
    """The call a record describes, for tracing it again."""
    return record.program, record.entry, record.args


def _questions(record: Record) -> list[QuestionView]:
    """A record's questions at their lines (None for whole-call kinds: output, input)."""
    return [QuestionView(q.kind, q.text, list(q.answers), q.line) for q in record.questions]


def load_dataset_view(path: Path, *, trace: bool = True) -> View:
    """The view of a dataset folder or records file (``execverify.data.dataset.read_records``)."""
    records = list(read_records(path))
    hits = line_hits([record_call(r) for r in records]) if trace else untraced(len(records))
    items = [Item(id=r.id, bench=r.source, level=r.level, program=r.program, hits=h,
                  trace_note=note, questions=_questions(r))
             for r, (h, note) in zip(records, hits)]
    charts = [count_chart("records by level", [f"level {r.level}" for r in records]),
              count_chart("questions by kind", [q.kind for r in records for q in r.questions])]
    return View("dataset", str(path), items, charts)
