"""Prompt rendering: the method's combined prompt, single-question prompts, chat messages, and the
expected completion.

Every piece of wording lives in ``PromptTemplates`` as a ``string.Template`` (``$name`` fields),
so a user can swap any of it with ``dataclasses.replace(DEFAULT_TEMPLATES, combined=...)``; the
templates are checked up front so a misspelt field fails when the templates are made, not in the
middle of an export.

The combined prompt asks the output question first, then the record's other white-box questions
in record order (``combined_questions``); the model answers inside
``<reasoning>...</reasoning><answer>...</answer>`` with one answer per line. Rewards use
``combined_questions`` and ``expected_completion`` from here, so prompt and scorer cannot drift.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from string import Template

from execverify.data.records import Question, Record

# Placeholders each template may use. Question templates share one vocabulary.
_QUESTION_FIELDS = frozenset(
    {"call", "entry", "args", "output", "line", "hit", "ordinal", "var", "not_reached", "times"}
)
_ALLOWED = {
    "system": frozenset(),
    "line": frozenset({"n", "text"}),
    "combined": frozenset({"numbered_program", "program", "call", "questions", "count"}),
    "question_item": frozenset({"n", "question"}),
    "single_code": frozenset({"numbered_program", "program", "call", "question"}),
    "single_lines": frozenset({"numbered_program", "program", "call", "question"}),
    "answer_block": frozenset({"reasoning", "answers"}),
}
_REQUIRED = {
    "line": {"n", "text"},
    "combined": {"questions"},
    "question_item": {"question"},
    "single_code": {"question"},
    "single_lines": {"question"},
    "answer_block": {"answers"},
    "q_next_statement": {"line"},
    "q_state": {"line", "var"},
    "q_coverage": {"line"},
    "q_path": {"line"},
}

ANSWER_FORMAT = (
    "Think step by step inside <reasoning>...</reasoning>, then give your final answers inside "
    "<answer>...</answer>, one answer per line, in the order of the questions, without numbering."
)


@dataclass(frozen=True)
class PromptTemplates:
    """All prompt wording. Fields are ``string.Template`` strings; write ``$$`` for a dollar."""

    system: str = (
        "You are an expert Python programmer. You reason carefully, line by line, about how a "
        "program executes."
    )
    line: str = "$n | $text"
    combined: str = (
        "Here is a Python program with line numbers:\n\n```python\n$numbered_program\n```\n\n"
        "Consider the call `$call`. Answer the following $count questions about its execution.\n"
        "$questions\n\n" + ANSWER_FORMAT
    )
    question_item: str = "$n. $question"
    single_code: str = (
        "Here is a Python program:\n\n```python\n$program\n```\n\n$question\n\n"
        "Think step by step inside <reasoning>...</reasoning>, then give your final answer "
        "inside <answer>...</answer>."
    )
    single_lines: str = (
        "Here is a Python program with line numbers:\n\n```python\n$numbered_program\n```\n\n"
        "Consider the call `$call`. $question\n\n"
        "Think step by step inside <reasoning>...</reasoning>, then give your final answer "
        "inside <answer>...</answer>."
    )
    answer_block: str = "<reasoning>\n$reasoning\n</reasoning>\n<answer>\n$answers\n</answer>"
    q_output: str = (
        "Output: complete the assertion `assert $call == ??` with the literal value the call "
        "returns."
    )
    q_input: str = (
        "Input: find arguments for which the assertion `assert $entry(??) == $output` passes. "
        "Answer with the arguments as Python literals separated by commas, as they would appear "
        "between the parentheses."
    )
    q_next_statement: str = (
        "Next statement: which line runs immediately after line $line has run for the $ordinal "
        "time? Answer with the source text of that line, or -1 if execution ends there or line "
        "$line $not_reached."
    )
    q_state: str = (
        "State: is line $line executed $times? If so, what are the value and the type of `$var` "
        "right after line $line has run for the $ordinal time? Answer as `value; type` "
        "(for example `[1, 2]; list`), or Nil if line $line $not_reached."
    )
    q_coverage: str = "Coverage: is line $line executed during the call? Answer Yes or No."
    q_path: str = (
        "Path: which line runs next after line $line? If it runs more than once, the line after "
        "any of its runs is right. Answer with the line number, or -1 if execution ends after it "
        "or it never runs."
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            text = getattr(self, f.name)
            if not isinstance(text, str):
                raise TypeError(f"PromptTemplates.{f.name} must be a string; got {text!r}.")
            template = Template(text)
            if not template.is_valid():
                raise ValueError(
                    f"PromptTemplates.{f.name} is not a valid string.Template: {text!r}. "
                    "Write $$ for a literal dollar sign."
                )
            allowed = _ALLOWED.get(f.name, _QUESTION_FIELDS)
            used = set(template.get_identifiers())
            unknown = used - allowed
            if unknown:
                raise ValueError(
                    f"PromptTemplates.{f.name} uses unknown fields {sorted(unknown)}; "
                    f"it may use {sorted(allowed) or 'no fields'}."
                )
            missing = _REQUIRED.get(f.name, set()) - used
            if missing:
                raise ValueError(
                    f"PromptTemplates.{f.name} must contain {sorted('$' + m for m in missing)} "
                    "so the prompt stays answerable."
                )


DEFAULT_TEMPLATES = PromptTemplates()

_COMPACT_ANSWER = ("Reason inside <reasoning>...</reasoning>, then answer inside "
                   "<answer>...</answer>")
COMPACT_TEMPLATES = PromptTemplates(
    combined=("```python\n$numbered_program\n```\nCall: `$call`\n$questions\n"
              + _COMPACT_ANSWER + ", one line per question, in order."),
    single_code="```python\n$program\n```\n$question\n" + _COMPACT_ANSWER + ".",
    single_lines=("```python\n$numbered_program\n```\nCall: `$call`\n$question\n"
                  + _COMPACT_ANSWER + "."),
    q_output="Output: the literal value `$call` returns.",
    q_input=("Input: arguments for which `$entry(??) == $output`, as Python literals separated "
             "by commas."),
    q_next_statement=("Next statement after line $line's $ordinal run: its source text, or -1 "
                      "(execution ends, or no such run)."),
    q_state="State: `$var` after line $line's $ordinal run, as `value; type`, or Nil if no such run.",
    q_coverage="Coverage: does line $line run? Yes or No.",
    q_path="Path: the line number run next after line $line, or -1.",
)
"""The same questions in about two thirds of the prompt tokens (a combined prompt of the demo's
level 1-2 records: median 256 tokens against 382 in the method's wording, SmolLM2's tokenizer,
chat template included), for CPU recipes, where every prompt token is paid for in each GRPO
forward and backward pass.
The answer format (``answer_block``) and what counts as right are the method's."""

TEMPLATE_SETS: dict[str, PromptTemplates] = {"method": DEFAULT_TEMPLATES,
                                             "compact": COMPACT_TEMPLATES}
"""Prompt wordings by the name recipes use (``templates: compact``)."""


def templates_named(name: str | PromptTemplates) -> PromptTemplates:
    """The template set called ``name`` (a ``PromptTemplates`` is returned as it is)."""
    if isinstance(name, PromptTemplates):
        return name
    if name not in TEMPLATE_SETS:
        raise ValueError(f"unknown prompt templates {name!r}; use one of {list(TEMPLATE_SETS)}")
    return TEMPLATE_SETS[name]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def call_text(entry: str, args: str) -> str:
    """The call as source: ``f([1, 2], 'x')``."""
    return f"{entry}({args})"


def number_lines(program: str, templates: PromptTemplates = DEFAULT_TEMPLATES) -> str:
    """The program with 1-based line numbers, right-aligned so the code stays aligned."""
    lines = program.rstrip("\n").splitlines()
    width = len(str(len(lines)))
    template = Template(templates.line)
    return "\n".join(
        template.substitute(n=str(i).rjust(width), text=text).rstrip()
        for i, text in enumerate(lines, start=1)
    )


def question_text(
    question: Question,
    *,
    entry: str,
    args: str,
    output: str,
    templates: PromptTemplates = DEFAULT_TEMPLATES,
) -> str:
    """The question sentence for ``question`` about the call ``entry(args)``."""
    hit = question.hit or 1
    values = {
        "call": call_text(entry, args),
        "entry": entry,
        "args": args,
        "output": output,
        "line": str(question.line),
        "hit": str(hit),
        "ordinal": ordinal(hit),
        "var": question.var or "",
        "times": _times(hit),
        "not_reached": "never runs" if hit == 1 else f"runs fewer than {hit} times",
    }
    return _format_string(getattr(templates, f"q_{question.kind}")).format_map(values)


def record_question_text(
    record: Record, question: Question, templates: PromptTemplates = DEFAULT_TEMPLATES
) -> str:
    return question_text(
        question, entry=record.entry, args=record.args, output=record.output, templates=templates
    )


def combined_questions(record: Record) -> list[Question]:
    """The questions of the combined prompt, in answer order: output first, then the other
    white-box questions (next statement, state, coverage, path) in record order.

    The input question is a separate task (its answer is checked by running the program), so it
    is never part of the combined prompt.
    """
    outputs = record.questions_of("output")
    others = [q for q in record.questions if q.kind not in ("output", "input")]
    return outputs[:1] + others


def render_combined(record: Record, templates: PromptTemplates = DEFAULT_TEMPLATES) -> str:
    """The method's combined prompt for a record (see ``combined_questions`` for the order)."""
    questions = combined_questions(record)
    if not questions:
        raise ValueError(f"record {record.id!r} has no output or white-box questions to ask.")
    item = Template(templates.question_item)
    listed = "\n".join(
        item.substitute(n=str(i), question=record_question_text(record, q, templates))
        for i, q in enumerate(questions, start=1)
    )
    return Template(templates.combined).substitute(
        numbered_program=number_lines(record.program, templates),
        program=record.program.rstrip("\n"),
        call=call_text(record.entry, record.args),
        questions=listed,
        count=str(len(questions)),
    )


def render_single(
    record: Record, question: Question, templates: PromptTemplates = DEFAULT_TEMPLATES
) -> str:
    """A prompt asking just ``question``: plain code for output/input, numbered lines otherwise."""
    template = templates.single_code if question.kind in ("output", "input") else (
        templates.single_lines
    )
    return Template(template).substitute(
        numbered_program=number_lines(record.program, templates),
        program=record.program.rstrip("\n"),
        call=call_text(record.entry, record.args),
        question=record_question_text(record, question, templates),
    )


def as_chat(prompt: str, templates: PromptTemplates = DEFAULT_TEMPLATES) -> list[dict[str, str]]:
    """Chat messages for instruction models: the system text (if any) and the prompt."""
    messages = []
    if templates.system:
        messages.append({"role": "system", "content": templates.system})
    messages.append({"role": "user", "content": prompt})
    return messages


def answer_block(
    answers: list[str], reasoning: str = "", templates: PromptTemplates = DEFAULT_TEMPLATES
) -> str:
    """``<reasoning>...</reasoning><answer>...</answer>`` with one answer per line."""
    for a in answers:
        if "\n" in a:
            raise ValueError(f"an answer must fit on one line; got {a!r}.")
    return Template(templates.answer_block).substitute(
        reasoning=reasoning, answers="\n".join(answers)
    )


def expected_answers(record: Record) -> list[str]:
    """The canonical answer of each combined-prompt question, in prompt order."""
    return [q.answer for q in combined_questions(record)]


def expected_completion(
    record: Record, reasoning: str = "", templates: PromptTemplates = DEFAULT_TEMPLATES
) -> str:
    """A completion that answers the combined prompt perfectly (for reward tests and SFT)."""
    return answer_block(expected_answers(record), reasoning, templates)


def expected_single_completion(
    question: Question, reasoning: str = "", templates: PromptTemplates = DEFAULT_TEMPLATES
) -> str:
    """A completion that answers a single-question prompt perfectly."""
    return answer_block([question.answer], reasoning, templates)


@functools.lru_cache(maxsize=64)
def _format_string(template: str) -> str:
    """A ``string.Template`` text as the ``str.format`` text that renders the same.

    Every record's every question is rendered: ``format_map`` does it in one call, where
    ``Template.substitute`` calls back into Python for each placeholder (twice the time).
    Placeholders are checked when a ``PromptTemplates`` is made; an invalid one fails here as
    it would in ``substitute``.
    """
    parts: list[str] = []
    end = 0
    for match in Template.pattern.finditer(template):
        parts.append(_braces_escaped(template[end:match.start()]))
        name = match.group("named") or match.group("braced")
        if name is not None:
            parts.append("{" + name + "}")
        elif match.group("escaped") is not None:
            parts.append("$")
        else:
            raise ValueError(f"invalid placeholder in template {template!r}")
        end = match.end()
    parts.append(_braces_escaped(template[end:]))
    return "".join(parts)


def _braces_escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _times(hit: int) -> str:
    if hit == 1:
        return "at all"
    if hit == 2:
        return "at least twice"
    return f"at least {hit} times"
