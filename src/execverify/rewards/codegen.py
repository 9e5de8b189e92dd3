"""Code generation: extract a program from a completion and run unit tests on it in the sandbox.

Two kinds of test suite, as in the benchmarks and RL data sets we score against:

- ``assert``: Python statements run after the solution (HumanEval, MBPP, the function-call tests
  of LiveCodeBench and PRIME's Eurus-2-RL-Data);
- ``stdio``: the solution runs as a script on each stdin text, and its stdout must equal the
  expected output with trailing whitespace stripped from each line and trailing blank lines
  ignored (LiveCodeBench's comparison).

Every test runs as its own sandbox execution, all of them batched through ``Sandbox.run_jobs``.

A solution cannot pass an ``assert`` test it does not pass. Each test runs as one program built
by ``harness_source``: our harness, not the solution, owns the module. It

1. compiles setup, solution and test up front, and keeps everything it needs (``exec``, the
   original builtins, a snapshot of the modules the test imports) in its own function locals;
2. runs the setup (the test's imports) and the solution in a namespace of their own, with
   ``__name__`` not ``"__main__"``;
3. undoes what the solution could have done to the test's machinery: clears trace/profile
   hooks, restores every builtin (``abs``, ``len``, ``AssertionError``, ``__import__``, ...),
   and restores the modules the test imports (imported by the harness before the solution
   runs, so monkeypatched attributes and fake ``sys.modules`` entries are undone);
4. runs the test in a fresh namespace holding the solution's names, except those that shadow a
   builtin, with the setup run again first, so the test's helpers and imports are its own;
5. with ``strict`` (default), rewrites the test's ``assert`` statements so every value they
   compare or test must be plain data (numbers, strings, bytes, None, and lists, tuples, sets,
   dicts of them): an object whose ``__eq__`` always answers True fails instead of passing;
6. only then reads a per-test random token from stdin, which the host sent, and returns it as
   the program's value through the sandbox's result channel, not stdout.

So a solution that exits early (``sys.exit``, ``os._exit``, raising ``SystemExit``) never
returns the token; printing "OK" or the token it finds proves nothing because stdout is not
read; reading stdin early consumes the token the harness needs. What remains possible, as the
sandbox documents, is a program that forges its process's result by introspection (walking
frames or the garbage collector, writing the result channel itself): process isolation bounds
the damage, it does not make cheating impossible.
"""

from __future__ import annotations

import ast
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.parse import completion_text, split_blocks
from execverify.rewards.score import OK, SANDBOX_ERROR, QuestionScore, ScoreResult
from execverify.rewards.values import ANSWER_FILENAME, quiet_parse
from execverify.sandbox import ExecResult, Status

SUITE_KINDS = ("assert", "stdio")
MAX_SOLUTION_CHARS = 200_000
MEMORY_MB = 1024
_FENCED = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)```", re.DOTALL)
_REASONING = re.compile(r"<\s*(reasoning|think)\s*>.*?<\s*/\s*\1\s*>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class TestSuite:
    """Unit tests for one problem.

    kind: ``"assert"`` (Python statements run after the solution) or ``"stdio"``.
    tests: assert statements (each item one test, any number of lines), or for stdio the stdin
        text of each test.
    expected: stdio only, the expected stdout of each test.
    setup: code run before the solution and again before each test (imports such as MBPP's
        ``test_imports``).
    entry: the function under test, if any; when set, a solution that does not define it fails
        every test, and tests may call it as ``candidate`` (HumanEval's convention).
    timeout_s: wall-clock limit per test.
    """

    __test__ = False  # not a pytest test class

    kind: str
    tests: tuple[str, ...]
    expected: tuple[str, ...] = ()
    setup: str = ""
    entry: str | None = None
    timeout_s: float = 3.0

    def __post_init__(self) -> None:
        if self.kind not in SUITE_KINDS:
            raise ValueError(f"TestSuite.kind must be one of {SUITE_KINDS}; got {self.kind!r}.")
        for name in ("tests", "expected"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(t, str) for t in value):
                raise TypeError(f"TestSuite.{name} must be a sequence of strings; got {value!r}.")
            object.__setattr__(self, name, tuple(value))
        if self.kind == "stdio" and len(self.expected) != len(self.tests):
            raise ValueError(
                f"a stdio TestSuite needs one expected output per test; got {len(self.tests)} "
                f"tests and {len(self.expected)} expected outputs."
            )
        if self.kind == "assert" and self.expected:
            raise ValueError("an assert TestSuite has no expected outputs; leave expected empty.")
        if self.entry is not None and not (isinstance(self.entry, str) and self.entry.isidentifier()):
            raise ValueError(f"TestSuite.entry must be a function name or None; got {self.entry!r}.")
        if not isinstance(self.setup, str):
            raise TypeError(f"TestSuite.setup must be a string; got {type(self.setup).__name__}.")
        if not (isinstance(self.timeout_s, (int, float)) and self.timeout_s > 0):
            raise ValueError(f"TestSuite.timeout_s must be > 0 seconds; got {self.timeout_s!r}.")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tests"], data["expected"] = list(self.tests), list(self.expected)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestSuite:
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TestSuite:
        return cls.from_dict(json.loads(text))


class TestReason(StrEnum):
    """Why one test passed or failed: the solution's doing, the sandbox's, or the check's."""

    __test__ = False

    PASS = "pass"
    WRONG_OUTPUT = "wrong_output"  # stdio: the printed lines differ from the expected ones
    INCOMPLETE = "incomplete"  # call or assert: the test ran to its end without passing
    ERROR = "error"  # the solution (or the test, on its answer) raised
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    KILLED = "killed"
    SANDBOX_ERROR = "sandbox_error"  # the sandbox could not run the test: not the solution's fault
    NO_CODE = "no_code"  # nothing ran, for the solution's reasons below
    TOO_LONG = "too_long"
    SYNTAX_ERROR = "syntax_error"


class OutcomeStatus(StrEnum):
    """How the run of a solution's tests went as a whole (``TestOutcome.status``)."""

    OK = "ok"  # every test ran, whatever passed
    NO_CODE = "no_code"
    TOO_LONG = "too_long"
    SYNTAX_ERROR = "syntax_error"
    NO_TESTS = "no_tests"
    SANDBOX_ERROR = "sandbox_error"  # some test could not be run: the counts are a lower bound


_NOT_RUN = frozenset({OutcomeStatus.NO_CODE, OutcomeStatus.TOO_LONG, OutcomeStatus.SYNTAX_ERROR})


@dataclass(frozen=True)
class TestVerdict:
    """One test: whether it passed, why (a ``TestReason``) and a line saying so for people
    ("pass", "fail: timeout", "fail: KeyError: 3", "sandbox error: ...")."""

    __test__ = False

    passed: bool
    reason: TestReason
    detail: str


@dataclass
class TestOutcome:
    """How a solution did: ``passed`` of ``total`` tests, one ``TestVerdict`` per test."""

    __test__ = False  # not a pytest test class

    passed: int
    total: int
    status: OutcomeStatus
    verdicts: list[TestVerdict] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def details(self) -> list[str]:
        """The verdicts' lines, one per test."""
        return [v.detail for v in self.verdicts]

    def count(self, reason: TestReason) -> int:
        return sum(v.reason is reason for v in self.verdicts)


# -- extraction ----------------------------------------------------------------------------


def extract_code(completion: Any) -> str | None:
    """The program in a completion, or None.

    Looks, in order, at: the ``<answer>`` block (its last fenced block if it has fences, else
    its text); the last fenced block outside reasoning (``python``-labelled ones first); the
    whole text outside reasoning if it parses as Python. Reasoning never counts.
    """
    try:
        return _extract(completion)
    except Exception:
        return None


def _extract(completion: Any) -> str | None:
    text = completion_text(completion)
    if text is None or len(text) > MAX_SOLUTION_CHARS:
        return None
    blocks, unclosed, _, _ = split_blocks(text)
    answer = blocks[-1] if blocks else unclosed
    if answer is not None:
        return _fenced(answer) or (answer.strip() or None)
    outside = _REASONING.sub("", text)
    fenced = _fenced(outside)
    if fenced:
        return fenced
    plain = outside.strip()
    return plain if plain and _parses(plain) else None


def _fenced(text: str) -> str | None:
    found = [(m.group(1).lower(), m.group(2)) for m in _FENCED.finditer(text)]
    if not found:
        return None
    python = [code for lang, code in found if lang in ("python", "py", "python3")]
    code = (python or [code for _, code in found])[-1]
    return code.strip("\n") or None


def _parses(code: str) -> bool:
    return quiet_parse(code, "exec") is not None


# -- the harness ---------------------------------------------------------------------------

_HARNESS = '''\
def _execverify_main(_exec=exec, _compile=compile, _dict=dict, _list=list, _type=type,
                     _id=id, _bool=bool, _set=set, _AssertionError=AssertionError,
                     _ModuleType=type(__import__("sys"))):
    import builtins as _b
    import os as _os
    import sys as _sys
    _read, _modules, _settrace, _setprofile = _os.read, _sys.modules, _sys.settrace, _sys.setprofile
    entry, strict = ENTRY, STRICT
    setup = _compile(SETUP, "<setup>", "exec")
    solution = _compile(SOLUTION, "<solution>", "exec")
    test = _compile(TEST, "<test>", "exec")
    for name in WATCHED:  # imported now, so the snapshot below holds the genuine modules
        try:
            __import__(name)
        except BaseException:
            pass
    builtins_before = _dict(_b.__dict__)
    modules_before = {n: (_modules[n], _dict(_modules[n].__dict__)) for n in WATCHED
                      if n in _modules and _type(_modules[n]) is _ModuleType}
    atoms = _set((int, float, complex, bool, str, bytes, _type(None), _type(...), type))
    containers = _set((list, tuple, set, frozenset))
    iterators = _set((_type((lambda: (yield))()), map, filter, zip, range, enumerate, reversed,
                      _type(iter([])), _type(iter(())), _type(iter("")), _type(iter(set())),
                      _type(iter({})), _type({}.keys()), _type({}.values()), _type({}.items())))

    def restore(d, before):
        for k in _list(d):
            if k not in before:
                del d[k]
        for k, v in before.items():
            if d.get(k) is not v:
                d[k] = v

    def plain(value, allowed=atoms):
        stack, seen = [value], _set()
        while stack:
            x = stack.pop()
            t = _type(x)
            if t in allowed or t in atoms:
                continue
            if _id(x) in seen:
                continue
            if t in containers:
                seen.add(_id(x))
                stack.extend(x)
            elif t is dict:
                seen.add(_id(x))
                stack.extend(dict.keys(x))
                stack.extend(dict.values(x))
            else:
                raise _AssertionError("compared value is a " + t.__name__ + ", not plain data")
        return value

    def truth(value):
        return _bool(plain(value))

    def returned(value):
        return plain(value, iterators)

    ns = {"__name__": "__solution__", "__builtins__": _b}
    _exec(setup, ns)
    _exec(solution, ns)
    _settrace(None)
    _setprofile(None)
    restore(_b.__dict__, builtins_before)
    for name in WATCHED:
        if name in modules_before:
            module, before = modules_before[name]
            _modules[name] = module
            restore(module.__dict__, before)
        else:
            _modules.pop(name, None)
    if entry is not None and not callable(ns.get(entry)):
        raise _AssertionError("the solution does not define " + entry)
    scope = {k: v for k, v in ns.items() if not k.startswith("__") and k not in builtins_before}
    scope["__name__"], scope["__builtins__"] = "__test__", _b
    if entry is not None:
        scope["candidate"] = ns[entry]
    _exec(setup, scope)
    scope["__ev_val"] = plain if strict else (lambda v: v)
    scope["__ev_truth"] = truth if strict else _bool
    scope["__ev_ret"] = returned if strict else (lambda v: v)
    _exec(test, scope)
    return _read(0, 256).decode("ascii", "replace").strip()


_EXECVERIFY_RESULT = _execverify_main()


def _execverify_result():
    return _EXECVERIFY_RESULT
'''
RESULT_ENTRY = "_execverify_result"


class _StrictAsserts(ast.NodeTransformer):
    """``assert a == b`` -> ``assert __ev_val(a) == __ev_val(b)``; ``assert x`` ->
    ``assert __ev_truth(x)``, through ``not``, ``and`` and ``or``; and every call of the
    function under test (``entry``, or HumanEval's ``candidate``) -> ``__ev_ret(call)``, so its
    result is plain data before the test hands it to any helper (``math.isclose`` would accept
    an object with a forged ``__float__``)."""

    def __init__(self, entry: str | None) -> None:
        self.names = {"candidate"} | ({entry} if entry else set())

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.names:
            return _call("__ev_ret", node)
        return node

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        self.generic_visit(node)
        node.test = self._wrap(node.test)
        return node

    def _wrap(self, expr: ast.expr) -> ast.expr:
        if isinstance(expr, ast.Compare):
            expr.left = _call("__ev_val", expr.left)
            expr.comparators = [_call("__ev_val", c) for c in expr.comparators]
            return expr
        if isinstance(expr, ast.BoolOp):
            expr.values = [self._wrap(v) for v in expr.values]
            return expr
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            expr.operand = self._wrap(expr.operand)
            return expr
        return _call("__ev_truth", expr)


def _call(name: str, arg: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[arg], keywords=[])


def strict_test(test: str, entry: str | None = None) -> str:
    """The test with its asserts rewritten to compare plain data only (see the module doc).
    Tests are trusted benchmark code; one that does not parse is returned unchanged (it then
    fails as a syntax error inside the sandbox, like it would anywhere)."""
    try:
        tree = ast.parse(test)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return test
    return ast.unparse(ast.fix_missing_locations(_StrictAsserts(entry).visit(tree)))


def imported_modules(*sources: str) -> tuple[str, ...]:
    """Every module name (and each dotted prefix) that the given sources import."""
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        for node in ast.walk(tree):
            full: list[str] = []
            if isinstance(node, ast.Import):
                full = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                full = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in full:
                parts = name.split(".")
                names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return tuple(sorted(names))


def harness_source(solution: str, test: str, *, setup: str = "", entry: str | None = None,
                   strict: bool = True) -> str:
    """The program that runs one ``assert`` test against ``solution`` (see the module doc)."""
    test_code = strict_test(test, entry) if strict else test
    values = {
        "SETUP": repr(setup),
        "SOLUTION": repr(solution),
        "TEST": repr(test_code),
        "WATCHED": repr(imported_modules(setup, test)),
        "ENTRY": repr(entry),
        "STRICT": repr(bool(strict)),
    }
    return re.sub(r"\b(SETUP|SOLUTION|TEST|WATCHED|ENTRY|STRICT)\b",
                  lambda m: values[m.group(1)], _HARNESS)


# -- running -------------------------------------------------------------------------------


def run_tests(solution: str, suite: TestSuite, *, sandbox: Any = None,
              strict: bool = True) -> TestOutcome:
    """Run every test of ``suite`` against ``solution``, each as its own sandbox execution."""
    return run_many([(solution, suite)], sandbox=sandbox, strict=strict)[0]


def run_many(pairs: Sequence[tuple[str, TestSuite]], *, sandbox: Any = None,
             strict: bool = True) -> list[TestOutcome]:
    """``run_tests`` for many (solution, suite) pairs, all tests in one sandbox batch."""
    from execverify.sandbox import Job, Limits, default_sandbox

    outcomes: list[TestOutcome | None] = []
    jobs: list[Any] = []
    owners: list[tuple[int, str | None]] = []  # per job: pair index, expected token or stdout
    for index, (solution, suite) in enumerate(pairs):
        early = _precheck(solution, suite)
        outcomes.append(early)
        if early is not None:
            continue
        limits = Limits(timeout_s=float(suite.timeout_s), memory_mb=MEMORY_MB)
        for i, test in enumerate(suite.tests):
            if suite.kind == "stdio":
                source = f"{suite.setup}\n{solution}" if suite.setup else solution
                jobs.append(Job(source=source, stdin=test, limits=limits))
                owners.append((index, suite.expected[i]))
            else:
                token = secrets.token_hex(16)
                source = harness_source(solution, test, setup=suite.setup, entry=suite.entry,
                                        strict=strict)
                jobs.append(Job(source=source, entry=RESULT_ENTRY, stdin=token + "\n",
                                limits=limits))
                owners.append((index, token))
    results = _run(jobs, sandbox, default_sandbox)
    per_pair: dict[int, list[TestVerdict]] = {}
    for (index, want), result in zip(owners, results):
        kind = pairs[index][1].kind
        per_pair.setdefault(index, []).append(_judge(kind, want, result))
    final = []
    for index, early in enumerate(outcomes):
        if early is not None:
            final.append(early)
            continue
        verdicts = per_pair.get(index, [])
        status = (OutcomeStatus.SANDBOX_ERROR
                  if any(v.reason is TestReason.SANDBOX_ERROR for v in verdicts)
                  else OutcomeStatus.OK)
        final.append(TestOutcome(sum(v.passed for v in verdicts), len(verdicts), status,
                                 verdicts))
    return final


def _precheck(solution: Any, suite: TestSuite) -> TestOutcome | None:
    """The outcome when nothing needs to run (no code, no tests, a syntax error), else None."""
    total = len(suite.tests)
    if not isinstance(solution, str) or not solution.strip():
        return _not_run(OutcomeStatus.NO_CODE, "no code", total)
    if len(solution) > MAX_SOLUTION_CHARS:
        return _not_run(OutcomeStatus.TOO_LONG, "solution too long", total)
    if total == 0:
        return TestOutcome(0, 0, OutcomeStatus.NO_TESTS, [])
    try:
        compile(solution, ANSWER_FILENAME, "exec", dont_inherit=True)  # warnings filtered
    except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError) as exc:
        why = f"syntax error: {type(exc).__name__}: {exc}"[:200]
        return _not_run(OutcomeStatus.SYNTAX_ERROR, why, total)
    return None


def _not_run(status: OutcomeStatus, detail: str, total: int) -> TestOutcome:
    verdict = TestVerdict(False, TestReason(status.value), detail)
    return TestOutcome(0, total, status, [verdict] * total)


def _run(jobs: list[Any], sandbox: Any, default_sandbox: Any) -> list[Any]:
    if not jobs:
        return []
    try:
        pool = sandbox if sandbox is not None else default_sandbox()
        return pool.run_jobs(jobs)
    except Exception as exc:  # the pool could not start or was closed: every test unrun
        return [ExecResult(Status.KILLED, error_type="SandboxUnavailable",
                           error_message=f"{type(exc).__name__}: {exc}")] * len(jobs)


_PASSED = TestVerdict(True, TestReason.PASS, "pass")


def _judge(kind: str, want: str | None, result: ExecResult) -> TestVerdict:
    status = result.status  # its values other than ok and error name TestReasons too
    if result.sandbox_failed:
        return TestVerdict(False, TestReason.SANDBOX_ERROR, f"sandbox error: {result.error_message}")
    if status == Status.ERROR:
        return TestVerdict(False, TestReason.ERROR,
                           f"fail: {result.error_type or ''}: {(result.error_message or '')[:200]}")
    if not result.ok:
        return TestVerdict(False, TestReason(status), f"fail: {status}")
    if kind == "stdio":
        if stdout_lines(result.stdout) == stdout_lines(want or ""):
            return _PASSED
        return TestVerdict(False, TestReason.WRONG_OUTPUT, "fail: wrong output")
    if result.value == repr(want):
        return _PASSED
    return TestVerdict(False, TestReason.INCOMPLETE, "fail: the test did not complete")


def stdout_lines(text: str) -> list[str]:
    """Output as compared for stdio tests: lines with trailing whitespace stripped, trailing
    blank lines dropped."""
    return [line.rstrip() for line in text.rstrip().splitlines()]


# -- scoring -------------------------------------------------------------------------------


def score_codegen(completion: Any, suite: TestSuite, config: RewardConfig = DEFAULT_CONFIG, *,
                  sandbox: Any = None, strict: bool = True) -> ScoreResult:
    """The method's code-generation reward: ``codegen_format_bonus`` for a well-formed answer
    (a program could be extracted and it compiles) plus the fraction of tests passed, also
    when none passes. Returns a ``ScoreResult`` with one breakdown entry per test."""
    return score_codegen_batch([(completion, suite)], config, sandbox=sandbox, strict=strict)[0]


def score_codegen_batch(pairs: Sequence[tuple[Any, TestSuite]],
                        config: RewardConfig = DEFAULT_CONFIG, *, sandbox: Any = None,
                        strict: bool = True) -> list[ScoreResult]:
    """``score_codegen`` for many pairs, all tests in one sandbox batch."""

    codes = [extract_code(completion) for completion, _ in pairs]
    runnable = [i for i, code in enumerate(codes) if code is not None]
    outcomes = dict(zip(runnable, run_many([(codes[i], pairs[i][1]) for i in runnable],
                                           sandbox=sandbox, strict=strict)))
    results = []
    for i in range(len(pairs)):
        outcome = outcomes.get(i)
        if outcome is None:
            results.append(ScoreResult(0.0, "no_code", "codegen", "no program in the completion"))
            continue
        breakdown = tuple(QuestionScore("test", v.passed, v.detail) for v in outcome.verdicts)
        detail = f"{outcome.passed}/{outcome.total} tests passed"
        if outcome.status in _NOT_RUN:
            results.append(ScoreResult(0.0, OK, "codegen", f"{outcome.status}; {detail}",
                                       breakdown=breakdown))
            continue
        score = config.codegen_format_bonus + outcome.fraction
        status = OK if outcome.status is not OutcomeStatus.SANDBOX_ERROR else SANDBOX_ERROR
        results.append(ScoreResult(score, status, "codegen", detail, breakdown=breakdown))
    return results
