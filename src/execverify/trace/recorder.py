"""Line-by-line recorder of one call, run inside the sandbox child as a hook.

Standard library only: the sandbox worker imports this module in whatever interpreter it runs
(3.11, 3.12, 3.13), before any program arrives.

``record(namespace, entry, args, options)`` evaluates ``entry(<args>)`` in ``namespace`` under a
tracer and returns a JSON-serialisable dict in the compact wire form that
``execverify.trace.model.Trace.from_dict`` reads (documented there, with the rules a trace
follows). ``record_many`` does the same for a batch of programs in one sandbox execution.

The pieces: ``statements.py`` (static facts about the program's lines), ``steps.py`` (steps and
what each changed, from three events: a frame is entered, is at a line, is left),
``backends.py`` (``sys.monitoring`` on 3.12+, the default there; ``sys.settrace`` on 3.11 and on
request). The cyclic garbage collector is paused while recording: a trace is many small
containers that it would otherwise scan over and over.
"""

from __future__ import annotations

import ast
import base64
import gc
import json
import linecache
import marshal
import sys
import time
from types import CodeType
from typing import Any

from execverify.trace.backends import MonitoringBackend, SettraceBackend
from execverify.trace.statements import StatementFacts, parse
from execverify.trace.steps import Recorder, Stop, safe_repr
from execverify.trace.wire import WIRE_FORMAT, TraceRequest

DEFAULT_OPTIONS: dict[str, Any] = {
    "backend": "auto",        # "auto" | "monitoring" | "settrace"
    "filename": "<program>",  # co_filename of program code; other code is not recorded
    "max_steps": 100_000,     # more steps: status "step_limit"
    "max_bytes": 8 << 20,     # approximate size of the recorded steps; more: "size_limit"
    "max_repr": 500,          # reprs of variable values are capped at this many characters
    "max_output": 1 << 20,    # repr of the return value beyond this: "size_limit"
    "source": None,           # program source for statement mapping; default: linecache
    "read_all": False,        # read every local after every step (no plain-line shortcut):
                              #   slower, same trace; the reference the shortcut is tested on
}

# ``lambda *a, **k: (a, k)``: put where the argument list's function was, it returns them.
_PACK_ARGUMENTS = ast.parse("(lambda *a, **k: (a, k))", mode="eval").body


def _choose_backend(name: str) -> str:
    has_monitoring = hasattr(sys, "monitoring")
    if name == "auto":
        return "monitoring" if has_monitoring else "settrace"
    if name == "monitoring" and not has_monitoring:
        raise ValueError(f"backend 'monitoring' needs Python 3.12+, this is {sys.version.split()[0]}")
    if name not in ("monitoring", "settrace"):
        raise ValueError(f"backend must be 'auto', 'monitoring' or 'settrace', got {name!r}")
    return name


def _arguments_code(args: str) -> CodeType:
    """The argument source (positional and keyword) compiled to give ``(args, kwargs)``, so
    that they are evaluated before tracing starts.

    The source must be exactly an argument list: ``"1), (2"`` would otherwise splice into a
    different expression."""
    tree = ast.parse(f"_({args}\n)", "<args>", mode="eval")
    if not (isinstance(tree.body, ast.Call) and isinstance(tree.body.func, ast.Name)):
        raise SyntaxError(f"not an argument list: {args!r}")
    tree.body.func = _PACK_ARGUMENTS  # compile() reads the tree, it does not change it
    return compile(tree, "<args>", "eval")


def _entry_function(namespace: dict[str, Any], entry: str) -> Any:
    func = namespace.get(entry)
    if not callable(func):
        raise NameError(f"entry {entry!r} is not a function defined by the program")
    return func


def _error_text(exc: BaseException) -> str:
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable exception>"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def record(namespace: dict[str, Any], entry: str, args: str,
           options: dict[str, Any] | None = None, *, facts: StatementFacts | None = None,
           arguments: CodeType | None = None) -> dict[str, Any]:
    """Trace ``entry(<args>)`` in ``namespace``; never raises for anything the program does.

    ``facts``: the program's ``StatementFacts`` if the caller has them (saves parsing it).
    ``arguments``: ``args`` already compiled by ``_arguments_code`` (``record_many`` shares it
    with the untraced call).
    """
    opts = {**DEFAULT_OPTIONS, **(options or {})}
    result = _empty_result()
    try:
        backend_name = _choose_backend(str(opts["backend"]))
        func = _entry_function(namespace, entry)
        if arguments is None:
            arguments = _arguments_code(args)
        call_args, call_kwargs = eval(arguments, namespace)
    except BaseException as exc:  # bad options, entry or argument source
        return _failed(result, "error", _error_text(exc))
    filename = str(opts["filename"])
    source = opts["source"]
    if source is None:
        source = "".join(linecache.getlines(filename))
    rec = Recorder(opts, StatementFacts.of(parse(source)) if facts is None else facts)
    cls = MonitoringBackend if backend_name == "monitoring" else SettraceBackend
    backend = cls(rec, filename)
    result["backend"] = backend.name
    value: Any = None
    raised: BaseException | None = None
    started = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()
    try:
        backend.start()
        try:
            value = func(*call_args, **call_kwargs)
        except BaseException as exc:
            raised = exc
        finally:
            backend.stop()
    except Stop:  # a limit timer that fired after the call returned, before it was disarmed
        backend.stop()
    finally:
        if collecting:
            gc.enable()
    result["duration_s"] = time.perf_counter() - started
    rec.finish()
    result["frames"] = rec.frame_info
    result["steps"] = rec.steps
    if rec.lost_events:
        result["lost_events"] = rec.lost_events
    return _outcome(result, rec, value, raised, int(opts["max_output"]))


def _outcome(result: dict[str, Any], rec: Recorder, value: Any, raised: BaseException | None,
             max_output: int) -> dict[str, Any]:
    if rec.failure is not None:
        return _failed(result, "tracer_error", f"tracer failed: {rec.failure}")
    if rec.stopped == "step_limit":
        return _failed(result, "step_limit", f"step limit of {rec.max_steps} steps reached")
    if rec.stopped == "size_limit":
        return _failed(result, "size_limit", f"trace exceeds {rec.max_bytes} bytes")
    if raised is not None:
        status = "memory" if isinstance(raised, MemoryError) else "error"
        return _failed(result, status, _error_text(raised))
    text = safe_repr(value)
    if len(text) > max_output:
        return _failed(result, "size_limit", f"return value repr exceeds {max_output} characters")
    result["output"] = text
    result["output_type"] = type(value).__name__
    return result


def _failed(result: dict[str, Any], status: str, error: str) -> dict[str, Any]:
    result["status"] = status
    result["error"] = error
    result["output"] = error
    return result


def record_many(namespace: dict[str, Any], entry: str, args: str,
                options: dict[str, Any]) -> dict[str, Any]:
    """Trace several programs in one sandbox execution (a hook; ``namespace``, ``entry`` and
    ``args`` of the carrier job are ignored).

    ``options["programs"]``: the programs, each a ``TraceRequest`` in its wire form (source,
    entry, args, and optionally the statement facts and code a caller made already);
    ``options["trace"]``: recorder options for all of them. Each program runs in a fresh namespace and its stdout is captured
    on its own (up to ``options["stdout_chars"]``, default 65536). Returns ``{"traces": [...]}``
    in input order; a program that fails to compile or run at module level gets an ``error``
    trace. With ``options["plain"]``, each program is first also called untraced, in another
    fresh namespace, and its trace gets ``plain`` (that call's repr) and ``plain_s`` (its wall
    time). ``options["plain_only"]`` skips tracing (the trace then holds only status, ``plain``
    and ``plain_s``): synthesis's second pool runs so, for the time limit and the determinism
    check.
    With ``options["encode"]``, each trace comes back as its JSON text: the sandbox worker then
    relays one string per program instead of decoding and re-encoding every small list of
    every step, and the caller decodes each trace once (``json.loads``).
    The programs share one process: use it for trusted or generator-made programs, not for
    text a model wrote (one could tamper with the interpreter for the ones after it).
    """
    import builtins
    import io

    trace_options = dict(options.get("trace") or {})
    stdout_chars = int(options.get("stdout_chars", 1 << 16))
    plain_only = bool(options.get("plain_only"))
    plain = plain_only or bool(options.get("plain"))
    encode = bool(options.get("encode"))
    filename = str(trace_options.get("filename", DEFAULT_OPTIONS["filename"]))
    traces = []
    real_stdout = sys.stdout
    for program in options["programs"]:
        source, call_entry, call_args, sent, shipped = TraceRequest.from_wire(program)
        buffer = io.StringIO()
        sys.stdout = buffer
        try:
            trace = _empty_result()
            try:
                code, facts, arguments = _compiled(source, call_args, filename, not plain_only,
                                                   sent, shipped)
                if plain:
                    trace.update(_plain_call(code, call_entry, call_args, builtins, arguments))
                if not plain_only:
                    program_ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
                    exec(code, program_ns)
                    traced = record(program_ns, call_entry, call_args,
                                    {**trace_options, "source": source}, facts=facts,
                                    arguments=arguments)
                    trace = {**traced, **{k: trace[k] for k in ("plain", "plain_s") if k in trace}}
            except BaseException as exc:  # the program's own failure at module level
                trace = _failed(_empty_result(), "error", _error_text(exc))
        finally:
            sys.stdout = real_stdout
        trace["stdout"] = buffer.getvalue()[:stdout_chars]
        # check_circular off: a trace is built of fresh lists, dicts and strings, never a
        # cycle, and the check cost a third of encoding one
        traces.append(json.dumps(trace, separators=(",", ":"), check_circular=False)
                      if encode else trace)
    return {"traces": traces}


def _compiled(source: str, args: str, filename: str, traced: bool, sent: list[Any] | None,
              shipped: str | None) -> tuple[CodeType, StatementFacts | None, CodeType | None]:
    """The program's code, its statement facts if it is to be traced, and its arguments'
    code (``_arguments_code``; None for an untraced run, which then compiles its call text).

    The facts come from ``sent`` (their wire form, from a caller that parsed the program
    already) or from the program's tree; both codes from ``shipped`` (``ship_code``'s form,
    from a caller that compiled them already) or from compiling here. Compiling the text is
    about twice as fast as parsing it to an ``ast`` and compiling that, so the program is
    parsed only when its facts must come from its tree."""
    tree = ast.parse(source, filename) if traced and sent is None else None
    facts = None
    if traced:
        facts = StatementFacts.from_wire(sent) if tree is None else StatementFacts.of(tree)
    if shipped is not None:
        code, arguments = marshal.loads(base64.b64decode(shipped))
        return code, facts, arguments
    code = _compile(source if tree is None else tree, filename)
    return code, facts, _arguments_code(args) if traced else None


def _compile(program: str | ast.Module, filename: str = DEFAULT_OPTIONS["filename"]) -> CodeType:
    """A program's module code, as the recorder runs it. ``dont_inherit``: this module's
    ``from __future__ import annotations`` must not turn the program's annotations into
    strings."""
    return compile(program, filename, "exec", dont_inherit=True)


def ship_code(program: str | ast.Module, args: str,
              filename: str = DEFAULT_OPTIONS["filename"]) -> str | None:
    """The program and its call's arguments compiled, in the form ``record_many`` takes as a
    ``TraceRequest``'s ``code``; None if either does not compile (the sandbox then compiles them
    and reports the error as usual).

    A caller that has the program's tree already (synthesis, for its checks) compiles once
    here instead of once in each sandbox execution that runs the program: there, compiling
    was half of an untraced run, and writes to pages each forked child must copy. The code
    is only valid for this Python version (marshal and bytecode change between versions), so
    only send it to a sandbox running this same interpreter."""
    try:
        code = (_compile(program, filename), _arguments_code(args))
    except (SyntaxError, ValueError):
        return None
    return base64.b64encode(marshal.dumps(code)).decode("ascii")


def _plain_call(code: Any, entry: str, args: str, builtins: Any,
                arguments: CodeType | None) -> dict[str, Any]:
    """Run the program's call without tracing: its repr and wall time.

    ``arguments``: ``args`` compiled by ``_arguments_code``, when the traced call uses them too
    or the caller shipped them (compiled once, evaluated once per call); without it the call's
    own text is compiled, which costs half as much as that checked form.
    """
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    exec(code, namespace)
    if arguments is None:
        call = compile(f"{entry}({args})", "<call>", "eval")
        started = time.perf_counter()
        value = eval(call, namespace)
    else:
        func = _entry_function(namespace, entry)
        call_args, call_kwargs = eval(arguments, namespace)
        started = time.perf_counter()
        value = func(*call_args, **call_kwargs)
    return {"plain": safe_repr(value), "plain_s": time.perf_counter() - started}


def _empty_result() -> dict[str, Any]:
    return {"format": WIRE_FORMAT, "status": "ok", "output": None, "output_type": None,
            "error": None, "backend": None, "python": sys.version.split()[0], "frames": [],
            "steps": []}
