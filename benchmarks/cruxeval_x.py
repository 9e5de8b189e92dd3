"""CRUXEval-X self-check and timing: every problem's gold answer must score right and a near
miss wrong, in every language, through the real sandboxed toolchains.

    python benchmarks/cruxeval_x.py [--workers 2] [--languages php,js,cs,go,java,cpp]
                                    [--limit N] [--out benchmarks/results/cruxeval_x.md]

Per language: the output task's gold answers (read back from each problem's ``code``) and one
near miss each (``near_miss``: a number plus one, a string with a letter more, a boolean
flipped, else a non-compiling answer) are scored with ``CRUXEvalXOutput.score`` (``cruxeval-x-o-<language>``). The input
task's gold check program is the same text as the output task's (both rebuild ``code``); the
script counts that instead of compiling everything twice. The table is rewritten after each
language, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchreport import publish

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from execverify.eval.cruxeval_x import CHANCE_GOLD, near_miss, never_runs  # noqa: E402
from execverify.eval.cruxeval_x_prompts import fill_check  # noqa: E402
from execverify.eval.cruxeval_x_toolchains import BEYOND_TOOLCHAIN, LANGUAGES, TOOLCHAINS  # noqa: E402
from execverify.eval.pool import eval_sandbox  # noqa: E402
from execverify.eval.registry import benchmark_class  # noqa: E402


def _language(name: str, workers: int, limit: int | None) -> dict[str, object]:
    out_bench = benchmark_class(f"cruxeval-x-o-{name}")(limit=limit)
    in_bench = benchmark_class(f"cruxeval-x-i-{name}")(limit=limit)
    samples = out_bench.samples()
    same = sum(
        fill_check(name, "output", o.reference["question"], o.reference["gold"])
        == fill_check(name, "input", i.reference["question"], i.reference["gold"])
        for o, i in zip(samples, in_bench.samples())
    )
    answers = [[s.reference["gold"], near_miss(s.reference["gold"])] for s in samples]
    with eval_sandbox(workers, extra_preload=out_bench.preload) as sandbox:
        start = time.perf_counter()
        verdicts = out_bench.score(samples, answers, sandbox)
        seconds = time.perf_counter() - start
    gold_right = sum(v.passed[0] for v in verdicts)
    inert = {s.id for s in samples if never_runs(name, s.reference["question"])}
    miss_wrong = sum(not v.passed[1] for v in verdicts if v.id not in inert)
    return {
        "language": name, "problems": len(samples), "seconds": seconds,
        "gold_right": gold_right, "miss_wrong": miss_wrong, "same_program": same,
        "never_runs": len(inert),
        "miss_statuses": Counter(v.statuses[1] for v in verdicts),
        "gold_failures": [v.id for v in verdicts if not v.passed[0]],
        "beyond_toolchain": len(BEYOND_TOOLCHAIN.get(name, ())),
    }


def _table(rows: list[dict[str, object]], command: str, workers: int) -> list[str]:
    lines = [
        "# CRUXEval-X: gold and near-miss answers through the sandboxed toolchains", "",
        f"Command: `{command}`",
        f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end "
        f"(shared with other jobs); {datetime.now(UTC):%Y-%m-%d}; {workers} sandbox workers.", "",
        "Per problem, two output-task checks (gold and near miss), each compiled and run in "
        "its own sandbox job. `input gold = output gold` counts problems whose input-task gold "
        "check is the same program text as the output task's (so it is scored by the same run).",
        "",
        "`never runs`: problems whose program is never run (PHP without `<?php`, Go without "
        "`package`), where the official rule passes any answer; `near miss wrong` counts the "
        "others. `beyond toolchain`: problems whose gold program the installed toolchain "
        "rejects (C# 8 syntax; Debian has only `mcs`), counted in `problems`. Problems "
        f"{ {k: sorted(v) for k, v in sorted(CHANCE_GOLD.items())} } depend on an iteration "
        "order the runtime randomises, so their gold passes by chance.", "",
        "| language | problems | seconds | s / check | gold right | near miss wrong | "
        "never runs | beyond toolchain | input gold = output gold | near-miss statuses |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        n = int(r["problems"])  # type: ignore[arg-type]
        secs = float(r["seconds"])  # type: ignore[arg-type]
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["miss_statuses"].items()))  # type: ignore[union-attr]
        lines.append(
            f"| {r['language']} | {n} | {secs:.0f} | {secs / max(2 * n, 1):.2f} | "
            f"{r['gold_right']}/{n} ({100 * int(r['gold_right']) / max(n, 1):.1f}%) | "  # type: ignore[call-overload]
            f"{r['miss_wrong']}/{n - int(r['never_runs'])} | {r['never_runs']} | "  # type: ignore[call-overload]
            f"{r['beyond_toolchain']} | "
            f"{r['same_program']}/{n} | {statuses} |")
    failures = {r["language"]: r["gold_failures"] for r in rows if r["gold_failures"]}
    return [*lines, "", f"Gold answers scored wrong: {failures or 'none'}.", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--limit", type=int, default=None, help="first N problems per language")
    parser.add_argument("--out", type=Path, default=None,
                        help="record the table here too (it is always printed)")
    args = parser.parse_args()
    command = " ".join(["python benchmarks/cruxeval_x.py", *sys.argv[1:]])
    rows: list[dict[str, object]] = []
    for name in args.languages.split(","):
        reason = TOOLCHAINS[name].missing()
        if reason:
            print(f"skipping {name}: {reason}", file=sys.stderr)
            continue
        rows.append(_language(name, args.workers, args.limit))
        print(rows[-1], flush=True)
        if args.out:  # after every language, so a stopped run keeps the languages it finished
            args.out.write_text("\n".join(_table(rows, command, args.workers)), encoding="utf-8")
    publish(_table(rows, command, args.workers), args.out)


if __name__ == "__main__":
    main()
