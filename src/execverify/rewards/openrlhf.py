"""OpenRLHF adapter: ``reward_func(queries, prompts, labels)`` for reinforced fine-tuning.

OpenRLHF loads a ``.py`` file given as ``--remote_rm_url`` and calls its ``reward_func`` with
``queries`` (prompt plus response, decoded with special tokens), ``prompts`` (the templated
prompts) and ``labels`` (the ``--label_key`` column), and reads back a dict: ``rewards`` (for
the advantages), ``scores`` (in [0, 1], for dynamic filtering) and ``extra_logs`` (per-sample
metrics for the logger), each a tensor with one value per query::

    --remote_rm_url $(python -c "import execverify.rewards.openrlhf as m; print(m.__file__)")
    --prompt_data train.jsonl --input_key prompt --apply_chat_template --label_key record

with ``train.jsonl`` from ``execverify export --format trl``. A label is the record JSON; the
task is recognised from the prompt (the input question's text appears in input prompts; a
combined prompt lists the white-box questions), or given explicitly with a label of the form
``{"task": "input", "record": {...}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import TASKS, ScoreResult, as_record, score_batch

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


def task_and_record(label: Any, prompt: Any) -> tuple[str, Any]:
    """(task, record) for a label: a record JSON, or ``{"task": ..., "record": ...}``."""
    data = label
    if isinstance(label, str):
        try:
            data = json.loads(label)
        except ValueError:
            return "combined", label  # scored as a bad record, with that status
    if isinstance(data, dict) and "record" in data and data.get("task") in TASKS:
        return str(data["task"]), data["record"]
    return _task_from_prompt(data, prompt), data


def _task_from_prompt(record: Any, prompt: Any) -> str:
    try:
        rec = as_record(record)
    except Exception:
        return "combined"
    text = prompt if isinstance(prompt, str) else ""
    asked = {q.kind for q in rec.questions if q.text and q.text in text}
    if "input" in asked:
        return "input"
    if asked - {"output", "input"}:
        return "combined"
    return "output" if "output" in asked else "combined"


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any],
                *extra: Any, **kwargs: Any) -> dict[str, Any]:
    """Score a batch the way OpenRLHF expects (see the module docstring). Extra positional
    arguments that some OpenRLHF versions pass (data sources, token ids) are ignored."""
    config: RewardConfig = kwargs.get("config", DEFAULT_CONFIG)
    responses, records, tasks = [], [], []
    for query, prompt, label in zip(queries, prompts, labels):
        task, record = task_and_record(label, prompt)
        responses.append(response_of(query, prompt))
        records.append(record)
        tasks.append(task)
    results = score_batch(responses, records, tasks, config)
    rewards = [float(r.score) for r in results]
    scores = [_unit(r, config) for r in results]
    extra_logs = {
        "execverify_acc": [float(_acc(r)) for r in results],
        "execverify_format_ok": [float(r.ok) for r in results],
    }
    return {
        "rewards": _tensor(rewards),
        "scores": _tensor(scores),
        "extra_logs": {k: _tensor(v) for k, v in extra_logs.items()},
    }


def _unit(result: ScoreResult, config: RewardConfig) -> float:
    """The score scaled to [0, 1] by its task's best score."""
    best = {"combined": config.max_combined, "output": config.scale,
            "input": config.input_reward}.get(result.task, 0.0)
    return min(1.0, result.score / best) if best > 0 else 0.0


def _acc(result: ScoreResult) -> bool:
    if result.task == "combined":
        return bool(result.output_correct)
    return any(q.correct for q in result.breakdown)


def _tensor(values: list[float]) -> Any:
    """A float tensor when torch is there (OpenRLHF concatenates them), else the list."""
    try:
        import torch
    except ImportError:
        return values
    return torch.tensor(values, dtype=torch.float32)
