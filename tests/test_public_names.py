"""One home for each concept: every public module-level name is defined in exactly one module.

Two modules that both define ``SYSTEM`` or ``parse_state_answer`` make ``from ... import name``
ambiguous to a reader (which one is this?) and, when the definitions differ, a wrong import
still runs. So each public name (a module-level function, class or assigned name that does not
start with ``_``) may be *defined* in one module of ``src/execverify`` only; other modules import
it from there (a re-export by import is fine: it is not a definition). Where two modules need
different things, the names say which (``CRUXEVAL_HUB_ID``, ``RevalProblem``); a helper that no
other module uses is private (``_finish``).

The check reads the source with ``ast`` (nothing is imported, so optional dependencies do not
matter) and looks at the module body, including the bodies of module-level ``if``/``try``
statements, which also define module attributes.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import execverify

PACKAGE_DIR = Path(execverify.__file__).resolve().parent
SRC_DIR = PACKAGE_DIR.parent

ALLOWED_REPEATS: dict[str, str] = {
    # The CLI plug-in protocol: ``execverify/cli.py`` imports each sub-command module
    # (``data/cli.py``, ``eval/cli.py``, ``train/cli.py``, ...) and calls its ``register(sub)`` to
    # add its sub-parser, so every such module must define a function of exactly this name.
    "register": "every sub-command CLI module's hook that adds its sub-parser",
    # The handler a sub-command module's ``register`` installs with
    # ``parser.set_defaults(handler=run)`` (``data/cli.py``, ``demo/cli.py``, ``train/cli.py``).
    "run": "a sub-command CLI module's handler for its parsed arguments",
    # Process entry points: ``execverify.cli:main`` (the console script) and the sandbox
    # worker's ``main()``, which the host pool starts as ``python -S -c "...; main()"``.
    "main": "a process's entry point",
}
"""Conventional entry-point names that several modules must define; each is a protocol, not a
concept with one home. (``__all__`` needs no entry: it starts with ``_``.)"""


def _targets(target: ast.expr) -> list[str]:
    """The plain names an assignment target binds (``a``, ``a, b``, ``[a, *b]``)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _targets(elt)]
    if isinstance(target, ast.Starred):
        return _targets(target.value)
    return []  # ``obj.attr = ...`` / ``d[k] = ...`` define no module name


def _defined_names(body: list[ast.stmt]) -> list[str]:
    names: list[str] = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(n for t in node.targets for n in _targets(t))
        elif isinstance(node, ast.AnnAssign):
            names.extend(_targets(node.target))
        elif isinstance(node, ast.If):
            names.extend(dict.fromkeys(_defined_names(node.body) + _defined_names(node.orelse)))
        elif isinstance(node, ast.Try):
            branches = [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
            names.extend(dict.fromkeys(n for b in branches for n in _defined_names(b)))
    return names


def public_definitions() -> dict[str, list[str]]:
    """Public module-level name -> the modules (paths relative to ``src``) that define it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        module = path.relative_to(SRC_DIR).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in dict.fromkeys(_defined_names(tree.body)):  # rebinding in one module is fine
            if not name.startswith("_"):
                found[name].append(module)
    return found


def test_every_public_name_is_defined_in_one_module():
    repeated = {name: modules for name, modules in public_definitions().items()
                if len(modules) > 1 and name not in ALLOWED_REPEATS}
    listing = "\n".join(f"  {name}: {', '.join(modules)}"
                        for name, modules in sorted(repeated.items()))
    assert not repeated, (
        "public names defined in more than one module (keep one definition and import it, "
        "rename by role, or make a module-private _name):\n" + listing)


def test_allow_list_is_minimal():
    """An entry that no longer repeats is not a convention any more: drop it from the list."""
    found = public_definitions()
    stale = sorted(name for name in ALLOWED_REPEATS if len(found.get(name, ())) < 2)
    assert not stale, f"ALLOWED_REPEATS entries defined in fewer than two modules: {stale}"


def test_the_scan_sees_module_level_definitions(tmp_path):
    source = (
        "import os\n"
        "A = B = 1\n"
        "C, (D, *E) = 1, (2, 3)\n"
        "F: int = 0\n"
        "_PRIVATE = 1\n"
        "os.environ['X'] = '1'\n"
        "def g(): H = 1\n"
        "class K: L = 1\n"
        "if A:\n    M = 1\nelse:\n    M = 2\n"
        "try:\n    import json as N\nexcept ImportError:\n    N = None\n"
    )
    names = _defined_names(ast.parse(source).body)
    assert names == ["A", "B", "C", "D", "E", "F", "_PRIVATE", "g", "K", "M", "N"]
