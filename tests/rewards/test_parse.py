"""Completion parsing: what is tolerated, what is rejected and with which status."""

from __future__ import annotations

import pytest

from execverify.rewards.parse import completion_text, parse_completion

ACCEPTED = [
    # (completion, expected answers)
    ("<reasoning>r</reasoning><answer>\n1\n2\n</answer>", ("1", "2")),
    ("<answer>1\n2</answer>", ("1", "2")),  # no reasoning block
    ("<think>hm</think>\n<answer>1</answer>", ("1",)),  # <think> counts as reasoning
    ("<reasoning>r</reasoning>\n<answer>\n```python\n[1, 2]\nx = 1\n```\n</answer>",
     ("[1, 2]", "x = 1")),  # code fences
    ("<answer>\n   1   \n\n\n  2\t\n</answer>", ("1", "2")),  # stray whitespace, blank lines
    ("<answer>\nAnswer: [1, 2]\nFinal answer: -1\n</answer>", ("[1, 2]", "-1")),  # prefixes
    ("<answer>\n1. [1, 2]\n2. -1\n3) Nil\n</answer>", ("[1, 2]", "-1", "Nil")),  # numbering
    ("<answer>\n`x = 1`\n</answer>", ("x = 1",)),  # backticks
    ("<reasoning>r</reasoning><answer>\n1\n2", ("1", "2")),  # unclosed final answer tag
    ("<reasoning>r</reasoning>\n1\n2\n", ("1", "2")),  # answers after reasoning, no tags
    ("[1, 2]", ("[1, 2]",)),  # a single line, no tags
    ("Answer: [1, 2]", ("[1, 2]",)),
    ("< Answer >\n5\n< /ANSWER >", ("5",)),  # tag case and inner spaces
    ("<answer>\n5\n</answer><|im_end|>", ("5",)),  # chat special tokens
    ("<answer>\n5<|im_end|>\n</answer>", ("5",)),
    ("<answer>1</answer>\n<answer>1</answer>", ("1",)),  # repeated blocks that agree
    ("thinking...</reasoning>\n<answer>7</answer>", ("7",)),  # prompt opened the reasoning
    ("<reasoning>try <answer>9</answer></reasoning><answer>7</answer>", ("7",)),
]


@pytest.mark.parametrize("completion, answers", ACCEPTED)
def test_accepted(completion, answers):
    parsed = parse_completion(completion)
    assert parsed.ok, parsed
    assert parsed.answers == answers


REJECTED = [
    (None, "not_text"),
    (b"<answer>1</answer>", "not_text"),
    (12, "not_text"),
    ("x" * 200_001, "too_long"),
    ("", "no_answer"),
    ("line one\nline two", "no_answer"),  # no tags and not a single line
    ("<reasoning>I think <answer>5</answer> is right", "unclosed_reasoning"),
    ("<reasoning>the answer is 5</reasoning>", "no_answer"),  # answer only inside reasoning
    ("<reasoning><answer>5</answer></reasoning>", "no_answer"),
    ("<answer>1</answer><answer>2</answer>", "multiple_answers"),  # hedging
    ("<answer>\n\n  \n</answer>", "empty_answer"),
    ("<answer>```\n```</answer>", "empty_answer"),
    ("<answer>" + "1\n" * 300 + "</answer>", "too_many_lines"),
    ("5</reasoning>", "no_answer"),  # everything before a stray close is reasoning
]


@pytest.mark.parametrize("completion, status", REJECTED)
def test_rejected(completion, status):
    parsed = parse_completion(completion, max_chars=200_000)
    assert parsed.status == status, parsed
    assert parsed.answers == ()


def test_numbering_is_kept_unless_every_line_is_numbered_in_order():
    parsed = parse_completion("<answer>\n1. a\n3. b\n</answer>")
    assert parsed.answers == ("1. a", "3. b")
    assert parse_completion("<answer>\n-1\n2. b\n</answer>").answers == ("-1", "2. b")


def test_completion_text_reads_chat_messages():
    assert completion_text([{"role": "assistant", "content": "hi"}]) == "hi"
    assert completion_text({"role": "assistant", "content": "x"}) == "x"
    assert completion_text([{"role": "user", "content": "q"}]) is None
    assert completion_text([1, 2]) is None
    assert completion_text(object()) is None


def test_chat_completion_is_parsed():
    parsed = parse_completion([{"role": "assistant", "content": "<answer>3</answer>"}])
    assert parsed.answers == ("3",)
