"""Fuzzing the scorers with hypothesis: no exception, and every score inside its documented range.

Completions are drawn from a mix that stresses the parser and the checkers: well-formed answer
blocks whose lines are right answers, mutated answers, random literals, hack strings and random
text; every wrapper the parser tolerates or rejects (missing tags, fences, numbering, unclosed
blocks, answers inside reasoning, duplicated blocks, chat messages, non-text); and soups of tag
fragments. Each hypothesis example draws the pieces and a seed and assembles a batch of
completions from them, so the slow variant scores 100,000 completions per kind
(``pytest -m slow``) in minutes; the default run scores 600 per kind.

Documented ranges (``execverify.rewards.config``): combined 0, 1.0 (mismatch) or
``2 * (0.5 + 0.5 * k / n)``; output and input 0 or 2.0; single questions 0 or 1; code
generation 0, or 0.05 plus the pass fraction. A completion that could not be read scores 0.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execverify.rewards import RewardConfig, score_batch, score_question
from execverify.rewards.codegen import _precheck, extract_code, score_codegen_batch
from execverify.rewards.parse import parse_completion
from execverify.rewards.score import OK
from execverify.tasks import combined_questions

# pytest resets warning filters per test, so the production filter for compiler warnings about
# model text (see execverify.rewards.values.ANSWER_FILENAME) is repeated here;
# tests/rewards/test_values.py checks that it works in a plain interpreter.
pytestmark = pytest.mark.filterwarnings("ignore:::<execverify-answer>")

STATUSES = {"ok", "not_text", "too_long", "no_answer", "unclosed_reasoning", "multiple_answers",
            "empty_answer", "too_many_lines", "bad_record"}
BATCH = 500  # completions per hypothesis example
SLOW_TOTAL = 100_000
FAST_TOTAL = 600
FAST_BATCH = 150

HACKS = [
    "assert f([1, 5, 3], 2) == f([1, 5, 3], 2)", "__import__('os').system('true')",
    "(y := [1, 10, 6])", "(lambda: 1)()", "*[[1, 5, 3], 2]", "**{'xs': []}", "f(f(1))",
    "eval('1')", "[x for x in (1,)]", "Output: complete the assertion `assert f(??)`",
    "[" * 300 + "]" * 300, "9" * 5000, "'\\x00'", "\x00", "\ud800", "1e999", "-0.0; float",
    "set(); set", "Nil", "nil", "-1", "line 3", "3 | x = 1", "Yes", "no.", "<class 'int'>",
]
FRAGMENTS = ["<answer>", "</answer>", "<reasoning>", "</reasoning>", "<think>", "</think>",
             "< answer >", "```", "```python\n", "\n", "Answer: ", "1. ", "2) ", "<|im_end|>",
             "assert ", " == ", "??", "; ", "(", ")", "[", "]", "'", '"', "\\", "\t", "`"]
GIANT = "<answer>\n" + "x" * 150_000 + "\n</answer>"


def _literal_reprs() -> st.SearchStrategy[str]:
    leaves = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
              | st.complex_numbers(max_magnitude=1e6))
    values = st.recursive(
        leaves,
        lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                       | st.dictionaries(st.integers() | st.text(max_size=3), inner, max_size=3)
                       | st.frozensets(st.integers(), max_size=3).map(set)),
        max_leaves=10,
    )
    return values.map(repr)


def _mutated(answer: str) -> st.SearchStrategy[str]:
    if not answer:
        return st.just(answer)
    return st.integers(0, len(answer) - 1).flatmap(lambda i: st.sampled_from([
        answer[:i] + answer[i + 1:],  # drop a character
        answer[:i] + " " + answer[i:],  # insert a space
        answer[:i] + "9" + answer[i + 1:],  # change a character
        answer + answer,
        answer.upper(),
    ]))


def _lines(answers: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(answers),
        st.sampled_from(answers).flatmap(_mutated),
        _literal_reprs(),
        st.tuples(_literal_reprs(), st.sampled_from(["int", "list", "str", "set", "bool"])).map(
            lambda p: f"{p[0]}; {p[1]}"),
        st.sampled_from(HACKS),
        st.text(max_size=30),
        st.text(alphabet="[](){},:;'\" 0123456789-.eEj", max_size=24),
        st.integers(-3, 30).map(str),
    )


WRAPPERS = [
    lambda r, ls: f"<reasoning>{r}</reasoning>\n<answer>\n{ls}\n</answer>",
    lambda r, ls: f"<answer>{ls}</answer>",  # no reasoning
    lambda r, ls: f"<answer>\n```python\n{ls}\n```\n</answer>",  # fenced
    lambda r, ls: ls,  # no tags
    lambda r, ls: f"<think>{r}</think>{ls}",  # answers after reasoning, no answer tags
    lambda r, ls: f"<reasoning>{r}</reasoning><answer>{ls}",  # unclosed answer
    lambda r, ls: f"<reasoning>{r}<answer>{ls}</answer></reasoning>",  # answer in reasoning
    lambda r, ls: f"<reasoning>{r}<answer>{ls}</answer>",  # reasoning never closed
    lambda r, ls: f"<answer>{ls}</answer>{r}<answer>{ls}\n0</answer>",  # two blocks
    lambda r, ls: "<answer>\n" + "\n".join(
        f"{i}. {line}" for i, line in enumerate(ls.splitlines(), 1)) + "\n</answer>",
    lambda r, ls: [{"role": "assistant", "content": f"<answer>{ls}</answer>"}],  # chat
]
ODD = [None, 7, b"<answer>1</answer>", [1, 2], {"content": 3}, GIANT, ""]


def _expand(data, answers: list[str], n_lines: int, count: int) -> list[object]:
    """``count`` completions built from pieces hypothesis draws (answer lines, texts, a seed).

    Hypothesis draws the raw material (fuzzed lines, random text, reasoning) and a seed; the
    pieces are then combined with ``random.Random(seed)`` into many completions, which keeps
    100,000 completions per kind affordable while every piece is still hypothesis-generated.
    """
    lines = data.draw(st.lists(_lines(answers), min_size=3, max_size=30))
    texts = data.draw(st.lists(st.text(max_size=200), min_size=1, max_size=4))
    reasonings = data.draw(st.lists(st.text(max_size=40), min_size=1, max_size=3))
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    pieces = lines + FRAGMENTS
    out: list[object] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.65:
            k = max(0, n_lines + rng.randint(-2, 2))
            chosen = [rng.choice(lines) for _ in range(k)]
            out.append(rng.choice(WRAPPERS)(rng.choice(reasonings), "\n".join(chosen)))
        elif roll < 0.85:
            out.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))))
        elif roll < 0.95:
            out.append(rng.choice(texts))
        else:
            out.append(rng.choice(ODD))
    return out


FUZZ_SETTINGS = dict(deadline=None, database=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))


def _fuzz(total: int, draw_and_check, batch: int = BATCH) -> int:
    """Run ``draw_and_check(data, count)`` until ``total`` completions were scored; each
    hypothesis example scores ``batch`` of them. Returns the number scored."""
    count = [0]

    @settings(max_examples=max(1, -(-total // batch)), **FUZZ_SETTINGS)
    @given(st.data())
    def run(data):
        count[0] += draw_and_check(data, batch)

    run()
    return count[0]


def _check_result(result, allowed) -> None:
    assert result.status in STATUSES or result.status == "sandbox_error", result
    assert result.score >= 0.0 and math.isfinite(result.score)
    assert any(abs(result.score - a) < 1e-9 for a in allowed), (result.score, result)
    if result.status != OK:
        assert result.score == 0.0


def _combined_allowed(record) -> set[float]:
    config = RewardConfig()
    n = len(combined_questions(record)) - 1
    steps = {config.scale * (config.output_weight + config.step_weight * k / n)
             for k in range(n + 1)} if n else {config.max_combined}
    return {0.0, config.mismatch_score} | steps


def _task_checker(records, task, sandbox=None):
    names = sorted(records)

    def check(data, count) -> int:
        record = records[data.draw(st.sampled_from(names))]
        answers = [a for q in record.questions for a in q.answers]
        n = len(combined_questions(record)) if task == "combined" else 1
        batch = _expand(data, answers, n, count)
        results = score_batch(batch, [record] * len(batch), task, sandbox=sandbox)
        allowed = _combined_allowed(record) if task == "combined" else {0.0, 2.0}
        for result in results:
            _check_result(result, allowed)
        return len(results)

    return check


def _question_checker(records, kind):
    pairs = [(r, q) for r in records.values() for q in r.questions if q.kind == kind]

    def check(data, count) -> int:
        record, question = data.draw(st.sampled_from(pairs))
        answers = list(question.answers) + [a for q in record.questions for a in q.answers]
        batch = _expand(data, answers, 1, count)
        for completion in batch:
            _check_result(score_question(completion, record, question), {0.0, 1.0})
        return len(batch)

    return check


CODE_LINES = ["def f(x):", "    return x + 1", "import os", "os._exit(0)", "print('OK')",
              "x = (", "```", "<answer>", "f = lambda x: 2", "def f(x) return"]


def _codegen_checker(data, count) -> int:
    """Extraction and the pre-run checks on every completion (running 100,000 programs is the
    sandbox's soak test, not this one); see test_fuzz_codegen_runs for executed ones."""
    from execverify.rewards import TestSuite

    suite = TestSuite("assert", ("assert f(1) == 2",), entry="f")
    batch = _expand(data, ["def f(x): return x + 1", *CODE_LINES], 3, count)
    for completion in batch:
        code = extract_code(completion)
        assert code is None or isinstance(code, str)
        if code is not None:
            outcome = _precheck(code, suite)
            assert outcome is None or outcome.passed == 0
    return len(batch)


TASKS = ["combined", "output", "input"]
QUESTION_KINDS = ["next_statement", "state", "coverage", "path"]


@pytest.mark.parametrize("task", TASKS)
def test_fuzz_tasks(records, sandbox, task):
    assert _fuzz(FAST_TOTAL, _task_checker(records, task, sandbox), FAST_BATCH) >= FAST_TOTAL


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_fuzz_questions(records, kind):
    assert _fuzz(FAST_TOTAL, _question_checker(records, kind), FAST_BATCH) >= FAST_TOTAL


def test_fuzz_codegen_extraction():
    assert _fuzz(FAST_TOTAL, _codegen_checker, FAST_BATCH) >= FAST_TOTAL


def test_fuzz_codegen_runs(sandbox):
    """A smaller executed batch: fuzzed completions through the sandbox, scores in range."""
    from execverify.rewards import TestSuite

    suite = TestSuite("assert", ("assert f(1) == 2", "assert f(2) == 3"), entry="f",
                      timeout_s=1.0)
    answers = ["```python\ndef f(x):\n    return x + 1\n```", "def f(x): return 2", *CODE_LINES]

    @settings(max_examples=4, **FUZZ_SETTINGS)
    @given(st.data())
    def run(data):
        batch = _expand(data, answers, 2, 25)
        for result in score_codegen_batch([(c, suite) for c in batch], sandbox=sandbox):
            assert result.score in (0.0, 0.05, 0.55, 1.05), result
            assert result.status in ("ok", "no_code")

    run()


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_fuzz_tasks_100k(records, sandbox, task):
    assert _fuzz(SLOW_TOTAL, _task_checker(records, task, sandbox)) >= SLOW_TOTAL


@pytest.mark.slow
@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_fuzz_questions_100k(records, kind):
    assert _fuzz(SLOW_TOTAL, _question_checker(records, kind)) >= SLOW_TOTAL


@pytest.mark.slow
def test_fuzz_codegen_extraction_100k():
    assert _fuzz(SLOW_TOTAL, _codegen_checker) >= SLOW_TOTAL


def test_parse_never_raises_on_tag_soup():
    @settings(max_examples=300, **FUZZ_SETTINGS)
    @given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=10), max_size=30))
    def run(parts):
        parsed = parse_completion("".join(parts))
        assert parsed.status in STATUSES
        assert parsed.ok == bool(parsed.answers)

    run()
