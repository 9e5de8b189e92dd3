"""The official CRUXEval-X prompts, and how a program is cut into the part a prompt shows.

Wording, the three few-shot examples per language and the code layout are those of
``inference/prompt.py`` (``crux_input_prompt`` / ``crux_output_prompt``) and
``inference/infer_vllm.py`` in CRUXEVAL-X/cruxeval-x, kept verbatim because scores are only
comparable under the same prompt. A prompt shows the function (the program up to the
language's ``CUT_MARKERS``, the official ``iterating_stops``) followed by the check code with
``????`` where the answer goes. Generation stops at ``[/ANSWER]``; the answer is the completion
with ``[ANSWER]`` removed, stripped. For output prediction it replaces ``????``; for input
prediction it is a whole call that replaces ``INPUT_SLOTS[language]`` (``f(????)`` in Java,
``candidate(????)`` in C++), as the official judge does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

CUT_MARKERS: dict[str, tuple[str, ...]] = {
    "cpp": ("}\nint main()", "}\n\nint main()"),
    "cs": ("    }\n    public static void Main", "    }\n\n    public static void Main"),
    "go": ("func TestF(t *testing.T)",),
    "java": ("    }\n    public static void main", "    }\n\n    public static void main"),
    "js": ("const assert",),
    "php": ("function candidate(...$args)",),
}

INPUT_SLOTS: dict[str, str] = {
    "cpp": "candidate(????)",
    "cs": "F(????)",
    "go": "candidate(????)",
    "java": "f(????)",
    "js": "candidate(????)",
    "php": "candidate(????)",
}

ANSWER_SLOT = "????"


def function_part(language: str, code: str) -> str:
    """The program before its check code (the official split at the first marker found)."""
    for marker in CUT_MARKERS[language]:
        if marker in code:
            return code.split(marker)[0]
    raise ValueError(f"CRUXEval-X {language} program has none of the markers "
                     f"{CUT_MARKERS[language]!r}")


def _examples_text(language: str, examples: Sequence[Mapping[str, str]], task: str) -> str:
    text = ""
    for example in examples:
        code = function_part(language, example["code"]) + example[f"{task}_reasoning"]
        text += f"```{language}\n{code.strip()}\n```\n[ANSWER]\n{example[f'{task}s']}\n[/ANSWER]\n"
    return text.rstrip()


def crux_x_input_prompt(language: str, examples: Sequence[Mapping[str, str]], question: str) -> str:
    """``crux_input_prompt``: find a call whose result passes the check."""
    return f"""You will be given a {language} function f and a check function, where you only know the output of the test case. Find any input such that executing f on the input leads to the given output. There may be multiple answers, but you should only output one. Think step by step before arriving at an answer. Finally, surround the answer, with no additional words, with [ANSWER] and [/ANSWER] tags. Express your answer as a function call that when executed will give the output.

{_examples_text(language, examples, "input")}
```{language}
{question}
```
"""


def crux_x_output_prompt(language: str, examples: Sequence[Mapping[str, str]], question: str) -> str:
    """``crux_output_prompt``: fill the ``????`` of the check with the program's output."""
    return f"""Based on the given code, which may contain errors, complete the "????" in assert statement with the output when executing the {language} code on the given test case. Do NOT output any extra information, even if the function is incorrect or incomplete. Do NOT output a description for the assert.

{_examples_text(language, examples, "output")}
```{language}
{question}
```
"""


def extract_answer(completion: str) -> str:
    """The official extraction (stop at ``[/ANSWER]``, drop ``[ANSWER]``, strip)."""
    return completion.split("[/ANSWER]")[0].replace("[ANSWER]", "").strip()


def fill_check(language: str, task: str, question: str, answer: str) -> str:
    """The check program for ``answer``, exactly as the official judge builds it."""
    if task == "output":
        return question.replace(ANSWER_SLOT, answer)
    return question.replace(INPUT_SLOTS[language], answer)
