"""Sandbox throughput and latency against fresh-interpreter and bare-fork baselines, in one run.

    python benchmarks/sandbox_throughput.py [--n 4000] [--rounds 3] [--out benchmarks/results/sandbox_throughput.md]

Reports programs per second through the pre-forked pool with every limit on, the same for one
fresh ``subprocess.run([python, "-c", src])`` per program (what the reference implementation
does), and a bare fork + ``_exit`` of this warm interpreter, both through ``os.fork`` and
through libc's ``fork`` as the pool's workers call it (without CPython's after-fork hooks).
Each is measured ``--rounds`` times, interleaved, and the median is reported: the ratios are
what to compare across machines, since absolute rates depend on how busy the machine is.
"""

from __future__ import annotations

import argparse
import ctypes
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


def rate_bare_fork(n: int, fork=os.fork) -> float:
    start = time.perf_counter()
    for _ in range(n):
        pid = fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return n / (time.perf_counter() - start)


def rate_pool(sb: Sandbox, n: int) -> float:
    start = time.perf_counter()
    results = sb.map([PROGRAM.format(i=i) for i in range(n)])
    rate = n / (time.perf_counter() - start)
    assert all(r.ok for r in results), [r for r in results if not r.ok][:1]
    return rate


def latency_ms(sb: Sandbox, n: int) -> tuple[float, float]:
    """p50 and p99 of one job at a time."""
    latencies = []
    for i in range(n):
        t0 = time.perf_counter()
        sb.run(PROGRAM.format(i=i))
        latencies.append(time.perf_counter() - t0)
    q = statistics.quantiles(latencies, n=100)
    return q[49] * 1e3, q[98] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--baseline-n", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    libc_fork = ctypes.PyDLL(None).fork  # with the GIL held, as the pool's workers call it
    rates: dict[str, list[float]] = {"base": [], "fork": [], "libc": [], "pool": []}
    with Sandbox(workers=args.workers, limits=Limits(timeout_s=1.0, memory_mb=512)) as sb:
        rate_pool(sb, 200)  # warm up
        for _ in range(args.rounds):
            rates["base"].append(rate_subprocess(args.baseline_n))
            rates["fork"].append(rate_bare_fork(1000))
            rates["libc"].append(rate_bare_fork(1000, libc_fork))
            rates["pool"].append(rate_pool(sb, args.n))
        p50, p99 = latency_ms(sb, min(args.n, 1000))
        isolation = sb.isolation
    base, fork, libc, pool = (statistics.median(rates[k]) for k in ("base", "fork", "libc", "pool"))
    rows = [
        ("fresh subprocess per program (serial)", f"{base:,.0f}", "1.0x", ""),
        ("bare os.fork+exit of a warm interpreter (serial)", f"{fork:,.0f}", f"{fork / base:.1f}x", ""),
        ("bare libc fork+exit of a warm interpreter (serial)", f"{libc:,.0f}", f"{libc / base:.1f}x", ""),
        (f"execverify pool, {args.workers} workers, all limits, isolation={isolation}",
         f"{pool:,.0f}", f"{pool / base:.1f}x",
         f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (one job at a time)"),
    ]
    lines = [
        *header("Sandbox throughput",
                f"python benchmarks/sandbox_throughput.py --n {args.n} --rounds {args.rounds}"),
        f"Median of {args.rounds} interleaved rounds; pool rounds: "
        + ", ".join(f"{r:,.0f}" for r in rates["pool"]) + " programs/s.",
        "",
        "| what | programs/s | vs fresh subprocess | latency |",
        "| --- | ---: | ---: | --- |",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
    ]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
