"""``execverify train sft|stage1 --config configs/NAME.yaml [key=value ...]``.

The stage's section of the recipe, changed by any ``key=value`` overrides (``max_steps=5``,
``stage1.learning_rate=2e-6``), is validated before anything loads; ``--dry-run`` prints the
resolved config and stops. Registered by ``execverify.cli``.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from execverify.cli import CliError, OneLineParser

STAGES = ("sft", "stage1")


class IntermixedParser(OneLineParser):
    """Lets overrides follow options (``train stage1 --config X max_steps=3``): plain argparse
    fills every positional from the first run of positionals and rejects later ones."""

    _inner = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inner:  # parse_known_intermixed_args calls back into us
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "train",
        help="train a model: SFT warm-up (sft) or stage-1 GRPO on execution reasoning (stage1)",
        description="Train with TRL from a YAML recipe plus key=value overrides.",
    )
    parser.add_argument("stage", choices=STAGES, help="sft: trace-grounded SFT warm-up; "
                        "stage1: GRPO with the combined white-box and input-prediction rewards")
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE",
                        help="config overrides, e.g. max_steps=5 or stage1.learning_rate=2e-6")
    parser.add_argument("--config", metavar="YAML",
                        help="recipe with one section per stage (e.g. configs/cpu-demo.yaml); "
                        "without it the method's defaults")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the resolved config and exit without training")
    parser.set_defaults(handler=run)
    if isinstance(parser, OneLineParser):  # as made by execverify.cli (and the tests)
        parser.__class__ = IntermixedParser


def resolve(args: argparse.Namespace) -> Any:
    """The stage's validated config; a bad file or value becomes a one-line ``CliError``."""
    from execverify.train.config import ConfigError, load_config

    try:
        return load_config(args.stage, args.config, args.overrides)
    except ConfigError as exc:
        raise CliError(f"train {args.stage}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    config = resolve(args)
    if args.dry_run:
        import yaml

        values = dataclasses.asdict(config)
        values["levels"] = list(values["levels"])
        print(yaml.safe_dump({args.stage: values}, sort_keys=False).rstrip())
        return 0
    try:
        summary = _train(args.stage, config)
    except ImportError as exc:
        raise CliError(f"train {args.stage} needs {exc.name or 'torch/transformers/trl'}; "
                       "install it with: pip install 'execverify[train]'") from exc
    except (ValueError, OSError) as exc:
        raise CliError(f"train {args.stage}: {exc}") from exc
    print(summary)
    return 0


def _train(stage: str, config: Any) -> str:
    if stage == "sft":
        from execverify.train.sft import train_sft

        r = train_sft(config)
        return (f"sft: {r.steps} steps on {r.examples} verified examples from {r.records} "
                f"records; model saved to {r.output_dir}")
    from execverify.train.grpo import train_stage1

    s = train_stage1(config)
    share = "n/a" if s.varied_group_share is None else f"{s.varied_group_share:.2f}"
    mean = "n/a" if s.reward_mean is None else f"{s.reward_mean:.3f}"
    return (f"stage1: {s.steps} steps, mean reward {mean}, share of groups with unequal "
            f"rewards {share}; model saved to {s.output_dir}")
