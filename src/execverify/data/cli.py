"""``execverify export DIR --format verl|trl|hf --out OUT [--config RECIPE]``: a dataset folder to
trainer input. A recipe's reward section is printed as the settings to give the trainer.

See ``execverify.data.export`` for the row layouts. Registered by ``execverify.cli``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from execverify.cli import CliError, add_recipe_arguments


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "export",
        help="export a dataset folder for verl (Parquet), TRL (JSONL) or HF datasets",
        description="Export the records in a dataset folder (JSONL shards + manifest.json) as "
        "training rows: one per record and task, each carrying the record id.",
    )
    parser.add_argument("dir", metavar="DIR", help="dataset folder (JSONL shards + manifest.json)")
    parser.add_argument("--format", required=True, choices=("verl", "trl", "hf"),
                        help="verl: Parquet for verl; trl: JSONL (Parquet if OUT ends in "
                        ".parquet) with a conversational prompt; hf: a datasets folder")
    parser.add_argument("--out", required=True, metavar="OUT", help="output file (folder for hf)")
    parser.add_argument("--tasks", default="combined,input",
                        help="comma-separated tasks (execverify.tasks), one row each per record: "
                        "combined, input, output, ... (default: combined,input)")
    parser.add_argument("--split", default="train", help="split name stored in verl extra_info")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    add_recipe_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from execverify.config import load_section
    from execverify.data.export import export

    try:
        reward = load_section("reward", args.config, args.overrides, plain=False)
    except ValueError as exc:
        raise CliError(f"export: {exc}") from exc
    tasks = tuple(t.strip() for t in args.tasks.split(",") if t.strip())
    try:
        summary = export(args.dir, args.out, args.format, tasks=tasks, split=args.split,
                         progress=not args.no_progress and sys.stderr.isatty())
    except ImportError as exc:
        raise CliError(f"export --format {args.format} needs {exc.name or 'pyarrow/datasets'}; "
                       "install it with: pip install 'execverify[data]'") from exc
    except (ValueError, OSError) as exc:
        raise CliError(f"export: {exc}") from exc
    per_task = ", ".join(f"{task}: {n}" for task, n in summary.per_task.items())
    skipped = sum(summary.skipped.values())
    note = f"; skipped {skipped} (record without questions for the task)" if skipped else ""
    print(f"wrote {summary.rows} {args.format} rows ({per_task}) from {summary.records} "
          f"records to {summary.out}{note}")
    _reward_note(reward, args.format)
    return 0


def _reward_note(reward: Any, fmt: str) -> None:
    """How to train these rows under the recipe's reward section, when it is not the default
    (the rows carry no reward settings: the trainer's reward function is told)."""
    import json

    from execverify.rewards.config import reward_fields

    changed = reward_fields(reward)
    if not changed:
        return
    if fmt == "verl":
        keys = " ".join(f"+reward.custom_reward_function.reward_kwargs.{k}={json.dumps(v)}"
                        for k, v in changed.items())
        print(f"reward settings for verl: {keys}")
    else:
        print(f"reward settings for OpenRLHF: export EXECVERIFY_REWARD='{json.dumps(changed)}'; "
              f"for TRL: ExecVerifyReward(task, RewardConfig(**{changed!r}))")
