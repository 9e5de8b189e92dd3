"""Soak: 20,000 executions mixing normal and hostile programs across the pool. Every job gets
exactly one result, the right one, and no process outlives the run."""

import random
import subprocess

import pytest

from execverify.sandbox import Job, Limits, Sandbox

N = 20_000

# (source template with {i}, expected status, expected stdout template or None)
KINDS = [
    ("print({i})", "ok", "{i}\n"),
    ("def f(x):\n    return x * 3\nprint(f({i}))", "ok", "{t}\n"),
    ("print({i})\nraise ValueError({i})", "error", "{i}\n"),
    ("import os\nprint({i}, flush=True)\nos._exit(1)", "error", "{i}\n"),
    ("print({i}, flush=True)\nx = [0] * (10 ** 10)", "memory", "{i}\n"),
    ("import os\nprint({i}, flush=True)\nwhile True:\n    os.fork()", None, "{i}\n"),
    ("import ctypes\nprint({i}, flush=True)\nctypes.string_at(0)", "killed", "{i}\n"),
    ("import time\nprint({i}, flush=True)\ntime.sleep(10)", "timeout", "{i}\n"),
    ("import threading, time\nthreading.Thread(target=time.sleep, args=(10,)).start()\n"
     "print({i})", "ok", "{i}\n"),
    ("import os, signal\nprint({i}, flush=True)\nos.kill(os.getppid(), signal.SIGKILL)",
     None, "{i}\n"),
]
WEIGHTS = [60, 15, 8, 4, 3, 2, 3, 1, 3, 1]


@pytest.mark.slow
def test_soak():
    rng = random.Random(0)
    kinds = rng.choices(range(len(KINDS)), weights=WEIGHTS, k=N)
    jobs = [Job(source=KINDS[k][0].format(i=i)) for i, k in enumerate(kinds)]
    with Sandbox(workers=2, limits=Limits(timeout_s=0.5, memory_mb=256)) as sb:
        results = sb.run_jobs(jobs)
        restarts = sb.restarts
        isolation = sb.isolation
    assert len(results) == N
    for i, (k, result) in enumerate(zip(kinds, results)):
        _, status, stdout = KINDS[k]
        assert result.stdout == stdout.format(i=i, t=i * 3), (i, k, result)
        if status is not None:
            assert result.status == status, (i, k, result)
    if isolation == "namespaces":
        assert restarts == 0
    out = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout
    assert [line for line in out.splitlines() if int(line.split()[0]) >= 200_000] == []
    assert "execverify.sandbox.worker" not in out
