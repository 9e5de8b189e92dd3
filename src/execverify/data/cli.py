"""``execverify export DIR --format verl|trl|hf --out OUT``: a dataset folder to trainer input.

See ``execverify.data.export`` for the row layouts. Registered by ``execverify.cli``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from execverify.cli import CliError


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
                        help="comma-separated tasks, one row each per record: combined, input, "
                        "output (default: combined,input)")
    parser.add_argument("--split", default="train", help="split name stored in verl extra_info")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from execverify.data.export import export

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
    return 0
