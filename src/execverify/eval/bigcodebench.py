"""BigCodeBench, complete split (Zhuo et al., 2024): full (``bigcode/bigcodebench``) and hard
(``bigcode/bigcodebench-hard``), from the hub or a local file in their format.

Rows hold ``task_id``, ``complete_prompt`` (imports, signature and docstring to complete),
``canonical_solution`` (the body), ``test`` (a ``unittest`` module with ``TestCases``),
``entry_point`` and ``libs``. A sample passes when every test method passes, run the way
BigCodeBench does: the solution, then the test module, then its test cases.

The tasks use many third-party libraries (pandas, numpy, matplotlib, sklearn, ...); they must
be installed for the interpreter the sandbox runs, and pre-imported with ``--preload`` where
that interpreter's library folder is not readable by the sandboxed user.
"""

from __future__ import annotations

from typing import ClassVar

from execverify.eval.base import BenchmarkDataError, Sample
from execverify.eval.codegen import CodegenBenchmark, complete_function
from execverify.eval.sources import read_rows
from execverify.rewards.codegen import TestSuite

SPLIT = "v0.1.4"
RUN_TESTS = """
import unittest as _unittest
_loaded = _unittest.defaultTestLoader.loadTestsFromTestCase(TestCases)
_result = _unittest.TextTestRunner(stream=__import__("io").StringIO(), verbosity=0).run(_loaded)
assert _result.wasSuccessful(), f"{len(_result.failures)} failures, {len(_result.errors)} errors"
"""


class BigCodeBench(CodegenBenchmark):
    name = "bigcodebench"
    description = "BigCodeBench (complete, full): library-heavy function completion"
    hub_id: ClassVar[str | None] = "bigcode/bigcodebench"
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct", "instruct")
    max_new_tokens: ClassVar[int] = 1280
    min_timeout_s: ClassVar[float] = 10.0
    max_timeout_s: ClassVar[float] = 240.0
    group_keys: ClassVar[tuple[str, ...]] = ()

    def load(self) -> list[Sample]:
        rows = read_rows(self.source or self.hub_id or "", hub_split=SPLIT)
        samples = []
        for row in rows:
            missing = {"task_id", "complete_prompt", "test", "entry_point"} - set(row)
            if missing:
                raise BenchmarkDataError(f"{self.name}: row lacks {sorted(missing)}")
            suite = TestSuite(kind="assert", tests=(row["test"] + RUN_TESTS,),
                              entry=row["entry_point"])
            prompt = row["complete_prompt"]
            if self.prompt_style == "instruct":
                prompt = ("Complete the following function. Return the whole function, with "
                          f"its imports, in one ```python code block.\n\n```python\n{prompt}```\n")
            samples.append(Sample(
                id=str(row["task_id"]), prompt=prompt,
                reference={"prompt": row["complete_prompt"], "entry": row["entry_point"],
                           "reference": row["complete_prompt"] + row.get("canonical_solution", ""),
                           "suite": suite.to_dict()},
            ))
        return samples

    def solution(self, sample: Sample, code: str) -> str:
        return complete_function(sample.reference["prompt"], code, sample.reference["entry"])


class BigCodeBenchHard(BigCodeBench):
    name = "bigcodebench-hard"
    description = "BigCodeBench-Hard (complete): the 148-task hard subset"
    hub_id: ClassVar[str | None] = "bigcode/bigcodebench-hard"
