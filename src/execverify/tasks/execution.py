"""The execution-reasoning tasks: ``combined`` (the method's white-box prompt), ``output`` and
``input`` (single-question prediction). Items are records; the truth is the record as JSON.

Scoring is ``execverify.rewards.score``'s (the method's rewards); this module only says which
prompt a record gets for each task, which questions it asks, and what counts as right.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any, ClassVar

from execverify.data.records import Question, Record
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import ScoreResult, score_combined, score_inputs, score_output
from execverify.tasks.prompts import (
    DEFAULT_TEMPLATES,
    PromptTemplates,
    combined_questions,
    render_combined,
    render_single,
)
from execverify.tasks.registry import Task


class RecordTask(Task):
    """A task whose items are records and whose truth is the record JSON; its prompts are
    worded by ``templates`` (``with_templates`` gives the same task in other wording)."""

    truth_column: ClassVar[str] = "record"
    templates: PromptTemplates = DEFAULT_TEMPLATES

    def prompt(self, item: Record) -> str | None:
        return self.render(item) if self.questions(item) else None

    def render(self, record: Record) -> str:
        """The prompt of a record that has questions for this task."""
        return render_single(record, self.questions(record)[0], self.templates)

    def with_templates(self, templates: PromptTemplates) -> RecordTask:
        if templates == self.templates:
            return self
        worded = copy.copy(self)
        worded.templates = templates
        return worded

    def truth(self, item: Record) -> str:
        return item.to_json()

    def fields(self, item: Record) -> dict[str, Any]:
        return {"level": item.level, "source": item.source}

    def trl_fields(self, item: Record) -> dict[str, Any]:
        """The record's own fields (``features`` as JSON text, ``questions`` as a list)."""
        data = item.to_dict()
        return {"program": item.program, "entry": item.entry, "args": item.args,
                "output": item.output,
                "features": json.dumps(data["features"], ensure_ascii=False, sort_keys=True),
                "questions": data["questions"]}


class CombinedTask(RecordTask):
    name = "combined"
    description = ("the method's white-box prompt: the output question, then next-statement, "
                   "state, coverage and path questions; gated step reward")

    def questions(self, item: Record) -> list[Question]:
        return combined_questions(item)

    def render(self, record: Record) -> str:
        return render_combined(record, self.templates)

    def score(self, completions: Sequence[Any], truths: Sequence[Any],
              config: RewardConfig | None = None, *, sandbox: Any = None) -> list[ScoreResult]:
        config = config or DEFAULT_CONFIG
        return [score_combined(c, t, config) for c, t in zip(completions, truths)]

    def best_score(self, config: RewardConfig | None = None) -> float:
        config = config or DEFAULT_CONFIG
        return config.scale if config.output_only else config.max_combined

    def correct(self, result: ScoreResult) -> bool:
        """Right when the output answer is (the steps are the reward's business)."""
        return bool(result.output_correct)


class OutputTask(RecordTask):
    name = "output"
    description = "output prediction: fill `assert f(args) == ??`; scale or 0"

    def questions(self, item: Record) -> list[Question]:
        return item.questions_of("output")[:1]

    def score(self, completions: Sequence[Any], truths: Sequence[Any],
              config: RewardConfig | None = None, *, sandbox: Any = None) -> list[ScoreResult]:
        config = config or DEFAULT_CONFIG
        return [score_output(c, t, config) for c, t in zip(completions, truths)]

    def best_score(self, config: RewardConfig | None = None) -> float:
        return (config or DEFAULT_CONFIG).scale


class InputTask(RecordTask):
    name = "input"
    description = ("input prediction: fill `assert f(??) == output`; checked by running f on "
                   "the answer in the sandbox")

    def questions(self, item: Record) -> list[Question]:
        return item.questions_of("input")[:1]

    def score(self, completions: Sequence[Any], truths: Sequence[Any],
              config: RewardConfig | None = None, *, sandbox: Any = None) -> list[ScoreResult]:
        return score_inputs(list(zip(completions, truths)), config or DEFAULT_CONFIG,
                            sandbox=sandbox)

    def best_score(self, config: RewardConfig | None = None) -> float:
        return (config or DEFAULT_CONFIG).input_reward


COMBINED = CombinedTask()
OUTPUT = OutputTask()
INPUT = InputTask()
