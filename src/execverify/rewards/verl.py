"""verl adapter: ``compute_score`` for verl's rule-based reward managers.

Point verl at this file (it is loaded by path, so it imports nothing heavy)::

    custom_reward_function.path=$(python -c "import execverify.rewards.verl as m; print(m.__file__)")
    custom_reward_function.name=compute_score          # NaiveRewardManager (row by row)
    # or, with reward_model.reward_manager=batch:
    custom_reward_function.name=compute_score_batch

It reads the Parquet rows ``execverify export --format verl`` writes: ``data_source``
(``execverify/<task>``), ``reward_model.ground_truth`` (the record as JSON) and ``extra_info``
(``id``, ``task``, ``index``, ``split``, ``level``). The task comes from ``extra_info["task"]``,
else from the ``data_source`` suffix, else ``combined``.

The returned dict has ``score`` (what verl trains on) and numeric extras verl logs per row:
``acc`` (1.0 when the output answer, or the whole answer for single-question tasks, is right),
``step_acc`` (combined task; -1.0 when the answer lines do not line up), ``mismatch`` and
``format_ok`` (0.0 when the completion could not be read at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import TASKS, ScoreResult, score_batch

DATA_SOURCE_PREFIX = "execverify/"


def task_of(data_source: Any, extra_info: Any) -> str:
    """The row's task: ``extra_info["task"]``, else the ``data_source`` suffix, else combined."""
    if isinstance(extra_info, dict) and extra_info.get("task") in TASKS:
        return str(extra_info["task"])
    if isinstance(data_source, str) and data_source.startswith(DATA_SOURCE_PREFIX):
        suffix = data_source[len(DATA_SOURCE_PREFIX):]
        if suffix in TASKS:
            return suffix
    return "combined"


def compute_score(data_source: Any = None, solution_str: Any = None, ground_truth: Any = None,
                  extra_info: Any = None, *, config: RewardConfig = DEFAULT_CONFIG,
                  **kwargs: Any) -> dict[str, float]:
    """Score one response (verl's NaiveRewardManager calls this once per row)."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info],
                               config=config)[0]


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[Any],
                        ground_truths: Sequence[Any], extra_infos: Sequence[Any] | None = None,
                        *, config: RewardConfig = DEFAULT_CONFIG, **kwargs: Any
                        ) -> list[dict[str, float]]:
    """Score a batch (verl's BatchRewardManager); input-task runs share one sandbox batch."""
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    tasks = [task_of(ds, info) for ds, info in zip(data_sources, infos)]
    results = score_batch(list(solution_strs), list(ground_truths), tasks, config)
    return [as_verl(r) for r in results]


def as_verl(result: ScoreResult) -> dict[str, float]:
    """verl's per-row dict: ``score`` plus numeric extras (same keys for every row)."""
    if result.task == "combined":
        acc = result.output_correct
    else:
        acc = any(q.correct for q in result.breakdown)
    return {
        "score": float(result.score),
        "acc": float(bool(acc)),
        "step_acc": float(result.step_accuracy) if result.step_accuracy is not None else -1.0,
        "mismatch": float(result.mismatch),
        "format_ok": float(result.ok),
    }
