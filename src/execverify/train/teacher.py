"""The teacher route of the SFT warm-up: a model writes the reasoning, our reward keeps what is right.

The method warms the policy up on chain-of-thought written by a teacher model, keeping only
answers that score correct. Any generation backend can teach (``execverify.models``:
transformers, vLLM, an OpenAI-compatible server, or one added with ``register_backend``):

1. each record gives an output-prediction and an input-prediction prompt (the ``output`` and
   ``input`` tasks' own prompts, as stage 1 and evaluation ask them), and the teacher sees
   that prompt plus a hint to show its work step by step before the answer block;
2. the backend samples ``params.n`` completions per prompt in one batched call per chunk;
3. every completion is scored by ``execverify.rewards.score_batch`` (input answers are run in
   the sandbox), and only full-score texts are kept: at most ``per_prompt`` distinct ones per
   prompt, so a prompt the teacher finds easy does not flood the warm-up with copies.

A kept example pairs the teacher's text with the plain *student* prompt, not the teacher's: the
hint is scaffolding for the teacher, and the student must learn to answer the prompts it will
actually be asked. The trace route (``execverify.train.reasoning``) needs no teacher; the SFT
``route`` setting picks one or both.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from execverify.data.records import Record
from execverify.models import Backend, SamplingParams
from execverify.rewards import DEFAULT_CONFIG, RewardConfig, ScoreResult, score_batch
from execverify.tasks import as_chat, get_task
from execverify.train.reasoning import ReasoningExample, full_score

if TYPE_CHECKING:
    from execverify.train.config import SFTConfig

TEACHER_TASKS = ("output", "input")
"""The method's teacher tasks: output prediction and input prediction (any registered task
with a hint in ``HINTS`` can be asked too, ``combined`` included)."""

HINTS: Mapping[str, str] = {
    "output": (
        "Show your work: inside <reasoning>, execute the call statement by statement and write "
        "down the value of each variable as it changes. Inside <answer>, put only the returned "
        "value as a Python literal."
    ),
    "input": (
        "Show your work: inside <reasoning>, work backwards from the output to arguments that "
        "produce it, then run the call forwards on them to check. Inside <answer>, put only the "
        "arguments as Python literals separated by commas."
    ),
    "combined": (
        "Show your work: inside <reasoning>, execute the call statement by statement and write "
        "down the value of each variable as it changes. Inside <answer>, put only the answers, "
        "one per line, in the order of the questions."
    ),
}
"""What the teacher is told on top of the student prompt (which already asks for reasoning
before the answer block); an empty hint asks the teacher the student prompt as it is."""

CHUNK_PROMPTS = 32
"""Prompts per backend call: bounds memory, and lets the progress bar and counts move."""


@dataclass(frozen=True)
class TeacherPrompt:
    """One question for the teacher: what it is asked, and what the student will be asked."""

    record: Record
    task: str
    student: str
    teacher: str


@dataclass
class TeacherRun:
    """What the teacher route did: the kept examples and the counts to report.

    ``full`` counts completions that scored full (duplicates included); ``examples`` holds the
    distinct ones kept (``per_prompt`` at most per prompt); ``statuses`` counts the reward's
    status of every completion (``ok`` when it was read and judged, whatever the score), so
    sandbox failures show as a rate rather than as silent zeros.
    """

    prompts: int = 0
    generated: int = 0
    full: int = 0
    prompts_kept: int = 0
    examples: list[ReasoningExample] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return len(self.examples)

    @property
    def kept_share(self) -> float:
        """Share of prompts that gave at least one kept example."""
        return self.prompts_kept / self.prompts if self.prompts else 0.0

    @property
    def full_share(self) -> float:
        """Share of all completions that scored full: the teacher's accuracy on this data."""
        return self.full / self.generated if self.generated else 0.0

    def summary(self) -> str:
        other = {k: v for k, v in sorted(self.statuses.items()) if k != "ok"}
        unread = f"; unscored statuses {other}" if other else ""
        return (f"teacher: {self.prompts} prompts, {self.generated} completions, {self.full} "
                f"scored full ({self.full_share:.1%}); kept {self.kept} examples from "
                f"{self.prompts_kept} prompts ({self.kept_share:.1%} of prompts){unread}")


def student_prompt(record: Record, task: str, templates: str = "method") -> str | None:
    """The prompt stage 1 and evaluation ask for ``task`` (worded by ``templates``), or None if
    the record cannot ask it."""
    return get_task(task, templates).prompt(record)


def teacher_prompts(records: Sequence[Record], tasks: Sequence[str] = TEACHER_TASKS,
                    hints: Mapping[str, str] = HINTS, templates: str = "method"
                    ) -> list[TeacherPrompt]:
    """One prompt per record and task the record can ask (records missing a question skip it)."""
    if not tasks:
        raise ValueError("teacher tasks must be a non-empty list of task names, like "
                         f"{list(TEACHER_TASKS)}.")
    for task in tasks:
        get_task(task)  # an unknown name lists the known ones
    out = []
    for record in records:
        for task in tasks:
            student = student_prompt(record, task, templates)
            if student is None:
                continue
            hint = hints.get(task, "")
            teacher = f"{student}\n\n{hint}" if hint else student
            out.append(TeacherPrompt(record, task, student, teacher))
    return out


def teacher_examples(records: Sequence[Record], backend: Backend, params: SamplingParams, *,
                     tasks: Sequence[str] = TEACHER_TASKS, per_prompt: int = 1,
                     hints: Mapping[str, str] = HINTS, config: RewardConfig = DEFAULT_CONFIG,
                     sandbox: Any = None, chunk: int = CHUNK_PROMPTS,
                     progress: bool | None = None, templates: str = "method") -> TeacherRun:
    """Ask ``backend`` every teacher prompt of ``records``; keep the texts our reward scores full.
    The student's prompts (what the examples train on) are worded by ``templates``.

    ``params.n`` completions are sampled per prompt. ``progress`` shows a bar over prompts
    (default: when there is more than one chunk of ``chunk`` prompts).
    """
    if not isinstance(per_prompt, int) or per_prompt < 1:
        raise ValueError(f"per_prompt must be an int >= 1; got {per_prompt!r}.")
    if not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be an int >= 1; got {chunk!r}.")
    from tqdm.auto import tqdm

    prompts = teacher_prompts(records, tasks, hints, templates)
    run = TeacherRun(prompts=len(prompts))
    parts = [prompts[i:i + chunk] for i in range(0, len(prompts), chunk)]
    show = progress if progress is not None else len(parts) > 1
    with tqdm(total=len(prompts), desc="teacher", unit="prompt", disable=not show,
              file=sys.stderr) as bar:
        for part in parts:
            texts = _generate(backend, part, params)
            _keep(part, texts, run, per_prompt, config, sandbox)
            bar.update(len(part))
            bar.set_postfix(kept=run.kept, share=f"{run.kept_share:.0%}")
    return run


def _generate(backend: Backend, part: Sequence[TeacherPrompt], params: SamplingParams
              ) -> list[list[str]]:
    """The backend's completions, stripped, checked to be one list per prompt."""
    outputs = backend.generate([as_chat(p.teacher) for p in part], params)
    if len(outputs) != len(part):
        raise ValueError(f"teacher backend {backend.name!r} returned {len(outputs)} results "
                         f"for {len(part)} prompts; a backend must return one list per prompt.")
    return [[t.strip() if isinstance(t, str) else t for t in texts] for texts in outputs]


def _keep(part: Sequence[TeacherPrompt], texts: Sequence[Sequence[str]], run: TeacherRun,
          per_prompt: int, config: RewardConfig, sandbox: Any) -> None:
    """Score one chunk's completions in one batch and add the kept ones to ``run``."""
    flat = [(i, text) for i, group in enumerate(texts) for text in group]
    scores = score_batch([text for _, text in flat], [part[i].record for i, _ in flat],
                         [part[i].task for i, _ in flat], config, sandbox=sandbox)
    run.generated += len(flat)
    run.statuses.update(s.status for s in scores)
    kept: dict[int, list[str]] = {}
    for (i, text), result in zip(flat, scores):
        prompt = part[i]
        if not _is_full(result, prompt.task, config):
            continue
        run.full += 1
        chosen = kept.setdefault(i, [])
        if text in chosen or len(chosen) >= per_prompt:
            continue
        chosen.append(text)
        run.examples.append(ReasoningExample(prompt.record.id, prompt.task, prompt.student,
                                             text, result.score))
    run.prompts_kept += len(kept)


def _is_full(result: ScoreResult, task: str, config: RewardConfig) -> bool:
    return result.ok and result.score >= full_score(task, config)


def teacher_sampling(config: SFTConfig) -> SamplingParams:
    """The teacher's sampling settings from the SFT config (seeded with ``config.seed``)."""
    return SamplingParams(max_new_tokens=config.teacher_max_tokens,
                          temperature=config.teacher_temperature, n=config.teacher_samples,
                          seed=config.seed)


def teacher_route(config: SFTConfig, records: Sequence[Record], *, sandbox: Any = None
                  ) -> TeacherRun:
    """Load the config's teacher, collect its verified examples, release it, print the counts.

    The teacher is closed before the student is loaded for training, so both never have to fit
    in memory at once (beyond what the garbage collector takes to free it).
    """
    from execverify.models import load_backend

    with load_backend(config.teacher_backend, config.teacher_model) as backend:
        run = teacher_examples(records, backend, teacher_sampling(config), sandbox=sandbox,
                               progress=True, templates=config.templates)
    print(run.summary(), file=sys.stderr)
    return run
