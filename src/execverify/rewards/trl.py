"""TRL adapter: reward functions with ``GRPOTrainer``'s signature.

TRL calls each reward function as ``f(prompts=..., completions=..., completion_ids=...,
**columns)`` where ``columns`` holds every dataset column (one value per completion) plus
``trainer_state``, ``log_metric`` and ``log_extra``; it expects one float per completion, or
None where the function does not apply (TRL then ignores it for that row). The rows written by
``execverify export --format trl|hf`` carry what these functions read: ``task`` (the task by
name, ``execverify.tasks``) and its truth column (``record``, the record as JSON; ``test_suite``
for code generation)::

    from execverify.rewards.trl import combined_reward, input_reward
    trainer = GRPOTrainer(model=..., reward_funcs=[combined_reward, input_reward],
                          train_dataset=load_dataset("json", data_files="train.jsonl")["train"])

A reward returns None for rows of another task, so a mixed data set needs one reward per task.
The functions are callable objects (picklable; their ``__name__`` is what TRL logs), in a
synchronous and an asynchronous flavour (``async_combined_reward`` ..., which score in a worker
thread so TRL's event loop keeps running other async rewards). When TRL passes ``log_metric``,
each call also logs the mean score and the rate of every status (``too_long``, ``no_answer``,
``sandbox_error``, ...) under ``<name>/...``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import ScoreResult, score_batch, summarise


@dataclass(frozen=True)
class ScoredBatch:
    """What one reward call scored: the batch TRL passed (``prompts``, ``completions``, the
    dataset ``columns``), the positions of this task's rows and their results."""

    task: str
    prompts: list[Any]
    completions: list[Any]
    rows: list[int]
    results: list[ScoreResult]
    columns: dict[str, Any]


class ExecVerifyReward:
    """A TRL reward function for one task (any registered task, ``execverify.tasks``).

    ``truth_column`` names the column with what the task's scorer reads (default: the task's
    own, ``record`` or ``test_suite``); ``task_column`` the column saying which task a row is
    (rows of other tasks get None; without that column every row is taken to be this task).
    ``config`` is the reward section of a recipe (``reward.output_only=true`` ...).
    ``sandbox`` runs what must run (input prediction, code; default: the shared pool).
    ``observer``, when given, sees every scored batch (``ScoredBatch``): how a trainer logs its
    rollouts with their reward breakdown without scoring them twice.
    """

    def __init__(self, task: str = "combined", config: RewardConfig = DEFAULT_CONFIG, *,
                 truth_column: str | None = None, task_column: str = "task",
                 sandbox: Any = None, name: str | None = None,
                 observer: Callable[[ScoredBatch], None] | None = None) -> None:
        from execverify.tasks.registry import get_task

        self.task = get_task(task).name
        self.config = config
        self.truth_column = truth_column or get_task(task).truth_column
        self.task_column = task_column
        self.sandbox = sandbox
        self.observer = observer
        self.__name__ = name or f"execverify_{task}"

    def __call__(self, prompts: Sequence[Any] | None = None,
                 completions: Sequence[Any] | None = None, **columns: Any) -> list[float | None]:
        completions = list(completions or [])
        rows = _rows_of(self.task, completions, columns, self.task_column)
        truths = _column(columns, self.truth_column, len(completions), self.__name__)
        scored = score_batch([completions[i] for i in rows], [truths[i] for i in rows],
                             self.task, self.config, sandbox=self.sandbox)
        if self.observer is not None and rows:
            self.observer(ScoredBatch(self.task, list(prompts or []), completions, rows, scored,
                                      columns))
        return _finish(self.__name__, len(completions), rows, scored, columns)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["sandbox"] = None  # a pool does not travel; the receiver uses its default pool
        return state

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task={self.task!r}, name={self.__name__!r})"


class AsyncExecVerifyReward(ExecVerifyReward):
    """The same reward as a coroutine (scored in a worker thread)."""

    async def __call__(self, prompts: Sequence[Any] | None = None,  # type: ignore[override]
                       completions: Sequence[Any] | None = None,
                       **columns: Any) -> list[float | None]:
        call = ExecVerifyReward.__call__
        return await asyncio.to_thread(call, self, prompts, completions, **columns)


def task_rewards(tasks: Sequence[str], config: RewardConfig = DEFAULT_CONFIG, *,
                 sandbox: Any = None, observer: Callable[[ScoredBatch], None] | None = None
                 ) -> list[ExecVerifyReward]:
    """One reward per task (each None on the others' rows), as a mixed data set needs."""
    return [ExecVerifyReward(task, config, sandbox=sandbox, observer=observer)
            for task in tasks]


def _rows_of(task: str, completions: list[Any], columns: dict[str, Any],
             task_column: str) -> list[int]:
    tasks = columns.get(task_column)
    if tasks is None:
        return list(range(len(completions)))
    return [i for i, t in enumerate(tasks) if t == task]


def _column(columns: dict[str, Any], name: str, n: int, reward: str) -> list[Any]:
    values = columns.get(name)
    if values is None or len(values) != n:
        raise ValueError(
            f"reward {reward} reads the dataset column {name!r}, which the batch "
            f"{'lacks' if values is None else 'has with the wrong length'}; export the data "
            f"with `execverify export --format trl` (or pass {name!r} per row)."
        )
    return list(values)


def _finish(name: str, n: int, rows: list[int], scored: list[ScoreResult],
            columns: dict[str, Any]) -> list[float | None]:
    out: list[float | None] = [None] * n
    for i, result in zip(rows, scored):
        out[i] = float(result.score)
    log_metric = columns.get("log_metric")
    if callable(log_metric) and scored:
        for key, value in summarise(scored).items():
            log_metric(f"{name}/{key}", value)
    return out


combined_reward = ExecVerifyReward("combined")
output_reward = ExecVerifyReward("output")
input_reward = ExecVerifyReward("input")
async_combined_reward = AsyncExecVerifyReward("combined", name="execverify_combined_async")
async_output_reward = AsyncExecVerifyReward("output", name="execverify_output_async")
async_input_reward = AsyncExecVerifyReward("input", name="execverify_input_async")
codegen_reward = ExecVerifyReward("codegen")
