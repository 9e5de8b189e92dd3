"""The one ``execverify`` command.

Each verb lives next to the code it drives (``execverify/<package>/cli.py``) and exposes
``register(subparsers)``; this module only collects them. Verb modules import their heavy
dependencies inside the handler, so ``execverify --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from execverify import __version__

# verb -> module that defines ``register(subparsers)``. A dict literal, not a plugin registry:
# verbs are ours, not an extension point.
VERB_MODULES: dict[str, str] = {
    "exec": "execverify.sandbox.cli",
    "trace": "execverify.trace.cli",
    "synth": "execverify.synth.cli",
    "export": "execverify.data.cli",
    "eval": "execverify.eval.cli",
    "train": "execverify.train.cli",
    "demo": "execverify.demo.cli",
}


class CliError(Exception):
    """A bad invocation: printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse prints a usage block on errors; we print one line that says what is wrong."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="execverify", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"execverify {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=OneLineParser)
    for module_name in VERB_MODULES.values():
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "handler", None) is None:
            parser.print_help()
            return 2
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # Run through the imported module so that CliError raised by verb modules (which import
    # ``execverify.cli``) is the class caught here, not a copy in ``__main__``.
    from execverify.cli import main as _main

    sys.exit(_main())
