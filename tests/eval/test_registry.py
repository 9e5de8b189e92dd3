import json
import subprocess
import sys

import pytest

from execverify.eval import registry
from execverify.eval.base import Benchmark
from execverify.validation import ConfigError


def _modules_after(statement: str) -> list[str]:
    """The execverify modules a fresh interpreter holds after running ``statement``."""
    code = (f"import sys, json; {statement}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('execverify'))))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def test_importing_eval_loads_no_benchmark():
    loaded = _modules_after("import execverify.eval")
    assert len(loaded) < 20, loaded
    registry_loaded = _modules_after("from execverify.eval import BENCHMARKS, benchmark_class")
    assert not any(m.startswith(("execverify.eval.cruxeval", "execverify.eval.reval",
                                 "execverify.models")) for m in registry_loaded), registry_loaded


def test_naming_one_benchmark_imports_that_one_only():
    loaded = _modules_after("from execverify.eval import benchmark_class; "
                            "benchmark_class('humaneval')")
    assert "execverify.eval.humaneval" in loaded
    assert "execverify.eval.reval" not in loaded and "execverify.eval.bigcodebench" not in loaded


def test_every_builtin_name_resolves_to_a_benchmark():
    for name in list(registry.BENCHMARKS):
        assert issubclass(registry.benchmark_class(name), Benchmark)
    assert registry.benchmark_class("CRUXEval-Output") is registry.benchmark_class("cruxeval-o")


class Toy(Benchmark):
    name = "toy"


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "BENCHMARKS", dict(registry.BENCHMARKS))


def test_register_by_class_or_reference(clean_registry):
    registry.register_benchmark("toy", Toy)
    assert registry.benchmark_class("toy") is Toy
    registry.register_benchmark("toy2", f"{__name__}:Toy")
    assert registry.BENCHMARKS["toy2"] == f"{__name__}:Toy"  # not imported yet
    assert registry.benchmark_class("toy2") is Toy
    with pytest.raises(ValueError, match="already registered"):
        registry.register_benchmark("toy", Toy)
    with pytest.raises(ValueError, match="module:Class"):
        registry.register_benchmark("toy3", "no_colon")
    with pytest.raises(TypeError, match="Benchmark subclass"):
        registry.register_benchmark("toy4", dict)


def test_a_bad_reference_fails_when_used_and_names_itself(clean_registry):
    registry.register_benchmark("ghost", "execverify.eval.nothing_here:Ghost")
    with pytest.raises(ConfigError, match="nothing_here:Ghost"):
        registry.benchmark_class("ghost")
    registry.register_benchmark("notabench", "execverify.eval.registry:ALIASES")
    with pytest.raises(TypeError, match="notabench"):
        registry.benchmark_class("notabench")
    with pytest.raises(ValueError, match="unknown benchmark 'nope'; choose from"):
        registry.benchmark_class("nope")
