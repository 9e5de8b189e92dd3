"""CRUXEval scoring on the real 800 problems: gold answers right, perturbed answers wrong."""

import ast
import json

import pytest

from execverify.eval.cruxeval import CRUXEvalInput, CRUXEvalOutput, official_scored_results
from execverify.eval.cruxeval_prompts import COT_OUTPUT, DIRECT_INPUT


@pytest.fixture(scope="module")
def samples():
    return CRUXEvalOutput().samples()


def changed(value):
    """A different value of the same type where possible (the near miss a model makes)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return [*value, 0]
    if isinstance(value, tuple):
        return (*value, 0)
    if isinstance(value, dict):
        return {**value, "__x__": 0}
    return [value]


def perturb(literal: str) -> str:
    try:
        return repr(changed(ast.literal_eval(literal)))
    except (ValueError, SyntaxError):
        return f"[{literal}]"


def perturb_call(args: str) -> str:
    """The call with its first argument changed."""
    try:
        values = ast.literal_eval(f"({args},)")
    except (ValueError, SyntaxError):
        return f"f([{args}])"
    return "f(" + ", ".join(repr(v) for v in (changed(values[0]), *values[1:])) + ")"


def test_loads_800_in_official_order(samples):
    assert len(samples) == 800
    assert [s.id for s in samples[:3]] == ["sample_0", "sample_1", "sample_2"]
    assert samples[-1].id == "sample_799"


def test_all_gold_outputs_score_correct(samples, sandbox):
    verdicts = CRUXEvalOutput().score(samples, [[s.reference["output"]] for s in samples], sandbox)
    wrong = [v.id for v in verdicts if not v.passed[0]]
    assert wrong == []


def test_all_gold_inputs_score_correct(samples, sandbox):
    answers = [[f"f({s.reference['input']})"] for s in samples]
    verdicts = CRUXEvalInput().score(samples, answers, sandbox)
    assert [v.id for v in verdicts if not v.passed[0]] == []


def test_perturbed_outputs_score_wrong(samples, sandbox):
    verdicts = CRUXEvalOutput().score(
        samples, [[perturb(s.reference["output"])] for s in samples], sandbox)
    assert [v.id for v in verdicts if v.passed[0]] == []


def test_perturbed_inputs_score_wrong_unless_they_really_work(samples, sandbox):
    """A perturbed call may still produce the gold output (f ignores that argument); it must
    then score right, and otherwise wrong: the score is exactly the assertion's truth."""
    calls = [perturb_call(s.reference["input"]) for s in samples]
    verdicts = CRUXEvalInput().score(samples, [[c] for c in calls], sandbox)
    passed = [v for v in verdicts if v.passed[0]]
    assert len(passed) < 0.5 * len(samples)  # 212 of 800 here: many f ignore some input
    # re-check the survivors directly, as plain programs: each truly satisfies the assertion
    by_id = {s.id: s for s in samples}
    programs = [f"{by_id[v.id].reference['code']}\nassert {by_id[v.id].reference['output']} == "
                f"{v.answers[0]}" for v in passed]
    results = sandbox.map(programs)
    assert [v.id for v, r in zip(passed, results) if not r.ok] == []


def test_official_rules_before_execution(samples, sandbox):
    s = samples[:2]
    out = CRUXEvalOutput().score(s, [[f"f({x.reference['input']})"] for x in s], sandbox)
    assert [v.statuses[0] for v in out] == ["restates_call"] * 2  # even though it is "true"
    inp = CRUXEvalInput().score(s, [[x.reference["input"]] for x in s], sandbox)
    assert [v.statuses[0] for v in inp] == ["no_call"] * 2


def test_prompts_are_the_official_ones(samples):
    first = samples[0].reference
    crux_in = CRUXEvalInput().samples()[0]
    assert crux_in.prompt == DIRECT_INPUT.format(code=first["code"], output=first["output"])
    assert crux_in.prompt.endswith(f"assert f(??) == {first['output']}\n[/PYTHON]\n[ANSWER]\n")
    cot = CRUXEvalOutput(prompt_style="cot").samples()[0]
    assert cot.prompt == COT_OUTPUT.format(code=first["code"], input=first["input"])
    assert CRUXEvalOutput().stop_strings() == ("[/ANSWER]",)


def test_extraction_then_scoring_end_to_end(samples, sandbox):
    bench = CRUXEvalOutput()
    gold = samples[3].reference["output"]
    answer = bench.extract(f"assert f({samples[3].reference['input']}) == {gold}\n")
    assert answer == gold
    assert bench.score([samples[3]], [[answer]], sandbox)[0].passed == [True]


def test_official_scored_results_format(samples, sandbox):
    gens = {"sample_0": [samples[0].reference["output"], "None"], "sample_1": ["0", "1"]}
    bench = CRUXEvalOutput()
    verdicts = bench.score(samples[:2], [gens["sample_0"], gens["sample_1"]], sandbox)
    scored = official_scored_results(gens, verdicts)
    assert set(scored) == {"raw_generations", "raw_scored_generations", "pass_at_1", "pass_at_5"}
    assert scored["raw_scored_generations"] == {"sample_0": [True, False],
                                                "sample_1": [False, False]}
    assert scored["pass_at_1"] == pytest.approx(25.0)
    assert scored["pass_at_5"] == pytest.approx(100.0)  # the official n - c < k rule
    json.dumps(scored)
