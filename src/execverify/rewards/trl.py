"""TRL adapter: reward functions with ``GRPOTrainer``'s signature.

TRL calls each reward function as ``f(prompts=..., completions=..., completion_ids=...,
**columns)`` where ``columns`` holds every dataset column (one value per completion) plus
``trainer_state``, ``log_metric`` and ``log_extra``; it expects one float per completion, or
None where the function does not apply (TRL then ignores it for that row). The rows written by
``execverify export --format trl|hf`` carry what these functions read: ``record`` (the record
as JSON) and ``task`` (``combined``, ``output`` or ``input``)::

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
from collections.abc import Sequence
from typing import Any

from execverify.rewards.codegen import TestSuite, score_codegen_batch
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import TASKS, ScoreResult, score_batch, summarise


class ExecVerifyReward:
    """A TRL reward function for one task of execverify records.

    ``record_column`` names the column with the record JSON; ``task_column`` the column saying
    which task a row is (rows of other tasks get None; without that column every row is taken
    to be this task). ``sandbox`` is used for input prediction (default: the shared pool).
    """

    def __init__(self, task: str = "combined", config: RewardConfig = DEFAULT_CONFIG, *,
                 record_column: str = "record", task_column: str = "task",
                 sandbox: Any = None, name: str | None = None) -> None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}; got {task!r}.")
        self.task = task
        self.config = config
        self.record_column = record_column
        self.task_column = task_column
        self.sandbox = sandbox
        self.__name__ = name or f"execverify_{task}"

    def __call__(self, prompts: Sequence[Any] | None = None,
                 completions: Sequence[Any] | None = None, **columns: Any) -> list[float | None]:
        completions = list(completions or [])
        rows = _rows_of(self.task, completions, columns, self.task_column)
        records = _column(columns, self.record_column, len(completions), self.__name__)
        scored = score_batch([completions[i] for i in rows], [records[i] for i in rows],
                             self.task, self.config, sandbox=self.sandbox)
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


class CodegenReward:
    """A TRL reward for code generation: rows carry a ``test_suite`` column holding a
    ``TestSuite`` as JSON (or dict); rows without one, or of another task, get None."""

    def __init__(self, config: RewardConfig = DEFAULT_CONFIG, *,
                 suite_column: str = "test_suite", task_column: str = "task",
                 sandbox: Any = None, strict: bool = True, name: str = "execverify_codegen"
                 ) -> None:
        self.config = config
        self.suite_column = suite_column
        self.task_column = task_column
        self.sandbox = sandbox
        self.strict = strict
        self.__name__ = name

    def __call__(self, prompts: Sequence[Any] | None = None,
                 completions: Sequence[Any] | None = None, **columns: Any) -> list[float | None]:
        completions = list(completions or [])
        suites_raw = _column(columns, self.suite_column, len(completions), self.__name__)
        rows, suites = [], []
        for i in _rows_of("codegen", completions, columns, self.task_column):
            suite = _suite(suites_raw[i])
            if suite is not None:
                rows.append(i)
                suites.append(suite)
        scored = score_codegen_batch([(completions[i], s) for i, s in zip(rows, suites)],
                                     self.config, sandbox=self.sandbox, strict=self.strict)
        return _finish(self.__name__, len(completions), rows, scored, columns)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["sandbox"] = None
        return state


def _suite(raw: Any) -> TestSuite | None:
    try:
        if isinstance(raw, TestSuite):
            return raw
        if isinstance(raw, str) and raw:
            return TestSuite.from_json(raw)
        if isinstance(raw, dict):
            return TestSuite.from_dict(raw)
    except (ValueError, TypeError):
        return None
    return None


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
codegen_reward = CodegenReward()
