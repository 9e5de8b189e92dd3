"""``execverify synth``: generate, filter, trace and question programs into a dataset folder.

The work is cut into shards: a shard is one level's slice of the requested count, and every
candidate program in it is generated from a seed derived from (run seed, level, shard, index).
A shard therefore depends on nothing but its own spec, so shards can run in any order, in any
number of processes here or as Ray tasks on a cluster, and the bytes come out the same. Each
finished shard is written atomically next to a small stats file; a rerun of the same command
skips the shards that are done, which is how a killed run resumes.

Per candidate, in order (the first failing check is the rejection reason):
``generate`` (the builder gave up), ``static`` (banned imports or names), ``duplicate`` (same
normalised program and input as an earlier candidate of the shard), ``contaminated`` (with
``decontaminate``: overlaps CRUXEval or HumanEval), then in the sandbox, a
batch at a time: ``error`` (raised), ``slow`` (untraced call over the time limit),
``nondeterministic`` (traced and untraced results differ, or differ under another hash seed),
``trace_limit``, ``output_too_large``, ``not_literal`` (the result's repr does not round-trip
through ``ast.literal_eval``), ``record`` (no questions could be built), and with
``difficulty_model`` set, ``too_easy`` (the method's filter: the model solved the output
question more than ``difficulty_t`` of ``difficulty_k`` times).

Generator ``llm`` (the method's own route) asks a model from ``execverify.models`` for each
program (``llm_<reason>`` counts what it got wrong) and runs every model-written program in an
execution of its own; the built-in generator's programs run a batch per execution. A shard
stops after ``max_candidates_per_record`` candidates per wanted record
(``budget_exhausted``), so a model that almost never succeeds cannot spin forever.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from execverify import __version__
from execverify.data import dataset
from execverify.data.records import Record
from execverify.sandbox import Limits, Sandbox
from execverify.synth.filters import dedup_key, round_trips, static_violation
from execverify.synth.generate import Program, generate
from execverify.tasks.build import build_record
from execverify.tasks.selection import TaskConfig
from execverify.trace import TraceBatches, TraceOptions, TraceRequest
from execverify.trace.model import Trace
from execverify.trace.recorder import ship_code
from execverify.trace.statements import StatementFacts
from execverify.validation import require, require_choice, require_int, require_number

GENERATORS = ("builtin", "llm")


@dataclass(frozen=True)
class SynthConfig:
    """One synthesis run. Everything here is recorded in the manifest."""

    levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    num: int = 1000
    seed: int = 0
    generator: str = "builtin"
    shard_size: int = 500
    batch_size: int = 64
    time_limit_s: float = 0.5
    max_output_chars: int = 300
    max_steps: int = 2000
    max_candidates_per_record: int = 50
    decontaminate: bool = False  # drop programs overlapping CRUXEval / HumanEval (10-grams)
    # the method's difficulty filter: a model answers the output question k times and records
    # it solves more than t times are dropped (off unless difficulty_model is set)
    difficulty_model: str | None = None
    difficulty_backend: str = "transformers"
    difficulty_k: int = 10
    difficulty_t: int = 3
    tasks: TaskConfig = field(default_factory=TaskConfig)
    # generator "llm" only: which model writes the programs (execverify.models)
    backend: str = "transformers"
    model: str = "builtin"
    base_url: str | None = None

    def __post_init__(self) -> None:
        levels = tuple(sorted(set(self.levels)))
        object.__setattr__(self, "levels", levels)
        require(bool(levels) and all(level in range(1, 7) for level in levels), "SynthConfig",
                "levels", list(self.levels), "levels 1..6, like [1, 2]")
        require_choice(self, "generator", GENERATORS)
        require_int(self, "num", "shard_size", "batch_size", "max_output_chars", "max_steps",
                    "max_candidates_per_record", "difficulty_k")
        require(0 <= self.difficulty_t <= self.difficulty_k, "SynthConfig", "difficulty_t",
                self.difficulty_t, f"between 0 and difficulty_k ({self.difficulty_k})")
        require_number(self, "time_limit_s")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["levels"] = list(self.levels)
        data["tasks"]["kinds"] = list(self.tasks.kinds)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SynthConfig:
        data = dict(data)
        data["levels"] = tuple(data["levels"])
        data["tasks"] = TaskConfig(**{**data.get("tasks", {}),
                                      "kinds": tuple(data.get("tasks", {}).get("kinds", ()))
                                      or TaskConfig().kinds})
        return cls(**data)


@dataclass(frozen=True)
class ShardSpec:
    level: int
    index: int
    quota: int

    @property
    def name(self) -> str:
        return f"level{self.level}-{self.index:05d}"


def plan_shards(config: SynthConfig) -> list[ShardSpec]:
    """Split ``num`` evenly over the levels (the first levels take the remainder), then each
    level's share into shards of at most ``shard_size``."""
    per_level, extra = divmod(config.num, len(config.levels))
    shards = []
    for i, level in enumerate(config.levels):
        count = per_level + (1 if i < extra else 0)
        for index, start in enumerate(range(0, count, config.shard_size)):
            shards.append(ShardSpec(level, index, min(config.shard_size, count - start)))
    return shards


def candidate_seed(run_seed: int, level: int, shard: int, index: int) -> int:
    """A seed for one candidate that no other candidate of any run shares by accident."""
    digest = hashlib.sha256(f"{run_seed}/{level}/{shard}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


# -- one shard --------------------------------------------------------------------------------
class Candidate(NamedTuple):
    """A program that passed the static checks, with its number (the index its seed came
    from) and its parsed tree, which the checks and the record builder share."""

    number: int
    program: Program
    tree: ast.Module


class InFlight(NamedTuple):
    """A batch executing in both pools while the previous one becomes records."""

    batch: list[Candidate]
    traced: TraceBatches  # the main pool: traces
    plain: TraceBatches  # the second pool: untraced results and times


class ShardWorker:
    """Turns shard specs into records with two sandbox pools: the main one traces, the second
    (another hash seed) runs each call untraced. The two runs must agree: that catches
    results that depend on hash order or on anything else that differs between runs, and
    tracing that changed a result; the untraced run's time is the one held to the limit."""

    def __init__(self, config: SynthConfig) -> None:
        self.config = config
        limits = Limits(timeout_s=max(2.0, config.time_limit_s * 4), memory_mb=512)
        self.main = Sandbox(workers=1, limits=limits)
        self.alt = Sandbox(workers=1, limits=limits, hash_seed=1)
        self.trace_options = TraceOptions(max_steps=config.max_steps, max_repr=200).hook_options()
        self.llm = _llm_generator(config) if config.generator == "llm" else None
        self.decontaminator = _decontaminator() if config.decontaminate else None
        self.difficulty = _difficulty_filter(config) if config.difficulty_model else None
        # Model-written programs are untrusted: one per sandbox execution, never batched, and
        # compiled only there. The built-in generator's are compiled here, once, from the tree
        # the checks parsed, instead of in each pool's execution (marshalled code is only valid
        # for the interpreter that made it, which both pools run).
        self.chunk = 1 if self.llm is not None else config.batch_size
        self.ships_code = self.llm is None and self.main.python == sys.executable
        # Model inference (GPU tensors among its garbage) must not wait for a paused collector.
        self.pause_collector = self.llm is None and self.difficulty is None

    def close(self) -> None:
        self.main.close()
        self.alt.close()

    def run(self, spec: ShardSpec) -> tuple[list[Record], Counter]:
        """Keep the first ``spec.quota`` candidates (in index order) that pass every check.

        The next batch executes in the sandbox while this process builds the records of the
        previous one. Once the batch in flight could fill the quota, the next one is drawn (its
        static rejections count) but runs only if the quota is still short after all: a shard
        would otherwise end by tracing a whole batch for nothing.
        """
        kept: list[Record] = []
        rejected: Counter = Counter()
        seen: set[str] = set()
        index = 0
        budget = spec.quota * self.config.max_candidates_per_record
        in_flight: InFlight | None = None
        while len(kept) < spec.quota:
            if index >= budget:  # a generator that almost never passes must not spin
                if in_flight is not None:
                    self._keep(spec, in_flight, kept, rejected)
                    in_flight = None
                    continue
                rejected["budget_exhausted"] += spec.quota - len(kept)
                break
            batch, index = self._candidates(spec, index, seen, rejected)
            may_fill = in_flight is not None and len(kept) + len(in_flight.batch) >= spec.quota
            if may_fill:
                self._keep(spec, in_flight, kept, rejected)
                in_flight = None
                if len(kept) == spec.quota:
                    break
            submitted = self._submit(batch)
            if in_flight is not None:
                self._keep(spec, in_flight, kept, rejected)
            in_flight = submitted
        return kept, rejected

    def _keep(self, spec: ShardSpec, in_flight: InFlight, kept: list[Record],
              rejected: Counter) -> None:
        built: list[Record] = []
        for candidate, one, other in zip(in_flight.batch, in_flight.traced.results(),
                                         in_flight.plain.results()):
            verdict = self._verdict(one, other)
            if isinstance(verdict, str):
                rejected[verdict] += 1
                continue
            record = self._record(spec, candidate, verdict)
            if record is None:
                rejected["record"] += 1
            else:
                built.append(record)
        keep = self.difficulty.keep(built) if self.difficulty and built else [True] * len(built)
        for record, ok in zip(built, keep):
            if len(kept) == spec.quota:
                return
            if ok:
                kept.append(record)
            else:
                rejected["too_easy"] += 1

    def _candidates(self, spec: ShardSpec, index: int, seen: set[str], rejected: Counter
                    ) -> tuple[list[Candidate], int]:
        """The next batch of candidates that pass the static checks, numbered by the index
        their seed was derived from (times 100 plus the input number for model programs)."""
        drawn = self._draw if self.llm is None else self._draw_llm
        batch: list[Candidate] = []
        budget = spec.quota * self.config.max_candidates_per_record
        while len(batch) < self.config.batch_size and index < budget:
            programs, index = drawn(spec, index, rejected)
            for number, program in programs:
                tree = _parsed(program.source)
                if tree is None or static_violation(program.source, tree):
                    rejected["static"] += 1
                    continue
                key = dedup_key(program.source, program.args, tree=tree)
                if key in seen:
                    rejected["duplicate"] += 1
                    continue
                if self.decontaminator and self.decontaminator.contaminated(program.source):
                    rejected["contaminated"] += 1
                    continue
                seen.add(key)
                batch.append(Candidate(number, program, tree))
        return batch, index

    def _rng(self, spec: ShardSpec, index: int) -> random.Random:
        return random.Random(candidate_seed(self.config.seed, spec.level, spec.index, index))

    def _draw(self, spec: ShardSpec, index: int, rejected: Counter):
        try:
            return [(index, generate(spec.level, self._rng(spec, index)))], index + 1
        except RuntimeError:
            rejected["generate"] += 1
            return [], index + 1

    def _draw_llm(self, spec: ShardSpec, index: int, rejected: Counter):
        from execverify.synth.catalogue import catalogue

        seeds = catalogue().seeds
        requests = range(index, index + self.config.batch_size)
        asks = [(self._rng(spec, i).choice(seeds), spec.level) for i in requests]
        drawn = []
        for i, outcome in zip(requests, self.llm.generate(asks)):
            if isinstance(outcome, list):
                drawn += [(i * 100 + k, program) for k, program in enumerate(outcome)]
            else:
                rejected[f"llm_{outcome.reason}"] += 1
        return drawn, index + self.config.batch_size

    def _submit(self, batch: list[Candidate]) -> InFlight:
        """The batch in both pools, in chunks (the whole batch for the built-in generator, one
        program per execution for model-written ones). The tracing pool gets each program's
        statement facts too, from the tree the checks parsed, and so need not parse the
        program again; both pools get the code compiled from it (``ship_code``) where that is
        allowed (see ``__init__``)."""
        codes = [ship_code(c.tree, c.program.args) if self.ships_code else None for c in batch]
        traced = [TraceRequest(c.program.source, c.program.entry, c.program.args,
                               StatementFacts.of(c.tree).to_wire(), code)
                  for c, code in zip(batch, codes)]
        plain = [request._replace(facts=None) for request in traced]
        return InFlight(batch, self._batches(self.main, traced, {"trace": self.trace_options}),
                        self._batches(self.alt, plain, {"plain_only": True}))

    def _batches(self, sandbox: Sandbox, requests: list[TraceRequest],
                 options: dict[str, Any]) -> TraceBatches:
        return TraceBatches(sandbox, requests, {**options, "encode": True}, chunk=self.chunk,
                            limits=functools.partial(_batch_limits, sandbox.limits))

    def _verdict(self, traced: dict[str, Any], other: dict[str, Any]) -> str | Trace:
        """``traced``: the main pool's trace; ``other``: the untraced run under another hash
        seed (its result ``plain`` and call time ``plain_s``)."""
        if traced["status"] in ("step_limit", "size_limit"):
            return "trace_limit"
        if traced["status"] != "ok" or other["status"] != "ok":
            return "error"
        if other["plain_s"] > self.config.time_limit_s:
            return "slow"
        if traced["output"] != other["plain"]:
            return "nondeterministic"
        if len(traced["output"]) > self.config.max_output_chars:
            return "output_too_large"
        if not round_trips(traced["output"]):
            return "not_literal"
        return Trace.from_dict(traced)

    def _record(self, spec: ShardSpec, candidate: Candidate, trace: Trace) -> Record | None:
        number, program = candidate.number, candidate.program
        record_id = f"L{spec.level}-{spec.index:05d}-{number:06d}"
        try:
            record = build_record(program.source, program.entry, program.args, level=spec.level,
                                  source=self.config.generator, id=record_id,
                                  config=self.config.tasks, seed=number, trace=trace,
                                  tree=candidate.tree)
        except ValueError:
            return None
        features = {**record.features, "seed_method": program.seed_method}
        return replace(record, features=features)


@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """The cyclic garbage collector off while a shard is made and serialised (if ``pause``).

    A shard allocates a few hundred thousand small objects (trees, steps, questions), and its
    records live until the shard is written. Run by allocation counts, the collector would scan
    the records kept so far again and again: a tenth of this process's time when measured,
    still a twentieth when paused batch by batch. Paused for the whole shard, it runs once,
    after the records are freed, over nothing but the shard's garbage cycles (``ast.literal_eval``
    leaves a few objects per call): a small fraction of what the records took in memory.
    """
    enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parsed(source: str) -> ast.Module | None:
    """The program's tree, or None when it does not parse (a static rejection)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


@functools.cache
def _decontaminator():
    from execverify.synth.decontam import Decontaminator

    return Decontaminator.benchmarks()


def _difficulty_filter(config: SynthConfig):
    from execverify.models import load_backend
    from execverify.synth.difficulty import DifficultyFilter

    backend = load_backend(config.difficulty_backend, config.difficulty_model)
    return DifficultyFilter(backend, k=config.difficulty_k, t=config.difficulty_t,
                            seed=config.seed)


def _llm_generator(config: SynthConfig):
    from execverify.models import load_backend
    from execverify.synth.llm import LLMGenerator, LLMGeneratorConfig

    options = {"base_url": config.base_url} if config.base_url else {}
    backend = load_backend(config.backend, config.model, **options)
    return LLMGenerator(backend, LLMGeneratorConfig(seed=config.seed))


def _batch_limits(limits: Limits, size: int) -> Limits:
    return replace(limits, timeout_s=limits.timeout_s + 0.05 * size)


# -- the run ----------------------------------------------------------------------------------
def _stats_path(out: Path, spec: ShardSpec) -> Path:
    return out / dataset.SHARD_DIR / f"{spec.name}.stats.json"


def _shard_path(out: Path, spec: ShardSpec) -> Path:
    return out / dataset.SHARD_DIR / f"{spec.name}.jsonl"


def _spec_key(config: SynthConfig, spec: ShardSpec) -> str:
    payload = repr((config.to_dict(), asdict(spec), __version__)).encode()
    return hashlib.sha256(payload).hexdigest()


def load_done(out: Path, config: SynthConfig, spec: ShardSpec) -> dict[str, Any] | None:
    """The stats of a shard finished by an earlier run of the same config, else None."""
    path, stats_path = _shard_path(out, spec), _stats_path(out, spec)
    if not (path.exists() and stats_path.exists()):
        return None
    stats = json.loads(stats_path.read_text())
    if stats.get("key") != _spec_key(config, spec) or stats.get("sha256") != dataset.sha256_file(path):
        return None
    return stats


def run_shard(config_data: dict[str, Any], spec_data: dict[str, Any], out: str,
              worker: ShardWorker | None = None) -> dict[str, Any]:
    """Process one shard (in this process, a pool process or a Ray task) and write it."""
    config, spec, out_dir = SynthConfig.from_dict(config_data), ShardSpec(**spec_data), Path(out)
    done = load_done(out_dir, config, spec)
    if done is not None:
        return done
    own = worker is None
    worker = worker or ShardWorker(config)
    try:
        with _collector_paused(worker.pause_collector):
            data, kept, rejected = _shard_jsonl(worker, spec)
    finally:
        if own:
            worker.close()
    path = _shard_path(out_dir, spec)
    dataset.write_atomic(path, data)
    stats = {"key": _spec_key(config, spec), "sha256": dataset.sha256_file(path),
             "level": spec.level, "kept": kept, "rejected": dict(sorted(rejected.items()))}
    dataset.write_json(_stats_path(out_dir, spec), stats)
    return stats


def _shard_jsonl(worker: ShardWorker, spec: ShardSpec) -> tuple[bytes, int, Counter]:
    """The shard's file contents, record count and rejections. Its records are freed when this
    returns, before the caller lets the garbage collector run again (see _collector_paused)."""
    records, rejected = worker.run(spec)
    return dataset.records_to_jsonl(records), len(records), rejected


def _remove_stale_shards(out: Path, specs: Sequence[ShardSpec]) -> None:
    """A folder reused with another config may hold shards this plan does not have; they
    must not leak into the dataset, its hash or its exports."""
    wanted = {f"{spec.name}{suffix}" for spec in specs for suffix in (".jsonl", ".stats.json")}
    for path in (out / dataset.SHARD_DIR).iterdir():
        if path.name not in wanted and not path.name.startswith("."):
            path.unlink()


def synthesize(config: SynthConfig, out: Path, *, workers: int = 1, use_ray: bool = False,
               progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a synthesis job into ``out``; returns the manifest."""
    out = Path(out)
    specs = plan_shards(config)
    stats = _execute(config, specs, out, workers, use_ray, progress)
    return _finish(config, specs, stats, out)


def _execute(config: SynthConfig, specs: Sequence[ShardSpec], out: Path, workers: int,
             use_ray: bool, progress: Callable[[int], None] | None) -> list[dict[str, Any]]:
    args = [(config.to_dict(), asdict(spec), str(out)) for spec in specs]
    report = progress or (lambda n: None)
    if use_ray:
        from execverify.synth.distributed import run_on_ray

        return run_on_ray(args, report)
    if workers <= 1:
        worker = ShardWorker(config)
        try:
            results = []
            for a in args:
                results.append(run_shard(*a, worker=worker))
                report(results[-1]["kept"])
            return results
        finally:
            worker.close()
    from execverify.synth.distributed import run_in_processes

    return run_in_processes(args, workers, report)


def _finish(config: SynthConfig, specs: Sequence[ShardSpec], stats: list[dict[str, Any]],
            out: Path) -> dict[str, Any]:
    _remove_stale_shards(out, specs)
    counts: Counter = Counter()
    rejected: dict[str, Counter] = {}
    shards = []
    for spec, st in zip(specs, stats):
        counts[str(spec.level)] += st["kept"]
        rejected.setdefault(str(spec.level), Counter()).update(st["rejected"])
        shards.append({"file": f"{dataset.SHARD_DIR}/{spec.name}.jsonl", "records": st["kept"],
                       "sha256": st["sha256"]})
    manifest = {
        "format": dataset.FORMAT,
        "generator": {"name": config.generator, "version": __version__},
        "seed": config.seed,
        "config": config.to_dict(),
        "num_records": sum(counts.values()),
        "counts_per_level": dict(sorted(counts.items())),
        "rejected_per_level": {k: dict(sorted(v.items())) for k, v in sorted(rejected.items())},
        "shards": shards,
        "content_hash": dataset.content_hash(out / dataset.SHARD_DIR),
    }
    dataset.write_json(out / dataset.MANIFEST, manifest)
    return manifest
