"""Building steps from tracer events, and reading what each step changed.

Standard library only (runs inside the sandbox child). ``Recorder`` is backend-neutral: the
backends (``backends.py``) feed it three events: a program frame is entered or resumed, it is at
a line, it is left (return, yield, unwind). Raw line numbers are mapped to the first line of
the statement that holds them, and a raw event on the statement the frame is already on is not
a new step; that is what makes the two backends, and the 3.11 and 3.12 compilers with their
different line tables and comprehension frames, agree.

Speed: the state after a step is read when its frame moves on. After a *plain* line (see
``statements.py``) during which no program code ran, only the names the line binds are read; a
frame's last reading is kept as (object, repr, type), so an unchanged immutable value costs an
equality test and no ``repr``, and a changed int, bool or short str is recorded as itself.
Mutable values are re-``repr``-ed at every full reading of their frame, so such a step costs
time linear in the size of the frame's mutable data.
"""

from __future__ import annotations

import re
from typing import Any

from execverify.trace.statements import StatementFacts

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
_MERGED_PER_STEP = 4  # line events merged into steps allowed per max_steps
_STEP_BYTES = 24  # charged per step towards max_bytes (the JSON of [line, frame, depth, null])


class Stop(BaseException):
    """Raised into the program to end it when a limit is reached (BaseException: a program's
    ``except Exception`` must not swallow it)."""


class FrameState:
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
        self.writes: tuple[str, ...] | None = None
        self.calls = 0            # recorder.calls when the open step began
        self.closing = False      # a generator being closed (GeneratorExit): not recorded
        # name -> (object or _NOT_HELD, repr, type name); inlined values have "" for both.
        # Only immutable objects are held: holding others would change when the program's
        # objects (a generator, say) are freed, and with it what the program does.
        self.prev: dict[str, tuple[Any, str, str]] = {}


class Recorder:
    """Backend-neutral step builder: ``enter`` / ``advance`` / ``leave`` events, plus limits.

    A step is the list ``[line, frame id, depth, changes or None]``. Its changes are read when
    its frame moves on (next statement, return, yield, unwind). After a plain line during which
    no program code ran, only the names it binds are read; otherwise every local is.
    """

    def __init__(self, opts: dict[str, Any], facts: StatementFacts) -> None:
        self.linemap = facts.lines
        self.one_line_loops = facts.loops
        self.effects = {} if opts["read_all"] else facts.plain
        self.max_steps = int(opts["max_steps"])
        self.max_bytes = int(opts["max_bytes"])
        self.max_repr = int(opts["max_repr"])
        # A str inlined as itself stays within max_repr once quoted, even fully escaped.
        self.inline_chars = max(0, (self.max_repr - 2) // 10)
        self.frames: dict[Any, FrameState] = {}  # live frame object -> state
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

    def enter(self, frame: Any) -> FrameState:
        """A program frame starts or resumes (any open step may now see any change)."""
        self.calls += 1
        st = self.frames.get(frame)
        depth = self._depth(frame)
        if st is None:
            st = FrameState(frame, len(self.frame_info), depth)
            self.frame_info.append([frame.f_code.co_name, None])
            self.frames[frame] = st
        else:
            st.depth = depth
        return st

    def advance(self, frame: Any, st: FrameState, line: int) -> None:
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
        raise Stop(status)

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

    def _immutable_now(self, st: FrameState, names: tuple[str, ...]) -> bool:
        prev = st.prev
        for name in names:
            old = prev.get(name)
            if old is None or type(old[0]) not in _IMMUTABLE:
                return False
        return True

    def _read_all(self, st: FrameState, loc: Any, commit: bool) -> dict[str, Any]:
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
        text = safe_repr(value)
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


def safe_repr(value: Any) -> str:
    """repr, with memory addresses masked so that traces are deterministic."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__, or an int too long to print
        return f"<{type(value).__name__} object: repr failed with {type(exc).__name__}>"
    if "0x" in text and " at 0x" in text:
        text = _ADDRESS.sub(" at 0x...", text)
    return text
