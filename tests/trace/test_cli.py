"""``execverify trace``: the table, --json, and one-line errors on bad input."""

from __future__ import annotations

import json

import pytest

from execverify.cli import CliError, OneLineParser
from execverify.trace import Trace
from execverify.trace.cli import parse_call, register

PROGRAM = "def helper(a):\n    a.append(1)\n\ndef f(n, s):\n    xs = []\n    helper(xs)\n    return xs, s\n"


def run(argv: list[str]) -> int:
    parser = OneLineParser(prog="execverify")
    register(parser.add_subparsers(dest="verb", parser_class=OneLineParser))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    return path


def test_table(program, capsys):
    assert run(["trace", str(program), "--call", "f(2, 'a b')"]) == 0
    out = capsys.readouterr().out
    assert "helper(xs)  ->  xs=[1] (list)" in out
    assert "  helper" in out                       # the helper is indented by its depth
    assert "status: ok" in out and "output: ([1], 'a b') (tuple)" in out


def test_json_round_trips(program, capsys):
    assert run(["trace", str(program), "--call", "f(1, s='x')", "--json", "--python", "3.12"]) == 0
    trace = Trace.from_dict(json.loads(capsys.readouterr().out))
    assert trace.path() == [5, 6, 2, 7] and trace.backend == "monitoring"


def test_max_steps(program, capsys):
    assert run(["trace", str(program), "--call", "f(1, '')", "--max-steps", "2"]) == 0
    assert "status: step_limit" in capsys.readouterr().out


@pytest.mark.parametrize(("text", "expected"), [
    ("f(1, 2)", ("f", "1, 2")),
    ("  g ( [1, (2, 3)], k='x)' )  # note", ("g", "[1, (2, 3)], k='x)'")),
    ("f()", ("f", "")),
])
def test_parse_call(text, expected):
    assert parse_call(text) == expected


@pytest.mark.parametrize("text", ["f(", "f(1) + 1", "obj.f(1)", "42", "f(1)(2)"])
def test_bad_call_is_a_one_line_error(text):
    with pytest.raises(CliError) as info:
        parse_call(text)
    assert "\n" not in str(info.value)


def test_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CliError, match="cannot read program"):
        run(["trace", str(tmp_path / "nope.py"), "--call", "f()"])
