"""Benchmarks by name: the names ``execverify eval`` accepts, and the one place outsiders add
theirs (``register_benchmark("mybench", MyBench)``).
"""

from __future__ import annotations

from execverify.eval.base import Benchmark
from execverify.eval.bigcodebench import BigCodeBench, BigCodeBenchHard
from execverify.eval.cruxeval import CRUXEvalInput, CRUXEvalOutput
from execverify.eval.humaneval import HumanEval, HumanEvalPlus
from execverify.eval.lcb_codegen import LCBCodegen
from execverify.eval.lcb_execution import LCBExecution
from execverify.eval.mbpp import MBPP, MBPPPlus
from execverify.eval.reval import REval
from execverify.eval.synthetic import Synthetic

BENCHMARKS: dict[str, type[Benchmark]] = {
    "cruxeval-o": CRUXEvalOutput,
    "cruxeval-i": CRUXEvalInput,
    "reval": REval,
    "lcb-exec": LCBExecution,
    "humaneval": HumanEval,
    "humaneval+": HumanEvalPlus,
    "mbpp": MBPP,
    "mbpp+": MBPPPlus,
    "lcb-codegen": LCBCodegen,
    "bigcodebench": BigCodeBench,
    "bigcodebench-hard": BigCodeBenchHard,
    "synthetic": Synthetic,
}

ALIASES: dict[str, str] = {
    "cruxeval-output": "cruxeval-o",
    "cruxeval-input": "cruxeval-i",
    "humanevalplus": "humaneval+",
    "mbppplus": "mbpp+",
    "livecodebench-execution": "lcb-exec",
    "livecodebench": "lcb-codegen",
    "bcb": "bigcodebench",
    "bcb-hard": "bigcodebench-hard",
}


def register_benchmark(name: str, cls: type[Benchmark], *, replace: bool = False) -> None:
    """Make ``name`` resolve to ``cls``; refuses to shadow an existing name silently."""
    if not (isinstance(cls, type) and issubclass(cls, Benchmark)):
        raise TypeError(f"register_benchmark needs a Benchmark subclass; got {cls!r}")
    if not name or name in ("compare", "list"):
        raise ValueError(f"{name!r} cannot name a benchmark (empty, or an eval sub-command)")
    if (name in BENCHMARKS or name in ALIASES) and not replace:
        raise ValueError(f"benchmark {name!r} is already registered; pass replace=True")
    BENCHMARKS[name] = cls


def benchmark_class(name: str) -> type[Benchmark]:
    """The class registered under ``name`` (or an alias); ValueError lists the valid names."""
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return BENCHMARKS[key]
    except KeyError:
        raise ValueError(
            f"unknown benchmark {name!r}; choose from {', '.join(sorted(BENCHMARKS))}"
        ) from None
