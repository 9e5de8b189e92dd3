"""REval (Chen et al., ICSE 2025): reasoning about runtime behaviour, on its 154 programs.

For every (program, input) pair REval lists probes ``(line, variable)``. Each probe becomes
three questions (coverage of the line, state of the variable after it, the line executed next)
and each pair one output question (fill the ``??`` of a test template). Incremental
consistency then credits, per probe, the unbroken chain coverage -> state -> path -> output
(see ``metrics.consistency_score``). ``limit`` counts programs, not questions, so a limited run
still has whole probe chains.

Two modes (``REval(mode=...)``; ``reval`` is official, ``reval-corrected`` the other):

``official`` (default): REval's own numbers. Its prompts and few-shot examples (the templates
in ``data/reval/prompts/``, filled as its ``evaluation.py`` fills them), its post-processing of
each response, and its ground truth, which REval computes at scoring time with its own tracer:
``reval_trace`` reimplements that tracer and REval's state comparison and runs them in the
sandbox (state answers are ``eval``'d there, as REval does, never in this process), and
output answers are run as code in the sandbox, as REval runs them. Checked question by question
against REval's ``evaluation.py`` (``benchmarks/results/reval_agreement.md``): 100% of the
3,152 coverage, state and path questions and the 690 output questions get REval's truth and
REval's verdicts on every candidate answer tried (27,455), and all 20,292 prompts are
identical, when the sandbox's environment has REval's requirements (numpy<2, gensim,
beautifulsoup4, lxml). In an environment without them, programs 117 and 149 (gensim, bs4) and
122 (``np.mat``, gone in numpy 2) have no ground truth (100 probes, i.e. 300 questions, and 11
output questions, reported ``no_truth`` and left out of the aggregates; REval itself stops with
an error there), and numpy 2 writes ``np.float64(1.0)`` where REval's numpy wrote ``1.0`` (5
state questions; the values, which answers are compared with, are the same). As in REval, 46
state questions (programs 86, 100, 106, 112, 117, 122, 126, 127) cannot be answered with the
``repr`` of a true value, which REval cannot evaluate back (``array([1, 2])``, ``deque([...])``,
``datetime.datetime(...)``, ``<class 'int'>``); another spelling (``np.array([1, 2])``) can.

In official mode ``extract`` keeps the whole completion: REval post-processes each task's
response its own way (``reval_official``), so that is done when scoring.

``corrected``: our tracer's ground truth, our prompts, literal-only answers. It differs from
official on these classes (counts over REval's 3,152 probes, from the same comparison; for a
tracer class, the questions whose truth changes when official mode corrects that quirk alone,
``reval_trace.FIXES``):

- REval runs a ClassEval test's ``setUp()`` before tracing (its prompt shows the set-up as
  already executed); we trace it: 51 questions (18 coverage, 15 state, 18 path).
- REval reads the state "after" line L from the next trace record whatever frame it belongs to
  (a callee, the caller, a lambda or comprehension): 153 state questions; and for the last
  record from before the line ran: 25 state questions.
- REval merges consecutive events on one line number across frames (recursion, lambdas,
  comprehensions): 83 questions (26 state, 57 path); and a return event on another line adds a
  record with no locals: 69 questions (24 state, 45 path). All five together change 313
  questions' truth (18 coverage, 184 state, 111 path); most are REval's defects (ours is the
  real value), but they are what REval's published numbers mean.
- Our tracer shows an object's attributes only when all of them are plain literals: once one
  holds a deque, a type, an array or a datetime, every attribute reads Nil (at most 21
  attribute probes: those where we answer Nil and REval has a value, whatever the cause).
- REval ``eval``s the value of a state answer (expressions, unquoted strings, ``np.array``,
  dateutil for datetimes) and resolves its type with ``pydoc.locate``, so full names
  (``builtins.int``, ``numpy.float64``, ``datetime.datetime``) and ``<class 'int'>`` are right;
  we parse literals and compare short type names: 1,393 state questions differ only on
  full type names, 11 only on ``<class ...>``, 221 on values (those include the truth classes
  above).
- REval runs the output answer as code (after its penalty for ``assert True`` or fewer asserts
  than the template, and padding a short answer with the template's first lines), so an answer
  restating the call (``assert f(x) == f(x)``) passes; we fill the template's holes with values
  only: 396 output questions differ on the restated call, 108 on other answer code.
- Prompts: REval's templates with few-shot examples, line-numbered code for HumanEval path
  questions only, the set-up as comments, against our shorter instructions.
- Program 117's test code calls ``unittest.main()`` under ``if __name__ == "__main__"``; REval
  executes test code in a module of another name, and so do both modes.

Over all candidate answers, corrected mode agrees with REval on 99.43% of coverage, 48.45% of
state, 97.72% of path and 26.96% of output questions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval import reval_official as official
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
from execverify.tasks.answers import NIL
from execverify.trace.model import Trace

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

LOCAL_DIR = DATA_DIR / "reval"
TASKS = ("coverage", "state", "path", "output")
REVAL_MODES = ("official", "corrected")
OFFICIAL_TRACE_HOOK = "execverify.eval.reval_trace:trace_pair"
OFFICIAL_OUTPUT_HOOK = "execverify.eval.reval_trace:check_reval_output"
OUTPUT_LIMITS = Limits(timeout_s=10.0, memory_mb=2048)
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
    preload: ClassVar[tuple[str, ...]] = ("numpy", "execverify.eval.reval_trace")

    modes: ClassVar[tuple[str, ...]] = REVAL_MODES

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None, mode: str = "official") -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit)
        if mode not in REVAL_MODES:
            raise ValueError(f"{self.name}: mode must be one of {REVAL_MODES}; got {mode!r} (official: "
                             "REval's own ground truth, prompts and scoring; corrected: ours)")
        self.mode = mode
        self.fixes: tuple[str, ...] = ()
        """REval quirks the official truth corrects (``reval_trace.FIXES``): for measuring
        what each decides (``benchmarks/reval_agreement.py``), never for reporting scores."""

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "mode": self.mode}

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
                if self.mode == "official":
                    prompt = official.render(task, problem, input_idx, cot=cot, line=line,
                                             var=var)
                else:
                    prompt = render_reval_prompt(task, code=problem.code, invocation=call,
                                                 cot=cot, line=line,
                                                 codeline=codelines[line - 1], var=var)
                out.append(Sample(
                    id=f"{problem.task_id}/{input_idx}/{k}/{task}", prompt=prompt,
                    reference={**base, "task": task, "probe": k, "line": line, "var": var},
                    group={"task": task, "part": part},
                ))
        template = str(pair["output_pred"])
        if self.mode == "official":
            prompt = official.render("output", problem, input_idx, cot=cot,
                                     output_template=template)
        else:
            setup = test_case(problem, input_idx)[2] if problem.kind == "class" else ""
            shown = f"# setup code executed previously\n{setup}\n{template}" if setup else template
            prompt = render_reval_prompt("output", code=problem.code, invocation=call, cot=cot,
                                         template=shown)
        out.append(Sample(
            id=f"{problem.task_id}/{input_idx}/output",
            prompt=prompt,
            reference={**base, "task": "output", "template": template,
                       "probes": len(pair["task"])},
            group={"task": "output", "part": part},
        ))
        return out

    # -- answers ---------------------------------------------------------------------------
    def extract(self, completion: str) -> str:
        if self.mode == "official":  # REval post-processes each task's response its own way
            return completion
        if self.prompt_style == "cot" and "[/THOUGHT]" not in completion:
            return INCOMPLETE
        return extract_answer_block(completion)

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        if self.mode == "official":
            return self._score_official(samples, answers, sandbox)
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
            if ref["task"] == "path" and truth is not None and truth.ok:
                details["next"] = sorted(truth.next_lines(ref["line"]))
            if ref["task"] == "state" and truth is not None and truth.ok:
                state = truth.state(ref["line"], ref["var"])
                details["state_answers"] = [NIL] if state == NIL else [
                    f"{v.text}; {v.type_name}" for v in state[:3]]
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

    # -- official mode ---------------------------------------------------------------------
    def _score_official(self, samples: Sequence[Sample], answers: Sequence[Sequence[str]],
                        sandbox: Sandbox) -> list[Verdict]:
        """REval's own ground truth (``reval_trace``, traced in the sandbox) and verdicts."""
        problems, _ = self._read()
        cot = self.prompt_style == "cot"
        truths = self._official_truths(problems, samples, answers, sandbox)
        outputs = self._official_outputs(problems, samples, answers, sandbox)
        verdicts = []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            ref = sample.reference
            problem = problems[ref["problem"]]
            pair = truths.get((ref["problem"], ref["input_idx"]))
            details = {k: ref[k] for k in ("problem", "input_idx", "probe", "probes") if k in ref}
            task = ref["task"]
            key = (ref["problem"], ref["input_idx"])
            if task == "output" and key in truths and pair is None:
                results = [(False, "no_truth")] * len(gens)  # the pair does not run here
            elif task == "output":
                results = outputs[i]
            elif pair is None:
                results = [(False, "no_truth")] * len(gens)
            else:
                q = pair[ref["probe"]]
                if task == "coverage":
                    said = [official.coverage_answer(g, cot) for g in gens]
                    details["covered"] = q["covered"]
                    details["said_yes"] = said
                    results = [_status(s == q["covered"]) for s in said]
                elif task == "path":
                    details["next"] = q["next"]
                    results = [_status(any(n in q["next"] for n in official.path_lines(
                        official.path_answer(g, cot), problem.code))) for g in gens]
                else:
                    details["state"] = q["state"]
                    results = [_status(ok) for ok in q["verdicts"]]
            verdicts.append(Verdict(
                id=sample.id, passed=[p for p, _ in results], answers=list(gens),
                statuses=[s for _, s in results], group=dict(sample.group), details=details,
            ))
        return verdicts

    def _official_truths(self, problems: dict[int, RevalProblem], samples: Sequence[Sample],
                         answers: Sequence[Sequence[str]], sandbox: Sandbox
                         ) -> dict[tuple[int, int], list[dict[str, Any]] | None]:
        """Per (problem, input) pair, per probe: REval's coverage, next lines, state, and its
        verdicts on the state answers, from one traced run in the sandbox."""
        cot = self.prompt_style == "cot"
        probes: dict[tuple[int, int], dict[int, dict[str, Any]]] = defaultdict(dict)
        for sample, gens in zip(samples, answers):
            ref = sample.reference
            if ref["task"] == "output":
                continue
            q = probes[(ref["problem"], ref["input_idx"])].setdefault(
                ref["probe"], {"line": ref["line"], "var": ref["var"], "answers": []})
            if ref["task"] == "state":
                q["answers"] = [official.reval_state_answer(g, cot) for g in gens]
        keys, jobs = [], []
        for key, questions in sorted(probes.items()):
            problem = problems[key[0]]
            options: dict[str, Any] = {"kind": problem.kind, "code": problem.code,
                                       "entry": problem.entry,
                                       "input": problem.inputs[key[1]],
                                       "questions": [questions[k] for k in sorted(questions)],
                                       "fixes": list(self.fixes)}
            if problem.kind == "class":
                try:
                    case = official.class_test_case(problem, key[1])
                except (ValueError, SyntaxError, IndexError):
                    continue
                options.update(test=problem.test, test_class=case.class_name,
                               test_method=case.method)
            jobs.append(Job(source="", entry="reval", hook=OFFICIAL_TRACE_HOOK,
                            hook_options=options, limits=TRACE_LIMITS))
            keys.append((key, sorted(questions)))
        out: dict[tuple[int, int], list[dict[str, Any]] | None] = {}
        for (key, order), result in zip(keys, sandbox.run_jobs(jobs)):
            if result.ok and result.data:
                out[key] = {}
                for k, q in zip(order, result.data["questions"]):
                    out[key][k] = q
            else:
                out[key] = None
        return out

    def _official_outputs(self, problems: dict[int, RevalProblem], samples: Sequence[Sample],
                          answers: Sequence[Sequence[str]], sandbox: Sandbox
                          ) -> dict[int, list[tuple[bool, str]]]:
        """REval's output check: the answer (padded with the template's first lines when it
        is shorter), refused when trivially true or with fewer asserts, else run (in the
        sandbox) as REval runs it; right when it raises nothing."""
        cot = self.prompt_style == "cot"
        out: dict[int, list[tuple[bool, str]]] = {}
        slots, jobs = [], []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            ref = sample.reference
            if ref["task"] != "output":
                continue
            problem = problems[ref["problem"]]
            out[i] = [(False, "fail")] * len(gens)
            base: dict[str, Any] = {"kind": problem.kind, "code": problem.code,
                                    "entry": problem.entry}
            if problem.kind == "class":
                try:
                    case = official.class_test_case(problem, ref["input_idx"])
                except (ValueError, SyntaxError, IndexError):
                    out[i] = [(False, "no_truth")] * len(gens)
                    continue
                base.update(test=problem.test, test_class=case.class_name)
            for j, g in enumerate(gens):
                code = official.pad_output(official.output_answer(g, cot), ref["template"])
                if official.penalised(code, ref["template"]):
                    out[i][j] = (False, "penalised")
                    continue
                jobs.append(Job(source="", entry="reval", hook=OFFICIAL_OUTPUT_HOOK,
                                hook_options={**base, "answer": code}, limits=OUTPUT_LIMITS))
                slots.append((i, j))
        for (i, j), result in zip(slots, sandbox.run_jobs(jobs)):
            if result.ok and result.data is not None and result.data.get("program_failed"):
                out[i][j] = (False, "no_truth")
            elif result.ok and result.data is not None:
                out[i][j] = _status(bool(result.data.get("passed")))
            else:
                out[i][j] = (False, "timeout" if result.status == "timeout" else "fail")
        return out

    # -- aggregates ------------------------------------------------------------------------
    def aggregate(self, verdicts: Sequence[Verdict]) -> dict[str, Metric]:
        scored = [v for v in verdicts if "no_truth" not in v.statuses]
        by_task = {t: [v for v in scored if v.group.get("task") == t] for t in TASKS}
        out = {t: mean_stderr([v.score for v in vs]) for t, vs in by_task.items() if vs}
        if by_task["coverage"]:
            predicted = [v.details["said_yes"][0] if "said_yes" in v.details
                         else _yes(v.answers[0].strip().upper()[:3]) for v in by_task["coverage"]]
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


def _status(passed: bool) -> tuple[bool, str]:
    return passed, "pass" if passed else "fail"


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


class REvalCorrected(REval):
    """REval scored with our tracer's ground truth (``mode: corrected``), as its own name."""

    name = "reval-corrected"
    description = "REval with corrected ground truth (our tracer), prompts and literal-only answers"

    def __init__(self, source: str | None = None, *, prompt_style: str = "direct",
                 limit: int | None = None, mode: str = "corrected") -> None:
        super().__init__(source, prompt_style=prompt_style, limit=limit, mode=mode)
