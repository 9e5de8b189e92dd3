"""Sandbox start-up before and after a change: two source trees, the same interpreter.

    git worktree add /tmp/base <commit>      # the code before the change
    python benchmarks/sandbox_startup.py --base /tmp/base/src [--rounds 8] [--out FILE]

Each round starts, in a fresh interpreter per tree (alternating which goes first), a
one-worker ``Sandbox``, runs one program and closes it: the time from ``Sandbox()`` to the
first result is what a user waits for, and it includes the worker's own start (finding its
site-packages, its isolation, its pre-imports). Also reports how many modules a worker holds
after start-up (each is in every fork's heap). The change keeps the start-up speed when the
ratio of the medians is within 5% of 1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from benchreport import header, publish
from refactor_speed import measure

AFTER = Path(__file__).resolve().parent.parent / "src"

START = """
import json, time, execverify
from execverify.sandbox import Sandbox
start = time.perf_counter()
with Sandbox(workers=1) as sb:
    result = sb.run("import sys; print(len(sys.modules))")
    elapsed = time.perf_counter() - start
assert result.ok, result
print(json.dumps({"file": execverify.__file__, "value": elapsed,
                  "modules": int(result.stdout)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="src/ of the code before")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    trees = {"before": args.base.resolve(), "after": AFTER}
    times: dict[str, list[float]] = {k: [] for k in trees}
    modules: dict[str, set[int]] = {k: set() for k in trees}
    for i in range(args.rounds):
        for name in (list(trees) if i % 2 == 0 else list(trees)[::-1]):
            done = measure(START, trees[name], n=0, workers=1)
            times[name].append(done["value"])
            modules[name].add(done["modules"])
    t = {k: statistics.median(v) for k, v in times.items()}
    lines = [
        *header("Sandbox start-up before and after a change",
                f"python benchmarks/sandbox_startup.py --base {args.base} --rounds {args.rounds}"),
        f"Median of {args.rounds} interleaved rounds, each in a fresh interpreter "
        f"({sys.executable}).",
        "",
        "| what | before | after | after / before |",
        "| --- | ---: | ---: | ---: |",
        f"| `Sandbox(workers=1)` to first result, s | {t['before']:.3f} | {t['after']:.3f} | "
        f"{t['after'] / t['before']:.3f} |",
        f"| modules in a worker's child | {', '.join(map(str, sorted(modules['before'])))} | "
        f"{', '.join(map(str, sorted(modules['after'])))} | |",
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
