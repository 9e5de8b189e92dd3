"""Before/after speed of a change: the sandbox pool and the synthesis pipeline, two source trees.

    git worktree add /tmp/base <commit>      # the code before the change
    python benchmarks/refactor_speed.py --base /tmp/base/src [--rounds 3] [--out FILE]

Each round runs, in a fresh interpreter per measurement and alternating the trees (so drift of
this shared machine's speed hits both alike): the pool rate of ``benchmarks/sandbox_throughput.py``
(programs per second through ``Sandbox.map``) and the wall time of ``synthesize`` over levels
1..6 (``benchmarks/synth_pipeline_speed.py``'s run, smaller). The report gives the median of
each per tree and the ratio after/before; the change keeps the speed when the ratios are within
5% of 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchreport import header, publish

HERE = Path(__file__).resolve().parent
AFTER = HERE.parent / "src"

POOL = """
import json, time, execverify
from execverify.sandbox import Limits, Sandbox
program = "x = {i}\\nprint(sum(range(x % 50)))"
with Sandbox(workers=__WORKERS__, limits=Limits(timeout_s=1.0, memory_mb=512)) as sb:
    sb.map([program.format(i=i) for i in range(200)])
    start = time.perf_counter()
    results = sb.map([program.format(i=i) for i in range(__N__)])
    rate = __N__ / (time.perf_counter() - start)
assert all(r.ok for r in results)
print(json.dumps({"file": execverify.__file__, "value": rate}))
"""

SYNTH = """
import json, tempfile, time, execverify
from pathlib import Path
from execverify.synth.pipeline import SynthConfig, synthesize
with tempfile.TemporaryDirectory() as out:
    start = time.perf_counter()
    manifest = synthesize(SynthConfig(num=__N__), Path(out), workers=__WORKERS__)
    elapsed = time.perf_counter() - start
print(json.dumps({"file": execverify.__file__, "value": elapsed,
                  "hash": manifest["content_hash"]}))
"""


def measure(code: str, src: Path, n: int, workers: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    text = code.replace("__WORKERS__", str(workers)).replace("__N__", str(n))
    out = subprocess.run([sys.executable, "-c", text], env=env, capture_output=True, text=True,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if not result["file"].startswith(str(src)):
        raise SystemExit(f"{src}: imported execverify from {result['file']}; is PYTHONPATH "
                         "shadowed by an install?")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="src/ of the code before")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pool-n", type=int, default=3000)
    parser.add_argument("--synth-num", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    trees = {"before": args.base.resolve(), "after": AFTER}
    pool: dict[str, list[float]] = {k: [] for k in trees}
    synth: dict[str, list[float]] = {k: [] for k in trees}
    hashes: dict[str, set[str]] = {k: set() for k in trees}
    for i in range(args.rounds):
        order = list(trees) if i % 2 == 0 else list(trees)[::-1]
        for name in order:
            pool[name].append(measure(POOL, trees[name], args.pool_n, args.workers)["value"])
            done = measure(SYNTH, trees[name], args.synth_num, args.workers)
            synth[name].append(done["value"])
            hashes[name].add(done["hash"])
        print(f"round {i + 1}: pool {pool}, synth {synth}", file=sys.stderr)
    p = {k: statistics.median(v) for k, v in pool.items()}
    s = {k: statistics.median(v) for k, v in synth.items()}
    same = hashes["before"] == hashes["after"] and len(hashes["after"]) == 1
    lines = [
        *header("Speed before and after a change (sandbox pool, synthesis pipeline)",
                f"python benchmarks/refactor_speed.py --base {args.base} --rounds {args.rounds} "
                f"--pool-n {args.pool_n} --synth-num {args.synth_num} --workers {args.workers}"),
        f"Median of {args.rounds} interleaved rounds, each measurement in a fresh interpreter.",
        "",
        "| what | before | after | after / before |",
        "| --- | ---: | ---: | ---: |",
        f"| sandbox pool, programs/s ({args.pool_n} programs, {args.workers} workers) | "
        f"{p['before']:,.0f} | {p['after']:,.0f} | {p['after'] / p['before']:.3f} |",
        f"| synthesis, wall s ({args.synth_num} records, levels 1-6, {args.workers} workers) | "
        f"{s['before']:.1f} | {s['after']:.1f} | {s['after'] / s['before']:.3f} |",
        "",
        "Per round, pool programs/s: before " + ", ".join(f"{v:,.0f}" for v in pool["before"])
        + "; after " + ", ".join(f"{v:,.0f}" for v in pool["after"]) + ". Synthesis s: before "
        + ", ".join(f"{v:.1f}" for v in synth["before"]) + "; after "
        + ", ".join(f"{v:.1f}" for v in synth["after"]) + ".",
        "",
        f"Synthesis content hash, before and after: {sorted(hashes['before'])[0][:12]} and "
        f"{sorted(hashes['after'])[0][:12]} ({'the same bytes' if same else 'DIFFERENT'}).",
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
