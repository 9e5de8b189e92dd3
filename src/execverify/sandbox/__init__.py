"""Run untrusted Python fast, and never let it out.

Everything execverify executes (generator-written programs, model-written answers and
solutions, benchmark code) goes through here::

    from execverify.sandbox import Sandbox, Limits
    with Sandbox(workers=2, limits=Limits(timeout_s=1.0, memory_mb=512)) as sb:
        r = sb.run("print(1)")              # ExecResult(status="ok", stdout="1\\n", ...)
        rs = sb.map(list_of_sources)        # results in input order
        v = sb.call(src, "f", "[1, 2]")     # v.value == repr(f([1, 2]))

How it works: each worker is a warm interpreter that has already imported what programs
commonly need; it forks once per execution, so a small program costs about a fork, not an
interpreter start. The worker enforces the wall clock from outside the child, then kills the
child's whole process tree and reports a typed result (``ok``, ``error``, ``timeout``,
``memory``, ``output_limit``, ``killed``). Nothing a program does raises in the caller.

What it protects against, where Linux namespaces are available (as root, or with
unprivileged user namespaces):

- the network: each worker has its own empty network namespace (not even loopback is up);
- the file system: every mount is read-only; the program's working directory and /tmp are
  a private, size-capped tmpfs that disappears with the worker; as root the program also runs
  under a random unprivileged uid, so it cannot read root-only files such as /root;
- other processes: each worker is PID 1 of its own PID namespace, so a program can neither
  see nor signal the host, the worker that runs it, or programs running in other workers;
  after each execution every process it left (threads, daemons, fork-bomb children) is killed;
- resources: rlimits on CPU time, address space, file size, processes and open files, a hard
  wall-clock kill, stdout/stderr capped (default 1 MiB each), a scrubbed environment (no
  secrets from the caller's environment), no stdin unless given, no capabilities and
  no_new_privs (setuid binaries do not help);
- its own future: each execution starts from a fresh fork, so tampering with builtins,
  ``sys.modules``, signal handlers, atexit or stdout affects that execution only.

What it does not protect against:

- kernel exploits and side channels: this is process isolation, not a VM (use gVisor or a VM
  for adversaries with kernel 0-days);
- a program forging its own result: the reporting code runs in the program's process, so a
  program that introspects its runner can fake its return value. Scorers that face hostile
  text therefore parse answers as literals where they can, and judge by the values the
  program returns rather than by what it prints;
- without namespaces (containers that forbid them, non-Linux kernels), only rlimits apply:
  the program can use the network, read and write what your user can, and signal your
  processes. The sandbox warns once when it falls back; set
  ``EXECVERIFY_SANDBOX_ISOLATION=namespaces`` (or ``isolation="namespaces"``) to refuse to run
  instead. Without root, RLIMIT_NPROC counts your user's processes, so the process cap is
  looser there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from execverify.validation import lazy_exports

if TYPE_CHECKING:  # the same names, eagerly, for type checkers
    from execverify.sandbox.interpreters import SandboxUnavailable as SandboxUnavailable
    from execverify.sandbox.interpreters import find_python as find_python
    from execverify.sandbox.limits import Limits as Limits
    from execverify.sandbox.pool import IsolationWarning as IsolationWarning
    from execverify.sandbox.pool import Sandbox as Sandbox
    from execverify.sandbox.pool import default_sandbox as default_sandbox
    from execverify.sandbox.result import ExecResult as ExecResult
    from execverify.sandbox.result import Job as Job
    from execverify.sandbox.result import Status as Status

# Resolved on first use (PEP 562), not at import: every worker imports this package, and the
# host-side pool would bring threads, subprocess and logging into each worker's heap, which
# every fork then copies.
_EXPORTS = {
    "ExecResult": "result",
    "IsolationWarning": "pool",
    "Job": "result",
    "Limits": "limits",
    "Sandbox": "pool",
    "SandboxUnavailable": "interpreters",
    "Status": "result",
    "default_sandbox": "pool",
    "find_python": "interpreters",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
