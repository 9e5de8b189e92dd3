"""Sandbox throughput and latency against fresh-interpreter and bare-fork baselines, in one run.

    python benchmarks/sandbox_throughput.py [--n 4000] [--out benchmarks/results/sandbox_throughput.md]

Reports programs per second through the pre-forked pool with every limit on, the same for one
fresh ``subprocess.run([python, "-c", src])`` per program (what the reference implementation
does), and a bare ``fork()`` + ``_exit`` of this warm interpreter; the ratios are what to
compare across machines, since absolute rates depend on how busy the machine is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchreport import header, publish
from execverify.sandbox import Limits, Sandbox

PROGRAM = "values = [i * i for i in range({i} % 50)]\nprint(sum(values))"


def rate_subprocess(n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        subprocess.run([sys.executable, "-c", PROGRAM.format(i=i)], capture_output=True, check=True)
    return n / (time.perf_counter() - start)


def rate_bare_fork(n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return n / (time.perf_counter() - start)


def pool_numbers(n: int, workers: int) -> dict[str, float | str]:
    with Sandbox(workers=workers, limits=Limits(timeout_s=1.0, memory_mb=512)) as sb:
        sb.map([PROGRAM.format(i=i) for i in range(200)])  # warm up
        start = time.perf_counter()
        results = sb.map([PROGRAM.format(i=i) for i in range(n)])
        rate = n / (time.perf_counter() - start)
        assert all(r.ok for r in results), [r for r in results if not r.ok][:1]
        latencies = []
        for i in range(min(n, 1000)):
            t0 = time.perf_counter()
            sb.run(PROGRAM.format(i=i))
            latencies.append(time.perf_counter() - t0)
        isolation = sb.isolation
    q = statistics.quantiles(latencies, n=100)
    return {"rate": rate, "p50_ms": q[49] * 1e3, "p99_ms": q[98] * 1e3, "isolation": isolation}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--baseline-n", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    base = rate_subprocess(args.baseline_n)
    fork = rate_bare_fork(1000)
    pool = pool_numbers(args.n, args.workers)
    rows = [
        ("fresh subprocess per program (serial)", f"{base:,.0f}", "1.0x", ""),
        ("bare fork+exit of a warm interpreter (serial)", f"{fork:,.0f}", f"{fork / base:.1f}x", ""),
        (f"execverify pool, {args.workers} workers, all limits, isolation={pool['isolation']}",
         f"{pool['rate']:,.0f}", f"{pool['rate'] / base:.1f}x",
         f"p50 {pool['p50_ms']:.2f} ms, p99 {pool['p99_ms']:.2f} ms (one job at a time)"),
    ]
    lines = [
        *header("Sandbox throughput", f"python benchmarks/sandbox_throughput.py --n {args.n}"),
        "| what | programs/s | vs fresh subprocess | latency |",
        "| --- | ---: | ---: | --- |",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
