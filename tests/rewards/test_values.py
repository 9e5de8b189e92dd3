"""Value comparison: Python ``==`` semantics, literal-only reading, caps on hostile text."""

from __future__ import annotations

import pytest

from execverify.rewards.values import NOT_LITERAL, literal, matches_value, nesting_depth

EQUAL = [
    ("[1, 2]", "[1,2]"),
    ("{'a': 1, 'b': 2}", "{'b': 2, 'a': 1}"),  # dicts by content
    ("{3, 1, 2}", "{1, 2, 3}"),  # sets by value
    ("1", "1.0"),  # Python ==
    ("True", "1"),
    ("0.0", "-0.0"),
    ("(1,)", "(1, )"),
    ("'a'", '"a"'),
    ("set()", "set()"),
    ("nan", "nan"),  # not a literal: compared as text
    ("[1.0, inf]", "[1.0, inf]"),
    ("1e3", "1000.0"),
]

DIFFERENT = [
    ("[1, 2]", "(1, 2)"),
    ("[1, 2]", "[2, 1]"),
    ("0.30000000000000004", "0.3"),
    ("'1'", "1"),
    ("nan", "float('nan')"),
    ("None", "'None'"),
    ("{1: 2}", "{1: 3}"),
]


@pytest.mark.parametrize("expected, answer", EQUAL)
def test_equal(expected, answer):
    assert matches_value(answer, expected)[0]


@pytest.mark.parametrize("expected, answer", DIFFERENT)
def test_different(expected, answer):
    assert not matches_value(answer, expected)[0]


@pytest.mark.parametrize("text", [
    "f(1)", "__import__('os')", "(x := 1)", "lambda: 1", "[1] * 3", "x", "1 + 2",
    "[i for i in range(3)]", "open('/etc/passwd')", "a.b", "{**{}}",
])
def test_code_is_not_a_literal(text):
    assert literal(text) is NOT_LITERAL


def test_caps_make_hostile_text_cheap_and_harmless():
    assert literal("[" * 10_000 + "]" * 10_000) is NOT_LITERAL  # depth cap
    assert literal("[" * 1000 + "]" * 1000, 4096, 5000) is NOT_LITERAL  # the parser refuses
    assert literal("9" * 5_000, 10_000) is NOT_LITERAL  # over the int digit limit
    assert literal("[" + "2, " * 2_000 + "]") is NOT_LITERAL  # over the length cap
    assert literal("'\\x00'") == "\x00"
    assert literal("'\x00'") is NOT_LITERAL  # a raw NUL byte is refused by the parser
    assert nesting_depth("[[()]]") == 3


def test_reason_strings():
    assert matches_value("[1,2]", "[1, 2]") == (True, "equal value")
    assert matches_value("[1, 2]", "[1, 2]") == (True, "exact")
    assert matches_value("f()", "[1, 2]") == (False, "not a Python literal")


def test_fast_paths_agree_with_literal_eval():
    """The shortcuts in ``literal`` (ints, plain strings, JSON for int lists, direct node
    dispatch) must give exactly what ``ast.literal_eval`` gives, and refuse what it refuses."""
    import ast

    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = "[](){},:;'\" 0123456789-+.eEjxTrueFalsNon*a=set"

    @settings(max_examples=3000, deadline=None, database=None, derandomize=True)
    @given(st.text(alphabet=alphabet, max_size=25))
    def agree(text):
        try:
            want = ast.literal_eval(text.strip())
        except Exception:
            want = NOT_LITERAL
        got = literal(text)
        if want is NOT_LITERAL:
            assert got is NOT_LITERAL, (text, got)
        else:
            assert got is not NOT_LITERAL and repr(got) == repr(want), (text, got, want)

    agree()


def test_compiler_warnings_about_model_text_stay_silent():
    import subprocess
    import sys

    code = ("from execverify.rewards.values import literal\n"
            "from execverify.rewards.codegen import _precheck, TestSuite\n"
            "literal('[1](2)'); literal(\"'\\\\]'\"); literal('1if 1 else 2')\n"
            "_precheck('x = [1](2)', TestSuite('assert', ('assert 1',)))\n"
            "import warnings; warnings.warn('other warnings still show', SyntaxWarning)\n")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stderr.count("Warning") == 1 and "other warnings still show" in out.stderr
