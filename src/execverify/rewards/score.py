"""Scoring a completion against a record: the method's rewards, with a breakdown.

Scorers for the execution tasks (what the prompt asked; ``execverify.tasks`` renders each, and
its registry routes ``score_batch`` to these):

- ``combined``: the method's white-box prompt (output first, then the record's next-statement,
  state, coverage and path questions in record order, see ``combined_questions``). Scored with
  the gated rule in ``RewardConfig`` (default ``2 * (0.5 + 0.5 * step_accuracy)``, 0 when the
  output is wrong, 1.0 when the number of answer lines is off). No execution.
- ``output``: the single output question; ``scale`` or 0. No execution.
- ``input``: the single input question; ``input_reward`` when ``f(answer)`` run in the sandbox
  returns the recorded output, else 0.

Every function returns a ``ScoreResult`` and never raises on any completion: unusable text gets
score 0 and a status that says why (``too_long``, ``no_answer``, ...), and a sandbox failure gets
status ``sandbox_error`` (so trainers can log its rate instead of learning from a silent 0).
Records may be given as ``Record`` objects, dicts or JSON strings (parsed once and cached).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, NamedTuple

from execverify.data.records import Question, Record
from execverify.rewards.checks import check_answer
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.inputs import input_arguments, judge_run, run_calls
from execverify.rewards.parse import OK, Parsed, parse_completion
from execverify.tasks.prompts import combined_questions

BAD_RECORD = "bad_record"
BAD_TASK = "bad_task"
SANDBOX_ERROR = "sandbox_error"


class QuestionScore(NamedTuple):
    """One question's verdict: the answer line given (None if missing), right or not, and why.

    A named tuple rather than a dataclass: a combined completion makes a dozen of these, and
    reward throughput is a requirement (see benchmarks/rewards_speed.py).
    """

    kind: str
    correct: bool
    why: str
    answer: str | None = None
    line: int | None = None
    hit: int | None = None
    var: str | None = None


@dataclass(frozen=True)
class ScoreResult:
    """A score with its reasons.

    ``status`` is ``ok`` when the completion was read and judged (whatever the score), else why
    it could not be. ``output_correct`` and ``step_accuracy`` are set for the combined task
    (``step_accuracy`` only when the answer lines line up with the questions); ``mismatch``
    says they did not. ``breakdown`` has one entry per question asked, in prompt order.
    """

    score: float
    status: str
    task: str
    detail: str = ""
    output_correct: bool | None = None
    step_accuracy: float | None = None
    mismatch: bool = False
    breakdown: tuple[QuestionScore, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["breakdown"] = [q._asdict() for q in self.breakdown]
        return data


def as_record(record: Record | dict[str, Any] | str) -> Record:
    """A ``Record`` from a record, its dict, or its JSON (JSON parsing is cached)."""
    if isinstance(record, Record):
        return record
    if isinstance(record, str):
        return _record_from_json(record)
    if isinstance(record, dict):
        return Record.from_dict(record)
    raise TypeError(f"a record must be a Record, dict or JSON string; got {type(record).__name__}")


@lru_cache(maxsize=4096)
def _record_from_json(text: str) -> Record:
    return Record.from_dict(json.loads(text))


_QUESTIONS: dict[int, tuple[Record, list[Question]]] = {}
_QUESTIONS_MAX = 4096


def _combined_questions(record: Record) -> list[Question]:
    """``combined_questions`` memoised per record object (the rollouts of a prompt share it).

    Keyed by ``id`` with the record kept in the entry, so an id is never reused while cached.
    """
    hit = _QUESTIONS.get(id(record))
    if hit is not None and hit[0] is record:
        return hit[1]
    if len(_QUESTIONS) >= _QUESTIONS_MAX:
        _QUESTIONS.clear()
    questions = combined_questions(record)
    _QUESTIONS[id(record)] = (record, questions)
    return questions


def _load(record: Any, task: str) -> tuple[Record | None, ScoreResult | None]:
    try:
        return as_record(record), None
    except Exception as exc:
        return None, ScoreResult(0.0, BAD_RECORD, task, f"{type(exc).__name__}: {exc}")


def _parse(completion: Any, config: RewardConfig) -> Parsed:
    return parse_completion(completion, max_chars=config.max_completion_chars,
                            max_lines=config.max_answer_lines)


def _judge(question: Question, answer: str | None, record: Record,
           config: RewardConfig) -> QuestionScore:
    if answer is None:
        correct, why = False, "no answer line"
    elif answer in question.answers and question.kind != "input":  # canonical: right as is
        correct, why = True, "exact"
    else:
        correct, why = check_answer(question, answer, record, max_chars=config.max_answer_chars,
                                    max_depth=config.max_literal_depth)
    return QuestionScore(question.kind, correct, why, answer, question.line, question.hit,
                         question.var)


# -- combined ------------------------------------------------------------------------------


def score_combined(completion: Any, record: Record | dict[str, Any] | str,
                   config: RewardConfig = DEFAULT_CONFIG) -> ScoreResult:
    """The method's combined white-box reward (see ``RewardConfig`` for the exact rule)."""
    rec, bad = _load(record, "combined")
    if rec is None:
        return bad  # type: ignore[return-value]
    questions = _combined_questions(rec)
    if not questions:
        return ScoreResult(0.0, BAD_RECORD, "combined", "record has no questions to ask")
    parsed = _parse(completion, config)
    if not parsed.ok:
        return ScoreResult(0.0, parsed.status, "combined", parsed.detail)
    answers = parsed.answers
    n = len(answers)
    breakdown = tuple([_judge(q, answers[i] if i < n else None, rec, config)
                       for i, q in enumerate(questions)])
    has_output = questions[0].kind == "output"
    output_ok = breakdown[0].correct if has_output else None
    steps = breakdown[1:] if has_output else breakdown
    mismatch = len(answers) != len(questions)
    step_acc = None
    if not mismatch:
        step_acc = sum(s.correct for s in steps) / len(steps) if steps else float(bool(output_ok))
    score, detail = _combine(output_ok, step_acc, mismatch, config)
    if mismatch:
        detail = f"{len(answers)} answer lines for {len(questions)} questions; " + detail
    return ScoreResult(score, OK, "combined", detail, output_ok, step_acc, mismatch, breakdown)


def _combine(output_ok: bool | None, step_acc: float | None, mismatch: bool,
             config: RewardConfig) -> tuple[float, str]:
    """The combined rule. ``output_ok`` is None for records without an output question: they
    are scored on their steps alone, ``max_combined * step_accuracy`` (0 on a mismatch)."""
    if config.output_only:
        return (config.scale, "output right") if output_ok else (0.0, "output wrong")
    if output_ok is False and config.gate_on_output:
        return 0.0, "output wrong (gate)"
    if mismatch:
        if output_ok:
            return config.mismatch_score, "no step credit"
        return 0.0, "no step credit"
    assert step_acc is not None
    if output_ok is None:
        return config.max_combined * step_acc, "steps only (no output question)"
    score = config.scale * (config.output_weight * output_ok + config.step_weight * step_acc)
    return score, f"output {'right' if output_ok else 'wrong'}, step accuracy {step_acc:.3f}"


# -- output --------------------------------------------------------------------------------


def score_output(completion: Any, record: Record | dict[str, Any] | str,
                 config: RewardConfig = DEFAULT_CONFIG) -> ScoreResult:
    """The single output question: ``scale`` when right, else 0. A value written over several
    lines is read as one."""
    rec, bad = _load(record, "output")
    if rec is None:
        return bad  # type: ignore[return-value]
    questions = rec.questions_of("output")
    if not questions:
        return ScoreResult(0.0, BAD_RECORD, "output", "record has no output question")
    parsed = _parse(completion, config)
    if not parsed.ok:
        return ScoreResult(0.0, parsed.status, "output", parsed.detail)
    verdict = _judge(questions[0], "\n".join(parsed.answers), rec, config)
    score = config.scale if verdict.correct else 0.0
    return ScoreResult(score, OK, "output", verdict.why, verdict.correct, breakdown=(verdict,))


def score_question(completion: Any, record: Record | dict[str, Any] | str, question: Question,
                   config: RewardConfig = DEFAULT_CONFIG) -> ScoreResult:
    """A single-question prompt (``render_single``) about any kind but input: 1.0 when the
    answer is right, else 0.0 (accuracy, as evaluations count it). Lines are joined, so a value
    written over several lines is read as one."""
    task = question.kind
    rec, bad = _load(record, task)
    if rec is None:
        return bad  # type: ignore[return-value]
    if question.kind == "input":
        return ScoreResult(0.0, BAD_TASK, task, "input questions are scored by score_input")
    parsed = _parse(completion, config)
    if not parsed.ok:
        return ScoreResult(0.0, parsed.status, task, parsed.detail)
    verdict = _judge(question, "\n".join(parsed.answers), rec, config)
    return ScoreResult(float(verdict.correct), OK, task, verdict.why, breakdown=(verdict,))


# -- input ---------------------------------------------------------------------------------


def score_input(completion: Any, record: Record | dict[str, Any] | str,
                config: RewardConfig = DEFAULT_CONFIG, *, sandbox: Any = None) -> ScoreResult:
    """Input prediction: ``input_reward`` when ``f(answer)`` reproduces the output, else 0."""
    return score_inputs([(completion, record)], config, sandbox=sandbox)[0]


def score_inputs(pairs: Sequence[tuple[Any, Record | dict[str, Any] | str]],
                 config: RewardConfig = DEFAULT_CONFIG, *, sandbox: Any = None
                 ) -> list[ScoreResult]:
    """``score_input`` for many (completion, record) pairs, run as one sandbox batch."""
    results: list[ScoreResult | None] = [None] * len(pairs)
    pending: list[tuple[int, Record, str, QuestionScore]] = []
    for i, (completion, record) in enumerate(pairs):
        rec, bad = _load(record, "input")
        if rec is None:
            results[i] = bad
            continue
        parsed = _parse(completion, config)
        if not parsed.ok:
            results[i] = ScoreResult(0.0, parsed.status, "input", parsed.detail)
            continue
        answer = "\n".join(parsed.answers)
        args, why = input_arguments(answer, rec, config)
        if args is None:
            verdict = QuestionScore("input", False, why, answer)
            results[i] = ScoreResult(0.0, OK, "input", why, breakdown=(verdict,))
            continue
        pending.append((i, rec, args, QuestionScore("input", False, why, answer)))
    outcomes = run_calls([(rec, args) for _, rec, args, _ in pending], config, sandbox)
    for (i, rec, _, verdict), outcome in zip(pending, outcomes):
        if outcome.status == SANDBOX_ERROR:
            results[i] = ScoreResult(0.0, SANDBOX_ERROR, "input", outcome.error,
                                     breakdown=(verdict,))
            continue
        ok, why = judge_run(outcome, rec)
        verdict = QuestionScore("input", ok, why, verdict.answer)
        results[i] = ScoreResult(config.input_reward if ok else 0.0, OK, "input", why,
                                 breakdown=(verdict,))
    return [r for r in results if r is not None]


# -- dispatch ------------------------------------------------------------------------------


def score_completion(completion: Any, record: Any, task: str = "combined",
                     config: RewardConfig = DEFAULT_CONFIG, *, sandbox: Any = None
                     ) -> ScoreResult:
    """Score one completion for ``task`` (any registered task, ``execverify.tasks``)."""
    return score_batch([completion], [record], [task], config, sandbox=sandbox)[0]


def score_batch(completions: Sequence[Any], truths: Sequence[Any], tasks: Sequence[str] | str,
                config: RewardConfig = DEFAULT_CONFIG, *, sandbox: Any = None
                ) -> list[ScoreResult]:
    """Score many completions, each by its task's scorer (the task registry decides, so a
    registered task scores here too); each task's rows go as one batch (the input task's runs
    share one sandbox batch). An unknown task scores 0 with status ``bad_task``."""
    from execverify.tasks.registry import find_task, task_names

    if isinstance(tasks, str):
        tasks = [tasks] * len(completions)
    if not len(completions) == len(truths) == len(tasks):
        raise ValueError(
            f"score_batch needs as many truths and tasks as completions; got "
            f"{len(completions)} completions, {len(truths)} truths, {len(tasks)} tasks."
        )
    results: list[ScoreResult | None] = [None] * len(completions)
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(tasks):
        groups.setdefault(name, []).append(i)
    for name, rows in groups.items():
        task = find_task(name)
        if task is None:
            bad = ScoreResult(0.0, BAD_TASK, str(name), f"unknown task; use {task_names()}")
            for i in rows:
                results[i] = bad
            continue
        scored = task.score([completions[i] for i in rows], [truths[i] for i in rows], config,
                            sandbox=sandbox)
        for i, result in zip(rows, scored):
            results[i] = result
    return [r for r in results if r is not None]


def summarise(results: Sequence[ScoreResult]) -> dict[str, float]:
    """Mean score and the rate of each status: what a trainer should log next to the reward.

    For combined-task results also ``output_gate`` (the share whose output was right, every
    completion counted: the white-box part of the reward pays only past that gate) and, when
    any passed, ``gated_step_accuracy`` (their mean intermediate-step accuracy): whether the
    method's own signal is reaching the policy at all."""
    if not results:
        return {}
    counts = Counter(r.status for r in results)
    summary = {"score_mean": sum(r.score for r in results) / len(results)}
    summary.update({f"status_{k}": v / len(results) for k, v in sorted(counts.items())})
    combined = [r for r in results if r.task == "combined"]
    if combined:
        summary["output_gate"] = sum(r.output_correct is True for r in combined) / len(combined)
        steps = [r.step_accuracy for r in combined
                 if r.output_correct and r.step_accuracy is not None]
        if steps:
            summary["gated_step_accuracy"] = sum(steps) / len(steps)
    return summary
