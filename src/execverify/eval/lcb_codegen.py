"""LiveCodeBench code generation (``livecodebench/code_generation_lite``), from the hub or a
local file in its format.

Rows hold the problem (``question_content``, ``starter_code``), ``public_test_cases`` (JSON)
and ``private_test_cases`` (JSON, or the hub's compressed form: base64 of zlib of a pickled
JSON string), and ``metadata`` (JSON with ``func_name`` for LeetCode problems). Tests are
either stdin/stdout (``testtype: stdin``) or calls of ``Solution().<func_name>`` with one JSON
value per input line (``testtype: functional``). Prompts are lcb_runner's.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from typing import Any, ClassVar

from execverify.eval.base import BenchmarkDataError, Sample
from execverify.eval.codegen import CodegenBenchmark
from execverify.eval.sources import read_rows
from execverify.rewards.codegen import TestSuite

LCB_CODEGEN_HUB_ID = "livecodebench/code_generation_lite"
LCB_CODEGEN_SYSTEM = (
    "You are an expert Python programmer. You will be given a question (problem specification) "
    "and will generate a correct Python program that matches the specification and passes all "
    "tests."
)
_STARTER = (
    "### Format: You will use the following starter code to write the solution to the problem "
    "and enclose your code within delimiters.\n```python\n{starter}\n```\n\n"
)
_STDIN = (
    "### Format: Read the inputs from stdin solve the problem and write the answer to stdout "
    "(do not directly test on the sample inputs). Enclose your code within delimiters as "
    "follows. Ensure that when the python program runs, it reads the inputs, runs the "
    "algorithm and writes output to STDOUT.\n```python\n# YOUR CODE HERE\n```\n\n"
)
FUNCTIONAL_SETUP = "import json\nfrom typing import *\nfrom collections import *\nimport math"


class _StrOnly(pickle.Unpickler):
    """The hub's private tests are a pickled *string*; refuse anything that is not one."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from test data")


def decode_tests(field: Any) -> list[dict[str, Any]]:
    """Test cases from a JSON list or the compressed private-test encoding."""
    if isinstance(field, list):
        return field
    if not field:
        return []
    try:
        return json.loads(field)
    except (json.JSONDecodeError, TypeError):
        pass
    try:
        raw = zlib.decompress(base64.b64decode(field))
        text = _StrOnly(io.BytesIO(raw)).load()
        return json.loads(text)
    except Exception as exc:
        raise BenchmarkDataError(f"cannot decode LiveCodeBench test cases: {exc}") from exc


def make_suite(cases: list[dict[str, Any]], func_name: str | None) -> TestSuite:
    """A stdio suite, or an assert suite calling ``Solution().<func_name>``."""
    kinds = {c.get("testtype", "stdin") for c in cases}
    if kinds == {"functional"}:
        if not func_name:
            raise BenchmarkDataError("functional LiveCodeBench tests need metadata.func_name")
        tests = []
        for case in cases:
            args = ", ".join(f"json.loads({line!r})" for line in case["input"].split("\n"))
            tests.append(f"assert Solution().{func_name}({args}) == json.loads("
                         f"{case['output']!r})")
        return TestSuite(kind="assert", tests=tuple(tests), setup=FUNCTIONAL_SETUP)
    return TestSuite(kind="stdio", tests=tuple(c["input"] for c in cases),
                     expected=tuple(c["output"] for c in cases))


class LCBCodegen(CodegenBenchmark):
    name = "lcb-codegen"
    description = "LiveCodeBench code generation: contest problems, stdin or LeetCode-style"
    hub_id: ClassVar[str | None] = LCB_CODEGEN_HUB_ID
    group_keys: ClassVar[tuple[str, ...]] = ("difficulty", "platform")
    max_new_tokens: ClassVar[int] = 2048
    min_timeout_s: ClassVar[float] = 6.0
    max_timeout_s: ClassVar[float] = 30.0

    def load(self) -> list[Sample]:
        rows = read_rows(self.source or LCB_CODEGEN_HUB_ID, hub_split="test")
        samples = []
        for row in rows:
            missing = {"question_content", "public_test_cases"} - set(row)
            if missing:
                raise BenchmarkDataError(f"{self.name}: row lacks {sorted(missing)}")
            cases = decode_tests(row["public_test_cases"]) + decode_tests(
                row.get("private_test_cases"))
            meta = row.get("metadata") or {}
            meta = json.loads(meta) if isinstance(meta, str) else meta
            suite = make_suite(cases, meta.get("func_name"))
            starter = row.get("starter_code") or ""
            fmt = _STARTER.format(starter=starter) if starter else _STDIN
            prompt = (f"### Question:\n{row['question_content']}\n\n{fmt}"
                      "### Answer: (use the provided format with backticks)\n\n")
            samples.append(Sample(
                id=str(row.get("question_id") or len(samples)), prompt=prompt,
                reference={"suite": suite.to_dict()}, system=LCB_CODEGEN_SYSTEM,
                group={"difficulty": row.get("difficulty", "unknown"),
                       "platform": row.get("platform", "unknown")},
            ))
        return samples
