"""Training runs: the rollouts GRPO sampled, grouped by step and prompt group, so one sees
which completions of a group earned what.

A training stage writes ``rollouts.jsonl`` into its output folder, one JSON object per
completion: ``{"stage", "step", "group", "id", "task", "prompt", "completion", "reward",
"status", "breakdown"}`` (``execverify.data.rollouts``); a rollout is right or wrong by its
``output_correct`` part. A run folder (or a demo folder with ``stage1/`` and ``stage2/``) may hold
several; all of them below the folder are read. The prompt is shown as it was sent: a rollout
carries no record, so there is no program to trace.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from execverify.data.rollouts import ROLLOUTS_FILE
from execverify.view.model import Bar, Chart, Entry, Item, View

_FIELDS = ("stage", "step", "group", "id", "task", "prompt", "completion", "reward")


def find_rollouts(path: Path) -> list[Path]:
    """``path`` itself if it is a file, else every ``rollouts.jsonl`` below it, sorted."""
    return [path] if path.is_file() else sorted(path.rglob(ROLLOUTS_FILE))


def _read_rollouts(path: Path) -> list[dict[str, Any]]:
    """The rollouts of one file; a line that is not a rollout raises naming ``file:line``."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                missing = [f for f in _FIELDS if f not in row]
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or missing:
                raise ValueError(f"{path}:{n}: not a rollout (missing {missing})")
            rows.append(row)
    return rows


def load_train_view(path: Path, *, trace: bool = True) -> View:
    """The view of a training run: one item per (stage, step, group), its rollouts as entries.

    ``trace`` is accepted for a uniform loader signature; rollouts have nothing to trace."""
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = defaultdict(list)
    for file in find_rollouts(path):
        for row in _read_rollouts(file):
            groups[(str(row["stage"]), int(row["step"]), int(row["group"]))].append(row)
    items = []
    for (stage, step, group), rows in sorted(groups.items()):
        first = rows[0]
        entries = [_entry(k, r) for k, r in enumerate(rows)]
        items.append(Item(id=f"{stage} step {step} group {group}: {first['id']}", bench=stage,
                          tag=str(first["task"]), prompt=str(first["prompt"]), entries=entries,
                          trace_note="no trace: rollouts carry the prompt, not the record"))
    return View("train", str(path), items, _charts(groups))


def _entry(k: int, row: dict[str, Any]) -> Entry:
    """One rollout: right or wrong by its output answer (``output_correct``), when scored."""
    breakdown = {str(a): float(b) for a, b in (row.get("breakdown") or {}).items()}
    right = breakdown.get("output_correct")
    return Entry(label=f"rollout {k + 1}", completion=str(row["completion"]),
                 score=float(row["reward"]), ok=None if right is None else right == 1.0,
                 status=str(row.get("status") or ""), breakdown=breakdown)


def _charts(groups: dict[tuple[str, int, int], list[dict[str, Any]]]) -> list[Chart]:
    """Mean reward per stage and step, and per task."""
    by_step: dict[str, list[float]] = defaultdict(list)
    by_task: dict[str, list[float]] = defaultdict(list)
    for (stage, step, _), rows in sorted(groups.items()):
        for r in rows:
            by_step[f"{stage} step {step}"].append(float(r["reward"]))
            by_task[str(r["task"])].append(float(r["reward"]))
    return [Chart(title, [Bar(k, sum(v) / len(v), len(v)) for k, v in data.items()], "number")
            for title, data in (("mean reward by step", by_step), ("mean reward by task", by_task))]
