"""``execverify train sft|stage1|stage2|pipeline --config configs/NAME.yaml [key=value ...]``.

The stage's section and the ``reward`` section of the recipe (``reward.output_only=true`` is the
ablation) set the run (``execverify.config``).

Each stage is resumable: rerunning the command after a kill goes on from the newest
checkpoint, and a finished stage is not trained again. The stage's section of the recipe, changed by any ``key=value`` overrides (``max_steps=5``,
``stage1.learning_rate=2e-6``), is validated before anything loads; ``--dry-run`` prints the
resolved config and stops. Registered by ``execverify.cli``.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from execverify.cli import CliError, add_recipe_arguments

PIPELINE = ("sft", "stage1", "stage2")
TRAIN_CHOICES = (*PIPELINE, "pipeline")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "train",
        help="train a model: SFT warm-up (sft), GRPO on execution reasoning (stage1) or on "
        "code generation (stage2)",
        description="Train with TRL from a YAML recipe plus key=value overrides.",
    )
    parser.add_argument("stage", choices=TRAIN_CHOICES,
                        help="pipeline: sft, stage1, stage2 in turn, each from the last one's "
                        "model; sft: the SFT warm-up (trace-grounded or teacher reasoning); "
                        "stage1: GRPO with the combined white-box and input-prediction rewards; "
                        "stage2: GRPO on problems with unit tests (0.05 format + pass fraction)")
    add_recipe_arguments(parser)  # a plain key (max_steps=5) names a field of the stage
    parser.add_argument("--dry-run", action="store_true",
                        help="print the resolved config and exit without training")
    parser.add_argument("--engine", choices=("trl", "verl"), default="trl",
                        help="trl (default): train here; verl: write Parquet data and a verl "
                        "config from the recipe and run verl.trainer.main_ppo, here or on the "
                        "Ray cluster at verl.address (stage1, stage2)")
    parser.set_defaults(handler=run)


def planned_stages(args: argparse.Namespace) -> list[tuple[str, Any]]:
    """``(stage, validated config)`` for each stage to run; a bad file or value becomes a
    one-line ``CliError`` before anything trains. ``pipeline`` chains the stages: stage 1
    starts from the SFT model and stage 2 from the stage-1 model, whatever the recipe says."""
    from execverify.config import ConfigError, load_section

    stages = PIPELINE if args.stage == "pipeline" else (args.stage,)
    try:
        configs = [(s, load_section(s, args.config, args.overrides)) for s in stages]
        args.reward = load_section("reward", args.config, args.overrides, plain=False)
    except ConfigError as exc:
        raise CliError(f"train {args.stage}: {exc}") from exc
    for i in range(1, len(configs)):
        stage, config = configs[i]
        configs[i] = (stage, dataclasses.replace(config, model=configs[i - 1][1].output_dir))
    return configs


def run(args: argparse.Namespace) -> int:
    configs = planned_stages(args)
    if args.engine == "verl":
        if args.stage == "pipeline":
            raise CliError("train pipeline runs on TRL; with --engine verl run stage1, then "
                           "stage2 with model= the stage-1 checkpoint")
        return _run_verl(args, configs[0][1])
    if args.dry_run:
        from execverify.config import recipe_yaml

        print(recipe_yaml({**dict(configs), "reward": args.reward}))
        return 0
    for stage, config in configs:
        try:
            summary = _train(stage, config, args.reward)
        except ImportError as exc:
            raise CliError(f"train {stage} needs {exc.name or 'torch/transformers/trl'}; "
                           "install it with: pip install 'execverify[train]'") from exc
        except (ValueError, OSError) as exc:
            raise CliError(f"train {stage}: {exc}") from exc
        print(summary, flush=True)
    return 0


def _run_verl(args: argparse.Namespace, config: Any) -> int:
    """``--engine verl`` (``execverify.train.verl_engine``); errors become one line."""
    from execverify.train.verl_engine import LaunchError, run_verl_stage

    try:
        print(run_verl_stage(args.stage, config, args.config, args.overrides, args.dry_run))
    except (ValueError, OSError, ImportError, LaunchError) as exc:
        raise CliError(f"train {args.stage} --engine verl: {' '.join(str(exc).split())}") from exc
    return 0


def _train(stage: str, config: Any, reward: Any) -> str:
    """Train one stage; the GRPO stages are rewarded under the recipe's reward section."""
    if stage == "sft":
        from execverify.train.sft import train_sft

        r = train_sft(config)
        return (f"sft: {r.steps} steps on {r.examples} verified examples from {r.records} "
                f"records; model saved to {r.output_dir}")
    if stage == "stage2":
        from execverify.train.stage2 import train_stage2

        return _grpo_summary(stage, train_stage2(config, reward=reward))
    from execverify.train.grpo import train_stage1

    return _grpo_summary(stage, train_stage1(config, reward=reward))


def _grpo_summary(stage: str, s: Any) -> str:
    share = "n/a" if s.varied_group_share is None else f"{s.varied_group_share:.2f}"
    mean = "n/a" if s.reward_mean is None else f"{s.reward_mean:.3f}"
    return (f"{stage}: {s.steps} steps, mean reward {mean}, share of groups with unequal "
            f"rewards {share}; model saved to {s.output_dir}")
