"""Exporters: a dataset folder of records to what trainers read (verl Parquet, TRL, HF datasets).

The dataset is read by ``execverify.data.dataset.read_records`` (the one strict reader). Each
record becomes one row per task asked for (``execverify.tasks``: ``combined``, the method's
white-box prompt; ``input``; ``output``, the ablation baseline; or any registered task); a task
whose prompt does not apply to a record skips it. The task lays out its row; this module only
arranges rows per format.

Row layouts (every row carries the record ``id`` and the task by name, docs/design.md, "The
record contract"):

- verl (Parquet): ``data_source`` (``execverify/<task>``), ``prompt`` (chat messages),
  ``ability``, ``reward_model`` ``{"style": "rule", "ground_truth": <record JSON>}``,
  ``extra_info`` ``{"id", "task", "index", "split", "level", "source"}``; scored by
  ``execverify.rewards.verl.compute_score``.
- trl (JSONL, or Parquet when the output name ends in ``.parquet``): a conversational
  ``prompt``, ``task``, ``id``, ``level``, ``source``, the record's fields (``features`` as JSON
  text, ``questions`` as a list), ``record`` (the whole record as JSON, what
  ``execverify.rewards.trl`` reads) and ``label`` (``{"task", "record"}`` as JSON, what
  ``execverify.rewards.openrlhf`` reads with ``--label_key label``).
- hf: the trl rows saved with ``datasets.Dataset.save_to_disk``.

pyarrow and datasets are optional (``pip install 'execverify[data]'``) and imported only here,
inside the writers.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from execverify.data.dataset import read_records
from execverify.data.records import Record
from execverify.tasks.registry import DATA_SOURCE_PREFIX, get_task

FORMATS: tuple[str, ...] = ("verl", "trl", "hf")
DEFAULT_TASKS: tuple[str, ...] = ("combined", "input")


@dataclass
class ExportSummary:
    """What an export wrote."""

    out: Path
    format: str
    records: int = 0
    rows: int = 0
    per_task: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


# -- rows ----------------------------------------------------------------------------------


def verl_row(item: Any, task: str, index: int, split: str) -> dict[str, Any] | None:
    """verl's layout of ``item`` for ``task`` (None: nothing to ask)."""
    kind = get_task(task)
    row = kind.row(item)
    if row is None:
        return None
    return {
        "data_source": DATA_SOURCE_PREFIX + kind.name,
        "prompt": row["prompt"],
        "ability": kind.ability,
        "reward_model": {"style": "rule", "ground_truth": row[kind.truth_column]},
        "extra_info": {"id": row["id"], "task": kind.name, "index": index, "split": split,
                       **kind.fields(item)},
    }


def trl_row(item: Any, task: str) -> dict[str, Any] | None:
    """The TRL/HF layout: the task's row (chat ``prompt``, ``task``, ``id``, truth column),
    its metadata and flat record fields, and the OpenRLHF ``label`` (task and truth)."""
    kind = get_task(task)
    row = kind.row(item)
    if row is None:
        return None
    truth = row.pop(kind.truth_column)
    row.update(kind.fields(item))
    row.update(kind.trl_fields(item))
    row[kind.truth_column] = truth
    row["label"] = kind.label(row)
    return row


def build_rows(records: Iterable[Record], fmt: str, tasks: Sequence[str], split: str,
               summary: ExportSummary) -> Iterator[dict[str, Any]]:
    """Rows in record order, tasks in the given order within a record."""
    for record in records:
        summary.records += 1
        for task in tasks:
            row = (verl_row(record, task, summary.rows, split) if fmt == "verl"
                   else trl_row(record, task))
            if row is None:
                summary.skipped[task] += 1
                continue
            summary.rows += 1
            summary.per_task[task] += 1
            yield row


# -- writing -------------------------------------------------------------------------------


def export(folder: str | os.PathLike[str], out: str | os.PathLike[str], fmt: str, *,
           tasks: Sequence[str] = DEFAULT_TASKS, split: str = "train",
           progress: bool = False) -> ExportSummary:
    """Export the dataset in ``folder`` to ``out`` as ``fmt`` (see the module docstring).

    The output appears atomically (written next to ``out``, then renamed), so a failed export
    never leaves a half-written file that looks complete.
    """
    check_options(fmt, tasks)
    out_path = Path(out)
    summary = ExportSummary(out=out_path, format=fmt)
    records: Iterable[Record] = read_records(folder)
    if progress:
        from tqdm import tqdm

        records = tqdm(records, desc="export", unit="record")
    rows = list(build_rows(records, fmt, tasks, split, summary))
    if not rows:
        raise ValueError(f"nothing to export: no record in {str(folder)!r} has questions for "
                         f"the tasks {list(tasks)}")
    _WRITERS[_writer_name(fmt, out_path)](rows, out_path)
    return summary


def check_options(fmt: str, tasks: Sequence[str]) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not tasks:
        raise ValueError("tasks must be a non-empty list of task names, like combined,input")
    for task in tasks:
        get_task(task)  # an unknown name lists the known ones


def _writer_name(fmt: str, out: Path) -> str:
    if fmt == "trl" and out.suffix != ".parquet":
        return "jsonl"
    return "hf" if fmt == "hf" else "parquet"


def write_parquet(rows: list[dict[str, Any]], out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows)
    with _atomic_file(out) as tmp:
        pq.write_table(table, tmp)


def _write_jsonl(rows: list[dict[str, Any]], out: Path) -> None:
    with _atomic_file(out) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_hf(rows: list[dict[str, Any]], out: Path) -> None:
    import datasets

    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder; an hf export writes a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        datasets.Dataset.from_list(rows).save_to_disk(str(tmp / "data"))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp / "data", out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _atomic_file:
    """A temporary path next to ``out`` that replaces ``out`` only on success."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def __enter__(self) -> str:
        if self.out.is_dir():
            raise ValueError(f"{self.out} is a folder; give a file name for this format")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.out.name}.", dir=self.out.parent)
        os.close(fd)
        return self.tmp

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.out)
        else:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass


_WRITERS = {"parquet": write_parquet, "jsonl": _write_jsonl, "hf": _write_hf}
