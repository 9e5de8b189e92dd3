"""Execution tracer: run a call in the sandbox and record it line by line as a ``Trace``.

>>> t = trace_call("def f(x):\\n    y = x + 1\\n    return y\\n", "f", "1")
>>> t.status, t.output, t.path(), t.state_after(2, 1, "y")
('ok', '2', [2, 3], ('2', 'int'))

``trace_call`` runs one call (one sandbox execution); ``trace_many`` runs a list of calls across
the pool, optionally several per execution for throughput. The recorder itself
(``execverify.trace.recorder``) runs inside the sandbox child; the queries live on ``Trace``
(``execverify.trace.model``, which documents the "after line N ran" rule and the schema).
Nothing a program does raises here: sandbox-level failures become a ``Trace`` whose status is
the sandbox's (``timeout``, ``memory``, ``killed``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from execverify.trace.model import Step, Trace
from execverify.trace.wire import TraceRequest
from execverify.validation import require_choice, require_int

if TYPE_CHECKING:
    from concurrent.futures import Future

    from execverify.sandbox import ExecResult, Job, Limits, Sandbox

__all__ = ["Step", "Trace", "TraceBatches", "TraceOptions", "TraceRequest", "trace_call",
           "trace_many"]

HOOK = "execverify.trace.recorder:record"
BATCH_HOOK = "execverify.trace.recorder:record_many"
TRACER_BACKENDS = ("auto", "monitoring", "settrace")
BATCH_TIMEOUT_CAP_S = 60.0  # a batch that needs longer is rerun one program per execution


@dataclass(frozen=True)
class TraceOptions:
    """Recorder settings (see ``execverify.trace.recorder.DEFAULT_OPTIONS``).

    backend: "auto" (sys.monitoring on 3.12+, sys.settrace on 3.11), "monitoring", "settrace".
    max_steps: steps recorded before the call is stopped with status "step_limit".
    max_bytes: approximate trace size before it is stopped with status "size_limit".
    max_repr: variable reprs are capped at this many characters (the step marks them).
    read_all: read every local after every step (reference mode; slower, same trace).
    """

    backend: str = "auto"
    max_steps: int = 100_000
    max_bytes: int = 8 << 20
    max_repr: int = 500
    read_all: bool = False

    def __post_init__(self) -> None:
        require_choice(self, "backend", TRACER_BACKENDS)
        require_int(self, "max_steps")
        require_int(self, "max_bytes", low=1024)
        require_int(self, "max_repr", low=8)

    def hook_options(self, source: str | None = None) -> dict[str, Any]:
        options: dict[str, Any] = {"backend": self.backend, "max_steps": self.max_steps,
                                   "max_bytes": self.max_bytes, "max_repr": self.max_repr,
                                   "read_all": self.read_all}
        if source is not None:
            options["source"] = source
        return options


def trace_call(source: str, entry: str = "f", args: str = "", *, sandbox: Sandbox | None = None,
               python: str | None = None, limits: Limits | None = None,
               **options: Any) -> Trace:
    """Run ``entry(<args>)`` of ``source`` in the sandbox under the tracer.

    ``python`` picks the interpreter of the shared default sandbox ("3.12", a path) when no
    ``sandbox`` is given. ``limits`` overrides the sandbox's limits for this call. ``options``:
    ``TraceOptions`` fields (``backend="settrace"``, ``max_steps=...``), its defaults otherwise.
    """
    settings = TraceOptions(**options)
    sb = sandbox if sandbox is not None else _default(python)
    result = sb.call(source, entry, args, hook=HOOK, hook_options=settings.hook_options(source),
                     limits=limits)
    return trace_from_result(result)


def trace_many(calls: Sequence[tuple[str, str, str]], *, sandbox: Sandbox | None = None,
               python: str | None = None, options: TraceOptions | None = None,
               limits: Limits | None = None, batch_size: int = 1,
               progress: bool = False) -> list[Trace]:
    """Trace many ``(source, entry, args)`` calls across the sandbox pool, in input order.

    ``batch_size > 1`` runs that many programs per sandbox execution (one fork), which is what
    makes thousands of short traces per second possible; the programs of a batch share a
    process, so use it for trusted or generator-made programs only. A batch that fails as a
    whole (timeout, memory, killed) is rerun one program per execution, so a bad program costs
    only itself. ``limits.timeout_s`` applies per program; a batch gets ``batch_size`` times
    it, at most ``BATCH_TIMEOUT_CAP_S`` (so a program that hangs in C code, where the step
    limit cannot stop it, costs its batch at most that before the rerun).
    """
    from execverify.sandbox import Limits

    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    options = options or TraceOptions()
    sb = sandbox if sandbox is not None else _default(python)
    if batch_size == 1:
        return _run_single(sb, list(calls), options, limits, progress)
    base = limits or sb.limits
    batch_timeout = max(base.timeout_s, min(base.timeout_s * batch_size, BATCH_TIMEOUT_CAP_S))
    batch_limits = Limits(**{**base.to_dict(), "timeout_s": batch_timeout, "cpu_s": None})
    batches = TraceBatches(sb, [TraceRequest(*call) for call in calls],
                           {"trace": options.hook_options()}, chunk=batch_size,
                           limits=lambda n: limits if n == 1 else batch_limits)
    return [Trace.from_dict(d) for d in batches.results(progress)]


class TraceBatches:
    """Programs traced several per sandbox execution: submitted now, read back in input order.

    The one home of the batch rule, for ``trace_many`` and for synthesis: a chunk that fails
    as a whole (timeout, memory, killed) runs again one program per execution, so one bad
    program costs only itself; a program that fails on its own gets a failed trace in the wire
    form, whose status is the sandbox's. ``options``: the ``record_many`` hook's options
    besides ``programs`` (recorder options under ``trace``, ``plain_only``, ``encode``...);
    ``limits(n)``: the limits of an execution of ``n`` programs.
    """

    def __init__(self, sandbox: Sandbox, requests: Sequence[TraceRequest],
                 options: dict[str, Any], *, chunk: int,
                 limits: Callable[[int], Limits | None]) -> None:
        self.sandbox, self.options, self.limits = sandbox, options, limits
        parts = [list(requests[i:i + chunk]) for i in range(0, len(requests), chunk)]
        self._submitted = list(zip(parts, self._submit(parts)))

    def _submit(self, parts: list[list[TraceRequest]]) -> list[Future[ExecResult]]:
        from execverify.sandbox import Job

        return self.sandbox.submit_jobs([
            Job(source="", entry="batch", hook=BATCH_HOOK, limits=self.limits(len(part)),
                hook_options={**self.options, "programs": [r.to_wire() for r in part]})
            for part in parts])

    def results(self, progress: bool = False) -> list[dict[str, Any]]:
        """Each program's trace in the wire form (``Trace.from_dict`` reads it), in order;
        ``progress``: a bar over the executions."""
        submitted: Any = self._submitted
        if progress:
            from tqdm import tqdm

            submitted = tqdm(submitted, desc="sandbox", unit="batch")
        out: list[dict[str, Any]] = []
        for part, future in submitted:
            out += self._read(part, future)
        return out

    def _read(self, part: list[TraceRequest], future: Future[ExecResult]) -> list[dict[str, Any]]:
        result = future.result()
        traces = result.data.get("traces") if result.ok and result.data else None
        if isinstance(traces, list) and len(traces) == len(part):
            return [json.loads(t) if isinstance(t, str) else t for t in traces]
        if len(part) == 1:
            return [trace_from_result(result).to_dict()]
        singles = [[request] for request in part]
        return [trace for single, retried in zip(singles, self._submit(singles))
                for trace in self._read(single, retried)]


def _run_single(sb: Sandbox, calls: list[tuple[str, str, str]], options: TraceOptions,
                limits: Limits | None, progress: bool) -> list[Trace]:
    from execverify.sandbox import Job

    jobs: list[Job] = [Job(source=src, entry=entry, args=args, hook=HOOK,
                           hook_options=options.hook_options(src), limits=limits)
                       for src, entry, args in calls]
    return [trace_from_result(r) for r in sb.run_jobs(jobs, progress=progress)]


def trace_from_result(result: ExecResult) -> Trace:
    """A sandbox result of the recorder hook as a Trace; any failure becomes a status."""
    meta = {"sandbox_status": str(result.status), "sandbox_duration_s": result.duration_s}
    if result.ok and isinstance(result.data, dict):
        trace = _trace_from_data(result.data, result.stdout)
        trace.meta.update(meta)
        return trace
    if result.error_type:
        error = f"{result.error_type}: {result.error_message}" if result.error_message \
            else result.error_type
    else:
        error = f"sandbox status {result.status}"
    trace = Trace.failed(str(result.status), error, **meta)
    trace.stdout = result.stdout
    return trace


def _trace_from_data(data: dict[str, Any], stdout: str) -> Trace:
    trace = Trace.from_dict(data)
    trace.stdout = stdout
    return trace


def _default(python: str | None) -> Sandbox:
    from execverify.sandbox import default_sandbox

    return default_sandbox(python)
