"""verl adapter: ``compute_score`` for verl's rule-based reward managers.

Point verl at this file (it is loaded by path, so it imports nothing heavy)::

    custom_reward_function.path=$(python -c "import execverify.rewards.verl as m; print(m.__file__)")
    custom_reward_function.name=compute_score          # NaiveRewardManager (row by row)
    # or, with reward_model.reward_manager=batch:
    custom_reward_function.name=compute_score_batch
    # the recipe's reward section, as verl's reward_kwargs (execverify writes these):
    +custom_reward_function.reward_kwargs.output_only=true

It reads the Parquet rows ``execverify export --format verl`` (and ``train --engine verl``)
writes: ``reward_model.ground_truth`` (the task's truth: the record as JSON, or a test suite)
and ``extra_info`` (``id``, ``task``, ``index``, ``split``, ...). The task is the row's
``extra_info["task"]``, else the ``data_source`` suffix (``execverify/<task>``); any task in
the registry (``execverify.tasks``) scores, and a row naming none scores 0 with status
``bad_task``. Keyword arguments that name ``RewardConfig`` fields (verl passes
``reward_kwargs`` this way) set the reward, so ``output_only=True`` runs the ablation.

The returned dict has ``score`` (what verl trains on) and numeric extras verl logs per row:
``acc`` (1.0 when the task counts the answer right: the output answer for the combined task,
every test for code generation), ``step_acc`` (combined task; -1.0 when the answer lines do
not line up), ``mismatch`` and ``format_ok`` (0.0 when the completion could not be read).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig, reward_config
from execverify.rewards.score import ScoreResult, score_batch
from execverify.tasks.registry import DATA_SOURCE_PREFIX


def task_of(data_source: Any, extra_info: Any) -> str:
    """The row's task by name: ``extra_info["task"]``, else the ``data_source`` suffix."""
    if isinstance(extra_info, dict) and isinstance(extra_info.get("task"), str):
        return extra_info["task"]
    if isinstance(data_source, str) and data_source.startswith(DATA_SOURCE_PREFIX):
        return data_source[len(DATA_SOURCE_PREFIX):]
    return str(data_source)


def compute_score(data_source: Any = None, solution_str: Any = None, ground_truth: Any = None,
                  extra_info: Any = None, *, config: RewardConfig | None = None,
                  **kwargs: Any) -> dict[str, float]:
    """Score one response (verl's NaiveRewardManager calls this once per row)."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info],
                               config=config, **kwargs)[0]


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[Any],
                        ground_truths: Sequence[Any], extra_infos: Sequence[Any] | None = None,
                        *, config: RewardConfig | None = None, **kwargs: Any
                        ) -> list[dict[str, float]]:
    """Score a batch (verl's BatchRewardManager); each task's rows share one sandbox batch.
    ``kwargs`` naming ``RewardConfig`` fields set the reward (others are verl's own)."""
    config = config or reward_config(kwargs, DEFAULT_CONFIG)
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    tasks = [task_of(ds, info) for ds, info in zip(data_sources, infos)]
    results = score_batch(list(solution_strs), list(ground_truths), tasks, config)
    return [as_verl(r) for r in results]


def as_verl(result: ScoreResult) -> dict[str, float]:
    """verl's per-row dict: ``score`` plus numeric extras (same keys for every row)."""
    from execverify.tasks.registry import find_task

    task = find_task(result.task)
    acc = task.correct(result) if task is not None else False
    return {
        "score": float(result.score),
        "acc": float(bool(acc)),
        "step_acc": float(result.step_accuracy) if result.step_accuracy is not None else -1.0,
        "mismatch": float(result.mismatch),
        "format_ok": float(result.ok),
    }
