"""From a program call to a finished ``Record``: trace it, measure it, ask about it."""

from __future__ import annotations

import ast

from execverify.data.records import Record
from execverify.tasks.answers import canonical_repr
from execverify.tasks.features import program_features
from execverify.tasks.lines import ProgramLines
from execverify.tasks.prompts import DEFAULT_TEMPLATES, PromptTemplates
from execverify.tasks.questions import with_texts
from execverify.tasks.selection import DEFAULT_TASK_CONFIG, TaskConfig, select_questions
from execverify.trace.model import Trace


def build_record(
    program: str,
    entry: str,
    args: str,
    *,
    level: int,
    source: str,
    id: str,
    config: TaskConfig = DEFAULT_TASK_CONFIG,
    seed: int = 0,
    trace: Trace | None = None,
    templates: PromptTemplates = DEFAULT_TEMPLATES,
    tree: ast.Module | None = None,
) -> Record:
    """A record for ``entry(args)`` in ``program`` with its features and selected questions.

    Traces the call through the shared sandbox pool unless ``trace`` is given (pass one when
    tracing in batches); ``tree`` is the program already parsed, if the caller has it. Raises
    ``ValueError`` when the call did not finish normally: questions about a failed or
    truncated run would have no checkable answers.
    """
    if trace is None:
        from execverify.trace import trace_call  # the sandbox pool starts only when needed

        trace = trace_call(program, entry, args)
    if not trace.ok or trace.output is None:
        raise ValueError(
            f"record {id!r}: the call {entry}({args}) did not finish normally "
            f"(status {trace.status!r}: {trace.error or trace.output}); only calls that return "
            "can become records. Filter such programs out before building records."
        )
    output = canonical_repr(trace.output)
    if tree is None:
        tree = ast.parse(program)  # shared by the line analysis and the features
    lines = ProgramLines.parse(program, tree)
    questions = select_questions(lines, trace, args=args, output=output, config=config, seed=seed)
    return Record(
        id=id,
        level=level,
        source=source,
        program=program,
        entry=entry,
        args=args,
        output=output,
        features=program_features(program, entry, steps=len(trace.steps), tree=tree),
        questions=tuple(
            with_texts(questions, entry=entry, args=args, output=output, templates=templates)
        ),
    )
