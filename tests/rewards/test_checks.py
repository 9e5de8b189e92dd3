"""Per-kind answer checks against real records (answers come from traced executions)."""

from __future__ import annotations

import pytest

from execverify.data.records import Question
from execverify.rewards.checks import check_answer, normalise_code


def _q(record, kind, line=None, hit=None, var=None):
    for q in record.questions:
        if q.kind == kind and (line is None or q.line == line) and (
                hit is None or q.hit == hit) and (var is None or q.var == var):
            return q
    raise LookupError((kind, line, hit, var))


def _check(record, question, answer):
    return check_answer(question, answer, record)[0]


OUTPUT_CASES = [
    ("loop", "[1, 10, 6]", True),
    ("loop", "[1,10,6]", True),
    ("loop", "assert f([1, 5, 3], 2) == [1, 10, 6]", True),
    ("loop", "assert f([1,5,3],2)==[1,10,6]", True),
    ("loop", "assert f([1, 5, 3], k=2) == [1, 10, 6]", False),  # not the asked call's syntax
    ("loop", "assert g([1, 5, 3], 2) == [1, 10, 6]", False),
    ("loop", "assert f([1, 5, 3], 2) == f([1, 5, 3], 2)", False),
    ("loop", "assert [1, 10, 6] == f([1, 5, 3], 2)", False),
    ("loop", "assert f([1, 5, 3], 2) == [1, 10, 6] or True", False),
    ("loop", "f([1, 5, 3], 2)", False),
    ("loop", "[1, 10, 7]", False),
    ("loop", "(1, 10, 6)", False),
    ("helper", "({'XYZ', 'ABCD'}, {'xyz': 1, 'ab': 2, 'abcd': 1})", True),  # set/dict order
    ("helper", "({'XYZ'}, {'xyz': 1, 'ab': 2, 'abcd': 1})", False),
    ("floats", "(1.5, 0.0, True)", True),  # -0.0 == 0.0
    ("floats", "(1.5, -0.0, 1)", True),  # True == 1, as assert would judge it
    ("floats", "(1.5, -0.0)", False),
    ("unreached", '"00000abc"', True),
    ("unreached", "00000abc", False),
]


@pytest.mark.parametrize("name, answer, correct", OUTPUT_CASES)
def test_output(records, name, answer, correct):
    record = records[name]
    assert _check(record, _q(record, "output"), answer) is correct


LINE_CASES = [
    # loop: after line 4 (1st run) comes line 7 `out.append(x)`
    ("loop", "next_statement", 4, 1, "out.append(x)", True),
    ("loop", "next_statement", 4, 1, "  out.append( x )  ", True),
    ("loop", "next_statement", 4, 1, "7", True),
    ("loop", "next_statement", 4, 1, "line 7", True),
    ("loop", "next_statement", 4, 1, "7 | out.append(x)", True),
    ("loop", "next_statement", 4, 1, "5 | out.append(x)", False),  # number and text disagree
    ("loop", "next_statement", 4, 1, "out.append(x * 2)", False),
    ("loop", "next_statement", 4, 1, "outappend(x)", False),
    ("loop", "next_statement", 4, 1, "-1", False),
    ("loop", "next_statement", 8, 1, "-1", True),
    ("loop", "next_statement", 8, 1, "return out", False),
    ("helper", "path", 7, None, "8", True),  # any successor of any run
    ("helper", "path", 7, None, "return seen, counts", True),
    ("helper", "path", 7, None, "11", True),
    ("helper", "path", 7, None, "9", False),
    ("unreached", "path", 4, None, "-1", True),
    ("unreached", "path", 4, None, "5", False),
]


@pytest.mark.parametrize("name, kind, line, hit, answer, correct", LINE_CASES)
def test_lines(records, name, kind, line, hit, answer, correct):
    record = records[name]
    assert _check(record, _q(record, kind, line, hit), answer) is correct


STATE_CASES = [
    ("loop", 5, 1, "out", "[1, 10]; list", True),
    ("loop", 5, 1, "out", "[1,10] ; list", True),
    ("loop", 5, 1, "out", "[1, 10]; <class 'list'>", True),
    ("loop", 5, 1, "out", "[1, 10]; tuple", False),
    ("loop", 5, 1, "out", "(1, 10); list", False),  # the value is not a list
    ("loop", 5, 1, "out", "[1, 10]", False),
    ("loop", 5, 1, "out", "Nil", False),
    ("loop", 3, 1, "x", "1; int", True),
    ("loop", 3, 1, "x", "1.0; int", False),  # 1.0 == 1, but it is not an int
    ("loop", 3, 1, "x", "True; int", False),
    ("floats", 4, 1, "flag", "True; bool", True),
    ("floats", 4, 1, "flag", "1; bool", False),
    ("floats", 3, 1, "w", "0.0; float", True),  # -0.0 == 0.0
    ("helper", 9, 1, "seen", "{'ABCD'}; set", True),
    ("helper", 10, 2, "counts", "{'abcd': 1, 'ab': 1}; dict", True),
    ("helper", 7, 4, "w", "'ab'; str", True),
    ("helper", 7, 4, "w", "ab; str", False),
    ("unreached", 4, 1, "t", "Nil", True),
    ("unreached", 4, 1, "t", "nil", True),
    ("unreached", 4, 1, "t", "'cba00000'; str", False),
    ("unreached", 2, 1, "t", "'00000abc'; str", True),
]


@pytest.mark.parametrize("name, line, hit, var, answer, correct", STATE_CASES)
def test_state(records, name, line, hit, var, answer, correct):
    record = records[name]
    assert _check(record, _q(record, "state", line, hit, var), answer) is correct


@pytest.mark.parametrize("answer, correct", [
    ("No", True), ("no", True), ("NO.", True), ("Yes", False), ("maybe", False), ("", False),
])
def test_coverage(records, answer, correct):
    record = records["unreached"]
    assert _check(record, _q(record, "coverage", 4), answer) is correct


def test_state_value_that_is_not_a_literal_is_compared_as_text(records):
    question = Question(kind="state", line=2, hit=1, var="v", answers=("nan; float",))
    assert check_answer(question, "nan; float", records["floats"])[0]
    assert check_answer(question, " nan ;float", records["floats"])[0]
    assert not check_answer(question, "float('nan'); float", records["floats"])[0]


def test_input_is_not_checked_by_reading(records):
    record = records["loop"]
    ok, why = check_answer(_q(record, "input"), "[1, 5, 3], 2", record)
    assert not ok and "not checked" in why


def test_over_long_answers_are_wrong_unread(records):
    record = records["loop"]
    ok, why = check_answer(_q(record, "output"), "[" + "1, " * 5000 + "]", record)
    assert not ok and "longer" in why


def test_normalise_code_keeps_strings_and_word_boundaries():
    assert normalise_code("x  =  'a  b'") == "x='a  b'"
    assert normalise_code("return x") != normalise_code("returnx")
    assert normalise_code("if a > b :") == normalise_code("if a>b:")
