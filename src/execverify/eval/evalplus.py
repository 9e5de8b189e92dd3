"""EvalPlus tests (HumanEval+ / MBPP+): expected outputs of the reference solution on
``base_input`` and ``plus_input``, turned into ``assert`` tests.

EvalPlus files give inputs, not outputs; like EvalPlus we run the reference solution on every
input (in the sandbox) and compare a candidate's output with it: exactly, or for floats within
``atol`` (and a relative 1e-7), element by element in containers. Asserts are grouped into
chunks so a problem with a thousand inputs costs a few sandbox executions, not a thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from execverify.rewards.codegen import TestSuite
from execverify.sandbox import Job, Limits

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

CHUNK = 50
CLOSE_HELPER = '''\
def _evalplus_close(out, exp, atol):
    import math
    if type(out) is not type(exp) and not (isinstance(out, (int, float)) and
                                          isinstance(exp, float) and not isinstance(out, bool)):
        return False
    if isinstance(exp, float):
        return math.isclose(out, exp, rel_tol=1e-07, abs_tol=atol) or (out != out and exp != exp)
    if isinstance(exp, (list, tuple)):
        return len(out) == len(exp) and all(_evalplus_close(o, e, atol) for o, e in zip(out, exp))
    return out == exp
'''


def call_args(inputs: Sequence[Any]) -> str:
    """The argument source of one EvalPlus input (a JSON list of positional arguments)."""
    return ", ".join(repr(a) for a in inputs)


def expected_outputs(
    sandbox: Sandbox, reference: str, entry: str, inputs: Sequence[Sequence[Any]],
    timeout_s: float = 20.0,
) -> list[str | None]:
    """``repr`` of the reference's result on each input (None where it failed)."""
    limits = Limits(timeout_s=timeout_s, memory_mb=2048)
    jobs = [Job(source=reference, entry=entry, args=call_args(i), limits=limits) for i in inputs]
    return [r.value if r.ok else None for r in sandbox.run_jobs(jobs)]


def plus_suite(entry: str, inputs: Sequence[Sequence[Any]], outputs: Sequence[str | None],
               atol: float, setup: str = "") -> TestSuite:
    """Chunks of asserts comparing ``candidate(*input)`` with each expected output."""
    lines = []
    for args, expected in zip(inputs, outputs):
        if expected is None:
            continue
        lines.append(f"assert _evalplus_close(candidate({call_args(args)}), {expected}, "
                     f"{atol!r})")
    tests = tuple("\n".join(lines[i:i + CHUNK]) for i in range(0, len(lines), CHUNK))
    return TestSuite(kind="assert", tests=tests, setup=f"{setup}\n{CLOSE_HELPER}".strip(),
                     entry=entry)
