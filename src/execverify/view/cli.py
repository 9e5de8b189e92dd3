"""``execverify view PATH [--out FILE.html]``: write the page for a dataset, an evaluation
run, a training run or a study (``execverify.view``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from execverify.cli import CliError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "view", help="write one self-contained HTML page to read results line by line",
        description="Write one HTML file (no network; opens from disk) showing each program "
        "line by line: the lines that ran, each question at its line with the accepted answers "
        "and the model's, right or wrong. PATH is a dataset folder, an evaluation run "
        "(results.json), a training run (rollouts.jsonl below it) or a study (results.json "
        "files in subfolders).")
    parser.add_argument("path", metavar="PATH", help="what to show")
    parser.add_argument("--out", metavar="FILE.html",
                        help="where to write the page (default: PATH/view.html for a folder, "
                        "else PATH with .html)")
    parser.add_argument("--kind", choices=("dataset", "eval", "train", "study"),
                        help="read PATH as this kind instead of detecting it")
    parser.add_argument("--no-trace", action="store_true",
                        help="do not trace the programs again (faster; no executed-line marks)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from execverify.view import ViewError, load_view, write_page

    path = Path(args.path)
    out = Path(args.out) if args.out else (path / "view.html" if path.is_dir()
                                           else path.with_suffix(".html"))
    try:
        view = load_view(path, args.kind, trace=not args.no_trace)
    except ViewError as exc:
        raise CliError(f"view: {exc}") from exc
    write_page(view, out)
    print(f"{view.kind}: {len(view.items)} items -> {out}")
    return 0
