"""``report.md`` from a study's results document: per benchmark an arm x metric table with
intervals, then the paired differences between arms, the training each arm got, and the
verdicts in words. Reads the document only, so ``execverify eval compare STUDY/results.json``
prints the same tables long after the models are gone."""

from __future__ import annotations

from typing import Any

from execverify.study.report import BENCH_TITLES


def pct(value: float) -> str:
    return f"{100 * value:.1f}"


def interval(v: dict[str, Any], *, signed: bool = False) -> str:
    """``45.3 [40.1, 50.2]`` (percent); ``+2.0 [-1.2, +5.1]`` with ``signed``."""
    form = "{:+.1f}" if signed else "{:.1f}"
    return (f"{form.format(100 * v['value'])} [{form.format(100 * v['low'])}, "
            f"{form.format(100 * v['high'])}]")


def metric_label(metric: str) -> str:
    if metric in ("accuracy", "question_accuracy"):
        return "every question"
    key, _, value = metric.partition(":")
    return f"{key} {value}"


def arm_tables(doc: dict[str, Any]) -> list[str]:
    """Per benchmark: a row per metric, a column per arm, accuracy with its interval."""
    conf = round(100 * doc["recipe"]["config"]["confidence"])
    lines = []
    for bench, info in doc["benchmarks"].items():
        arms = [a for a in doc["arms"] if bench in doc["results"].get(a, {})]
        lines += ["", f"### {BENCH_TITLES.get(bench, bench)} (`{bench}`)", "",
                  f"Accuracy (%) with {conf}% bootstrap interval; n = questions over all seeds.",
                  "", "| metric | n | " + " | ".join(arms) + " |",
                  "| --- | ---: |" + " ---: |" * len(arms)]
        for metric in info["metrics"]:
            cells = [doc["results"][a][bench].get(metric) for a in arms]
            n = next((c["n"] for c in cells if c), 0)
            lines.append(f"| {metric_label(metric)} | {n} | "
                         + " | ".join(interval(c) if c else "-" for c in cells) + " |")
    return lines


def comparison_tables(doc: dict[str, Any]) -> list[str]:
    """Per benchmark: each pair's paired difference (points), interval, counts, p, verdict."""
    lines = []
    for bench in doc["benchmarks"]:
        rows = [c for c in doc["comparisons"] if c["benchmark"] == bench]
        if not rows:
            continue
        lines += ["", f"### {BENCH_TITLES.get(bench, bench)} (`{bench}`)", "",
                  "| comparison | metric | n | difference (points) [interval] | gained | lost "
                  "| McNemar p | verdict |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        lines += [f"| {c['a']} - {c['b']} | {metric_label(c['metric'])} | {c['n']} | "
                  f"{interval(c, signed=True)} | {c['gained']} | {c['lost']} | "
                  f"{c['p_value']:.3g} | {c['verdict']} |" for c in rows]
    return lines


def training_table(doc: dict[str, Any]) -> list[str]:
    """What each arm trained beyond the shared warm-up, summed over seeds."""
    lines = ["| arm | steps per seed | sequences trained | tokens generated | tokens in training "
             "batches | mean reward | groups with unequal rewards |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for arm in doc["arms"]:
        t = doc["training"][arm]
        seeds = list(t["seeds"].values())
        steps = "/".join(str(s["steps"]) for s in seeds)
        rewards = [s["reward_mean"] for s in seeds if s.get("reward_mean") is not None]
        varied = [s["varied_group_share"] for s in seeds
                  if s.get("varied_group_share") is not None]
        lines.append(f"| {arm} | {steps} | {sum(s['sequences'] for s in seeds):,} | "
                     f"{t['generated_tokens']:,} | {t['trained_tokens']:,} | "
                     f"{_mean(rewards, '{:.3f}')} | {_mean(varied, '{:.0%}')} |")
    return lines


def _mean(values: list[float], form: str) -> str:
    return form.format(sum(values) / len(values)) if values else "-"


def verdict_lines(doc: dict[str, Any]) -> list[str]:
    """One sentence per comparison on each benchmark's every-question metric."""
    lines = []
    for c in doc["comparisons"]:
        if c["metric"] != doc["benchmarks"][c["benchmark"]]["headline"]:
            continue
        lines.append(f"- {c['a']} vs {c['b']}, {BENCH_TITLES.get(c['benchmark'], c['benchmark'])}"
                     f": {100 * c['value']:+.1f} points [{100 * c['low']:+.1f}, "
                     f"{100 * c['high']:+.1f}] over {c['n']} paired questions "
                     f"({c['gained']} gained, {c['lost']} lost, McNemar p {c['p_value']:.3g}): "
                     f"{c['verdict']}.")
    return lines


def study_tables(doc: dict[str, Any]) -> str:
    """The verdicts, the arm x metric tables and the paired differences: what
    ``execverify eval compare STUDY/results.json`` prints."""
    return "\n".join(["## Verdicts", "", *verdict_lines(doc), "", "## Accuracy by arm",
                      *arm_tables(doc), "", "## Paired differences",
                      *comparison_tables(doc)]) + "\n"


def study_markdown(doc: dict[str, Any]) -> str:
    """The whole report."""
    recipe, data = doc["recipe"], doc["data"]
    demo, stage1 = recipe["demo"], recipe["stage1"]
    conf = round(100 * recipe["config"]["confidence"])
    code = doc["code"]
    lines = [
        "# Study: white-box rewards, output-only rewards and SFT", "",
        f"Model `{demo['model']}`, arms {', '.join(doc['arms'])}, seeds "
        f"{', '.join(map(str, doc['seeds']))}; {data['train_records']} training records, "
        f"{data['heldout_records']} held-out records asking {data['heldout_questions']} "
        f"questions; greedy evaluation. RL arms: {stage1['max_steps']} steps of "
        f"{stage1['prompts_per_step']} prompts x {stage1['num_generations']} rollouts, up to "
        f"{stage1['max_completion_length']} tokens each, the same prompts for every RL arm at "
        f"a seed. execverify {code.get('execverify')} (commit "
        f"{(code.get('git_commit') or 'unknown')[:12]}"
        f"{', uncommitted changes' if code.get('git_dirty') else ''}); {doc['created']}.", "",
        "Differences are paired: the same questions, arm against arm at the same seed, seeds "
        f"pooled. Intervals are {conf}% percentile intervals of a bootstrap that resamples "
        "programs (all their questions, every seed). A difference is beyond noise when its "
        "interval leaves out 0 and McNemar's exact test on the questions the two arms "
        f"disagree on gives p < {1 - recipe['config']['confidence']:.2g}; otherwise within "
        "noise.", "",
        study_tables(doc).rstrip("\n"), "",
        "## Training (beyond the shared SFT warm-up; sums over seeds)", "",
        *training_table(doc), "",
        "Wall time (s): " + ", ".join(f"{k} {v:.0f}" for k, v in doc["timings"].items()), "",
        "Plots: `plots/accuracy_by_arm.png`, `plots/training_curves.png`.",
    ]
    return "\n".join(lines) + "\n"
