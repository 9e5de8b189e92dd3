"""CRUXEval-X: data, official prompts, the toolchains' judging rules, and gold / near-miss
answers through the real compilers in the sandbox (a few problems per language here; every
problem in the slow sweep)."""

import warnings

import pytest

from execverify.eval.cli import _task_key
from execverify.eval.cruxeval_x import (
    CHANCE_GOLD,
    CRUXEvalXOutput,
    ToolchainWarning,
    gold_answer,
    load_examples,
    near_miss,
    never_runs,
    read_language,
)
from execverify.eval.cruxeval_x_prompts import extract_answer, fill_check, function_part
from execverify.eval.cruxeval_x_toolchains import BEYOND_TOOLCHAIN, LANGUAGES, TOOLCHAINS
from execverify.eval.pool import eval_sandbox
from execverify.eval.registry import benchmark_class
from execverify.sandbox.commands import StepOutcome

COUNTS = {"cpp": 733, "cs": 670, "go": 699, "java": 698, "js": 743, "php": 755}


@pytest.fixture(scope="module")
def sandbox():
    with eval_sandbox(2, extra_preload=CRUXEvalXOutput.preload) as sb:
        yield sb


def _needs(language):
    reason = TOOLCHAINS[language].missing()
    if reason:
        pytest.skip(f"{language} toolchain missing: {reason}")


def _samples(task, language):
    _needs(language)
    return benchmark_class(f"cruxeval-x-{task}-{language}")().samples()


@pytest.mark.parametrize("language", LANGUAGES)
def test_gold_answers_rebuild_every_program(language):
    rows = read_language(language)
    assert len(rows) == COUNTS[language]
    for row in rows:
        code = row["code"]
        head = function_part(language, code)
        for task in ("output", "input"):
            check = row[f"{task}_reasoning"]
            gold = gold_answer(language, task, code, check)
            assert fill_check(language, task, head + check, gold) == code


@pytest.mark.parametrize("language", LANGUAGES)
def test_prompts_are_the_official_ones(language):
    examples = load_examples(language)
    assert len(examples) == 3
    bench = benchmark_class(f"cruxeval-x-o-{language}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ToolchainWarning)
        samples = bench().samples()
    if not samples:
        pytest.skip(f"{language} toolchain missing")
    first = samples[0]
    assert first.prompt.startswith('Based on the given code, which may contain errors, complete '
                                   f'the "????" in assert statement with the output when '
                                   f'executing the {language} code')
    assert first.prompt.endswith(f"```{language}\n{first.reference['question']}\n```\n")
    assert f"[ANSWER]\n{examples[0]['outputs']}\n[/ANSWER]" in first.prompt
    assert first.prompt.count("[ANSWER]") == 3 and first.id.startswith(f"{language}/sample_")


def test_input_prompt_asks_for_a_call():
    sample = _samples("i", "cpp")[0]
    assert "Express your answer as a function call" in sample.prompt
    assert sample.reference["gold"].startswith("candidate(")
    assert "[ANSWER]\ncandidate((std::vector<std::string>" in sample.prompt


def test_only_php_without_an_opening_tag_and_go_without_a_package_never_run():
    inert = {lang: [r["id"] for r in read_language(lang) if never_runs(lang, r["code"])]
             for lang in LANGUAGES}
    assert inert == {**{lang: [] for lang in LANGUAGES},
                     "php": [33, 85, 130, 131, 149, 202, 469, 484, 491, 556, 572, 581, 748],
                     "go": [6, 38, 112, 167, 175, 182, 288, 599, 687, 712]}


def test_extraction_is_the_official_one():
    assert extract_answer("[ANSWER]\n(3l)\n[/ANSWER] trailing") == "(3l)"
    assert extract_answer("  f(1, 2)  ") == "f(1, 2)"


def test_near_miss_changes_a_number_then_a_string_then_a_boolean():
    assert near_miss("(Pair.with(4l, 1l))") == "(Pair.with(5l, 1l))"
    assert near_miss("[]int64{}") == "[]int64{} ?!"  # no number outside the type name
    assert near_miss('("abc")') == '("xabc")'
    assert near_miss("(true)") == "(false)"


def test_names_and_the_task_flag():
    assert benchmark_class("cruxeval-x-o").languages == LANGUAGES
    assert benchmark_class("cruxeval-x-i-java").languages == ("java",)
    assert benchmark_class("cruxeval-x-i-java").task == "input"
    assert _task_key("cruxeval-x", "input") == "cruxeval-x-i"
    assert _task_key("cruxeval-x-go", "output") == "cruxeval-x-o-go"
    assert _task_key("cruxeval-x-i-go", "output") == "cruxeval-x-i-go"
    assert _task_key("cruxeval", "input") == "cruxeval-i"


def test_a_missing_toolchain_is_skipped_with_one_warning(monkeypatch):
    monkeypatch.setattr("execverify.eval.cruxeval_x_toolchains.shutil.which", lambda exe: None)
    with pytest.warns(ToolchainWarning, match="skipping php: php not found; install with: "
                                              "apt-get install php-cli"):
        assert benchmark_class("cruxeval-x-o-php")().samples() == []


def _outcome(code=0, out="", err="", timed_out=False):
    return StepOutcome(exit_code=code, timed_out=timed_out, stdout=out, stderr=err, duration_s=0.1)


def test_judging_rules_per_language():
    ok = _outcome()
    assert TOOLCHAINS["java"].judge([_outcome(1)]) == "compile_error"
    assert TOOLCHAINS["java"].judge([ok, _outcome(1)]) == "fail"
    assert TOOLCHAINS["java"].judge([ok, ok]) == "pass"
    assert TOOLCHAINS["cpp"].judge([ok, _outcome(None, timed_out=True)]) == "timeout"
    assert TOOLCHAINS["cs"].judge([ok, _outcome(0, err="at System.Diagnostics."
                                                       "DefaultTraceListener.Fail")]) == "fail"
    assert TOOLCHAINS["go"].judge([_outcome(1, out="FAIL\tcommand-line-arguments")]) == "fail"
    assert TOOLCHAINS["go"].judge([_outcome(2, out="FAIL x [build failed]")]) == "compile_error"
    assert TOOLCHAINS["go"].judge([_outcome(0, out="ok  \tcommand-line-arguments")]) == "pass"
    assert TOOLCHAINS["php"].judge([_outcome(255, err="PHP Parse error: x")]) == "compile_error"
    assert TOOLCHAINS["js"].judge([_outcome(1, err="AssertionError")]) == "fail"
    assert TOOLCHAINS["js"].judge([]) == "crash"


def _gold_and_near_miss(samples, sandbox, bench):
    answers = [[s.reference["gold"], near_miss(s.reference["gold"])] for s in samples]
    verdicts = bench.score(samples, answers, sandbox)
    gold_wrong = [(v.id, v.statuses[0]) for v in verdicts if not v.passed[0]]
    inert = {s.id for s in samples if never_runs(s.reference["language"], s.reference["question"])}
    miss_right = [v.id for v in verdicts if v.passed[1] and v.id not in inert]
    return gold_wrong, miss_right


@pytest.mark.parametrize("language", LANGUAGES)
def test_gold_right_and_near_miss_wrong_on_a_few_problems(language, sandbox):
    for task in ("o", "i"):
        bench = benchmark_class(f"cruxeval-x-{task}-{language}")()
        samples = _samples(task, language)[:2]
        gold_wrong, miss_right = _gold_and_near_miss(samples, sandbox, bench)
        assert gold_wrong == []
        if task == "o":  # a wrong input may still give the right output; a wrong output never
            assert miss_right == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_broken_answer_is_a_compile_error_not_an_exception(language, sandbox):
    bench = benchmark_class(f"cruxeval-x-o-{language}")()
    sample = _samples("o", language)[0]
    (verdict,) = bench.score([sample], [["@@ not code @@"]], sandbox)
    assert verdict.passed == [False]
    # node reports a syntax error like any other failure (exit 1); the others refuse to build
    assert verdict.statuses == ["fail" if language == "js" else "compile_error"]


@pytest.mark.slow
@pytest.mark.sweep
@pytest.mark.timeout(3600)  # C++ takes over 10 minutes alone, past the suite's 600 s default
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_gold_answer_is_right_and_every_near_miss_wrong(language, sandbox):
    """The full sweep (minutes per language; benchmarks/cruxeval_x.py records the times). The
    input task's gold check is the same program as the output task's, shown by
    test_gold_answers_rebuild_every_program, so the output task covers both. The only gold
    failures allowed are the C# programs ``mcs`` cannot compile (``BEYOND_TOOLCHAIN``), which
    must fail, and the Go programs whose result depends on map order (``CHANCE_GOLD``)."""
    bench = benchmark_class(f"cruxeval-x-o-{language}")()
    samples = _samples("o", language)
    assert len(samples) == COUNTS[language]
    gold_wrong, miss_right = _gold_and_near_miss(samples, sandbox, bench)
    wrong = {int(i.rpartition("_")[2]): status for i, status in gold_wrong}
    beyond, chance = BEYOND_TOOLCHAIN.get(language, set()), CHANCE_GOLD.get(language, set())
    assert beyond <= set(wrong) <= beyond | chance, gold_wrong
    assert all(wrong[i] == "compile_error" for i in beyond) and miss_right == []
