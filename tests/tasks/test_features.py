from __future__ import annotations

import textwrap

import pytest

from execverify.tasks.features import program_features


def features(program: str, entry: str = "f", **kw):
    return program_features(textwrap.dedent(program), entry, **kw)


def test_methods_builtins_helper_and_lines():
    got = features(
        """
        def g(s):
            return s.strip().zfill(8)

        def f(xs):
            out = [g(x) for x in sorted(xs)]
            out.append(str(len(out)))
            return out
        """,
        steps=12,
    )
    assert got == {
        "methods": ["append", "strip", "zfill"],
        "builtins": ["len", "sorted", "str"],
        "control_flow_depth": 0,
        "helper_call": True,
        "functions": 2,
        "lines": 6,
        "steps": 12,
    }


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        ("    return x\n", 0),
        ("    if x:\n        x = 1\n    elif x > 2:\n        x = 2\n    else:\n        x = 3\n", 1),
        ("    for i in x:\n        while i:\n            i -= 1\n", 2),
        ("    for i in x:\n        if i:\n            while i:\n                i -= 1\n", 3),
        ("    if x:\n        pass\n    elif x:\n        for i in x:\n            pass\n", 2),
        ("    try:\n        for i in x:\n            pass\n    except Exception:\n        pass\n", 1),
    ],
)
def test_control_flow_depth(body, depth):
    assert features("def f(x):\n" + body)["control_flow_depth"] == depth


def test_no_helper_call_when_entry_calls_only_itself_or_builtins():
    got = features(
        """
        def g(n):
            return n

        def f(n):
            return f(n - 1) if n else len([n])
        """
    )
    assert got["helper_call"] is False
    assert got["builtins"] == ["len"]
    assert "steps" not in got
