"""Share of a stage-1 GRPO step spent computing rewards, with the built-in model on CPU.

    python benchmarks/train_reward_share.py [--steps 3] [--prompts 4] [--generations 4]
        [--model builtin|FOLDER]

Synthesises a small level 1-2 dataset, then runs a few real TRL GRPO steps on the built-in
SmolLM2-135M-Instruct with our combined and input-prediction rewards wrapped in timers; the
step time measured around each optimiser step is the baseline the reward time is divided by.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchreport import header, publish
from execverify.data.dataset import read_records
from execverify.synth.pipeline import SynthConfig, synthesize
from execverify.train.config import Stage1Config
from execverify.train.grpo import build_stage1_trainer, default_rewards


class Timed:
    """A reward function that adds its own wall time to a shared total."""

    def __init__(self, func, totals: dict[str, float]) -> None:
        self.func, self.totals = func, totals
        self.__name__ = func.__name__

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.totals["reward"] += time.perf_counter() - start


def step_timer(totals: dict[str, float]):
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            totals["step"] += time.perf_counter() - self.start

    return StepTimer()


def logged_mean(trainer, key: str) -> float:
    values = [row[key] for row in trainer.state.log_history
              if isinstance(row.get(key), (int, float))]
    return sum(values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--max-completion", type=int, default=64)
    parser.add_argument("--model", default="builtin",
                        help="policy: builtin, or a trained folder (e.g. runs/demo/sft, whose "
                        "answers the rewards actually have to check)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    totals = {"reward": 0.0, "step": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        synthesize(SynthConfig(levels=(1, 2), num=32, seed=0), Path(tmp) / "data")
        records = list(read_records(Path(tmp) / "data"))
        config = Stage1Config(output_dir=str(Path(tmp) / "run"), model=args.model,
                              num_generations=args.generations, prompts_per_step=args.prompts,
                              max_steps=args.steps, max_completion_length=args.max_completion,
                              logging_steps=1, save_steps=10_000, input_share=0.25,
                              extra={"gradient_checkpointing": False})
        rewards = [Timed(f, totals) for f in default_rewards()]
        trainer = build_stage1_trainer(config, records, reward_funcs=rewards,
                                callbacks=[step_timer(totals)])
        trainer.train()
    share = totals["reward"] / totals["step"]
    lines = [
        *header("Reward time as a share of a GRPO step", "python benchmarks/train_reward_share.py "
                f"--steps {args.steps} --prompts {args.prompts} --generations {args.generations} "
                f"--max-completion {args.max_completion} --model {args.model}"),
        f"Policy `{args.model}` (SmolLM2-135M-Instruct), TRL GRPOTrainer, {args.steps} steps x {args.prompts} "
        f"prompts x {args.generations} rollouts, max completion {args.max_completion} tokens, "
        "combined white-box + input-prediction rewards (input runs in the sandbox).",
        f"Mean reward {logged_mean(trainer, 'reward'):.3f}; completions the reward could "
        f"parse and had to check against the truth (status ok): "
        f"{logged_mean(trainer, 'execverify_combined/status_ok'):.0%} of combined ones.",
        "",
        "| what | seconds |",
        "| --- | ---: |",
        f"| all GRPO steps (generation, rewards, backward, optimiser) | {totals['step']:.2f} |",
        f"| of which our reward functions | {totals['reward']:.3f} |",
        f"| **reward share of the step** | **{share:.2%}** |",
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
