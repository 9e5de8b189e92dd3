"""trace_call / trace_many through the sandbox: failures become statuses, batches fall back."""

from __future__ import annotations

import ast
import json

import pytest

from execverify.sandbox import Job, Limits
from execverify.trace import BATCH_HOOK, Trace, TraceOptions, trace_call, trace_many
from execverify.trace.recorder import ship_code
from execverify.trace.statements import StatementFacts

SLEEPY = "import time\ndef f(x):\n    time.sleep(30)\n"
GOOD = "def f(x):\n    y = x * 2\n    return y\n"


def test_trace_call_on_the_default_sandbox():
    t = trace_call(GOOD, "f", "21")
    assert isinstance(t, Trace) and t.output == "42" and t.path() == [2, 3]
    assert t.meta["sandbox_status"] == "ok"


def test_trace_call_on_python312_uses_monitoring():
    t = trace_call(GOOD, "f", "1", python="3.12")
    assert t.backend == "monitoring" and t.python.startswith("3.12") and t.output == "2"


def test_sandbox_failures_become_statuses(sandbox_311):
    t = trace_call(SLEEPY, "f", "1", sandbox=sandbox_311, limits=Limits(timeout_s=0.5))
    assert t.status == "timeout" and t.steps == [] and t.error
    t = trace_call("def f(n):\n    return bytearray(n)\n", "f", "10**10", sandbox=sandbox_311,
                   limits=Limits(timeout_s=5, memory_mb=256))
    assert t.status == "memory" and "MemoryError" in t.error
    t = trace_call("raise RuntimeError('at import')\ndef f():\n    pass\n", "f", "",
                   sandbox=sandbox_311)
    assert t.status == "error" and t.error == "RuntimeError: at import"


def test_trace_many_keeps_order_and_matches_single_calls(sandbox_311):
    calls = [(GOOD, "f", str(i)) for i in range(7)] + [("def f(x):\n    return 1/x\n", "f", "0")]
    for batch_size in (1, 3):
        traces = trace_many(calls, sandbox=sandbox_311, batch_size=batch_size)
        assert [t.output for t in traces[:7]] == [str(2 * i) for i in range(7)]
        assert traces[7].status == "error" and traces[7].error.startswith("ZeroDivisionError")
    single = trace_call(GOOD, "f", "3", sandbox=sandbox_311)
    batched = trace_many([(GOOD, "f", "3")] * 2, sandbox=sandbox_311, batch_size=2)[1]
    assert batched.to_dict()["steps"] == single.to_dict()["steps"]


def test_a_batch_that_fails_whole_is_rerun_one_by_one(sandbox_311):
    calls = [(GOOD, "f", "1"), (SLEEPY, "f", "1"), (GOOD, "f", "2")]
    traces = trace_many(calls, sandbox=sandbox_311, batch_size=3, limits=Limits(timeout_s=0.3))
    assert [t.status for t in traces] == ["ok", "timeout", "ok"]
    assert traces[2].output == "4"


def test_batched_stdout_is_per_program(sandbox_311):
    calls = [("def f(x):\n    print('p', x)\n    return x\n", "f", str(i)) for i in range(3)]
    traces = trace_many(calls, sandbox=sandbox_311, batch_size=3)
    assert [t.stdout for t in traces] == ["p 0\n", "p 1\n", "p 2\n"]


def test_record_many_can_encode_each_trace_as_json(sandbox_311):
    programs = [[GOOD, "f", "4"], ["def f(x):\n    return 1/x\n", "f", "0"]]

    def traces(**options) -> list:
        job = Job(source="", entry="batch", hook=BATCH_HOOK, limits=sandbox_311.limits,
                  hook_options={"programs": programs, "trace": {}, "plain": True, **options})
        return sandbox_311.run_jobs([job])[0].data["traces"]

    def untimed(trace: dict) -> dict:  # timings differ from run to run
        return {k: v for k, v in trace.items() if k not in ("duration_s", "plain_s")}

    encoded = traces(encode=True)
    assert all(isinstance(text, str) for text in encoded)
    decoded = [untimed(json.loads(text)) for text in encoded]
    assert decoded == [untimed(trace) for trace in traces()]
    assert [t["status"] for t in decoded] == ["ok", "error"] and decoded[0]["plain"] == "8"


def test_record_many_uses_statement_facts_sent_with_a_program(sandbox_311):
    # facts from the caller's own parse: the program is compiled, not parsed again, and the
    # trace is the one the recorder would have made from its own parse
    program = "def f(xs):\n    total = min(0,\n                len(xs))\n" \
              "    for x in xs: total += x\n    return total\n"
    facts = StatementFacts.of(ast.parse(program)).to_wire()

    def traces(*programs: list) -> list:
        job = Job(source="", entry="batch", hook=BATCH_HOOK, limits=sandbox_311.limits,
                  hook_options={"programs": list(programs), "trace": {}})
        return [Trace.from_dict(t) for t in sandbox_311.run_jobs([job])[0].data["traces"]]

    parsed, sent = traces([program, "f", "[1, 2]"], [program, "f", "[1, 2]", facts])
    assert sent.to_dict()["steps"] == parsed.to_dict()["steps"] and sent.path() == [2, 4, 5]
    wrong = StatementFacts({}, frozenset(), {}).to_wire()  # line 3 no longer maps to line 2
    assert 3 in traces([program, "f", "[1, 2]", wrong])[0].path()


def test_record_many_runs_code_shipped_with_a_program(sandbox_311):
    # code from ship_code: the same trace as compiling the text there; and it is the shipped
    # code that runs (here deliberately not the text's)
    program = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n"
    facts = StatementFacts.of(ast.parse(program)).to_wire()

    def traces(*programs: list, plain_only: bool = False) -> list:
        job = Job(source="", entry="batch", hook=BATCH_HOOK, limits=sandbox_311.limits,
                  hook_options={"programs": list(programs), "trace": {}, "plain_only": plain_only})
        return sandbox_311.run_jobs([job])[0].data["traces"]

    shipped = ship_code(ast.parse(program), "[1, 2]")
    here, there = (Trace.from_dict(t) for t in traces([program, "f", "[1, 2]", facts],
                                                      [program, "f", "[1, 2]", facts, shipped]))
    assert there.to_dict()["steps"] == here.to_dict()["steps"] and there.output == "3"
    other = ship_code("def f(xs):\n    return len(xs)\n", "[1, 2, 3]")
    assert traces([program, "f", "[1, 2]", None, other], plain_only=True)[0]["plain"] == "3"
    assert ship_code(program, "1), (2") is None and ship_code("def f(:", "1") is None


def test_options_are_validated():
    with pytest.raises(ValueError, match="backend"):
        TraceOptions(backend="fast")
    with pytest.raises(ValueError, match="max_steps"):
        TraceOptions(max_steps=0)
    with pytest.raises(ValueError, match="batch_size"):
        trace_many([], batch_size=0)


def test_monitoring_on_python311_is_an_error_trace(sandbox_311):
    t = trace_call(GOOD, "f", "1", sandbox=sandbox_311, backend="monitoring")
    assert t.status == "error" and "3.12" in t.error
