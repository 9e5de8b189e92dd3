"""The CPU demo's before/after numbers and wall time, recorded with the command that made them.

    python benchmarks/demo_cpu.py --out-dir runs/demo [--out benchmarks/results/demo_cpu.md]
        [KEY=VALUE ...]   (recipe overrides, passed to the demo)

Runs ``execverify demo`` (the packaged ``cpu-demo`` recipe) into ``--out-dir`` (resuming a run
there, whose earlier phases' wall time ``timings.json`` keeps), then records its
``summary.md``: the base model and the trained one on the same held-out questions and CRUXEval-O
problems, each change with its z score, and the wall time per phase. The baseline is the base
model measured in the same run. Also measured from outside the demo: its peak resident memory
(``getrusage(RUSAGE_CHILDREN)``: the largest process this script waited for, the demo itself)
and the disk space its output folder takes at the end.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

from benchreport import header, publish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("runs/demo"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    args = parser.parse_args()
    command = ["execverify", "demo", "--out", str(args.out_dir), "--no-progress",
               *args.overrides]
    done = subprocess.run(command, check=False)
    if done.returncode:
        sys.exit(done.returncode)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    disk = sum(f.stat().st_size for f in args.out_dir.rglob("*") if f.is_file())
    summary = (args.out_dir / "summary.md").read_text(encoding="utf-8").splitlines()
    lines = [*header("The CPU demo: before and after training",
                     " ".join(["python benchmarks/demo_cpu.py", "--out-dir",
                               str(args.out_dir), *args.overrides])),
             f"Which runs `{' '.join(command)}`. Its summary:", "",
             *[line.replace("# execverify CPU demo", "## Summary") for line in summary], "",
             "## Footprint, measured from outside", "",
             f"Peak resident memory of the demo process (this run; a resumed run's is its last "
             f"part's): {peak_mib:,.0f} MiB. Left on disk in `{args.out_dir}`: "
             f"{disk / 2**20:,.0f} MiB.", ""]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
