"""Question builders: one function per kind, from a program's lines and its trace to a
``Question`` carrying every accepted answer.

The builders decide only *answers*; which questions to ask is ``selection``'s job, and the
wording is ``prompts``'. Each builder can also be called directly, to ask about any location
(REval's benchmark questions are built this way).

Answer conventions (see ``execverify.tasks.answers`` for the strings):

- next statement: the stripped source text of the next line, then its line number; ``-1`` when
  execution ends right after the asked run or the line never runs that often;
- state: ``value; type`` after the asked run (sets in canonical order), ``Nil`` when the line
  never runs that often;
- coverage: ``Yes``/``No``;
- path: every line that follows some run of the line (number first, then text), ``-1`` if
  execution ends after one of its runs or it never runs (REval accepts any successor);
- output: the canonical repr of the result;
- input: the original arguments (any arguments reproducing the output are right; the reward
  runs them).
"""

from __future__ import annotations

from execverify.data.records import Question
from execverify.tasks.answers import (
    END,
    NIL,
    NO,
    YES,
    canonical_repr,
    state_answer,
)
from execverify.tasks.lines import ProgramLines
from execverify.tasks.prompts import DEFAULT_TEMPLATES, PromptTemplates, question_text
from execverify.trace.model import Step, Trace


def output_question(output: str) -> Question:
    """Fill ``assert f(args) == ??``; ``output`` is the repr of the call's result."""
    return Question(kind="output", answers=(canonical_repr(output),))


def input_question(args: str) -> Question:
    """Fill ``assert f(??) == output``; the original ``args`` are one right answer."""
    return Question(kind="input", answers=(args,))


def next_statement_question(
    lines: ProgramLines, trace: Trace, line: int, hit: int
) -> Question:
    """Which line runs right after the ``hit``-th run of ``line``?"""
    nxt = trace.next_line(line, hit)
    return Question(kind="next_statement", line=line, hit=hit, answers=_line_answers(lines, nxt))


def state_question(trace: Trace, line: int, hit: int, var: str) -> Question:
    """Value and type of ``var`` right after the ``hit``-th run of ``line``, or ``Nil``.

    Raises ``ValueError`` when the run happened but ``var`` is unbound then, or its recorded
    repr was capped: neither has a checkable answer.
    """
    if trace.hits(line) < hit:
        return Question(kind="state", line=line, hit=hit, var=var, answers=(NIL,))
    value = trace.state_after(line, hit, var)
    if value is None:
        raise ValueError(
            f"variable {var!r} is unbound after run {hit} of line {line}; ask about a variable "
            "that line's frame has bound."
        )
    if is_truncated(trace, line, hit, var):
        raise ValueError(
            f"the recorded value of {var!r} after run {hit} of line {line} was capped; raise "
            "the tracer's max_repr or ask about another variable."
        )
    return Question(kind="state", line=line, hit=hit, var=var, answers=(state_answer(canonical_repr(value[0]), value[1]),))


def coverage_question(trace: Trace, line: int) -> Question:
    """Is ``line`` executed during the call?"""
    return Question(kind="coverage", line=line, answers=(YES if trace.hits(line) else NO,))


def path_question(lines: ProgramLines, trace: Trace, line: int) -> Question:
    """Which line runs next after ``line``? Any line following one of its runs is right."""
    answers: list[str] = []
    for hit in range(1, trace.hits(line) + 1):
        nxt = trace.next_line(line, hit)
        spelled = (END,) if nxt is None else (str(nxt), lines.text(nxt))
        answers.extend(a for a in spelled if a and a not in answers)
    return Question(kind="path", line=line, answers=tuple(answers) or (END,))


def is_truncated(trace: Trace, line: int, hit: int, var: str) -> bool:
    """Whether the value ``state_after`` reports for ``var`` comes from a capped repr."""
    origin = _origin_step(trace, line, hit, var)
    return origin is not None and var in origin.truncated


def with_texts(
    questions: list[Question],
    *,
    entry: str,
    args: str,
    output: str,
    templates: PromptTemplates = DEFAULT_TEMPLATES,
) -> list[Question]:
    """The questions with their ``text`` rendered for the call ``entry(args)``.

    Built field by field rather than with ``dataclasses.replace``, which costs half as much
    again: this runs for every question of every synthesised record.
    """
    return [
        Question(kind=q.kind, answers=q.answers, line=q.line, hit=q.hit, var=q.var,
                 text=question_text(q, entry=entry, args=args, output=output,
                                    templates=templates))
        for q in questions
    ]


def _line_answers(lines: ProgramLines, line: int | None) -> tuple[str, ...]:
    """A line spelled as its stripped text and its number, or ``-1`` for none."""
    if line is None:
        return (END,)
    text = lines.text(line)
    return (text, str(line)) if text else (str(line),)


def _origin_step(trace: Trace, line: int, hit: int, var: str) -> Step | None:
    """The step whose changes (or entry arguments) supplied ``var``'s value after that run.

    Mirrors ``Trace.state_after``'s look-back through the same frame activation.
    """
    target = trace.step_at(line, hit)
    if target is None:
        return None
    steps = trace.steps
    pos = next(i for i, s in enumerate(steps) if s is target)
    for step in reversed(steps[: pos + 1]):
        if step.frame != target.frame:
            continue
        if var in step.changes or step.args is not None:
            return step
    return None
