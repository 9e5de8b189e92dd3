"""The study on this machine (``execverify study``, packaged ``study-cpu`` recipe), recorded
with the command that made it and its wall time.

    python benchmarks/study_cpu.py --out-dir runs/study [--out benchmarks/results/study_cpu.md]
        [KEY=VALUE ...]   (recipe overrides, passed to the study)

Runs the study into ``--out-dir`` (resuming a run there: ``timings.json`` keeps the wall time
of earlier, killed runs' phases), then records its ``report.md`` under a header with the
command and the wall time, and copies ``results.json`` and the plots next to the record
(``study_cpu.json``, ``study_cpu_accuracy.png``, ``study_cpu_training.png``), because the run
folder does not outlive the machine. The baseline of every comparison (the SFT arm, and each
arm against the others) is measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchreport import header, publish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("runs/study"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    args = parser.parse_args()
    command = ["execverify", "study", "--out", str(args.out_dir), "--no-progress",
               *args.overrides]
    start = time.perf_counter()
    returncode = subprocess.call(command)
    wall = time.perf_counter() - start
    if returncode:
        sys.exit(returncode)
    timings = json.loads((args.out_dir / "timings.json").read_text(encoding="utf-8"))
    report = (args.out_dir / "report.md").read_text(encoding="utf-8").splitlines()
    lines = [*header("The study on a 2-core CPU: white-box GRPO, output-only GRPO and SFT",
                     " ".join(["python benchmarks/study_cpu.py", "--out-dir",
                               str(args.out_dir), *args.overrides])),
             f"Which runs `{' '.join(command)}`: this call took {wall / 60:.1f} min; the "
             f"study's phases, summed over every run into that folder (a resumed study counts "
             f"its killed runs too), {sum(timings.values()) / 60:.1f} min.", "",
             *[line.replace("# Study:", "## Report:", 1) for line in report]]
    publish(lines, args.out)
    if args.out:
        stem = args.out.with_suffix("")
        shutil.copyfile(args.out_dir / "results.json", f"{stem}.json")
        for name, suffix in (("accuracy_by_arm", "accuracy"), ("training_curves", "training")):
            plot = args.out_dir / "plots" / f"{name}.png"
            if plot.is_file():
                shutil.copyfile(plot, f"{stem}_{suffix}.png")


if __name__ == "__main__":
    main()
