"""Prompt wordings by name: the compact one asks the same questions in fewer words, and what
counts as right does not depend on the wording."""

from __future__ import annotations

import pytest

from execverify.rewards import score_batch
from execverify.tasks import TaskConfig, build_record, expected_completion, get_task
from execverify.tasks.prompts import COMPACT_TEMPLATES, TEMPLATE_SETS, templates_named

PROGRAM = ("def f(xs):\n    total = 0\n    for x in xs:\n        if x > 1:\n"
           "            total += x\n    return total\n")


@pytest.fixture(scope="module")
def record():
    return build_record(PROGRAM, "f", "[1, 2, 3]", level=1, source="builtin", id="t",
                        config=TaskConfig())


def test_compact_asks_every_question_in_fewer_words(record):
    method = get_task("combined").prompt(record)
    compact = get_task("combined", "compact").prompt(record)
    assert len(compact) < 0.75 * len(method)
    questions = get_task("combined").questions(record)
    assert len(questions) > 3 and get_task("combined", "compact").questions(record) == questions
    for n in range(1, len(questions) + 1):
        assert f"\n{n}. " in compact
    assert "f([1, 2, 3])" in compact and "6 | " in compact  # the call, the numbered lines


def test_the_input_prompt_does_not_give_the_arguments_away(record):
    prompt = get_task("input", "compact").prompt(record)
    assert "[1, 2, 3]" not in prompt and "f(??) == 5" in prompt


def test_a_perfect_answer_scores_full_whatever_the_wording(record):
    result = score_batch([expected_completion(record)], [record], ["combined"])[0]
    assert result.score == get_task("combined").best_score()


def test_the_default_task_is_the_method_wording_and_names_are_checked(record):
    assert get_task("combined", "method") is get_task("combined")
    assert templates_named("compact") is COMPACT_TEMPLATES
    assert set(TEMPLATE_SETS) == {"method", "compact"}
    assert get_task("codegen", "compact") is get_task("codegen")  # no record prompt to word
    with pytest.raises(ValueError, match="compact"):
        get_task("combined", "terse")
