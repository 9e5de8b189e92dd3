"""``execverify trace FILE --call "f(1, 2)"``: trace one call in the sandbox and print it.

The recorder settings are the recipe's ``trace`` section (``--config``, ``trace.key=value``);
``--backend``, ``--max-steps`` and ``--max-repr`` are shorthands for its fields."""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    from execverify.cli import add_recipe_arguments
    from execverify.config import shorthand
    from execverify.trace import TRACER_BACKENDS

    p = sub.add_parser("trace", help="trace one call of a program line by line",
                       description="Run FILE in the sandbox, call the function given by --call "
                       "under the tracer and print the steps (line, hit, changed variables). "
                       "Exits 0 whatever the program did; non-zero only for a bad invocation.")
    p.add_argument("file", type=Path, help="the program ('-' reads standard input)")
    p.add_argument("--call", required=True, metavar="EXPR",
                   help='the call to trace, e.g. "f(1, [2, 3])"')
    p.add_argument("--json", action="store_true", help="print the trace as one JSON object")
    p.add_argument("--python", default=None, help="interpreter: a version such as 3.12, or a path")
    shorthand(p, "--backend", "trace", "backend", choices=TRACER_BACKENDS)
    shorthand(p, "--max-steps", "trace", "max_steps", help="stop after this many steps")
    shorthand(p, "--max-repr", "trace", "max_repr", help="cap on each value's repr")
    p.add_argument("--timeout", type=float, default=10.0, help="wall-clock limit in seconds")
    add_recipe_arguments(p)
    p.set_defaults(handler=_run)


def parse_call(text: str) -> tuple[str, str]:
    """Split ``"f(1, x=2)"`` into the entry name and the argument source ``"1, x=2"``."""
    from execverify.cli import CliError

    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise CliError(f"--call {text!r} is not a Python expression: {exc.msg}") from exc
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise CliError(f"--call must look like NAME(ARGS), e.g. \"f(1, 2)\"; got {text!r}")
    segment = ast.get_source_segment(text.strip(), node) or ""
    inside = segment[len(node.func.id):].strip()  # "(...)", whatever spacing or comments
    return node.func.id, inside[1:-1].strip()


def _read(path: Path) -> str:
    from execverify.cli import CliError

    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read program {str(path)!r}: {getattr(exc, 'strerror', None) or exc}") \
            from exc


def _run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from execverify.cli import CliError
    from execverify.config import load_section, parse_overrides, shorthand_overrides
    from execverify.sandbox import Limits, Sandbox, SandboxUnavailable
    from execverify.trace import trace_call

    source = _read(args.file)
    entry, call_args = parse_call(args.call)
    try:
        options = load_section("trace", args.config, {**parse_overrides(args.overrides),
                                                      **shorthand_overrides(args)})
        limits = Limits(timeout_s=args.timeout)
        with Sandbox(workers=1, limits=limits, python=args.python) as sandbox:
            trace = trace_call(source, entry, call_args, sandbox=sandbox, **asdict(options))
    except (ValueError, SandboxUnavailable) as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(trace.to_dict(), ensure_ascii=False))
    else:
        sys.stdout.write(format_trace(trace, source))
    return 0


def format_trace(trace: Any, source: str, width: int = 100) -> str:
    """A readable table: step, line, hit, function (indented by depth), source, changes."""
    lines = source.splitlines()
    rows = [f"{'step':>5} {'line':>5} {'hit':>4}  {'function':<16} source  ->  changes"]
    for number, step in enumerate(trace.steps, 1):
        text = lines[step.line - 1].strip() if 0 < step.line <= len(lines) else ""
        func = ("  " * step.depth + step.func)[:16]
        changes = ", ".join(
            f"{name}=<unbound>" if value is None else f"{name}={value[0]} ({value[1]})"
            for name, value in step.changes.items())
        row = f"{number:>5} {step.line:>5} {step.hit:>4}  {func:<16} {text}"
        if changes:
            row += f"  ->  {changes}"
        rows.append(row if len(row) <= width else row[: width - 3] + "...")
    rows.append(f"status: {trace.status}")
    if trace.ok:
        rows.append(f"output: {trace.output} ({trace.output_type})")
    else:
        rows.append(f"error: {trace.error}")
    if trace.stdout:
        rows.append("stdout:")
        rows.append(trace.stdout.rstrip("\n"))
    return "\n".join(rows) + "\n"
