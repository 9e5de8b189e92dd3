"""Benchmarks by name: the names ``execverify eval`` accepts, and the one place outsiders add
theirs (``register_benchmark("mybench", MyBench)`` or ``register_benchmark("mybench",
"mypkg.bench:MyBench")``).

Each name maps to its class or to a ``"module:Class"`` reference imported the first time the
name is asked for, so importing the registry (or ``execverify.eval``) loads no benchmark: a
run of one benchmark imports that one, not its ten neighbours and their data code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from execverify.validation import resolve

if TYPE_CHECKING:
    from execverify.eval.base import Benchmark

BENCHMARKS: dict[str, str | type[Benchmark]] = {
    "cruxeval-o": "execverify.eval.cruxeval:CRUXEvalOutput",
    "cruxeval-i": "execverify.eval.cruxeval:CRUXEvalInput",
    "reval": "execverify.eval.reval:REval",
    "reval-corrected": "execverify.eval.reval:REvalCorrected",
    "lcb-exec": "execverify.eval.lcb_execution:LCBExecution",
    "humaneval": "execverify.eval.humaneval:HumanEval",
    "humaneval+": "execverify.eval.humaneval:HumanEvalPlus",
    "mbpp": "execverify.eval.mbpp:MBPP",
    "mbpp+": "execverify.eval.mbpp:MBPPPlus",
    "lcb-codegen": "execverify.eval.lcb_codegen:LCBCodegen",
    "bigcodebench": "execverify.eval.bigcodebench:BigCodeBench",
    "bigcodebench-hard": "execverify.eval.bigcodebench:BigCodeBenchHard",
    "synthetic": "execverify.eval.synthetic:Synthetic",
    "cruxeval-x-o": "execverify.eval.cruxeval_x:CRUXEvalXOutput",
    "cruxeval-x-i": "execverify.eval.cruxeval_x:CRUXEvalXInput",
    **{f"cruxeval-x-{task}-{lang}": f"execverify.eval.cruxeval_x:CRUXEval{kind}{cls}"
       for task, kind in (("o", "XOutput"), ("i", "XInput"))
       for lang, cls in (("cpp", "Cpp"), ("cs", "CSharp"), ("go", "Go"), ("java", "Java"),
                         ("js", "JavaScript"), ("php", "PHP"))},
}
"""Name -> class, or the ``"module:Class"`` it is imported from on first use. CRUXEval-X has
one name per task for all six languages and one per task and language."""

ALIASES: dict[str, str] = {
    "cruxeval-output": "cruxeval-o",
    "cruxeval-input": "cruxeval-i",
    "cruxeval-x": "cruxeval-x-o",
    "humanevalplus": "humaneval+",
    "mbppplus": "mbpp+",
    "livecodebench-execution": "lcb-exec",
    "livecodebench": "lcb-codegen",
    "bcb": "bigcodebench",
    "bcb-hard": "bigcodebench-hard",
}


def register_benchmark(name: str, cls: type[Benchmark] | str, *, replace: bool = False) -> None:
    """Make ``name`` resolve to ``cls`` (a Benchmark subclass, or its ``"module:Class"``,
    checked when first used); refuses to shadow an existing name silently."""
    if isinstance(cls, str):
        if ":" not in cls:
            raise ValueError(f"a benchmark reference is 'module:Class'; got {cls!r}")
    else:
        _check(name, cls)
    if not name or name in ("compare", "list"):
        raise ValueError(f"{name!r} cannot name a benchmark (empty, or an eval sub-command)")
    if (name in BENCHMARKS or name in ALIASES) and not replace:
        raise ValueError(f"benchmark {name!r} is already registered; pass replace=True")
    BENCHMARKS[name] = cls


def benchmark_class(name: str) -> type[Benchmark]:
    """The class registered under ``name`` (or an alias), imported now if it was only named;
    ValueError lists the valid names."""
    key = ALIASES.get(name.lower(), name.lower())
    entry = BENCHMARKS.get(key)
    if entry is None:
        raise ValueError(
            f"unknown benchmark {name!r}; choose from {', '.join(sorted(BENCHMARKS))}"
        )
    if isinstance(entry, str):
        entry = BENCHMARKS[key] = _check(key, resolve(entry))
    return entry


def _check(name: str, cls: object) -> type[Benchmark]:
    from execverify.eval.base import Benchmark

    if not (isinstance(cls, type) and issubclass(cls, Benchmark)):
        raise TypeError(f"benchmark {name!r} needs a Benchmark subclass; got {cls!r}")
    return cls
