"""Line-by-line recorder of one call, run inside the sandbox child as a hook.

Standard library only: the sandbox worker imports this module in whatever interpreter it runs
(3.11, 3.12, 3.13), before any program arrives.

``record(namespace, entry, args, options)`` evaluates ``entry(<args>)`` in ``namespace`` under a
tracer and returns a JSON-serialisable dict in the compact wire form that
``execverify.trace.model.Trace.from_dict`` reads (documented there). Two backends produce the
same steps:

- ``monitoring``: ``sys.monitoring`` (3.12+, the default there). Events in program code only;
  every other code location is switched off with ``DISABLE`` on its first event, so stdlib and
  builtins cost nothing after that.
- ``settrace``: ``sys.settrace`` (3.11, and on request on 3.12+). Local tracing is installed only
  on program frames.

Both feed one backend-neutral ``_Recorder`` with three events: a program frame is entered or
resumed, it is at a line, it is left (return, yield, exception). Raw line numbers are mapped to
the first line of the statement that holds them, and a raw event on the statement the frame is
already on is not a new step; that is what makes the two backends, and the 3.11 and 3.12
compilers with their different line tables and comprehension frames, agree. The price: a
statement that loops onto itself on one physical line (``while x: x -= 1``) counts as one step.

Speed: the state after a step is read when its frame moves on. After a *plain* line (see
``statements.py``) during which no program code ran, only the names the line binds are read; a
frame's last reading is kept as (object, repr, type), so an unchanged immutable value costs an
identity test and no ``repr``. Mutable values are re-``repr``-ed at every full reading of their
frame, so such a step costs time linear in the size of the frame's mutable data. The cyclic
garbage collector is paused while recording: the trace is many small containers that it would
otherwise scan over and over.
"""

from __future__ import annotations

import ast
import gc
import linecache
import re
import signal
import sys
import time
from _thread import get_ident
from typing import Any

from execverify.trace.statements import line_effects, one_line_loops, parse, statement_lines

WIRE_FORMAT = "execverify.trace/1"

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

TRANSPARENT = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
"""Code names folded into the line that holds them (see the model's docstring)."""

_RESUMABLE = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
# Types whose value cannot change while the object lives: same object, same repr.
_IMMUTABLE = frozenset({int, float, complex, bool, str, bytes, type(None), range, type(...),
                        type})
# Recorded as JSON values rather than reprs (see _read); ints only while JSON and repr agree
# cheaply (huge ints hit the int-to-str digit limit).
_INLINE = frozenset({int, str, bool})
_NOT_HELD = object()  # stands for a mutable value in a frame's last reading
_INLINE_INT = 1 << 60
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# ``lambda *a, **k: (a, k)``: put where the argument list's function was, it returns them.
_PACK_ARGUMENTS = ast.parse("(lambda *a, **k: (a, k))", mode="eval").body
_MERGED_PER_STEP = 4  # line events merged into steps allowed per max_steps
_STEP_BYTES = 24  # charged per step towards max_bytes (the JSON of [line, frame, depth, null])


class _Stop(BaseException):
    """Raised into the program to end it when a limit is reached (BaseException: a program's
    ``except Exception`` must not swallow it)."""


class _FrameState:
    """What the recorder knows about one activation of a program function."""

    __slots__ = ("calls", "closing", "depth", "frame", "id", "line", "prev", "resumable", "step",
                 "writes")

    def __init__(self, frame: Any, fid: int, depth: int) -> None:
        self.frame = frame
        self.id = fid
        self.depth = depth
        self.resumable = bool(frame.f_code.co_flags & _RESUMABLE)
        self.line = -1            # statement line the frame is on; -1 before its first line
        self.step: list[Any] | None = None  # the open step; its changes come when it ends
        # Names the open step's line may bind, if it is plain (see statements.py); else None.
        self.writes: frozenset[str] | None = None
        self.calls = 0            # recorder.calls when the open step began
        self.closing = False      # a generator being closed (GeneratorExit): not recorded
        # name -> (object or _NOT_HELD, repr, type name); inlined values have "" for both.
        # Only immutable objects are held: holding others would change when the program's
        # objects (a generator, say) are freed, and with it what the program does.
        self.prev: dict[str, tuple[Any, str, str]] = {}


class _Recorder:
    """Backend-neutral step builder: ``enter`` / ``advance`` / ``leave`` events, plus limits.

    A step is the list ``[line, frame id, depth, changes or None]``. Its changes are read when
    its frame moves on (next statement, return, yield, unwind). After a plain line during which
    no program code ran, only the names it binds are read; otherwise every local is.
    """

    def __init__(self, opts: dict[str, Any], tree: ast.Module | None) -> None:
        self.linemap = statement_lines(tree)
        self.one_line_loops = one_line_loops(tree)
        self.effects = {} if opts["read_all"] else {
            line: (e.writes if e.plain else None, e.augmented)
            for line, e in line_effects(tree).items()}
        self.max_steps = int(opts["max_steps"])
        self.max_bytes = int(opts["max_bytes"])
        self.max_repr = int(opts["max_repr"])
        # A str inlined as itself stays within max_repr once quoted, even fully escaped.
        self.inline_chars = max(0, (self.max_repr - 2) // 10)
        self.frames: dict[Any, _FrameState] = {}  # live frame object -> state
        self.frame_info: list[list[Any]] = []     # by frame id: [code name, locals on entry]
        self.steps: list[list[Any]] = []
        self.size = 0
        self.calls = 0                    # program frames entered or resumed so far
        self.merged_events = 0            # line events that did not start a new step
        # Events dropped because the tracer itself hit the recursion limit: a program within a
        # few frames of it leaves the tracer no room. The program still gets its own
        # RecursionError on its next call; the trace reports the count as "lost_events".
        self.lost_events = 0
        self.busy = False                 # inside the recorder (a repr may run program code)
        self.stopped: str | None = None   # limit status once reached
        self.failure: str | None = None   # an internal error of the recorder, if any

    # ---- events ------------------------------------------------------------------------

    def enter(self, frame: Any) -> _FrameState:
        """A program frame starts or resumes (any open step may now see any change)."""
        self.calls += 1
        st = self.frames.get(frame)
        depth = self._depth(frame)
        if st is None:
            st = _FrameState(frame, len(self.frame_info), depth)
            self.frame_info.append([frame.f_code.co_name, None])
            self.frames[frame] = st
        else:
            st.depth = depth
        return st

    def advance(self, frame: Any, st: _FrameState, line: int) -> None:
        """The frame reaches statement ``line``, a different one from where it was."""
        step = st.step
        if step is None:
            self.frame_info[st.id][1] = self._read_all(st, frame.f_locals, True)
        elif st.writes is None or st.calls != self.calls:
            step[3] = self._read_all(st, frame.f_locals, True) or None
        elif st.writes:
            loc = frame.f_locals
            prev = st.prev
            changes = None
            for name in st.writes:
                if name in loc:
                    value = loc[name]
                    old = prev.get(name)
                    # _read's first case, inlined for the commonest value: a small int
                    if type(value) is int and -_INLINE_INT < value < _INLINE_INT:
                        if old is not None and type(old[0]) is int and old[0] == value:
                            continue
                        prev[name] = (value, "", "")
                        if changes is None:
                            changes = {}
                        changes[name] = value
                        self.size += 32
                    else:
                        changes = self._read(prev, name, value, changes)
                elif name in prev:  # unbound (the implicit ``del`` ending ``except ... as``)
                    del prev[name]
                    changes = changes or {}
                    changes[name] = None
            step[3] = changes
        steps = self.steps
        if len(steps) >= self.max_steps:
            self.stop("step_limit")
        step = [line, st.id, st.depth, None]
        steps.append(step)
        st.step = step
        st.line = line
        st.calls = self.calls
        effect = self.effects.get(line)
        if effect is None:
            st.writes = None
        else:
            st.writes = effect[0]
            if effect[1] and not self._immutable_now(st, effect[1]):
                st.writes = None

    def leave(self, frame: Any) -> None:
        """The frame returns, yields or unwinds: its open step sees the state now.

        A resumable frame keeps its baseline, so that if it resumes on the same statement the
        step's changes are recomputed when it really moves on.
        """
        st = self.frames.get(frame)
        if st is None:
            return
        if self.stopped is None and st.step is not None and not st.closing:
            st.step[3] = self._read_all(st, frame.f_locals, not st.resumable) or None
        if not st.resumable or st.closing:
            del self.frames[frame]

    def closing(self, frame: Any) -> None:
        """GeneratorExit was thrown into a generator (``close()``, or it is being freed).

        Its clean-up is not recorded: when a generator is freed depends on reference counts,
        which differ between interpreters (and which reading ``f_locals`` itself perturbs).
        Any open step may still see the clean-up's effects, as after any call.
        """
        self.calls += 1
        st = self.frames.get(frame)
        if st is not None:
            st.closing = True

    def merged(self) -> None:
        """A line event on the statement the frame is already on (a multi-line statement, a
        loop on one line). Bounded too, so ``while True: pass`` stops with "step_limit"."""
        self.merged_events += 1
        if self.merged_events > _MERGED_PER_STEP * self.max_steps:
            self.stop("step_limit")

    def stop(self, status: str) -> None:
        self.stopped = status
        raise _Stop(status)

    def finish(self) -> None:
        """Forget the frames. Generators never resumed to the end keep the changes read when
        they last yielded; their frames are not read again (on 3.13.0, reading the locals of
        a frame whose generator has been freed crashes the interpreter)."""
        self.frames.clear()

    # ---- reading state -----------------------------------------------------------------

    def _depth(self, frame: Any) -> int:
        back = frame.f_back
        frames = self.frames
        while back is not None:
            st = frames.get(back)
            if st is not None:
                return st.depth + 1
            back = back.f_back
        return 0

    def _immutable_now(self, st: _FrameState, names: tuple[str, ...]) -> bool:
        prev = st.prev
        for name in names:
            old = prev.get(name)
            if old is None or type(old[0]) not in _IMMUTABLE:
                return False
        return True

    def _read_all(self, st: _FrameState, loc: Any, commit: bool) -> dict[str, Any]:
        """Changes of every local since the frame's last committed reading.

        ``commit=False`` (a suspended generator) leaves the baseline as it was.
        """
        prev = st.prev if commit else dict(st.prev)
        read = self._read
        changes: dict[str, Any] = {}
        for name, value in loc.items():
            read(prev, name, value, changes)
        if len(prev) > len(loc):  # some names were unbound (del)
            for name in [name for name in prev if name not in loc]:
                changes[name] = None
                del prev[name]
        return changes

    def _read(self, prev: dict[str, tuple[Any, str, str]], name: str, value: Any,
              changes: dict[str, Any] | None) -> dict[str, Any] | None:
        """Compare one local with its last reading; add it to ``changes`` if it changed.

        An int, bool or short str is recorded as itself (JSON carries it; the model turns it
        into its repr), which saves calling ``repr`` on the hot path."""
        old = prev.get(name)
        typ = type(value)
        if typ in _INLINE:
            if old is not None:
                seen = old[0]
                if type(seen) is typ and (seen is value or value == seen):
                    return changes
            if typ is str:
                if len(value) > self.inline_chars:
                    return self._read_text(prev, name, value, typ, old, changes)
                self.size += len(value) + 24
            elif typ is int and not -_INLINE_INT < value < _INLINE_INT:
                return self._read_text(prev, name, value, typ, old, changes)
            else:
                self.size += 32
            prev[name] = (value, "", "")
            if changes is None:
                changes = {}
            changes[name] = value
            if self.size + _STEP_BYTES * len(self.steps) > self.max_bytes:
                self._size_limit()
            return changes
        if old is not None and old[0] is value and typ in _IMMUTABLE:
            return changes
        return self._read_text(prev, name, value, typ, old, changes)

    def _read_text(self, prev: dict[str, tuple[Any, str, str]], name: str, value: Any,
                   typ: type, old: tuple[Any, str, str] | None,
                   changes: dict[str, Any] | None) -> dict[str, Any] | None:
        """The general case: compare reprs. Only immutable objects are kept in ``prev``."""
        text = _safe_repr(value)
        tname = typ.__name__
        prev[name] = (value if typ in _IMMUTABLE else _NOT_HELD, text, tname)
        if old is not None and old[1] == text and old[2] == tname:
            return changes
        if changes is None:
            changes = {}
        size = len(text)
        if size > self.max_repr:
            size = self.max_repr
            changes[name] = [text[:size] + "...", tname, True]
        else:
            changes[name] = [text, tname]
        self.size += size + 24
        if self.size + _STEP_BYTES * len(self.steps) > self.max_bytes:
            self._size_limit()
        return changes

    def _size_limit(self) -> None:
        """Flag the limit; the next event raises it (not here, mid-reading)."""
        if self.stopped is None:
            self.stopped = "size_limit"


def _safe_repr(value: Any) -> str:
    """repr, with memory addresses masked so that traces are deterministic."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__, or an int too long to print
        return f"<{type(value).__name__} object: repr failed with {type(exc).__name__}>"
    if "0x" in text and " at 0x" in text:
        text = _ADDRESS.sub(" at 0x...", text)
    return text


# ---- backends ----------------------------------------------------------------------------


class _SettraceBackend:
    """``sys.settrace``: a global function that installs a local one on program frames only."""

    name = "settrace"

    def __init__(self, rec: _Recorder, filename: str) -> None:
        self.rec = rec
        self.filename = filename
        self.armed = False
        self.old_handler: Any = None

    def start(self) -> None:
        rec = self.rec
        frames_get = rec.frames.get
        linemap_get = rec.linemap.get
        filename = self.filename
        loops = rec.one_line_loops

        def local(frame: Any, event: str, arg: Any) -> Any:
            try:
                if event == "line":
                    if rec.stopped is not None:
                        self._raise_stop(rec.stopped)
                    st = frames_get(frame)
                    if st is None:
                        st = rec.enter(frame)
                    if st.closing:
                        return local
                    line = frame.f_lineno
                    line = linemap_get(line, line)
                    if line != st.line:
                        rec.advance(frame, st, line)
                        if loops:  # a loop on one line may spin without line events
                            frame.f_trace_opcodes = line in loops
                    else:
                        rec.merged()
                elif event == "opcode":
                    if rec.stopped is not None:
                        self._raise_stop(rec.stopped)
                    rec.merged()
                elif event == "return":
                    rec.leave(frame)
                elif event == "exception" and arg[0] is GeneratorExit:
                    rec.closing(frame)
            except _Stop:
                self._raise_stop(rec.stopped or "step_limit")
            except RecursionError:
                rec.lost_events += 1
            except Exception as exc:
                self._fail(exc)
            return local

        def global_(frame: Any, event: str, arg: Any) -> Any:
            code = frame.f_code
            if code.co_filename != filename or code.co_name in TRANSPARENT:
                return None
            if rec.stopped is not None:
                self._raise_stop(rec.stopped)
            try:
                rec.enter(frame)
            except _Stop:
                self._raise_stop(rec.stopped or "step_limit")
            except RecursionError:
                rec.lost_events += 1
            except Exception as exc:
                self._fail(exc)
            return local

        sys.settrace(global_)

    def stop(self) -> None:
        self.armed = False
        sys.settrace(None)
        if self.old_handler is not None:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0, 0)
            signal.signal(signal.SIGVTALRM, self.old_handler)
            self.old_handler = None

    def _fail(self, exc: Exception) -> None:
        self.rec.failure = f"{type(exc).__name__}: {exc}"
        self._raise_stop("tracer_error")

    def _raise_stop(self, status: str) -> None:
        """Raise ``_Stop`` into the program, and keep raising it from a CPU-time timer.

        CPython switches ``sys.settrace`` off once a trace function raises, so a program that
        catches BaseException would otherwise run on untraced, possibly forever.
        """
        self.rec.stopped = status
        self._arm()
        raise _Stop(status)

    def _arm(self) -> None:
        if self.armed or self.old_handler is not None:
            self.armed = True
            return
        try:
            self.old_handler = signal.signal(signal.SIGVTALRM, self._alarm)
            signal.setitimer(signal.ITIMER_VIRTUAL, 0.002, 0.002)
            self.armed = True
        except (ValueError, OSError):  # not the main thread: the sandbox timeout is the bound
            self.old_handler = None

    def _alarm(self, signum: int, frame: Any) -> None:
        if self.armed:
            raise _Stop(self.rec.stopped or "step_limit")


class _MonitoringBackend:
    """``sys.monitoring`` (PEP 669) under a free tool id, released in ``stop``."""

    name = "monitoring"

    def __init__(self, rec: _Recorder, filename: str) -> None:
        self.rec = rec
        self.filename = filename
        self.tool: int | None = None
        self.jump_codes: list[Any] = []  # code objects given local JUMP events

    def _callbacks(self) -> dict[int, Any]:
        rec = self.rec
        frames_get = rec.frames.get
        linemap_get = rec.linemap.get
        getframe = sys._getframe
        filename = self.filename
        disable = sys.monitoring.DISABLE  # type: ignore[attr-defined]

        owner = get_ident()

        def program(code: Any) -> bool:
            return code.co_filename == filename and code.co_name not in TRANSPARENT

        def other_thread() -> bool:
            """sys.monitoring sees every thread, sys.settrace only the one that set it; frames
            of other threads are not recorded, so that the two agree."""
            return get_ident() != owner

        def guarded(method: Any, *args: Any) -> Any:
            rec.busy = True
            try:
                return method(*args)
            except _Stop:
                raise
            except RecursionError:  # the program is at the recursion limit: see _lost
                rec.lost_events += 1
            except Exception as exc:
                rec.failure = f"{type(exc).__name__}: {exc}"
                rec.stop("tracer_error")
            finally:
                rec.busy = False

        def on_line(code: Any, line: int) -> Any:
            if rec.busy:
                return None
            frame = getframe(1)
            st = frames_get(frame)
            if st is None:
                if not program(code):
                    return disable
                if other_thread():
                    return None
                st = guarded(rec.enter, frame)
                if st is None:
                    return None
            if rec.stopped is not None:  # keep raising: the program may have caught it
                raise _Stop(rec.stopped)
            if st.closing:
                return None
            line = linemap_get(line, line)
            if line == st.line:
                rec.merged()
                return None
            rec.busy = True  # guarded(), inlined: this is the hot path
            try:
                rec.advance(frame, st, line)
            except _Stop:
                raise
            except RecursionError:
                rec.lost_events += 1
            except Exception as exc:
                rec.failure = f"{type(exc).__name__}: {exc}"
                rec.stop("tracer_error")
            finally:
                rec.busy = False
            return None

        loops = rec.one_line_loops
        watched: set[Any] = set()

        def on_enter(code: Any, offset: int) -> Any:
            if not program(code):
                return disable
            if loops and code not in watched:  # a loop on one line spins without LINE events
                watched.add(code)
                if not loops.isdisjoint(line for _, _, line in code.co_lines()):
                    sys.monitoring.set_local_events(  # type: ignore[attr-defined]
                        self.tool, code, sys.monitoring.events.JUMP)  # type: ignore[attr-defined]
                    self.jump_codes.append(code)
            if not rec.busy and not other_thread():
                guarded(rec.enter, getframe(1))
            return None

        def on_jump(code: Any, offset: int, target: int) -> None:
            st = frames_get(getframe(1))
            if st is not None and st.line in loops:
                if rec.stopped is not None:
                    raise _Stop(rec.stopped)
                rec.merged()

        def on_throw(code: Any, offset: int, exc: BaseException) -> None:
            if not rec.busy and program(code) and not other_thread():
                guarded(rec.enter, getframe(1))
                if isinstance(exc, GeneratorExit):
                    rec.closing(getframe(1))

        def on_leave(code: Any, offset: int, value: Any) -> Any:
            if not program(code):
                return disable
            if not rec.busy:
                guarded(rec.leave, getframe(1))
            return None

        def on_unwind(code: Any, offset: int, exc: BaseException) -> None:
            if not rec.busy and program(code):
                guarded(rec.leave, getframe(1))

        ev = sys.monitoring.events  # type: ignore[attr-defined]
        return {ev.PY_START: on_enter, ev.PY_RESUME: on_enter, ev.PY_THROW: on_throw,
                ev.LINE: on_line, ev.PY_RETURN: on_leave, ev.PY_YIELD: on_leave,
                ev.PY_UNWIND: on_unwind, ev.JUMP: on_jump}

    def start(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        for tool in range(6):
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "execverify-trace")
                self.tool = tool
                break
        else:
            raise RuntimeError("no free sys.monitoring tool id")
        mask = 0
        for event, callback in self._callbacks().items():
            mon.register_callback(self.tool, event, callback)
            if event != mon.events.JUMP:  # JUMP only where needed, as a local event
                mask |= event
        mon.set_events(self.tool, mask)

    def stop(self) -> None:
        if self.tool is None:
            return
        mon = sys.monitoring  # type: ignore[attr-defined]
        mon.set_events(self.tool, 0)
        for code in self.jump_codes:
            mon.set_local_events(self.tool, code, 0)
        self.jump_codes.clear()
        ev = mon.events
        for event in (ev.PY_START, ev.PY_RESUME, ev.PY_THROW, ev.LINE, ev.PY_RETURN,
                      ev.PY_YIELD, ev.PY_UNWIND, ev.JUMP):
            mon.register_callback(self.tool, event, None)
        mon.free_tool_id(self.tool)
        mon.restart_events()
        self.tool = None


# ---- entry point -------------------------------------------------------------------------


def _choose_backend(name: str) -> str:
    has_monitoring = hasattr(sys, "monitoring")
    if name == "auto":
        return "monitoring" if has_monitoring else "settrace"
    if name == "monitoring" and not has_monitoring:
        raise ValueError(f"backend 'monitoring' needs Python 3.12+, this is {sys.version.split()[0]}")
    if name not in ("monitoring", "settrace"):
        raise ValueError(f"backend must be 'auto', 'monitoring' or 'settrace', got {name!r}")
    return name


def _call_arguments(namespace: dict[str, Any], args: str) -> tuple[tuple, dict[str, Any]]:
    """Evaluate the argument source (positional and keyword) before tracing starts.

    The source must be exactly an argument list: ``"1), (2"`` would otherwise splice into a
    different expression."""
    tree = ast.parse(f"_({args}\n)", "<args>", mode="eval")
    if not (isinstance(tree.body, ast.Call) and isinstance(tree.body.func, ast.Name)):
        raise SyntaxError(f"not an argument list: {args!r}")
    tree.body.func = _PACK_ARGUMENTS  # compile() reads the tree, it does not change it
    return eval(compile(tree, "<args>", "eval"), namespace)


def _error_text(exc: BaseException) -> str:
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable exception>"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def record(namespace: dict[str, Any], entry: str, args: str,
           options: dict[str, Any] | None = None, *, tree: Any = None) -> dict[str, Any]:
    """Trace ``entry(<args>)`` in ``namespace``; never raises for anything the program does.

    ``tree``: the program's ``ast`` if the caller parsed it already (saves parsing it twice).
    """
    opts = {**DEFAULT_OPTIONS, **(options or {})}
    result = _empty_result()
    try:
        backend_name = _choose_backend(str(opts["backend"]))
        func = namespace.get(entry)
        if not callable(func):
            raise NameError(f"entry {entry!r} is not a function defined by the program")
        call_args, call_kwargs = _call_arguments(namespace, args)
    except BaseException as exc:  # bad options, entry or argument source
        return _failed(result, "error", _error_text(exc))
    filename = str(opts["filename"])
    source = opts["source"]
    if source is None:
        source = "".join(linecache.getlines(filename))
    rec = _Recorder(opts, parse(source) if tree is None else tree)
    cls = _MonitoringBackend if backend_name == "monitoring" else _SettraceBackend
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
    except _Stop:  # a limit timer that fired after the call returned, before it was disarmed
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


def _outcome(result: dict[str, Any], rec: _Recorder, value: Any, raised: BaseException | None,
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
    text = _safe_repr(value)
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

    ``options["programs"]``: list of ``[source, entry, args]``; ``options["trace"]``: recorder
    options for all of them. Each program runs in a fresh namespace and its stdout is captured
    on its own (up to ``options["stdout_chars"]``, default 65536). Returns ``{"traces": [...]}``
    in input order; a program that fails to compile or run at module level gets an ``error``
    trace. The programs share one process: use it for trusted or generator-made programs, not
    for text a model wrote (one could tamper with the interpreter for the ones after it).
    """
    import builtins
    import io

    trace_options = dict(options.get("trace") or {})
    stdout_chars = int(options.get("stdout_chars", 1 << 16))
    filename = str(trace_options.get("filename", DEFAULT_OPTIONS["filename"]))
    traces = []
    real_stdout = sys.stdout
    for source, call_entry, call_args in options["programs"]:
        buffer = io.StringIO()
        sys.stdout = buffer
        try:
            program_ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
            try:
                tree = ast.parse(source, filename)
                exec(compile(tree, filename, "exec"), program_ns)
            except BaseException as exc:  # the program's own failure at module level
                trace = _failed(_empty_result(), "error", _error_text(exc))
            else:
                trace = record(program_ns, call_entry, call_args,
                               {**trace_options, "source": source}, tree=tree)
        finally:
            sys.stdout = real_stdout
        trace["stdout"] = buffer.getvalue()[:stdout_chars]
        traces.append(trace)
    return {"traces": traces}


def _empty_result() -> dict[str, Any]:
    return {"format": WIRE_FORMAT, "status": "ok", "output": None, "output_type": None,
            "error": None, "backend": None, "python": sys.version.split()[0], "frames": [],
            "steps": []}
