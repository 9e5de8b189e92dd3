"""Hand-checked answers for tricky programs. Each expected answer was worked out by hand from
the program text (line numbers are in the comments), not copied from the tracer's output."""

from __future__ import annotations

import ast
from dataclasses import replace

import pytest

from execverify.data.records import Question
from execverify.tasks import (
    END,
    NIL,
    NO,
    YES,
    ProgramLines,
    coverage_question,
    input_question,
    next_statement_question,
    output_question,
    path_question,
    state_question,
)
from execverify.tasks.prompts import question_text
from execverify.tasks.questions import with_texts

ALIASING = """
    def f(xs):
        a = xs
        b = a
        b.append(4)
        c = list(a)
        c.append(5)
        return a
"""


def test_aliasing_mutation_through_one_name_changes_every_alias(traced):
    _program, t = traced(ALIASING, "f", "[1, 2]")
    # line 4 `b.append(4)`: a, b and the argument xs are one list
    for var in ("a", "b", "xs"):
        assert state_question(t, 4, 1, var).answers == ("[1, 2, 4]; list",)
    assert set(t.changed_vars(4, 1)) == {"a", "b", "xs"}
    # line 6 `c.append(5)`: c is a copy, a is untouched
    assert state_question(t, 6, 1, "c").answers == ("[1, 2, 4, 5]; list",)
    assert state_question(t, 6, 1, "a").answers == ("[1, 2, 4]; list",)
    assert set(t.changed_vars(6, 1)) == {"c"}
    assert output_question(t.output).answers == ("[1, 2, 4]",)


HELPER = """
    def add(items, x):
        items.append(x)
        return None

    def f(data):
        count = len(data)
        add(data, count)
        add(data, count * 2)
        return data
"""


def test_mutation_inside_helper(traced):
    program, t = traced(HELPER, "f", "[5]")
    lines = ProgramLines.parse(program)
    assert state_question(t, 2, 1, "items").answers == ("[5, 1]; list",)
    assert state_question(t, 2, 2, "items").answers == ("[5, 1, 2]; list",)
    # the caller's line shows the helper's mutation as its own change
    assert state_question(t, 7, 1, "data").answers == ("[5, 1]; list",)
    assert state_question(t, 8, 1, "data").answers == ("[5, 1, 2]; list",)
    assert "data" in t.changed_vars(7, 1)
    # line 7 calls into the helper: the next line is the helper's first body line
    assert next_statement_question(lines, t, 7, 1).answers == ("items.append(x)", "2")
    # the helper's return goes back to the caller, which moves on to its next line
    assert next_statement_question(lines, t, 3, 1).answers == ("add(data, count * 2)", "8")
    assert next_statement_question(lines, t, 3, 2).answers == ("return data", "9")
    assert next_statement_question(lines, t, 9, 1).answers == (END,)  # execution ends
    assert next_statement_question(lines, t, 3, 3).answers == (END,)  # runs only twice
    assert path_question(lines, t, 3).answers == ("8", "add(data, count * 2)", "9", "return data")


REBOUND = """
    def f(n):
        x = 0
        for i in range(n):
            x = x + i
            x = x * 2
        return x
"""


def test_variable_rebound_in_a_loop(traced):
    program, t = traced(REBOUND, "f", "3")
    lines = ProgramLines.parse(program)
    # i=0: x=0 -> 0; i=1: x=1 -> 2; i=2: x=4 -> 8
    assert state_question(t, 4, 3, "x").answers == ("4; int",)
    assert state_question(t, 5, 2, "x").answers == ("2; int",)
    assert state_question(t, 5, 3, "x").answers == ("8; int",)
    assert state_question(t, 5, 4, "x").answers == (NIL,)  # the body runs 3 times only
    assert state_question(t, 3, 2, "i").answers == ("1; int",)
    assert t.hits(3) == 4  # three iterations and the exhausted check
    assert next_statement_question(lines, t, 3, 1).answers == ("x = x + i", "4")
    assert next_statement_question(lines, t, 5, 3).answers == ("for i in range(n):", "3")
    assert next_statement_question(lines, t, 3, 4).answers == ("return x", "6")
    assert next_statement_question(lines, t, 3, 5).answers == (END,)
    assert output_question(t.output).answers == ("8",)


NOOP = """
    def f(s):
        t = s.upper()
        t.lower()
        u = t
        t = t
        return u
"""


def test_line_that_runs_but_changes_nothing(traced):
    _program, t = traced(NOOP, "f", "'ab'")
    assert t.changed_vars(3, 1) == {}
    assert t.changed_vars(5, 1) == {}
    # asking anyway gives the unchanged value, not Nil: the line did run
    assert state_question(t, 3, 1, "t").answers == ("'AB'; str",)
    assert state_question(t, 5, 1, "u").answers == ("'AB'; str",)
    assert set(t.changed_vars(4, 1)) == {"u"}
    assert coverage_question(t, 3).answers == (YES,)


FLOATS = """
    def f(a, b):
        q = a / b
        r = round(q, 2)
        big = q * 1e20
        w = float(a)
        h = 0.1 + 0.2
        return (q, r, big, w, h)
"""


def test_float_formatting_is_python_repr(traced):
    _program, t = traced(FLOATS, "f", "1, 3")
    assert state_question(t, 2, 1, "q").answers == ("0.3333333333333333; float",)
    assert state_question(t, 3, 1, "r").answers == ("0.33; float",)
    assert state_question(t, 4, 1, "big").answers == ("3.333333333333333e+19; float",)
    assert state_question(t, 5, 1, "w").answers == ("1.0; float",)
    assert state_question(t, 6, 1, "h").answers == ("0.30000000000000004; float",)
    assert output_question(t.output).answers == (
        "(0.3333333333333333, 0.33, 3.333333333333333e+19, 1.0, 0.30000000000000004)",
    )


QUOTES = """
    def f(s):
        t = s + "'" + '"'
        u = t + "\\n"
        return u
"""


def test_strings_with_quotes_and_newlines(traced):
    _program, t = traced(QUOTES, "f", '"it\'s"')
    assert state_question(t, 2, 1, "t").answers == ("'it\\'s\\'\"'; str",)
    (answer,) = state_question(t, 3, 1, "u").answers
    assert answer == "'it\\'s\\'\"\\n'; str"
    assert "\n" not in answer  # one answer per line stays possible
    assert ast.literal_eval(answer.rsplit("; ", 1)[0]) == "it's'\"\n"
    assert output_question(t.output).answers == ("'it\\'s\\'\"\\n'",)


SETS = """
    def f(words):
        s = set(words)
        s.add('zeta')
        n = {len(w) for w in s}
        return s
"""


def test_sets_get_a_canonical_sorted_repr(traced):
    _program, t = traced(SETS, "f", "['pear', 'apple', 'fig']")
    # only the sorted form is stored: the printed order depends on PYTHONHASHSEED
    assert state_question(t, 3, 1, "s").answers == ("{'apple', 'fig', 'pear', 'zeta'}; set",)
    assert state_question(t, 4, 1, "n").answers == ("{3, 4, 5}; set",)
    assert output_question(t.output).answers == ("{'apple', 'fig', 'pear', 'zeta'}",)


BRANCHES = """
    def f(x):
        if x > 10:
            y = 'big'
        elif x > 5:
            y = 'mid'
        else:
            y = 'small'
        while x > 0:
            x -= 4
        return y
"""


def test_unreached_lines_and_branches(traced):
    program, t = traced(BRANCHES, "f", "7")
    lines = ProgramLines.parse(program)
    assert next_statement_question(lines, t, 2, 1).answers == ("elif x > 5:", "4")
    assert next_statement_question(lines, t, 4, 1).answers == ("y = 'mid'", "5")
    assert next_statement_question(lines, t, 3, 1).answers == (END,)  # never reached
    assert state_question(t, 7, 1, "y").answers == (NIL,)
    assert coverage_question(t, 7).answers == (NO,)
    assert coverage_question(t, 5).answers == (YES,)
    # 7 -> 3 -> -1: the loop body runs twice, the header three times
    assert t.hits(8) == 3
    assert state_question(t, 9, 2, "x").answers == ("-1; int",)
    assert next_statement_question(lines, t, 8, 3).answers == ("return y", "10")
    assert path_question(lines, t, 8).answers == ("9", "x -= 4", "10", "return y")
    assert path_question(lines, t, 7).answers == (END,)


def test_input_question_accepts_the_original_arguments():
    assert input_question("[1, 2], 'x'").answers == ("[1, 2], 'x'",)


def test_state_question_refuses_an_unbound_variable(traced):
    _program, t = traced(REBOUND, "f", "3")
    with pytest.raises(ValueError, match="unbound"):
        state_question(t, 2, 1, "i")  # i is bound only from line 3 on


def test_with_texts_renders_each_question_and_keeps_its_other_fields():
    questions = [
        output_question("3"),
        Question(kind="state", answers=("1; int",), line=2, hit=2, var="x"),
        Question(kind="next_statement", answers=(END,), line=4, hit=1),
    ]
    call = {"entry": "f", "args": "[1, 2]", "output": "3"}
    texted = with_texts(questions, **call)
    assert texted == [replace(q, text=question_text(q, **call)) for q in questions]
    assert all(q.text for q in texted)
