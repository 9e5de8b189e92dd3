"""A dataset on disk: a folder of JSONL shards plus ``manifest.json`` (docs/design.md, "The
record contract").

Every write is atomic (a temporary file in the same folder, fsync, rename), so a job killed at
any moment leaves either the old file or the new one, never half of one; that is what lets
``execverify synth`` resume after ``kill -9`` and still end with the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from execverify.data.records import Record

MANIFEST = "manifest.json"
SHARD_DIR = "shards"
FORMAT = "execverify-dataset/1"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Canonical JSON (sorted keys, fixed indent), so equal data gives equal bytes."""
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


def records_to_jsonl(records: Iterable[Record]) -> bytes:
    return "".join(r.to_json() + "\n" for r in records).encode("utf-8")


def shard_paths(folder: str | os.PathLike[str]) -> list[Path]:
    """Every JSONL shard of a dataset folder, in sorted path order. Files and folders whose
    name starts with a dot (a writer's temporary files, editor backups) are not shards."""
    root = Path(folder)
    return sorted(p for p in root.rglob("*.jsonl")
                  if p.is_file() and not any(part.startswith(".")
                                             for part in p.relative_to(root).parts))


def read_records(path: str | os.PathLike[str]) -> Iterator[Record]:
    """The records of a dataset: the one reader every stage uses.

    ``path`` is a dataset folder (``manifest.json`` plus JSONL shards, read in sorted path
    order, dotfiles skipped) or a single JSONL file of records (a split written by hand or by
    the demo). A missing folder, a folder without a manifest or shards, a line that is not a
    record, and an id seen twice (rows must trace back to exactly one record) all raise
    ``ValueError`` naming the file and line.
    """
    root = Path(path)
    if root.is_file():
        return _read_shards([root])
    if not root.is_dir():
        raise ValueError(f"dataset {str(root)!r} does not exist: make one with `execverify "
                         "synth --out DIR`, or give a JSONL file of records")
    read_manifest(root)
    shards = shard_paths(root)
    if not shards:
        raise ValueError(f"dataset folder {str(root)!r} has a manifest but no *.jsonl shards")
    return _read_shards(shards)


def _read_shards(paths: list[Path]) -> Iterator[Record]:
    seen: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    record = Record.from_json(line)
                except (ValueError, TypeError, KeyError) as exc:
                    raise ValueError(f"{where}: not a valid record ({exc})") from exc
                if record.id in seen:
                    raise ValueError(f"{where}: record id {record.id!r} already in "
                                     f"{seen[record.id]}; ids must be unique")
                seen[record.id] = where
                yield record


def write_records(folder: str | os.PathLike[str], records: Iterable[Record],
                  info: dict[str, Any] | None = None) -> dict[str, Any]:
    """A dataset folder of ``records`` (one shard) with its manifest, written atomically;
    ``info`` says where the records came from. Returns the manifest."""
    root = Path(folder)
    records = list(records)
    write_atomic(root / SHARD_DIR / "records.jsonl", records_to_jsonl(records))
    counts: dict[str, int] = {}
    for record in records:
        counts[str(record.level)] = counts.get(str(record.level), 0) + 1
    manifest = {"format": FORMAT, "num_records": len(records), "per_level": counts,
                "content_hash": content_hash(root), **(info or {})}
    write_json(root / MANIFEST, manifest)
    return manifest


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def content_hash(folder: Path) -> str:
    """One hash over every shard's relative name and bytes, in order."""
    digest = hashlib.sha256()
    for path in shard_paths(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The folder's manifest; ``ValueError`` if it is missing or not a JSON object."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ValueError(f"{str(folder)!r} is not a dataset folder: it has no {MANIFEST} (write "
                         "datasets with `execverify synth` or execverify.data.dataset."
                         "write_records)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a manifest must be a JSON object")
    return data
