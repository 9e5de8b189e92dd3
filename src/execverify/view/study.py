"""Studies: several evaluation runs (one per arm) side by side on the same problems.

A study folder holds one ``results.json`` per (arm, benchmark) somewhere below it, e.g.
``arms/<arm>/eval/<benchmark>/results.json`` or, in a demo's ``eval/`` folder,
``<model>/<benchmark>/results.json``. An arm is named by the folder path of its results file,
without a leading ``arms/`` or ``eval/`` and a trailing ``eval/<name>`` or ``<benchmark>``.
Samples with the same benchmark and id become one item, its entries one per arm.
"""

from __future__ import annotations

from pathlib import Path

from execverify.eval.schema import load_results
from execverify.view.evalrun import Traced, eval_charts, eval_items, is_results, trace_items
from execverify.view.model import Bar, Chart, View


def find_runs(root: Path) -> list[Path]:
    """Every evaluation's ``results.json`` below ``root``, in sorted path order."""
    return sorted(p for p in root.rglob("results.json") if not any(
        part.startswith(".") for part in p.relative_to(root).parts) and is_results(p))


def _arm_name(root: Path, results: Path, benches: set[str]) -> str:
    """``arms/base/eval/synthetic/results.json`` and ``eval/base/synthetic/results.json``
    -> ``base``, when ``synthetic`` is one of ``benches``, the run's benchmarks."""
    parts = list(results.parent.relative_to(root).parts)
    if len(parts) >= 2 and parts[-2] == "eval":
        parts = parts[:-2]
    elif parts and parts[-1] in benches:
        parts = parts[:-1]
    if parts and parts[0] in ("arms", "eval"):
        parts = parts[1:]
    return "/".join(parts) or root.name


def load_study_view(root: Path, *, trace: bool = True) -> View:
    """The view of a study folder: every arm's samples merged per (benchmark, id)."""
    merged: dict[tuple[str, str], Traced] = {}
    heads: dict[str, list[Bar]] = {}
    notes: list[str] = []
    charts: list[Chart] = []
    for results in find_runs(root):
        doc = load_results(results)
        arm = _arm_name(root, results, {b["name"] for b in doc.get("benchmarks", [])})
        traced, arm_notes = eval_items(doc, arm, results=results)
        notes += [f"{arm}: {n}" for n in arm_notes]
        first, *rest = eval_charts(doc, arm)
        for bar in first.bars:
            heads.setdefault(bar.label, []).append(Bar(arm, bar.value, bar.n))
        charts += rest
        for item, call in traced:
            key = (item.bench, item.id)
            if key not in merged:
                merged[key] = (item, call)
                continue
            base = merged[key][0]
            offset = len(base.entries)
            base.entries += item.entries
            for mine, theirs in zip(base.questions, item.questions):
                mine.given += [(k + offset, a, c) for k, a, c in theirs.given]
    head_charts = [Chart(f"{label} by arm", bars) for label, bars in heads.items()]
    return View("study", str(root), trace_items(list(merged.values()), trace),
                head_charts + charts, notes)
