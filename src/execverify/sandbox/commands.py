"""Run external commands (a compiler, then the program it built) inside the sandbox.

The sandbox runs Python; benchmarks in other languages need ``javac``, ``g++``, ``go`` and
the like. Rather than a second isolation path, a command job is an ordinary sandbox job whose
hook (:func:`run_steps`) writes the job's files into the execution's private working directory
and runs each step as a subprocess of the forked child. So every step inherits exactly what a
Python program gets: the namespaces, the read-only file system, the scrubbed environment, the
unprivileged uid and the rlimits of the job's ``Limits`` (set ``memory_mb`` high for runtimes
that reserve a large address space up front, such as the JVM and Go, and ``max_processes``
high for their threads). Each step also has its own wall-clock limit, enforced here at the
process boundary by killing the step's process group; the job's ``timeout_s`` is the backstop
for the whole sequence. Steps run in order and stop at the first that fails or times out.

Output goes to files in the working directory (capped by RLIMIT_FSIZE), never into this
process's memory, and only the last ``keep_chars`` characters of each stream come back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from execverify.sandbox.limits import Limits
from execverify.sandbox.result import ExecResult, Job

COMMAND_HOOK = "execverify.sandbox.commands:run_steps"
MISSING_EXECUTABLE_EXIT = 127
"""A step's exit code when its executable is not installed (the shell's convention)."""


@dataclass(frozen=True)
class CommandStep:
    """One command: ``argv`` (looked up on the sandbox's PATH), its own wall-clock limit, and
    environment variables added to the sandbox's scrubbed environment."""

    argv: tuple[str, ...]
    timeout_s: float
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepOutcome:
    """How one step ended; ``timed_out`` steps were killed with their process group."""

    exit_code: int | None
    timed_out: bool
    stdout: str
    stderr: str
    duration_s: float


def command_job(
    files: Mapping[str, str],
    steps: Sequence[CommandStep],
    limits: Limits,
    *,
    keep_chars: int = 4096,
) -> Job:
    """A sandbox job that writes ``files`` (relative names) and runs ``steps`` in order."""
    for name in files:
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"command_job: file names must be relative, without '..'; got {name!r}")
    options = {
        "files": dict(files),
        "steps": [{"argv": list(s.argv), "timeout_s": s.timeout_s, "env": dict(s.env)}
                  for s in steps],
        "keep_chars": keep_chars,
    }
    return Job(source="", entry="steps", hook=COMMAND_HOOK, hook_options=options, limits=limits)


def step_outcomes(result: ExecResult) -> list[StepOutcome]:
    """The steps a command job ran (empty when the sandbox itself failed or the job hit the
    whole-job limit before reporting)."""
    steps = (result.data or {}).get("steps", []) if result.ok else []
    return [StepOutcome(**step) for step in steps]


def run_steps(namespace: dict[str, Any], entry: str, args: str, options: dict[str, Any]) -> dict[str, Any]:
    """The sandbox hook (runs in the forked child, after its lock-down). Imports here, not at
    module level: the worker pre-imports this module, and only command jobs need them."""
    import os
    import signal
    import subprocess
    import time

    for name, text in options["files"].items():
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
        with open(name, "w", encoding="utf-8") as fh:
            fh.write(text)
    keep = int(options["keep_chars"])
    outcomes: list[dict[str, Any]] = []
    for index, step in enumerate(options["steps"]):
        out_name, err_name = f".step{index}.out", f".step{index}.err"
        start = time.monotonic()
        timed_out, exit_code = False, None
        with open(out_name, "wb") as out, open(err_name, "wb") as err:
            try:
                proc = subprocess.Popen(step["argv"], stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=err, start_new_session=True,
                                        env={**os.environ, **step["env"]})
            except OSError as exc:  # not installed, or not executable
                err.write(f"{step['argv'][0]}: {exc.strerror}\n".encode())
                exit_code = MISSING_EXECUTABLE_EXIT
            else:
                try:
                    exit_code = proc.wait(timeout=step["timeout_s"])
                except subprocess.TimeoutExpired:
                    timed_out = True
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
        outcomes.append({"exit_code": exit_code, "timed_out": timed_out,
                         "stdout": _tail(out_name, keep), "stderr": _tail(err_name, keep),
                         "duration_s": round(time.monotonic() - start, 4)})
        if timed_out or exit_code != 0:
            break
    return {"steps": outcomes}


def _tail(path: str, keep: int) -> str:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - keep * 4))
        return fh.read().decode("utf-8", errors="replace")[-keep:]
