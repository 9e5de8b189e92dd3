"""Evaluation: the method's benchmarks, our held-out levels, any model.

Command line (``execverify eval --help``)::

    execverify eval cruxeval-o reval synthetic --model builtin --limit 50 \\
        --data synthetic=data/heldout --out runs/builtin
    execverify eval cruxeval --task output --generations gens.json --scored-out scored.json
    execverify eval compare runs/builtin/results.json runs/trained/results.json

Python::

    from execverify.eval import RunConfig, evaluate, benchmark_class
    bench = benchmark_class("cruxeval-o")(limit=50)
    doc = evaluate([bench], RunConfig(model="builtin", out_dir=Path("runs/x")))

Pieces: ``base`` (the Benchmark interface), ``registry`` (names, ``register_benchmark``),
one module per benchmark, ``execcheck`` (official-style assertion checks in the sandbox),
``metrics`` (pass@k, standard errors, REval consistency), ``generation`` (resumable cache),
``runner``, ``schema`` (the results file), ``report`` (Markdown, comparison, plots).

Importing this package is cheap: no model, sandbox or benchmark data is touched until used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, eagerly, for type checkers
    from execverify.eval.base import Benchmark as Benchmark
    from execverify.eval.base import BenchmarkDataError as BenchmarkDataError
    from execverify.eval.base import Sample as Sample
    from execverify.eval.base import Verdict as Verdict
    from execverify.eval.metrics import Metric as Metric
    from execverify.eval.metrics import pass_at_k as pass_at_k
    from execverify.eval.registry import BENCHMARKS as BENCHMARKS
    from execverify.eval.registry import benchmark_class as benchmark_class
    from execverify.eval.registry import register_benchmark as register_benchmark
    from execverify.eval.runner import RunConfig as RunConfig
    from execverify.eval.runner import evaluate as evaluate
    from execverify.eval.runner import score_generations as score_generations

# Resolved on first use (PEP 562): the runner brings the model backends, the registry nothing
# until a benchmark is named, so ``import execverify.eval`` costs a few modules, not sixty.
_EXPORTS = {
    "BENCHMARKS": "registry",
    "Benchmark": "base",
    "BenchmarkDataError": "base",
    "Metric": "metrics",
    "RunConfig": "runner",
    "Sample": "base",
    "Verdict": "base",
    "benchmark_class": "registry",
    "evaluate": "runner",
    "pass_at_k": "metrics",
    "register_benchmark": "registry",
    "score_generations": "runner",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
