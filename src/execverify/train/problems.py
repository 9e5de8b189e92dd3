"""Stage-2 data: programming problems with unit tests, in one documented format.

A problem is an ``id``, the ``prompt`` the model sees and a ``suite`` of tests, exactly what
``execverify.rewards.codegen.TestSuite`` runs, so the reward needs no translation. On disk it is
JSONL, one problem per line::

    {"id": "add", "prompt": "Write a function add(a, b) that returns a + b.",
     "suite": {"kind": "assert", "tests": ["assert add(1, 2) == 3"], "entry": "add"}}
    {"id": "sum-stdin", "prompt": "Read two integers from stdin and print their sum.",
     "suite": {"kind": "stdio", "tests": ["1 2\\n"], "expected": ["3\\n"]}}

``suite`` fields: ``kind`` (``assert``: Python statements run after the solution; ``stdio``:
the solution runs as a script on each stdin text, whose stdout must equal ``expected``),
``tests`` (at least one), ``expected`` (stdio only, one per test), optional ``setup`` (code run
before the solution and each test, e.g. imports), ``entry`` (the function under test, callable
as ``candidate`` in tests) and ``timeout_s`` (per test, default 3). Optional top-level
``source`` says where a problem came from. Stage 2 asks for a fenced Python solution unless the
prompt already does (see ``execverify.train.stage2``).

Sources (``load_problems``):

- ``mbpp-train``: the MBPP train split (task ids 601-974, 120 problems in the sanitized set
  shipped with ``execverify.eval``), with the MBPP benchmark's own prompt and tests. It is
  disjoint from the MBPP test split (task ids 11-510) that the ``mbpp`` benchmark scores, so
  training on it leaves MBPP scores uncontaminated. MBPP+ (EvalPlus) draws from every split,
  train included: after stage 2 on this split, read MBPP+ with that in mind.
- a ``.jsonl`` file in the format above;
- rows of the code subset of PRIME's Eurus-2-RL-Data (``.parquet`` as published, or the same
  rows as JSONL): ``prompt`` (chat messages), ``ability`` (``code``; other rows are skipped),
  ``reward_model.ground_truth`` (JSON: ``inputs``, ``outputs`` and, for call-based problems,
  ``fn_name``) and ``extra_info.index``. Rows with ``fn_name`` become ``assert`` suites that
  call the function (or ``Solution().<fn_name>`` when the prompt has LeetCode's ``class
  Solution``) and compare as the APPS checker does (tuples equal lists; an expected value may
  be wrapped in a one-element list); the others become ``stdio`` suites. Only the first
  ``EURUS_MAX_TESTS`` tests are kept: some problems have hundreds, and the reference scorer's
  continuous score also looks at the first ten.

A bad row fails loading with the file, the line, the field and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from execverify.rewards.codegen import SUITE_KINDS, TestSuite

MBPP_TRAIN = "mbpp-train"
EURUS_MAX_TESTS = 10
PROBLEM_FIELDS = ("id", "prompt", "suite", "source")
SUITE_FIELDS = ("kind", "tests", "expected", "setup", "entry", "timeout_s")
EURUS_MATCH = '''\
def _eurus_plain(value):
    kind = type(value)
    if kind is list or kind is tuple:
        return [_eurus_plain(v) for v in value]
    if kind is dict:
        return {_eurus_plain(k): _eurus_plain(v) for k, v in value.items()}
    if kind in (int, float, str, bool, type(None)):
        return value
    raise AssertionError("the solution returned a " + kind.__name__ + ", not plain data")


def _eurus_match(out, expected):
    out = _eurus_plain(out)
    return out == expected or (type(expected) is list and len(expected) == 1
                               and out == expected[0])
'''
"""Setup of call-based Eurus suites: the APPS comparison, on plain data only (so an object
whose ``__eq__`` always answers True fails, also where the test calls ``Solution()``)."""


class ProblemDataError(ValueError):
    """A problem file or row that breaks the format; the message says where and how to fix."""


@dataclass(frozen=True)
class Problem:
    """One programming problem: what the model is asked and the tests its answer must pass."""

    id: str
    prompt: str
    suite: TestSuite
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "prompt": self.prompt,
                                "suite": self.suite.to_dict()}
        if self.source:
            data["source"] = self.source
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


# -- loading -------------------------------------------------------------------------------


def load_problems(data: str, max_problems: int = 0, owner: str = "Stage2Config"
                  ) -> list[Problem]:
    """The problems of ``data`` (``mbpp-train``, a JSONL file in our format, or Eurus-2-RL-Data
    rows as Parquet or JSONL), the first ``max_problems`` of them (0: all).

    ``owner`` names the config in error messages.
    """
    if not data:
        raise ProblemDataError(f"{owner}.data is empty; set it to {MBPP_TRAIN!r} or a problem "
                               "file (.jsonl in execverify's format, or Eurus-2-RL-Data .parquet).")
    if data == MBPP_TRAIN:
        problems = mbpp_train_problems()
    else:
        path = Path(data).expanduser()
        if not path.is_file():
            raise ProblemDataError(
                f"{owner}.data {data!r} is neither {MBPP_TRAIN!r} nor a file; point it at a "
                ".jsonl problem file or a Eurus-2-RL-Data .parquet file.")
        problems = read_problem_file(path)
    return problems[:max_problems] if max_problems else problems


def read_problem_file(path: Path) -> list[Problem]:
    """Every problem of a ``.jsonl`` or ``.parquet`` file; Eurus rows (those with a
    ``reward_model``) are converted, and their non-code rows skipped."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for where, row in _rows(path):
        if isinstance(row, dict) and "reward_model" in row:
            if row.get("ability", "code") != "code":
                continue
            problem = eurus_problem(row, where)
        else:
            problem = problem_from_dict(row, where)
        if problem.id in seen:
            raise ProblemDataError(f"{where}: id {problem.id!r} repeats the one at "
                                   f"{seen[problem.id]}; give every problem its own id.")
        seen[problem.id] = where
        problems.append(problem)
    if not problems:
        raise ProblemDataError(f"{str(path)!r} holds no problems (a Eurus file needs rows with "
                               "ability 'code'); check the file.")
    return problems


def _rows(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, row)`` pairs: ``file:line`` for JSONL, ``file row N`` for Parquet."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        for index, row in enumerate(_read_parquet(path)):
            yield f"{path} row {index}", row
        return
    if not name.endswith((".jsonl", ".ndjson")):
        raise ProblemDataError(f"{str(path)!r}: unknown problem file type; use .jsonl (one "
                               "problem per line) or Eurus-2-RL-Data's .parquet.")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ProblemDataError(f"{where}: not valid JSON ({exc}); write one JSON "
                                       "object per line.") from None


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    """Parquet rows; of a Eurus file only the code rows (the file is mostly math)."""
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    filters = [("ability", "=", "code")] if "ability" in names else None
    return pq.read_table(path, filters=filters).to_pylist()


# -- our format ------------------------------------------------------------------------------


def problem_from_dict(row: Any, where: str = "problem") -> Problem:
    """A ``Problem`` from one row of our format; ``where`` locates it in error messages."""
    _check_object(row, PROBLEM_FIELDS, where, "the row", "", "part of the format",
                  'write {"id": ..., "prompt": ..., "suite": {...}}')
    problem_id = row.get("id")
    if isinstance(problem_id, int) and not isinstance(problem_id, bool):
        problem_id = str(problem_id)
    if not isinstance(problem_id, str) or not problem_id:
        _bad(where, "field 'id'", f"must be a non-empty string; got {problem_id!r}",
             "give each problem a unique id")
    prompt = row.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        _bad(where, "field 'prompt'", f"must be non-empty text; got {prompt!r}",
             "put the problem statement the model sees there")
    source = row.get("source", "")
    if not isinstance(source, str):
        _bad(where, "field 'source'", f"must be a string; got {source!r}", "drop it or quote it")
    return Problem(problem_id, prompt, suite_from_dict(row.get("suite"), where), source)


def _check_object(data: Any, fields: Sequence[str], where: str, what: str, prefix: str,
                  among: str, example: str) -> None:
    """``data`` is a JSON object whose keys are all among ``fields`` (named ``prefix<key>``;
    one that is not is "not <among>")."""
    if not isinstance(data, dict):
        _bad(where, what, f"is a {type(data).__name__}, not an object", example)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        _bad(where, f"field '{prefix}{unknown[0]}'", f"is not {among}",
             f"use only {list(fields)}")


def suite_from_dict(data: Any, where: str = "problem") -> TestSuite:
    """The ``suite`` object of a row, with TestSuite's own checks reported at ``where``."""
    _check_object(data, SUITE_FIELDS, where, "field 'suite'", "suite.", "a TestSuite field",
                  'write {"kind": "assert", "tests": ["assert f(1) == 2"]}')
    if data.get("kind") not in SUITE_KINDS:
        _bad(where, "field 'suite.kind'", f"must be one of {list(SUITE_KINDS)}; got "
             f"{data.get('kind')!r}", "use assert for Python asserts, stdio for stdin/stdout")
    tests = data.get("tests")
    if not isinstance(tests, list) or not tests:
        _bad(where, "field 'suite.tests'", f"must be a non-empty list; got {tests!r}",
             "give at least one test")
    try:
        return TestSuite.from_dict(data)
    except (ValueError, TypeError) as exc:
        field = next((f for f in SUITE_FIELDS if f"TestSuite.{f}" in str(exc)), "expected")
        _bad(where, f"field 'suite.{field}'", str(exc).rstrip("."),
             "see the format in execverify.train.problems")


def _bad(where: str, field: str, problem: str, fix: str) -> NoReturn:
    raise ProblemDataError(f"{where}: {field} {problem}; {fix}.")


# -- MBPP train -----------------------------------------------------------------------------


def mbpp_train_problems() -> list[Problem]:
    """The MBPP train split (task ids 601-974) with the MBPP benchmark's instruct prompt
    (task text plus the tests to pass) and its test suites."""
    from execverify.eval.mbpp import MBPP

    problems = []
    for sample in MBPP(prompt_style="instruct", split="train").load():
        suite = TestSuite.from_dict(sample.reference["suite"])
        problems.append(Problem(sample.id, sample.prompt, suite, MBPP_TRAIN))
    return problems


# -- Eurus-2-RL-Data ------------------------------------------------------------------------


def eurus_problem(row: dict[str, Any], where: str = "row",
                  max_tests: int = EURUS_MAX_TESTS) -> Problem:
    """A ``Problem`` from one code row of PRIME's Eurus-2-RL-Data (see the module doc)."""
    prompt = _eurus_prompt(row.get("prompt"), where)
    truth = _ground_truth(row.get("reward_model"), where)
    inputs, outputs = truth.get("inputs"), truth.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or not inputs \
            or len(inputs) != len(outputs):
        _bad(where, "field 'reward_model.ground_truth'", "needs non-empty 'inputs' and "
             "'outputs' lists of the same length", "drop the row or repair its tests")
    pairs = list(zip(inputs, outputs))[:max_tests]
    fn_name = truth.get("fn_name")
    if fn_name is None:
        suite = _stdio_suite(pairs, where)
    elif isinstance(fn_name, str) and fn_name.isidentifier():
        suite = _call_suite(pairs, fn_name, "class Solution" in prompt, where)
    else:
        _bad(where, "field 'reward_model.ground_truth.fn_name'", f"must be a function name; "
             f"got {fn_name!r}", "drop it for stdin/stdout problems")
    info = row.get("extra_info") if isinstance(row.get("extra_info"), dict) else {}
    source = str(row.get("data_source") or "eurus")
    index = info.get("index")
    problem_id = f"eurus/{source}/{index}" if index is not None else f"eurus/{where}"
    return Problem(problem_id, prompt, suite, f"eurus:{source}")


def _eurus_prompt(messages: Any, where: str) -> str:
    """The user text of a chat prompt (Eurus' system message is its own reasoning format)."""
    if isinstance(messages, str) and messages.strip():
        return messages
    users = [m.get("content") for m in messages
             if isinstance(m, dict) and m.get("role") == "user"
             ] if isinstance(messages, list) else []
    if not users or not all(isinstance(u, str) and u.strip() for u in users):
        _bad(where, "field 'prompt'", "must be chat messages with a non-empty user message",
             'write [{"role": "user", "content": "..."}]')
    return "\n\n".join(users)


def _ground_truth(reward_model: Any, where: str) -> dict[str, Any]:
    truth = reward_model.get("ground_truth") if isinstance(reward_model, dict) else None
    if isinstance(truth, str):
        try:
            truth = json.loads(truth)
        except json.JSONDecodeError as exc:
            _bad(where, "field 'reward_model.ground_truth'", f"is not valid JSON ({exc})",
                 "it must hold the tests as JSON with inputs and outputs")
    if not isinstance(truth, dict):
        _bad(where, "field 'reward_model.ground_truth'", f"must be a JSON object; got "
             f"{type(truth).__name__}", 'write {"inputs": [...], "outputs": [...]}')
    return truth


def _stdio_suite(pairs: Sequence[tuple[Any, Any]], where: str) -> TestSuite:
    return TestSuite(kind="stdio", tests=tuple(_text(i, where, "inputs") for i, _ in pairs),
                     expected=tuple(_text(o, where, "outputs") for _, o in pairs))


def _text(value: Any, where: str, field: str) -> str:
    """A stdio text; APPS-style rows may give it as a list of lines."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    if not isinstance(value, str):
        _bad(where, f"field 'reward_model.ground_truth.{field}'", f"holds a "
             f"{type(value).__name__} in a stdin/stdout problem", "use text (or add fn_name)")
    return value


def _call_suite(pairs: Sequence[tuple[Any, Any]], fn_name: str, leetcode: bool,
                where: str) -> TestSuite:
    call = f"Solution().{fn_name}" if leetcode else "candidate"
    tests = tuple(f"assert _eurus_match({call}(*{_arguments(i, where)!r}), "
                  f"{_expected(o, where)!r})" for i, o in pairs)
    return TestSuite(kind="assert", tests=tests, setup=EURUS_MATCH,
                     entry=None if leetcode else fn_name)


def _arguments(value: Any, where: str) -> list[Any]:
    """Call arguments: a JSON list, or (LiveCodeBench encoding) one JSON value per line."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            return [json.loads(line) for line in value.split("\n") if line.strip()]
        except json.JSONDecodeError as exc:
            _bad(where, "field 'reward_model.ground_truth.inputs'", f"holds an argument that "
                 f"is not JSON ({exc})", "write one JSON value per argument line")
    _bad(where, "field 'reward_model.ground_truth.inputs'", f"holds a {type(value).__name__}",
         "give each call's arguments as a JSON list")


def _expected(value: Any, where: str) -> Any:
    """An expected return value: JSON data, or JSON text of it."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        _bad(where, "field 'reward_model.ground_truth.outputs'", f"holds text that is not "
             f"JSON ({exc})", "write each expected return value as JSON")
