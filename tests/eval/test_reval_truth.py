"""REval task semantics on a small traced program, and state-answer parsing."""

import pytest

from execverify.eval.reval_output import fill, is_value
from execverify.eval.reval_truth import RunTruth, parse_reval_state_answer, state_matches
from execverify.sandbox import Job
from execverify.tasks.answers import NIL
from execverify.trace.model import Trace

PROGRAM = """\
def f(xs, k):
    total = 0
    pairs = []
    for i, x in enumerate(xs):
        if x > k:
            total += x
        pairs.append((i, x))
    ratio = total / 2
    return total
"""


@pytest.fixture(scope="module")
def truth(sandbox):
    job = Job(source=PROGRAM, entry="f", args="*([1, 5, 7], 4,)",
              hook="execverify.trace.recorder:record", hook_options={"source": PROGRAM})
    (result,) = sandbox.run_jobs([job])
    assert result.ok, result.error_message
    return RunTruth(Trace.from_dict(result.data), region_end=9)


def test_coverage_and_next_lines(truth):
    assert truth.covered(6) and not truth.covered(10)
    assert truth.next_lines(5) == {6, 7}          # both branches were taken on some run
    assert truth.next_lines(9) == {-1}            # the return is the last step
    assert truth.next_lines(100) == {-1}          # never ran


def test_state_values_over_all_runs(truth):
    totals = truth.state(6, "total")
    assert sorted(v.obj for v in totals) == [5, 12]
    assert truth.state(7, "pairs[i]") != NIL      # subscripts combine the parts' values
    assert truth.state(10, "total") == NIL        # line never runs
    assert {v.type_name for v in truth.state(8, "ratio")} == {"float"}


@pytest.mark.parametrize(("answer", "line", "var", "right"), [
    ("12; int", 6, "total", True),
    ("5; int", 6, "total", True),                 # any run's value counts
    ("12.0; float", 6, "total", False),           # the type must be one the variable had
    ("12; float", 6, "total", False),             # the value must be of its stated type
    ("6.0; float", 8, "ratio", True),
    ("6.0000001; float", 8, "ratio", True),        # floats within 1e-6
    ("Nil", 10, "total", True),
    ("0; int", 10, "total", False),
    ("12 int", 6, "total", False),                # no separator: unanswerable
    ("[(0, 1), (1, 5), (2, 7)]; List[tuple]", 7, "pairs", True),  # generics are dropped
])
def test_state_matching(truth, answer, line, var, right):
    assert state_matches(parse_reval_state_answer(answer), truth.state(line, var)) is right


def test_parse_state_answer_normalises_like_reval():
    assert parse_reval_state_answer("\u2018ab\u2019; string") == ("ab", "str", True)
    assert parse_reval_state_answer("None; NoneType") == (None, "nonetype", True)
    assert parse_reval_state_answer("nil") == NIL
    assert parse_reval_state_answer("(1, 2); Tuple[int, int]") == ((1, 2), "tuple", True)


def test_fill_templates():
    template = "x = C(2)\nassertEqual(x.get(), ??)\nassertTrue(??)"
    answer = "x = C(2)\nassertEqual(x.get(),[1, 2])\nassertTrue( True )"
    assert fill(template, answer) == ["x = C(2)", "assertEqual(x.get(), ([1, 2]))",
                                      "assertTrue((True))"]
    assert fill("assert f(1) == ??", "3") == ["assert f(1) == (3)"]   # a bare value
    assert fill("assert f(1) == ??", "assert f(1) == f(1)") is None     # code, not a value
    assert fill(template, "assertEqual(x.get(), [1])") is None         # a hole left open


@pytest.mark.parametrize(("text", "ok"), [("[1, -2.5, 'a', (None, True)]", True), ("{1: {2}}", True),
                                          ("f(1)", False), ("x", False), ("a.b", False),
                                          ("[i for i in 'ab']", False), ("1 +", False)])
def test_is_value(text, ok):
    assert is_value(text) is ok
