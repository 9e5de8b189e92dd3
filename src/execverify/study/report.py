"""The study's results: ``results.json`` (schema ``execverify.study/1``), ``report.md`` and
plots, all computed from the arms' evaluation results files and training logs.

Every number is per question (a CRUXEval problem, a REval probe, or one question of a
held-out synthetic prompt) and pools the seeds: arm A at seed s is compared with arm B at the
same seed, on the same questions. Intervals come from ``execverify.eval.stats``: a bootstrap
that resamples whole programs (all their questions, every seed), and McNemar's exact test.

Schema ``execverify.study/1``::

    {"schema", "created", "code", "recipe": {section: config},
     "arms": [arm], "seeds": [seed], "data": {train_records, heldout_records, ...},
     "benchmarks": {bench: {"headline": metric, "metrics": [metric], "data_hash"}},
     "results": {arm: {bench: {metric: {"value", "low", "high", "n", "clusters"}}}},
     "comparisons": [{"a", "b", "benchmark", "metric", "value", "low", "high", "n",
                      "clusters", "gained", "lost", "p_value", "verdict"}],
     "training": {arm: {"seeds": {seed: {...}}, "generated_tokens", "trained_tokens"}},
     "runs": {arm: {seed: {bench: "eval/<arm>/seed-<s>/<bench>/results.json"}}},
     "timings": {phase: seconds}}

``value``, ``low`` and ``high`` are fractions; a comparison's are arm ``a``'s accuracy minus
arm ``b``'s over the same questions (``whitebox - output_only``), as the report prints them.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from execverify.eval.report import question_items
from execverify.eval.stats import bootstrap_mean, by_cluster, paired_comparison

if TYPE_CHECKING:
    from execverify.demo.data import DemoData
    from execverify.study.run import Study

STUDY_SCHEMA = "execverify.study/1"
RESULTS_FILE = "results.json"
REPORT_FILE = "report.md"

COMPARED_ARMS = (("whitebox", "output_only"), ("whitebox", "sft"), ("output_only", "sft"),
         ("whitebox", "ungated"), ("ungated", "sft"), ("whitebox", "sft_more"),
         ("sft_more", "sft"))
"""Comparisons reported, first minus second, for the arms a study has."""

BENCH_TITLES = {"synthetic": "held-out synthetic", "cruxeval-o": "CRUXEval-O subset",
                "cruxeval-i": "CRUXEval-I subset", "reval": "REval subset"}

QuestionKey = tuple[int, str, int]
"""(seed, sample id, question position)."""


# -- per-question verdicts --------------------------------------------------------------------


def headline(bench: str) -> str:
    """The every-question metric's name: ``question_accuracy`` where a sample asks several
    questions (synthetic) or a benchmark's own accuracy means something else (REval's is a
    mean over tasks), else ``accuracy`` (a CRUXEval problem is one question)."""
    return "question_accuracy" if bench in ("synthetic", "reval") else "accuracy"


class Pool:
    """One arm's verdicts on one benchmark, every seed pooled."""

    def __init__(self, bench: str) -> None:
        self.headline = headline(bench)
        self.data_hash = ""
        self.right: dict[QuestionKey, bool] = {}
        self.cluster: dict[QuestionKey, str] = {}
        self.groups: dict[QuestionKey, list[str]] = {}

    def add(self, seed: int, doc: dict[str, Any]) -> None:
        self.data_hash = doc["benchmarks"][0]["data_hash"]
        for sid, k, right, cluster, groups in question_items(doc["benchmarks"][0]):
            item = (seed, sid, k)
            self.right[item], self.cluster[item], self.groups[item] = right, cluster, groups

    def subset(self, metric: str) -> dict[QuestionKey, bool]:
        if metric == self.headline:
            return self.right
        return {i: r for i, r in self.right.items() if metric in self.groups[i]}

    def metrics(self) -> list[str]:
        found = sorted({g for groups in self.groups.values() for g in groups})
        return [self.headline, *found]


def load_pools(out: Path, arms: Iterable[str], seeds: Iterable[int], benches: Iterable[str]
               ) -> dict[str, dict[str, Pool]]:
    """arm -> benchmark -> Pool, from ``eval/<arm>/seed-<s>/<bench>/results.json``."""
    from execverify.eval.schema import load_results

    seeds = list(seeds)
    pools: dict[str, dict[str, Pool]] = {}
    for arm in arms:
        for bench in benches:
            pool = pools.setdefault(arm, {}).setdefault(bench, Pool(bench))
            for seed in seeds:
                pool.add(seed, load_results(out / run_path(arm, seed, bench)))
    return pools


def run_path(arm: str, seed: int, bench: str) -> str:
    return f"eval/{arm}/seed-{seed}/{bench}/{RESULTS_FILE}"


# -- the document --------------------------------------------------------------------------


def study_document(study: Study, data: DemoData, timings: dict[str, float]) -> dict[str, Any]:
    """results.json's document, from the evaluations and training logs under ``study.out``."""
    from execverify.config import plain_config
    from execverify.eval.schema import code_version

    c = study.config
    benches = [run.name for run in study.benchmarks(data)]
    pools = load_pools(study.out, c.arms, study.seeds, benches)
    options = {"samples": c.bootstrap_samples, "confidence": c.confidence}
    results: dict[str, dict[str, Any]] = {}
    metrics: dict[str, list[str]] = {}
    for bench in benches:
        metrics[bench] = sorted({m for arm in c.arms for m in pools[arm][bench].metrics()},
                                key=lambda m: (m != headline(bench), m))
        for arm in c.arms:
            pool = pools[arm][bench]
            subsets = {m: pool.subset(m) for m in metrics[bench]}
            results.setdefault(arm, {})[bench] = {
                m: bootstrap_mean(by_cluster({i: float(r) for i, r in items.items()},
                                             pool.cluster), **options).to_dict()
                for m, items in subsets.items() if items}
    comparisons = []
    for a, b in COMPARED_ARMS:
        if a not in c.arms or b not in c.arms:
            continue
        for bench in benches:
            pa, pb = pools[a][bench], pools[b][bench]
            for m in metrics[bench]:
                found = paired_comparison(pb.subset(m), pa.subset(m), pa.cluster, **options)
                if found is not None:
                    comparisons.append({"a": a, "b": b, "benchmark": bench, "metric": m,
                                        **found.to_dict()})
    return {
        "schema": STUDY_SCHEMA,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "recipe": {name: plain_config(getattr(study, name))
                   for name in ("config", "demo", "sft", "stage1", "reward")},
        "arms": list(c.arms), "seeds": study.seeds,
        "data": {"train_records": data.train_records, "heldout_records": data.heldout_records,
                 "heldout_questions": data.heldout_questions},
        "benchmarks": {bench: {"headline": headline(bench), "metrics": metrics[bench],
                               "data_hash": pools[c.arms[0]][bench].data_hash}
                       for bench in benches},
        "results": results,
        "comparisons": comparisons,
        "training": training(study),
        "runs": {arm: {str(s): {bench: run_path(arm, s, bench) for bench in benches}
                       for s in study.seeds} for arm in c.arms},
        "timings": timings,
    }


def training(study: Study) -> dict[str, Any]:
    """Per arm and seed, what its own training did beyond the shared warm-up: steps,
    sequences, tokens generated (rollouts) and tokens in training batches, mean reward and
    the share of groups with unequal rewards (RL arms)."""
    from execverify.study.config import RL_ARMS
    from execverify.train.tracking import finished, load_history

    out: dict[str, Any] = {}
    for arm in study.config.arms:
        seeds: dict[str, Any] = {}
        for seed in study.seeds:
            folder = study.model_dir(arm, seed)
            history, done = load_history(folder), finished(folder) or {}
            row: dict[str, Any] = {"steps": done.get("steps", 0)}
            if arm in RL_ARMS:
                s = study.stage1
                per_step = s.prompts_per_step * s.num_generations
                lengths = [r["completions/mean_length"] for r in history
                           if "completions/mean_length" in r]
                row.update({
                    "sequences": row["steps"] * per_step,
                    "generated_tokens": round(sum(lengths) / len(lengths) * row["steps"]
                                              * per_step) if lengths else 0,
                    "reward_mean": done.get("reward_mean"),
                    "varied_group_share": done.get("varied_group_share"),
                    "per_step": done.get("per_step", []),
                })
            elif arm == "sft_more":
                warm = study.sft_more_config(seed)
                row["sequences"] = row["steps"] * warm.batch_size * warm.gradient_accumulation_steps
                row["generated_tokens"] = 0
            else:
                row.update({"sequences": 0, "generated_tokens": 0})
            counted = [r["num_tokens"] for r in history if "num_tokens" in r]
            row["trained_tokens"] = (int(max(counted)) if counted and arm != "sft" else 0)
            seeds[str(seed)] = row
        out[arm] = {"seeds": seeds,
                    "generated_tokens": sum(r["generated_tokens"] for r in seeds.values()),
                    "trained_tokens": sum(r["trained_tokens"] for r in seeds.values())}
    return out


def write_study_report(study: Study, data: DemoData, timings: dict[str, float]
                       ) -> dict[str, Any]:
    """results.json, report.md and plots/ in ``study.out``; returns the document."""
    from execverify.data.dataset import write_atomic
    from execverify.eval.schema import write_json_atomic
    from execverify.study.markdown import study_markdown
    from execverify.study.plots import write_study_plots

    doc = study_document(study, data, timings)
    write_json_atomic(study.out / RESULTS_FILE, doc)
    write_study_plots(doc, study.out / "plots")
    write_atomic(study.out / REPORT_FILE, study_markdown(doc).encode("utf-8"))
    return doc


def load_study_results(path: str | Path) -> dict[str, Any]:
    """A study's results.json, checked for its schema (ValueError otherwise)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("schema") != STUDY_SCHEMA:
        raise ValueError(f"{str(path)!r} is not a study results file (schema "
                         f"{doc.get('schema') if isinstance(doc, dict) else None!r}; this "
                         f"execverify reads {STUDY_SCHEMA})")
    return doc


def arm_document(doc: dict[str, Any], arm: str) -> dict[str, Any]:
    """One arm of a study as an ``execverify.eval/1``-shaped document (seeds pooled; the
    interval's half-width over 1.96 as the standard error), so ``eval compare`` can set an arm
    beside any evaluation run: ``eval compare runs/base/results.json study/results.json:sft``."""
    if arm not in doc["results"]:
        raise ValueError(f"the study has no arm {arm!r}; it has {', '.join(doc['arms'])}")
    benchmarks = []
    for bench, metrics in doc["results"][arm].items():
        aggregates = {m: {"value": v["value"], "stderr": (v["high"] - v["low"]) / 3.92,
                          "n": v["n"]} for m, v in metrics.items()}
        head = doc["benchmarks"][bench]["headline"]
        benchmarks.append({"name": bench, "headline": head, "aggregates": aggregates,
                           "data_hash": doc["benchmarks"][bench]["data_hash"],
                           "n_samples": metrics[head]["n"]})
    return {"schema": "execverify.eval/1", "model": {"name": f"{arm} (seeds "
                                                     f"{', '.join(map(str, doc['seeds']))})"},
            "code": doc["code"], "benchmarks": benchmarks}
