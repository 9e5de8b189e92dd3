"""``execverify demo [--config YAML] [--out DIR] [KEY=VALUE ...]``: the CPU demo.

Without ``--config`` the recipe packaged with execverify (``cpu-demo``) is used, so the demo
runs from a bare install. Overrides name a recipe field (``demo.records=200``,
``stage1.max_steps=5``). Rerunning the same command resumes a killed run. Registered by
``execverify.cli``.
"""

from __future__ import annotations

import argparse
from typing import Any

from execverify.cli import add_job_arguments, job_errors

DEFAULT_RECIPE = "cpu-demo"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo",
        help="the CPU demo: synthesise, evaluate, SFT warm-up, GRPO, evaluate again",
        description="Run the whole method small on this machine with the built-in model and "
        "write a before/after table and plots (resumes after a kill).",
    )
    add_job_arguments(parser, DEFAULT_RECIPE, "demo")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides) + ([f"demo.out={args.out}"] if args.out else [])
    with job_errors("demo"):
        if args.dry_run:
            return _print_configs(args.config, overrides)
        from execverify.demo.run import run_demo

        run_demo(args.config, overrides, progress=not args.no_progress)
    return 0


def _print_configs(recipe: str, overrides: list[str]) -> int:
    from execverify.config import recipe_yaml
    from execverify.demo.run import stage_configs

    print(recipe_yaml(dict(zip(("demo", "sft", "stage1"), stage_configs(recipe, overrides)))))
    return 0
