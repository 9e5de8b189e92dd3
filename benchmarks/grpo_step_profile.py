"""Where the time of a stage-1 GRPO step goes, on the built-in model with the cpu-demo settings.

    python benchmarks/grpo_step_profile.py [--steps 4] [--records 300] [--model builtin]
        [--out benchmarks/results/grpo_step_profile.md] [stage1.key=value ...]

Makes the demo's training data (levels 1-2 of the cpu-demo recipe, in a temporary folder),
builds the stage-1 trainer exactly as ``execverify train stage1`` does (TRL ``GRPOTrainer``, the
recipe's ``stage1`` section plus the overrides, the model replaced by ``--model``), trains
``--steps`` steps and times, per step, the parts of ``GRPOTrainer`` that do the work:

- sampling: ``_generate`` (tokenising the prompts and ``model.generate``);
- reward: ``_calculate_rewards`` (every reward function, sandbox included);
- log-prob forward: ``_get_per_token_logps_and_entropies`` (each forward pass that scores the
  completions: the policy's in the loss, and the old policy's when TRL needs it);
- backward: ``accelerator.backward``; optimiser: ``optimizer.step``;
- checkpoint: ``_save_checkpoint`` (with its size on disk);
- other: the rest of the step (TRL's bookkeeping, padding, advantages, logging).

Also counts scored completions and prompt / completion tokens, and reports scored completions
per CPU-second (process CPU time, all threads), the number issue 14's 4x goal is stated in.
The first step is reported but left out of the means (it pays for warm-up).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchreport import header, publish

PARTS = ("sampling", "reward", "log-prob forward", "backward", "optimiser", "checkpoint")


class StepClock:
    """Wall time per part, per optimiser step, from wrapped trainer methods."""

    def __init__(self) -> None:
        self.steps: list[dict[str, float]] = []
        self.current: dict[str, float] = defaultdict(float)
        self.started = 0.0
        self.cpu_started = 0.0
        self.counts: dict[str, int] = defaultdict(int)

    def wrap(self, owner: Any, name: str, part: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[part] += time.perf_counter() - start

        setattr(owner, name, timed)

    def begin(self) -> None:
        self.current = defaultdict(float)
        self.started, self.cpu_started = time.perf_counter(), time.process_time()

    def end(self) -> None:
        step = dict(self.current)
        step["total"] = time.perf_counter() - self.started
        step["cpu"] = time.process_time() - self.cpu_started
        step["other"] = step["total"] - sum(step.get(p, 0.0) for p in PARTS)
        self.steps.append(step)


def _callback(clock: StepClock, trainer: Any) -> Any:
    from transformers import TrainerCallback

    class Timing(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            clock.begin()
            if trainer.optimizer is not None and not hasattr(trainer.optimizer, "_timed"):
                clock.wrap(trainer.optimizer, "step", "optimiser")
                trainer.optimizer._timed = True

        def on_step_end(self, args, state, control, **kwargs):
            clock.end()

        def on_save(self, args, state, control, **kwargs):
            # the checkpoint is written after on_step_end: charge it to the step just ended
            clock.steps[-1]["checkpoint"] = clock.current.get("checkpoint", 0.0)
            clock.steps[-1]["total"] += clock.steps[-1]["checkpoint"]

    return Timing()


def _records(tmp: Path, count: int, tasks: Any) -> list[Any]:
    from execverify.demo.data import prepare_data
    from execverify.demo.run import stage_configs

    demo, _, _ = stage_configs(None, [f"demo.out={tmp}", f"demo.records={count}"])
    data = prepare_data(demo, tmp, progress=False, tasks=tasks)
    from execverify.data.dataset import read_records

    return list(read_records(data.train))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--records", type=int, default=300, help="records to synthesise")
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the measurements as JSON (benchmarks/grpo_throughput.py)")
    parser.add_argument("overrides", nargs="*",
                        help="stage1.key=value (the default section) or tasks.key=value")
    args = parser.parse_args()

    from execverify.config import load_section
    from execverify.train.grpo import build_stage1_trainer

    overrides = [o if o.startswith("tasks.") else f"stage1.{o.removeprefix('stage1.')}"
                 for o in args.overrides]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        records = _records(tmp, args.records, load_section("tasks", "cpu-demo", overrides))
        config = load_section("stage1", "cpu-demo", overrides)
        config = dataclasses.replace(config, model=args.model, output_dir=str(tmp / "stage1"),
                                     max_steps=args.steps, data=str(tmp / "data" / "train"))
        trainer = build_stage1_trainer(config, records)
        clock = StepClock()
        for owner, method, part in ((trainer, "_generate", "sampling"),
                                    (trainer, "_calculate_rewards", "reward"),
                                    (trainer, "_get_per_token_logps_and_entropies",
                                     "log-prob forward"),
                                    (trainer.accelerator, "backward", "backward"),
                                    (trainer, "_save_checkpoint", "checkpoint")):
            clock.wrap(owner, method, part)
        trainer.add_callback(_callback(clock, trainer))
        trainer.train()
        checkpoints = sorted((tmp / "stage1").glob("checkpoint-*"))
        disk = sum(f.stat().st_size for c in checkpoints for f in c.rglob("*") if f.is_file())
        history = [h for h in trainer.state.log_history if "num_tokens" in h or "reward" in h]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    publish(_report(args, config, clock, history, checkpoints, disk, peak_mb), args.out)
    if args.json:
        args.json.write_text(json.dumps(_measurements(config, clock, history, disk, peak_mb),
                                        indent=1), encoding="utf-8")


def _means(clock: StepClock) -> dict[str, float]:
    """Seconds per part (and ``total``, ``cpu``) averaged over steps 2.. (step 1 warms up)."""
    steps = clock.steps[1:] or clock.steps
    return {k: statistics.mean(s.get(k, 0.0) for s in steps)
            for k in (*PARTS, "other", "total", "cpu")}


def _measurements(config: Any, clock: StepClock, history: list[dict], disk: int,
                  peak_mb: float) -> dict[str, Any]:
    """The numbers another script compares: per step and their means over steps 2.."""
    mean = _means(clock)
    completions = config.prompts_per_step * config.num_generations
    return {"completions_per_step": completions, "cpu_s_per_step": mean["cpu"],
            "wall_s_per_step": mean["total"],
            "completions_per_cpu_s": completions / mean["cpu"],
            "completions_per_wall_s": completions / mean["total"],
            "parts": {p: mean[p] for p in (*PARTS, "other")},
            "steps": clock.steps, "peak_rss_mb": peak_mb, "checkpoint_mb": disk / 2**20,
            "mean_completion_length": [h["completions/mean_length"] for h in history
                                       if "completions/mean_length" in h],
            "varied_group_share": [1 - h["frac_reward_zero_std"] for h in history
                                   if "frac_reward_zero_std" in h],
            "tokens": next((h["num_tokens"] for h in reversed(history) if "num_tokens" in h),
                           None)}


def _report(args: argparse.Namespace, config: Any, clock: StepClock, history: list[dict],
            checkpoints: list[Path], disk: int, peak_mb: float) -> list[str]:
    completions = config.prompts_per_step * config.num_generations
    mean = _means(clock)
    lines = [
        *header("A stage-1 GRPO step, part by part (built-in model, cpu-demo settings)",
                "python benchmarks/grpo_step_profile.py " + " ".join(
                    [f"--steps {args.steps}", f"--records {args.records}",
                     f"--model {args.model}", *args.overrides])),
        f"{config.prompts_per_step} prompts x {config.num_generations} completions per step, "
        f"up to {config.max_completion_length} new tokens, {os.cpu_count()} CPUs, torch threads "
        f"{_threads()}; means over steps 2..{len(clock.steps)} (step 1 pays for warm-up).",
        "",
        "| part | mean s per step | share |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {p} | {mean[p]:.2f} | {mean[p] / mean['total']:.0%} |"
              for p in (*PARTS, "other")]
    lines += [
        f"| **total** | **{mean['total']:.2f}** | |",
        "",
        f"Scored completions per CPU-second: {completions / mean['cpu']:.3f} "
        f"({completions} per step, {mean['cpu']:.1f} CPU-s per step); per wall second: "
        f"{completions / mean['total']:.3f}.",
        "",
        "Per step (s): " + "; ".join(
            f"{i + 1}: " + ", ".join(f"{k} {s.get(k, 0.0):.1f}" for k in (*PARTS, "other", "total"))
            for i, s in enumerate(clock.steps)),
        "",
    ]
    if history:
        tokens = [h.get("num_tokens") for h in history if h.get("num_tokens") is not None]
        lengths = [h.get("completions/mean_length") for h in history
                   if h.get("completions/mean_length") is not None]
        varied = [1 - h["frac_reward_zero_std"] for h in history if "frac_reward_zero_std" in h]
        if tokens:
            lines.append(f"Tokens seen by the end (prompt + completion): {tokens[-1]:,.0f}.")
        if lengths:
            lines.append(f"Mean completion length per step: "
                         f"{', '.join(f'{v:.0f}' for v in lengths)} tokens.")
        if varied:
            lines.append(f"Share of groups with unequal rewards per step: "
                         f"{', '.join(f'{v:.0%}' for v in varied)}.")
        gate = [h["execverify_combined/output_gate"] for h in history
                if "execverify_combined/output_gate" in h]
        if gate:
            lines.append(f"Share of combined completions past the output gate per step: "
                         f"{', '.join(f'{v:.0%}' for v in gate)}.")
    lines += [
        f"Checkpoints written: {len(checkpoints)}, {disk / 2**20:,.0f} MiB on disk in all; "
        f"peak resident memory of this process {peak_mb:,.0f} MiB.",
        "",
    ]
    return lines


def _threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    sys.exit(main())
