"""What every training stage shares around the trainer: resuming, metric logs and curves.

- Resume: a killed run restarts from the newest ``checkpoint-N`` folder in its output folder
  (the Trainer's own checkpoints: weights, optimiser, scheduler, RNG state, step), so rerunning
  the same command goes on instead of starting over. A finished stage leaves ``done.json``;
  rerunning it then does nothing.
- Logs: metrics go to the console and to TensorBoard (``<output_dir>/runs``), or W&B when the
  recipe asks; the full log history is kept as ``metrics.jsonl`` next to the model.
- Curves: ``curves.png``, reward and accuracy (or loss) against step, drawn at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from execverify.data.dataset import write_atomic, write_json

CHECKPOINTS_KEPT = 1
"""Checkpoints kept per run: resuming needs only the newest, and each holds the optimiser
state (about 1.6 GB for the 135M built-in model), so older ones are deleted as new ones land."""
DONE_FILE = "done.json"
METRICS_FILE = "metrics.jsonl"
CURVES_FILE = "curves.png"

CURVES: dict[str, tuple[str, ...]] = {
    "reward": ("reward", "rewards/execverify_combined/mean", "rewards/execverify_input/mean",
               "rewards/execverify_codegen/mean"),
    "accuracy": ("mean_token_accuracy",),
    "loss": ("loss",),
    "share of groups with equal rewards": ("frac_reward_zero_std",),
}
"""Panels of ``curves.png`` and the log keys drawn in each (absent keys are skipped)."""


def last_checkpoint(output_dir: str | Path) -> str | None:
    """The newest ``checkpoint-N`` folder of a run, to resume from; None for a fresh start."""
    from transformers.trainer_utils import get_last_checkpoint

    folder = Path(output_dir)
    return get_last_checkpoint(str(folder)) if folder.is_dir() else None


def finished(output_dir: str | Path) -> dict[str, Any] | None:
    """The summary a completed stage wrote, or None if it has not completed."""
    path = Path(output_dir) / DONE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def load_history(output_dir: str | Path) -> list[dict[str, Any]]:
    """The log history a finished stage wrote to ``metrics.jsonl``."""
    path = Path(output_dir) / METRICS_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run_trainer(trainer: Any, output_dir: str | Path) -> None:
    """Train, resuming from the newest checkpoint when a previous run was killed."""
    trainer.train(resume_from_checkpoint=last_checkpoint(output_dir))


def run_stage(output_dir: str | Path, build: Callable[[], Any], save: Callable[[Any], None],
              summarize: Callable[[Any], dict[str, Any]], *, keep_checkpoints: bool = False
              ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One stage, once: ``(summary, log history)``.

    A finished stage returns what it recorded without building anything. Otherwise the trainer
    ``build()`` makes trains (resuming from the newest checkpoint), ``save(trainer)`` writes the
    model, and ``summarize(trainer)`` becomes ``done.json`` next to the metrics and curves.
    Then, unless ``keep_checkpoints``, the checkpoints go: they exist to resume a killed run,
    and each holds the optimiser state (1.5 GB for the built-in model)."""
    done = finished(output_dir)
    if done:
        return done, load_history(output_dir)
    trainer = build()
    run_trainer(trainer, output_dir)
    save(trainer)
    history = list(trainer.state.log_history)
    summary = summarize(trainer)
    finish(output_dir, history, summary)
    if not keep_checkpoints:
        drop_checkpoints(output_dir)
    return summary, history


def drop_checkpoints(output_dir: str | Path) -> None:
    """Remove the ``checkpoint-N`` folders of a finished stage (after its ``done.json``)."""
    import shutil

    from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

    for path in Path(output_dir).glob(f"{PREFIX_CHECKPOINT_DIR}-*"):
        if path.is_dir():
            shutil.rmtree(path)


def finish(output_dir: str | Path, log_history: Sequence[dict[str, Any]],
           summary: dict[str, Any]) -> None:
    """Write the metric log, the curves and, last, ``done.json`` (so a kill before the end
    leaves the stage unfinished, to be resumed)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(row, sort_keys=True) + "\n" for row in log_history)
    write_atomic(folder / METRICS_FILE, lines.encode("utf-8"))
    plot_curves(log_history, folder / CURVES_FILE)
    write_json(folder / DONE_FILE, summary)


def series(log_history: Sequence[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    """``(steps, values)`` of one logged metric."""
    points = [(int(row.get("step", i)), float(row[key])) for i, row in enumerate(log_history)
              if isinstance(row.get(key), (int, float))]
    return [p[0] for p in points], [p[1] for p in points]


def plot_curves(log_history: Sequence[dict[str, Any]], path: str | Path) -> bool:
    """Draw the panels of ``CURVES`` that have data into ``path``; False if none had any."""
    panels = [(title, [(k, *series(log_history, k)) for k in keys])
              for title, keys in CURVES.items()]
    panels = [(title, [c for c in curves if c[1]]) for title, curves in panels]
    panels = [(title, curves) for title, curves in panels if curves]
    if not panels:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.4), squeeze=False)
    for ax, (title, curves) in zip(axes[0], panels):
        for key, steps, values in curves:
            ax.plot(steps, values, marker="o", markersize=2.5, label=key)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if len(curves) > 1:
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def report_to(backends: Sequence[str]) -> list[str]:
    """Trainer ``report_to``: the recipe's list, with W&B only where it is installed (a
    missing optional logger should not stop a run; TensorBoard ships with the train extra)."""
    import importlib.util

    out = []
    for name in backends:
        if name == "wandb" and importlib.util.find_spec("wandb") is None:
            import warnings

            warnings.warn("report_to names wandb but it is not installed; logging to the "
                          "console and TensorBoard only (pip install wandb)", stacklevel=2)
            continue
        out.append(name)
    return out
