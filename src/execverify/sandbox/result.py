"""Jobs going into the sandbox and results coming out.

A result is plain data: the sandbox reports what a program did as a status, never as an
exception in the caller.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from execverify.sandbox.limits import Limits


class Status(StrEnum):
    """How an execution ended. Compares equal to its string value (``r.status == "ok"``)."""

    OK = "ok"
    ERROR = "error"  # the program raised (error_type / error_message say what) or exited non-zero
    TIMEOUT = "timeout"  # wall clock or CPU time ran out
    MEMORY = "memory"  # MemoryError under the address-space limit
    OUTPUT_LIMIT = "output_limit"  # stdout or stderr over Limits.output_bytes, or a file too large
    KILLED = "killed"  # died from a signal (segfault, abort, ...) or its worker died


@dataclass(frozen=True)
class Job:
    """One execution. With ``entry`` set, the source is executed and then ``entry(args)`` is
    called; its ``repr`` comes back as the value. With ``hook`` ("module:function") set too,
    the hook is called as ``hook(namespace, entry, args, hook_options)`` instead and its
    JSON-serialisable dict comes back as ``data`` (this is how the tracer runs)."""

    source: str
    entry: str | None = None
    args: str = ""
    stdin: str | None = None
    hook: str | None = None
    hook_options: dict[str, Any] | None = None
    limits: Limits | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.source, str):
            raise TypeError(f"Job.source must be str; got {type(self.source).__name__}")
        if self.entry is not None and not self.entry.isidentifier():
            raise ValueError(f"Job.entry must be a Python identifier; got {self.entry!r}")
        if self.hook is not None and (self.entry is None or ":" not in self.hook):
            raise ValueError(
                f"Job.hook must be 'module:function' and needs an entry; got {self.hook!r}"
            )

    def to_wire(self, default_limits: Limits) -> dict[str, Any]:
        """The job as a frame carries it: keyed by ``WireJob``'s fields, which the worker
        reads it back into (``WireJob.from_wire``)."""
        return {
            "source": self.source,
            "entry": self.entry,
            "args": self.args,
            "stdin": self.stdin,
            "hook": self.hook,
            "hook_options": self.hook_options or {},
            "limits": _wire_limits(self.limits or default_limits),
        }


@lru_cache(maxsize=64)
def _wire_limits(limits: Limits) -> dict[str, Any]:
    """Limits as the worker reads them: the CPU limit already resolved, so the rule for its
    default lives only in ``Limits.effective_cpu_s``. Cached (``Limits`` is frozen): a batch
    shares one Limits, and ``asdict`` per job was a tenth of the host's cost per execution.
    The dict is shared, so it is only ever encoded, never changed."""
    return {**limits.to_dict(), "cpu_s": limits.effective_cpu_s}


SANDBOX_FAILURES = frozenset({"WorkerDied", "SandboxUnavailable"})
"""``error_type`` of a ``killed`` result when the sandbox failed (see ``ExecResult.sandbox_failed``)."""


@dataclass
class ExecResult:
    """What happened. ``value``/``value_type`` are set for calls, ``data`` for hooks."""

    status: Status
    stdout: str = ""
    stderr: str = ""
    value: str | None = None
    value_type: str | None = None
    error_type: str | None = None
    error_message: str | None = None
    data: dict[str, Any] | None = None
    duration_s: float = 0.0
    cpu_s: float = 0.0
    max_rss_mb: float = 0.0
    exit_code: int | None = None
    signal: int | None = None
    isolation: str = ""

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    @property
    def sandbox_failed(self) -> bool:
        """Whether the sandbox, not the program, is why this did not run: its worker died or
        the pool could not start. A scorer must not count that against an answer."""
        return self.status == Status.KILLED and self.error_type in SANDBOX_FAILURES

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = str(self.status)
        return out

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> ExecResult:
        known = cls.__dataclass_fields__
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["status"] = Status(kwargs.get("status", "killed"))
        return cls(**kwargs)
