"""``execverify demo [--config YAML] [--out DIR] [KEY=VALUE ...]``: the CPU demo.

Without ``--config`` the recipe packaged with execverify (``cpu-demo``) is used, so the demo
runs from a bare install. Overrides name a recipe field (``demo.records=200``,
``stage1.max_steps=5``). Rerunning the same command resumes a killed run. Registered by
``execverify.cli``.
"""

from __future__ import annotations

import argparse
from typing import Any

from execverify.cli import CliError, add_recipe_arguments

DEFAULT_RECIPE = "cpu-demo"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo",
        help="the CPU demo: synthesise, evaluate, SFT warm-up, GRPO, evaluate again",
        description="Run the whole method small on this machine with the built-in model and "
        "write a before/after table and plots (resumes after a kill).",
    )
    add_recipe_arguments(parser, DEFAULT_RECIPE)
    parser.add_argument("--out", metavar="DIR", help="output folder (default: demo.out)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the resolved configs and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from execverify.config import ConfigError

    overrides = list(args.overrides) + ([f"demo.out={args.out}"] if args.out else [])
    try:
        if args.dry_run:
            return _print_configs(args.config, overrides)
        from execverify.demo.run import run_demo

        run_demo(args.config, overrides, progress=not args.no_progress)
    except ConfigError as exc:
        raise CliError(f"demo: {exc}") from exc
    except ImportError as exc:
        raise CliError(f"demo needs {exc.name or 'torch/transformers/trl'}; install it with: "
                       "pip install 'execverify[train,eval]'") from exc
    except (ValueError, OSError) as exc:
        raise CliError(f"demo: {' '.join(str(exc).split())}") from exc
    return 0


def _print_configs(recipe: str, overrides: list[str]) -> int:
    from execverify.config import recipe_yaml
    from execverify.demo.run import stage_configs

    print(recipe_yaml(dict(zip(("demo", "sft", "stage1"), stage_configs(recipe, overrides)))))
    return 0
