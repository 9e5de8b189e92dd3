"""Property: every backend, on every interpreter, records the same trace of the same call.

Over a corpus of generated programs (tests/trace/programs.py) the traces of Python 3.11
(sys.settrace), 3.12 (sys.monitoring and sys.settrace) and 3.13 (sys.monitoring) must be equal,
step for step and value for value, and equal to the recorder's reference mode (``read_all``:
every local read after every step) that the plain-line shortcut must never change.
"""

from __future__ import annotations

from typing import Any

import pytest

from execverify.trace import Trace, TraceOptions, trace_many

from .conftest import _available, _pool
from .programs import generate

CORPUS = [generate(seed) for seed in range(300)]
CONFIGS = [("3.11", "settrace", False), ("3.11", "settrace", True),
           ("3.12", "monitoring", False), ("3.12", "monitoring", True),
           ("3.12", "settrace", False), ("3.13", "monitoring", False)]


def comparable(trace: Trace) -> dict[str, Any]:
    d = trace.to_dict()
    for key in ("backend", "python", "meta"):
        d.pop(key)
    return d


@pytest.fixture(scope="module")
def traces(sandboxes) -> dict[tuple[str, str, bool], list[dict[str, Any]]]:
    out = {}
    for version, backend, read_all in CONFIGS:
        if not _available(version):
            continue
        options = TraceOptions(backend=backend, read_all=read_all)
        got = trace_many(CORPUS, sandbox=_pool(sandboxes, version), options=options,
                         batch_size=25)
        out[(version, backend, read_all)] = [comparable(t) for t in got]
    return out


def test_corpus_is_varied(traces):
    base = traces[("3.11", "settrace", False)]
    statuses = {t["status"] for t in base}
    assert statuses >= {"ok", "error"}
    assert sum(len(t["steps"]) for t in base) > 5000
    funcs = {f[0] for t in base for f in t["frames"]}
    assert funcs >= {"f", "helper", "rec", "gen", "<lambda>", "__init__"}


@pytest.mark.parametrize("config", CONFIGS[1:], ids=lambda c: f"{c[0]}-{c[1]}-read_all={c[2]}")
def test_same_trace_as_python311_settrace(traces, config):
    if config not in traces:
        pytest.skip(f"Python {config[0]} is not installed")
    base = traces[("3.11", "settrace", False)]
    other = traces[config]
    mismatched = [i for i, (a, b) in enumerate(zip(base, other, strict=True)) if a != b]
    assert not mismatched, _explain(mismatched[0], base[mismatched[0]], other[mismatched[0]])


def _explain(index: int, a: dict[str, Any], b: dict[str, Any]) -> str:
    source = CORPUS[index][0]
    for key in a:
        if key != "steps" and a[key] != b[key]:
            return f"program {index}: {key} {a[key]!r} != {b[key]!r}\n{source}"
    for n, (x, y) in enumerate(zip(a["steps"], b["steps"])):
        if x != y:
            return f"program {index}, step {n}: {x} != {y}\n{source}"
    return f"program {index}: {len(a['steps'])} != {len(b['steps'])} steps\n{source}"
