"""Input prediction: is ``f(predicted args)`` equal to the recorded output?

Here running is the point, so it happens, but only in the sandbox and only after the answer has
been proven to be plain data: the answer is parsed with ``ast`` as the argument list of a call,
every argument must be a literal (``ast.literal_eval`` accepts it), and what runs is the program
from the record called with the arguments re-rendered from their syntax trees
(``ast.unparse``), never the model's raw text. Calls, names, attribute access, lambdas, walrus,
comprehensions, ``*``/``**`` unpacking and ``__import__`` are rejected before anything runs.

Accepted spellings: ``[1, 2], 'x'`` (what goes between the parentheses), ``f([1, 2], 'x')``, and
``assert f([1, 2], 'x') == <output>`` (whose right side must then be the recorded output).
Keyword arguments (``xs=[1, 2]``) are allowed.

Results are cached per (program, entry, arguments): the programs are deterministic, and the
rollouts of one prompt often repeat an answer.
"""

from __future__ import annotations

import ast
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from execverify.data.records import Record
from execverify.rewards.config import RewardConfig
from execverify.rewards.values import (
    NOT_LITERAL,
    literal_node,
    matches_value,
    nesting_depth,
    quiet_parse,
)
from execverify.tasks.answers import canonical_repr

if TYPE_CHECKING:
    from execverify.sandbox import ExecResult

_CACHE_SIZE = 8192


@dataclass(frozen=True)
class RunOutcome:
    """What ``f(args)`` did: ``status`` is the sandbox status, or ``sandbox_error``."""

    status: str
    value: str | None = None
    error: str = ""


def input_arguments(answer: str, record: Record, config: RewardConfig) -> tuple[str | None, str]:
    """The answer's arguments as safe source text (``"[1, 2], 'x'"``), or None and why not."""
    text = answer.strip()
    cap = max(config.max_answer_chars, 4 * len(record.args))
    if len(text) > cap:
        return None, f"answer longer than {cap} characters"
    if nesting_depth(text) > config.max_literal_depth:
        return None, "nested too deeply"
    call, why = _find_call(text, record, config)
    if call is None:
        return None, why
    parts = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            return None, "argument unpacking (*) is not allowed"
        if literal_node(arg, config.max_literal_depth) is NOT_LITERAL:
            return None, "an argument is not a literal value"
        parts.append(ast.unparse(arg))
    for kw in call.keywords:
        if kw.arg is None:
            return None, "keyword unpacking (**) is not allowed"
        if literal_node(kw.value, config.max_literal_depth) is NOT_LITERAL:
            return None, f"argument {kw.arg} is not a literal value"
        parts.append(f"{kw.arg}={ast.unparse(kw.value)}")
    return ", ".join(parts), "literal arguments"


def _find_call(text: str, record: Record, config: RewardConfig) -> tuple[ast.Call | None, str]:
    if text.startswith("assert"):
        return _assert_call(text, record, config)
    tree = _parse(text, "eval")
    if tree is not None and _is_entry_call(tree.body, record.entry):
        return tree.body, "call form"
    wrapped = _parse(f"_(\n{text}\n)", "eval")
    if wrapped is None:
        return None, "not a Python argument list"
    body = wrapped.body
    if not (isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id == "_"):
        return None, "not a Python argument list"
    return body, "arguments"


def _assert_call(text: str, record: Record, config: RewardConfig) -> tuple[ast.Call | None, str]:
    tree = _parse(text, "exec")
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None, "not a single assert statement"
    test = tree.body[0].test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq) and _is_entry_call(test.left, record.entry)):
        return None, f"assert is not `{record.entry}(...) == output`"
    claimed = ast.get_source_segment(text, test.comparators[0]) or ""
    ok, _ = matches_value(claimed, record.output, max_chars=config.max_answer_chars,
                          max_depth=config.max_literal_depth)
    if not ok:
        return None, "the assert claims a different output"
    return test.left, "assert form"


def _is_entry_call(node: ast.AST, entry: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == entry)


def _parse(text: str, mode: str) -> ast.AST | None:
    return quiet_parse(text, mode)


def judge_run(outcome: RunOutcome, record: Record) -> tuple[bool, str]:
    """Whether a run reproduced the record's output, and why not."""
    if outcome.status != "ok" or outcome.value is None:
        return False, f"{record.entry}(answer) did not return: {outcome.status} {outcome.error}"
    value = canonical_repr(outcome.value)
    cap = max(len(value), len(record.output)) + 1
    ok, _ = matches_value(value, record.output, max_chars=cap, max_depth=10_000)
    return ok, "reproduces the output" if ok else f"returns {_short(value)}, not the output"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RunCache:
    """A thread-safe LRU of run outcomes keyed by (program, entry, args)."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[tuple[str, str, str], RunOutcome] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> RunOutcome | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple[str, str, str], outcome: RunOutcome) -> None:
        with self._lock:
            self._data[key] = outcome
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


RUN_CACHE = RunCache()


def run_calls(calls: Sequence[tuple[Record, str]], config: RewardConfig,
              sandbox: object | None = None) -> list[RunOutcome]:
    """Run ``record.entry(args)`` for each pair through the sandbox pool in one batch, with
    duplicates and cached calls run once."""
    from execverify.sandbox import Job, Limits, default_sandbox

    keys = [(rec.program, rec.entry, args) for rec, args in calls]
    outcomes: list[RunOutcome | None] = [RUN_CACHE.get(k) for k in keys]
    todo: dict[tuple[str, str, str], list[int]] = {}
    for i, key in enumerate(keys):
        if outcomes[i] is None:
            todo.setdefault(key, []).append(i)
    if todo:
        limits = Limits(timeout_s=config.input_timeout_s, memory_mb=config.input_memory_mb)
        jobs = [Job(source=p, entry=e, args=a, limits=limits) for p, e, a in todo]
        pool = sandbox if sandbox is not None else default_sandbox()
        try:
            results = pool.run_jobs(jobs)  # type: ignore[attr-defined]
        except Exception as exc:  # the pool itself failed (could not start, closed, ...)
            failed = RunOutcome("sandbox_error", error=f"{type(exc).__name__}: {exc}")
            return [o if o is not None else failed for o in outcomes]
        for (key, indices), result in zip(todo.items(), results):
            outcome = _outcome(result)
            if outcome.status != "sandbox_error":
                RUN_CACHE.put(key, outcome)
            for i in indices:
                outcomes[i] = outcome
    return [o if o is not None else RunOutcome("sandbox_error") for o in outcomes]


def _outcome(result: ExecResult) -> RunOutcome:
    error_type, message = result.error_type or "", result.error_message or ""
    if result.sandbox_failed:
        return RunOutcome("sandbox_error", error=f"{error_type}: {message}")
    error = f"{error_type}: {message}".strip() if error_type else ""
    return RunOutcome(str(result.status), result.value, error)
