from __future__ import annotations

from dataclasses import replace

import pytest

from execverify.data.records import Question, Record
from execverify.tasks.prompts import (
    DEFAULT_TEMPLATES,
    PromptTemplates,
    answer_block,
    as_chat,
    combined_questions,
    expected_answers,
    expected_completion,
    number_lines,
    ordinal,
    record_question_text,
    render_combined,
    render_single,
)

PROGRAM = "def f(x):\n    y = x + 1\n    if y > 2:\n        y = 0\n    return y\n"


def record() -> Record:
    return Record(
        id="r1",
        level=3,
        source="builtin",
        program=PROGRAM,
        entry="f",
        args="1",
        output="2",
        features={},
        questions=(
            Question(kind="input", answers=("1",)),
            Question(kind="state", line=2, hit=1, var="y", answers=("2; int",)),
            Question(kind="output", answers=("2",)),
            Question(kind="next_statement", line=3, hit=1, answers=("return y", "5")),
            Question(kind="coverage", line=4, answers=("No",)),
        ),
    )


def test_number_lines_right_aligns():
    text = number_lines("\n".join(f"x{i}" for i in range(1, 11)) + "\n")
    assert text.splitlines()[0] == " 1 | x1"
    assert text.splitlines()[-1] == "10 | x10"


@pytest.mark.parametrize(
    ("n", "s"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                 (13, "13th"), (21, "21st"), (102, "102nd"), (111, "111th")],
)
def test_ordinal(n, s):
    assert ordinal(n) == s


def test_combined_asks_output_first_then_record_order_and_never_input():
    rec = record()
    kinds = [q.kind for q in combined_questions(rec)]
    assert kinds == ["output", "state", "next_statement", "coverage"]
    prompt = render_combined(rec)
    assert "1 | def f(x):" in prompt and "5 |     return y" in prompt
    assert "`f(1)`" in prompt
    first, second, third = (prompt.index(f"\n{i}. ") for i in (1, 2, 3))
    assert first < second < third
    assert "assert f(1) == ??" in prompt[first:second]
    assert "`y`" in prompt[second:third] and "line 2" in prompt[second:third]
    assert "4 questions" in prompt
    assert "<reasoning>" in prompt and "<answer>" in prompt
    assert "assert f(??)" not in prompt


def test_expected_completion_has_one_canonical_answer_per_line():
    rec = record()
    assert expected_answers(rec) == ["2", "2; int", "return y", "No"]
    completion = expected_completion(rec, reasoning="y is 2")
    assert completion == (
        "<reasoning>\ny is 2\n</reasoning>\n<answer>\n2\n2; int\nreturn y\nNo\n</answer>"
    )


def test_answer_block_rejects_multiline_answers():
    with pytest.raises(ValueError, match="one line"):
        answer_block(["a\nb"])


def test_single_prompts_for_every_kind():
    rec = record()
    for q in rec.questions:
        prompt = render_single(rec, q)
        assert record_question_text(rec, q) in prompt
        numbered = "1 | def f(x):" in prompt
        assert numbered == (q.kind not in ("output", "input"))
    input_prompt = render_single(rec, rec.questions[0])
    assert "assert f(??) == 2" in input_prompt


def test_question_text_uses_ordinals_and_run_counts():
    rec = record()
    q = Question(kind="state", line=4, hit=3, var="y", answers=("Nil",))
    text = record_question_text(rec, q)
    assert "at least 3 times" in text and "3rd time" in text and "fewer than 3 times" in text
    q1 = Question(kind="next_statement", line=4, hit=1, answers=("-1",))
    assert "never runs" in record_question_text(rec, q1)


def test_chat_form():
    msgs = as_chat("hello")
    assert [m["role"] for m in msgs] == ["system", "user"]
    assert msgs[1]["content"] == "hello"
    assert as_chat("hi", replace(DEFAULT_TEMPLATES, system="")) == [
        {"role": "user", "content": "hi"}
    ]


def test_templates_can_be_replaced():
    custom = replace(
        DEFAULT_TEMPLATES,
        line="$n: $text",
        combined="PROGRAM\n$numbered_program\nQ:\n$questions\nCALL $call",
        question_item="[$n] $question",
        q_output="What is $call? Costs $$0.",
    )
    prompt = render_combined(record(), custom)
    assert prompt.startswith("PROGRAM\n1: def f(x):\n")
    assert "[1] What is f(1)? Costs $0." in prompt
    assert prompt.endswith("CALL f(1)")


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("combined", "$numbered_program $questions $bogus", "unknown fields \\['bogus'\\]"),
        ("q_state", "value of $var?", "must contain \\['\\$line'\\]"),
        ("combined", "$numbered_program", "must contain \\['\\$questions'\\]"),
        ("line", "$n $text $", "not a valid string.Template"),
        ("system", "$call", "no fields"),
    ],
)
def test_template_validation(field, text, message):
    with pytest.raises(ValueError, match=message):
        PromptTemplates(**{field: text})


def test_record_without_askable_questions_is_refused():
    rec = replace(record(), questions=(Question(kind="input", answers=("1",)),))
    with pytest.raises(ValueError, match="no output or white-box"):
        render_combined(rec)
