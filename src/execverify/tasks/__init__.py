"""White-box questions built from traces, their selection policy, prompt rendering, and the task
registry (``get_task``: what each task kind asks and how it is scored, ``registry.py``).

Typical use::

    from execverify.tasks import build_record, render_combined, expected_completion
    rec = build_record(program, "f", "[1, 2]", level=3, source="builtin", id="p0", seed=7)
    prompt = render_combined(rec)            # the method's combined prompt
    target = expected_completion(rec)        # what a perfect answer looks like
"""

from execverify.tasks.answers import (
    END,
    NIL,
    NO,
    YES,
    canonical_repr,
    parse_state_answer,
    state_answer,
)
from execverify.tasks.build import build_record
from execverify.tasks.features import program_features
from execverify.tasks.lines import ProgramLines
from execverify.tasks.prompts import (
    DEFAULT_TEMPLATES,
    PromptTemplates,
    answer_block,
    as_chat,
    combined_questions,
    expected_answers,
    expected_completion,
    expected_single_completion,
    number_lines,
    record_question_text,
    render_combined,
    render_single,
)
from execverify.tasks.questions import (
    coverage_question,
    input_question,
    next_statement_question,
    output_question,
    path_question,
    state_question,
)
from execverify.tasks.registry import (
    Task,
    find_task,
    get_task,
    register_task,
    task_names,
    unregister_task,
)
from execverify.tasks.selection import DEFAULT_TASK_CONFIG, TaskConfig, select_questions

__all__ = [
    "DEFAULT_TASK_CONFIG",
    "DEFAULT_TEMPLATES",
    "END",
    "NIL",
    "NO",
    "YES",
    "ProgramLines",
    "PromptTemplates",
    "Task",
    "TaskConfig",
    "answer_block",
    "as_chat",
    "build_record",
    "canonical_repr",
    "combined_questions",
    "coverage_question",
    "expected_answers",
    "expected_completion",
    "expected_single_completion",
    "find_task",
    "get_task",
    "input_question",
    "next_statement_question",
    "number_lines",
    "output_question",
    "parse_state_answer",
    "path_question",
    "program_features",
    "record_question_text",
    "register_task",
    "render_combined",
    "render_single",
    "select_questions",
    "state_answer",
    "state_question",
    "task_names",
    "unregister_task",
]
