"""CRUXEval-X (Xu et al., 2024, arXiv 2408.13001): CRUXEval's problems translated to other
languages; the method evaluates C++, C#, Go, Java, JavaScript and PHP.

A sample is one (language, problem); its id is ``<language>/sample_<cruxeval id>``, and
``group["language"]`` breaks accuracy down per language. Prompts and answer extraction are the
official ones (``cruxeval_x_prompts``). An answer is judged as the official harness judges it:
it is put into the ``????`` of the check code (input prediction: a whole call in place of
``f(????)`` / ``candidate(????)``), and the resulting program is compiled and run with the
language's toolchain (``cruxeval_x_toolchains``): right when it compiles and its check passes
within the time limits. Every compile and run happens inside the sandbox, one job per
distinct program, so one problem's failure never touches another.

A language whose toolchain is not installed is skipped with a one-line warning at load time,
so its samples are simply absent from the run (and from its data hash).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.base import Benchmark, BenchmarkDataError, Sample, Verdict
from execverify.eval.cruxeval_x_prompts import (
    ANSWER_SLOT,
    INPUT_SLOTS,
    crux_x_input_prompt,
    crux_x_output_prompt,
    extract_answer,
    fill_check,
    function_part,
)
from execverify.eval.cruxeval_x_toolchains import LANGUAGES, TOOLCHAINS
from execverify.eval.sources import DATA_DIR, read_local, read_rows
from execverify.sandbox.commands import command_job, step_outcomes

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

CRUXEVAL_X_DIR = DATA_DIR / "cruxeval-x"
CRUXEVAL_X_HUB_ID = "xhwl/cruxeval-x"


class ToolchainWarning(UserWarning):
    """A CRUXEval-X language was skipped because its compiler or runtime is not installed."""


_HUB_SPLITS = {"cpp": "Cpp", "cs": "CS", "go": "Go", "java": "Java", "js": "JavaScript",
               "php": "PHP"}


def read_language(language: str, source: str | None = None) -> list[dict[str, Any]]:
    """The rows ``{id, code, input_reasoning, output_reasoning}`` of one language: the shipped
    copy, a folder holding the official ``<language>.jsonl`` (or ``.jsonl.gz``), or the hub
    dataset ``source`` (one split per language, ``Java``, ``Cpp``, ...)."""
    if source is None:
        return read_local(CRUXEVAL_X_DIR / f"{language}.jsonl.gz")
    folder = Path(source).expanduser()
    if folder.is_dir():
        for name in (f"{language}.jsonl", f"{language}.jsonl.gz"):
            if (folder / name).is_file():
                return read_local(folder / name)
        raise BenchmarkDataError(f"{str(folder)!r} has no {language}.jsonl (the official "
                                 "datasets/cruxeval_preprocessed/ layout)")
    return read_rows(source, hub_split=_HUB_SPLITS[language])


def gold_answer(language: str, task: str, code: str, question: str) -> str:
    """The answer that turns ``question`` back into ``code``: the text of ``code`` where the
    question has ``????`` (input prediction: that text inside the language's call)."""
    head = function_part(language, code)
    before, _, after = question.partition(ANSWER_SLOT)
    start, end = len(head) + len(before), len(code) - len(after)
    if not (code.startswith(head + before) and code.endswith(after) and start <= end):
        raise BenchmarkDataError(f"CRUXEval-X {language}: the {task} check does not match its code")
    found = code[start:end]
    return found if task == "output" else INPUT_SLOTS[language].replace(ANSWER_SLOT, found)


_NUMBER = re.compile(r"(?<![\w.])\d+")
_BOOLEAN = re.compile(r"\b(true|false)\b")


def near_miss(answer: str) -> str:
    """A wrong answer close to ``answer``, for the self-checks (tests and
    ``benchmarks/cruxeval_x.py``): its first number plus one, else its first string with a
    letter more, else its first boolean flipped, else a program that does not compile."""
    number = _NUMBER.search(answer)
    if number:
        return f"{answer[:number.start()]}{int(number.group()) + 1}{answer[number.end():]}"
    quote = answer.find('"')
    if quote >= 0:
        return f'{answer[:quote + 1]}x{answer[quote + 1:]}'
    boolean = _BOOLEAN.search(answer)
    if boolean:
        flipped = "false" if boolean.group() == "true" else "true"
        return f"{answer[:boolean.start()]}{flipped}{answer[boolean.end():]}"
    return f"{answer} ?!"


def never_runs(language: str, code: str) -> bool:
    """Whether the official judging rule passes every answer because the program is never
    run: a PHP file without ``<?php`` is printed, not executed (13 problems), and a Go file
    that does not start with ``package`` fails to parse, which ``go test`` reports on stderr
    only, while the rule reads stdout (10 problems). Both come from translations with prose
    before the code. They are kept as the official data and rule have them; the self-checks
    leave them out of the near-miss count."""
    if language == "php":
        return "<?php" not in code
    return language == "go" and not code.startswith("package")


CHANCE_GOLD: dict[str, frozenset[int]] = {"go": frozenset({91, 382}), "java": frozenset({71})}
"""Problems whose result depends on an iteration order the runtime randomises per run (Go's
maps; Java's ``Map.of``, copied into a ``HashMap``), so even the gold answer passes only by
chance (each seen failing in the full sweep)."""


def load_examples(language: str) -> list[dict[str, Any]]:
    """The official few-shot examples (``datasets/examples`` with their check code)."""
    with open(CRUXEVAL_X_DIR / "examples.json", encoding="utf-8") as fh:
        return json.load(fh)[language]


class _CRUXEvalX(Benchmark):
    """Shared loading and scoring; subclasses fix the task and the languages."""

    hub_id: ClassVar[str | None] = CRUXEVAL_X_HUB_ID
    stop: ClassVar[tuple[str, ...]] = ("[/ANSWER]",)
    max_new_tokens: ClassVar[int] = 512
    group_keys: ClassVar[tuple[str, ...]] = ("language",)
    preload: ClassVar[tuple[str, ...]] = ("execverify.sandbox.commands",)
    task: ClassVar[str]
    languages: ClassVar[tuple[str, ...]] = LANGUAGES

    def load(self) -> list[Sample]:
        samples = []
        for language in self.languages:
            reason = TOOLCHAINS[language].missing()
            if reason:
                warnings.warn(f"{self.name}: skipping {language}: {reason}", ToolchainWarning,
                              stacklevel=2)
                continue
            samples.extend(self._language_samples(language))
        return samples

    def _language_samples(self, language: str) -> list[Sample]:
        render = crux_x_output_prompt if self.task == "output" else crux_x_input_prompt
        examples = load_examples(language)
        out = []
        for row in sorted(read_language(language, self.source), key=lambda r: int(r["id"])):
            if "code" not in row:  # the official data omits problems that failed to translate
                continue
            check = row[f"{self.task}_reasoning"]
            question = function_part(language, row["code"]) + check
            out.append(Sample(
                id=f"{language}/sample_{row['id']}",
                prompt=render(language, examples, question),
                reference={"language": language, "question": question,
                           "gold": gold_answer(language, self.task, row["code"], check)},
                group={"language": language},
            ))
        return out

    def extract(self, completion: str) -> str:
        return extract_answer(completion)

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        programs = [[self._program(sample, g) for g in gens]
                    for sample, gens in zip(samples, answers)]
        checks = check_programs(sandbox, [p for row in programs for p in row])
        verdicts = []
        for sample, gens, row in zip(samples, answers, programs):
            statuses = [checks[p] for p in row]
            verdicts.append(Verdict(id=sample.id, passed=[s == "pass" for s in statuses],
                                    answers=list(gens), statuses=statuses,
                                    group=dict(sample.group)))
        return verdicts

    def _program(self, sample: Sample, answer: str) -> tuple[str, str]:
        ref = sample.reference
        return ref["language"], fill_check(ref["language"], self.task, ref["question"], answer)


def check_programs(sandbox: Sandbox, programs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Compile and run each (language, program) once in the sandbox: its status (``pass``,
    ``fail``, ``compile_error``, ``timeout``, ``crash``), never an exception."""
    unique = list(dict.fromkeys(programs))
    jobs = []
    for language, program in unique:
        toolchain = TOOLCHAINS[language]
        jobs.append(command_job({toolchain.filename: program}, toolchain.steps(),
                                toolchain.limits()))
    results = sandbox.run_jobs(jobs)
    out = {}
    for (language, program), result in zip(unique, results):
        status = "timeout" if result.status == "timeout" else TOOLCHAINS[language].judge(
            step_outcomes(result))
        out[(language, program)] = status
    return out


class CRUXEvalXOutput(_CRUXEvalX):
    name = "cruxeval-x-o"
    description = "CRUXEval-X output prediction in C++, C#, Go, Java, JavaScript and PHP"
    task = "output"


class CRUXEvalXInput(_CRUXEvalX):
    name = "cruxeval-x-i"
    description = "CRUXEval-X input prediction in C++, C#, Go, Java, JavaScript and PHP"
    task = "input"


# One benchmark per language and task, so ``execverify eval cruxeval-x-o-java`` runs one.


class CRUXEvalXOutputCpp(CRUXEvalXOutput):
    name, languages = "cruxeval-x-o-cpp", ("cpp",)
    description = "CRUXEval-X output prediction in C++"


class CRUXEvalXOutputCSharp(CRUXEvalXOutput):
    name, languages = "cruxeval-x-o-cs", ("cs",)
    description = "CRUXEval-X output prediction in C#"


class CRUXEvalXOutputGo(CRUXEvalXOutput):
    name, languages = "cruxeval-x-o-go", ("go",)
    description = "CRUXEval-X output prediction in Go"


class CRUXEvalXOutputJava(CRUXEvalXOutput):
    name, languages = "cruxeval-x-o-java", ("java",)
    description = "CRUXEval-X output prediction in Java"


class CRUXEvalXOutputJavaScript(CRUXEvalXOutput):
    name, languages = "cruxeval-x-o-js", ("js",)
    description = "CRUXEval-X output prediction in JavaScript"


class CRUXEvalXOutputPHP(CRUXEvalXOutput):
    name, languages = "cruxeval-x-o-php", ("php",)
    description = "CRUXEval-X output prediction in PHP"


class CRUXEvalXInputCpp(CRUXEvalXInput):
    name, languages = "cruxeval-x-i-cpp", ("cpp",)
    description = "CRUXEval-X input prediction in C++"


class CRUXEvalXInputCSharp(CRUXEvalXInput):
    name, languages = "cruxeval-x-i-cs", ("cs",)
    description = "CRUXEval-X input prediction in C#"


class CRUXEvalXInputGo(CRUXEvalXInput):
    name, languages = "cruxeval-x-i-go", ("go",)
    description = "CRUXEval-X input prediction in Go"


class CRUXEvalXInputJava(CRUXEvalXInput):
    name, languages = "cruxeval-x-i-java", ("java",)
    description = "CRUXEval-X input prediction in Java"


class CRUXEvalXInputJavaScript(CRUXEvalXInput):
    name, languages = "cruxeval-x-i-js", ("js",)
    description = "CRUXEval-X input prediction in JavaScript"


class CRUXEvalXInputPHP(CRUXEvalXInput):
    name, languages = "cruxeval-x-i-php", ("php",)
    description = "CRUXEval-X input prediction in PHP"
