"""What runs in the forked child: lock the process down, run the program, report.

Everything here happens after ``fork()`` in a copy of a warm worker, so it must be quick and
must never return into the worker's loop: every path ends in ``os._exit``.
"""

from __future__ import annotations

import builtins
import importlib
import linecache
import os
import resource
import sys
import traceback
import warnings
from dataclasses import dataclass
from types import CodeType
from typing import Any

from execverify.sandbox import isolation
from execverify.sandbox.protocol import WireJob, encode, write_frame

PROGRAM_FILENAME = "<program>"
CALL_FILENAME = "<call>"
PRECOMPILE_MAX_CHARS = 16_384
RESULT_FD = 3
SETUP_FAILED_EXIT = 71

# Bound here, at import time in the worker, so a program that rebinds builtins cannot change
# how its own result is reported.
_repr, _type, _str, _len, _isinstance = repr, type, str, len, isinstance
_OK = {"status": "ok"}
OK_FRAME = encode(_OK)  # what a plain run that ends normally reports; the worker knows it too


@dataclass(slots=True)
class ChildPlan:
    """Everything the child needs besides the job, built by the worker before the fork:
    each page the child writes costs a copy-on-write fault, so it computes nothing it can be
    handed, and what it is handed sits together on a few freshly written pages."""

    fds: dict[str, int]  # stdin, stdout, stderr, result: moved onto fds 0-3
    close: list[int]  # everything else the worker holds
    rlimits: list[tuple[int, tuple[int, int]]]
    workdir: str
    uid: int | None
    program: CodeType | None = None  # see precompile; None: the child compiles
    call: CodeType | None = None


def _compile(source: str, filename: str, mode: str) -> CodeType:
    """``dont_inherit``: this module's ``from __future__ import annotations`` must not turn the
    program's annotations into strings."""
    return compile(source, filename, mode, dont_inherit=True)


def _call_source(job: WireJob) -> str:
    return f"{job.entry}({job.args})"


def precompile(job: WireJob) -> tuple[CodeType | None, CodeType | None]:
    """The job's program and, for a plain call, its call expression, compiled in the worker
    before the fork (each None where the child must compile it itself).

    Compiling builds hundreds of short-lived objects; in the child each page they land on is
    a copy-on-write fault, which made compiling a third of a small program's cost there.
    Compiling runs none of the program's code, and for sources this small CPython bounds its
    cost (constant folding and nesting depth are capped). A source that is larger or does not
    compile is left to the child, which compiles it under its limits, so errors are reported
    exactly as before; so is one that warns (``x is 1``), since its warning belongs on the
    program's stderr, not the worker's."""
    program = _precompile(job.source, PROGRAM_FILENAME, "exec")
    plain_call = job.entry is not None and not job.hook
    return program, _precompile(_call_source(job), CALL_FILENAME, "eval") if plain_call else None


# Every warning an error, while the worker compiles: see _precompile.
_WARNINGS_AS_ERRORS = [("error", None, Warning, None, 0)]


def _precompile(source: str, filename: str, mode: str) -> CodeType | None:
    """Warnings become errors by swapping the filter list for the call, not through
    ``warnings.catch_warnings``, whose bookkeeping wrote to ~40 copy-on-write pages per job in
    the worker. Compiler warnings are issued without a registry, so nothing is cached under
    the swapped filters and the filter version needs no bump."""
    if len(source) > PRECOMPILE_MAX_CHARS:
        return None
    filters = warnings.filters
    warnings.filters = _WARNINGS_AS_ERRORS
    try:
        return _compile(source, filename, mode)
    except BaseException:  # the child compiles it again and reports the error
        return None
    finally:
        warnings.filters = filters


def plan_rlimits(limits: dict[str, Any], nproc: int) -> list[tuple[int, tuple[int, int]]]:
    """RLIMIT_CORE is not here: the worker set it to 0 for itself and every child."""
    cpu = limits["cpu_s"]  # the host sends Limits.effective_cpu_s
    memory = limits["memory_mb"] << 20
    return [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"])),
        (resource.RLIMIT_NOFILE, (limits["max_open_files"], limits["max_open_files"])),
        (resource.RLIMIT_NPROC, (nproc, nproc)),
    ]


def run_child(job: WireJob, plan: ChildPlan) -> None:
    """Never returns."""
    try:
        _lock_down(plan)
    except BaseException:
        os._exit(SETUP_FAILED_EXIT)
    try:
        result = _execute(job, plan)
        _flush()
        if result == _OK:  # most runs: skip building a JSON encoder in the child
            os.write(RESULT_FD, OK_FRAME)
        else:
            write_frame(RESULT_FD, result)
    except BaseException:
        os._exit(SETUP_FAILED_EXIT + 1)
    os._exit(0)


def _lock_down(plan: ChildPlan) -> None:
    os.setsid()
    fds = plan.fds
    os.dup2(fds["stdin"], 0)
    os.dup2(fds["stdout"], 1)
    os.dup2(fds["stderr"], 2)
    os.dup2(fds["result"], RESULT_FD)
    for fd in plan.close:
        try:
            os.close(fd)
        except OSError:
            pass
    for which, pair in plan.rlimits:
        resource.setrlimit(which, pair)
    isolation.drop_privileges(plan.uid)
    os.chdir(plan.workdir)
    # HOME and TMPDIR (the working directory), umask 077, SIGINT and SIGXFSZ ignored (a
    # too-large write then fails with EFBIG) are all set once in the worker and inherited.
    # The worker's own text streams already wrap fds 0-2, which now point at this job's
    # files; their buffers are empty because the worker talks to the host with os.read/write
    # only. Reusing them saves building three new streams per execution.
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass


def _execute(job: WireJob, plan: ChildPlan) -> dict[str, Any]:
    source, entry = job.source, job.entry
    cap = job.limits["value_chars"]
    linecache.cache[PROGRAM_FILENAME] = (_len(source), None, source.splitlines(True), PROGRAM_FILENAME)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    result: dict[str, Any] = {"status": "ok"}
    try:
        hook = None
        if entry is not None and job.hook:  # resolved before the program can touch sys.modules
            module, _, func = job.hook.partition(":")
            hook = getattr(importlib.import_module(module), func)
        exec(plan.program or _compile(source, PROGRAM_FILENAME, "exec"), namespace)
        if hook is not None:
            result["data"] = hook(namespace, entry, job.args, job.hook_options)
        elif entry is not None:
            call = plan.call or _compile(_call_source(job), CALL_FILENAME, "eval")
            value = eval(call, namespace)
            result["value"] = _repr(value)[:cap]
            result["value_type"] = _type(value).__name__
    except SystemExit as exc:
        code = exc.code
        if entry is None and code in (None, 0):
            result["exit_code"] = 0
        else:
            _report_error(result, exc, cap, show_traceback=False)
            result["exit_code"] = code if _isinstance(code, int) else 1
    except MemoryError as exc:
        _report_error(result, exc, cap, show_traceback=False)
        result["status"] = "memory"
    except BaseException as exc:
        _report_error(result, exc, cap, show_traceback=True)
    return result


def _report_error(result: dict[str, Any], exc: BaseException, cap: int, show_traceback: bool) -> None:
    result["status"] = "error"
    result["error_type"] = _type(exc).__name__
    try:
        result["error_message"] = _str(exc)[:cap]
    except BaseException:
        result["error_message"] = "<unprintable exception>"
    if show_traceback:
        try:
            traceback.print_exception(exc, file=sys.__stderr__)
        except BaseException:
            pass
