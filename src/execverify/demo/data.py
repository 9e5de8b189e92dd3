"""The demo's data: one synthesis run, a length filter, and a train / held-out split.

The split is fixed before any model sees the data: records are ordered by a hash of their id
and the first ``heldout_records`` are held out, so the same seed and config always give the same
split and nothing about a model's answers can move a record between the two. A training record
whose program text equals a held-out one is dropped, so no held-out program is trained on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from execverify.data.dataset import (
    read_records,
    records_to_jsonl,
    write_atomic,
    write_json,
    write_records,
)
from execverify.data.records import Record
from execverify.tasks import TaskConfig, get_task
from execverify.train.config import DemoConfig

SPLIT_FILE = "split.json"


@dataclass(frozen=True)
class DemoData:
    """Where the demo's two splits live, and how many questions the held-out one asks."""

    train: Path
    heldout: Path
    train_records: int
    heldout_records: int
    heldout_questions: int


def questions_asked(record: Record, tasks: Sequence[str] = ("combined", "input")) -> int:
    """Questions the held-out evaluation asks about a record: those of each task's prompt
    (``execverify.tasks``; a task whose prompt does not apply asks none)."""
    return sum(len(get_task(task).questions(record)) for task in tasks)


def short_enough(record: Record, config: DemoConfig) -> bool:
    """Arguments within ``max_args_chars``, and the output and every other answer within
    ``max_output_chars``: answer length sets the length of every completion to generate."""
    return (len(record.args) <= config.max_args_chars
            and all(len(q.answers[0]) <= config.max_output_chars
                    for q in record.questions if q.kind != "input"))


def split(records: Sequence[Record], config: DemoConfig) -> tuple[list[Record], list[Record]]:
    """``(train, heldout)``: the short records, the held-out ones picked by id hash."""
    kept = sorted((r for r in records if short_enough(r, config)),
                  key=lambda r: hashlib.sha256(f"{config.seed}:{r.id}".encode()).hexdigest())
    heldout = kept[: config.heldout_records]
    programs = {r.program for r in heldout}
    train = [r for r in kept[config.heldout_records:] if r.program not in programs]
    return train, heldout


def prepare_data(config: DemoConfig, out: Path, progress: bool = True,
                 tasks: TaskConfig | None = None) -> DemoData:
    """Synthesise (or resume), filter and split into ``out/data``; reuses a finished split.
    ``tasks`` (the recipe's ``tasks`` section) says which questions each record asks."""
    folder = out / "data"
    train_dir, heldout_file = folder / "train", folder / "heldout.jsonl"
    done = folder / SPLIT_FILE
    if done.is_file():
        counts = json.loads(done.read_text(encoding="utf-8"))
    else:
        records = _synthesise(config, folder / "synth", progress, tasks or TaskConfig())
        train, heldout = split(records, config)
        _check(config, train, heldout, len(records))
        write_records(train_dir, train, {"generator": "execverify demo", "split": "train"})
        write_atomic(heldout_file, records_to_jsonl(heldout))
        counts = {"train_records": len(train), "heldout_records": len(heldout),
                  "heldout_questions": _asked(heldout, config)}
        write_json(done, counts)
    return DemoData(train=train_dir, heldout=heldout_file, **counts)


def _synthesise(config: DemoConfig, folder: Path, progress: bool, tasks: TaskConfig
                ) -> list[Record]:
    from execverify.synth.pipeline import SynthConfig, synthesize

    bar = None
    if progress:
        import sys

        from tqdm import tqdm

        bar = tqdm(total=config.records, desc="synthesise", unit="record", file=sys.stderr)
    try:
        synthesize(SynthConfig(levels=config.levels, num=config.records, seed=config.seed,
                               tasks=tasks), folder, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    return list(read_records(folder))


def _asked(records: Sequence[Record], config: DemoConfig) -> int:
    return sum(questions_asked(r, config.heldout_tasks) for r in records)


def _check(config: DemoConfig, train: list[Record], heldout: list[Record], total: int) -> None:
    asked = _asked(heldout, config)
    if asked < config.min_heldout_questions or len(heldout) < config.heldout_records:
        raise ValueError(
            f"the held-out split asks {asked} questions about {len(heldout)} records (of "
            f"{total} synthesised); the demo needs at least {config.min_heldout_questions}. "
            "Raise demo.records or demo.heldout_records, or the length limits."
        )
    if not train:
        raise ValueError(f"no training records remain after holding out {len(heldout)}; "
                         "raise demo.records.")
