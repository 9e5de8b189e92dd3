"""``execverify synth``: build a verified, traced, question-annotated dataset."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any


def parse_levels(text: str) -> tuple[int, ...]:
    """``1-6``, ``2``, or ``1,3,5``."""
    from execverify.cli import CliError

    levels: list[int] = []
    try:
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            levels.extend(range(int(lo), int(hi or lo) + 1))
    except ValueError as exc:
        raise CliError(f"--levels must look like 1-6, 3 or 1,3,5; got {text!r}") from exc
    return tuple(levels)


def register(sub: argparse._SubParsersAction) -> None:
    from execverify.cli import add_recipe_arguments
    from execverify.config import shorthand

    p = sub.add_parser("synth", help="synthesise programs at difficulty levels into a dataset",
                       description="Generate, filter, trace and question programs; writes JSONL "
                       "shards plus manifest.json into OUT. Rerun the same command to resume. "
                       "Settings come from the recipe's synth and tasks sections; each flag in "
                       "[brackets] is a shorthand for that field.")
    shorthand(p, "--levels", "synth", "levels", type=parse_levels,
              help="levels to generate, e.g. 1-6, 2 or 1,3,5")
    shorthand(p, "--num", "synth", "num", help="records in all (split over levels)")
    shorthand(p, "--seed", "synth", "seed")
    shorthand(p, "--generator", "synth", "generator", choices=("builtin", "llm"),
              help="builtin: constraint generator (no model); llm: the method's prompted route")
    shorthand(p, "--backend", "synth", "backend", help="llm: transformers, vllm or openai")
    shorthand(p, "--model", "synth", "model", help="llm: model name or path")
    shorthand(p, "--base-url", "synth", "base_url", help="llm with --backend openai: server URL")
    shorthand(p, "--shard-size", "synth", "shard_size")
    shorthand(p, "--batch-size", "synth", "batch_size", help="programs per sandbox execution")
    shorthand(p, "--decontaminate", "synth", "decontaminate", action="store_true",
              help="drop programs whose 10-grams overlap CRUXEval or HumanEval")
    shorthand(p, "--difficulty-model", "synth", "difficulty_model",
              help="difficulty filter: model that answers each output question k times")
    shorthand(p, "--difficulty-backend", "synth", "difficulty_backend")
    shorthand(p, "--difficulty-k", "synth", "difficulty_k")
    shorthand(p, "--difficulty-t", "synth", "difficulty_t", help="keep records solved <= t times")
    p.add_argument("--out", type=Path, default=Path("runs/synth"), help="output dataset folder")
    p.add_argument("--workers", type=int, default=1, help="processes (shards run in parallel)")
    p.add_argument("--ray", action="store_true", help="run shards as Ray tasks (RAY_ADDRESS)")
    p.add_argument("--no-report", action="store_true", help="skip report.md / report.png")
    add_recipe_arguments(p)
    p.set_defaults(handler=_run)


def synth_config(recipe: str | None, overrides: Sequence[str] | Mapping[str, Any]) -> Any:
    """The run's ``SynthConfig``: the recipe's synth section (plain keys are synth's), with the
    questions to build from its tasks section unless the synth section sets them itself."""
    from execverify.config import load_section, parse_overrides, read_recipe

    parsed = parse_overrides(overrides)
    config = load_section("synth", recipe, parsed)
    own = "tasks" in read_recipe(recipe).get("synth", {}) or any(
        k in ("tasks", "synth.tasks") or k.startswith("synth.tasks.") for k in parsed)
    if own:
        return config
    return replace(config, tasks=load_section("tasks", recipe, parsed, plain=False))


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from execverify.cli import CliError
    from execverify.config import parse_overrides, shorthand_overrides
    from execverify.data.dataset import read_records
    from execverify.synth.pipeline import synthesize
    from execverify.synth.report import level_features, synth_summary_markdown, write_synth_report

    if args.workers < 1:
        raise CliError(f"--workers must be >= 1; got {args.workers}")
    try:
        config = synth_config(args.config, {**parse_overrides(args.overrides),
                                            **shorthand_overrides(args)})
    except ValueError as exc:
        raise CliError(f"synth: {exc}") from exc
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {str(args.out)!r} exists and is not a folder")
    with tqdm(total=config.num, desc="synth", unit="rec", file=sys.stderr) as bar:
        manifest = synthesize(config, args.out, workers=args.workers, use_ray=args.ray,
                              progress=bar.update)
    if args.no_report:
        text = synth_summary_markdown(manifest, level_features(read_records(args.out)))
    else:
        text = write_synth_report(args.out, manifest, read_records(args.out))
    print(text)
    print(f"{manifest['num_records']} records in {args.out} (content hash "
          f"{manifest['content_hash'][:12]})")
    return 0
