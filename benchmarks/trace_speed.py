"""Tracer speed: traced vs untraced time of long loops, and CRUXEval traces per second.

    python benchmarks/trace_speed.py [--out benchmarks/results/trace_speed.md]

Part 1 runs each long-loop program untraced and then under ``recorder.record`` (recording every
step and the variables it changed) in the same process, for each interpreter (3.11: settrace;
3.12 and 3.13: sys.monitoring, and settrace for comparison), and reports the ratio; CPU time,
best of 3, so that a busy machine distorts it less. Part 2 traces all 800 CRUXEval programs
through the sandbox pool (2 workers), one program per execution and batched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

LOOPS = {
    "arith": ("""\
def f(n):
    total = 0
    evens = 0
    for i in range(n):
        x = i * 3 + 1
        if x % 2 == 0:
            evens += 1
        total += x
    return total, evens
""", 100_000),
    "strings": ("""\
def f(n):
    words = []
    for i in range(n):
        w = str(i % 97).zfill(3)
        key = w.upper().replace('0', 'o')
        if key.startswith('o') and len(words) < 8:
            words.append(key)
        n_o = key.count('o')
    return words, n_o
""", 50_000),
    "dict_counts": ("""\
def f(n):
    counts = {}
    for i in range(n):
        key = 'k' + str(i % 13)
        counts[key] = counts.get(key, 0) + 1
    return len(counts), counts['k0']
""", 50_000),
}

CHILD = """
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
from execverify.trace.recorder import record
source, n, backend = sys.argv[2], int(sys.argv[3]), sys.argv[4]
ns = {}
exec(compile(source, "<program>", "exec"), ns)
def best(fn):
    out = []
    for _ in range(3):
        gc.collect()
        start = time.process_time()
        value = fn()
        out.append(time.process_time() - start)
    return min(out), value
plain, _ = best(lambda: ns["f"](n))
def empty_callbacks():  # the floor: an event per line that does nothing at all
    if backend == "monitoring":
        mon = sys.monitoring
        mon.use_tool_id(5, "floor")
        mon.register_callback(5, mon.events.LINE, lambda code, line: None)
        mon.set_local_events(5, ns["f"].__code__, mon.events.LINE)
        try:
            return ns["f"](n)
        finally:
            mon.set_local_events(5, ns["f"].__code__, 0)
            mon.free_tool_id(5)
    def tracer(frame, event, arg):
        return tracer
    sys.settrace(tracer)
    try:
        return ns["f"](n)
    finally:
        sys.settrace(None)
floor, _ = best(empty_callbacks)
traced, r = best(lambda: record(ns, "f", str(n), {"backend": backend, "source": source,
                                                  "max_steps": 10**8, "max_bytes": 1 << 34}))
assert r["status"] == "ok", r["error"]
print(json.dumps({"plain_s": plain, "traced_s": traced, "floor_s": floor,
                  "steps": len(r["steps"]),
                  "python": sys.version.split()[0]}))
"""


def loop_ratios() -> list[dict]:
    from execverify.sandbox import SandboxUnavailable, find_python

    rows = []
    for version, backend in (("3.11", "settrace"), ("3.12", "monitoring"), ("3.12", "settrace"),
                             ("3.13", "monitoring")):
        try:
            python = find_python(version)
        except (SandboxUnavailable, ValueError):
            continue
        for name, (source, n) in LOOPS.items():
            out = subprocess.run([python, "-c", CHILD, str(SRC), source, str(n), backend],
                                 capture_output=True, text=True, check=True)
            data = json.loads(out.stdout)
            data.update(program=name, backend=backend, n=n,
                        ratio=data["traced_s"] / data["plain_s"],
                        floor=data["floor_s"] / data["plain_s"],
                        ns_per_step=1e9 * data["traced_s"] / data["steps"])
            rows.append(data)
            print(f"{data['python']:7} {backend:10} {name:12} ratio {data['ratio']:6.1f}x "
                  f"(empty callback {data['floor']:.1f}x) "
                  f"({data['ns_per_step']:.0f} ns/step, {data['steps']} steps)", flush=True)
    return rows


def cruxeval_rates(repeats: int) -> list[dict]:
    from execverify.sandbox import Limits, Sandbox
    from execverify.trace import trace_many

    path = SRC / "execverify" / "eval" / "data" / "cruxeval" / "cruxeval.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line]
    calls = [(r["code"], "f", r["input"]) for r in rows]
    out = []
    for version in ("3.11", "3.12"):
        with Sandbox(workers=2, limits=Limits(timeout_s=2.0), python=version) as sb:
            trace_many(calls[:100], sandbox=sb, batch_size=32)  # warm up
            for batch_size in (1, 32, 128):
                best = 0.0
                for _ in range(repeats):
                    start = time.perf_counter()
                    traces = trace_many(calls, sandbox=sb, batch_size=batch_size)
                    best = max(best, len(calls) / (time.perf_counter() - start))
                    assert all(t.ok for t in traces)
                out.append({"python": sb.python_version or version, "batch_size": batch_size,
                            "rate": best, "steps": sum(len(t.steps) for t in traces)})
                print(f"cruxeval python {version} batch {batch_size:3}: {best:7.0f} traces/s",
                      flush=True)
    return out


def render(loops: list[dict], crux: list[dict], command: str) -> str:
    load = os.getloadavg()
    lines = [
        "# Tracer speed",
        "",
        f"Command: `{command}`  ",
        f"Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; {os.cpu_count()} CPUs; "
        f"load average at the end {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}.",
        "",
        "## Long loops: traced / untraced (same process, CPU time, best of 3)",
        "",
        "Traced = `recorder.record`, recording every step with the variables it changed. "
        "Floor = the same loop with an event callback that does nothing (an empty "
        "sys.monitoring LINE callback, or an empty sys.settrace function): no tracer written "
        "in Python can be faster.",
        "",
        "| python | backend | program | iterations | steps | untraced | floor | traced | ratio "
        "| ns/step |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in loops:
        lines.append(f"| {r['python']} | {r['backend']} | {r['program']} | {r['n']} | "
                     f"{r['steps']} | {r['plain_s'] * 1e3:.1f} ms | {r['floor']:.1f}x | "
                     f"{r['traced_s'] * 1e3:.0f} ms | "
                     f"{r['ratio']:.1f}x | {r['ns_per_step']:.0f} |")
    lines += [
        "",
        "## CRUXEval (800 programs) traced per second through the sandbox, 2 workers",
        "",
        "| python | programs per execution | traces/s | total steps |",
        "|---|---:|---:|---:|",
    ]
    for r in crux:
        lines.append(f"| {r['python']} | {r['batch_size']} | {r['rate']:.0f} | {r['steps']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/trace_speed.md")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(SRC))
    loops = loop_ratios()
    crux = cruxeval_rates(args.repeats)
    command = "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(loops, crux, command))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
