"""Prompts for REval's four tasks, in REval's style: the program, the invocation, one question,
and the answer inside ``[ANSWER]`` / ``[/ANSWER]`` (chain of thought first inside ``[THOUGHT]``
/ ``[/THOUGHT]`` for the ``cot`` style). Path prompts number the lines, as REval's do.
"""

from __future__ import annotations

_INTRO = "You are given a Python program and an invocation of it."

_QUESTIONS = {
    "coverage": (
        "Is line {line} (`{codeline}`) executed during the invocation? Answer YES or NO."
    ),
    "state": (
        "What are the value and the type of `{var}` right after line {line} (`{codeline}`) "
        "is executed? If it runs several times, the value after any of its runs is right. "
        "Answer as `value; type` (for example `[1, 2]; list`), or Nil if line {line} is never "
        "executed."
    ),
    "path": (
        "Which line is executed immediately after line {line} (`{codeline}`)? If it runs "
        "several times, the line after any of its runs is right. Answer with the source code "
        "of that line, or -1 if line {line} is the last line executed or is never executed."
    ),
    "output": (
        "Complete the code below by replacing every ?? with the literal value (no function "
        "calls, no unsimplified expressions) that makes it pass. Answer with the completed "
        "code, without the program."
    ),
}

_DIRECT_TAIL = "Give only the answer, inside [ANSWER] and [/ANSWER] tags.\n[ANSWER]\n"
_COT_TAIL = (
    "First reason about the execution step by step inside [THOUGHT] and [/THOUGHT] tags, then "
    "give the answer inside [ANSWER] and [/ANSWER] tags.\n[THOUGHT]\n"
)


def numbered(code: str) -> str:
    """REval's numbering for path prompts: ``<n>\\t<line>``."""
    return "\n".join(f"{i}\t{line}" for i, line in enumerate(code.split("\n"), start=1))


def render_reval_prompt(
    task: str,
    *,
    code: str,
    invocation: str,
    cot: bool,
    line: int | None = None,
    codeline: str = "",
    var: str | None = None,
    template: str = "",
) -> str:
    """One REval question as a completion prompt ending where the answer (or thought) starts."""
    shown = numbered(code) if task == "path" else code
    question = _QUESTIONS[task].format(line=line, codeline=codeline.strip(), var=var)
    if task == "output":
        body = f"[PYTHON]\n{shown}\n[/PYTHON]\n{question}\n[CODE]\n{template}\n[/CODE]\n"
    else:
        body = (f"[PYTHON]\n{shown}\n[/PYTHON]\nInvocation:\n[INVOCATION]\n{invocation}\n"
                f"[/INVOCATION]\n{question}\n")
    return f"{_INTRO}\n\n{body}{_COT_TAIL if cot else _DIRECT_TAIL}"
