"""Exporters: a dataset folder of records to what trainers read (verl Parquet, TRL, HF datasets).

A dataset folder holds JSONL shards of records (every ``*.jsonl`` below it, read in sorted path
order) and a ``manifest.json``. Each record becomes one row per task:

- ``combined``: the method's white-box prompt (``render_combined``);
- ``input``: the input-prediction prompt (``render_single`` of the input question);
- ``output``: the output-only prompt (the ablation baseline).

Row layouts (every row carries the record ``id``, DESIGN.md section 3):

- verl (Parquet): ``data_source`` (``execverify/<task>``), ``prompt`` (chat messages),
  ``ability``, ``reward_model`` ``{"style": "rule", "ground_truth": <record JSON>}``,
  ``extra_info`` ``{"id", "task", "index", "split", "level", "source"}``; scored by
  ``execverify.rewards.verl.compute_score``.
- trl (JSONL, or Parquet when the output name ends in ``.parquet``): a conversational
  ``prompt``, ``task``, the record's fields (``features`` as JSON text, ``questions`` as a list),
  and ``record`` (the whole record as JSON), which ``execverify.rewards.trl`` and
  ``execverify.rewards.openrlhf`` read.
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

from execverify.data.records import Record
from execverify.tasks.prompts import as_chat, combined_questions, render_combined, render_single

FORMATS: tuple[str, ...] = ("verl", "trl", "hf")
EXPORT_TASKS: tuple[str, ...] = ("combined", "input", "output")
DEFAULT_TASKS: tuple[str, ...] = ("combined", "input")
DATA_SOURCE_PREFIX = "execverify/"
ABILITY = "code_execution"


@dataclass
class ExportSummary:
    """What an export wrote."""

    out: Path
    format: str
    records: int = 0
    rows: int = 0
    per_task: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


# -- reading -------------------------------------------------------------------------------


def shard_paths(folder: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.jsonl`` below ``folder``, in sorted path order; raises ValueError if none."""
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"dataset folder {str(root)!r} does not exist or is not a directory")
    paths = sorted(p for p in root.rglob("*.jsonl") if p.is_file())
    if not paths:
        raise ValueError(f"no *.jsonl shards under {str(root)!r}; is it a dataset folder?")
    return paths


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The folder's ``manifest.json`` (None if absent); raises ValueError if it is not JSON."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a manifest must be a JSON object")
    return data


def read_records(folder: str | os.PathLike[str]) -> Iterator[Record]:
    """Records from every shard, in order; a bad line raises ValueError naming file and line,
    and so does an id seen twice (rows must trace back to exactly one record)."""
    seen: dict[str, str] = {}
    for path in shard_paths(folder):
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    record = Record.from_json(line)
                except (ValueError, TypeError) as exc:
                    raise ValueError(f"{where}: not a valid record ({exc})") from exc
                if record.id in seen:
                    raise ValueError(f"{where}: record id {record.id!r} already in {seen[record.id]}")
                seen[record.id] = where
                yield record


# -- rows ----------------------------------------------------------------------------------


def task_prompt(record: Record, task: str) -> str | None:
    """The prompt text for ``task``, or None when the record has nothing to ask for it."""
    if task == "combined":
        return render_combined(record) if combined_questions(record) else None
    if task in ("input", "output"):
        questions = record.questions_of(task)
        return render_single(record, questions[0]) if questions else None
    raise ValueError(f"unknown task {task!r}; use one of {EXPORT_TASKS}")


def verl_row(record: Record, task: str, index: int, split: str) -> dict[str, Any] | None:
    prompt = task_prompt(record, task)
    if prompt is None:
        return None
    return {
        "data_source": DATA_SOURCE_PREFIX + task,
        "prompt": as_chat(prompt),
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": record.to_json()},
        "extra_info": {"id": record.id, "task": task, "index": index, "split": split,
                       "level": record.level, "source": record.source},
    }


def trl_row(record: Record, task: str) -> dict[str, Any] | None:
    prompt = task_prompt(record, task)
    if prompt is None:
        return None
    data = record.to_dict()
    return {
        "prompt": as_chat(prompt),
        "task": task,
        "id": record.id,
        "level": record.level,
        "source": record.source,
        "program": record.program,
        "entry": record.entry,
        "args": record.args,
        "output": record.output,
        "features": json.dumps(data["features"], ensure_ascii=False, sort_keys=True),
        "questions": data["questions"],
        "record": record.to_json(),
    }


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
    read_manifest(folder)
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
    unknown = [t for t in tasks if t not in EXPORT_TASKS]
    if unknown or not tasks:
        raise ValueError(f"tasks must be a non-empty list from {', '.join(EXPORT_TASKS)}; "
                         f"got {list(tasks)}")


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
