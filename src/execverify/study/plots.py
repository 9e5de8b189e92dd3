"""The study's plots: accuracy by arm and benchmark with interval bars, and the RL arms'
reward and informative-group curves (mean over seeds per step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from execverify.study.config import RL_ARMS


def write_study_plots(doc: dict[str, Any], folder: Path) -> list[Path]:
    """``accuracy_by_arm.png`` and, when an RL arm logged steps, ``training_curves.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = [_accuracy(plt, doc, folder / "accuracy_by_arm.png")]
    curves = _curves(doc)
    if curves:
        written.append(_training(plt, curves, folder / "training_curves.png"))
    return written


def _accuracy(plt: Any, doc: dict[str, Any], path: Path) -> Path:
    benches = list(doc["benchmarks"])
    arms = doc["arms"]
    width = 0.8 / len(arms)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.6 * len(benches) + 2), 3.8))
    for k, arm in enumerate(arms):
        cells = [doc["results"][arm][b][doc["benchmarks"][b]["headline"]] for b in benches]
        values = [100 * c["value"] for c in cells]
        errors = [[100 * (c["value"] - c["low"]) for c in cells],
                  [100 * (c["high"] - c["value"]) for c in cells]]
        ax.bar([i + (k - (len(arms) - 1) / 2) * width for i in range(len(benches))], values,
               width, yerr=errors, capsize=2, label=arm)
    ax.set_xticks(range(len(benches)), benches)
    ax.set_ylabel("accuracy (%)")
    ax.set_title("accuracy by arm (seeds pooled; bars: bootstrap interval)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _curves(doc: dict[str, Any]) -> dict[str, list[dict[str, float]]]:
    """RL arm -> per step, the mean over seeds of reward and informative-group share."""
    out = {}
    for arm in doc["arms"]:
        if arm not in RL_ARMS:
            continue
        by_step: dict[int, list[dict[str, Any]]] = {}
        for seed in doc["training"][arm]["seeds"].values():
            for row in seed.get("per_step", []):
                by_step.setdefault(int(row["step"]), []).append(row)
        if by_step:
            out[arm] = [{"step": step, **{key: _mean([r[key] for r in rows])
                                          for key in ("reward", "varied_group_share")}}
                        for step, rows in sorted(by_step.items())]
    return out


def _mean(values: list[Any]) -> float:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else float("nan")


def _training(plt: Any, curves: dict[str, list[dict[str, float]]], path: Path) -> Path:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for arm, rows in curves.items():
        steps = [r["step"] for r in rows]
        left.plot(steps, [r["reward"] for r in rows], label=arm)
        right.plot(steps, [100 * r["varied_group_share"] for r in rows], label=arm)
    left.set(xlabel="step", ylabel="mean reward", title="reward (each arm's own)")
    right.set(xlabel="step", ylabel="%", title="groups with unequal rewards")
    for ax in (left, right):
        ax.title.set_fontsize(10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
