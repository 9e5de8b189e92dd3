"""The training records of a stage: a dataset folder, filtered by difficulty level and count."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from execverify.data.records import Record


def select_records(records: Sequence[Record], levels: Sequence[int], max_records: int
                   ) -> list[Record]:
    """The records of the chosen levels, the first ``max_records`` of them (0: all)."""
    kept = [r for r in records if r.level in levels]
    return kept[:max_records] if max_records else kept


def curriculum_order(records: Sequence[Record], seed: int) -> list[Record]:
    """Easy first: the records level by level, ascending, each level shuffled with ``seed``
    (so a curriculum run sees every level-1 record before any level-2 one)."""
    rng = random.Random(seed)
    out: list[Record] = []
    for level in sorted({r.level for r in records}):
        batch = [r for r in records if r.level == level]
        rng.shuffle(batch)
        out.extend(batch)
    return out


def load_records(data: str, levels: Sequence[int], max_records: int = 0,
                 owner: str = "config") -> list[Record]:
    """The records of ``data`` (a folder written by ``execverify synth``) at ``levels``.

    ``owner`` names the config in error messages (``Stage1Config``, ``SFTConfig``).
    """
    from execverify.data.dataset import read_records

    if not data:
        raise ValueError(f"{owner}.data is empty; set it to a dataset folder written by "
                         "`execverify synth` (data=PATH).")
    if not Path(data).is_dir():
        raise ValueError(f"{owner}.data {data!r} is not a folder; point it at a dataset "
                         "written by `execverify synth`.")
    records = select_records(list(read_records(Path(data))), levels, max_records)
    if not records:
        raise ValueError(f"no records of levels {list(levels)} in {data!r}; synthesise those "
                         f"levels or change {owner}.levels.")
    return records
