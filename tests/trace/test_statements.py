"""Static line facts: statement mapping, plain lines and what they bind."""

from __future__ import annotations

import ast
import json
import textwrap

import pytest

from execverify.trace.statements import (
    StatementFacts,
    child_nodes,
    child_statements,
    line_effects,
    nodes,
    one_line_loops,
    parse,
    statement_lines,
    statement_nodes,
)

SOURCE = textwrap.dedent("""\
    def f(xs, d):
        total = (1 +
                 2)
        for i, x in enumerate(xs):
            total += x
        try:
            y = d[0]
        except (KeyError,
                IndexError) as e:
            y = None
        match total:
            case 1:
                pass
        while total: total -= 1
        return total
""")


def test_statement_lines_map_continuations_and_clauses():
    lines = statement_lines(parse(SOURCE))
    assert lines[2] == lines[3] == 2
    assert lines[8] == lines[9] == 8        # an except clause is a statement of its own
    assert lines[12] == 12 and lines[13] == 13
    assert lines[14] == 14
    assert statement_lines(parse("def f(:")) == {}


def test_node_lists_follow_ast_walk():
    tree = parse(SOURCE + "\nclass C:\n    def m(self, a=[i for i in range(3)]):\n        return a\n")
    walked = list(ast.walk(tree))
    assert nodes(tree) == walked and nodes(tree) == walked  # the second one comes from the tree
    blocks = (ast.stmt, ast.excepthandler, ast.match_case)
    assert statement_nodes(tree) == [n for n in walked if isinstance(n, blocks)]
    assert all(child_nodes(n) == list(ast.iter_child_nodes(n)) for n in walked)


def test_child_statements_are_the_statement_children():
    for node in ast.walk(parse(SOURCE)):
        assert child_statements(node) == [c for c in child_nodes(node) if isinstance(c, ast.stmt)]


def test_statement_facts_hold_what_the_recorder_needs_and_survive_the_wire():
    facts = StatementFacts.of(parse(SOURCE))
    assert facts.lines[3] == 2 and facts.lines[9] == 8 and 4 not in facts.lines  # 4 is 4
    assert facts.loops == frozenset({14})
    assert facts.plain[4] == (("i", "x"), ()) and facts.plain[5] == (("total",), ("total",))
    assert 7 not in facts.plain  # y = d[0] is not plain
    assert StatementFacts.from_wire(json.loads(json.dumps(facts.to_wire()))) == facts
    assert StatementFacts.of(None) == StatementFacts({}, frozenset(), {})


def test_one_line_loops():
    assert one_line_loops(parse(SOURCE)) == frozenset({14})


@pytest.mark.parametrize(("statement", "plain", "writes"), [
    ("x = a + b * 2", True, {"x"}),
    ("x, (y, *z) = a, (b, c, d)", True, {"x", "y", "z"}),
    ("x = len(s) + s.count('a')", True, {"x"}),
    ("x = s.strip().upper()", True, {"x"}),
    ("x = [c for c in s if c.isdigit()]", True, {"x", "c"}),  # 3.12 keeps c in the frame
    ("x = lambda v: v.append(1)", True, {"x"}),                # the body runs elsewhere
    ("for i in range(n): pass", True, {"i"}),
    ("if a > b and s.startswith('x'): pass", True, set()),
    ("x = a[0]", False, set()),                  # a defaultdict inserts on read
    ("a[0] = 1", False, set()),
    ("o.v = 1", False, set()),
    ("x = xs.pop()", False, set()),
    ("x = helper(a)", False, set()),
    ("x = list(map(out.append, xs))", False, set()),  # a mutator passed as a value
    ("x = (y := 3)", False, set()),
    ("del x", False, set()),
    ("return x", False, set()),
])
def test_line_effects(statement, plain, writes):
    effect = line_effects(parse(statement))[1]
    assert effect.plain is plain
    if plain:
        assert effect.writes == frozenset(writes)


def test_augmented_names_are_recorded():
    effect = line_effects(parse("total += x"))[1]
    assert effect.plain and effect.augmented == ("total",)
    assert not line_effects(parse("xs[0] += 1"))[1].plain


def test_statements_on_one_line_combine():
    effects = line_effects(parse("a = 1; b = helper(a)\nc = 2; d = 3\n"))
    assert not effects[1].plain
    assert effects[2].plain and effects[2].writes == frozenset({"c", "d"})
