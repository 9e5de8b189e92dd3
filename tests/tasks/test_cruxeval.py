"""Every CRUXEval program becomes a well-formed record (a real-world robustness check)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import execverify
from execverify.data.records import Record
from execverify.tasks import (
    END,
    NIL,
    ProgramLines,
    TaskConfig,
    build_record,
    expected_answers,
    parse_state_answer,
    render_combined,
)
from execverify.trace import trace_many

DATA = Path(execverify.__file__).parent / "eval" / "data" / "cruxeval" / "cruxeval.jsonl"
ALL_KINDS = ("output", "input", "next_statement", "state", "coverage", "path")


@pytest.fixture(scope="module")
def built():
    rows = [json.loads(line) for line in DATA.read_text().splitlines()]
    traces = trace_many([(r["code"], "f", r["input"]) for r in rows], batch_size=50)
    config = TaskConfig(kinds=ALL_KINDS)
    records = [
        build_record(r["code"], "f", r["input"], level=0, source="cruxeval", id=r["id"],
                     trace=t, config=config, seed=0)
        for r, t in zip(rows, traces, strict=True)
    ]
    return rows, traces, records


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def test_every_program_gives_a_record_that_round_trips(built):
    rows, _, records = built
    assert len(records) == len(rows) == 800
    for rec in records:
        assert Record.from_json(rec.to_json()) == rec
        n = len(expected_answers(rec))
        prompt = render_combined(rec)
        assert f"\n{n}. " in prompt and f"\n{n + 1}. " not in prompt
        kinds = [q.kind for q in rec.questions]
        assert kinds[:2] == ["output", "input"]
        assert kinds.count("next_statement") <= 5 and kinds.count("state") <= 5


def test_canonical_output_keeps_the_value(built):
    _, traces, records = built
    for t, rec in zip(traces, records, strict=True):
        assert _literal(rec.output) == _literal(t.output)


def test_answers_are_well_formed(built):
    _, _, records = built
    for rec in records:
        lines = ProgramLines.parse(rec.program)
        for q in rec.questions:
            if q.kind == "next_statement":
                if q.answers != (END,):
                    text, number = q.answers
                    assert lines.text(int(number)) == text
            elif q.kind == "state" and q.answer != NIL:
                value, type_name = parse_state_answer(q.answer)
                parsed = _literal(value)
                if parsed is not None:
                    assert type(parsed).__name__ == type_name, (rec.id, q)
            elif q.kind == "coverage":
                assert q.answers in (("Yes",), ("No",))
