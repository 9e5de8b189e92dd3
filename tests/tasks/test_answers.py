from __future__ import annotations

import ast

import pytest

from execverify.tasks.answers import (
    canonical_repr,
    is_stable_repr,
    parse_state_answer,
    state_answer,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{'b', 'c', 'a'}", "{'a', 'b', 'c'}"),
        ("{10, 2, 1}", "{1, 2, 10}"),
        ("set()", "set()"),
        ("[{'y', 'x'}, ({2, 1},)]", "[{'x', 'y'}, ({1, 2},)]"),
        ("{'k': {3, 1}}", "{'k': {1, 3}}"),
        ("{(2, 'b'), (1, 'a')}", "{(1, 'a'), (2, 'b')}"),
        ("{1, 'a', 2.5}", "{2.5, 1, 'a'}"),  # incomparable: by type name, then repr
    ],
)
def test_canonical_repr_sorts_sets(text, expected):
    assert canonical_repr(text) == expected
    assert ast.literal_eval(canonical_repr(text)) == ast.literal_eval(text)


@pytest.mark.parametrize(
    "text",
    [
        "[3, 1, 2]",
        "{'b': 1, 'a': 2}",  # dict order is the program's, not ours
        "'it\\'s'",
        "0.30000000000000004",
        "-0.0",
        "(1,)",
        "<Foo object at 0x7f00>",
        "frozenset({2, 1})",  # not a literal: left as printed
        "nan",
        "'{\"b\", \"a\"}'",  # a string that looks like a set
    ],
)
def test_canonical_repr_leaves_everything_else_alone(text):
    assert canonical_repr(text) == text


def test_state_answer_forms():
    assert state_answer("[1]", "list") == "[1]; list"
    assert parse_state_answer("[1]; list") == ("[1]", "list")
    assert parse_state_answer("'a; b';str") == ("'a; b'", "str")  # the last ; separates
    assert parse_state_answer("Nil") is None


def test_unstable_reprs_are_recognised():
    assert not is_stable_repr("<generator object f at 0x7f3a2c>")
    assert is_stable_repr("'at 0'")
