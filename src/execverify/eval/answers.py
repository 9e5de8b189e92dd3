"""Pulling answers out of completions: ``[ANSWER]...[/ANSWER]`` blocks and assertions.

The official CRUXEval and LiveCodeBench post-processing is reproduced exactly here (including
its quirks, such as splitting at the *first* ``==``), because a score only compares with the
official tool's when the same text reaches the scorer.
"""

from __future__ import annotations

ANSWER_OPEN = "[ANSWER]"
ANSWER_CLOSE = "[/ANSWER]"


def extract_answer_block(text: str) -> str:
    """The text between ``[ANSWER]`` and ``[/ANSWER]`` (either tag optional), stripped.

    Generation stops at ``[/ANSWER]``, so a completion usually holds only the opening tag
    (chain of thought) or neither (direct prompts, which end with ``[ANSWER]``).
    """
    if ANSWER_OPEN in text:
        text = text.split(ANSWER_OPEN, 1)[1]
    if ANSWER_CLOSE in text:
        text = text.split(ANSWER_CLOSE, 1)[0]
    return text.strip()


def cruxeval_output_answer(completion: str, cot: bool) -> str:
    """CRUXEval output prediction post-processing (``OutputPrediction.postprocess_generation``):
    for chain of thought keep what follows the first ``[ANSWER]``, then keep the part between
    the first and second ``==`` (the official code takes ``split("==")[1]``), stripped."""
    generation = completion
    if cot and ANSWER_OPEN in generation:
        generation = generation.split(ANSWER_OPEN)[1].strip()
    if "==" in generation:
        generation = generation.split("==")[1].strip()
    return _cut_close(generation).strip()


def cruxeval_input_answer(completion: str, cot: bool) -> str:
    """CRUXEval input prediction post-processing (``InputPrediction.postprocess_generation``):
    after ``[ANSWER]`` for chain of thought, keep what precedes the first ``==``, then what
    follows the first ``assert``, stripped: a call such as ``f('abc', 2)``."""
    generation = completion
    if cot and ANSWER_OPEN in generation:
        generation = generation.split(ANSWER_OPEN)[1].strip()
    if "==" in generation:
        generation = generation.split("==")[0].strip()
    if "assert" in generation:
        generation = generation.split("assert")[1].strip()
    return _cut_close(generation).strip()


def lcb_execution_answer(completion: str, cot: bool) -> str:
    """LiveCodeBench code-execution extraction (``extract_execution_code``)."""
    output = completion
    if cot and ANSWER_OPEN in output:
        output = output.split(ANSWER_OPEN)[1].strip()
    if "==" in output:
        output = output.split("==")[1].strip()
    if ANSWER_CLOSE in output:
        output = output.split(ANSWER_CLOSE)[0].strip()
    else:
        output = output.split("\n")[0].strip()
    return output.strip()


def _cut_close(text: str) -> str:
    """The official harness generates with ``[/ANSWER]`` as a stop word, so its completions
    never contain it; backends that overshoot a stop string are cut here to match."""
    return text.split(ANSWER_CLOSE, 1)[0]
