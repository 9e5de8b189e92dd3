"""Trace-grounded reasoning: real records and traces, every kept text scored in full."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from execverify.rewards import score_combined
from execverify.tasks import TaskConfig, build_record
from execverify.trace import trace_call
from execverify.train.reasoning import candidates, narrate, verified_examples

KINDS = TaskConfig(kinds=("output", "input", "next_statement", "state"))
PROGRAMS = {
    "loop": ("""
        def f(xs, k):
            out = []
            for x in xs:
                if x > k:
                    out.append(x * 2)
            return out
        """, "[1, 5, 3, 7, 2, 9], 4"),
    "helper": ("""
        def g(s):
            return s.upper().zfill(8)

        def f(words):
            joined = '-'.join(words)
            return g(joined)
        """, "['ab', 'c']"),
}


@pytest.fixture(scope="module")
def built():
    out = []
    for name, (program, args) in PROGRAMS.items():
        program = textwrap.dedent(program).lstrip("\n")
        trace = trace_call(program, "f", args)
        assert trace.ok, trace.error
        out.append((build_record(program, "f", args, level=3, source="builtin", id=name,
                                 config=KINDS, seed=1, trace=trace), trace))
    return out


def test_narration_follows_the_trace_and_ends_in_the_output(built):
    record, trace = built[0]
    text = narrate(record, trace)
    lines = text.splitlines()
    assert lines[0] == "Call f([1, 5, 3, 7, 2, 9], 4)."
    assert lines[-1] == "The call returns [10, 14, 18]."
    assert len(lines) == len(trace.steps) + 2
    assert "Line 5: out.append(x * 2) -> out = [10] (list)" in lines  # code quoted once
    assert "Line 5 (3rd run) -> out = [10, 14, 18] (list)" in lines
    assert "Line 4 (2nd run)" in lines


def test_terse_narration_names_lines_without_the_call_or_the_source(built):
    record, trace = built[0]
    lines = narrate(record, trace, terse=True).splitlines()
    assert len(lines) == len(trace.steps) + 1
    assert lines[-1] == "The call returns [10, 14, 18]."
    assert "Line 5 -> out = [10] (list)" in lines
    assert "Line 5 (3rd run) -> out = [10, 14, 18] (list)" in lines
    assert "Line 2 -> out = [] (list)" in lines
    assert not any("append" in line or line.startswith("Call") for line in lines)
    helper, helper_trace = built[1]
    assert any(line.startswith("Line 2 in g") and ":" not in line.split("->")[0]
               for line in narrate(helper, helper_trace, terse=True).splitlines())


def test_terse_examples_score_full_and_are_shorter(built):
    records, traces = [r for r, _ in built], [t for _, t in built]
    full = {(e.id, e.task): e for e in verified_examples(records, traces)}
    terse = {(e.id, e.task): e for e in verified_examples(records, traces, terse=True)}
    assert terse.keys() == full.keys()
    assert all(e.score == 2.0 for e in terse.values())
    assert all(len(terse[k].completion) < len(full[k].completion) for k in full)
    assert terse["loop", "input"].completion.startswith(
        "<reasoning>\nf([1, 5, 3, 7, 2, 9], 4) returns [10, 14, 18].\n</reasoning>")


def test_helper_steps_are_named_and_long_traces_summarised(built):
    record, trace = built[1]
    assert any(line.startswith("Line 2 in g:") for line in narrate(record, trace).splitlines())
    short = narrate(*built[0], max_steps=3).splitlines()
    assert short[-2] == f"... {len(built[0][1].steps) - 3} more steps run in the same way."


def test_every_kept_example_scores_full_on_both_tasks(built):
    records = [r for r, _ in built]
    examples = verified_examples(records, [t for _, t in built])
    assert sorted((e.id, e.task) for e in examples) == [
        ("helper", "combined"), ("helper", "input"), ("loop", "combined"), ("loop", "input")]
    assert all(e.score == 2.0 for e in examples)
    combined = next(e for e in examples if e.task == "combined" and e.id == "loop")
    assert score_combined(combined.completion, records[0]).score == 2.0
    assert combined.messages()[-1] == {"role": "assistant", "content": combined.completion}
    assert "<reasoning>\nCall f(" in combined.completion


def test_texts_that_do_not_score_full_are_dropped(built):
    record, trace = built[0]
    # A record whose stored output is wrong: the input-prediction text claims f(args) returns
    # it, and running f(args) in the sandbox says otherwise, so that text is dropped.
    wrong = replace(record, output="[10, 14]")
    kinds = {task for task, _, _ in candidates(wrong, trace)}
    assert kinds == {"combined", "input"}
    assert [e.task for e in verified_examples([wrong], [trace])] == ["combined"]


def test_without_traces_the_records_are_traced_again(built):
    records = [r for r, _ in built]
    assert len(verified_examples(records)) == 4
    with pytest.raises(ValueError, match="one trace per record"):
        verified_examples(records, [built[0][1]])


def test_reasoning_that_would_confuse_the_parser_is_dropped():
    # The narrated values contain the answer tags, so the combined text no longer parses as
    # one answer: the reward says so, and the example is not kept.
    program = "def f(s):\n    t = s + '</answer>'\n    return t\n"
    trace = trace_call(program, "f", "'<answer>'")
    record = build_record(program, "f", "'<answer>'", level=1, source="builtin", id="tags",
                          config=KINDS, seed=1, trace=trace)
    combined = next(c for task, _, c in candidates(record, trace) if task == "combined")
    assert score_combined(combined, record).score < 2.0
    assert "combined" not in [e.task for e in verified_examples([record], [trace])]
