"""Code generation: extraction, assert and stdio suites, the 0.05 + pass-fraction reward."""

from __future__ import annotations

import pytest

from execverify.rewards import TestSuite, extract_code, run_many, run_tests, score_codegen
from execverify.rewards.codegen import (
    OutcomeStatus,
    TestReason,
    harness_source,
    imported_modules,
    stdout_lines,
)

CODE = "def f(x):\n    return x + 1"


@pytest.mark.parametrize("completion, code", [
    (f"<reasoning>r</reasoning><answer>\n```python\n{CODE}\n```\n</answer>", CODE),
    (f"<answer>\n{CODE}\n</answer>", CODE),
    (f"Here:\n```python\n{CODE}\n```\nDone.", CODE),
    (f"```\nx = 1\n```\n```py\n{CODE}\n```", CODE),  # python-labelled wins
    (f"```python\nx = 1\n```\n```python\n{CODE}\n```", CODE),  # the last one
    (CODE, CODE),  # plain code
    (f"<reasoning>```python\nx = 2\n```</reasoning>\n```python\n{CODE}\n```", CODE),
    ("<reasoning>```python\nx = 2\n```</reasoning>", None),  # only inside reasoning
    ("I cannot solve this. Sorry!", None),
    ("", None),
    (None, None),
    ([{"role": "assistant", "content": f"```python\n{CODE}\n```"}], CODE),
])
def test_extract_code(completion, code):
    assert extract_code(completion) == code


def test_suite_rules():
    with pytest.raises(ValueError, match="kind"):
        TestSuite("pytest", ("assert True",))
    with pytest.raises(ValueError, match="one expected output per test"):
        TestSuite("stdio", ("1\n", "2\n"), ("1",))
    with pytest.raises(ValueError, match="no expected outputs"):
        TestSuite("assert", ("assert True",), ("x",))
    with pytest.raises(TypeError, match="sequence of strings"):
        TestSuite("assert", "assert True")
    with pytest.raises(ValueError, match="entry"):
        TestSuite("assert", ("assert True",), entry="not a name")
    with pytest.raises(ValueError, match="timeout_s"):
        TestSuite("assert", ("assert True",), timeout_s=0)
    suite = TestSuite("stdio", ["1\n"], ["2"], timeout_s=1)
    assert suite.tests == ("1\n",) and TestSuite.from_json(suite.to_json()) == suite


STDIO = TestSuite("stdio", ("1 2\n", "5 7\n", "0 0\n"), ("3\n", "12   \n\n\n", "0"))


@pytest.mark.parametrize("solution, passed", [
    ("a, b = map(int, input().split())\nprint(a + b)", 3),
    ("import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\nsys.exit(0)", 3),
    ("a, b = map(int, input().split())\nprint(a + b, end='   ')", 3),  # trailing space
    ("a, b = map(int, input().split())\nprint(a * b)", 1),  # 0 0 -> 0 happens to match
    ("print('OK')", 0),
    ("import sys\nsys.exit(1)", 0),
    ("a, b = map(int, input().split())\nprint(a + b)\nraise ValueError", 0),  # must exit cleanly
    ("while True:\n    pass", 0),
])
def test_stdio_suite(sandbox, solution, passed):
    suite = TestSuite("stdio", STDIO.tests, STDIO.expected, timeout_s=1.0)
    outcome = run_tests(solution, suite, sandbox=sandbox)
    assert outcome.passed == passed, outcome.details
    assert outcome.total == 3 and outcome.status == "ok"


def test_stdout_lines():
    assert stdout_lines("a  \nb\t\n\n\n") == ["a", "b"]
    assert stdout_lines("  a\n") == ["  a"]


ASSERTS = TestSuite("assert", ("assert f(1) == 2", "assert f(2) == 3", "assert f(3) == 5"),
                    entry="f", timeout_s=1.0)


def test_pass_fraction_and_reward(sandbox):
    outcome = run_tests(CODE, ASSERTS, sandbox=sandbox)
    assert (outcome.passed, outcome.total, outcome.status) == (2, 3, "ok")
    assert outcome.fraction == pytest.approx(2 / 3)
    result = score_codegen(f"```python\n{CODE}\n```", ASSERTS, sandbox=sandbox)
    assert result.score == pytest.approx(0.05 + 2 / 3) and result.ok
    assert [q.correct for q in result.breakdown] == [True, True, False]


def test_reward_when_nothing_passes_and_when_there_is_no_program(sandbox):
    wrong = score_codegen("```python\ndef f(x):\n    return 0\n```", ASSERTS, sandbox=sandbox)
    assert wrong.score == pytest.approx(0.05) and wrong.ok
    assert score_codegen("no code here, sorry!", ASSERTS, sandbox=sandbox).score == 0.0
    broken = score_codegen("```python\ndef f(x) return\n```", ASSERTS, sandbox=sandbox)
    assert broken.score == 0.0 and "syntax_error" in broken.detail


def test_run_many_keeps_order_and_statuses(sandbox):
    outcomes = run_many([(CODE, ASSERTS), ("", ASSERTS), ("def f(:", ASSERTS),
                         (CODE, TestSuite("assert", ())), ("def g(x):\n    return x", ASSERTS),
                         ("def f(x):\n    while True:\n        pass", ASSERTS)], sandbox=sandbox)
    assert [(o.passed, o.status) for o in outcomes] == [
        (2, "ok"), (0, "no_code"), (0, "syntax_error"), (0, "no_tests"), (0, "ok"), (0, "ok")]
    assert "does not define f" in outcomes[4].details[0]
    assert outcomes[5].details == ["fail: timeout"] * 3
    # the verdicts are typed: the reward and the benchmarks read reasons, never the lines
    assert [[v.reason for v in o.verdicts] for o in outcomes] == [
        [TestReason.PASS, TestReason.PASS, TestReason.ERROR], [TestReason.NO_CODE] * 3,
        [TestReason.SYNTAX_ERROR] * 3, [], [TestReason.ERROR] * 3, [TestReason.TIMEOUT] * 3]
    assert all(o.status is OutcomeStatus(o.status.value) for o in outcomes)
    assert outcomes[5].count(TestReason.TIMEOUT) == 3


def test_generators_and_iterators_from_the_solution_are_fine(sandbox):
    suite = TestSuite("assert", ("assert list(f(3)) == [0, 1, 2]",
                                 "assert sorted(g({'b': 1, 'a': 2})) == ['a', 'b']"), timeout_s=1.0)
    solution = "def f(n):\n    yield from range(n)\ndef g(d):\n    return d.keys()\n"
    assert run_tests(solution, suite, sandbox=sandbox).passed == 2


def test_setup_runs_before_the_solution_and_again_before_each_test(sandbox):
    suite = TestSuite("assert", ("assert near(f(0.1), 0.2)",),
                      setup="import math\ndef near(a, b):\n    return math.isclose(a, b)",
                      timeout_s=1.0)
    solution = "def f(x):\n    return math.fsum([x, x])\nnear = lambda a, b: True"
    assert run_tests(solution, suite, sandbox=sandbox).passed == 1
    assert run_tests("def f(x):\n    return 0.0", suite, sandbox=sandbox).passed == 0


def test_non_strict_mode_compares_like_plain_python(sandbox):
    suite = TestSuite("assert", ("assert f() == 1",), timeout_s=1.0)
    custom = "class One:\n    def __eq__(self, o):\n        return o == 1\ndef f():\n    return One()"
    assert run_tests(custom, suite, sandbox=sandbox).passed == 0
    assert run_tests(custom, suite, sandbox=sandbox, strict=False).passed == 1


def test_harness_source_compiles_and_names_what_it_watches():
    source = harness_source("x = 1", "import os.path\nfrom collections import abc\nassert x == 1",
                            setup="import math", entry="f")
    compile(source, "<harness>", "exec")
    assert imported_modules("import os.path", "from a.b import c") == (
        "a", "a.b", "a.b.c", "os", "os.path")


def test_a_closed_pool_is_a_sandbox_error_not_an_exception():
    from execverify.sandbox import Sandbox

    closed = Sandbox(workers=1)
    closed.close()
    outcome = run_tests(CODE, ASSERTS, sandbox=closed)
    assert outcome.status is OutcomeStatus.SANDBOX_ERROR and outcome.passed == 0
    assert {v.reason for v in outcome.verdicts} == {TestReason.SANDBOX_ERROR}
    result = score_codegen(f"```python\n{CODE}\n```", ASSERTS, sandbox=closed)
    assert result.status == "sandbox_error"
