"""The two ways of being told what a program does: ``sys.settrace`` and ``sys.monitoring``.

Standard library only (runs inside the sandbox child). Both drive a ``steps.Recorder``:

- ``MonitoringBackend``: ``sys.monitoring`` (3.12+). Events in program code only; every other
  code location is switched off with ``DISABLE`` on its first event, so stdlib and builtins cost
  nothing after that.
- ``SettraceBackend``: ``sys.settrace`` (3.11, and on request on 3.12+). Local tracing is
  installed only on program frames.
"""

from __future__ import annotations

import signal
import sys
from _thread import get_ident
from typing import Any

from execverify.trace.steps import TRANSPARENT, Recorder, Stop


class SettraceBackend:
    """``sys.settrace``: a global function that installs a local one on program frames only."""

    name = "settrace"

    def __init__(self, rec: Recorder, filename: str) -> None:
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
            except Stop:
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
            except Stop:
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
        """Raise ``Stop`` into the program, and keep raising it from a CPU-time timer.

        CPython switches ``sys.settrace`` off once a trace function raises, so a program that
        catches BaseException would otherwise run on untraced, possibly forever.
        """
        self.rec.stopped = status
        self._arm()
        raise Stop(status)

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
            raise Stop(self.rec.stopped or "step_limit")


class MonitoringBackend:
    """``sys.monitoring`` (PEP 669) under a free tool id, released in ``stop``."""

    name = "monitoring"

    def __init__(self, rec: Recorder, filename: str) -> None:
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
            except Stop:
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
                raise Stop(rec.stopped)
            if st.closing:
                return None
            line = linemap_get(line, line)
            if line == st.line:
                rec.merged()
                return None
            rec.busy = True  # guarded(), inlined: this is the hot path
            try:
                rec.advance(frame, st, line)
            except Stop:
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
                    raise Stop(rec.stopped)
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
