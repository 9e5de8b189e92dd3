"""Code-generation benchmarks: the shared part (extract code, build test suites, time limits
from the reference solution, pass@k), on ``execverify.rewards.codegen``'s test runner.

A subclass says how a row becomes a prompt, a ``TestSuite`` and a reference solution; this
class measures the reference solution once per problem in the sandbox and gives each test a
limit of ``timeout_factor`` times the reference's time (at least ``min_timeout_s``, at most
``max_timeout_s``), the EvalPlus approach: limits tight enough to catch exponential solutions,
loose enough for the machine the run happens on. A sample passes when every test passes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.base import Benchmark, Sample, Verdict
from execverify.rewards.codegen import (
    OutcomeStatus,
    TestOutcome,
    TestReason,
    TestSuite,
    extract_code,
    run_many,
)
from execverify.sandbox import Job, Limits

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox


class CodegenBenchmark(Benchmark):
    """Base for HumanEval(+), MBPP(+), LiveCodeBench code generation and BigCodeBench."""

    headline: ClassVar[str] = "pass@1"
    max_new_tokens: ClassVar[int] = 1024
    timeout_factor: ClassVar[float] = 4.0
    min_timeout_s: ClassVar[float] = 1.0
    max_timeout_s: ClassVar[float] = 20.0
    reference_timeout_s: ClassVar[float] = 60.0
    strict: ClassVar[bool] = False
    """Run tests as the official harnesses do (plain ``assert``), not with the reward's strict
    plain-data checks, which reject legitimate references (MBPP compares a ``Counter`` with a
    dict and tests the truth of ``re.Match`` objects)."""

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None) -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit)
        self.timeouts: dict[str, float] = {}

    # -- per-benchmark hooks ---------------------------------------------------------------
    def prepare(self, samples: Sequence[Sample], sandbox: Sandbox) -> None:
        """Work that needs the sandbox before tests exist (EvalPlus expected outputs)."""

    def suite(self, sample: Sample) -> TestSuite:
        """The tests of a sample (its ``timeout_s`` is replaced by the measured limit)."""
        return TestSuite.from_dict(sample.reference["suite"])

    def solution(self, sample: Sample, code: str) -> str:
        """The program to test for an extracted answer (default: the code as it is)."""
        return code

    def reference_solution(self, sample: Sample) -> str | None:
        return sample.reference.get("reference")

    # -- scoring ---------------------------------------------------------------------------
    def extract(self, completion: str) -> str:
        """The fenced (or ``<answer>``) code of a chat completion; a plain completion is kept
        as it is, since for base models it continues the prompt (a function body)."""
        if "```" in completion or "<answer>" in completion.lower():
            return extract_code(completion) or ""
        return completion

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        self.prepare(samples, sandbox)
        self.measure(samples, sandbox)
        pairs, owners = [], []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            suite = replace(self.suite(sample), timeout_s=self.timeouts[sample.id])
            for j, code in enumerate(gens):
                pairs.append((self.solution(sample, code) if code.strip() else "", suite))
                owners.append((i, j))
        outcomes = dict(zip(owners, run_many(pairs, sandbox=sandbox, strict=self.strict)))
        verdicts = []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            results = [outcomes[(i, j)] for j in range(len(gens))]
            verdicts.append(Verdict(
                id=sample.id,
                passed=[o.status is OutcomeStatus.OK and o.total > 0 and o.passed == o.total for o in results],
                answers=list(gens),
                statuses=[_status(o) for o in results],
                group=dict(sample.group),
                details={"tests_passed": [o.passed for o in results],
                         "tests_total": results[0].total if results else 0,
                         "timeout_s": self.timeouts[sample.id]},
            ))
        return verdicts

    def measure(self, samples: Sequence[Sample], sandbox: Sandbox) -> None:
        """Time each reference solution's tests once, and set the per-test limits."""
        todo = [s for s in samples if s.id not in self.timeouts]
        jobs, owners = [], []
        for sample in todo:
            reference = self.reference_solution(sample)
            if reference is None:
                self.timeouts[sample.id] = self.max_timeout_s
                continue
            for job in timing_jobs(reference, self.suite(sample), self.reference_timeout_s):
                jobs.append(job)
                owners.append(sample.id)
        slowest: dict[str, float] = {}
        for sid, result in zip(owners, sandbox.run_jobs(jobs)):
            took = result.duration_s if result.ok else self.max_timeout_s
            slowest[sid] = max(slowest.get(sid, 0.0), took)
        for sid, took in slowest.items():
            limit = max(self.min_timeout_s, self.timeout_factor * took)
            self.timeouts[sid] = min(limit, self.max_timeout_s)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "timeout_factor": self.timeout_factor,
                "min_timeout_s": self.min_timeout_s, "max_timeout_s": self.max_timeout_s}


def timing_jobs(solution: str, suite: TestSuite, timeout_s: float) -> list[Job]:
    """One plain execution per test of the reference solution, to measure its time."""
    limits = Limits(timeout_s=timeout_s, memory_mb=2048)
    if suite.kind == "stdio":
        source = f"{suite.setup}\n{solution}" if suite.setup else solution
        return [Job(source=source, stdin=stdin, limits=limits) for stdin in suite.tests]
    alias = f"\ncandidate = {suite.entry}\n" if suite.entry else "\n"
    return [Job(source=f"{suite.setup}\n{solution}{alias}{test}", limits=limits)
            for test in suite.tests]


def _status(outcome: TestOutcome) -> str:
    if outcome.status is not OutcomeStatus.OK:
        return str(outcome.status)
    if outcome.passed == outcome.total:
        return "pass"
    return "timeout" if outcome.count(TestReason.TIMEOUT) else "fail"


def prompt_imports(prompt: str) -> str:
    """The import lines of a prompt (``from typing import List``...), for solutions that
    rewrite the function without them."""
    return "\n".join(line for line in prompt.splitlines()
                     if re.match(r"\s*(import|from)\s+\w", line) and not line.startswith(" "))


def defines(code: str, name: str | None) -> bool:
    """Whether ``code`` defines a top-level function or class called ``name``."""
    if not name:
        return False
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               and node.name == name for node in tree.body)


def complete_function(prompt: str, code: str, entry: str) -> str:
    """A HumanEval-style solution: the code as it is when it defines ``entry`` (with the
    prompt's imports first), else the prompt continued by the code (a function body)."""
    if defines(code, entry):
        return f"{prompt_imports(prompt)}\n{code}"
    return prompt + code
