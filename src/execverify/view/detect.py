"""What a PATH is, and the loader for it.

Checked in this order, so that a folder that is several things is read as the most specific:
a ``results.json`` file, or a folder holding an evaluation's ``results.json``, is an evaluation
run; a folder with ``manifest.json`` or a ``.jsonl`` file of records is a dataset; a
``rollouts.jsonl`` file, or a folder with one below it, is a training run (a demo folder too,
whose own ``results.json`` is its report: its rollouts are the point); a folder with
evaluations' ``results.json`` files below it is a study. Anything else is a ``ViewError``
that says what was looked for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from execverify.eval.schema import ResultsError
from execverify.view.dataset import load_dataset_view
from execverify.view.evalrun import is_results, load_eval_view
from execverify.view.model import View
from execverify.view.study import find_runs, load_study_view
from execverify.view.train import ROLLOUTS_FILE, find_rollouts, load_train_view

VIEW_KINDS = ("dataset", "eval", "train", "study")

_LOADERS: dict[str, Callable[..., View]] = {
    "dataset": load_dataset_view, "eval": load_eval_view, "train": load_train_view,
    "study": load_study_view,
}


class ViewError(ValueError):
    """A PATH the viewer cannot read: not one of the kinds, or broken data."""


def detect_kind(path: Path) -> str:
    """Which of ``VIEW_KINDS`` ``path`` is (see the module docstring for the order)."""
    if not path.exists():
        raise ViewError(f"{path}: no such file or folder")
    if path.is_file():
        if path.name == "results.json":
            return "eval"
        if path.name == ROLLOUTS_FILE:
            return "train"
        if path.suffix == ".jsonl":
            return "dataset"
    elif is_results(path / "results.json"):
        return "eval"
    elif (path / "manifest.json").is_file():
        return "dataset"
    elif find_rollouts(path):
        return "train"
    elif find_runs(path):
        return "study"
    raise ViewError(
        f"{path} is none of the kinds execverify view reads: a dataset folder (manifest.json) or "
        f"records .jsonl, an evaluation run (results.json), a training run ({ROLLOUTS_FILE} "
        "below it) or a study (results.json files in subfolders)")


def load_view(path: str | Path, kind: str | None = None, *, trace: bool = True) -> View:
    """The view model of ``path``, read as ``kind`` (detected when None)."""
    path = Path(path).expanduser()
    kind = kind or detect_kind(path)
    if kind not in _LOADERS:
        raise ViewError(f"unknown kind {kind!r}; choose from {', '.join(VIEW_KINDS)}")
    try:
        return _LOADERS[kind](path, trace=trace)
    except (ResultsError, ValueError, OSError, KeyError, TypeError) as exc:
        if isinstance(exc, ViewError):
            raise
        raise ViewError(f"{path} (read as {kind}): {type(exc).__name__}: {exc}") from exc
