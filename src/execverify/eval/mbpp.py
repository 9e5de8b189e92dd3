"""MBPP sanitized (Austin et al., 2021; 427 problems shipped, scored on its test split of 257)
and MBPP+ (EvalPlus, from a local ``MbppPlus.jsonl`` or the hub id ``evalplus/mbppplus``).

MBPP's splits are task-id ranges: prompt 1-10, test 11-510, validation 511-600, train 601-974.
The benchmark scores the test split, as the hub's ``sanitized`` config does, so a model trained
on the train split (stage 2's ``mbpp-train``) is scored only on problems it never saw.

The tests are the problem's ``test_list`` asserts, run after its ``test_imports``; the prompt
is the MBPP paper's (task text plus the tests the code must pass).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.base import BenchmarkDataError, Sample
from execverify.eval.codegen import CodegenBenchmark
from execverify.eval.evalplus import expected_outputs, plus_suite
from execverify.eval.sources import DATA_DIR, read_rows
from execverify.rewards.codegen import TestSuite
from execverify.tasks.codegen import INSTRUCT_PREFIX

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

MBPP_LOCAL_FILE = DATA_DIR / "mbpp" / "sanitized-mbpp.json"
SPLITS: dict[str, range] = {"prompt": range(1, 11), "test": range(11, 511),
                            "validation": range(511, 601), "train": range(601, 975)}


def mbpp_prompt(text: str, tests: Sequence[str], style: str) -> str:
    """The MBPP paper's prompt; ``instruct`` asks for a code block instead of ``[BEGIN]``."""
    listed = "\n".join(tests)
    task = (f"You are an expert Python programmer, and here is your task: {text} "
            f"Your code should pass these tests:\n\n{listed}\n")
    if style == "instruct":
        return INSTRUCT_PREFIX + task
    return task + "[BEGIN]\n"


def tested_function(code: str, tests: Sequence[str]) -> str | None:
    """The function the tests call: the first one the reference defines that a test names."""
    try:
        defined = [n.name for n in ast.parse(code).body
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    except SyntaxError:
        return None
    called = set(re.findall(r"\b(\w+)\s*\(", "\n".join(tests)))
    return next((name for name in defined if name in called), None)


def call_candidate(test: str, entry: str | None) -> str:
    """Tests call a function that shadows a builtin (Mbpp/126 defines ``sum``) through the
    runner's ``candidate`` alias, because the runner hides solution names that shadow
    builtins from the tests."""
    if entry and entry in dir(builtins):
        return re.sub(rf"(?<![\w.]){re.escape(entry)}\s*\(", "candidate(", test)
    return test


class MBPP(CodegenBenchmark):
    name = "mbpp"
    description = "MBPP sanitized, test split: 257 short Python problems, pass@k"
    hub_id: ClassVar[str | None] = "mbpp"
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct", "instruct")
    stop: ClassVar[tuple[str, ...]] = ("[DONE]",)

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None, split: str = "test") -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit)
        if split not in SPLITS:
            raise ValueError(f"mbpp: split must be one of {list(SPLITS)}; got {split!r}")
        self.split = split

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "split": self.split}

    def rows(self) -> list[dict[str, Any]]:
        """The split's rows: by task id from a local file (the shipped one holds every
        split), or the hub's split of that name."""
        if self.source is not None and not Path(self.source).expanduser().exists():
            return read_rows(self.source, hub_split=self.split, hub_config="sanitized")
        ids = SPLITS[self.split]
        return [row for row in read_rows(self.source or MBPP_LOCAL_FILE)
                if int(row.get("task_id", -1)) in ids]

    def load(self) -> list[Sample]:
        samples = []
        for row in self.rows():
            tests = list(row.get("test_list") or [])
            text = row.get("prompt") or row.get("text") or ""
            if not tests or "code" not in row:
                raise BenchmarkDataError(f"{self.name}: row lacks code or test_list: {row!r:.200}")
            setup = "\n".join(row.get("test_imports") or [])
            entry = tested_function(row["code"], tests)
            tests = [call_candidate(t, entry) for t in tests]
            suite = TestSuite(kind="assert", tests=tuple(tests), setup=setup, entry=entry)
            samples.append(Sample(
                id=f"Mbpp/{row['task_id']}",
                prompt=mbpp_prompt(text, tests, self.prompt_style),
                reference={"reference": row["code"], "entry": entry, "suite": suite.to_dict()},
            ))
        return samples

    def extract(self, completion: str) -> str:
        return super().extract(completion.split("[DONE]", 1)[0])


class MBPPPlus(MBPP):
    """EvalPlus rows: ``task_id`` ("Mbpp/2"), ``prompt`` (task text and one example assert, in
    a docstring), ``code``, ``entry_point``, ``base_input``, ``plus_input``, ``atol``. All
    tests come from the inputs, checked against the reference's outputs."""

    name = "mbpp+"
    description = "MBPP+ (EvalPlus): MBPP with many more tests per problem"
    hub_id: ClassVar[str | None] = "evalplus/mbppplus"

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None) -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit)
        self._suites: dict[str, TestSuite] = {}

    def load(self) -> list[Sample]:
        samples = []
        for row in read_rows(self.source or self.hub_id or "", hub_split="test"):
            missing = {"task_id", "prompt", "code", "entry_point", "base_input",
                       "plus_input"} - set(row)
            if missing:
                raise BenchmarkDataError(f"{self.name}: not an EvalPlus file (rows lack "
                                         f"{sorted(missing)})")
            text = str(row["prompt"]).strip()
            prompt = (f"{INSTRUCT_PREFIX}{text}\n" if self.prompt_style == "instruct"
                      else f"{text}\n")
            samples.append(Sample(
                id=f"Mbpp/{str(row['task_id']).removeprefix('Mbpp/')}", prompt=prompt,
                reference={"reference": row["code"], "entry": row["entry_point"],
                           "inputs": list(row["base_input"]) + list(row["plus_input"]),
                           "atol": float(row.get("atol") or 0.0)},
            ))
        return samples

    def prepare(self, samples: Sequence[Sample], sandbox: Sandbox) -> None:
        for sample in samples:
            if sample.id not in self._suites:
                ref = sample.reference
                outputs = expected_outputs(sandbox, ref["reference"], ref["entry"], ref["inputs"])
                self._suites[sample.id] = plus_suite(ref["entry"], ref["inputs"], outputs,
                                                     ref["atol"])

    def suite(self, sample: Sample) -> TestSuite:
        return self._suites[sample.id]
