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

from execverify.eval.base import Benchmark, BenchmarkDataError, Sample, Verdict
from execverify.eval.metrics import Metric, pass_at_k
from execverify.eval.registry import BENCHMARKS, benchmark_class, register_benchmark
from execverify.eval.runner import RunConfig, evaluate, score_generations

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "BenchmarkDataError",
    "Metric",
    "RunConfig",
    "Sample",
    "Verdict",
    "benchmark_class",
    "evaluate",
    "pass_at_k",
    "register_benchmark",
    "score_generations",
]
