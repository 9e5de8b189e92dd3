"""All 800 CRUXEval programs: the traced output equals the benchmark's, and nothing crashes."""

from __future__ import annotations

import ast
import json
import math
from importlib import resources
from typing import Any

import pytest

from execverify.trace import trace_many

from .conftest import _available, _pool


def load() -> list[dict[str, Any]]:
    path = resources.files("execverify.eval") / "data" / "cruxeval" / "cruxeval.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def literal(text: str) -> Any:
    """A repr as a value; ``nan``/``inf`` (not literals) become floats; else the text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        specials = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
        return specials.get(text.strip(), text)


def same_value(a: Any, b: Any) -> bool:
    """Equality that treats nan as equal to nan, inside containers too."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return a == b


def test_value_comparison_helpers():
    assert same_value(literal("{1, 2}"), literal("{2, 1}"))
    assert same_value(literal("nan"), literal("nan"))
    assert not same_value(literal("1"), literal("1.0"))
    assert not same_value(literal("True"), literal("1"))
    assert same_value(literal("(1, [2, {'a': 3}])"), literal("(1, [2, {'a': 3}])"))


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_every_cruxeval_output_matches(version, sandboxes):
    if not _available(version):
        pytest.skip(f"Python {version} is not installed")
    rows = load()
    assert len(rows) == 800
    traces = trace_many([(r["code"], "f", r["input"]) for r in rows],
                        sandbox=_pool(sandboxes, version), batch_size=32)
    crashed = [(r["id"], t.status, t.error) for r, t in zip(rows, traces) if not t.ok]
    assert crashed == []
    wrong = [(r["id"], t.output, r["output"]) for r, t in zip(rows, traces)
             if not same_value(literal(t.output), literal(r["output"]))]
    assert wrong == []
    assert all(t.steps for t in traces)
