"""Reports from results documents: a Markdown summary, a side-by-side comparison, PNG plots.

Everything here reads the results JSON only (``execverify.eval.schema``), so a report can be
rebuilt, or two runs compared, long after the models are gone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NOT_RATES = frozenset({"reward", "no_truth"})
"""Aggregates that are not fractions, shown as plain numbers instead of percentages."""


def fmt(name: str, metric: dict[str, Any] | None, *, stderr: bool = True) -> str:
    """``45.3 ± 1.8`` for rates (in percent), ``1.234 ± 0.05`` otherwise."""
    if not metric:
        return "-"
    value, err = metric.get("value"), metric.get("stderr")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    scale, digits = (1, 3) if name in NOT_RATES else (100, 1)
    text = f"{value * scale:.{digits}f}"
    if stderr and err is not None:
        text += f" ± {err * scale:.{digits}f}"
    return text


def summary_markdown(doc: dict[str, Any]) -> str:
    """The run at a glance: one headline row per benchmark, then each benchmark's details."""
    model, code = doc["model"], doc["code"]
    commit = (code.get("git_commit") or "unknown")[:12]
    lines = [
        f"# Evaluation of `{model.get('name')}`",
        "",
        f"backend `{model.get('backend', '-')}`, prompt format `{model.get('prompt_format', '-')}`"
        f"; execverify {code.get('execverify')} (commit {commit}"
        f"{', uncommitted changes' if code.get('git_dirty') else ''}); {doc.get('created')}",
        "",
        "| benchmark | samples | metric | score (%) |",
        "| --- | ---: | --- | ---: |",
    ]
    for bench in doc["benchmarks"]:
        head = bench["headline"]
        lines.append(f"| {bench['name']} | {bench['n_samples']} | {head} | "
                     f"{fmt(head, bench['aggregates'].get(head))} |")
    for bench in doc["benchmarks"]:
        lines += ["", *benchmark_markdown(bench)]
    return "\n".join(lines) + "\n"


def benchmark_markdown(bench: dict[str, Any]) -> list[str]:
    config = ", ".join(f"{k}={v}" for k, v in bench["config"].items() if k != "name")
    dec = bench.get("decoding") or {}
    decoding = ", ".join(f"{k}={dec[k]}" for k in ("temperature", "top_p", "n", "max_new_tokens")
                         if k in dec) or "none (generations file)"
    lines = [f"## {bench['name']}", "", f"- config: {config}", f"- decoding: {decoding}",
             f"- data: {bench['data_hash'][:23]}…, {bench['n_samples']} samples",
             f"- statuses: {_counts(bench.get('status_counts', {}))}", "",
             "| metric | value | n |", "| --- | ---: | ---: |"]
    for name, metric in bench["aggregates"].items():
        unit = "" if name in NOT_RATES else " %"
        lines.append(f"| {name}{unit} | {fmt(name, metric)} | {metric.get('n')} |")
    for key, values in bench.get("breakdown", {}).items():
        lines += ["", f"### by {key}", "", f"| {key} | accuracy % | n |", "| --- | ---: | ---: |"]
        lines += [f"| {value} | {fmt('accuracy', m)} | {m.get('n')} |"
                  for value, m in values.items()]
    return lines


def compare_markdown(a: dict[str, Any], b: dict[str, Any], names: tuple[str, str] = ("A", "B")
                     ) -> str:
    """Two runs side by side: every shared aggregate, the difference, and a z score (the
    difference over its combined standard error; |z| > 2 is unlikely to be noise)."""
    left, right = names
    lines = [f"# {left}: `{a['model'].get('name')}`  vs  {right}: `{b['model'].get('name')}`", "",
             f"| benchmark | metric | {left} | {right} | {right} - {left} | z |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    benches_b = {x["name"]: x for x in b["benchmarks"]}
    notes = []
    for bench_a in a["benchmarks"]:
        bench_b = benches_b.get(bench_a["name"])
        if bench_b is None:
            notes.append(f"- {bench_a['name']}: only in {left}")
            continue
        if bench_a["data_hash"] != bench_b["data_hash"]:
            notes.append(f"- {bench_a['name']}: different data (hashes differ); "
                         "differences may not be comparable")
        for metric, ma in bench_a["aggregates"].items():
            mb = bench_b["aggregates"].get(metric)
            if mb is None:
                continue
            lines.append(f"| {bench_a['name']} | {metric} | {fmt(metric, ma)} | "
                         f"{fmt(metric, mb)} | {delta(metric, ma, mb)} | {z_score(ma, mb)} |")
    names_a = {x["name"] for x in a["benchmarks"]}
    notes += [f"- {name}: only in {right}" for name in benches_b if name not in names_a]
    return "\n".join(lines + (["", *notes] if notes else [])) + "\n"


def write_plots(doc: dict[str, Any], folder: Path) -> list[Path]:
    """``accuracy_by_benchmark.png`` and one ``<benchmark>_by_<key>.png`` per breakdown."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    heads = [(b["name"], b["aggregates"].get(b["headline"]) or {}) for b in doc["benchmarks"]]
    written.append(_bar(plt, [n for n, _ in heads], [m for _, m in heads],
                        f"{doc['model'].get('name')}: headline score by benchmark",
                        folder / "accuracy_by_benchmark.png"))
    for bench in doc["benchmarks"]:
        for key, values in bench.get("breakdown", {}).items():
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in bench["name"])
            written.append(_bar(plt, list(values), list(values.values()),
                                f"{bench['name']}: accuracy by {key}",
                                folder / f"{safe}_by_{key}.png"))
    return written


def _bar(plt: Any, labels: list[str], metrics: list[dict[str, Any]], title: str, path: Path
         ) -> Path:
    values = [100 * (m.get("value") or 0.0) for m in metrics]
    errors = [100 * (m.get("stderr") or 0.0) for m in metrics]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.8 * len(labels) + 2), 3.6))
    ax.bar(range(len(labels)), values, yerr=errors, capsize=3, color="#4477aa")
    ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 5 else 0, ha="right"
                  if len(labels) > 5 else "center")
    ax.set_ylabel("%")
    ax.set_ylim(0, max(100.0, *(v + e for v, e in zip(values, errors))) if values else 100.0)
    ax.set_title(title, fontsize=10)
    for i, v in enumerate(values):
        ax.text(i, v + 1, f"{v:.1f}", ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def delta(name: str, a: dict[str, Any], b: dict[str, Any]) -> str:
    scale, digits = (1, 3) if name in NOT_RATES else (100, 1)
    return f"{(b['value'] - a['value']) * scale:+.{digits}f}"


def z_value(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    """``b - a`` over its combined standard error; None without errors or when both are 0."""
    if a.get("stderr") is None or b.get("stderr") is None:
        return None
    spread = math.hypot(a["stderr"], b["stderr"])
    return (b["value"] - a["value"]) / spread if spread > 0 else None


def question_items(bench: dict[str, Any]
                   ) -> Iterator[tuple[str, int, bool, str, list[str]]]:
    """``(sample id, position, right?, cluster, groups)`` for every question of one benchmark's
    entry in a results document: each question of a synthetic prompt, else the sample itself
    (its first generation, as ``question_accuracy`` and pass@1 count them). ``cluster`` is what
    the question is about: a synthetic record, a REval program run on one input, a CRUXEval
    problem; ``groups`` the subsets it counts in (``kind:state``, ``level:2``, ``task:path``).
    REval samples whose program failed on its input (``no_truth``) ask nothing."""
    for sample in bench["samples"]:
        if "no_truth" in sample.get("statuses", []):
            continue
        sid, group = str(sample["id"]), sample.get("group") or {}
        questions = (sample.get("details") or {}).get("questions")
        if bench["name"] == "synthetic" and questions is not None:
            for k, (kind, right) in enumerate(questions):
                yield sid, k, bool(right), sid.rsplit("/", 1)[0], [
                    f"kind:{kind}", f"level:{group.get('level')}"]
        else:
            cluster = "/".join(sid.split("/")[:3]) if bench["name"] == "reval" else sid
            groups = [f"task:{group['task']}"] if "task" in group else []
            right = bool(sample["passed"][0]) if sample["passed"] else False
            yield sid, 0, right, cluster, groups


def question_verdicts(doc: dict[str, Any], benchmark: str) -> dict[tuple[str, int], bool]:
    """Right or wrong per question of one benchmark's results: ``(sample id, position)`` ->
    verdict (``question_items``)."""
    return {(sid, k): right for bench in doc.get("benchmarks", [])
            if bench.get("name") == benchmark
            for sid, k, right, _, _ in question_items(bench)}


def paired_difference(a: dict[tuple[str, int], bool], b: dict[tuple[str, int], bool]
                      ) -> dict[str, Any] | None:
    """``b - a`` over the questions both answered: the mean paired difference, its standard
    error and z. Two models asked the same questions agree on most of them, so the paired
    error is much smaller than the two accuracies' errors combined (which ``z_value`` uses,
    as if the questions were different); None below two shared questions."""
    from execverify.eval.metrics import mean_stderr

    shared = sorted(a.keys() & b.keys())
    if len(shared) < 2:
        return None
    metric = mean_stderr([float(b[k]) - float(a[k]) for k in shared])
    z = metric.value / metric.stderr if metric.stderr else None
    return {"value": metric.value, "stderr": metric.stderr, "n": metric.n, "z": z,
            "gained": sum(b[k] and not a[k] for k in shared),
            "lost": sum(a[k] and not b[k] for k in shared)}


def z_score(a: dict[str, Any], b: dict[str, Any]) -> str:
    z = z_value(a, b)
    return "-" if z is None else f"{z:+.1f}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "-"
