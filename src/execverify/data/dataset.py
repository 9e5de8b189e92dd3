"""A dataset on disk: a folder of JSONL shards plus ``manifest.json`` (DESIGN.md section 3).

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


def shard_paths(folder: Path) -> list[Path]:
    """Every JSONL shard of a dataset folder, in a stable order."""
    return sorted(p for p in Path(folder).rglob("*.jsonl") if not p.name.startswith("."))


def read_records(folder: Path) -> Iterator[Record]:
    for path in shard_paths(folder):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield Record.from_json(line)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def content_hash(folder: Path) -> str:
    """One hash over every shard's relative name and bytes, in order."""
    digest = hashlib.sha256()
    for path in shard_paths(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{folder} is not a dataset folder: it has no {MANIFEST}")
    return json.loads(path.read_text(encoding="utf-8"))
