"""Generating completions with a resumable on-disk cache.

Every finished batch is appended to ``generations.jsonl`` as complete lines, each keyed by a
hash of (model, backend, decoding settings, prompt). A run that is killed loses at most the
batch in flight; rerunning the same command reads the file back and generates only what is
missing. A torn last line (the kill landed mid-write) is ignored on reading.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from execverify.models.base import Backend, Prompt, SamplingParams

CACHE_FILE = "generations.jsonl"


def cache_key(model: str, backend: str, params: SamplingParams, prompt: Prompt) -> str:
    """A stable hash of everything that determines a completion."""
    payload = json.dumps(
        {"model": model, "backend": backend, "params": asdict(params), "prompt": prompt},
        sort_keys=True, ensure_ascii=False, default=list,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class GenerationCache:
    """Completions by key, backed by an append-only JSONL file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, list[str]] = {}
        if path is not None and path.exists():
            self._read(path)

    def _read(self, path: Path) -> None:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                    self.entries[row["key"]] = [str(c) for c in row["completions"]]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a torn or foreign line: regenerate that prompt

    def get(self, key: str) -> list[str] | None:
        return self.entries.get(key)

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Record rows ``{"key", "completions", ...}`` in memory and, durably, on disk."""
        for row in rows:
            self.entries[row["key"]] = list(row["completions"])
        if self.path is None or not rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


def generate_cached(
    backend: Backend,
    prompts: Sequence[Prompt],
    params: SamplingParams,
    cache: GenerationCache,
    *,
    model: str,
    backend_name: str,
    ids: Sequence[str],
    batch_size: int = 8,
    progress: Callable[[int], None] | None = None,
) -> list[list[str]]:
    """``params.n`` completions per prompt, from the cache where present, else generated in
    batches of ``batch_size`` prompts (each batch saved before the next starts)."""
    keys = [cache_key(model, backend_name, params, p) for p in prompts]
    missing = [i for i, k in enumerate(keys) if cache.get(k) is None]
    if progress:
        progress(len(prompts) - len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start:start + batch_size]
        outputs = backend.generate([prompts[i] for i in batch], params)
        cache.add([{"key": keys[i], "id": ids[i], "completions": out}
                   for i, out in zip(batch, outputs)])
        if progress:
            progress(len(batch))
    return [cache.get(k) or [] for k in keys]
