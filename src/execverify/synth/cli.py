"""``execverify synth``: build a verified, traced, question-annotated dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    p = sub.add_parser("synth", help="synthesise programs at difficulty levels into a dataset",
                       description="Generate, filter, trace and question programs; writes JSONL "
                       "shards plus manifest.json into OUT. Rerun the same command to resume.")
    p.add_argument("--levels", default="1-6", help="levels to generate, e.g. 1-6, 2 or 1,3,5")
    p.add_argument("--num", type=int, default=1000, help="records in all (split over levels)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("runs/synth"), help="output dataset folder")
    p.add_argument("--generator", choices=("builtin", "llm"), default="builtin",
                   help="builtin: constraint generator (no model); llm: the method's prompted route")
    p.add_argument("--backend", default="transformers", help="llm: transformers, vllm or openai")
    p.add_argument("--model", default="builtin", help="llm: model name or path")
    p.add_argument("--base-url", default=None, help="llm with --backend openai: server URL")
    p.add_argument("--workers", type=int, default=1, help="processes (shards run in parallel)")
    p.add_argument("--ray", action="store_true", help="run shards as Ray tasks (RAY_ADDRESS)")
    p.add_argument("--shard-size", type=int, default=500)
    p.add_argument("--batch-size", type=int, default=64, help="programs per sandbox execution")
    p.add_argument("--decontaminate", action="store_true",
                   help="drop programs whose 10-grams overlap CRUXEval or HumanEval")
    p.add_argument("--difficulty-model", default=None,
                   help="difficulty filter: model that answers each output question k times")
    p.add_argument("--difficulty-backend", default="transformers")
    p.add_argument("--difficulty-k", type=int, default=10)
    p.add_argument("--difficulty-t", type=int, default=3, help="keep records solved <= t times")
    p.add_argument("--no-report", action="store_true", help="skip report.md / report.png")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from execverify.cli import CliError
    from execverify.data.dataset import read_records
    from execverify.synth.pipeline import SynthConfig, synthesize
    from execverify.synth.report import level_features, summary_markdown, write_report

    if args.workers < 1:
        raise CliError(f"--workers must be >= 1; got {args.workers}")
    try:
        config = SynthConfig(levels=parse_levels(args.levels), num=args.num, seed=args.seed,
                             generator=args.generator, shard_size=args.shard_size,
                             batch_size=args.batch_size, backend=args.backend, model=args.model,
                             base_url=args.base_url, decontaminate=args.decontaminate,
                             difficulty_model=args.difficulty_model,
                             difficulty_backend=args.difficulty_backend,
                             difficulty_k=args.difficulty_k, difficulty_t=args.difficulty_t)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {str(args.out)!r} exists and is not a folder")
    with tqdm(total=config.num, desc="synth", unit="rec", file=sys.stderr) as bar:
        manifest = synthesize(config, args.out, workers=args.workers, use_ray=args.ray,
                              progress=bar.update)
    if args.no_report:
        text = summary_markdown(manifest, level_features(read_records(args.out)))
    else:
        text = write_report(args.out, manifest, read_records(args.out))
    print(text)
    print(f"{manifest['num_records']} records in {args.out} (content hash "
          f"{manifest['content_hash'][:12]})")
    return 0
