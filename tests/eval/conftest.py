import pytest

from execverify.eval.pool import eval_sandbox


@pytest.fixture(scope="session")
def sandbox():
    """One scoring pool for the whole eval test session (2 workers, like the CI machine)."""
    with eval_sandbox(2, extra_preload=("numpy",)) as sb:
        yield sb
