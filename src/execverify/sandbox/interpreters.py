"""Find the Python interpreter a sandbox should run programs with."""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess
import sys


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start as configured (no such interpreter, isolation refused)."""


@functools.cache
def _reports(path: str, version: str) -> bool:
    """Whether the interpreter really runs and is that version (pyenv shims on PATH exist for
    versions that are not activated, and fail when run)."""
    try:
        out = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == version


@functools.cache
def find_python(spec: str | None = None) -> str:
    """``None``: this interpreter. ``"3.12"``: a CPython 3.12 from PATH or pyenv. A path: that
    file. Returns an absolute path, or raises SandboxUnavailable saying where it looked."""
    if spec is None:
        return sys.executable
    if os.sep in spec:
        if os.path.isfile(spec) and os.access(spec, os.X_OK):
            return os.path.abspath(spec)
        raise SandboxUnavailable(f"interpreter {spec!r} does not exist or is not executable")
    if not re.fullmatch(r"3\.\d+", spec):
        found = shutil.which(spec)
        if found:
            return found
        raise SandboxUnavailable(
            f"interpreter {spec!r} not found; pass a version like '3.12' or a path"
        )
    if f"{sys.version_info.major}.{sys.version_info.minor}" == spec:
        return sys.executable
    candidates = [shutil.which(f"python{spec}")]
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", f"{spec}.*", "bin", "python3")),
                             reverse=True)
    candidates += [f"/usr/bin/python{spec}", f"/usr/local/bin/python{spec}"]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK) and _reports(path, spec):
            return path
    raise SandboxUnavailable(
        f"no Python {spec} found on PATH, in pyenv or /usr/bin; install it (e.g. "
        f"'pyenv install {spec}') or pass its path"
    )
