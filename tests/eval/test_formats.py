"""Loaders and scorers for the benchmarks read from the hub, on small fixtures in their formats
(tests/eval/fixtures; the hub is not reachable from tests)."""

import base64
import json
import pickle
import zlib
from pathlib import Path

import pytest

from execverify.eval.base import BenchmarkDataError
from execverify.eval.bigcodebench import BigCodeBench, BigCodeBenchHard
from execverify.eval.humaneval import HumanEvalPlus
from execverify.eval.lcb_codegen import LCBCodegen, decode_tests
from execverify.eval.lcb_execution import LCBExecution
from execverify.eval.mbpp import MBPPPlus

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


# -- LiveCodeBench code execution ---------------------------------------------------------


def test_lcb_execution_gold_right_and_restated_call_wrong(sandbox):
    bench = LCBExecution(fixture("lcb_execution.jsonl"))
    samples = bench.samples()
    assert [s.group["difficulty"] for s in samples] == ["easy", "easy", "medium"]
    assert samples[0].prompt.endswith("assert sumOfSquares(nums = [1, 2, 3, 4]) == ??\n"
                                      "[/PYTHON]\n[ANSWER]\n")
    gold = bench.score(samples, [[s.reference["output"]] for s in samples], sandbox)
    # needs BASE_IMPORTS (List, deque); statuses say why if not (one CI run saw a gold fail)
    assert all(v.passed == [True] for v in gold), [(v.id, v.statuses) for v in gold]
    wrong = bench.score(samples, [["0"], ["3"], [samples[2].reference["input"]]], sandbox)
    assert [v.statuses[0] for v in wrong] == ["fail", "fail", "restates_call"]
    agg = bench.breakdown(gold)
    assert set(agg["difficulty"]) == {"easy", "medium"}


def test_lcb_execution_extraction_follows_lcb_runner():
    bench = LCBExecution(fixture("lcb_execution.jsonl"), prompt_style="cot")
    text = "[THOUGHT] ... [/THOUGHT]\n[ANSWER]\nassert sumOfSquares(nums = [1, 2, 3, 4]) == 21\n"
    assert bench.extract(text) == "21"


def test_lcb_execution_needs_data():
    with pytest.raises(BenchmarkDataError, match="livecodebench/execution-v2"):
        LCBExecution().samples()


# -- LiveCodeBench code generation --------------------------------------------------------

STDIN_SOLUTION = "a, b = map(int, input().split())\nprint(a + b)\n"
TWO_SUM = """```python
class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
```"""


def test_lcb_codegen_decodes_private_tests_and_scores(sandbox):
    bench = LCBCodegen(fixture("lcb_codegen.jsonl"))
    samples = bench.samples()
    stdin_suite, functional = (s.reference["suite"] for s in samples)
    assert (stdin_suite["kind"], len(stdin_suite["tests"])) == ("stdio", 3)
    assert (functional["kind"], len(functional["tests"])) == ("assert", 2)
    assert "### Format: Read the inputs from stdin" in samples[0].prompt
    assert "class Solution:" in samples[1].prompt
    right = [[bench.extract(f"```python\n{STDIN_SOLUTION}```")], [bench.extract(TWO_SUM)]]
    assert [v.passed for v in bench.score(samples, right, sandbox)] == [[True], [True]]
    wrong = [["print(0)"], [TWO_SUM.replace("[seen[target - x], i]", "[i, i]")]]
    assert [v.passed for v in bench.score(samples, [[bench.extract(w[0])] for w in wrong],
                                          sandbox)] == [[False], [False]]


class Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def test_private_tests_refuse_pickled_objects():
    blob = base64.b64encode(zlib.compress(pickle.dumps(Evil()))).decode()
    with pytest.raises(BenchmarkDataError):
        decode_tests(blob)
    plain = base64.b64encode(zlib.compress(pickle.dumps(json.dumps([{"input": "1"}])))).decode()
    assert decode_tests(plain) == [{"input": "1"}]


# -- BigCodeBench ---------------------------------------------------------------------------


def test_bigcodebench_runs_the_unittest_cases(sandbox):
    for cls in (BigCodeBench, BigCodeBenchHard):
        bench = cls(fixture("bigcodebench.jsonl"))
        (sample,) = bench.samples()
        body = sample.reference["reference"][len(sample.reference["prompt"]):]
        assert bench.score([sample], [[body]], sandbox)[0].passed == [True]
        no_check = '    return {"n": n, "factorial": math.factorial(abs(n))}\n'
        assert bench.score([sample], [[no_check]], sandbox)[0].passed == [False]


# -- EvalPlus ---------------------------------------------------------------------------------


def test_humaneval_plus_checks_outputs_of_the_reference(sandbox):
    bench = HumanEvalPlus(fixture("humanevalplus.jsonl"))
    samples = bench.samples()
    bodies = [[s.reference["reference"][len(s.reference["prompt"]):]] for s in samples]
    assert [v.passed for v in bench.score(samples, bodies, sandbox)] == [[True], [True]]
    # right on the base test, wrong on plus inputs: only HumanEval+ catches it
    sloppy = [["    return int(a) + int(b)\n"], ["    return s.split()\n"]]
    verdicts = bench.score(samples, sloppy, sandbox)
    assert [v.passed for v in verdicts] == [[False], [False]]
    assert all(v.details["tests_passed"][0] >= 1 for v in verdicts)


def test_mbpp_plus(sandbox):
    bench = MBPPPlus(fixture("mbppplus.jsonl"))
    (sample,) = bench.samples()
    assert sample.id == "Mbpp/2"
    assert bench.score([sample], [[sample.reference["reference"]]], sandbox)[0].passed == [True]
    wrong = "def similar_elements(a, b):\n    return tuple(a)\n"
    assert bench.score([sample], [[wrong]], sandbox)[0].passed == [False]


def test_plus_variants_need_evalplus_files():
    with pytest.raises(BenchmarkDataError, match="EvalPlus"):
        MBPPPlus(fixture("lcb_execution.jsonl")).samples()
