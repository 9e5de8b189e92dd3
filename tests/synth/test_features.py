import textwrap

import pytest

from execverify.synth import features as F


def src(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


@pytest.mark.parametrize(
    ("code", "seed", "depth"),
    [
        ("def f(s):\n    return s.zfill(3)\n", "str.zfill", 1),
        ("def f(s, n):\n    return s.zfill(n).zfill(9)\n", "str.zfill", 2),
        ("def f(s):\n    return s.zfill(len(s.zfill(4)))\n", "str.zfill", 2),
        (
            "def f(s):\n    a = s.zfill(4)\n    b = a.upper()\n    return b.zfill(9)\n",
            "str.zfill",
            2,
        ),
        ("def f(s):\n    a = s.zfill(4)\n    a = s\n    return a.zfill(9)\n", "str.zfill", 1),
        ("def f(xs):\n    xs.append(1)\n    xs.append(2)\n    return xs\n", "list.append", 2),
        ("def f(xs):\n    xs.append(1)\n    return xs\n", "list.append", 1),
        ("def f(d, k):\n    d[k] = 1\n    d[k + 'x'] = 2\n    return d\n", "dict.__setitem__", 2),
        ("def f(a, b):\n    return a + b + a\n", "str.__add__", 2),
        ("def f(xs):\n    return len(str(len(xs)))\n", "len", 2),
        ("def f(xs):\n    y = xs.pop()\n    z = xs.pop()\n    return y, z\n", "list.pop", 2),
        (
            "def f(xs):\n    t = 0\n    for x in sorted(sorted(xs)):\n        t += x\n    return t\n",
            "sorted",
            2,
        ),
    ],
)
def test_seed_nesting_follows_syntax_variables_and_receivers(code, seed, depth):
    assert F.seed_nesting(code, seed) == depth


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        ("    return x\n", 0),
        ("    if x:\n        x = 1\n    elif x > 2:\n        x = 2\n    else:\n        x = 3\n", 1),
        (
            "    if x:\n        x = 1\n    else:\n        if x:\n            x = 2\n        x = 3\n",
            2,
        ),
        ("    for i in x:\n        while i:\n            i -= 1\n", 2),
        ("    for i in x:\n        if i:\n            while i:\n                i -= 1\n", 3),
    ],
)
def test_control_depth_counts_an_elif_chain_once(body, depth):
    assert F.control_depth("def f(x):\n" + body) == depth


def test_control_kinds_and_forbidden_constructs():
    code = src(
        """
        def f(xs):
            for x in xs:
                if x:
                    pass
                elif x > 1:
                    pass
            return [x for x in xs if x] if xs else None
        """
    )
    assert F.control_kinds(code) == {"for", "if_elif"}
    assert F.other_control(code) == ["IfExp", "ListComp"]


def test_comments_defaults_unused_params_and_calls():
    code = src(
        """
        def helper(a, b=2):
            return a  # only a
        def entry(x, unused):
            return helper(x)
        """
    )
    assert F.comment_count(code) == 1
    assert F.has_defaults(code)
    assert F.unused_params(code) == ["b", "unused"]
    assert F.calls_between(code) == {"helper": set(), "entry": {"helper"}}
    assert F.called_names(code) == {"helper"}
    assert F.seed_call_names("str.zfill") == {"zfill"}
    assert F.seed_call_names("str.__add__") == set()


def test_seed_calls_counts_operators_and_item_assignment():
    assert F.seed_calls("def f(a, b):\n    return a + b + a\n", "str.__add__") == 2
    assert F.seed_calls("def f(d):\n    d['a'] = 1\n    return d\n", "dict.__setitem__") == 1
