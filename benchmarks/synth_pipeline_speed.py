"""Synthesis pipeline throughput: records generated, filtered, traced, questioned and written.

    python benchmarks/synth_pipeline_speed.py [--num 100000] [--workers 2]

Runs ``synthesize`` over levels 1..6 into a temporary folder and reports records per second
and the wall time, next to a baseline measured in the same run on a subset: the same pipeline
with one sandbox execution per program (``batch_size=1``), which is what a per-program fork
costs. The ratio is what to compare across machines.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchreport import header, publish
from execverify.synth.pipeline import SynthConfig, synthesize


def timed(config: SynthConfig, workers: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        manifest = synthesize(config, Path(out), workers=workers)
        elapsed = time.perf_counter() - start
    assert manifest["num_records"] == config.num
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num", type=int, default=100_000)
    parser.add_argument("--baseline-num", type=int, default=1200)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    base_s = timed(SynthConfig(num=args.baseline_num, batch_size=1, shard_size=100), args.workers)
    main_s = timed(SynthConfig(num=args.num, shard_size=1000), args.workers)
    base_rate, main_rate = args.baseline_num / base_s, args.num / main_s
    lines = [
        *header("Synthesis pipeline throughput", "python benchmarks/synth_pipeline_speed.py "
                f"--num {args.num} --workers {args.workers}"),
        "| run | records | wall time | records/s | vs baseline |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| baseline: one sandbox execution per program | {args.baseline_num} | {base_s:.1f} s "
        f"| {base_rate:,.0f} | 1.0x |",
        f"| pipeline: batched executions, {args.workers} workers | {args.num} | {main_s:.1f} s "
        f"| {main_rate:,.0f} | {main_rate / base_rate:.1f}x |",
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
