"""OpenRLHF adapter: ``reward_func(queries, prompts, labels)`` for reinforced fine-tuning.

OpenRLHF loads a ``.py`` file given as ``--remote_rm_url`` and calls its ``reward_func`` with
``queries`` (prompt plus response, decoded with special tokens), ``prompts`` (the templated
prompts) and ``labels`` (the ``--label_key`` column), and reads back a dict: ``rewards`` (for
the advantages), ``scores`` (in [0, 1], for dynamic filtering) and ``extra_logs`` (per-sample
metrics for the logger), each a tensor with one value per query::

    --remote_rm_url $(python -c "import execverify.rewards.openrlhf as m; print(m.__file__)")
    --prompt_data train.jsonl --input_key prompt --apply_chat_template --label_key label

with ``train.jsonl`` from ``execverify export --format trl``: its ``label`` column names the
row's task and holds its truth, ``{"task": "input", "record": <record JSON>}`` (any task of
``execverify.tasks``; code generation carries ``test_suite``). The reward section of a recipe
reaches this file through the environment, ``EXECVERIFY_REWARD='{"output_only": true}'``
(``execverify export --config RECIPE`` prints the line to set).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig, reward_config
from execverify.rewards.score import ScoreResult, score_batch
from execverify.validation import ConfigError

REWARD_ENV = "EXECVERIFY_REWARD"

_ASSISTANT_HEADER = re.compile(
    r"^\s*(?:<\|im_end\|>\s*)?(?:<\|im_start\|>\s*assistant\s*|"
    r"<\|start_header_id\|>\s*assistant\s*<\|end_header_id\|>\s*|\[/INST\]\s*|Assistant:\s*)?"
)
_ANCHOR_CHARS = 200


def response_of(query: str, prompt: str) -> str:
    """The response part of ``query`` (the prompt removed, and an assistant header if any)."""
    if not isinstance(query, str):
        return query
    if isinstance(prompt, str) and prompt:
        if query.startswith(prompt):
            query = query[len(prompt):]
        else:
            anchor = prompt[-_ANCHOR_CHARS:]
            at = query.rfind(anchor)
            if at >= 0:
                query = query[at + len(anchor):]
    return _ASSISTANT_HEADER.sub("", query, count=1)


def task_and_truth(label: Any) -> tuple[str, Any]:
    """(task, truth) of a label: ``{"task": NAME, <truth column>: truth}`` as JSON or a dict,
    what ``execverify export --format trl`` writes in the ``label`` column. A label without a
    task gives the task ``""`` (scored 0 with status ``bad_task``: no adapter guesses)."""
    from execverify.tasks.registry import find_task

    data = label
    if isinstance(label, str):
        try:
            data = json.loads(label)
        except ValueError:
            return "", label
    if not isinstance(data, dict) or not isinstance(data.get("task"), str):
        return "", data
    task = find_task(data["task"])
    if task is None:
        return data["task"], None
    return task.name, data.get(task.truth_column)


def env_config() -> RewardConfig:
    """The reward section from the environment: ``EXECVERIFY_REWARD`` holds its fields as JSON
    (``{"output_only": true}``), since OpenRLHF loads this file with no way to pass arguments.
    Read once per value; a malformed value raises (a config error, not a completion's)."""
    return _env_config(os.environ.get(REWARD_ENV, ""))


@functools.lru_cache(maxsize=8)
def _env_config(text: str) -> RewardConfig:
    if not text.strip():
        return DEFAULT_CONFIG
    try:
        values = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{REWARD_ENV} must be a JSON object of RewardConfig fields, like "
                          f'{{"output_only": true}}; got {text!r} ({exc})') from None
    if not isinstance(values, dict):
        raise ConfigError(f"{REWARD_ENV} must be a JSON object of RewardConfig fields; got "
                          f"{text!r}")
    return reward_config(values)


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any],
                *extra: Any, **kwargs: Any) -> dict[str, Any]:
    """Score a batch the way OpenRLHF expects (see the module docstring). Extra positional
    arguments that some OpenRLHF versions pass (data sources, token ids) are ignored."""
    from execverify.tasks.registry import find_task

    config: RewardConfig = kwargs.get("config") or env_config()
    responses, truths, tasks = [], [], []
    for query, prompt, label in zip(queries, prompts, labels):
        task, truth = task_and_truth(label)
        responses.append(response_of(query, prompt))
        truths.append(truth)
        tasks.append(task)
    results = score_batch(responses, truths, tasks, config)
    kinds = [find_task(r.task) for r in results]
    rewards = [float(r.score) for r in results]
    scores = [_unit(r, k, config) for r, k in zip(results, kinds)]
    extra_logs = {
        "execverify_acc": [float(bool(k and k.correct(r))) for r, k in zip(results, kinds)],
        "execverify_format_ok": [float(r.ok) for r in results],
    }
    return {
        "rewards": _tensor(rewards),
        "scores": _tensor(scores),
        "extra_logs": {k: _tensor(v) for k, v in extra_logs.items()},
    }


def _unit(result: ScoreResult, task: Any, config: RewardConfig) -> float:
    """The score scaled to [0, 1] by its task's best score."""
    best = task.best_score(config) if task is not None else 0.0
    return min(1.0, result.score / best) if best > 0 else 0.0


def _tensor(values: list[float]) -> Any:
    """A float tensor when torch is there (OpenRLHF concatenates them), else the list."""
    try:
        import torch
    except ImportError:
        return values
    return torch.tensor(values, dtype=torch.float32)
