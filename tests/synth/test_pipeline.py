"""The synthesis pipeline: shards, filters, determinism across workers, resume after kill -9."""

import ast
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from execverify.data.dataset import read_manifest, read_records
from execverify.models import Backend, register_backend
from execverify.synth.generate import Program
from execverify.synth.levels import knobs_for
from execverify.synth.pipeline import (
    Candidate,
    ShardSpec,
    ShardWorker,
    SynthConfig,
    plan_shards,
    synthesize,
)


def _program(source: str, args: str = "") -> Program:
    return Program(source=source, entry="f", arg_types=(), args=args, seed_method="len",
                   level=1, knobs=knobs_for(1), features={})


def test_plan_splits_evenly_and_caps_shards():
    specs = plan_shards(SynthConfig(levels=(1, 2, 3), num=10, shard_size=2))
    per_level = Counter()
    for s in specs:
        per_level[s.level] += s.quota
        assert 1 <= s.quota <= 2
    assert per_level == {1: 4, 2: 3, 3: 3}


def test_config_validation():
    with pytest.raises(ValueError, match=r"levels must be levels 1\.\.6"):
        SynthConfig(levels=(0, 7))
    with pytest.raises(ValueError, match="num must be an integer >= 1"):
        SynthConfig(num=0)


def test_filters_reject_with_reasons():
    worker = ShardWorker(SynthConfig(batch_size=8, time_limit_s=0.2))
    programs = [
        _program("def f():\n    return sorted({'b', 'a'})"),
        _program("def f():\n    return list({'pear', 'fig', 'kiwi', 'plum', 'lime'})"),
        _program("def f():\n    return 1 / 0"),
        _program("def f():\n    while True:\n        pass"),
        _program("def f():\n    return 'x' * 1000"),
        _program("def f():\n    return float('nan')"),
        _program("def f():\n    return object()"),
        _program("def f():\n    return sum(range(30_000_000))"),  # few steps, not fast
    ]
    batch = [Candidate(number, p, ast.parse(p.source)) for number, p in enumerate(programs)]
    try:
        in_flight = worker._submit(batch)
        traced, plain = in_flight.traced.results(), in_flight.plain.results()
        verdicts = [worker._verdict(a, b) for a, b in zip(traced, plain)]
    finally:
        worker.close()
    assert not isinstance(verdicts[0], str) and verdicts[0].output == "['a', 'b']"
    # the endless loop stops at the tracer's step limit before any clock runs out
    assert verdicts[1:] == ["nondeterministic", "error", "trace_limit", "output_too_large",
                            "not_literal", "not_literal", "slow"]


def test_a_shard_runs_no_batch_it_does_not_need(monkeypatch):
    worker = ShardWorker(SynthConfig(batch_size=8))
    submitted = []
    submit = worker._submit

    def counted(batch):
        submitted.append(len(batch))
        return submit(batch)

    monkeypatch.setattr(worker, "_submit", counted)
    try:
        records, _ = worker.run(ShardSpec(level=1, index=0, quota=4))
    finally:
        worker.close()
    assert len(records) == 4 and submitted == [8]  # the second batch is drawn, never run


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "one"
    config = SynthConfig(levels=(1, 2, 3, 4, 5, 6), num=48, seed=3, shard_size=4, batch_size=8)
    manifest = synthesize(config, out, workers=1)
    return config, out, manifest


def test_small_run_writes_records_and_manifest(small_run):
    _, out, manifest = small_run
    assert manifest == read_manifest(out)
    assert manifest["num_records"] == 48
    assert manifest["counts_per_level"] == {str(level): 8 for level in range(1, 7)}
    records = list(read_records(out))
    assert len({r.id for r in records}) == 48
    for record in records:
        kinds = [q.kind for q in record.questions]
        assert kinds[0] == "output" and record.output == record.questions[0].answers[0]
        assert record.features["steps"] >= 1
    by_level = {r.level: r.features["control_flow_depth"] for r in records}
    assert by_level[1] == 0 and by_level[5] == 3


def test_same_bytes_with_more_workers(small_run, tmp_path):
    config, out, manifest = small_run
    other = synthesize(config, tmp_path / "two", workers=2)
    assert other["content_hash"] == manifest["content_hash"]
    assert (tmp_path / "two" / "manifest.json").read_bytes() == (out / "manifest.json").read_bytes()


def test_rerun_skips_finished_shards(small_run):
    config, out, manifest = small_run
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.jsonl")}
    assert synthesize(config, out, workers=1) == manifest
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("*.jsonl")}


def _synth_cmd(out: Path) -> list[str]:
    return [sys.executable, "-m", "execverify", "synth", "--levels", "1-6", "--num", "240",
            "--seed", "5", "--shard-size", "10", "--batch-size", "16", "--out", str(out),
            "--no-report"]


def test_resume_after_kill_gives_the_same_bytes(tmp_path):
    reference = tmp_path / "ref"
    subprocess.run(_synth_cmd(reference), check=True, capture_output=True)
    killed = tmp_path / "killed"
    proc = subprocess.Popen(_synth_cmd(killed), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(killed.glob("shards/*.jsonl"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "manifest.json").exists()
    subprocess.run(_synth_cmd(killed), check=True, capture_output=True)
    ref_manifest = json.loads((reference / "manifest.json").read_text())
    assert json.loads((killed / "manifest.json").read_text()) == ref_manifest
    for shard in ref_manifest["shards"]:
        assert (killed / shard["file"]).read_bytes() == (reference / shard["file"]).read_bytes()


@pytest.mark.parametrize("argv", [["--levels", "0-9"], ["--levels", "x"], ["--num", "0"],
                                  ["--workers", "0"]])
def test_cli_bad_input(argv, tmp_path):
    out = subprocess.run([sys.executable, "-m", "execverify", "synth", "--out",
                          str(tmp_path / "o"), *argv], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("error:")
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli_prints_summary_and_writes_report(tmp_path):
    out = subprocess.run([sys.executable, "-m", "execverify", "synth", "--levels", "1-2",
                          "--num", "20", "--out", str(tmp_path / "d")], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert "| level | kept |" in out.stdout and "20 records" in out.stdout
    assert (tmp_path / "d" / "report.md").exists()


class _JunkBackend(Backend):
    """A model that always answers with the same program, which fits no seed method."""

    def generate(self, prompts, params):
        return [["```python\ndef f(x):\n    return x\n```"] * params.n for _ in prompts]


def test_llm_generator_route_gives_up_with_reasons(tmp_path):
    register_backend("junk-test", lambda model, **kw: _JunkBackend())
    config = SynthConfig(levels=(1,), num=2, generator="llm", backend="junk-test", model="x",
                         batch_size=4, max_candidates_per_record=4)
    manifest = synthesize(config, tmp_path / "llm")
    assert manifest["num_records"] == 0
    rejected = manifest["rejected_per_level"]["1"]
    assert rejected["budget_exhausted"] == 2 and rejected["llm_knobs"] == 8


def test_decontamination_drops_benchmark_lookalikes(tmp_path):
    config = SynthConfig(levels=(1,), num=200, seed=0, decontaminate=True)
    manifest = synthesize(config, tmp_path / "dec")
    assert manifest["num_records"] == 200
    assert manifest["rejected_per_level"]["1"].get("contaminated", 0) > 0


@pytest.mark.slow
def test_ray_gives_the_same_bytes(small_run, tmp_path):
    ray = pytest.importorskip("ray")
    config, _, manifest = small_run
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        other = synthesize(config, tmp_path / "ray", use_ray=True)
    finally:
        ray.shutdown()
    assert other["content_hash"] == manifest["content_hash"]


def test_rerun_with_another_config_leaves_no_stale_shards(tmp_path):
    out = tmp_path / "reused"
    synthesize(SynthConfig(levels=(1, 2), num=8, shard_size=2, batch_size=8), out)
    manifest = synthesize(SynthConfig(levels=(1,), num=2, shard_size=2, batch_size=8), out)
    assert sorted(p.name for p in (out / "shards").glob("*.jsonl")) == ["level1-00000.jsonl"]
    assert manifest["num_records"] == 2 == len(list(read_records(out)))
