"""What a synthesis run produced: counts, rejections and measured difficulty per level.

The table shows that the levels really get harder (more executed steps, deeper control flow,
helper calls at level 6); the PNG shows the same as box plots.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from execverify.data.records import Record

FEATURES = ("steps", "lines", "control_flow_depth", "methods")


def level_features(records: Iterable[Record]) -> dict[int, dict[str, list[float]]]:
    """Per level, per feature, the measured values of every record."""
    table: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        f = record.features
        row = table[record.level]
        row["steps"].append(f.get("steps", 0))
        row["lines"].append(f.get("lines", 0))
        row["control_flow_depth"].append(f.get("control_flow_depth", 0))
        row["methods"].append(len(f.get("methods", ())) + len(f.get("builtins", ())))
        row["helper_call"].append(1.0 if f.get("helper_call") else 0.0)
        row["questions"].append(len(record.questions))
    return table


def synth_summary_markdown(manifest: dict[str, Any],
                           features: dict[int, dict[str, list[float]]]) -> str:
    reasons = sorted({r for rej in manifest["rejected_per_level"].values() for r in rej})
    lines = ["| level | kept | " + " | ".join(f"rejected: {r}" for r in reasons) + " |",
             "| ---: | ---: |" + " ---: |" * len(reasons)]
    for level, kept in manifest["counts_per_level"].items():
        rejected = manifest["rejected_per_level"].get(level, {})
        cells = " | ".join(str(rejected.get(r, 0)) for r in reasons)
        lines.append(f"| {level} | {kept} | {cells} |")
    lines += ["", "| level | steps (mean) | steps (median) | lines | control depth | "
              "methods used | helper call | questions |", "| ---: |" + " ---: |" * 7]
    for level in sorted(features):
        f = features[level]
        lines.append(
            f"| {level} | {statistics.fmean(f['steps']):.1f} | {statistics.median(f['steps']):.0f}"
            f" | {statistics.fmean(f['lines']):.1f} | {statistics.fmean(f['control_flow_depth']):.2f}"
            f" | {statistics.fmean(f['methods']):.1f} | {statistics.fmean(f['helper_call']):.0%}"
            f" | {statistics.fmean(f['questions']):.1f} |"
        )
    return "\n".join(lines) + "\n"


def plot_features(features: dict[int, dict[str, list[float]]], path: Path) -> bool:
    """Box plots of the measured features per level; False if matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    levels = sorted(features)
    fig, axes = plt.subplots(1, len(FEATURES), figsize=(4 * len(FEATURES), 3.6))
    for ax, name in zip(axes, FEATURES):
        ax.boxplot([features[level][name] for level in levels], showfliers=False)
        ax.set_xticks(range(1, len(levels) + 1), [str(level) for level in levels])
        ax.set_title(name.replace("_", " "))
        ax.set_xlabel("level")
    fig.suptitle("Measured program features per difficulty level")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return True


def write_synth_report(out: Path, manifest: dict[str, Any], records: Iterable[Record]) -> str:
    """Write report.md (and report.png where matplotlib is installed) into ``out``."""
    from execverify.data.dataset import write_atomic

    features = level_features(records)
    text = "# Synthesis report\n\n" + synth_summary_markdown(manifest, features)
    if plot_features(features, out / "report.png"):
        text += "\n![features per level](report.png)\n"
    write_atomic(out / "report.md", text.encode("utf-8"))
    return text
