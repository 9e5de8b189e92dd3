"""Command jobs: external programs run as steps inside an ordinary sandbox job."""

import shutil

import pytest

from execverify.sandbox import Limits, Sandbox
from execverify.sandbox.commands import (
    MISSING_EXECUTABLE_EXIT,
    CommandStep,
    command_job,
    step_outcomes,
)

LIMITS = Limits(timeout_s=10.0, memory_mb=512)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=2, preload=("execverify.sandbox.commands",)) as sb:
        yield sb


def _run(sandbox, files, steps, limits=LIMITS):
    result = sandbox.run_jobs([command_job(files, steps, limits)])[0]
    assert result.ok, (result.status, result.error_type, result.error_message, result.stderr)
    return step_outcomes(result)


def test_files_are_written_and_steps_run_in_order(sandbox):
    steps = [CommandStep(("sh", "-c", "cat in.txt > out.txt"), 5.0),
             CommandStep(("sh", "-c", "cat out.txt; echo err >&2"), 5.0)]
    first, second = _run(sandbox, {"in.txt": "hello\n"}, steps)
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert second.stdout == "hello\n" and second.stderr == "err\n"


def test_a_failing_step_stops_the_sequence(sandbox):
    outcomes = _run(sandbox, {}, [CommandStep(("sh", "-c", "exit 3"), 5.0),
                                  CommandStep(("sh", "-c", "echo never"), 5.0)])
    assert [o.exit_code for o in outcomes] == [3]


def test_a_step_over_its_time_limit_is_killed_with_its_children(sandbox):
    outcomes = _run(sandbox, {}, [CommandStep(("sh", "-c", "sleep 30 & sleep 30"), 0.5)])
    assert outcomes[0].timed_out and outcomes[0].exit_code is None
    assert outcomes[0].duration_s < 5


def test_a_missing_executable_is_an_outcome_not_an_error(sandbox):
    (outcome,) = _run(sandbox, {}, [CommandStep(("no-such-compiler-xyz",), 5.0)])
    assert outcome.exit_code == MISSING_EXECUTABLE_EXIT and "no-such-compiler-xyz" in outcome.stderr


def test_steps_get_the_sandbox_isolation(sandbox):
    (outcome,) = _run(sandbox, {}, [CommandStep(
        ("sh", "-c", "touch /usr/evil 2>/dev/null && echo wrote; echo $FOO"), 5.0,
        {"FOO": "bar"})])
    assert outcome.stdout == "bar\n"


def test_output_comes_back_as_a_bounded_tail(sandbox):
    (outcome,) = _run(sandbox, {}, [CommandStep(("sh", "-c", "seq 1 100000"), 5.0)])
    assert outcome.stdout.endswith("100000\n") and len(outcome.stdout) <= 4096


def test_file_names_must_stay_in_the_working_directory():
    for bad in ("/etc/passwd", "../x", "a/../../b"):
        with pytest.raises(ValueError):
            command_job({bad: ""}, [], LIMITS)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")
def test_compile_then_run(sandbox):
    source = "#include <cstdio>\nint main() { std::puts(\"hi\"); return 0; }\n"
    compile_, run = _run(sandbox, {"p.cpp": source},
                         [CommandStep(("g++", "-o", "p", "p.cpp"), 60.0), CommandStep(("./p",), 5.0)],
                         Limits(timeout_s=70.0, memory_mb=2048))
    assert compile_.exit_code == 0 and run.stdout == "hi\n"
