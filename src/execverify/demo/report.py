"""The demo's before/after report: a table on the console and in ``summary.md``, the numbers in
``results.json``, and ``before_after.png``.

Each change is judged against noise the same way ``execverify eval compare`` does: the
difference over its combined standard error (z). |z| <= 2 is reported as "within noise", and
the summary says so in words rather than leaving a reader to infer it from the digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from execverify.data.dataset import write_atomic, write_json
from execverify.eval.report import (
    delta,
    fmt,
    paired_difference,
    question_verdicts,
    z_score,
    z_value,
)
from execverify.train.config import DemoConfig

if TYPE_CHECKING:
    from execverify.demo.run import DemoResult

ROWS: tuple[tuple[str, str, str], ...] = (
    ("synthetic", "question_accuracy", "held-out synthetic: every question"),
    ("synthetic", "combined", "held-out synthetic: output (white-box prompt)"),
    ("synthetic", "input", "held-out synthetic: input prediction"),
    ("synthetic", "reward", "held-out synthetic: mean reward"),
    ("cruxeval-o", "accuracy", "CRUXEval-O subset: pass@1"),
)
STAGE_NAMES = {"base": "base model", "sft": "after SFT", "final": "after SFT + GRPO"}
NOISE_Z = 2.0


def verdict(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """"beyond noise" when |z| > 2, "within noise" otherwise (or "-" without errors)."""
    if not before or not after:
        return "-"
    z = z_value(before, after)
    if z is not None:
        return "beyond noise" if abs(z) > NOISE_Z else "within noise"
    if before.get("stderr") == 0 and after.get("stderr") == 0:  # exact on both sides
        return "no change" if before["value"] == after["value"] else "beyond noise"
    return "-"


def table(result: DemoResult) -> list[str]:
    """Markdown rows: every metric per evaluated model, the base -> final change with its z
    and verdict, and, when the SFT model was evaluated too, GRPO's own (SFT -> final) z."""
    stages = [s for s in ("base", "sft", "final") if s in result.evals]
    grpo = "sft" in stages and "final" in stages
    lines = ["| metric | n | " + " | ".join(STAGE_NAMES[s] for s in stages)
             + " | change | z (unpaired) | verdict |"
             + (" GRPO alone: z (unpaired) | verdict |" if grpo else ""),
             "| --- | ---: | " + " | ".join("---:" for _ in stages) + " | ---: | ---: | --- |"
             + (" ---: | --- |" if grpo else "")]
    for bench, metric, label in ROWS:
        cells = [result.evals[s].get(bench, {}).get(metric) for s in stages]
        if not any(cells):
            continue
        first, last = cells[0], cells[-1]
        n = next((c["n"] for c in cells if c), 0)
        change = delta(metric, first, last) if first and last else "-"
        z = z_score(first, last) if first and last else "-"
        row = (f"| {label} | {n} | " + " | ".join(fmt(metric, c) for c in cells)
               + f" | {change} | {z} | {verdict(first, last)} |")
        if grpo:
            sft = cells[stages.index("sft")]
            row += (f" {z_score(sft, last) if sft and last else '-'} | "
                    f"{verdict(sft, last)} |")
        lines.append(row)
    return lines


COMPARISONS: tuple[tuple[str, str, str], ...] = (
    ("sft", "final", "GRPO alone (after SFT -> after GRPO)"),
    ("base", "sft", "SFT alone (base -> after SFT)"),
    ("base", "final", "both (base -> after GRPO)"),
)


def paired_changes(result: DemoResult) -> dict[str, dict[str, Any]]:
    """Per pair of evaluated models (``sft->final`` ...), the paired change in held-out
    question accuracy over the same questions (``eval.report.paired_difference``)."""
    import json

    verdicts = {}
    for stage in result.evals:
        path = result.out / "eval" / stage / "synthetic" / "results.json"
        if path.is_file():
            doc = json.loads(path.read_text(encoding="utf-8"))
            verdicts[stage] = question_verdicts(doc, "synthetic")
    out = {}
    for before, after, _ in COMPARISONS:
        if before in verdicts and after in verdicts:
            change = paired_difference(verdicts[before], verdicts[after])
            if change:
                out[f"{before}->{after}"] = change
    return out


def paired_verdict(change: dict[str, Any] | None) -> str:
    if not change or change.get("z") is None:
        return "-" if not change else ("no change" if change["value"] == 0 else "-")
    return "beyond noise" if abs(change["z"]) > NOISE_Z else "within noise"


def paired_lines(result: DemoResult, changes: dict[str, dict[str, Any]] | None = None
                 ) -> list[str]:
    """Markdown rows of the paired changes (``paired_changes``, read when not given): GRPO's
    own effect first."""
    changes = paired_changes(result) if changes is None else changes
    lines = ["| held-out questions, paired | n | change (points) | ± s.e. | gained | lost | z "
             "| verdict |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for before, after, label in COMPARISONS:
        c = changes.get(f"{before}->{after}")
        if c:
            z = "-" if c["z"] is None else f"{c['z']:+.1f}"
            lines.append(f"| {label} | {c['n']} | {100 * c['value']:+.1f} | "
                         f"{100 * (c['stderr'] or 0):.1f} | {c['gained']} | {c['lost']} | {z} "
                         f"| {paired_verdict(c)} |")
    return lines if len(lines) > 2 else []


def conclusion(result: DemoResult, changes: dict[str, dict[str, Any]] | None = None) -> str:
    """One honest sentence on the headline metric (``changes``: ``paired_changes``, read when
    not given)."""
    base = result.evals.get("base", {}).get("synthetic", {}).get("question_accuracy")
    final = result.evals.get("final", {}).get("synthetic", {}).get("question_accuracy")
    judged = verdict(base, final)
    if judged == "-":
        return "The held-out accuracy could not be compared (missing standard errors)."
    moved = "improved" if final["value"] > base["value"] else "did not improve"
    text = (f"Held-out question accuracy {moved}: {fmt('q', base)} -> {fmt('q', final)} "
            f"(percent, ± standard error); the change is {judged} (|z| > {NOISE_Z:g} counts as "
            "beyond noise).")
    sft = result.evals.get("sft", {}).get("synthetic", {}).get("question_accuracy")
    if sft is None:
        text += (" It is the warm-up's and GRPO's together; demo.eval_after_sft=true measures "
                 "them apart.")
        return text
    grpo = (paired_changes(result) if changes is None else changes).get("sft->final")
    text += f" GRPO alone (after SFT -> after GRPO): {fmt('q', sft)} -> {fmt('q', final)}"
    if grpo and grpo.get("z") is not None:
        text += (f"; on the same {grpo['n']} questions GRPO changed accuracy by "
                 f"{100 * grpo['value']:+.1f} points (paired z {grpo['z']:+.1f}: "
                 f"{paired_verdict(grpo)}).")
    else:
        text += f", {verdict(sft, final)}."
    return text


def training_lines(result: DemoResult) -> list[str]:
    sft = result.training.get("sft", {})
    rl = result.training.get("stage1", {})
    share = rl.get("varied_group_share")
    reward = rl.get("reward_mean")
    gate = rl.get("output_gate_share")
    selected = rl.get("selection")
    return [
        f"- SFT warm-up: {sft.get('steps', '-')} steps, drawing from {sft.get('examples', '-')} "
        f"verified trace-grounded examples of {sft.get('records', '-')} records; curves in "
        "`sft/curves.png`",
        f"- stage-1 GRPO: {rl.get('steps', '-')} steps, mean reward "
        f"{'-' if reward is None else f'{reward:.3f}'}, share of groups with unequal rewards "
        f"{'-' if share is None else f'{share:.2f}'}, share of combined completions past the "
        f"output gate {'-' if gate is None else f'{gate:.2f}'}; curves in `stage1/curves.png`, "
        "rollouts in `stage1/rollouts.jsonl`",
        *([f"- stage-1 prompts: {selected['kept']} of {selected['probed']} probed kept (the "
           f"SFT model's rewards differed over {selected['samples']} samples each; "
           "`stage1/selection.json`)"] if selected else []),
    ]


def step_lines(result: DemoResult) -> list[str]:
    """Stage 1 step by step: how many groups could teach, and how far past the gate."""
    rows = result.training.get("stage1", {}).get("per_step") or []
    if not rows:
        return []

    def cell(value: Any, form: str) -> str:
        return "-" if value is None else form.format(value)

    out = ["| stage-1 step | mean reward | groups with unequal rewards | combined past the "
           "output gate | their step accuracy |", "| ---: | ---: | ---: | ---: | ---: |"]
    out += [f"| {r['step']} | {cell(r['reward'], '{:.3f}')} | "
            f"{cell(r['varied_group_share'], '{:.0%}')} | "
            f"{cell(r['output_gate_share'], '{:.0%}')} | "
            f"{cell(r['gated_step_accuracy'], '{:.2f}')} |" for r in rows]
    return [*out, ""]


def demo_summary_markdown(result: DemoResult, demo: DemoConfig,
                          changes: dict[str, dict[str, Any]] | None = None) -> str:
    t = result.timings
    changes = paired_changes(result) if changes is None else changes
    lines = [
        "# execverify CPU demo", "",
        f"Model `{demo.model}`, levels {list(demo.levels)}, seed {demo.seed}; "
        f"{result.data.train_records} training records, {result.data.heldout_records} held-out "
        f"records asking {result.data.heldout_questions} questions; CRUXEval-O: the first "
        f"{demo.cruxeval_limit} problems, official direct prompt ({demo.cruxeval_format}). "
        "Greedy decoding.", "",
        *table(result), "",
        *paired_lines(result, changes), "",
        conclusion(result, changes), "",
        *training_lines(result), "",
        *step_lines(result),
        "Wall time (s): " + ", ".join(f"{k} {v:.0f}" for k, v in t.items()), "",
        *footprint_lines(result),
        "Standard errors treat questions as independent; those of one program are correlated, "
        "so the true uncertainty is somewhat larger.",
    ]
    return "\n".join(lines) + "\n"


def footprint_lines(result: DemoResult) -> list[str]:
    f = result.footprint
    if not f:
        return []
    return [f"Peak resident memory {f['peak_rss_mb'] / 1024:.1f} GiB (this run's process); "
            f"{f['disk_mb'] / 1024:.2f} GiB left on disk in `{result.out}`.", ""]


def write_demo_report(result: DemoResult, demo: DemoConfig) -> str:
    """Write ``summary.md``, ``results.json`` and ``before_after.png``; print the summary."""
    changes = paired_changes(result)  # reads each evaluation's results.json once
    text = demo_summary_markdown(result, demo, changes)
    write_atomic(result.out / "summary.md", text.encode("utf-8"))
    write_json(result.out / "results.json", {
        "evals": result.evals, "paired": changes, "training": result.training,
        "timings": result.timings, "footprint": result.footprint,
        "data": {"train_records": result.data.train_records,
                 "heldout_records": result.data.heldout_records,
                 "heldout_questions": result.data.heldout_questions},
        "conclusion": conclusion(result, changes)})
    plot(result, result.out / "before_after.png")
    print(text)
    return text


def plot(result: DemoResult, path: Any) -> None:
    """Grouped bars with standard-error whiskers, one group per metric, one bar per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = [s for s in ("base", "sft", "final") if s in result.evals]
    rows = [(b, m, label) for b, m, label in ROWS if m != "reward"
            and any(result.evals[s].get(b, {}).get(m) for s in stages)]
    fig, ax = plt.subplots(figsize=(2.2 * max(len(rows), 1) + 2, 3.8))
    width = 0.8 / max(len(stages), 1)
    for k, stage in enumerate(stages):
        cells = [result.evals[stage].get(b, {}).get(m) or {} for b, m, _ in rows]
        xs = [i + (k - (len(stages) - 1) / 2) * width for i in range(len(rows))]
        ax.bar(xs, [100 * (c.get("value") or 0) for c in cells], width,
               yerr=[100 * (c.get("stderr") or 0) for c in cells], capsize=3,
               label=STAGE_NAMES[stage])
    ax.set_xticks(range(len(rows)), [label.split(": ")[-1] + "\n" + label.split(":")[0]
                                     for _, _, label in rows], fontsize=7)
    ax.set_ylabel("% correct (± s.e.)")
    ax.set_title("execverify CPU demo: before and after training", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
