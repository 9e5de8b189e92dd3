"""REval's programs as runnable sources: what to trace for each (problem, input) pair, and the
program that checks an output answer.

REval (Chen et al., ICSE 2025) has two kinds of problems. HumanEval-derived ones (DREval/0-84)
are a function called with a literal argument tuple. ClassEval-derived ones (DREval/85-153) are
a class exercised by the first test method of the i-th ``<Class>Test*`` test class (after its
``setUp``), exactly as REval's ``tcls_postprocess`` selects it. For those we append the test
code and a small driver *after* the class code, so line numbers in the class code are
unchanged; trace steps past the class code are dropped before ground truth is computed (REval
only traces the class code's file).

REval asks about attributes (``self.limit``). Our tracer records locals by ``repr``, so for
classes without their own ``__repr__`` the driver installs one that prints the instance's
attribute dict behind ``ATTRS_MARK``; ground truth reads attributes from it. (A program that
prints its own instances would see that repr; no REval program does.)
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

ATTRS_MARK = "<reval-attrs>"
DRIVER = "__reval_run__"


@dataclass(frozen=True)
class RevalProblem:
    """One REval problem: ``index`` 0-153, ``kind`` "function" or "class"."""

    index: int
    task_id: str
    entry: str
    code: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    test: str | None

    @property
    def kind(self) -> str:
        return "function" if self.test is None else "class"

    @property
    def code_lines(self) -> int:
        return len(self.code.split("\n"))

    @classmethod
    def from_row(cls, index: int, row: dict[str, Any]) -> RevalProblem:
        return cls(index=index, task_id=row["task_id"], entry=row["entry_point"], code=row["code"],
                   inputs=tuple(row["inputs"]), outputs=tuple(row.get("outputs") or ()),
                   test=row.get("test"))


def invocation(problem: RevalProblem, input_idx: int) -> str:
    """How the prompt shows the run: ``f(1, 2)`` or the test code (with its setUp)."""
    text = problem.inputs[input_idx]
    if problem.kind == "function":
        return f"{problem.entry}{_call_args(text)}"
    setup = test_case(problem, input_idx)[2]
    if setup:
        return "# setup code executed previously\n" + setup + "\n" + text.rstrip()
    return text.rstrip()


def traced_call(problem: RevalProblem, input_idx: int) -> tuple[str, str, str]:
    """``(source, entry, args)`` to trace for this input."""
    if problem.kind == "function":
        return problem.code, problem.entry, "*" + problem.inputs[input_idx]
    class_name, method, _ = test_case(problem, input_idx)
    driver = (
        f"\n\n{test_code(problem)}\n\n{_attrs_repr(problem.entry)}\n"
        f"def {DRIVER}():\n    case = {class_name}()\n    case.setUp()\n    case.{method}()\n"
    )
    return problem.code + driver, DRIVER, ""


def output_program(problem: RevalProblem, input_idx: int, test_lines: list[str]) -> str:
    """The program that runs a filled-in output template: the benchmark code, then the filled
    lines (an ``assert`` for functions; test code on a set-up test case for classes)."""
    if problem.kind == "function":
        return problem.code + "\n" + "\n".join(test_lines) + "\n"
    class_name, _, _ = test_case(problem, input_idx)
    body = "\n".join("    " + _self_asserts(line) for line in test_lines)
    return (
        f"{problem.code}\n\n{test_code(problem)}\n\n"
        f"def {DRIVER}():\n    self = {class_name}()\n    self.setUp()\n{body}\n\n{DRIVER}()\n"
    )


def test_code(problem: RevalProblem) -> str:
    """The test code without its ``if __name__ == "__main__":`` blocks (program 117 runs
    ``unittest.main()`` there; REval executes test code in a module not named ``__main__``)."""
    text = problem.test or ""
    lines = text.split("\n")
    for node in reversed(ast.parse(text).body):
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            del lines[node.lineno - 1:node.end_lineno]
    return "\n".join(lines)


def test_case(problem: RevalProblem, input_idx: int) -> tuple[str, str, str]:
    """``(test class, its first test method, its setUp body)`` for a class problem's input."""
    classes = _test_classes(problem)
    if len(classes) != len(problem.inputs):
        raise ValueError(
            f"{problem.task_id}: {len(classes)} test classes for {len(problem.inputs)} inputs"
        )
    return classes[input_idx]


def _test_classes(problem: RevalProblem) -> list[tuple[str, str, str]]:
    """REval's selection: classes named ``<Class>Test...`` deriving from a TestCase, in file
    order, each with its first ``test*`` method and the source of its ``setUp`` body."""
    tree = ast.parse(problem.test or "")
    pattern = re.compile(f"{re.escape(problem.entry)}Test.*")
    out = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not pattern.match(node.name):
            continue
        if not any(ast.unparse(b).endswith("TestCase") for b in node.bases):
            continue
        methods = [n for n in node.body if isinstance(n, ast.FunctionDef)]
        tests = [m.name for m in methods if m.name.startswith("test")]
        setup = next((m for m in methods if m.name == "setUp"), None)
        setup_text = "\n".join(ast.unparse(s) for s in setup.body) if setup else ""
        if tests:
            out.append((node.name, tests[0], setup_text))
    return out


def _attrs_repr(class_name: str) -> str:
    return (
        f"if '__repr__' not in vars({class_name}):\n"
        f"    {class_name}.__repr__ = lambda self: {ATTRS_MARK!r} + repr(vars(self))\n"
    )


def _self_asserts(line: str) -> str:
    """``assertEqual(...)`` -> ``self.assertEqual(...)`` (REval's inputs drop the ``self.``)."""
    return re.sub(r"(?<![\w.])(assert[A-Z]\w*)\(", r"self.\1(", line)


def _call_args(input_text: str) -> str:
    """REval shows ``f(a, b)`` for the input tuple ``(a, b,)`` (it drops the trailing ``,)``)."""
    text = input_text.strip()
    return text[:-2] + ")" if text.endswith(",)") else text
