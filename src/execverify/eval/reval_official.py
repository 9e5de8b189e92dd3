"""REval's official prompts and answer handling (the scoring process's side of ``mode:
official``; the sandbox's side, ground truth and state verdicts, is ``reval_trace``).

Reproduces, in our own code, what REval's ``evaluation.py`` (GitHub ``r-eval/REval``) does with
a model's response before judging it, and how it builds each prompt from its templates
(shipped unchanged in ``data/reval/prompts/``): the invocation line ``f(args)`` (the input with
its last two characters, ``,)``, replaced by ``)``), the ClassEval set-up shown as comments
(the raw source of ``setUp`` with the ``def`` line dropped, joined by ``\\n# ``), line-numbered
code for HumanEval path questions only, and the output prelude for ClassEval.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from typing import Any

from execverify.eval.reval_programs import RevalProblem, test_case
from execverify.eval.reval_trace import ERROR
from execverify.eval.sources import DATA_DIR

PROMPT_DIR = DATA_DIR / "reval" / "prompts"
SETUP_HEAD = "\n# setup code executed previously\n"
OUTPUT_PRELUDE = "\n# Test code starts here. Only write the completed test code in your answer.\n"
UNITTEST_SETUP_DOC = "Hook method for setting up the test fixture"


@functools.cache
def template(task: str, cot: bool) -> str:
    return (PROMPT_DIR / f"{'cot' if cot else 'direct'}_{task}.txt").read_text()


# -- prompts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestCase:
    """A ClassEval input: the test class REval keeps, its first test method, and the raw
    source of the ``setUp`` it runs (``None`` when it inherits ``unittest``'s)."""

    class_name: str
    method: str
    setup_source: str | None


def class_test_case(problem: RevalProblem, input_idx: int) -> TestCase:
    class_name, method, _ = test_case(problem, input_idx)
    return TestCase(class_name, method, setup_source(problem.test or "", class_name))


def setup_source(test_code: str, class_name: str) -> str | None:
    """``inspect.getsource(cls.setUp)`` as REval reads it: the lines of the ``setUp`` the
    class defines or inherits from a class of the same test file (decorators included), each
    with its newline; None when only ``unittest.TestCase`` defines it."""
    tree = ast.parse(test_code)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    lines = test_code.splitlines(keepends=True)
    seen: set[str] = set()
    pending = [class_name]
    while pending:
        name = pending.pop(0)
        node = classes.get(name)
        if node is None or name in seen:
            continue
        seen.add(name)
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "setUp":
                start = min([item.lineno] + [d.lineno for d in item.decorator_list])
                return "".join(lines[start - 1:item.end_lineno])
        pending.extend(b.id for b in node.bases if isinstance(b, ast.Name))
    return None


def setup_comment(case: TestCase, hashed_first: bool) -> str:
    """REval's set-up block: coverage and state prompts omit the ``# `` before the first line,
    path and output prompts have it (REval builds the two differently)."""
    source = case.setup_source
    if source is None:
        return ""
    body = "\n# ".join(source.split("\n")[1:])
    text = SETUP_HEAD + ("# " if hashed_first else "") + body
    return "" if UNITTEST_SETUP_DOC in text else text


def render(task: str, problem: RevalProblem, input_idx: int, *, cot: bool,
           line: int | None = None, var: str | None = None, output_template: str = "") -> str:
    """REval's prompt for one question, exactly as its ``evaluation.py`` builds it."""
    code = problem.code
    codelines = code.split("\n")
    given = problem.inputs[input_idx]
    kwargs: dict[str, Any] = {}
    if problem.kind == "function":
        if task == "output":
            kwargs = {"code": code, "invocation": "\n" + output_template}
        else:
            call = f"{problem.entry}{given[:-2]})"
            shown = code
            if task == "path":
                shown = "".join(f"{i + 1}\t{text}\n" for i, text in enumerate(codelines))
            kwargs = {"code": shown, "invocation": call, "invocation_abbr": call}
    else:
        case = class_test_case(problem, input_idx)
        if task == "output":
            invocation = setup_comment(case, True) + OUTPUT_PRELUDE + output_template
            kwargs = {"code": code, "invocation": invocation}
        else:
            setup = setup_comment(case, task == "path")
            kwargs = {"code": code, "invocation": setup + "\n" + given.rstrip(),
                      "invocation_abbr": "the above test code"}
    if task != "output":
        kwargs.update(line=line, codeline=codelines[line - 1], var=var)
    return template(task, cot).format(**kwargs)


# -- responses ----------------------------------------------------------------------------------

def _answer_block(text: str) -> str:
    idx = text.find("[ANSWER]")
    if idx != -1:
        text = text[idx + 8:].strip()
    for close in ("[/ANSWER]", "[/ANSWER"):
        idx = text.find(close)
        if idx != -1:
            text = text[:idx].strip()
    return text


def coverage_answer(response: str, cot: bool) -> bool:
    """REval's reading of a coverage response: YES or NO in the first 3 characters of the
    upper-cased answer; anything else (ambiguous, empty, unfinished thought) is NO."""
    text = response.upper().strip()
    if cot and "[/THOUGHT]" not in text:
        return False
    text = _answer_block(text)[:3]
    yes, no = "YES" in text, "NO" in text
    return yes and not no


def path_answer(response: str, cot: bool) -> int | str:
    """REval's reading of a path response: -2 (no answer), -1, or a line's text."""
    if cot and "[/THOUGHT]" not in response:
        return -2
    text = _answer_block(response).split("\n")[0].strip()
    if text == "":
        return -2
    return -1 if text == "-1" else text


def path_lines(answer: int | str, code: str) -> list[int]:
    """The line numbers a path answer names: every line whose stripped text equals it."""
    if isinstance(answer, int):
        return [answer]
    found = [i for i, text in enumerate(code.split("\n"), start=1) if text.strip() == answer]
    return found or [-2]


def reval_state_answer(response: str, cot: bool) -> str:
    """The state answer text REval goes on to normalise (``ERROR`` for an unfinished thought).
    REval replaces curly quotes before cutting the answer block; ``reval_trace`` does it again,
    which changes nothing."""
    if cot and "[/THOUGHT]" not in response:
        return ERROR
    text = response.replace("\u2018", "'").replace("\u2019", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').strip()
    return _answer_block(text)


def output_answer(response: str, cot: bool) -> str:
    """REval's output post-processing: the answer block, or ``ERROR`` (unfinished thought)."""
    if cot and "[/THOUGHT]" not in response:
        return ERROR
    return _answer_block(response)


def pad_output(answer: str, template: str) -> str:
    """REval's ``_postprocess_phase2``: an answer with fewer lines than the test template gets
    the template's first lines put before it; ``ERROR`` becomes ``assert False``."""
    if answer == ERROR:
        return "assert False"
    want, have = template.strip().split("\n"), answer.strip().split("\n")
    if len(have) >= len(want):
        return answer
    return "\n".join(want[:len(want) - len(have)] + have)


_PENALISED = ("assertTrue(True)", "assertFalse(False)", "assert True", "assert False",
              "assert True == True", "assert False == False")


def penalised(answer: str, template: str) -> bool:
    """REval's ``penalty_pattern``: trivially true assertions, or fewer ``assert`` than the
    template has."""
    if any(p in answer for p in _PENALISED):
        return True
    return answer.count("assert") < template.count("assert")
