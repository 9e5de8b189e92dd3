"""``execverify study [--config RECIPE] [--out DIR] [SECTION.KEY=VALUE ...]``: white-box
rewards against output-only rewards and SFT, at several seeds, with paired statistics.

Without ``--config`` the packaged ``study-cpu`` recipe is used (about an hour on 2 cores).
Rerunning the same command resumes a killed study. Registered by ``execverify.cli``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from execverify.cli import add_job_arguments, job_errors

STUDY_RECIPE = "study-cpu"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "study",
        help="compare SFT, white-box GRPO and output-only GRPO over seeds, with statistics",
        description="Train every arm of the recipe's study section at N seeds from one "
        "dataset, evaluate each on the same held-out synthetic, CRUXEval and REval questions, "
        "and write report.md, results.json and plots/ with paired bootstrap intervals and "
        "McNemar tests (resumes after a kill).",
    )
    add_job_arguments(parser, STUDY_RECIPE, "study")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides) + ([f"study.out={args.out}"] if args.out else [])
    with job_errors("study"):
        if args.dry_run:
            return _print_configs(args.config, overrides)
        from execverify.study.run import run_study

        doc = run_study(args.config, overrides, progress=not args.no_progress)
    from execverify.study.markdown import verdict_lines
    from execverify.study.report import REPORT_FILE

    print(f"study: report in {Path(doc['recipe']['config']['out']) / REPORT_FILE}")
    print("\n".join(verdict_lines(doc)))
    return 0


def _print_configs(recipe: str, overrides: list[str]) -> int:
    from execverify.config import recipe_yaml
    from execverify.study.run import load_study

    study = load_study(recipe, overrides)
    print(recipe_yaml({"study": study.config, "demo": study.demo, "sft": study.sft,
                       "stage1": study.stage1, "reward": study.reward}))
    return 0
