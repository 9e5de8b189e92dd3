"""The Trace model: one recorded call, with the queries that questions and rewards are built on.

API (external checks call exactly these names)::

    t = Trace.from_dict(recorder_dict)        # or trace_call(...) in execverify.trace
    t.status        # "ok" | "error" | "step_limit" | "size_limit" | "memory" | "tracer_error"
                    #   or a sandbox status ("timeout", "output_limit", "killed")
    t.output        # repr of the return value when ok; otherwise the error text (== t.error)
    t.output_type   # type name of the return value when ok, else None
    t.error         # "ZeroDivisionError: division by zero", "step limit of 10000 reached", ...
                    #   None when ok
    t.steps         # list[Step], in execution order
    t.stdout        # what the call printed
    t.step_at(line, hit) / t.changed_vars(line, hit)   # the step itself / what it changed
    t.path()        # executed line numbers in order, entry function and every helper
    t.coverage()    # set of executed line numbers
    t.hits(line)    # how many times `line` ran
    t.next_line(line, hit)       # path element right after the hit-th run of `line`, or None
    t.state_after(line, hit, var)  # (value_repr, type_name) after the hit-th run, or None
    t.to_dict() / Trace.from_dict(d) / t.to_json() / Trace.from_json(s)   # lossless round trip

Step dict schema (``Step.to_dict()``; ``Trace.from_dict`` also accepts traces written this way,
under the key "steps", e.g. in tests)::

    {"line": 7,            # 1-based line in the program source, mapped to the first line of the
                           #   statement it belongs to (multi-line statements are one step)
     "func": "helper",     # code name of the frame ("f", "helper", "<lambda>")
     "depth": 1,           # 0 for the entry function, +1 per program call level
     "frame": 3,           # activation id, unique per call (a generator keeps its id across
                           #   resumptions); lets state queries stay inside one activation
     "hit": 2,             # this is the 2nd run of line 7 (counted over all frames)
     "changes": {"x": ["[1, 2]", "list"],      # locals whose value (repr) or type changed while
                 "big": ["'aaaa...", "str", true],  # the line ran; a third element true marks a
                 "tmp": null},                  # repr capped at max_repr; null: name unbound
     "args": {"n": ["3", "int"]}}   # only on the first step of a frame: its locals on entry

Wire form (what the recorder returns, and what ``Trace.to_dict`` writes: a long loop's trace is
several times smaller and faster to move than the dict per step)::

    {"format": "execverify.trace/1", "status": ..., "output": ..., "output_type": ...,
     "error": ..., "backend": "monitoring", "python": "3.12.1", "duration_s": 0.01,
     "frames": [["f", {"n": ["3", "int"]}], ["helper", {...}]],   # by frame id: name, args
     "steps": [[line, frame id, depth, changes or null], ...]}     # hit counts are derived

In the wire form a changed int, bool or short str may be recorded as the JSON value itself
(``{"i": 3, "s": "ab"}``) instead of ``[repr, type]``; ``from_dict`` turns it into its repr.

When is "after line N ran"? The state after a step is the frame's locals observed at the next
event *of the same frame*: its next step, or the moment it returns, yields or is left by an
exception. A call that leaves the frame (a helper, or a ``yield`` of a generator) does not end
the step: the state is taken when control comes back to the frame and moves on. Consequences:
a line that calls a helper which mutates a shared list shows the mutation in its own changes;
``x = yield v`` shows the new ``x`` once the generator is resumed (a generator that is never
resumed keeps the state it had when it yielded).

Comprehensions and generator expressions are part of the line that holds them: they get no
steps and their iteration variables never appear (Python 3.11 runs them in their own frames,
3.12+ inlines list/set/dict comprehensions; folding them into the enclosing line is the one
treatment that gives identical traces on both). Helpers called from inside a comprehension are
ordinary calls from the enclosing frame; a lambda is a helper frame whose line is the line of
the statement it is written in.

Other rules, each chosen so that every backend and interpreter gives the same trace:

- Only function locals are recorded, not globals; only frames of the thread that made the call.
- A statement looping onto itself on one physical line (``for x in xs: total += x``) is one
  step, however many times it iterates.
- A generator's clean-up when it is closed or freed (``GeneratorExit``) is not recorded: when
  it runs depends on reference counts.
- Values are ``repr``-ed, with memory addresses masked (``<Box object at 0x...>``); the tracer's
  own ``repr`` calls of program objects are not traced.
- Limits: ``step_limit`` (max_steps; line events merged into steps count too, so ``while True:
  pass`` stops), ``size_limit`` (approximate bytes of values recorded). Steps open when a limit
  was reached keep empty changes. ``meta["lost_events"]``, if present, counts events dropped
  because a program within a few frames of the recursion limit left the tracer no room.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from execverify.trace.wire import WIRE_FORMAT

Value = tuple[str, str]
"""(value repr, type name) of a variable."""

_OK = "ok"
_NONE_TRUNCATED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    """One executed statement line in one frame (see the module docstring for the fields)."""

    line: int
    func: str
    depth: int
    frame: int
    hit: int
    changes: dict[str, Value | None] = field(default_factory=dict)
    args: dict[str, Value] | None = None
    truncated: frozenset[str] = frozenset()
    """Names among ``changes`` whose repr was capped at the recorder's ``max_repr``."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Step:
        changes, truncated = _decode_vars(d.get("changes") or {})
        args = None
        if d.get("args") is not None:
            args_dec, _ = _decode_vars(d["args"])
            args = {k: v for k, v in args_dec.items() if v is not None}
        return cls(
            line=int(d["line"]),
            func=str(d["func"]),
            depth=int(d["depth"]),
            frame=int(d["frame"]),
            hit=int(d["hit"]),
            changes=changes,
            args=args,
            truncated=frozenset(truncated),
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "line": self.line,
            "func": self.func,
            "depth": self.depth,
            "frame": self.frame,
            "hit": self.hit,
            "changes": _encode_vars(self.changes, self.truncated),
        }
        if self.args is not None:
            d["args"] = _encode_vars(self.args, frozenset())
        return d


def _decode_vars(raw: dict[str, Any]) -> tuple[dict[str, Value | None], list[str]]:
    out: dict[str, Value | None] = {}
    truncated: list[str] = []
    for name, val in raw.items():
        if val is None:
            out[name] = None
        elif isinstance(val, (bool, int, str)):  # inlined by the recorder: the value itself
            out[name] = (repr(val), type(val).__name__)
        else:
            out[name] = (str(val[0]), str(val[1]))
            if len(val) > 2 and val[2]:
                truncated.append(name)
    return out, truncated


def _encode_vars(vars_: dict[str, Value | None], truncated: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, val in vars_.items():
        if val is None:
            out[name] = None
        else:
            out[name] = [val[0], val[1], True] if name in truncated else [val[0], val[1]]
    return out


def _expand(raw: list[list[Any]], frames: list[list[Any]]) -> list[Step]:
    """Wire-form steps to ``Step`` objects: hit counts and entry locals filled in.

    A trace has many steps and this loop is most of ``from_dict``: steps are built with
    positional arguments (keywords make the frozen dataclass's ``__init__`` a third slower),
    and those without truncated values share one empty ``truncated``.
    """
    hits: dict[int, int] = {}
    started: set[int] = set()
    steps: list[Step] = []
    for line, fid, depth, raw_changes in raw:
        hit = hits[line] = hits.get(line, 0) + 1
        func, raw_args = frames[fid] if fid < len(frames) else ("?", None)
        args = None
        if fid not in started:
            started.add(fid)
            if raw_args is not None:
                decoded, _ = _decode_vars(raw_args)
                args = {k: v for k, v in decoded.items() if v is not None}
        changes, truncated = _decode_vars(raw_changes) if raw_changes else ({}, None)
        steps.append(Step(line, func, depth, fid, hit, changes, args,
                          frozenset(truncated) if truncated else _NONE_TRUNCATED))
    return steps


@dataclass
class Trace:
    """A recorded call. Built from the recorder's dict; queries are indexed lazily."""

    status: str
    output: str | None = None
    output_type: str | None = None
    error: str | None = None
    steps: list[Step] = field(default_factory=list)
    backend: str | None = None
    python: str | None = None
    stdout: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    """Anything else the recorder or sandbox reported (limits, durations); kept for round trips."""

    def __post_init__(self) -> None:
        self._positions: dict[int, list[int]] | None = None

    @property
    def ok(self) -> bool:
        return self.status == _OK

    # ---- queries -------------------------------------------------------------------------

    def path(self) -> list[int]:
        """Executed line numbers in execution order, across the entry function and helpers."""
        return [s.line for s in self.steps]

    def coverage(self) -> set[int]:
        """The set of executed line numbers."""
        return {s.line for s in self.steps}

    def hits(self, line: int) -> int:
        """How many times ``line`` ran (over every frame)."""
        return len(self._index().get(line, ()))

    def step_at(self, line: int, hit: int) -> Step | None:
        """The step of the ``hit``-th (1-based) run of ``line``, or None if it never ran so often."""
        pos = self._position(line, hit)
        return None if pos is None else self.steps[pos]

    def next_line(self, line: int, hit: int) -> int | None:
        """The path element right after the ``hit``-th run of ``line``.

        None when execution ended right there, or when the line never ran ``hit`` times.
        """
        pos = self._position(line, hit)
        if pos is None or pos + 1 >= len(self.steps):
            return None
        return self.steps[pos + 1].line

    def state_after(self, line: int, hit: int, var: str) -> Value | None:
        """(value repr, type name) of local ``var`` right after the ``hit``-th run of ``line``.

        Looks back through the same frame activation to the last change of ``var`` (or its value
        on entry). None if that run never happened or ``var`` is unbound in that frame then.
        """
        pos = self._position(line, hit)
        if pos is None:
            return None
        frame = self.steps[pos].frame
        for i in range(pos, -1, -1):
            step = self.steps[i]
            if step.frame != frame:
                continue
            if var in step.changes:
                return step.changes[var]
            if step.args is not None:
                return step.args.get(var)
        return None

    def changed_vars(self, line: int, hit: int) -> dict[str, Value | None]:
        """Variables the ``hit``-th run of ``line`` created or changed (empty if it never ran)."""
        step = self.step_at(line, hit)
        return {} if step is None else dict(step.changes)

    def _index(self) -> dict[int, list[int]]:
        if self._positions is None:
            positions: dict[int, list[int]] = {}
            for i, step in enumerate(self.steps):
                positions.setdefault(step.line, []).append(i)
            self._positions = positions
        return self._positions

    def _position(self, line: int, hit: int) -> int | None:
        if hit < 1:
            return None
        runs = self._index().get(line, [])
        return runs[hit - 1] if hit <= len(runs) else None

    # ---- serialisation ---------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trace:
        """Read the wire form (recorder output, ``to_dict``) or steps written as dicts."""
        known = {"status", "output", "output_type", "error", "steps", "frames", "format",
                 "backend", "python", "stdout", "meta"}
        meta = dict(d.get("meta") or {})
        meta.update({k: v for k, v in d.items() if k not in known})
        raw = d.get("steps") or []
        if raw and isinstance(raw[0], dict):
            steps = [Step.from_dict(s) for s in raw]
        else:
            steps = _expand(raw, d.get("frames") or [])
        return cls(
            status=str(d["status"]),
            output=d.get("output"),
            output_type=d.get("output_type"),
            error=d.get("error"),
            steps=steps,
            backend=d.get("backend"),
            python=d.get("python"),
            stdout=d.get("stdout") or "",
            meta=meta,
        )

    def to_dict(self) -> dict[str, Any]:
        """The wire form; frame ids are renumbered 0.. in order of first appearance."""
        ids: dict[int, int] = {}
        frames: list[list[Any]] = []
        steps: list[list[Any]] = []
        for step in self.steps:
            fid = ids.get(step.frame)
            if fid is None:
                fid = ids[step.frame] = len(frames)
                args = None if step.args is None else _encode_vars(step.args, frozenset())
                frames.append([step.func, args])
            changes = _encode_vars(step.changes, step.truncated) if step.changes else None
            steps.append([step.line, fid, step.depth, changes])
        return {
            "format": WIRE_FORMAT,
            "status": self.status,
            "output": self.output,
            "output_type": self.output_type,
            "error": self.error,
            "backend": self.backend,
            "python": self.python,
            "stdout": self.stdout,
            "meta": self.meta,
            "frames": frames,
            "steps": steps,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Trace:
        return cls.from_dict(json.loads(text))

    @classmethod
    def failed(cls, status: str, error: str, **meta: Any) -> Trace:
        """A trace for a call that produced no steps (sandbox timeout, memory, crash...)."""
        return cls(status=status, output=error, error=error, meta=dict(meta))
