"""The one ``execverify`` command.

Each verb lives next to the code it drives (``execverify/<package>/cli.py``) and exposes
``register(subparsers)``; this module only collects them. Verb modules import their heavy
dependencies inside the handler, so ``execverify --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

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
    "study": "execverify.study.cli",
    "view": "execverify.view.cli",
}


class CliError(Exception):
    """A bad invocation: printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse prints a usage block on errors; we print one line that says what is wrong."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message} (see --help)")


class IntermixedParser(OneLineParser):
    """Lets overrides follow options (``train stage1 --config X max_steps=3``): plain argparse
    fills every positional from the first run of positionals and rejects later ones."""

    _inner = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inner:  # parse_known_intermixed_args calls back into us
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False


def intermixed(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` (a verb's, made by ``build_parser``) take overrides after options."""
    if isinstance(parser, OneLineParser):
        parser.__class__ = IntermixedParser


def add_recipe_arguments(parser: argparse.ArgumentParser, default: str | None = None, *,
                         overrides: bool = True) -> None:
    """``--config NAME|FILE`` and the ``section.key=value`` overrides every verb takes.

    ``overrides=False``: the verb has a positional list of its own, which takes the overrides
    too (``execverify eval mbpp eval.n=5``); it separates them with ``split_overrides``."""
    if overrides:
        parser.add_argument("overrides", nargs="*", metavar="SECTION.KEY=VALUE",
                            help="recipe overrides, e.g. synth.num=200 or reward.output_only=true")
    from execverify.config import packaged_recipes

    packaged = ", ".join(packaged_recipes())
    parser.add_argument("--config", metavar="RECIPE", default=default,
                        help=f"a recipe: a YAML file or a packaged name ({packaged})"
                        + (f"; default {default}" if default else "; default: the built-in "
                           "defaults"))
    intermixed(parser)


def add_job_arguments(parser: argparse.ArgumentParser, default: str, section: str) -> None:
    """What a whole-pipeline verb (``demo``, ``study``) takes: a recipe and overrides,
    ``--out`` (the ``<section>.out`` field), ``--dry-run`` and ``--no-progress``."""
    add_recipe_arguments(parser, default)
    parser.add_argument("--out", metavar="DIR", help=f"output folder (default: {section}.out)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the resolved configs and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


@contextmanager
def job_errors(verb: str) -> Iterator[None]:
    """A job's expected failures as one-line ``CliError``s: a bad recipe value, a missing
    optional dependency, a bad value or an unreadable file."""
    from execverify.config import ConfigError

    try:
        yield
    except ConfigError as exc:
        raise CliError(f"{verb}: {exc}") from exc
    except ImportError as exc:
        raise CliError(f"{verb} needs {exc.name or 'torch/transformers/trl'}; install it "
                       "with: pip install 'execverify[train,eval]'") from exc
    except (ValueError, OSError) as exc:
        raise CliError(f"{verb}: {' '.join(str(exc).split())}") from exc


def split_overrides(items: Sequence[str]) -> tuple[list[str], list[str]]:
    """A positional list split into its plain items and its ``key=value`` overrides."""
    return [i for i in items if "=" not in i], [i for i in items if "=" in i]


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
