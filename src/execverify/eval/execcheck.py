"""Run "does this check program pass?" jobs in the sandbox, the way the official harnesses do.

CRUXEval and LiveCodeBench judge an answer by ``exec``-ing a check program (the benchmark's
code plus ``assert <gold> == <answer>``) in a fresh globals dict with its output swallowed: the
answer is right exactly when that ``exec`` raises nothing (any ``BaseException``, including
``SystemExit``, is a failure) within the time limit. We reproduce those semantics inside the
sandbox, and close two holes a sandbox status alone would leave open:

- a program that exits the process early (``os._exit(0)``) ends with status ``ok`` but never
  reached the end of the check: success also requires a per-run random marker that the
  wrapper writes only after ``exec`` returned;
- a program that floods stdout: the official harness swallows output, so the wrapper does
  too, instead of failing on the sandbox's output cap.

Identical check programs are run once (benchmark programs are deterministic under the
sandbox's fixed hash seed), which makes scoring n samples of greedy decoding nearly free.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from execverify.sandbox import Job, Limits, Sandbox, Status

OFFICIAL_TIMEOUT_S = 3.0
"""CRUXEval's and LiveCodeBench's per-check limit (``check_correctness(program, 3)``)."""

_WRAPPER = """\
import io as _io, os as _os, sys as _sys
class _Sink(_io.TextIOBase):
    def write(self, s):
        return len(s)
    def readable(self):
        return False
_sink = _Sink()
_saved = (_sys.stdout, _sys.stderr, _sys.stdin)
_sys.stdout = _sys.stderr = _sys.stdin = _sink
_passed = False
try:
    exec({program!r}, {{}})
    _passed = True
except BaseException:
    pass
finally:
    _sys.stdout, _sys.stderr, _sys.stdin = _saved
_os.write(1, ({marker!r} if _passed else "failed").encode())
"""


@dataclass(frozen=True)
class CheckResult:
    """``passed``: the check program ran to the end; ``status``: ``pass``, ``fail`` (an
    exception, e.g. the assertion), ``timeout``, ``memory`` or ``crash``."""

    passed: bool
    status: str


def wrap(program: str, marker: str) -> str:
    """The sandbox source that runs ``program`` with official semantics and reports by marker."""
    return _WRAPPER.format(program=program, marker=marker)


def run_checks(
    sandbox: Sandbox,
    programs: Sequence[str],
    *,
    timeout_s: float = OFFICIAL_TIMEOUT_S,
    memory_mb: int = 1024,
) -> list[CheckResult]:
    """Run each check program once (duplicates share a run); results in input order."""
    unique = list(dict.fromkeys(programs))
    marker = "passed-" + secrets.token_hex(16)
    limits = Limits(timeout_s=timeout_s, memory_mb=memory_mb)
    jobs = [Job(source=wrap(p, marker), limits=limits) for p in unique]
    results = sandbox.run_jobs(jobs)
    by_program = {p: _verdict(r.status, r.stdout, marker) for p, r in zip(unique, results)}
    return [by_program[p] for p in programs]


def _verdict(status: Status, stdout: str, marker: str) -> CheckResult:
    if status is Status.OK:
        passed = stdout.endswith(marker)
        return CheckResult(passed, "pass" if passed else "fail")
    if status in (Status.TIMEOUT, Status.MEMORY):
        return CheckResult(False, str(status))
    if status is Status.ERROR:
        return CheckResult(False, "fail")
    return CheckResult(False, "crash")
