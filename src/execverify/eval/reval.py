"""REval (Chen et al., ICSE 2025): reasoning about runtime behaviour, on its 154 programs.

For every (program, input) pair REval lists probes ``(line, variable)``. Each probe becomes
three questions (coverage of the line, state of the variable after it, the line executed next)
and each pair one output question (fill the ``??`` of a test template). Incremental
consistency then credits, per probe, the unbroken chain coverage -> state -> path -> output
(see ``metrics.consistency_score``).

Ground truth comes from our tracer, run in the sandbox at scoring time (``reval_truth``).
Probes whose program cannot run here (missing third-party packages such as ``gensim``) have no
ground truth: they are reported as ``no_truth`` and left out of every aggregate.

``limit`` counts programs, not questions, so a limited run still has whole probe chains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.answers import extract_answer_block
from execverify.eval.base import Benchmark, BenchmarkDataError, Sample, Verdict
from execverify.eval.execcheck import run_checks
from execverify.eval.metrics import Metric, binary_scores, consistency_score, mean_stderr
from execverify.eval.reval_output import fill
from execverify.eval.reval_programs import (
    RevalProblem,
    invocation,
    output_program,
    test_case,
    traced_call,
)
from execverify.eval.reval_prompts import render_reval_prompt
from execverify.eval.reval_truth import RunTruth, parse_reval_state_answer, state_matches
from execverify.eval.sources import DATA_DIR, read_rows
from execverify.sandbox import Job, Limits
from execverify.trace.model import Trace

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

LOCAL_DIR = DATA_DIR / "reval"
TASKS = ("coverage", "state", "path", "output")
INCOMPLETE = "<incomplete-thought>"
TRACE_HOOK = "execverify.trace.recorder:record"
TRACE_LIMITS = Limits(timeout_s=20.0, memory_mb=2048)


class REval(Benchmark):
    name = "reval"
    description = "REval: coverage, state, path and output prediction with consistency"
    hub_id: ClassVar[str | None] = "JetBrains-Research/REval"
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct", "cot")
    stop: ClassVar[tuple[str, ...]] = ("[/ANSWER]",)
    group_keys: ClassVar[tuple[str, ...]] = ("task", "part")
    preload: ClassVar[tuple[str, ...]] = ("numpy",)

    def max_tokens(self) -> int:
        return 1024 if self.prompt_style == "cot" else 256

    # -- data ------------------------------------------------------------------------------
    def samples(self) -> list[Sample]:
        if self._samples is None:
            self._samples = self.load()
        return self._samples

    def load(self) -> list[Sample]:
        problems, task_rows = self._read()
        if self.limit:
            task_rows = task_rows[: self.limit]
        samples: list[Sample] = []
        for row in task_rows:
            problem = problems[int(row["idx"])]
            for pair in row["tasks"]:
                samples.extend(self._pair_samples(problem, pair))
        return samples

    def _read(self) -> tuple[dict[int, RevalProblem], list[dict[str, Any]]]:
        folder = _data_folder(self.source)
        data = read_rows(folder / "DREval_data.jsonl")
        tasks = read_rows(folder / "DREval_tasks.jsonl")
        problems = {i: RevalProblem.from_row(i, row) for i, row in enumerate(data)}
        return problems, tasks

    def _pair_samples(self, problem: RevalProblem, pair: dict[str, Any]) -> list[Sample]:
        input_idx = int(pair["input_idx"])
        call = invocation(problem, input_idx)
        cot = self.prompt_style == "cot"
        codelines = problem.code.split("\n")
        part = "humaneval" if problem.kind == "function" else "classeval"
        base = {"problem": problem.index, "input_idx": input_idx}
        out = []
        for k, probe in enumerate(pair["task"]):
            line, var = int(probe["lineno"]), str(probe["var"])
            for task in ("coverage", "state", "path"):
                prompt = render_reval_prompt(task, code=problem.code, invocation=call, cot=cot,
                                             line=line, codeline=codelines[line - 1], var=var)
                out.append(Sample(
                    id=f"{problem.task_id}/{input_idx}/{k}/{task}", prompt=prompt,
                    reference={**base, "task": task, "probe": k, "line": line, "var": var},
                    group={"task": task, "part": part},
                ))
        template = str(pair["output_pred"])
        setup = test_case(problem, input_idx)[2] if problem.kind == "class" else ""
        shown = f"# setup code executed previously\n{setup}\n{template}" if setup else template
        out.append(Sample(
            id=f"{problem.task_id}/{input_idx}/output",
            prompt=render_reval_prompt("output", code=problem.code, invocation=call, cot=cot,
                                       template=shown),
            reference={**base, "task": "output", "template": template,
                       "probes": len(pair["task"])},
            group={"task": "output", "part": part},
        ))
        return out

    # -- answers ---------------------------------------------------------------------------
    def extract(self, completion: str) -> str:
        if self.prompt_style == "cot" and "[/THOUGHT]" not in completion:
            return INCOMPLETE
        return extract_answer_block(completion)

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        problems, _ = self._read()
        truths = self._truths(problems, samples, sandbox)
        outputs = self._score_outputs(problems, samples, answers, truths, sandbox)
        verdicts = []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            ref = sample.reference
            truth = truths[(ref["problem"], ref["input_idx"])]
            if truth is None or not truth.ok:
                results = [(False, "no_truth")] * len(gens)
            elif ref["task"] == "output":
                results = outputs[i]
            else:
                results = [_judge(ref, g, truth, problems[ref["problem"]]) for g in gens]
            details = {k: ref[k] for k in ("problem", "input_idx", "probe", "probes") if k in ref}
            if ref["task"] == "coverage" and truth is not None and truth.ok:
                details["covered"] = truth.covered(ref["line"])
            verdicts.append(Verdict(
                id=sample.id, passed=[p for p, _ in results], answers=list(gens),
                statuses=[s for _, s in results], group=dict(sample.group), details=details,
            ))
        return verdicts

    def _truths(self, problems: dict[int, RevalProblem], samples: Sequence[Sample],
                sandbox: Sandbox) -> dict[tuple[int, int], RunTruth | None]:
        pairs = sorted({(s.reference["problem"], s.reference["input_idx"]) for s in samples})
        jobs, keys, truths = [], [], {}
        for key in pairs:
            try:
                source, entry, args = traced_call(problems[key[0]], key[1])
            except (ValueError, SyntaxError, IndexError):
                truths[key] = None
                continue
            options = {"source": source, "max_repr": 100_000, "max_steps": 1_000_000}
            jobs.append(Job(source=source, entry=entry, args=args, hook=TRACE_HOOK,
                            hook_options=options, limits=TRACE_LIMITS))
            keys.append(key)
        for key, result in zip(keys, sandbox.run_jobs(jobs)):
            problem = problems[key[0]]
            if result.ok and result.data:
                truths[key] = RunTruth(Trace.from_dict(result.data), problem.code_lines)
            else:
                truths[key] = None
        return truths

    def _score_outputs(self, problems: dict[int, RevalProblem], samples: Sequence[Sample],
                       answers: Sequence[Sequence[str]],
                       truths: dict[tuple[int, int], RunTruth | None],
                       sandbox: Sandbox) -> dict[int, list[tuple[bool, str]]]:
        programs, slots = [], []
        out: dict[int, list[tuple[bool, str]]] = {}
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            ref = sample.reference
            if ref["task"] != "output":
                continue
            out[i] = [(False, "no_answer")] * len(gens)
            problem = problems[ref["problem"]]
            for j, g in enumerate(gens):
                lines = None if g == INCOMPLETE else fill(ref["template"], g)
                if lines is not None:
                    programs.append(output_program(problem, ref["input_idx"], lines))
                    slots.append((i, j))
        for (i, j), check in zip(slots, run_checks(sandbox, programs, timeout_s=5.0)):
            out[i][j] = (check.passed, check.status)
        return out

    # -- aggregates ------------------------------------------------------------------------
    def aggregate(self, verdicts: Sequence[Verdict]) -> dict[str, Metric]:
        scored = [v for v in verdicts if "no_truth" not in v.statuses]
        by_task = {t: [v for v in scored if v.group.get("task") == t] for t in TASKS}
        out = {t: mean_stderr([v.score for v in vs]) for t, vs in by_task.items() if vs}
        if by_task["coverage"]:
            said_yes = [v.answers[0].strip().upper()[:3] for v in by_task["coverage"]]
            predicted = [_yes(a) for a in said_yes]
            actual = [v.details.get("covered", False) for v in by_task["coverage"]]
            scores = binary_scores(predicted, actual)
            for name in ("precision", "recall", "f1"):
                out[f"coverage_{name}"] = Metric(scores[name], None, len(predicted))
        out["consistency"] = _consistency(scored)
        task_means = [m.value for t, m in out.items() if t in TASKS]
        out["accuracy"] = Metric(sum(task_means) / len(task_means) if task_means else 0.0,
                                 None, len(scored))
        out["no_truth"] = Metric(float(len(verdicts) - len(scored)), None, len(verdicts))
        return out


def _judge(ref: dict[str, Any], answer: str, truth: RunTruth, problem: RevalProblem
           ) -> tuple[bool, str]:
    line, task = ref["line"], ref["task"]
    if task == "coverage":
        actual = truth.covered(line)
        said = _yes(answer.strip().upper()[:3]) if answer != INCOMPLETE else False
        return said == actual, "pass" if said == actual else "fail"
    if answer == INCOMPLETE:
        return False, "no_answer"
    if task == "state":
        parsed = parse_reval_state_answer(answer)
        if parsed is None:
            return False, "no_answer"
        ok = state_matches(parsed, truth.state(line, ref["var"]))
        return ok, "pass" if ok else "fail"
    said_lines = _answer_lines(answer, problem)
    ok = bool(said_lines & truth.next_lines(line))
    return ok, "pass" if ok else ("fail" if said_lines != {-2} else "no_answer")


def _data_folder(source: str | None) -> Path:
    """The folder holding DREval_data.jsonl and DREval_tasks.jsonl: ``source`` when it is a
    local folder, the shipped copy when None, else a hub dataset id whose files are fetched."""
    if source is None:
        return LOCAL_DIR
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    if path.exists() or source.count("/") != 1:
        raise BenchmarkDataError(
            f"REval needs a folder with DREval_data.jsonl and DREval_tasks.jsonl; got {source!r}"
        )
    try:
        from huggingface_hub import snapshot_download

        root = Path(snapshot_download(source, repo_type="dataset",
                                      allow_patterns=["*DREval_*.jsonl"]))
        return next(root.rglob("DREval_data.jsonl")).parent
    except Exception as exc:
        raise BenchmarkDataError(
            f"cannot fetch REval files from the hub id {source!r}: {type(exc).__name__}; "
            "download DREval_data.jsonl and DREval_tasks.jsonl and pass their folder"
        ) from exc


def _yes(head: str) -> bool:
    """REval's reading of a coverage answer: YES or NO in its first 3 characters; an
    ambiguous or empty answer counts as NO."""
    yes, no = "YES" in head, "NO" in head
    return yes and not no


def _answer_lines(answer: str, problem: RevalProblem) -> set[int]:
    """A path answer as line numbers: -1, or every line whose stripped text equals the answer
    (REval), or a bare line number (our prompts' ``-1`` convention extended); -2 for none."""
    first = answer.strip().split("\n")[0].strip()
    if first == "-1":
        return {-1}
    lines = {i for i, text in enumerate(problem.code.split("\n"), start=1)
             if text.strip() == first and first}
    if not lines and first.isdigit() and 1 <= int(first) <= problem.code_lines:
        lines = {int(first)}
    return lines or {-2}


def _consistency(verdicts: Sequence[Verdict]) -> Metric:
    """Mean incremental consistency over probes whose four questions were all scored."""
    outputs = {(v.details["problem"], v.details["input_idx"]): v.passed[0]
               for v in verdicts if v.group.get("task") == "output"}
    probes: dict[tuple[int, int, int], dict[str, bool]] = defaultdict(dict)
    for v in verdicts:
        if "probe" in v.details:
            key = (v.details["problem"], v.details["input_idx"], v.details["probe"])
            probes[key][v.group["task"]] = v.passed[0]
    scores = [
        consistency_score(p["coverage"], p["state"], p["path"], outputs[key[:2]])
        for key, p in probes.items()
        if len(p) == 3 and key[:2] in outputs
    ]
    return mean_stderr(scores)
