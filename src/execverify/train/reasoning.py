"""Trace-grounded reasoning for the SFT warm-up: no teacher model needed.

The method warms the policy up on chain-of-thought from a teacher, keeping only answers that
score correct. This module is the teacher-free route: it replays a record's recorded execution
as a short step-by-step explanation ("line 3 runs: total = 6 (int)") that ends in the record's
right answers. Every text is then scored by ``execverify.rewards`` and kept only with full
score, so the warm-up can never teach a wrong answer or a format the reward rejects.

Two kinds of example per record:

- ``combined``: the method's white-box prompt (the ``combined`` task's); the reasoning walks
  the trace, the answer block is ``expected_completion``.
- ``input``: the input-prediction prompt (the ``input`` task's); the reasoning runs the call
  forwards and checks it reproduces the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from execverify.data.records import Record
from execverify.rewards import DEFAULT_CONFIG, RewardConfig, score_batch
from execverify.tasks import (
    ProgramLines,
    as_chat,
    expected_completion,
    expected_single_completion,
    get_task,
)
from execverify.tasks.prompts import ordinal
from execverify.trace.model import Step, Trace

MAX_STEPS = 24
"""Steps narrated before the rest is summarised: long loops would make the text mostly noise,
and the small model's context is short."""

MAX_VALUE_CHARS = 60


@dataclass(frozen=True)
class ReasoningExample:
    """One verified SFT example: the prompt, the completion, and how the reward scored it."""

    id: str
    task: str
    prompt: str
    completion: str
    score: float

    def messages(self) -> list[dict[str, str]]:
        """Chat form for TRL's SFTTrainer (``messages`` column)."""
        return [*as_chat(self.prompt), {"role": "assistant", "content": self.completion}]


def narrate(record: Record, trace: Trace, max_steps: int = MAX_STEPS, terse: bool = False
            ) -> str:
    """The trace as short sentences, one per executed line, ending with the returned value.

    A line's source text is quoted on its first run only; later runs name the line and what
    changed, which keeps loops from filling the small model's context with repeated code.
    ``terse`` repeats neither the call nor the source (the prompt shows both): every line is
    named by its number and what changed (a level 1-2 narration in about two thirds of the
    tokens), since every token a policy writes is paid for again in each GRPO step on a CPU.
    """
    lines = ProgramLines.parse(record.program)
    out = [] if terse else [f"Call {record.entry}({_short(record.args)})."]
    for step in trace.steps[:max_steps]:
        out.append(_step_sentence(step, lines, terse))
    hidden = len(trace.steps) - max_steps
    if hidden > 0:
        out.append(f"... {hidden} more steps run in the same way.")
    out.append(f"The call returns {_short(record.output)}.")
    return "\n".join(out)


def _step_sentence(step: Step, lines: ProgramLines, terse: bool = False) -> str:
    where = f" in {step.func}" if step.depth > 0 else ""
    if step.hit == 1:
        sentence = f"Line {step.line}{where}"
        if not terse:
            sentence += f": {lines.text(step.line)}"
    else:
        sentence = f"Line {step.line}{where} ({ordinal(step.hit)} run)"
    changes = [f"{name} = {_short(value[0])} ({value[1]})"
               for name, value in step.changes.items() if value is not None]
    if changes:
        sentence += " -> " + ", ".join(changes)
    return sentence


def _short(value: str) -> str:
    if len(value) <= MAX_VALUE_CHARS:
        return value
    return value[: MAX_VALUE_CHARS - 3] + "..."


def input_reasoning(record: Record, terse: bool = False) -> str:
    """Why the recorded arguments answer the input question: run them forwards."""
    if terse:
        return f"{record.entry}({record.args}) returns {_short(record.output)}."
    return (
        f"We need arguments for which {record.entry} returns {_short(record.output)}.\n"
        f"Try {record.entry}({record.args}): running it returns {_short(record.output)}, "
        "which matches."
    )


def candidates(record: Record, trace: Trace, max_steps: int = MAX_STEPS,
               templates: str = "method", terse: bool = False) -> list[tuple[str, str, str]]:
    """Unverified ``(task, prompt, completion)`` texts for one record and its trace: the
    prompts are the tasks' own (``execverify.tasks``, worded by ``templates``), as stage 1 and
    evaluation ask them; ``terse`` as in ``narrate``."""
    out = []
    combined, inputs = get_task("combined", templates), get_task("input", templates)
    prompt = combined.prompt(record)
    if prompt is not None:
        out.append(("combined", prompt,
                    expected_completion(record, narrate(record, trace, max_steps, terse))))
    prompt = inputs.prompt(record)
    if prompt is not None:
        question = inputs.questions(record)[0]
        out.append(("input", prompt,
                    expected_single_completion(question, input_reasoning(record, terse))))
    return out


def full_score(task: str, config: RewardConfig) -> float:
    """The best score a completion of ``task`` can get: what a kept example must reach."""
    return get_task(task).best_score(config)


def verified_examples(records: Sequence[Record], traces: Sequence[Trace] | None = None, *,
                      config: RewardConfig = DEFAULT_CONFIG, sandbox: Any = None,
                      max_steps: int = MAX_STEPS, templates: str = "method",
                      terse: bool = False) -> list[ReasoningExample]:
    """Verified examples for ``records``: only texts our reward scores in full are kept.

    ``traces`` are the records' recorded executions, in order; without them each call is traced
    again in the sandbox (records do not store their traces). Records whose call no longer
    traces cleanly are skipped. ``max_steps`` caps the narrated steps (shorter texts make
    every later generation cheaper, which decides what a CPU run can afford), and so does
    ``terse`` (``narrate``).
    """
    traces = list(traces) if traces is not None else _trace(records, sandbox)
    if len(traces) != len(records):
        raise ValueError(f"verified_examples needs one trace per record; got {len(traces)} "
                         f"traces for {len(records)} records.")
    pending = [(rec, task, prompt, completion)
               for rec, trace in zip(records, traces) if trace.ok
               for task, prompt, completion in candidates(rec, trace, max_steps, templates,
                                                          terse)]
    scores = score_batch([p[3] for p in pending], [p[0] for p in pending],
                         [p[1] for p in pending], config, sandbox=sandbox)
    return [ReasoningExample(rec.id, task, prompt, completion, result.score)
            for (rec, task, prompt, completion), result in zip(pending, scores)
            if result.ok and result.score >= full_score(task, config)]


def _trace(records: Iterable[Record], sandbox: Any) -> list[Trace]:
    from execverify.trace import trace_many

    return trace_many([(r.program, r.entry, r.args) for r in records], sandbox=sandbox)
