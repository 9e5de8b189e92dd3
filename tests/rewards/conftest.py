"""Shared fixtures for the reward tests: one sandbox pool and real records of small programs.

Records are built with ``execverify.tasks.build_record``, which traces each call through the
sandbox, so every expected answer below comes from a real execution, not from the test author.
"""

from __future__ import annotations

import textwrap

import pytest

from execverify.data.records import Record
from execverify.sandbox import Limits, Sandbox
from execverify.tasks import TaskConfig, build_record

# Every question selection could draw, so that the checks below look up the questions they test
# whatever the seeded draw would pick (the draw is tested in tests/tasks).
_EVERY = {f"max_{kind}": 1000 for kind in ("next_statement", "state", "coverage", "path")}
ALL_KINDS = TaskConfig(kinds=("output", "input", "next_statement", "state", "coverage", "path"),
                       max_end_answers=1000, **_EVERY)

PROGRAMS: dict[str, tuple[str, str, str, TaskConfig]] = {
    "loop": (
        """
        def f(xs, k):
            out = []
            for x in xs:
                if x > k:
                    out.append(x * 2)
                else:
                    out.append(x)
            return out
        """,
        "f",
        "[1, 5, 3], 2",
        TaskConfig(max_end_answers=1000, **_EVERY),
    ),
    "helper": (
        """
        def shout(s):
            return s.upper()

        def f(words, n):
            seen = set()
            counts = {}
            for w in words:
                if len(w) > n:
                    seen.add(shout(w))
                counts[w] = counts.get(w, 0) + 1
            return seen, counts
        """,
        "f",
        "['ab', 'abcd', 'xyz', 'ab'], 2",
        ALL_KINDS,
    ),
    "floats": (
        """
        def f(x, y):
            z = x / y
            w = -z * 0.0
            flag = x > y
            return (z, w, flag)
        """,
        "f",
        "3, 2",
        ALL_KINDS,
    ),
    "unreached": (
        """
        def f(s):
            t = s.zfill(8)
            if len(t) > 100:
                t = t[::-1]
            return t
        """,
        "f",
        "'abc'",
        ALL_KINDS,
    ),
}


def make_record(name: str, sandbox: Sandbox) -> Record:
    program, entry, args, config = PROGRAMS[name]
    program = textwrap.dedent(program).lstrip("\n")
    try:
        return build_record(program, entry, args, level=3, source="test", id=name,
                            config=config)
    except ImportError:  # until execverify.trace.trace_call lands: trace through our pool
        from execverify.trace.model import Trace

        result = sandbox.call(program, entry, args, hook="execverify.trace.recorder:record",
                              hook_options={"source": program})
        return build_record(program, entry, args, level=3, source="test", id=name,
                            config=config, trace=Trace.from_dict(result.data))


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox(workers=2, limits=Limits(timeout_s=2.0)) as sb:
        yield sb


@pytest.fixture(scope="session")
def records(sandbox) -> dict[str, Record]:
    return {name: make_record(name, sandbox) for name in PROGRAMS}
