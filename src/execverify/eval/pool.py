"""The sandbox pool evaluation runs on: benchmark limits (3 s, 1 GiB) plus a wider set of
pre-imported modules.

Benchmark programs and model answers import standard-library modules (``difflib``,
``calendar``, codecs such as ``shift_jis``...). Any of them can be imported inside the sandbox,
but one the worker imported before forking costs an execution nothing, so scoring thousands of
answers stays fast; ``extra_preload`` adds a benchmark's third-party libraries (BigCodeBench).
"""

from __future__ import annotations

import os
import pkgutil
from collections.abc import Sequence

from execverify.sandbox import Limits, Sandbox
from execverify.sandbox.pool import DEFAULT_HOOK_MODULES

STDLIB_PRELOAD: tuple[str, ...] = (
    "_strptime", "abc", "array", "ast", "base64", "binascii", "bisect", "calendar", "cmath", "codecs",
    "collections", "collections.abc", "contextlib", "copy", "csv", "dataclasses", "datetime",
    "decimal", "difflib", "enum", "fnmatch", "fractions", "functools", "glob", "hashlib",
    "heapq", "hmac", "html", "socket", "inspect", "io", "itertools", "json", "keyword", "locale", "math",
    "numbers", "operator", "pathlib", "pprint", "queue", "random", "re", "secrets", "shlex",
    "statistics", "string", "struct", "sys", "textwrap", "time", "types", "typing", "unittest",
    "unicodedata", "urllib.parse", "uuid", "warnings", "weakref", "zlib",
)
"""Standard-library modules benchmark programs commonly import (a missing one is skipped)."""


def codec_modules() -> tuple[str, ...]:
    """Every ``encodings.*`` module, so ``str.encode`` works with any codec a program names."""
    import encodings

    return tuple(f"encodings.{m.name}" for m in pkgutil.iter_modules(encodings.__path__))


def eval_sandbox(
    workers: int | None = None,
    *,
    limits: Limits | None = None,
    extra_preload: Sequence[str] = (),
    python: str | None = None,
) -> Sandbox:
    """A started-on-first-use sandbox for scoring: one worker per CPU by default."""
    preload = (*DEFAULT_HOOK_MODULES, *STDLIB_PRELOAD, *codec_modules(), *extra_preload)
    return Sandbox(
        workers=workers or os.cpu_count() or 1,
        limits=limits or Limits(timeout_s=3.0, memory_mb=1024),
        python=python,
        preload=tuple(dict.fromkeys(preload)),
    )
