"""verl adapter: ``compute_score`` for verl's rule-based reward managers.

Point verl at this file (it is loaded by path, so it imports nothing heavy)::

    custom_reward_function.path=$(python -c "import execverify.rewards.verl as m; print(m.__file__)")
    custom_reward_function.name=compute_score          # NaiveRewardManager (row by row)
    # or, with reward_model.reward_manager=batch:
    custom_reward_function.name=compute_score_batch

It reads the Parquet rows ``execverify export --format verl`` writes: ``data_source``
(``execverify/<task>``), ``reward_model.ground_truth`` (the record as JSON) and ``extra_info``
(``id``, ``task``, ``index``, ``split``, ``level``). The task comes from ``extra_info["task"]``,
else from the ``data_source`` suffix, else ``combined``. Stage 2's code-generation rows
(``execverify/codegen``, written by ``execverify.train.verl_engine``) carry the problem's
``TestSuite`` as JSON for ground truth and score as ``execverify.rewards.codegen`` does.

The returned dict has ``score`` (what verl trains on) and numeric extras verl logs per row:
``acc`` (1.0 when the output answer, or the whole answer for single-question tasks, is right),
``step_acc`` (combined task; -1.0 when the answer lines do not line up), ``mismatch`` and
``format_ok`` (0.0 when the completion could not be read at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execverify.rewards.codegen import TestSuite, score_codegen_batch
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import TASKS, ScoreResult, score_batch

DATA_SOURCE_PREFIX = "execverify/"
CODEGEN = "codegen"
ROW_TASKS = (*TASKS, CODEGEN)


def task_of(data_source: Any, extra_info: Any) -> str:
    """The row's task: ``extra_info["task"]``, else the ``data_source`` suffix, else combined."""
    if isinstance(extra_info, dict) and extra_info.get("task") in ROW_TASKS:
        return str(extra_info["task"])
    if isinstance(data_source, str) and data_source.startswith(DATA_SOURCE_PREFIX):
        suffix = data_source[len(DATA_SOURCE_PREFIX):]
        if suffix in ROW_TASKS:
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
    code = [i for i, task in enumerate(tasks) if task == CODEGEN]
    rest = [i for i, task in enumerate(tasks) if task != CODEGEN]
    results: dict[int, ScoreResult] = {}
    if rest:
        results.update(zip(rest, score_batch([solution_strs[i] for i in rest],
                                             [ground_truths[i] for i in rest],
                                             [tasks[i] for i in rest], config)))
    if code:
        results.update(zip(code, score_codegen_rows([solution_strs[i] for i in code],
                                                    [ground_truths[i] for i in code], config)))
    return [as_verl(results[i]) for i in range(len(tasks))]


def score_codegen_rows(solutions: Sequence[Any], ground_truths: Sequence[Any],
                       config: RewardConfig = DEFAULT_CONFIG) -> list[ScoreResult]:
    """Code-generation rows, all tests in one sandbox batch. A ground truth that is not a
    ``TestSuite`` scores 0 with status ``bad_ground_truth`` (a data bug, reported, not raised)."""
    suites = [_suite(truth) for truth in ground_truths]
    good = [i for i, suite in enumerate(suites) if suite is not None]
    scored = dict(zip(good, score_codegen_batch([(solutions[i], suites[i]) for i in good],
                                                config)))
    bad = ScoreResult(0.0, "bad_ground_truth", CODEGEN, "the row's ground truth is not a "
                      "TestSuite as JSON")
    return [scored.get(i, bad) for i in range(len(solutions))]


def _suite(truth: Any) -> TestSuite | None:
    try:
        return TestSuite.from_dict(truth) if isinstance(truth, dict) else TestSuite.from_json(truth)
    except (ValueError, TypeError, KeyError):
        return None


def as_verl(result: ScoreResult) -> dict[str, float]:
    """verl's per-row dict: ``score`` plus numeric extras (same keys for every row)."""
    if result.task == "combined":
        acc = result.output_correct
    elif result.task == CODEGEN:  # every test passed
        acc = bool(result.breakdown) and all(q.correct for q in result.breakdown)
    else:
        acc = any(q.correct for q in result.breakdown)
    return {
        "score": float(result.score),
        "acc": float(bool(acc)),
        "step_acc": float(result.step_accuracy) if result.step_accuracy is not None else -1.0,
        "mismatch": float(result.mismatch),
        "format_ok": float(result.ok),
    }
