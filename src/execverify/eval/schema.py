"""The results file: one JSON document per run, in a versioned schema.

A results file answers, on its own, "what was evaluated, how, on which data, with which code,
and what came out": model and backend, decoding settings, execverify version and git commit,
each benchmark's configuration and data hash, its aggregates with standard errors, its
breakdowns, and every sample's verdicts. ``execverify eval compare`` and the reports read only
this file.

Schema ``execverify.eval/1`` (bump ``SCHEMA_VERSION`` on any incompatible change)::

    {"schema": "execverify.eval/1", "created": ISO time,
     "model": {"name", "backend", "prompt_format"} | {"name": "generations-file", "path"},
     "code": {"execverify": version, "git_commit": sha | null, "git_dirty": bool | null},
     "benchmarks": [{
        "name", "config": {...}, "data_hash": "sha256:...", "n_samples",
        "decoding": {"max_new_tokens", "temperature", "top_p", "n", "seed", "stop"} | null,
        "headline": metric name,
        "aggregates": {metric: {"value", "stderr", "n"}},
        "breakdown": {group key: {value: {"value", "stderr", "n"}}},
        "status_counts": {status: count},
        "samples": [{"id", "score", "passed", "answers", "statuses", "group", "details"}]}]}
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from execverify import __version__
from execverify.data.dataset import write_atomic
from execverify.eval.base import Benchmark, Verdict

if TYPE_CHECKING:
    from execverify.models import SamplingParams

SCHEMA_VERSION = 1
SCHEMA = f"execverify.eval/{SCHEMA_VERSION}"


class ResultsError(ValueError):
    """A file is not a results document this version can read."""


def code_version() -> dict[str, Any]:
    """execverify's version and, when run from a git checkout, its commit and dirtiness."""
    root = Path(__file__).resolve().parents[3]
    commit = dirty = None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip() or None
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=5, check=True).stdout
        dirty = bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return {"execverify": __version__, "git_commit": commit, "git_dirty": dirty}


def benchmark_result(
    bench: Benchmark, verdicts: Sequence[Verdict], decoding: SamplingParams | None
) -> dict[str, Any]:
    """One benchmark's entry in the results document."""
    return {
        "name": bench.name,
        "config": bench.describe(),
        "data_hash": bench.data_hash(),
        "n_samples": len(verdicts),
        "decoding": _decoding(decoding),
        "headline": bench.headline,
        "aggregates": {k: m.to_dict() for k, m in bench.aggregate(verdicts).items()},
        "breakdown": {key: {value: m.to_dict() for value, m in values.items()}
                      for key, values in bench.breakdown(verdicts).items()},
        "status_counts": dict(Counter(s for v in verdicts for s in v.statuses)),
        "samples": [v.to_dict() for v in verdicts],
    }


def results_document(model: dict[str, Any], benchmarks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "model": model,
        "code": code_version(),
        "benchmarks": benchmarks,
    }


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that a reader never sees half a file (temp file, fsync, rename)."""
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    write_atomic(Path(path), text.encode("utf-8"))


def load_results(path: str | Path) -> dict[str, Any]:
    """Read and check a results document; ResultsError says what is wrong with it."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise ResultsError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{str(path)!r} is not JSON: {exc}") from exc
    schema = doc.get("schema") if isinstance(doc, dict) else None
    if not isinstance(schema, str) or not schema.startswith("execverify.eval/"):
        raise ResultsError(f"{str(path)!r} is not an execverify results file (schema {schema!r})")
    if schema != SCHEMA:
        raise ResultsError(f"{str(path)!r} has schema {schema}; this execverify reads {SCHEMA}")
    return doc


def _decoding(params: SamplingParams | None) -> dict[str, Any] | None:
    if params is None:
        return None
    data = asdict(params)
    data["stop"] = list(params.stop)
    return data
