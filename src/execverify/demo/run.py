"""The demo's phases, in order, each resumable: data, evaluate the base model, SFT warm-up,
(evaluate), stage-1 GRPO, evaluate, report.

A phase that finished leaves its output (``split.json``, ``results.json``, ``done.json``) and
is skipped on a rerun; one that was killed picks up where it stopped (synthesis shards, the
evaluation's generation cache, the trainers' checkpoints). Wall time per phase is summed over
runs into ``timings.json``, so the recorded total is the real cost even after a resume.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from execverify.config import load_section
from execverify.data.dataset import write_json
from execverify.demo.data import DemoData, prepare_data
from execverify.train.config import DemoConfig, SFTConfig, Stage1Config
from execverify.train.model import release_memory

TIMINGS_FILE = "timings.json"


@dataclass
class DemoResult:
    """What a demo run measured: per evaluated model, the benchmarks' aggregates."""

    out: Path
    data: DemoData
    evals: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """stage (base, sft, final) -> benchmark name -> aggregate name -> Metric dict."""
    training: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    footprint: dict[str, float] = field(default_factory=dict)
    """``peak_rss_mb`` (this process's peak, or its largest child's if larger: a resumed run
    counts its own part only) and ``disk_mb`` (what ``out`` holds at the end)."""


def stage_configs(recipe: str | Path | None, overrides: Sequence[str] | dict[str, Any] = ()
                  ) -> tuple[DemoConfig, SFTConfig, Stage1Config]:
    """The demo's configs: its own section, and the training sections pointed into ``out``."""
    demo = load_section("demo", recipe, overrides)
    out = Path(demo.out)
    sft = dataclasses.replace(load_section("sft", recipe, overrides), model=demo.model,
                              data=str(out / "data" / "train"), output_dir=str(out / "sft"),
                              levels=demo.levels, seed=demo.seed, templates=demo.templates)
    stage1 = dataclasses.replace(load_section("stage1", recipe, overrides), model=sft.output_dir,
                                 data=sft.data, output_dir=str(out / "stage1"),
                                 levels=demo.levels, seed=demo.seed, templates=demo.templates)
    return demo, sft, stage1  # type: ignore[return-value]


def run_demo(recipe: str | Path | None = None, overrides: Sequence[str] | dict[str, Any] = (),
             *, progress: bool = True, log: Callable[[str], None] | None = None) -> DemoResult:
    """Run (or resume) every phase; returns the measurements, also written to ``out``."""
    from execverify.demo.report import write_demo_report

    demo, sft, stage1 = stage_configs(recipe, overrides)
    out = Path(demo.out)
    out.mkdir(parents=True, exist_ok=True)
    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    timer = PhaseTimer(out / TIMINGS_FILE)
    with timer.phase("data"):
        data = prepare_data(demo, out, progress, load_section("tasks", recipe, overrides))
    say(f"demo: {data.train_records} training records; held out {data.heldout_records} "
        f"records asking {data.heldout_questions} questions")
    result = DemoResult(out=out, data=data)
    runs = demo_benchmarks(demo, data)
    plan: list[tuple[str, Callable[[], Any]]] = [
        ("eval base", partial(evaluate_stage, demo, runs, demo.model, out / "eval" / "base",
                              progress)),
        ("sft", partial(run_sft, sft)),
    ]
    if demo.eval_after_sft:
        plan.append(("eval sft", partial(evaluate_stage, demo, runs, sft.output_dir,
                                         out / "eval" / "sft", progress)))
    reward = load_section("reward", recipe, overrides, plain=False)
    plan += [("stage1", partial(run_stage1, stage1, reward)),
             ("eval final", partial(evaluate_stage, demo, runs, stage1.output_dir,
                                    out / "eval" / "final", progress))]
    for name, step in plan:
        say(f"demo: {name} ...")
        with timer.phase(name):
            value = run_phase(step, demo.isolate_phases)
        if name.startswith("eval"):
            result.evals[name.split()[1]] = value
        else:
            result.training[name] = value
    result.timings = timer.totals()
    result.footprint = footprint(out)
    write_demo_report(result, demo)
    return result


@dataclass(frozen=True)
class EvalRun:
    """One benchmark a stage is evaluated on: its folder name, the benchmark, the prompt
    format and the generation budget."""

    name: str
    bench: Any
    prompt_format: str
    max_new_tokens: int


def demo_benchmarks(demo: DemoConfig, data: DemoData) -> list[EvalRun]:
    """Held-out synthetic (chat) and, unless its limit is 0, the CRUXEval-O subset."""
    from execverify.eval.cruxeval import CRUXEvalOutput
    from execverify.eval.synthetic import Synthetic

    runs = [EvalRun("synthetic", Synthetic(str(data.heldout), tasks=demo.heldout_tasks,
                                           templates=demo.templates), "chat",
                    demo.eval_max_new_tokens)]
    if demo.cruxeval_limit:
        runs.append(EvalRun("cruxeval-o", CRUXEvalOutput(limit=demo.cruxeval_limit),
                            demo.cruxeval_format, demo.eval_max_new_tokens))
    return runs


def evaluate_stage(demo: DemoConfig, runs: Sequence[EvalRun], model: str, folder: Path,
                   progress: bool) -> dict[str, dict[str, Any]]:
    """Each of ``runs`` for one model, into ``folder/<name>``: benchmark name -> aggregates.
    A benchmark's ``results.json`` is reused when present, so a resumed run does not
    evaluate twice (and a killed one resumes from its generation cache)."""
    out: dict[str, dict[str, Any]] = {}
    backend = None
    for run in runs:
        done = folder / run.name / "results.json"
        if done.is_file():
            doc = json.loads(done.read_text(encoding="utf-8"))
        else:
            backend = backend or _backend(model, demo.eval_batch_size)
            doc = _evaluate(run, model, demo, folder / run.name, backend, progress)
        out[run.name] = doc["benchmarks"][0]["aggregates"]
    return out


def _backend(model: str, batch_size: int) -> Any:
    """The transformers backend; bf16 weights on a CPU that computes bf16 natively (about
    1.3x faster generation there), the same for every model the demo compares."""
    import torch

    from execverify.models import load_backend
    from execverify.train.model import cpu_bf16

    options: dict[str, Any] = {"batch_size": batch_size, "progress": False}
    if not torch.cuda.is_available() and cpu_bf16():
        options["dtype"] = "bfloat16"
    return load_backend("transformers", model, **options)


def _evaluate(run: EvalRun, model: str, demo: DemoConfig, folder: Path, backend: Any,
              progress: bool) -> dict[str, Any]:
    from execverify.eval.runner import RunConfig, evaluate

    config = RunConfig(model=model, max_new_tokens=run.max_new_tokens,
                       batch_size=demo.eval_batch_size, prompt_format=run.prompt_format,
                       out_dir=folder, seed=demo.seed, progress=progress)
    return evaluate([run.bench], config, backend=backend)


def run_sft(config: SFTConfig) -> dict[str, Any]:
    """Train (or resume, or read back) an SFT stage; what its ``done.json`` records."""
    from execverify.train.sft import train_sft

    r = train_sft(config)
    return {"records": r.records, "examples": r.examples, "steps": r.steps,
            "output_dir": r.output_dir}


def run_stage1(config: Stage1Config, reward: Any) -> dict[str, Any]:
    """Train (or resume, or read back) stage 1; what its ``done.json`` records."""
    from execverify.train.grpo import train_stage1

    return train_stage1(config, reward=reward).summary()


def run_phase(step: Callable[[], Any], isolated: bool) -> Any:
    """``step()``, in a fresh process when ``isolated`` (``demo.isolate_phases``).

    In one process each phase's peak sits on top of what the phases before it left behind:
    glibc keeps much of a freed heap even after ``malloc_trim``, and the demo's process grew
    to 5 GB over phases that each peak near 4 GB alone. A spawned process per phase returns all
    of it to the system when it ends, at the cost of importing torch again (seconds). ``step``
    must pickle: a module-level function or a ``functools.partial`` of one, with config
    arguments. Progress and logs go to the same terminal; an exception comes back raised."""
    if not isolated:
        value = step()
        release_memory()
        return value
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(step).result()


def footprint(out: Path) -> dict[str, float]:
    """Peak resident memory of this run and the disk space ``out`` takes, in MiB."""
    import resource

    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KiB on Linux
    disk = sum(f.stat().st_size for f in out.rglob("*") if f.is_file() and not f.is_symlink())
    return {"peak_rss_mb": round(peak_kb / 1024, 1), "disk_mb": round(disk / 2**20, 1)}


class PhaseTimer:
    """Wall seconds per phase, added to what earlier (killed) runs spent, saved after each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.spent: dict[str, float] = (json.loads(path.read_text(encoding="utf-8"))
                                        if path.is_file() else {})

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] = round(self.spent.get(name, 0.0) + time.perf_counter() - start, 1)
            write_json(self.path, self.spent)

    def totals(self) -> dict[str, float]:
        return {**self.spent, "total": round(sum(self.spent.values()), 1)}
