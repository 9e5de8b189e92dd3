"""How many built-in generator programs survive the execution filters, per level.

    python benchmarks/synth_run_rate.py [--n 2000] [--seed 0] [--out benchmarks/results/synth_run_rate.md]

Generates ``n`` programs per level with their synthesised inputs, runs each twice in the
sandbox (0.5 s limit, as the method) and applies the execution filters of
:mod:`execverify.synth.filters`: ran (no exception, no timeout), kept (also round-trips,
deterministic, result at most 1,000 characters), and why the rest were dropped. Also reports
the result size and the sandbox-measured duration.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchreport import publish
from execverify.sandbox import Sandbox
from execverify.synth import generate
from execverify.synth.filters import ExecFilter, check_execution
from execverify.synth.levels import LEVELS


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="programs per level")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/synth_run_rate.md"))
    args = parser.parse_args(argv)
    config = ExecFilter()
    rows = []
    reasons_all: collections.Counter = collections.Counter()
    with Sandbox(workers=2) as sb:
        for level in LEVELS:
            rng = random.Random(args.seed + 100 * level)
            programs = [generate(level, rng) for _ in range(args.n)]
            verdicts = check_execution([(p.source, p.entry, p.args) for p in programs], sb, config)
            reasons = collections.Counter(v.reason for v in verdicts if not v.keep)
            reasons_all.update(reasons)
            ran = sum(not v.reason.startswith(("error", "timeout")) for v in verdicts)
            sizes = [len(v.value) for v in verdicts if v.value is not None]
            durations = [v.duration_s * 1000 for v in verdicts if v.keep]
            kept = sum(v.keep for v in verdicts) / args.n
            rows.append((level, ran / args.n, kept, reasons, sizes, durations))
    lines = [
        "# Built-in generator: execution filter pass rates",
        "",
        f"Command: `python benchmarks/synth_run_rate.py --n {args.n} --seed {args.seed}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs; sandbox with 2 workers, {config.timeout_s} s limit, "
        f"{config.runs} runs per program, results up to {config.max_value_chars} characters.",
        "",
        "*Ran*: finished without an exception or timeout. *Kept*: also passed the round-trip, "
        "determinism and size filters.",
        "",
        "| level | ran | kept | dropped (reason: count) | result chars median / p99 | "
        "run ms median / p99 |",
        "| ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for level, ran, kept, reasons, sizes, durations in rows:
        why = ", ".join(f"{r}: {c}" for r, c in reasons.most_common()) or "none"
        lines.append(
            f"| {level} | {ran:.2%} | {kept:.2%} | {why} | {statistics.median(sizes):.0f} / "
            f"{pct(sizes, 0.99):.0f} | {statistics.median(durations):.1f} / "
            f"{pct(durations, 0.99):.1f} |"
        )
    total = args.n * len(LEVELS)
    lines += [
        "",
        f"Over all {total} programs: ran {sum(r[1] for r in rows) / len(rows):.2%}, kept "
        f"{sum(r[2] for r in rows) / len(rows):.2%}.",
        "",
    ]
    publish(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
