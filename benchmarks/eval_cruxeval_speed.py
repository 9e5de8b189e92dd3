"""CRUXEval scoring speed: 800 generations through the sandbox pool, against per-check process
baselines, in one run.

    python benchmarks/eval_cruxeval_speed.py [--workers 2] [--baseline-n 100]
                                             [--out benchmarks/results/eval_cruxeval_speed.md]

The generations are one answer per CRUXEval-O sample, half gold and half a near miss (so half
the checks fail their assertion, as with a real model). Reported:

1. ``CRUXEvalOutput.score`` on all 800 with the pool already running (what a run that also
   generates pays), and including the pool's start-up (what scoring a file from cold pays);
2. the same checks with one fresh interpreter per check (``subprocess.run([python, "-c",
   program])``), and in the style of the official harness (a ``multiprocessing.Manager`` and
   ``Process`` per check, checks spread over a process pool): both on the first
   ``--baseline-n`` samples, extrapolated to 800.
"""

from __future__ import annotations

import argparse
import ast
import multiprocessing
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from execverify.eval.cruxeval import CRUXEvalOutput  # noqa: E402
from execverify.eval.pool import eval_sandbox  # noqa: E402


def near_miss(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return f"[{literal}]"
    if isinstance(value, str):
        return repr(value + "x")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value + 1)
    return f"[{literal}]"


def generations(samples) -> list[list[str]]:
    return [[s.reference["output"] if i % 2 == 0 else near_miss(s.reference["output"])]
            for i, s in enumerate(samples)]


def check_program(sample, answer: str) -> str:
    return f"{sample.reference['code']}\nassert {sample.reference['output']} == {answer}"


def time_pool(samples, answers, workers: int) -> tuple[float, float, int]:
    """(seconds warm, seconds including pool start, number passed)."""
    bench = CRUXEvalOutput()
    started = time.perf_counter()
    with eval_sandbox(workers) as sandbox:
        sandbox.start()
        ready = time.perf_counter()
        verdicts = bench.score(samples, answers, sandbox)
        done = time.perf_counter()
    return done - ready, done - started, sum(v.passed[0] for v in verdicts)


def time_subprocess(programs: list[str]) -> float:
    started = time.perf_counter()
    for program in programs:
        subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=3)
    return time.perf_counter() - started


def _official_style_check(program: str) -> bool:
    """One check the way the official harness runs it: a Manager list and a Process."""
    manager = multiprocessing.Manager()
    result = manager.list()
    proc = multiprocessing.Process(target=_unsafe_execute, args=(program, result))
    proc.start()
    proc.join(timeout=4)
    if proc.is_alive():
        proc.kill()
    passed = bool(result) and result[0] == "passed"
    manager.shutdown()
    return passed


def _unsafe_execute(program: str, result) -> None:  # type: ignore[no-untyped-def]
    try:
        exec(program, {})
        result.append("passed")
    except BaseException as exc:
        result.append(f"failed: {exc}")


def time_official_style(programs: list[str], workers: int) -> float:
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_official_style_check, programs))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline-n", type=int, default=100)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    samples = CRUXEvalOutput().samples()
    answers = generations(samples)
    warm, cold, passed = time_pool(samples, answers, args.workers)
    subset = [check_program(s, a[0]) for s, a in zip(samples[: args.baseline_n],
                                                       answers[: args.baseline_n])]
    scale = len(samples) / len(subset)
    fresh = time_subprocess(subset) * scale
    official = time_official_style(subset, args.workers) * scale

    load = os.getloadavg()[0]
    lines = [
        "# CRUXEval scoring speed",
        "",
        f"Command: `python benchmarks/eval_cruxeval_speed.py --workers {args.workers} "
        f"--baseline-n {args.baseline_n}`",
        f"Machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end "
        f"(shared with other jobs); Python {sys.version.split()[0]}; "
        f"{datetime.now(UTC).date().isoformat()}.",
        "",
        f"800 CRUXEval-O generations (400 gold, 400 near misses; {passed} scored right), "
        f"{args.workers} sandbox workers, official 3 s limit per check.",
        "",
        "| how | seconds for 800 | checks / s | vs pool |",
        "| --- | ---: | ---: | ---: |",
        f"| sandbox pool, warm (`CRUXEvalOutput.score`) | {warm:.2f} | {800 / warm:.0f} | 1.0x |",
        f"| sandbox pool, including pool start | {cold:.2f} | {800 / cold:.0f} | "
        f"{cold / warm:.1f}x |",
        f"| fresh interpreter per check (first {args.baseline_n}, x{scale:.0f}) | {fresh:.1f} | "
        f"{800 / fresh:.0f} | {fresh / warm:.1f}x |",
        f"| official style: Manager + Process per check, {args.workers} pool processes "
        f"(first {args.baseline_n}, x{scale:.0f}) | {official:.1f} | {800 / official:.0f} | "
        f"{official / warm:.1f}x |",
        "",
        f"Requirement: at most 5 s for 800 generations: {'met' if cold <= 5 else 'NOT met'} "
        f"({cold:.2f} s including the pool start).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
