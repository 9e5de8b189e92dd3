"""``execverify exec FILE``: run one program in the sandbox and print what happened."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exec", help="run a Python file in the sandbox and print its result",
                       description="Run a Python file in the sandbox. Exits 0 whatever the "
                       "program did; non-zero only for a bad invocation.")
    p.add_argument("file", type=Path, help="the program to run ('-' reads standard input)")
    p.add_argument("--timeout", type=float, default=5.0, help="wall-clock limit in seconds")
    p.add_argument("--memory-mb", type=int, default=512, help="address-space limit")
    p.add_argument("--stdin", type=Path, default=None, help="file fed to the program's stdin")
    p.add_argument("--python", default=None, help="interpreter: a version such as 3.12, or a path")
    p.add_argument("--isolation", choices=("auto", "namespaces", "rlimits"), default=None)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run)


def _read(path: Path, what: str) -> str:
    from execverify.cli import CliError

    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}") from exc


def _run(args: argparse.Namespace) -> int:
    from execverify.cli import CliError
    from execverify.sandbox import Limits, Sandbox, SandboxUnavailable

    source = _read(args.file, "program")
    stdin = _read(args.stdin, "stdin file") if args.stdin else None
    try:
        limits = Limits(timeout_s=args.timeout, memory_mb=args.memory_mb)
        sandbox = Sandbox(workers=1, limits=limits, python=args.python, isolation=args.isolation)
        with sandbox:
            result = sandbox.run(source, stdin=stdin)
    except (ValueError, SandboxUnavailable) as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    detail = f" ({result.error_type}: {result.error_message})" if result.error_type else ""
    print(f"[execverify] status={result.status}{detail} duration={result.duration_s:.3f}s "
          f"isolation={result.isolation}", file=sys.stderr)
    return 0
