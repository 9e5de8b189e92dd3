import pytest

from execverify.eval.execcheck import run_checks


@pytest.mark.parametrize(("program", "passed", "status"), [
    ("assert 1 == 1", True, "pass"),
    ("assert 1 == 2", False, "fail"),
    ("raise SystemExit(0)", False, "fail"),          # any BaseException fails, as officially
    ("import os\nos._exit(0)", False, "fail"),        # exiting early never reaches the marker
    ("print('x' * 5_000_000)\nassert True", True, "pass"),  # output is swallowed, not capped
    ("input()", False, "fail"),                       # stdin is not readable, as officially
    ("while True:\n    pass", False, "timeout"),
])
def test_official_semantics(sandbox, program, passed, status):
    (result,) = run_checks(sandbox, [program], timeout_s=1.0)
    assert (result.passed, result.status) == (passed, status)


def test_printing_a_fake_marker_does_not_pass(sandbox):
    (result,) = run_checks(sandbox, ["print('passed-' + 'ab' * 16)\nraise ValueError"])
    assert not result.passed


def test_duplicates_share_one_run_and_keep_order(sandbox):
    programs = ["assert 1", "assert 0", "assert 1"]
    assert [r.passed for r in run_checks(sandbox, programs)] == [True, False, True]
