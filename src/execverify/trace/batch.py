"""Trace many small calls in one sandbox execution (a sandbox hook).

Synthesis checks and traces tens of thousands of generated programs; one fork per program
would cost more than the tracing itself. This hook runs a batch of candidate programs in one
sandboxed child, each in a fresh namespace under its own filename: an untraced call (its
``repr`` and wall time) and then, in another fresh namespace, the traced call. A batch that
dies or times out as a whole is rerun one program per execution by the caller, so a bad
program still costs only itself.

Use only for programs whose failure modes are bounded loops and exceptions (the built-in
generator's); model-written programs go one per execution.

Standard library only: imported by the sandbox worker.
"""

from __future__ import annotations

import builtins
import linecache
import time
from typing import Any

from execverify.trace.recorder import record


def trace_batch(namespace: dict[str, Any], entry: str, args: str,
                options: dict[str, Any]) -> dict[str, Any]:
    """``options["programs"]``: list of ``[source, entry, args]``; ``options["trace"]``:
    recorder options; ``options["plain_only"]``: skip tracing (the determinism rerun).
    Returns ``{"results": [...]}``, one dict per program with ``status`` ("ok" or what
    failed), ``plain`` (repr of the untraced result), ``elapsed_s`` and ``trace``."""
    trace_options = dict(options.get("trace") or {})
    plain_only = bool(options.get("plain_only"))
    results = []
    for index, (source, call_entry, call_args) in enumerate(options["programs"]):
        filename = f"<program-{index}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        results.append(_one(source, call_entry, call_args, filename, trace_options, plain_only))
        del linecache.cache[filename]
    return {"results": results}


def _fresh_namespace(source: str, filename: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def _one(source: str, entry: str, args: str, filename: str, trace_options: dict[str, Any],
         plain_only: bool) -> dict[str, Any]:
    try:
        namespace = _fresh_namespace(source, filename)
        call = compile(f"{entry}({args})", "<call>", "eval")
        started = time.perf_counter()
        value = eval(call, namespace)
        elapsed = time.perf_counter() - started
        plain = repr(value)
    except BaseException as exc:  # the program's own failure: reported, never raised
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:500]}
    out: dict[str, Any] = {"status": "ok", "plain": plain, "elapsed_s": elapsed}
    if not plain_only:
        try:
            traced = _fresh_namespace(source, filename)
        except BaseException as exc:
            return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:500]}
        opts = {**trace_options, "filename": filename, "source": source}
        out["trace"] = record(traced, entry, args, opts)
    return out
