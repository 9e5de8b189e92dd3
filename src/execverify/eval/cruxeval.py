"""CRUXEval (Gu et al., 2024): output prediction (CRUXEval-O) and input prediction (CRUXEval-I).

Scoring follows the official ``evaluation/`` code exactly:

- output: the answer ``g`` is right when ``<code>\\nassert <gold output> == g`` runs without
  raising within 3 s; an answer containing the original call ``f(<gold input>)`` is wrong
  (no credit for restating the question);
- input: the answer is a call such as ``f('abc', 2)``; it is right when
  ``<code>\\nassert <gold output> == <answer>`` passes; an answer without ``f(`` is wrong;
- pass@1 and pass@5 with the unbiased estimator over the generations of each sample.

The checks run in the sandbox (the official code runs them in-process with only a
``reliability_guard``). ``official_scored_results`` writes the official tool's scored-results
JSON so numbers compare directly with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.answers import cruxeval_input_answer, cruxeval_output_answer
from execverify.eval.base import Benchmark, BenchmarkDataError, Sample, Verdict
from execverify.eval.cruxeval_prompts import input_prompt, output_prompt
from execverify.eval.execcheck import OFFICIAL_TIMEOUT_S, run_checks
from execverify.eval.metrics import pass_at_k
from execverify.eval.sources import DATA_DIR, read_rows

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

CRUXEVAL_LOCAL_FILE = DATA_DIR / "cruxeval" / "cruxeval.jsonl"
CRUXEVAL_HUB_ID = "cruxeval-org/cruxeval"


class _CRUXEval(Benchmark):
    """Shared loading and scoring; subclasses fix the task (output or input)."""

    hub_id: ClassVar[str | None] = CRUXEVAL_HUB_ID
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct", "cot")
    stop: ClassVar[tuple[str, ...]] = ("[/ANSWER]",)
    task: ClassVar[str]

    def max_tokens(self) -> int:
        return 1024 if self.prompt_style == "cot" else 256

    def load(self) -> list[Sample]:
        rows = read_rows(self.source or CRUXEVAL_LOCAL_FILE, hub_split="test")
        samples = []
        for row in rows:
            missing = {"id", "code", "input", "output"} - set(row)
            if missing:
                raise BenchmarkDataError(f"CRUXEval row lacks {sorted(missing)}: {row!r:.200}")
            samples.append(Sample(
                id=str(row["id"]),
                prompt=self.render(row["code"], row["input"], row["output"]),
                reference={"code": row["code"], "input": row["input"], "output": row["output"]},
            ))
        return sorted(samples, key=lambda s: _sample_number(s.id))

    def render(self, code: str, call_input: str, output: str) -> str:
        raise NotImplementedError

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        programs: list[str] = []
        slots: list[tuple[int, int]] = []
        rejected: dict[tuple[int, int], str] = {}
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            ref = sample.reference
            for j, g in enumerate(gens):
                reason = self.reject(g, ref)
                if reason:
                    rejected[(i, j)] = reason
                    continue
                programs.append(f"{ref['code']}\nassert {ref['output']} == {g}")
                slots.append((i, j))
        checks = dict(zip(slots, run_checks(sandbox, programs, timeout_s=OFFICIAL_TIMEOUT_S)))
        verdicts = []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            passed, statuses = [], []
            for j in range(len(gens)):
                if (i, j) in rejected:
                    passed.append(False)
                    statuses.append(rejected[(i, j)])
                else:
                    passed.append(checks[(i, j)].passed)
                    statuses.append(checks[(i, j)].status)
            verdicts.append(Verdict(id=sample.id, passed=passed, answers=list(gens),
                                    statuses=statuses, group=dict(sample.group)))
        return verdicts

    def reject(self, answer: str, reference: Mapping[str, str]) -> str | None:
        """The official pre-execution rule for this task, as a status, or None to execute."""
        raise NotImplementedError


class CRUXEvalOutput(_CRUXEval):
    name = "cruxeval-o"
    description = "CRUXEval output prediction: complete assert f(input) == ??"
    task = "output"

    def render(self, code: str, call_input: str, output: str) -> str:
        return output_prompt(code, call_input, cot=self.prompt_style == "cot")

    def extract(self, completion: str) -> str:
        return cruxeval_output_answer(completion, cot=self.prompt_style == "cot")

    def reject(self, answer: str, reference: Mapping[str, str]) -> str | None:
        return "restates_call" if f"f({reference['input']})" in answer else None


class CRUXEvalInput(_CRUXEval):
    name = "cruxeval-i"
    description = "CRUXEval input prediction: complete assert f(??) == output"
    task = "input"

    def render(self, code: str, call_input: str, output: str) -> str:
        return input_prompt(code, output, cot=self.prompt_style == "cot")

    def extract(self, completion: str) -> str:
        return cruxeval_input_answer(completion, cot=self.prompt_style == "cot")

    def reject(self, answer: str, reference: Mapping[str, str]) -> str | None:
        return None if "f(" in answer else "no_call"


def official_scored_results(
    generations: Mapping[str, Sequence[str]], verdicts: Sequence[Verdict]
) -> dict[str, Any]:
    """The JSON the official ``evaluate_generations.py`` writes with ``--scored_results_path``:
    ``raw_generations``, ``raw_scored_generations`` (one bool per generation), and
    ``pass_at_1`` / ``pass_at_5`` in percent, averaged over the scored samples.

    The official pass@k returns 1.0 when ``n - c < k``, so with fewer than 5 generations per
    sample its pass@5 is 100 by construction; we reproduce that rather than "fix" it.
    """
    scored = {v.id: list(v.passed) for v in verdicts}
    p1 = [pass_at_k(len(v.passed), sum(v.passed), 1) for v in verdicts]
    p5 = [pass_at_k(len(v.passed), sum(v.passed), 5) for v in verdicts]
    count = max(len(verdicts), 1)
    return {
        "raw_generations": {k: list(v) for k, v in generations.items()},
        "raw_scored_generations": scored,
        "pass_at_1": sum(p1) / count * 100,
        "pass_at_5": sum(p5) / count * 100,
    }


def _sample_number(sample_id: str) -> tuple[int, str]:
    """Order sample_2 before sample_10 (the official files are keyed sample_<i>)."""
    head, _, tail = sample_id.rpartition("_")
    return (int(tail), head) if tail.isdigit() else (1 << 30, sample_id)
