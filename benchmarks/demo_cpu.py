"""The CPU demo's before/after numbers and wall time, recorded with the command that made them.

    python benchmarks/demo_cpu.py --out-dir runs/demo [--out benchmarks/results/demo_cpu.md]
        [KEY=VALUE ...]   (recipe overrides, passed to the demo)

Runs ``execverify demo`` (the packaged ``cpu-demo`` recipe) into ``--out-dir`` (resuming a run
there, whose earlier phases' wall time ``timings.json`` keeps), then records its
``summary.md``: the base model and the trained one on the same held-out questions and CRUXEval-O
problems, each change with its z score, and the wall time per phase. The baseline is the base
model measured in the same run. Also measured from outside the demo: its peak resident memory
two ways: the summed resident memory of the demo's whole process tree (the demo and every
process it started, sandbox workers included), sampled from ``/proc`` twice a second; and
``getrusage(RUSAGE_CHILDREN)``, the largest single process this script waited for), and the
disk space its output folder takes at the end.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import threading
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
    process = subprocess.Popen(command)
    tree = TreeMemory(process.pid)
    tree.start()
    returncode = process.wait()
    tree.stop()
    if returncode:
        sys.exit(returncode)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    disk = sum(f.stat().st_size for f in args.out_dir.rglob("*") if f.is_file())
    summary = (args.out_dir / "summary.md").read_text(encoding="utf-8").splitlines()
    lines = [*header("The CPU demo: before and after training",
                     " ".join(["python benchmarks/demo_cpu.py", "--out-dir",
                               str(args.out_dir), *args.overrides])),
             f"Which runs `{' '.join(command)}`. Its summary:", "",
             *[line.replace("# execverify CPU demo", "## Summary") for line in summary], "",
             "## Footprint, measured from outside", "",
             f"Peak resident memory (this run; a resumed run's is its last part's): the demo's "
             f"whole process tree {tree.peak_kib / 1024:,.0f} MiB (summed, sampled every "
             f"{TreeMemory.PERIOD_S} s); its largest single process {peak_mib:,.0f} MiB. "
             f"Left on disk in `{args.out_dir}`: {disk / 2**20:,.0f} MiB.", ""]
    publish(lines, args.out)


class TreeMemory(threading.Thread):
    """The largest summed resident memory of a process and all its descendants, sampled."""

    PERIOD_S = 0.5

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_kib = root, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.PERIOD_S):
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(p) for p in self._tree()))

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    main()
