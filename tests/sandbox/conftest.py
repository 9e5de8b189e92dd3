import pytest

from execverify.sandbox import Limits, Sandbox

HOSTILE_LIMITS = Limits(timeout_s=1.0, memory_mb=256, output_bytes=64 * 1024)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=2, limits=HOSTILE_LIMITS) as sb:
        yield sb
