"""Resource limits for one sandboxed execution.

Kept in its own module (standard library only) because both the host-side pool and the worker
inside the sandbox read it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from execverify.validation import require

MiB = 1 << 20


def _require(ok: bool, name: str, value: object, rule: str) -> None:
    require(ok, "Limits", name, value, rule)


@dataclass(frozen=True)
class Limits:
    """What one program may use. Every field is enforced by the kernel or by the worker.

    timeout_s: wall-clock limit; the whole process tree is killed when it passes.
    cpu_s: CPU-time limit (RLIMIT_CPU, whole seconds); default ``ceil(timeout_s) + 1`` so that
        a busy loop in C code that ignores signals still dies even if the wall clock is missed.
    memory_mb: address-space limit (RLIMIT_AS); allocations beyond it raise MemoryError.
    output_bytes: how much of stdout and of stderr (each) is kept; more sets status output_limit.
    file_bytes: largest file the program may write (RLIMIT_FSIZE), stdout/stderr included.
    max_processes: processes plus threads (RLIMIT_NPROC; enforced where the sandbox runs the
        program under its own user id, i.e. with root or namespaces).
    max_open_files: RLIMIT_NOFILE.
    value_chars: the ``repr`` of a returned value is cut to this many characters.
    """

    timeout_s: float = 1.0
    cpu_s: int | None = None
    memory_mb: int = 512
    output_bytes: int = MiB
    file_bytes: int = 8 * MiB
    max_processes: int = 32
    max_open_files: int = 64
    value_chars: int = 100_000

    def __post_init__(self) -> None:
        _require(self.timeout_s > 0, "timeout_s", self.timeout_s, "a positive number of seconds")
        _require(self.cpu_s is None or self.cpu_s >= 1, "cpu_s", self.cpu_s, "None or >= 1")
        _require(self.memory_mb >= 64, "memory_mb", self.memory_mb, ">= 64 (the interpreter needs it)")
        _require(self.output_bytes >= 1, "output_bytes", self.output_bytes, ">= 1")
        _require(
            self.file_bytes >= self.output_bytes,
            "file_bytes",
            self.file_bytes,
            f">= output_bytes ({self.output_bytes}), since stdout is a file",
        )
        _require(self.max_processes >= 1, "max_processes", self.max_processes, ">= 1")
        _require(self.max_open_files >= 16, "max_open_files", self.max_open_files, ">= 16")
        _require(self.value_chars >= 16, "value_chars", self.value_chars, ">= 16")

    @property
    def effective_cpu_s(self) -> int:
        return self.cpu_s if self.cpu_s is not None else math.ceil(self.timeout_s) + 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        return cls(**data)
