"""How many built-in generator candidates survive synthesis's checks, per level.

    python benchmarks/synth_run_rate.py [--n 2000] [--seed 0] [--out benchmarks/results/synth_run_rate.md]

Runs ``execverify synth``'s own pipeline (``execverify.synth.pipeline.synthesize``, built-in
generator, default limits) for ``n`` records per level and reads the manifest's rejection
counts: of every candidate drawn, the share kept and the share each check dropped, in the
pipeline's order (static, duplicate, error, slow, nondeterministic, trace_limit,
output_too_large, not_literal, record). These are the filters the datasets are made with, not
a copy of them.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchreport import publish
from execverify.synth.levels import LEVELS
from execverify.synth.pipeline import SynthConfig, synthesize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="records per level")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/synth_run_rate.md"))
    args = parser.parse_args(argv)
    config = SynthConfig(levels=tuple(LEVELS), num=args.n * len(LEVELS), seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        manifest = synthesize(config, Path(tmp))
    lines = [
        "# Built-in generator: synthesis pass rates",
        "",
        f"Command: `python benchmarks/synth_run_rate.py --n {args.n} --seed {args.seed}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs; `SynthConfig` defaults ({config.time_limit_s} s limit, results "
        f"up to {config.max_output_chars} characters, {config.max_steps} traced steps).",
        "",
        "*Kept*: records written, as a share of the candidates drawn; the other columns are the "
        "pipeline's rejection reasons (its manifest's `rejected_per_level`).",
        "",
        "| level | candidates | kept | dropped (reason: count) |",
        "| ---: | ---: | ---: | --- |",
    ]
    total_kept = total = 0
    for level in LEVELS:
        kept = manifest["counts_per_level"].get(str(level), 0)
        reasons = collections.Counter(manifest["rejected_per_level"].get(str(level), {}))
        drawn = kept + sum(reasons.values())
        total_kept, total = total_kept + kept, total + drawn
        why = ", ".join(f"{r}: {c}" for r, c in reasons.most_common()) or "none"
        lines.append(f"| {level} | {drawn} | {kept / drawn:.2%} | {why} |")
    lines += ["", f"Over all {total} candidates: kept {total_kept / total:.2%}.", ""]
    publish(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
