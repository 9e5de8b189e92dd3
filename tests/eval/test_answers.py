import pytest

from execverify.eval.answers import (
    cruxeval_input_answer,
    cruxeval_output_answer,
    extract_answer_block,
    lcb_execution_answer,
)


@pytest.mark.parametrize(("completion", "cot", "answer"), [
    # direct prompts end with [ANSWER]; the model writes the assertion
    ("assert f('a') == 'ab'\n", False, "'ab'"),
    ("assert f(1) == [1, 2]", False, "[1, 2]"),
    ("'ab'", False, "'ab'"),  # a bare answer passes through
    # the official code keeps the text between the first and second "=="
    ("assert f(1) == 'a==b'", False, "'a"),
    # chain of thought: only what follows [ANSWER] counts
    ("[/THOUGHT]\n[ANSWER]\nassert f(2) == 4\n", True, "4"),
    ("think f(2) == 3 ... [ANSWER]\nassert f(2) == 4", True, "4"),
    ("assert f(2) == 4\n[/ANSWER]\nextra", False, "4"),
])
def test_cruxeval_output_answer(completion, cot, answer):
    assert cruxeval_output_answer(completion, cot) == answer


@pytest.mark.parametrize(("completion", "cot", "answer"), [
    ("assert f('abc', 2) == 'c'\n", False, "f('abc', 2)"),
    ("f([1, 2])", False, "f([1, 2])"),
    ("[THOUGHT]x[/THOUGHT]\n[ANSWER]\nassert f(16) == 17", True, "f(16)"),
])
def test_cruxeval_input_answer(completion, cot, answer):
    assert cruxeval_input_answer(completion, cot) == answer


def test_lcb_execution_answer_keeps_first_line_without_close_tag():
    assert lcb_execution_answer("assert g(x = 1) == 2\nmore text", cot=False) == "2"
    assert lcb_execution_answer("[ANSWER]\nassert g(x = 1) == 2\n[/ANSWER]", cot=True) == "2"


def test_answer_block():
    assert extract_answer_block("[THOUGHT]t[/THOUGHT]\n[ANSWER]\nYES\n[/ANSWER]") == "YES"
    assert extract_answer_block("NO") == "NO"
