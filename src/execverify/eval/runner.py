"""Evaluation runs: generate with a model (or read a generations file), score, write results.

``evaluate`` is the whole pipeline for any list of benchmarks; the CLI is a thin layer over
it. Outputs in ``out_dir``: ``generations.jsonl`` (the resumable cache), ``results.json``
(schema in ``execverify.eval.schema``), ``summary.md`` and ``plots/*.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from execverify.eval.base import Benchmark, Sample
from execverify.eval.generation import CACHE_FILE, GenerationCache, generate_cached
from execverify.eval.pool import eval_sandbox
from execverify.eval.schema import benchmark_result, results_document, write_json_atomic
from execverify.models.base import Backend, Prompt, SamplingParams
from execverify.validation import require, require_choice, require_int

PROMPT_FORMATS = ("chat", "raw")


@dataclass
class RunConfig:
    """How to generate and where to write.

    model: a model name or path (``builtin`` for the bundled SmolLM2-135M-Instruct).
    backend: ``transformers``, ``vllm`` or ``openai`` (see ``execverify.models``).
    max_new_tokens: None uses each benchmark's own budget.
    temperature 0 is greedy decoding; n > 1 samples per prompt give pass@k.
    prompt_format: ``chat`` sends each prompt as a user message through the model's chat
        template (instruction-tuned models); ``raw`` completes the prompt text as is.
    """

    model: str
    backend: str = "transformers"
    backend_options: dict[str, Any] = field(default_factory=dict)
    max_new_tokens: int | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    n: int = 1
    seed: int | None = None
    batch_size: int = 8
    prompt_format: str = "chat"
    out_dir: Path | None = None
    workers: int | None = None
    preload: tuple[str, ...] = ()
    progress: bool = True

    def __post_init__(self) -> None:
        require(bool(self.model), "RunConfig", "model", self.model, "a model name or path")
        require_choice(self, "prompt_format", PROMPT_FORMATS)
        require_int(self, "batch_size")
        require_int(self, "workers", "max_new_tokens", optional=True)
        self.sampling(1)  # validates temperature, top_p, n and seed now, not mid-run

    def sampling(self, max_new_tokens: int, stop: Sequence[str] = ()) -> SamplingParams:
        return SamplingParams(max_new_tokens=self.max_new_tokens or max_new_tokens,
                              temperature=self.temperature, top_p=self.top_p, n=self.n,
                              seed=self.seed, stop=tuple(stop))


def as_prompt(sample: Sample, prompt_format: str) -> Prompt:
    """What the backend receives for a sample."""
    if prompt_format == "raw":
        return sample.prompt
    messages = [{"role": "system", "content": sample.system}] if sample.system else []
    return [*messages, {"role": "user", "content": sample.prompt}]


def evaluate(
    benchmarks: Sequence[Benchmark], config: RunConfig, backend: Backend | None = None
) -> dict[str, Any]:
    """Generate, score and write results for every benchmark; returns the results document."""
    for bench in benchmarks:  # bad data fails now, not after a model has loaded
        bench.samples()
    if backend is None:
        from execverify.models import load_backend

        backend = load_backend(config.backend, config.model, **config.backend_options)
    cache = GenerationCache(config.out_dir / CACHE_FILE if config.out_dir else None)
    results = []
    with _sandbox(benchmarks, config) as sandbox:
        for bench in benchmarks:
            samples = bench.samples()
            params = config.sampling(bench.max_tokens(), bench.stop_strings())
            completions = _generate(bench, samples, params, backend, cache, config)
            answers = [[bench.extract(c) for c in comps] for comps in completions]
            verdicts = bench.score(samples, answers, sandbox)
            for verdict, comps in zip(verdicts, completions):
                verdict.details["completions"] = comps
            results.append(benchmark_result(bench, verdicts, params))
    model = {"name": config.model, "backend": config.backend,
             "prompt_format": config.prompt_format}
    return _finish(results_document(model, results), config.out_dir)


def score_generations(
    bench: Benchmark, generations: Mapping[str, Sequence[str]], *, out_dir: Path | None = None,
    source: str = "", workers: int | None = None, preload: Sequence[str] = (),
) -> dict[str, Any]:
    """Score a generations file (``{sample_id: [answer, ...]}``, answers already extracted, as
    the official CRUXEval format stores them) on the samples it covers."""
    by_id = {s.id: s for s in bench.samples()}
    unknown = [k for k in generations if k not in by_id]
    if unknown:
        raise ValueError(f"{len(unknown)} generation ids are not {bench.name} samples "
                         f"(first: {unknown[0]!r})")
    samples = bench.restrict(set(generations))
    answers = [[str(g) for g in generations[s.id]] for s in samples]
    config = RunConfig(model="generations-file", workers=workers, preload=tuple(preload))
    with _sandbox([bench], config) as sandbox:
        verdicts = bench.score(samples, answers, sandbox)
    doc = results_document({"name": "generations-file", "path": source},
                           [benchmark_result(bench, verdicts, None)])
    return _finish(doc, out_dir)


def _finish(doc: dict[str, Any], out_dir: Path | None) -> dict[str, Any]:
    """Write results.json, summary.md and the plots into ``out_dir`` (if given)."""
    if out_dir is None:
        return doc
    from execverify.eval.report import summary_markdown, write_plots

    write_json_atomic(out_dir / "results.json", doc)
    (out_dir / "summary.md").write_text(summary_markdown(doc), encoding="utf-8")
    try:
        write_plots(doc, out_dir / "plots")
    except ImportError:
        print("note: plots skipped (pip install matplotlib)", file=sys.stderr)
    return doc


def _sandbox(benchmarks: Sequence[Benchmark], config: RunConfig):  # type: ignore[no-untyped-def]
    preload = [m for b in benchmarks for m in b.preload] + list(config.preload)
    return eval_sandbox(config.workers, extra_preload=preload)


def _generate(bench: Benchmark, samples: Sequence[Sample], params: SamplingParams,
              backend: Backend, cache: GenerationCache, config: RunConfig) -> list[list[str]]:
    prompts = [as_prompt(s, config.prompt_format) for s in samples]
    bar = None
    if config.progress:
        from tqdm import tqdm

        bar = tqdm(total=len(prompts), desc=f"generate {bench.name}", unit="prompt",
                   file=sys.stderr)
    try:
        return generate_cached(backend, prompts, params, cache, model=config.model,
                               backend_name=config.backend, ids=[s.id for s in samples],
                               batch_size=config.batch_size,
                               progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
