"""Synthetic held-out: our own records (a dataset folder from ``execverify synth``, or one JSONL
file of records), asked and scored exactly as in training.

Each record gives one sample per task (``execverify.tasks``; by default the method's combined
prompt, the output question then the white-box questions, and the separate input-prediction
prompt). Prompts, scoring and what counts as right are the tasks' own, so evaluation and
reward can never disagree. A combined sample *passes* when its output answer is right; every question's verdict is kept,
so the results break accuracy down by difficulty level and by question kind, and
``question_accuracy`` pools every question asked (its standard error treats the questions as
independent, which those of one program are not quite).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from execverify.data.dataset import read_records
from execverify.data.records import Record
from execverify.eval.base import Benchmark, BenchmarkDataError, Sample, Verdict
from execverify.eval.metrics import Metric, mean_stderr
from execverify.rewards import ScoreResult, score_batch
from execverify.tasks import get_task
from execverify.tasks.prompts import DEFAULT_TEMPLATES, templates_named

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

SYNTHETIC_TASKS = ("combined", "input")


def _load_records(source: str) -> list[Record]:
    """Records of a dataset folder or of one JSONL file (``execverify.data.dataset``)."""
    try:
        return list(read_records(Path(source).expanduser()))
    except (ValueError, OSError) as exc:
        raise BenchmarkDataError(f"synthetic: {exc}") from exc


class Synthetic(Benchmark):
    name = "synthetic"
    description = "Held-out synthetic records: combined white-box prompt and input prediction"
    group_keys: ClassVar[tuple[str, ...]] = ("level", "task")
    max_new_tokens: ClassVar[int] = 1024

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None, tasks: Sequence[str] = SYNTHETIC_TASKS,
                 templates: str = "method") -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit)
        templates_named(templates)  # an unknown name fails here, listing the known ones
        self.templates = templates
        """The prompts' wording (``execverify.tasks.TEMPLATE_SETS``): the one trained on."""
        if not tasks or any(get_task(t).truth_column != "record" for t in tasks):
            raise ValueError(f"synthetic: tasks must be a non-empty list of record tasks (like "
                             f"{list(SYNTHETIC_TASKS)}, or output); got {list(tasks)!r}")
        self.tasks = tuple(tasks)
        """Which prompts each record gives (a cheaper run can ask only ``combined``)."""

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "tasks": list(self.tasks), "templates": self.templates}

    def load(self) -> list[Sample]:
        if self.source is None:
            raise BenchmarkDataError(
                "synthetic needs a dataset: pass --data synthetic=DIR (from `execverify synth`)"
            )
        samples = []
        worded = {task: get_task(task, self.templates) for task in self.tasks}
        for record in _load_records(self.source):
            for task in self.tasks:
                prompt = worded[task].prompt(record)
                if prompt is None:
                    continue
                samples.append(Sample(
                    id=f"{record.id}/{task}", prompt=prompt, system=DEFAULT_TEMPLATES.system,
                    reference={"record": record.to_dict(), "task": task},
                    group={"level": record.level, "task": task},
                ))
        return samples

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        flat = [(i, g) for i, gens in enumerate(answers) for g in gens]
        results = score_batch(
            [g for _, g in flat],
            [samples[i].reference["record"] for i, _ in flat],
            [samples[i].reference["task"] for i, _ in flat],
            sandbox=sandbox,
        )
        per_sample: dict[int, list[ScoreResult]] = defaultdict(list)
        for (i, _), result in zip(flat, results):
            per_sample[i].append(result)
        verdicts = []
        for i, sample in enumerate(samples):
            task = get_task(sample.reference["task"])
            scored = per_sample.get(i, [])
            first = scored[0] if scored else None
            verdicts.append(Verdict(
                id=sample.id,
                passed=[task.correct(r) for r in scored],
                answers=list(answers[i]),
                statuses=[r.status if r.status != "ok" else ("pass" if task.correct(r) else
                                                             "fail") for r in scored],
                group=dict(sample.group),
                details={
                    "reward": [r.score for r in scored],
                    "questions": _question_verdicts(sample, first),
                    "step_accuracy": first.step_accuracy if first else None,
                },
            ))
        return verdicts

    def aggregate(self, verdicts: Sequence[Verdict]) -> dict[str, Metric]:
        out = super().aggregate(verdicts)
        rewards = [sum(v.details["reward"]) / len(v.details["reward"])
                   for v in verdicts if v.details.get("reward")]
        out["reward"] = mean_stderr(rewards)
        for task in self.tasks:
            scores = [v.score for v in verdicts if v.group.get("task") == task]
            if scores:
                out[task] = mean_stderr(scores)
        questions = [float(correct) for v in verdicts
                     for _, correct in v.details.get("questions", [])]
        if questions:
            out["question_accuracy"] = mean_stderr(questions)
        steps = [v.details["step_accuracy"] for v in verdicts
                 if v.details.get("step_accuracy") is not None]
        if steps:
            out["step_accuracy"] = mean_stderr(steps)
        return out

    def breakdown(self, verdicts: Sequence[Verdict]) -> dict[str, dict[str, Metric]]:
        """Per level (sample accuracy) and per question kind (first generation's verdict on
        every question of that kind, across combined and input prompts)."""
        out = super().breakdown(verdicts)
        kinds: dict[str, list[float]] = defaultdict(list)
        for v in verdicts:
            for kind, correct in v.details.get("questions", []):
                kinds[kind].append(float(correct))
        if kinds:
            out["kind"] = {k: mean_stderr(vals) for k, vals in sorted(kinds.items())}
        return out


def _question_verdicts(sample: Sample, result: ScoreResult | None) -> list[list]:
    """``[kind, correct]`` for every question the prompt asked, judged on the first
    generation; an unreadable completion gets every question wrong (not left out, or kinds
    a model never answers would vanish from the breakdown)."""
    if result is not None and result.breakdown:
        return [[q.kind, bool(q.correct)] for q in result.breakdown]
    record = Record.from_dict(sample.reference["record"])
    return [[q.kind, False] for q in get_task(sample.reference["task"]).questions(record)]
