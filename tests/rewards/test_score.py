"""The method's rewards exactly: the gate, the mismatch rule, 2 * (0.5 + 0.5 * step_accuracy),
the input task, the output-only ablation, and the configuration rules."""

from __future__ import annotations

import pytest

from execverify.rewards import (
    RewardConfig,
    score_batch,
    score_combined,
    score_completion,
    score_input,
    score_inputs,
    score_output,
    score_question,
    summarise,
)
from execverify.tasks import answer_block, combined_questions, expected_answers, expected_completion


def _with(answers, i, value):
    answers = list(answers)
    answers[i] = value
    return answer_block(answers)


@pytest.mark.parametrize("name", ["loop", "helper", "floats", "unreached"])
def test_expected_completion_scores_the_maximum(records, name):
    result = score_combined(expected_completion(records[name], "because"), records[name])
    assert result.ok and result.score == 2.0
    assert result.output_correct and result.step_accuracy == 1.0 and not result.mismatch
    assert len(result.breakdown) == len(combined_questions(records[name]))
    assert all(q.correct for q in result.breakdown)


def test_each_wrong_step_costs_exactly_its_share(records):
    record = records["loop"]
    answers = expected_answers(record)
    steps = len(answers) - 1
    for wrong in range(steps + 1):
        broken = list(answers)
        for i in range(1, wrong + 1):
            broken[i] = "wrong"
        result = score_combined(answer_block(broken), record)
        assert result.score == pytest.approx(2 * (0.5 + 0.5 * (steps - wrong) / steps))
        assert result.step_accuracy == pytest.approx((steps - wrong) / steps)


def test_wrong_output_gates_everything(records):
    record = records["loop"]
    result = score_combined(_with(expected_answers(record), 0, "[1, 10, 7]"), record)
    assert result.score == 0.0 and result.output_correct is False
    assert sum(q.correct for q in result.breakdown) == len(result.breakdown) - 1


@pytest.mark.parametrize("change", ["drop_last", "drop_middle", "extra", "duplicate", "only_output"])
def test_line_count_mismatch_is_half_reward_and_never_step_credit(records, change):
    record = records["loop"]
    answers = expected_answers(record)
    changed = {
        "drop_last": answers[:-1],
        "drop_middle": answers[:3] + answers[4:],
        "extra": [*answers, "-1"],
        "duplicate": answers + answers[1:],
        "only_output": answers[:1],
    }[change]
    result = score_combined(answer_block(changed), record)
    assert result.mismatch and result.step_accuracy is None
    assert result.score == 1.0  # 2 * 0.5: output right, no step credit


def test_mismatch_with_wrong_output_is_zero(records):
    record = records["loop"]
    assert score_combined(answer_block(["[0]", "-1"]), record).score == 0.0


def test_configurable_weights_gate_and_mismatch(records):
    record = records["loop"]
    answers = expected_answers(record)
    half_steps = list(answers)
    n = len(answers) - 1
    for i in range(1, n // 2 + 1):
        half_steps[i] = "wrong"
    acc = (n - n // 2) / n
    text = answer_block(half_steps)
    cfg = RewardConfig(scale=1.0, output_weight=0.2, step_weight=0.8)
    assert score_combined(text, record, cfg).score == pytest.approx(0.2 + 0.8 * acc)
    no_gate = RewardConfig(gate_on_output=False)
    wrong_output = _with(answers, 0, "[0]")
    assert score_combined(wrong_output, record, no_gate).score == pytest.approx(1.0)
    strict = RewardConfig(mismatch_fraction=0.0)
    assert score_combined(answer_block(answers[:-1]), record, strict).score == 0.0


def test_output_only_ablation(records):
    record = records["loop"]
    answers = expected_answers(record)
    cfg = RewardConfig(output_only=True)
    assert score_combined(answer_block(answers[:1]), record, cfg).score == 2.0
    assert score_combined(_with(answers, 3, "wrong"), record, cfg).score == 2.0
    assert score_combined(_with(answers, 0, "[0]"), record, cfg).score == 0.0


def test_single_question_prompts(records):
    record = records["helper"]
    by_kind = {q.kind: q for q in record.questions}
    assert score_question("<answer>Yes</answer>", record, by_kind["coverage"]).score == 1.0
    assert score_question("<answer>No</answer>", record, by_kind["coverage"]).score == 0.0
    state = by_kind["state"]
    right = score_question(f"<answer>{state.answer}</answer>", record, state)
    assert right.score == 1.0 and right.task == "state"
    assert score_question("no\nanswer", record, state).status == "no_answer"
    assert score_question("<answer>1</answer>", record, by_kind["input"]).status == "bad_task"


def test_single_output_task(records):
    record = records["helper"]
    assert score_output("<answer>\n({'XYZ', 'ABCD'},\n {'ab': 2, 'abcd': 1, 'xyz': 1})\n</answer>",
                        record).score == 2.0
    assert score_output("<answer>({'XYZ'}, {})</answer>", record).score == 0.0


@pytest.mark.parametrize("answer, right", [
    ("[1, 5, 3], 2", True),
    ("[1, 3, 5], 2", False),  # another order gives [1, 6, 10]
    ("[1, 5, 3], k=2", True),
    ("f([1, 5, 3], 2)", True),
    ("assert f([1, 5, 3], 2) == [1, 10, 6]", True),
    ("assert f([1, 5, 3], 2) == [0]", False),  # claims another output
    ("(1, 5, 3), 2", True),  # any arguments that reproduce the output
    ("[1, 5, 3],\n2", True),
    ("[1, 5, 3]", False),  # TypeError: missing k
    ("'abc', 2", False),  # TypeError inside f
])
def test_input_task(records, sandbox, answer, right):
    result = score_input(f"<reasoning>r</reasoning><answer>\n{answer}\n</answer>",
                         records["loop"], sandbox=sandbox)
    assert result.ok
    assert result.score == (2.0 if right else 0.0), result.detail


def test_input_batch_runs_duplicates_once_and_keeps_order(records, sandbox):
    record = records["unreached"]
    pairs = [("<answer>'abc'</answer>", record), ("<answer>'x'</answer>", record),
             ("<answer>'abc'</answer>", record), ("no answer here\nat all", record)]
    results = score_inputs(pairs, sandbox=sandbox)
    assert [r.score for r in results] == [2.0, 0.0, 2.0, 0.0]
    assert results[3].status == "no_answer"


def test_input_that_runs_forever_scores_zero(sandbox):
    from execverify.data.records import Question, Record

    record = Record(id="spin", level=1, source="test", program="def f(n):\n    while n:\n"
                    "        pass\n    return 0\n", entry="f", args="0", output="0",
                    questions=(Question(kind="input", answers=("0",)),))
    cfg = RewardConfig(input_timeout_s=0.5)
    assert score_input("<answer>0</answer>", record, cfg, sandbox=sandbox).score == 2.0
    slow = score_input("<answer>1</answer>", record, cfg, sandbox=sandbox)
    assert slow.score == 0.0 and slow.ok and "timeout" in slow.detail


def test_score_batch_dispatches_tasks(records, sandbox):
    record = records["loop"]
    out = score_batch([expected_completion(record), "<answer>[1, 10, 6]</answer>",
                       "<answer>[1, 5, 3], 2</answer>", "x"],
                      [record, record.to_json(), record.to_dict(), record],
                      ["combined", "output", "input", "nonsense"], sandbox=sandbox)
    assert [r.score for r in out] == [2.0, 2.0, 2.0, 0.0]
    assert out[3].status == "bad_task"
    assert score_completion("<answer>[1, 10, 6]</answer>", record, "output").score == 2.0
    with pytest.raises(ValueError, match="as many"):
        score_batch(["a"], [], "combined")


def test_bad_records_are_a_status_not_an_exception():
    for record in ("{not json", {"id": "x"}, 42, None):
        result = score_combined("<answer>1</answer>", record)
        assert result.status == "bad_record" and result.score == 0.0


def test_sandbox_failure_is_reported_not_silent(records):
    from execverify.rewards.inputs import RUN_CACHE
    from execverify.sandbox import Sandbox

    RUN_CACHE.clear()
    closed = Sandbox(workers=1)
    closed.close()
    result = score_input("<answer>'zz'</answer>", records["unreached"], sandbox=closed)
    assert result.status == "sandbox_error" and result.score == 0.0


def test_result_serialises_and_summarises(records):
    result = score_combined(expected_completion(records["loop"]), records["loop"])
    data = result.to_dict()
    assert data["score"] == 2.0 and data["breakdown"][0]["kind"] == "output"
    summary = summarise([result, score_combined("", records["loop"])])
    assert summary == {"score_mean": 1.0, "status_no_answer": 0.5, "status_ok": 0.5,
                       "output_gate": 0.5, "gated_step_accuracy": 1.0}
    wrong = score_combined("<answer>\n-12345\n</answer>", records["loop"])
    assert summarise([wrong])["output_gate"] == 0.0 and "gated_step_accuracy" not in summarise(
        [wrong])
    assert "output_gate" not in summarise([score_input("", records["loop"])])


@pytest.mark.parametrize("kwargs, fragment", [
    ({"scale": 0}, "scale"),
    ({"output_weight": -1}, "output_weight"),
    ({"output_weight": 0, "step_weight": 0}, "output_weight + step_weight"),
    ({"mismatch_fraction": 1.5}, "mismatch_fraction"),
    ({"max_answer_chars": 0}, "max_answer_chars"),
    ({"input_timeout_s": 0}, "input_timeout_s"),
    ({"input_memory_mb": 10}, "input_memory_mb"),
    ({"output_only": "yes"}, "output_only"),
])
def test_config_rules(kwargs, fragment):
    with pytest.raises(ValueError, match="RewardConfig") as info:
        RewardConfig(**kwargs)
    assert fragment in str(info.value)
