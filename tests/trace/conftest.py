"""Fixtures: one sandbox per interpreter, and a ``tracer`` parametrised over the backends.

Every hand-checked expectation runs on Python 3.11 (sys.settrace) and on 3.12 and 3.13
(sys.monitoring, plus sys.settrace on 3.12), through the real sandbox; interpreters that are
not installed are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from execverify.sandbox import Limits, Sandbox, SandboxUnavailable, find_python
from execverify.trace import Trace, trace_call

LIMITS = Limits(timeout_s=5.0, memory_mb=512)
BACKENDS = [("3.11", "settrace"), ("3.12", "monitoring"), ("3.12", "settrace"),
            ("3.13", "monitoring")]


def _available(version: str) -> bool:
    try:
        find_python(version)
    except (SandboxUnavailable, ValueError, OSError):
        return False
    return True


@pytest.fixture(scope="session")
def sandboxes() -> Iterator[dict[str, Sandbox]]:
    pools: dict[str, Sandbox] = {}
    yield pools
    for pool in pools.values():
        pool.close()


def _pool(pools: dict[str, Sandbox], version: str) -> Sandbox:
    if version not in pools:
        pools[version] = Sandbox(workers=2, limits=LIMITS, python=version).start()
    return pools[version]


Tracer = Callable[..., Trace]


@pytest.fixture(params=BACKENDS, ids=[f"{v}-{b}" for v, b in BACKENDS])
def tracer(request: pytest.FixtureRequest, sandboxes: dict[str, Sandbox]) -> Tracer:
    version, backend = request.param
    if not _available(version):
        pytest.skip(f"Python {version} is not installed")
    pool = _pool(sandboxes, version)

    def run(source: str, args: str, entry: str = "f", **options) -> Trace:
        trace = trace_call(source, entry, args, sandbox=pool, backend=backend, **options)
        assert trace.python is None or trace.python.startswith(version)
        return trace

    return run


@pytest.fixture
def sandbox_311(sandboxes: dict[str, Sandbox]) -> Sandbox:
    return _pool(sandboxes, "3.11")
