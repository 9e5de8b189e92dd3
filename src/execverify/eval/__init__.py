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

from execverify.validation import lazy_exports

# Resolved on first use: the runner brings the model backends, the registry nothing until a
# benchmark is named, so ``import execverify.eval`` costs a few modules, not sixty.
_EXPORTS = {name: module for module, names in (
    ("base", ("Benchmark", "BenchmarkDataError", "Sample", "Verdict")),
    ("metrics", ("Metric", "pass_at_k")),
    ("registry", ("BENCHMARKS", "benchmark_class", "register_benchmark")),
    ("runner", ("RunConfig", "evaluate", "score_generations")),
) for name in names}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
