"""The method's difficulty filter, run with the policy GRPO starts from: keep the prompts it
solves sometimes but not always.

GRPO learns only from a group whose rewards differ (equal rewards give every completion zero
advantage). A prompt the starting policy always fails, or always aces, wastes its whole group;
on a small model most do (the demo's first stage-1 runs: 19% of groups informative). So before
training, ``select_samples`` completions of each candidate prompt are sampled from the starting
model (the SFT model in the demo) and scored by the task's own reward, and only prompts whose
rewards were not all equal are kept. For a pass/fail reward that is "solved sometimes, not
always"; the combined reward also keeps prompts whose output is always right but whose steps
vary, which is where the white-box part of the reward teaches.

The probe is seeded (same model, rows, settings and seed: same selection) and its rewards are
written to ``<output_dir>/selection.json``, so a resumed stage does not probe again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from execverify.data.dataset import write_json
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.score import score_batch
from execverify.tasks.registry import get_task

SELECTION_FILE = "selection.json"


@dataclass(frozen=True)
class Probe:
    """How to probe: completions per prompt, and how to sample them."""

    samples: int
    max_new_tokens: int
    temperature: float = 1.0
    seed: int = 0
    batch_size: int = 32
    """Sequences per ``generate`` call (``batch_size // samples`` prompts)."""


def probe_rewards(rows: Sequence[dict[str, Any]], model: Any, tokenizer: Any, probe: Probe,
                  reward: RewardConfig = DEFAULT_CONFIG) -> list[list[float]]:
    """``probe.samples`` rewards per row (rows laid out by their task, ``Task.row``), sampled
    from a bf16 copy of ``model`` where the CPU computes bf16, else from ``model`` itself."""
    from execverify.models.base import SamplingParams
    from execverify.models.hf import TransformersBackend

    sampler = _sampling_copy(model)
    backend = TransformersBackend(sampler, tokenizer, batch_size=max(1, probe.batch_size
                                                                      // probe.samples))
    params = SamplingParams(n=probe.samples, temperature=probe.temperature,
                            max_new_tokens=probe.max_new_tokens, seed=probe.seed)
    texts = backend.generate([row["prompt"] for row in rows], params)
    by_task: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_task[row["task"]].append(i)
    rewards: list[list[float]] = [[] for _ in rows]
    for task, indexes in by_task.items():
        column = get_task(task).truth_column
        completions = [t for i in indexes for t in texts[i]]
        truths = [rows[i][column] for i in indexes for _ in texts[i]]
        scores = [r.score for r in score_batch(completions, truths, task, reward)]
        for k, i in enumerate(indexes):
            rewards[i] = scores[k * probe.samples:(k + 1) * probe.samples]
    return rewards


def informative(rewards: Sequence[float]) -> bool:
    """Whether a group with these rewards would teach GRPO anything (not all equal)."""
    return len(set(rewards)) > 1


def select_rows(rows: Sequence[dict[str, Any]], model: Any, tokenizer: Any, probe: Probe,
                output_dir: str | Path, reward: RewardConfig = DEFAULT_CONFIG
                ) -> list[dict[str, Any]]:
    """The rows whose probe rewards differ, in their order; the probe (read back from
    ``selection.json`` when it was made for the same rows and settings) is saved there."""
    path = Path(output_dir) / SELECTION_FILE
    keys = [f"{row['task']}/{row['id']}" for row in rows]
    settings = {"samples": probe.samples, "max_new_tokens": probe.max_new_tokens,
                "temperature": probe.temperature, "seed": probe.seed}
    saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    if saved and saved.get("settings") == settings and list(saved.get("rewards", {})) == keys:
        rewards = list(saved["rewards"].values())
    else:
        rewards = probe_rewards(rows, model, tokenizer, probe, reward)
        kept = sum(map(informative, rewards))
        write_json(path, {"settings": settings, "probed": len(rows), "kept": kept,
                          "kept_share": kept / len(rows) if rows else 0.0,
                          "rewards": dict(zip(keys, rewards))})
    chosen = [row for row, r in zip(rows, rewards) if informative(r)]
    if not chosen:
        import warnings

        warnings.warn(
            f"none of the {len(rows)} probed prompts got unequal rewards from "
            f"{probe.samples} samples of the starting model (see {path}), so GRPO will learn "
            "little; training on all of them. Probe more records (stage1.select_records), "
            "more samples, or start from a model that solves some (a longer SFT warm-up).",
            RuntimeWarning, stacklevel=2)
        return list(rows)
    return chosen


def selection_summary(output_dir: str | Path) -> dict[str, Any] | None:
    """``probed``, ``kept``, ``kept_share`` and ``samples`` of a stage's probe, if it ran."""
    path = Path(output_dir) / SELECTION_FILE
    if not path.is_file():
        return None
    saved = json.loads(path.read_text(encoding="utf-8"))
    return {"probed": saved["probed"], "kept": saved["kept"], "kept_share": saved["kept_share"],
            "samples": saved["settings"]["samples"]}


def _sampling_copy(model: Any) -> Any:
    """A bf16 copy of ``model`` on a CPU that computes bf16 natively (faster sampling there);
    the model itself elsewhere."""
    from execverify.train.model import cpu_bf16
    from execverify.train.sampling import bf16_copy

    on_cpu = next(model.parameters()).device.type == "cpu"
    return bf16_copy(model) if on_cpu and cpu_bf16() else model
