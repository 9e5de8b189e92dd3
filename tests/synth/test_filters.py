import random

import pytest

from execverify.sandbox import ExecResult, Sandbox
from execverify.synth import generate
from execverify.synth.filters import (
    ExecFilter,
    check_execution,
    dedup_key,
    normalise,
    round_trips,
    static_violation,
    value_round_trips,
    verdict,
)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("def f(x):\n    return x\n", None),
        ("import os\ndef f(x):\n    return x\n", "import: os"),
        ("from subprocess import run\ndef f(x):\n    return x\n", "import: subprocess"),
        ("def f(x):\n    import time\n    return x\n", "import: time"),
        ("import os.path\ndef f(x):\n    return x\n", "import: os.path"),
        ("def f(x):\n    return eval(x)\n", "name: eval"),
        ("def f(x):\n    return open(x).read()\n", "name: open"),
        ("def f(x):\n    return __import__('os')\n", "name: __import__"),
        ("def f(x):\n    return x.__class__\n", "attribute: __class__"),
        ("def f(x):\n    return hash(x)\n", "name: hash"),
        ("def f(x:\n", "syntax"),
        ("import math\ndef f(x):\n    return math.sqrt(x)\n", None),
    ],
)
def test_static_violation(source, reason):
    got = static_violation(source)
    if reason is None:
        assert got is None
    else:
        assert got is not None and got.startswith(reason)


def test_dedup_key_ignores_names_and_literals_but_not_structure_or_input():
    a = "def f(words, n):\n    out = words[:n]\n    return out\n"
    b = "def g(items, k):\n    res = items[:k]\n    return res\n"
    c = "def f(words, n):\n    out = words[n:]\n    return out\n"
    assert dedup_key(a, "[1, 2], 1") == dedup_key(b, "[1, 2], 1")
    assert dedup_key(a, "[1, 2], 1") != dedup_key(a, "[1, 2], 2")
    assert dedup_key(a, "[1, 2], 1") != dedup_key(c, "[1, 2], 1")
    x = "def f(s):\n    return s.zfill(3) + 'a'\n"
    y = "def f(s):\n    return s.zfill(5) + 'b'\n"
    assert normalise(x) == normalise(y)
    assert normalise(x, constants=False) != normalise(y, constants=False)
    assert "zfill" in normalise(x) and "len" in normalise("def f(s):\n    return len(s)\n")


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("[1, 'a', (2, 3)]", True),
        ("{'a': 1}", True),
        ("set()", True),
        ("{1, 2}", True),
        ("-0.5", True),
        ("nan", False),
        ("<object object at 0x7f>", False),
        ("{16, 18, 5}", True),  # prints back as {16, 18, 5} or {5, 16, 18}: equal either way
        ("[1, float('nan')]", False),
        ("(1.0, [nan])", False),
        ("", False),
    ],
)
def test_round_trips(text, ok):
    assert round_trips(text) is ok


def test_value_round_trips():
    assert value_round_trips({"a": [1, (2, 3)]})
    assert not value_round_trips(float("nan"))
    assert not value_round_trips(object())


def test_exec_filter_validation():
    with pytest.raises(ValueError, match="timeout_s"):
        ExecFilter(timeout_s=0)
    with pytest.raises(ValueError, match="runs"):
        ExecFilter(runs=0)


def test_verdict_reasons():
    ok = ExecResult(status="ok", value="[1, 2]", value_type="list")
    assert verdict([ok, ok], ExecFilter()).keep
    other = ExecResult(status="ok", value="[2, 1]", value_type="list")
    assert verdict([ok, other], ExecFilter()).reason == "nondeterministic"
    err = ExecResult(status="error", error_type="KeyError")
    assert verdict([err, err], ExecFilter()).reason == "error:KeyError"
    long = ExecResult(status="ok", value="'" + "x" * 50 + "'", value_type="str")
    assert verdict([long, long], ExecFilter(max_value_chars=20)).reason == "too_long"
    assert verdict([ExecResult(status="timeout")], ExecFilter(runs=1)).reason == "timeout"


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=2) as sb:
        yield sb


def test_check_execution_in_the_sandbox(sandbox):
    calls = [
        ("def f(x):\n    return sorted(x)\n", "f", "[3, 1, 2]"),
        ("def f(x):\n    return x[5]\n", "f", "[3, 1, 2]"),
        ("def f(x):\n    while True:\n        x += 1\n", "f", "1"),
        ("def f(x):\n    return float('nan')\n", "f", "1"),
        ("def f(x):\n    import time\n    return time.perf_counter_ns()\n", "f", "1"),
        ("def f(x):\n    return 'ab' * x\n", "f", "600"),
    ]
    got = [v.reason for v in check_execution(calls, sandbox, ExecFilter(max_value_chars=1000))]
    assert got == [
        "ok",
        "error:IndexError",
        "timeout",
        "round_trip",
        "nondeterministic",
        "too_long",
    ]


def test_generated_programs_run_without_error(sandbox):
    """The method's filters keep what runs; the generator should rarely need them."""
    rng = random.Random(2024)
    programs = [generate(level, rng) for level in range(1, 7) for _ in range(40)]
    verdicts = check_execution([(p.source, p.entry, p.args) for p in programs], sandbox)
    ran = sum(not v.reason.startswith(("error", "timeout")) for v in verdicts)
    kept = sum(v.keep for v in verdicts)
    assert ran / len(programs) >= 0.95, [v.reason for v in verdicts if not v.keep]
    assert kept / len(programs) >= 0.9
