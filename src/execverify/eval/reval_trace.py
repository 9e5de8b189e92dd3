"""REval's official ground truth and state verdicts, computed inside the sandbox.

Standard library only at import time (numpy, pandas, pytz and dateutil are imported lazily and
only where REval's own scorer would use them): the sandbox worker imports this module as a hook.

This is an independent implementation of the semantics of REval's ``dynamics.py`` and
``evaluation.py`` (Chen et al., ICSE 2025; GitHub ``r-eval/REval``), which compute the ground
truth at scoring time by tracing each program with their own tracer:

- The benchmark code is compiled under one file name and only frames of that file are traced
  (every frame: callees, lambdas, comprehensions). A ClassEval test case is created and its
  ``setUp()`` runs *before* tracing starts; then the first test method runs traced.
- Each ``line`` event records a deep copy of the frame's locals (modules, functions, builtins,
  iterators and generators left out), ``return`` and ``exception`` events record their value.
  An event on the same line number as the previous record is merged into it, whatever frame it
  came from (the later locals replace the earlier ones); an event on another line starts a new
  record, so a ``return`` event on a line of its own adds a record with no locals.
- Coverage: a record has the line. Path: the line of the record after each record of the line
  (``-1`` after the last record; ``{-1}`` when never covered).
- State "after line L": the locals of the record *after* each record of ``L`` (the record
  itself when it is the last one), whatever frame that next record belongs to; names, ``.attr``,
  subscripts (all combinations of container and key values) and tuples (all combinations) of
  those, ``Nil`` when none has a value.
- A state answer ``value; type`` is normalised as REval does and its value evaluated as REval
  does (``eval``; here inside the sandbox, never in the scoring process), then judged: the type
  must be the type of some actual value, the value must be of that type, and equal one of the
  actual values (floats within 1e-6, numpy arrays with ``allclose``).

Hooks: ``trace_pair`` (truth and state verdicts for one (program, input) pair) and
``check_reval_output`` (REval's output check of one answer). Both receive everything in ``options``.
"""

from __future__ import annotations

import ast
import copy
import itertools
import sys
from collections.abc import Generator, Iterator
from typing import Any

CODE_FILE = "<internals>"      # REval's file name for benchmark code
TEST_FILE = "<reval-test>"     # the test code: executed, never traced
MODULE_NAME = "dynamics"        # REval execs programs into its ``dynamics`` module's globals
UNSUPPORTED = "<unsupported>"  # REval returns (not raises) an error for other expressions


class _NilType:
    _instance: _NilType | None = None

    def __new__(cls) -> _NilType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Nil"

    def __copy__(self) -> _NilType:
        return self

    def __deepcopy__(self, memo: Any) -> _NilType:
        return self


Nil = _NilType()
_SKIPPED_TYPE_NAMES = ("module", "function", "builtin_function_or_method")


# -- tracing -------------------------------------------------------------------------------------

FIXES = ("setup", "merge", "return", "frame", "last")
"""REval's tracing quirks, each of which ``RevalRecorder(fixes=...)`` can correct on its own (used
only to count how many questions each quirk decides; ``mode: official`` corrects none):
``setup`` traces a ClassEval ``setUp`` too; ``merge`` merges same-line events of one frame
only; ``return`` lets no return event start a record; ``frame`` reads the state after a line
from the same frame's next record (or its locals when it returns); ``last`` reads the last
record's state after it ran."""


class _Record:
    __slots__ = ("exc", "frame", "line", "locals", "ret")

    def __init__(self, line: int, frame: int) -> None:
        self.line = line
        self.frame = frame
        self.locals: dict[str, Any] = {}
        self.ret: Any = Nil
        self.exc: Any = Nil


class RevalRecorder:
    """REval's trace of one run: records merged by line number across frames."""

    def __init__(self, fixes: frozenset[str] = frozenset()) -> None:
        self.records: list[_Record] = []
        self.fixes = fixes
        self._frames: dict[int, int] = {}
        self._exit: dict[int, dict[str, Any]] = {}  # frame number -> locals when it returned

    def _add(self, line: int, frame: int, event: str, value: Any) -> None:
        last = self.records[-1] if self.records else None
        same = last is not None and last.line == line and (
            "merge" not in self.fixes or last.frame == frame)
        if not same:
            if event == "return" and "return" in self.fixes:
                return
            self.records.append(_Record(line, frame))
        record = self.records[-1]
        if event == "line":
            record.locals = value
        elif event == "return":
            record.ret = value
        else:
            record.exc = value

    @staticmethod
    def _locals(frame: Any) -> dict[str, Any]:
        kept = {}
        for name, value in frame.f_locals.items():
            if type(value).__name__ in _SKIPPED_TYPE_NAMES or isinstance(
                    value, (Iterator, Generator)):
                continue
            kept[name] = copy.deepcopy(value)
        return kept

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        number = self._frames.get(id(frame), -1)
        if event == "line":
            self._add(frame.f_lineno, number, "line", self._locals(frame))
        elif event == "return":
            if self.fixes & {"frame", "last"}:
                self._exit[number] = self._locals(frame)
            self._add(frame.f_lineno, number, "return", arg)
        elif event == "exception":
            self._add(frame.f_lineno, number, "exception", arg[0])
        else:
            return None
        return self._local

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename == CODE_FILE:
            self._frames[id(frame)] = len(self._frames)
            return self._local
        return None

    def run(self, func: Any, *args: Any) -> Any:
        sys.settrace(self._global)
        try:
            return func(*args)
        finally:
            sys.settrace(None)

    # -- questions -------------------------------------------------------------------------
    @property
    def lines(self) -> list[int]:
        return [r.line for r in self.records]

    def covered(self, line: int) -> bool:
        return any(r.line == line for r in self.records)

    def next_lines(self, line: int) -> list[int]:
        if not self.covered(line):
            return [-1]
        out = {self.records[i + 1].line if i + 1 < len(self.records) else -1
               for i, r in enumerate(self.records) if r.line == line}
        return sorted(out)

    def _after(self, line: int) -> list[dict[str, Any]]:
        """The locals REval reads as "after" each record of ``line``."""
        last = len(self.records) - 1
        out = []
        for i, r in enumerate(self.records):
            if r.line != line:
                continue
            if "frame" in self.fixes:
                nxt = next((n for n in self.records[i + 1:] if n.frame == r.frame), None)
                out.append(nxt.locals if nxt else self._exit.get(r.frame, r.locals))
            elif i == last and "last" in self.fixes:
                out.append(self._exit.get(r.frame, r.locals))
            else:
                out.append(self.records[min(i + 1, last)].locals)
        return out

    def local(self, line: int, name: str) -> list[Any] | _NilType:
        found = [scope[name] for scope in self._after(line) if name in scope]
        return found if found else Nil

    def state(self, line: int, expression: str) -> Any:
        """REval's ``interpret_var``: a list of values, ``Nil``, or ``UNSUPPORTED``."""
        if not self.covered(line):
            return Nil
        try:
            tree = ast.parse(expression)
            if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
                return Nil
            return self._node(line, tree.body[0].value)
        except Exception:  # REval: any error while interpreting is Nil
            return Nil

    def _node(self, line: int, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return [node.value]
        if isinstance(node, ast.Name):
            return self.local(line, node.id)
        if isinstance(node, ast.Attribute):
            base = self._node(line, node.value)
            if base is Nil:
                return Nil
            found = [getattr(o, node.attr) for o in _iterate(base) if hasattr(o, node.attr)]
            return found if found else Nil
        if isinstance(node, ast.Subscript):
            containers, keys = self._node(line, node.value), self._node(line, node.slice)
            if containers is Nil or keys is Nil:
                return Nil
            found = []
            for c, k in list(itertools.product(_iterate(containers), _iterate(keys))):
                try:
                    found.append(c[k])
                except (TypeError, KeyError, IndexError):
                    pass
            return found if found else Nil
        if isinstance(node, ast.Tuple):
            parts = [self._node(line, e) for e in node.elts]
            if any(p is Nil for p in parts):
                return Nil
            return list(itertools.product(*(_iterate(p) for p in parts)))
        return UNSUPPORTED


def _iterate(values: Any) -> Any:
    if values is UNSUPPORTED:
        raise TypeError("an unsupported expression has no values")
    return values


# -- REval's answer evaluation namespace -----------------------------------------------------

class _LazyModule:
    """A module imported on first attribute access (pandas costs a second to import)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self._name), attr)


def answer_globals() -> dict[str, Any]:
    """What REval's ``evaluation.py`` module namespace offers an ``eval``'d answer: the modules
    and names it imports (numpy as np, pandas as pd, pytz, the ``datetime`` class, ...)."""
    import argparse
    import datetime
    import glob
    import inspect
    import json
    import os
    import re
    from pydoc import locate

    names: dict[str, Any] = {
        "__builtins__": __builtins__, "argparse": argparse, "glob": glob, "inspect": inspect,
        "os": os, "re": re, "json": json, "sys": sys, "datetime": datetime.datetime,
        "locate": locate, "Nil": Nil, "np": _LazyModule("numpy"), "pd": _LazyModule("pandas"),
        "pytz": _LazyModule("pytz"),
    }
    try:
        import numpy

        names["np"] = numpy
    except ImportError:
        pass
    return names


# -- state answers ---------------------------------------------------------------------------

ERROR = "ERROR"


def parse_official_state_answer(text: str, names: dict[str, Any]) -> Any:
    """REval's ``State._postprocess`` after the answer block was cut out: ``Nil``, ``ERROR``
    or ``(value, type)``, evaluating the value text as REval does (in ``names``)."""
    import re
    from pydoc import locate

    resp = text.replace("\u2018", "'").replace("\u2019", "'")
    resp = resp.replace("\u201c", '"').replace("\u201d", '"').strip()
    if resp.capitalize() == "Nil" or resp == "[Nil]":
        return Nil
    cut = resp.rfind(";")
    if cut == -1:
        return ERROR
    value, type_name = resp[:cut].strip(), resp[cut + 1:].strip().lower()
    if value.capitalize() == "Nil":
        return Nil
    match = re.match(r"<class '(.*)'>", type_name)
    if match:
        type_name = match.group(1)
    match = re.match(r"(.*)\[.*\]", type_name)
    if match:
        type_name = match.group(1)
    type_name = {"string": "str", "integer": "int"}.get(type_name, type_name)
    if "," in type_name or "tuple" in type_name:
        type_name = "tuple"
    if type_name == "str":
        try:
            return eval(value, dict(names)), str
        except Exception:
            return value, str
    if type_name in ("datetime.datetime", "datetime"):
        try:
            from dateutil.parser import parse
        except ImportError:  # REval needs python-dateutil here; a close stand-in without it
            parse = _iso_datetime
        try:
            return parse(value), locate(type_name)
        except Exception:
            return ERROR
    if type_name in ("numpy.ndarray", "np.ndarray"):
        try:
            import numpy

            return numpy.array(eval(value, dict(names))), locate(type_name)
        except Exception:
            return ERROR
    if value == "None" or type_name == "NoneType":
        return None, type(None)
    try:
        kind = locate(type_name)
        if kind is None:
            raise ValueError(type_name)
        if not isinstance(kind, type):
            raise TypeError(type_name)
        if kind.__module__ == "builtins":
            parsed = eval(value, dict(names))
        else:
            try:
                parsed = kind(eval(value, dict(names)))
            except Exception:
                parsed = kind(value)
        return parsed, kind
    except Exception:
        return ERROR


def _iso_datetime(text: str) -> Any:
    import datetime

    return datetime.datetime.fromisoformat(text.strip().strip("'\""))


def state_equal(answer: Any, actual: Any) -> bool:
    """REval's ``State._eq`` (and ``ERROR`` is wrong)."""
    if isinstance(answer, str) and answer == ERROR:
        return False
    if answer is Nil and actual is Nil:
        return True
    if answer is Nil or actual is Nil:
        return False
    if actual is UNSUPPORTED:
        return False  # REval's scorer raises here; no REval probe reaches it
    value, kind = answer
    if all(kind is not type(a) for a in actual):  # REval compares types exactly
        return False
    if type(value) is not kind:
        return False
    if kind is float:
        for a in actual:
            try:
                if abs(value - a) < 1e-6:
                    return True
            except Exception:
                continue
        return False
    try:
        return bool(value in actual)
    except ValueError:
        for a in actual:
            try:
                if _is_ndarray(value) and _is_ndarray(a):
                    import numpy

                    if numpy.allclose(value, a):
                        return True
                elif value == a:
                    return True
            except Exception:
                continue
        return False
    except Exception:
        return False


def _is_ndarray(value: Any) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__ == "ndarray"


def describe_state(values: Any, limit: int = 2000) -> Any:
    """A JSON form of an actual state: "Nil", "<unsupported>" or [[repr, full type name]]."""
    if values is Nil:
        return "Nil"
    if values is UNSUPPORTED:
        return UNSUPPORTED
    out = []
    for v in values:
        try:
            text = repr(v)
        except Exception as exc:
            text = f"<repr failed: {type(exc).__name__}>"
        out.append([text[:limit], f"{type(v).__module__}.{type(v).__qualname__}"])
    return out


# -- running a pair --------------------------------------------------------------------------

def _program_globals() -> dict[str, Any]:
    return {"__name__": MODULE_NAME, "__builtins__": __builtins__}


def _setup_run(options: dict[str, Any], recorder: RevalRecorder | None = None
               ) -> tuple[Any, tuple[Any, ...]]:
    """The callable REval traces and its arguments (with the ``setup`` fix, ``setUp`` runs
    traced by ``recorder``)."""
    namespace = _program_globals()
    exec(compile(options["code"], CODE_FILE, "exec"), namespace)
    if options["kind"] == "function":
        func = namespace[options["entry"]]
        args = eval(options["input"], answer_globals())
        return func, tuple(args)
    exec(compile(options["test"], TEST_FILE, "exec"), namespace)
    case = namespace[options["test_class"]]()
    if recorder is not None and "setup" in recorder.fixes:
        recorder.run(case.setUp)
    else:
        case.setUp()  # REval runs the set-up before it starts tracing
    return getattr(case, options["test_method"]), ()


def trace_pair(namespace: dict[str, Any], entry: str, args: str,
               options: dict[str, Any]) -> dict[str, Any]:
    """Sandbox hook: trace one (program, input) pair as REval does and answer its questions.

    ``options``: ``kind`` ("function" | "class"), ``code``, ``entry``, ``input`` (function
    arguments as a tuple's source), ``test``, ``test_class``, ``test_method`` (classes), and
    ``questions``: ``[{"line", "var", "answers": [state answer text, ...]}]``; ``fixes``
    (optional, see ``FIXES``) corrects some of REval's quirks, to measure what each decides.
    Returns ``{"lines": [...], "questions": [{"covered", "next", "state", "verdicts"}]}``.
    """
    import contextlib
    import io

    recorder = RevalRecorder(frozenset(options.get("fixes", ())))
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        func, call_args = _setup_run(options, recorder)
        recorder.run(func, *call_args)
    names = answer_globals()
    out = []
    for q in options["questions"]:
        line, var = int(q["line"]), str(q["var"])
        actual = recorder.state(line, var)
        verdicts = [state_equal(parse_official_state_answer(a, names), actual)
                    for a in q.get("answers", [])]
        out.append({"covered": recorder.covered(line), "next": recorder.next_lines(line),
                    "state": describe_state(actual), "verdicts": verdicts})
    return {"lines": recorder.lines, "questions": out}


def answer_method_source(answer: str) -> str:
    """REval's ``create_from_answer``: the answer as the body of ``dreval_output_pred(self)``
    (tab-indented outside triple-quoted blocks, every ``assert`` made ``self.assert``)."""
    text = "def dreval_output_pred(self):"
    in_block = False
    for line in answer.split("\n"):
        text += f"\n{line}" if in_block else f"\n\t{line}"
        if "'''" in line or '"""' in line:
            in_block = not in_block
    return text.replace("assert", "self.assert")


def check_reval_output(namespace: dict[str, Any], entry: str, args: str,
                 options: dict[str, Any]) -> dict[str, Any]:
    """Sandbox hook: REval's output check of one (already padded, not penalised) answer.
    ``passed`` is True when the answer's code runs without an exception; ``program_failed``
    when the benchmark's own code does not run here (then nothing can be judged)."""
    program = _program_globals()
    try:
        exec(compile(options["code"], CODE_FILE, "exec"), program)
    except Exception as exc:  # the benchmark's own code cannot run here (a missing package)
        return {"passed": False, "error": type(exc).__name__, "program_failed": True}
    try:
        if options["kind"] == "function":
            scope = {options["entry"]: program[options["entry"]]}
            exec(options["answer"], answer_globals(), scope)
        else:
            exec(compile(options["test"], TEST_FILE, "exec"), program)
            test_class = program[options["test_class"]]
            exec(compile(answer_method_source(options["answer"]), CODE_FILE, "exec"),
                 program)
            test_class.dreval_output_pred = program["dreval_output_pred"]
            case = test_class()
            case.setUp()
            case.dreval_output_pred()
    except Exception as exc:
        return {"passed": False, "error": type(exc).__name__}
    return {"passed": True}
