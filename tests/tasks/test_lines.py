from __future__ import annotations

import textwrap

from execverify.tasks.lines import ProgramLines

PROGRAM = textwrap.dedent(
    '''
    import math

    def helper(a):
        """Docstrings never run as a line."""
        return a * 2

    def f(xs, k):
        total = 0
        for i, x in enumerate(xs):
            if x > k:
                total += helper(x)
            elif x == k:
                continue
            else:
                pair = [
                    x,
                    k,
                ]
        while total > 100:
            total //= 2
        try:
            total = total + 1
        except ValueError:
            total = 0
        d = {}
        d['a'] = total
        return total
    '''
).lstrip("\n")


def test_statement_lines_are_inside_functions_only():
    lines = ProgramLines.parse(PROGRAM)
    assert 1 not in lines.statements  # module-level import
    assert 3 not in lines.statements and 7 not in lines.statements  # def lines
    assert 4 not in lines.statements  # docstring
    assert 21 not in lines.statements  # `try:` has no line event of its own
    assert {5, 8, 9, 10, 11, 12, 13, 15, 19, 20, 22, 24, 25, 26, 27} == set(lines.statements)


def test_branches_loops_and_successors():
    lines = ProgramLines.parse(PROGRAM)
    assert set(lines.branches) == {9, 10, 12, 19}
    assert set(lines.loops) == {9, 19}
    assert lines.successor[8] == 9
    assert lines.successor[9] == 10  # a header's successor is its body
    assert lines.successor[15] == 19  # a multi-line statement ends on line 18
    assert not lines.is_jump(8, 9)
    assert lines.is_jump(11, 9)  # loop back-edge
    assert lines.is_jump(27, None)  # execution ends
    assert 27 not in lines.successor


def test_bindings_and_text():
    lines = ProgramLines.parse(PROGRAM)
    assert lines.bindings[9] == ("i", "x")
    assert lines.bindings[11] == ("total",)
    assert lines.bindings[15] == ("pair",)
    assert 26 not in lines.bindings  # d['a'] = ... binds no name
    assert lines.text(11) == "total += helper(x)"
    assert lines.text(99) == ""
