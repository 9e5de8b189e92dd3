"""Evaluation runs: each sample of ``results.json`` (``execverify.eval.schema``) with the
model's completions, the parsed answers, right or wrong per question, and the score.

``results.json`` keeps verdicts, not programs, so the programs come from the benchmark's own
data, loaded the way the run loaded it (``execverify.eval.registry``); when that data cannot be
read (moved, or only on a hub that is offline) the page says so and still shows every verdict.
The summary charts copy the aggregates and breakdowns of ``results.json`` as they are, so the
page and the results file cannot disagree.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from execverify.data.records import Record
from execverify.eval.schema import load_results
from execverify.rewards.parse import parse_completion
from execverify.view.dataset import record_call
from execverify.view.lines import Call, line_hits, untraced
from execverify.view.model import Bar, Chart, Entry, Item, QuestionView, View

Traced = tuple[Item, Call | None]
"""An item and the call to trace for it (traced once, after a study merged its arms)."""

_OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def _results_file(path: Path) -> Path:
    """``path`` itself, or the ``results.json`` inside the run folder ``path``."""
    return path / "results.json" if path.is_dir() else path


def is_results(path: Path) -> bool:
    """Whether ``path`` is an evaluation's ``results.json`` (a demo's own ``results.json``, its
    report, is not). An older schema still counts: loading it then says what is wrong."""
    try:
        with path.open(encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and str(doc.get("schema", "")).startswith("execverify.eval/")


def eval_items(doc: dict[str, Any], arm: str = "", *,
               results: Path | None = None) -> tuple[list[Traced], list[str]]:
    """Every sample of every benchmark as an item (entry labels prefixed by ``arm``), and notes
    on data that could not be found. A relative data path that is not found from here is
    looked for from the folders above ``results`` (the run was started elsewhere)."""
    out: list[Traced] = []
    notes: list[str] = []
    for bench in doc.get("benchmarks", []):
        references, note = _references(bench, results)
        if note:
            notes.append(note)
        for sample in bench.get("samples", []):
            out.append(_sample_item(bench["name"], sample, references.get(sample["id"]), arm))
    return out, notes


def eval_charts(doc: dict[str, Any], arm: str = "") -> list[Chart]:
    """The headline per benchmark, then each breakdown (level, task, question kind, ...)."""
    prefix = f"{arm}: " if arm else ""
    heads = []
    charts = []
    for bench in doc.get("benchmarks", []):
        agg = bench.get("aggregates", {}).get(bench.get("headline"), {})
        heads.append(Bar(f"{bench['name']} ({bench.get('headline')})", agg.get("value", 0.0),
                         agg.get("n")))
        for key, values in bench.get("breakdown", {}).items():
            charts.append(Chart(f"{prefix}{bench['name']} by {key}",
                                [Bar(str(v), m["value"], m.get("n")) for v, m in values.items()]))
    return [Chart(f"{prefix}accuracy by benchmark", heads), *charts]


def trace_items(traced: list[Traced], trace: bool) -> list[Item]:
    """The items with their line hits filled in (one sandbox batch for all of them)."""
    calls = [call for _, call in traced]
    hits = line_hits(calls) if trace else untraced(len(calls))
    for (item, _), (h, note) in zip(traced, hits):
        item.hits, item.trace_note = h, note
    return [item for item, _ in traced]


def load_eval_view(path: Path, *, trace: bool = True) -> View:
    """The view of one evaluation run (its folder or its ``results.json``)."""
    doc = load_results(_results_file(path))
    traced, notes = eval_items(doc, results=_results_file(path))
    model = doc.get("model", {}).get("name", "?")
    return View("eval", f"{path} (model {model})", trace_items(traced, trace),
                eval_charts(doc), notes)


@contextmanager
def _offline():  # type: ignore[no-untyped-def]
    """Hub datasets only from the local cache: a viewer must not wait on the network."""
    saved = {k: os.environ.get(k) for k in _OFFLINE}
    os.environ.update(_OFFLINE)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _find_source(source: str, results: Path | None) -> str:
    """``source`` as given, or found relative to a folder above the results file."""
    if results is None or Path(source).is_absolute() or Path(source).exists():
        return source
    found = [p / source for p in results.resolve().parents if (p / source).exists()]
    return str(found[0]) if found else source


def _references(bench: dict[str, Any],
                results: Path | None) -> tuple[dict[str, dict[str, Any]], str]:
    """Each sample's reference (program, call, truth) by id, from the benchmark's data."""
    from execverify.eval.registry import benchmark_class

    config = bench.get("config", {})
    try:
        cls = benchmark_class(bench["name"])
        source = config.get("source")
        if source == getattr(cls, "hub_id", None):
            source = None
        elif isinstance(source, str):
            source = _find_source(source, results)
        with _offline():
            samples = cls(source, prompt_style=config.get("prompt_style", "direct")).samples()
    except Exception as exc:  # any failure only costs the programs, never the verdicts
        return {}, (f"{bench['name']}: programs not shown, its data could not be read "
                    f"({type(exc).__name__}: {exc})")
    return {s.id: {**s.reference, "_prompt": s.prompt} for s in samples}, ""


def _sample_item(bench: str, sample: dict[str, Any], ref: dict[str, Any] | None,
                 arm: str) -> Traced:
    group = sample.get("group") or {}
    details = sample.get("details") or {}
    completions = list(details.get("completions") or [])
    rewards = list(details.get("reward") or [])
    entries = []
    for k, (passed, answer, status) in enumerate(zip(sample["passed"], sample["answers"],
                                                     sample["statuses"])):
        label = " ".join(p for p in (arm, f"#{k + 1}" if len(sample["passed"]) > 1 else "") if p)
        entries.append(Entry(label=label or "model",
                             completion=completions[k] if k < len(completions) else None,
                             score=rewards[k] if k < len(rewards) else float(passed),
                             ok=bool(passed), status=status, answer=answer))
    level = group.get("level")
    item = Item(id=sample["id"], bench=bench, level=level if isinstance(level, int) else None,
                tag=str(group.get("task", "")), entries=entries)
    if ref is None:
        item.questions = [_answer_question(bench, None, sample)]
        return item, None
    if "record" in ref:
        record = Record.from_dict(ref["record"])
        item.program = record.program
        item.questions = _record_questions(record, ref.get("task", "combined"), sample)
        return item, record_call(record)
    item.program = ref.get("code")
    item.prompt = None if item.program else ref.get("_prompt")
    item.questions = [_answer_question(bench, ref.get("output"), sample)]
    call = None
    if item.program and isinstance(ref.get("input"), str):
        call = (item.program, str(ref.get("entry", "f")), ref["input"])
    return item, call


def _answer_question(bench: str, truth: Any, sample: dict[str, Any]) -> QuestionView:
    """A benchmark with one answer per sample: the model's extracted answer, judged by the
    benchmark's own verdict."""
    accepted = [] if truth is None else [str(truth)]
    return QuestionView(str((sample.get("group") or {}).get("task", "answer")),
                        f"{bench}: the answer extracted from the completion", accepted,
                        given=[(k, a, bool(p)) for k, (a, p)
                               in enumerate(zip(sample["answers"], sample["passed"]))])


def _record_questions(record: Record, task_name: str, sample: dict[str, Any]) -> list[QuestionView]:
    """The questions the task asked, in prompt order, each with every generation's answer line.

    The per-question verdicts in ``results.json`` are the first generation's; for a prompt with
    one question a generation's own verdict is that question's, otherwise later generations show
    their answer unjudged."""
    from execverify.tasks import get_task

    questions = get_task(task_name).questions(record)
    verdicts = [bool(c) for _, c in (sample.get("details") or {}).get("questions", [])]
    completions = (sample.get("details") or {}).get("completions") or []
    out = [QuestionView(q.kind, q.text, list(q.answers), q.line) for q in questions]
    for k, passed in enumerate(sample["passed"]):
        if len(questions) == 1:
            out[0].given.append((k, sample["answers"][k], bool(passed)))
            continue
        # A scored generations file keeps no completions: its answers are what was parsed.
        text = completions[k] if k < len(completions) else sample["answers"][k]
        lines = parse_completion(text).answers
        for i, view in enumerate(out):
            right = verdicts[i] if k == 0 and i < len(verdicts) else None
            view.given.append((k, lines[i] if i < len(lines) else None, right))
    return out
