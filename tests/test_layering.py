"""The layering of execverify, checked on the source: which package may import which.

The import graph is built with ``ast`` from every module under ``src/execverify``: module-level
imports (including those in class bodies and ``try`` blocks, which run at import) and imports
inside functions (which run later, but are still a dependency of the module). Imports under
``if TYPE_CHECKING:`` are left out: they never run, so they cannot load a layer or make an
import cycle; they only name types for the type checker. Lazy references by string
(``execverify.config.SECTIONS``, ``execverify.cli.VERB_MODULES``, ``BUILTIN_TASKS``, sandbox
hooks) are not imports either and are not in the graph.

The rules are the tables below; docs/design.md, "Layering" states the same rules, and
``test_design_doc_states_the_same_rules`` reads its table back, so the two cannot drift.
CLI modules (``execverify.cli``, ``execverify.__main__``, ``execverify.<package>.cli``) are the
top of the stack: the package rules do not apply to them, the CLI rule does.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "execverify"
DESIGN = ROOT / "docs" / "design.md"

ABOVE_REWARDS = ("execverify.synth", "execverify.models", "execverify.eval", "execverify.train",
                 "execverify.demo", "execverify.study")

ONLY: dict[str, tuple[str, ...]] = {
    # importer -> the only execverify modules it may import (packages by prefix)
    "execverify.validation": (),
    "execverify.sandbox": ("execverify.sandbox", "execverify.validation"),
    "execverify.trace": ("execverify.trace", "execverify.sandbox", "execverify.validation"),
    "execverify.config": ("execverify.validation",),
    "execverify.models": ("execverify.models", "execverify.validation"),
    "execverify.data.records": (),
    "execverify.data.dataset": ("execverify.data.records",),
}
NEVER: dict[str, tuple[str, ...]] = {
    # importer -> execverify modules it must not import
    "execverify.tasks": ABOVE_REWARDS,
    "execverify.rewards": ABOVE_REWARDS,
    "execverify.data": ABOVE_REWARDS,
    "execverify.synth": ("execverify.eval", "execverify.train", "execverify.demo",
                         "execverify.study"),
    "execverify.eval": ("execverify.train", "execverify.demo", "execverify.study"),
    "execverify.train": ("execverify.demo", "execverify.study"),
    "execverify.demo": ("execverify.study",),
    "execverify.view": ("execverify.synth", "execverify.models", "execverify.train",
                        "execverify.demo", "execverify.study"),
}
ENGINE_LIBRARIES = ("trl", "verl", "openrlhf", "transformers", "peft", "accelerate", "vllm",
                    "ray", "deepspeed")
"""Never imported by ``execverify.rewards``, at any level (torch only inside a function)."""
ADAPTERS = ("execverify.rewards.trl", "execverify.rewards.verl", "execverify.rewards.openrlhf")
"""Loaded by trainers (verl and OpenRLHF load the file by path): what importing one loads must
stay below the rewards."""
CLI_ENTRY = ("execverify.cli", "execverify.__main__")
OPTIONAL_AT_MODULE_LEVEL: dict[str, tuple[str, ...]] = {
    # module -> the third-party modules it may import at module level; such a module is itself
    # imported only inside functions (here: by the backend registry, when the backend is built)
    "execverify.models.hf": ("torch", "transformers", "tqdm"),
}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name, e.g. "execverify.trace"
    target: str  # an execverify module, or the imported name of any other module
    line: int
    level: str  # "module" (runs at import) or "function"

    def __str__(self) -> str:
        return (f"{self.importer} imports {self.target} ({_path(self.importer)}:{self.line}, "
                f"{self.level} level)")


# -- the graph ------------------------------------------------------------------------------


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.orelse:  # the body never runs; an else branch does
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    yield stmt, in_function
                else:
                    yield from _walk(stmt, in_function)
        else:
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.Lambda))
            yield from _walk(child, inner)


def imports_of(source: str, module: str, *, is_package: bool = False,
               modules: Iterable[str] = ()) -> list[Import]:
    """Every import in ``source`` (the text of ``module``), resolved to dotted names.

    ``from X import n`` targets ``X.n`` when that is one of ``modules``, else ``X``; relative
    imports are resolved against ``module`` (a package when ``is_package``)."""
    known = set(modules)
    out = []
    for node, in_function in _walk(ast.parse(source), False):
        level = "function" if in_function else "module"
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in dict.fromkeys(targets):
            out.append(Import(module, target, node.lineno, level))
    return out


@cache
def graph() -> tuple[Import, ...]:
    files = module_files()
    edges: list[Import] = []
    for name, path in files.items():
        edges += imports_of(path.read_text(encoding="utf-8"), name,
                            is_package=path.name == "__init__.py", modules=files)
    return tuple(edges)


def _path(module: str) -> str:
    path = module_files().get(module)
    return str(path.relative_to(ROOT)) if path else module


# -- the rules ------------------------------------------------------------------------------


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def is_cli(module: str) -> bool:
    return module in CLI_ENTRY or module.endswith(".cli")


def internal(edge: Import) -> bool:
    return within(edge.target, "execverify")


def _stdlib(target: str) -> bool:
    top = target.split(".")[0]
    return top in sys.stdlib_module_names or top in ("__future__", "execverify")


def only_violations(edges: Iterable[Import], importer: str, allowed: tuple[str, ...]
                    ) -> list[str]:
    rule = (f"{importer} imports only {', '.join(allowed)}" if allowed
            else f"{importer} imports nothing else from execverify")
    return [f"{e}: breaks '{rule}'" for e in edges
            if within(e.importer, importer) and not is_cli(e.importer) and internal(e)
            and not any(within(e.target, a) for a in allowed)]


def never_violations(edges: Iterable[Import], importer: str, forbidden: tuple[str, ...]
                     ) -> list[str]:
    rule = f"{importer} never imports {', '.join(forbidden)}"
    return [f"{e}: breaks '{rule}'" for e in edges
            if within(e.importer, importer) and not is_cli(e.importer)
            and any(within(e.target, f) for f in forbidden)]


def cli_violations(edges: Iterable[Import]) -> list[str]:
    rule = "only CLI modules import a CLI module"
    return [f"{e}: breaks '{rule}'" for e in edges
            if internal(e) and is_cli(e.target) and not is_cli(e.importer)]


def module_level_violations(edges: Iterable[Import]) -> list[str]:
    rule = ("at module level, only the standard library and execverify are imported (except "
            "in OPTIONAL_AT_MODULE_LEVEL)")
    out = [f"{e}: breaks '{rule}'" for e in edges
           if e.level == "module" and not _stdlib(e.target)
           and e.target.split(".")[0] not in OPTIONAL_AT_MODULE_LEVEL.get(e.importer, ())]
    lazy = f"{', '.join(OPTIONAL_AT_MODULE_LEVEL)} are imported only inside functions"
    return out + [f"{e}: breaks '{lazy}'" for e in edges
                  if e.level == "module" and e.target in OPTIONAL_AT_MODULE_LEVEL]


def engine_violations(edges: Iterable[Import]) -> list[str]:
    rule = f"execverify.rewards never imports {', '.join(ENGINE_LIBRARIES)}"
    return [f"{e}: breaks '{rule}'" for e in edges
            if within(e.importer, "execverify.rewards")
            and e.target.split(".")[0] in ENGINE_LIBRARIES]


def import_time_closure(start: str, edges: Iterable[Import]) -> dict[str, str | None]:
    """Every execverify module that ``import start`` executes -> the module that pulled it in
    (module-level imports, and the parent packages of every module imported)."""
    by_importer: dict[str, list[str]] = {}
    for e in edges:
        if e.level == "module" and internal(e):
            by_importer.setdefault(e.importer, []).append(e.target)
    seen: dict[str, str | None] = {}
    queue: deque[tuple[str, str | None]] = deque([(start, None)])
    while queue:
        name, parent = queue.popleft()
        if name in seen:
            continue
        seen[name] = parent
        parts = name.split(".")
        queue.extend((".".join(parts[:i]), name) for i in range(1, len(parts)))
        queue.extend((t, name) for t in by_importer.get(name, ()))
    return seen


def _chain(closure: dict[str, str | None], name: str) -> str:
    chain = [name]
    while (parent := closure[chain[-1]]) is not None:
        chain.append(parent)
    return " <- ".join(chain)


# -- self-checks: the graph and the checkers can see a violation ----------------------------


def test_imports_of_resolves_every_form():
    source = (
        "from __future__ import annotations\n"
        "import os.path\n"
        "from typing import TYPE_CHECKING\n"
        "from . import limits\n"
        "from .pool import Sandbox\n"
        "if TYPE_CHECKING:\n"
        "    from execverify.train import grpo\n"
        "else:\n"
        "    import json\n"
        "class C:\n"
        "    import re\n"
        "def f():\n"
        "    from execverify.rewards.score import score_batch\n"
    )
    found = imports_of(source, "execverify.sandbox", is_package=True,
                       modules={"execverify.sandbox.limits", "execverify.sandbox.pool"})
    assert [(i.target, i.line, i.level) for i in found] == [
        ("__future__", 1, "module"),
        ("os.path", 2, "module"),
        ("typing", 3, "module"),
        ("execverify.sandbox.limits", 4, "module"),
        ("execverify.sandbox.pool", 5, "module"),
        ("json", 9, "module"),
        ("re", 11, "module"),
        ("execverify.rewards.score", 13, "function"),
    ]


def test_graph_finds_known_imports():
    edges = {(e.importer, e.target, e.level) for e in graph()}
    for known in [("execverify.__main__", "execverify.cli", "module"),
                  ("execverify.config", "execverify.validation", "module"),
                  ("execverify.trace", "execverify.sandbox", "function")]:
        assert known in edges, f"the graph builder misses {known}: it is broken, not the code"
    assert len(module_files()) == len(list(PACKAGE.rglob("*.py"))) > 50


def test_checkers_report_violations():
    bad = [Import("execverify.sandbox.pool", "execverify.train.grpo", 3, "function"),
           Import("execverify.rewards.verl", "execverify.models.hf", 4, "module"),
           Import("execverify.eval.runner", "execverify.eval.cli", 5, "function"),
           Import("execverify.rewards.trl", "trl", 6, "function"),
           Import("execverify.tasks.registry", "torch", 7, "module"),
           Import("execverify.models.hf", "torch", 8, "module"),
           Import("execverify.models", "execverify.models.hf", 9, "module")]
    sandbox = only_violations(bad, "execverify.sandbox", ONLY["execverify.sandbox"])
    assert len(sandbox) == 1 and "execverify.sandbox.pool imports execverify.train.grpo" in (
        sandbox[0]) and "imports only execverify.sandbox, execverify.validation" in sandbox[0]
    rewards = never_violations(bad, "execverify.rewards", NEVER["execverify.rewards"])
    assert len(rewards) == 1 and "execverify.rewards.verl imports execverify.models.hf" in (
        rewards[0])
    assert len(cli_violations(bad)) == 1
    assert len(engine_violations(bad)) == 1
    assert [v.split(" imports")[0] for v in module_level_violations(bad)] == [
        "execverify.tasks.registry", "execverify.rewards.verl", "execverify.models"]
    closure = import_time_closure("execverify.rewards.verl", bad)
    assert _chain(closure, "execverify.models.hf") == (
        "execverify.models.hf <- execverify.rewards.verl")


# -- the rules ------------------------------------------------------------------------------


def test_every_rule_names_existing_modules():
    """A renamed package must not leave a rule that silently checks nothing."""
    names = set(module_files())
    for prefix in {*ONLY, *NEVER, *ADAPTERS, *CLI_ENTRY, *OPTIONAL_AT_MODULE_LEVEL,
                   *(p for ps in [*ONLY.values(), *NEVER.values()] for p in ps)}:
        assert any(within(n, prefix) for n in names), f"rule names {prefix}, which does not exist"


@pytest.mark.parametrize("importer", list(ONLY))
def test_imports_only(importer):
    violations = only_violations(graph(), importer, ONLY[importer])
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("importer", list(NEVER))
def test_never_imports(importer):
    violations = never_violations(graph(), importer, NEVER[importer])
    assert not violations, "\n".join(violations)


def test_nothing_imports_the_cli():
    violations = cli_violations(graph())
    assert not violations, "\n".join(violations)


def test_module_level_imports_are_stdlib_or_execverify():
    violations = module_level_violations(graph())
    assert not violations, "\n".join(violations)


def test_rewards_import_no_engine():
    violations = engine_violations(graph())
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_importing_an_adapter_loads_nothing_above_the_rewards(adapter):
    closure = import_time_closure(adapter, graph())
    loaded = [n for n in closure if is_cli(n) or any(within(n, p) for p in ABOVE_REWARDS)]
    assert not loaded, "\n".join(
        f"import {adapter} loads {n} ({_chain(closure, n)}): breaks 'importing a reward "
        "adapter loads no engine, model or pipeline code'" for n in loaded)


def test_design_doc_states_the_same_rules():
    text = DESIGN.read_text(encoding="utf-8")
    match = re.search(r"^## Layering\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, "docs/design.md has no '## Layering' section"
    section = match.group(1)
    only: dict[str, frozenset[str]] = {}
    never: dict[str, frozenset[str]] = {}
    row = re.compile(r"^\|\s*`([\w.]+)`\s*\|\s*(imports only|never imports)\s*\|(.*)\|\s*$", re.M)
    for importer, kind, rest in row.findall(section):
        (only if kind == "imports only" else never)[importer] = frozenset(
            re.findall(r"`([\w.]+)`", rest))
    assert only == {k: frozenset(v) for k, v in ONLY.items()}, (
        "docs/design.md's 'imports only' rows differ from ONLY")
    assert never == {k: frozenset(v) for k, v in NEVER.items()}, (
        "docs/design.md's 'never imports' rows differ from NEVER")
    for name in (*ENGINE_LIBRARIES, *ADAPTERS, *OPTIONAL_AT_MODULE_LEVEL,
                 *(m for ms in OPTIONAL_AT_MODULE_LEVEL.values() for m in ms)):
        assert f"`{name}`" in section, f"docs/design.md, 'Layering' does not name `{name}`"


def test_docstring_pointers_name_design_sections():
    """Module docstrings cite docs/design.md as ``docs/design.md, "Section"``: each section
    they name exists (and nothing still cites the old, unshipped DESIGN.md)."""
    sections = set(re.findall(r"^## (.+?)\s*$", DESIGN.read_text(encoding="utf-8"), re.M))
    pointer = re.compile(r"docs/design\.md,\s+[\"'](.+?)[\"']", re.S)
    for name, path in module_files().items():
        text = path.read_text(encoding="utf-8")
        assert "DESIGN.md" not in text, f"{_path(name)} cites DESIGN.md, which is not shipped"
        for cited in pointer.findall(text):
            cited = " ".join(cited.split())
            assert cited in sections, (
                f"{_path(name)} cites docs/design.md, {cited!r}; its sections are {sorted(sections)}")
