from __future__ import annotations

import json

import pytest

from execverify.data.records import Record
from execverify.tasks import TaskConfig, build_record, expected_completion, render_combined
from execverify.tasks.prompts import combined_questions, record_question_text
from execverify.trace.model import Trace

PROGRAM = """
    def f(words, k):
        out = set()
        for w in words:
            if len(w) > k:
                out.add(w.upper())
        return out
"""
ARGS = "['alpha', 'be', 'gamma', 'delta'], 3"


def build(traced, **kw):
    program, t = traced(PROGRAM, "f", ARGS)
    kw.setdefault("seed", 1)
    return build_record(program, "f", ARGS, level=4, source="builtin", id="demo-1", trace=t,
                        **kw), t


def test_build_record_fills_every_contract_field(traced):
    rec, t = build(traced)
    assert (rec.id, rec.level, rec.source, rec.entry, rec.args) == (
        "demo-1", 4, "builtin", "f", ARGS
    )
    assert rec.output == "{'ALPHA', 'DELTA', 'GAMMA'}"  # canonical set order
    assert rec.features["steps"] == len(t.steps)
    assert rec.features["control_flow_depth"] == 2
    assert rec.features["methods"] == ["add", "upper"]
    assert rec.questions[0].kind == "output" and rec.questions[1].kind == "input"
    for q in rec.questions:
        assert q.text == record_question_text(rec, q)


def test_built_record_round_trips_through_json_byte_for_byte(traced):
    rec, _ = build(traced)
    text = rec.to_json()
    back = Record.from_json(text)
    assert back == rec
    assert back.to_json() == text
    again, _ = build(traced)
    assert again.to_json() == text
    json.loads(text)  # plain JSON


def test_seed_changes_the_draw_not_the_answers(traced):
    recs = [build(traced, seed=s)[0] for s in range(6)]
    assert len({r.to_json() for r in recs}) > 1
    by_location: dict = {}
    for r in recs:
        for q in r.questions:
            by_location.setdefault((q.kind, q.line, q.hit, q.var), set()).add(q.answers)
    assert all(len(a) == 1 for a in by_location.values())


def test_prompt_and_expected_completion_agree(traced):
    rec, _ = build(traced, config=TaskConfig(max_next_statement=3, max_state=2))
    prompt = render_combined(rec)
    n = len(combined_questions(rec))
    assert n == 1 + 3 + 2
    assert f"{n} questions" in prompt
    block = expected_completion(rec)
    inner = block.split("<answer>\n", 1)[1].rsplit("\n</answer>", 1)[0]
    assert inner.splitlines()[0] == rec.output
    assert len(inner.splitlines()) == n


def test_failed_calls_do_not_become_records():
    failed = Trace.failed("timeout", "timed out after 1.0 s")
    with pytest.raises(ValueError, match="did not finish normally"):
        build_record("def f(x):\n    while True:\n        pass\n", "f", "1", level=1,
                     source="builtin", id="t", trace=failed)


def test_build_record_traces_the_call_itself_when_no_trace_is_given(traced):
    rec, _ = build(traced)
    program, _ = traced(PROGRAM, "f", ARGS)
    fresh = build_record(program, "f", ARGS, level=4, source="builtin", id="demo-1", seed=1)
    assert fresh == rec


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_records_are_identical_on_other_interpreters(traced, python):
    """Both tracer backends and every interpreter give byte-identical records."""
    from execverify.sandbox import SandboxUnavailable, find_python
    from execverify.trace import trace_call

    try:
        find_python(python)
    except SandboxUnavailable:
        pytest.skip(f"no Python {python} here")
    rec, _ = build(traced)
    program, _ = traced(PROGRAM, "f", ARGS)
    other = trace_call(program, "f", ARGS, python=python)
    assert other.python.startswith(python)
    again = build_record(program, "f", ARGS, level=4, source="builtin", id="demo-1", seed=1,
                         trace=other)
    assert again.to_json() == rec.to_json()
