"""Shared helpers for the task tests: real traces (through the sandbox) of small programs."""

from __future__ import annotations

import textwrap

import pytest

from execverify.trace import trace_call


@pytest.fixture
def traced():
    """``traced(program, entry, args) -> (program, Trace)``; the program is dedented first."""

    def run(program: str, entry: str, args: str):
        program = textwrap.dedent(program).lstrip("\n")
        t = trace_call(program, entry, args)
        assert t.status == "ok", t.error
        return program, t

    return run
