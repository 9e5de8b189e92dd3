"""Which lines of a program ran, and how often: the marks on the page's source listing.

Records and evaluation results do not store their traces (a dataset keeps only the questions
derived from them), so the viewer traces each call again in the sandbox, batched as synthesis
does. A call that cannot be traced (no entry or arguments known, or the trace failed) gets
None and a note saying why, so the page can say so rather than show no marks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

Call = tuple[str, str, str]
"""``(source, entry, args)``, as ``execverify.trace.trace_many`` takes it."""

_BATCH = 16


def line_hits(calls: Sequence[Call | None]) -> list[tuple[dict[int, int] | None, str]]:
    """For each call (or None), the hit count per line and a note ("" when traced)."""
    todo = [(i, c) for i, c in enumerate(calls) if c is not None]
    out: list[tuple[dict[int, int] | None, str]] = [
        (None, "no trace: the call (entry and arguments) is not known")] * len(calls)
    if not todo:
        return out
    from execverify.trace import trace_many

    traces = trace_many([c for _, c in todo], batch_size=_BATCH)
    for (i, _), trace in zip(todo, traces):
        if trace.steps:
            hits = Counter(step.line for step in trace.steps)
            note = "" if trace.ok else f"trace stopped: {trace.status} ({trace.error or ''})"
            out[i] = (dict(sorted(hits.items())), note)
        else:
            out[i] = (None, f"no trace: {trace.status} {trace.error or ''}".strip())
    return out


def untraced(count: int) -> list[tuple[dict[int, int] | None, str]]:
    """What ``line_hits`` would give when tracing was turned off (``--no-trace``)."""
    return [(None, "no trace: tracing was turned off (--no-trace)")] * count
