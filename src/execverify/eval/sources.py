"""Reading benchmark rows from a local file, a folder of shards, or the Hugging Face hub.

Every loader accepts either form (``source`` is a path if it exists on disk, else a hub id), so
the same command works offline with a downloaded copy and online with the official id. The hub
is only touched inside ``load_hub``, which imports ``datasets`` there.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from execverify.eval.base import BenchmarkDataError

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Benchmark files shipped with execverify (see data/README.md for origins and licences)."""


def read_rows(source: str | Path, *, hub_split: str = "test", hub_config: str | None = None,
              hub_revision: str | None = None) -> list[dict[str, Any]]:
    """Rows of a local file or folder (JSONL, JSONL.GZ, JSON list, Parquet), else of the hub
    dataset ``source`` (split ``hub_split``, config ``hub_config``)."""
    path = Path(source).expanduser()
    if path.exists():
        return read_local(path)
    if _looks_like_path(str(source)):
        raise BenchmarkDataError(f"no such file or folder: {str(source)!r}")
    return load_hub(str(source), split=hub_split, config=hub_config, revision=hub_revision)


def read_local(path: Path) -> list[dict[str, Any]]:
    """Rows of one file, or of every data file in a folder (sorted by name)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_data_file(p))
        if not files:
            raise BenchmarkDataError(f"folder {str(path)!r} holds no .jsonl/.json/.parquet files")
        return [row for f in files for row in read_local(f)]
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return _read_parquet(path)
        if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
            return list(_read_jsonl(path))
        if name.endswith((".json", ".json.gz")):
            data = json.loads(_open_text(path).read())
            if isinstance(data, dict) and isinstance(data.get("data"), list):
                data = data["data"]
            if not isinstance(data, list):
                raise BenchmarkDataError(f"{str(path)!r}: expected a JSON list of rows")
            return data
    except (OSError, ValueError) as exc:
        raise BenchmarkDataError(f"cannot read {str(path)!r}: {exc}") from exc
    raise BenchmarkDataError(
        f"{str(path)!r}: unknown data format; use .jsonl, .jsonl.gz, .json or .parquet"
    )


def load_hub(dataset_id: str, *, split: str, config: str | None = None,
             revision: str | None = None) -> list[dict[str, Any]]:
    """Rows of a Hugging Face dataset; needs ``datasets`` and network access."""
    try:
        import datasets
    except ImportError as exc:
        raise BenchmarkDataError(
            f"loading {dataset_id!r} from the hub needs the 'datasets' package "
            "(pip install datasets), or pass a local file instead"
        ) from exc
    try:
        ds = datasets.load_dataset(dataset_id, config, split=split, revision=revision)
    except Exception as exc:  # network, auth, unknown id: all the same to the user
        raise BenchmarkDataError(
            f"cannot load {dataset_id!r} (split {split!r}) from the Hugging Face hub: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}; "
            "download it and pass the local file instead"
        ) from exc
    return [dict(row) for row in ds]


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with _open_text(path) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise BenchmarkDataError(f"{str(path)!r} line {number}: {exc}") from exc


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise BenchmarkDataError("reading Parquet needs pyarrow (pip install pyarrow)") from exc
    return pq.read_table(path).to_pylist()


def _open_text(path: Path):  # type: ignore[no-untyped-def]
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _is_data_file(path: Path) -> bool:
    name = path.name.lower()
    if name == "manifest.json":
        return False
    return name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json", ".json.gz", ".parquet"))


def _looks_like_path(text: str) -> bool:
    """Hub ids are ``owner/name``; anything with a file suffix or a leading ./ ~ / is a path."""
    return (
        text.startswith(("/", ".", "~"))
        or text.count("/") > 1
        or Path(text).suffix.lower() in {".jsonl", ".json", ".gz", ".parquet", ".ndjson"}
    )
