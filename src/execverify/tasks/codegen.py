"""The code-generation task (stage 2): the model writes a program, unit tests score it.

Items are problems with an ``id``, a ``prompt`` and a ``suite`` (``execverify.rewards.codegen.
TestSuite``; ``execverify.train.problems`` loads them); the truth is the suite as JSON. The
reward is the method's: ``codegen_format_bonus`` for a well-formed program plus the fraction of
tests passed, every test run in the sandbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from execverify.rewards.codegen import TestSuite, score_codegen_batch
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import ScoreResult
from execverify.tasks.registry import Task

INSTRUCT_PREFIX = (
    "Write a solution to the following problem in Python. Return the complete code in one "
    "```python code block.\n\n"
)
"""The request for a fenced Python solution: what training asks and the code-generation
benchmarks' ``instruct`` prompts ask, so the two never differ."""

BAD_GROUND_TRUTH = "bad_ground_truth"


class CodegenTask(Task):
    name = "codegen"
    description = "code generation: a fenced Python program, scored by the problem's unit tests"
    truth_column: ClassVar[str] = "test_suite"
    ability: ClassVar[str] = "code"

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict
        """Compare test values as plain data only (no user ``__eq__``); see TestSuite."""

    def prompt(self, item: Any) -> str | None:
        """The problem's prompt, led by the request for a fenced Python solution unless it
        asks for one already (MBPP's instruct prompt and Eurus prompts do)."""
        text = getattr(item, "prompt", None)
        if not isinstance(text, str) or not text.strip():
            return None
        return text if "```python" in text else INSTRUCT_PREFIX + text

    def truth(self, item: Any) -> str:
        return item.suite.to_json()

    def fields(self, item: Any) -> dict[str, Any]:
        return {"source": getattr(item, "source", "")}

    def score(self, completions: Sequence[Any], truths: Sequence[Any],
              config: RewardConfig | None = None, *, sandbox: Any = None) -> list[ScoreResult]:
        """All tests in one sandbox batch; a truth that is not a test suite scores 0 with
        status ``bad_ground_truth`` (a data bug, reported, not raised)."""
        config = config or DEFAULT_CONFIG
        suites = [suite_of(t) for t in truths]
        good = [i for i, s in enumerate(suites) if s is not None]
        scored = dict(zip(good, score_codegen_batch(
            [(completions[i], suites[i]) for i in good], config, sandbox=sandbox,
            strict=self.strict)))
        bad = ScoreResult(0.0, BAD_GROUND_TRUTH, self.name,
                          "the row's ground truth is not a TestSuite (as JSON or a mapping)")
        return [scored.get(i, bad) for i in range(len(completions))]

    def best_score(self, config: RewardConfig | None = None) -> float:
        return 1.0 + (config or DEFAULT_CONFIG).codegen_format_bonus


def suite_of(truth: Any) -> TestSuite | None:
    """A ``TestSuite`` from a suite, its dict or its JSON; None when it is none of those."""
    try:
        if isinstance(truth, TestSuite):
            return truth
        if isinstance(truth, dict):
            return TestSuite.from_dict(truth)
        if isinstance(truth, str) and truth:
            return TestSuite.from_json(truth)
    except (ValueError, TypeError, KeyError):
        return None
    return None


CODEGEN = CodegenTask()
