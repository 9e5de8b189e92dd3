"""The whole ``execverify study`` on a tiny model and a few records: arms, seeds, the report,
a resume after an interruption, and ``eval compare`` reading the result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from execverify.cli import main
from execverify.study import run_study


def tiny_overrides(out, model_dir, *extra):
    return [f"study.out={out}", f"demo.model={model_dir}", "demo.records=40",
            "demo.heldout_records=4", "demo.min_heldout_questions=6", "demo.cruxeval_limit=1",
            "demo.eval_max_new_tokens=6", "sft.max_steps=1", "sft.max_records=4",
            "sft.report_to=[]", "stage1.max_steps=1", "stage1.num_generations=2",
            "stage1.prompts_per_step=2", "stage1.micro_batch_size=0",
            "stage1.max_completion_length=6", "stage1.select_samples=2",
            "stage1.select_records=4", "stage1.report_to=[]", "study.seeds=2",
            "study.cruxeval_input_limit=1", "study.reval_limit=0",
            "study.bootstrap_samples=200", "demo.isolate_phases=false", *extra]


class Interrupted(Exception):
    pass


def test_the_study_runs_every_arm_and_seed_and_resumes(tmp_path, tiny_model_dir, capsys):
    out = tmp_path / "study"
    overrides = tiny_overrides(out, tiny_model_dir)

    def stop_before_output_only(line):
        if line.startswith("study: output_only seed-1"):
            raise Interrupted  # as if killed between phases

    with pytest.raises(Interrupted):
        run_study("study-cpu", overrides, progress=False, log=stop_before_output_only)
    assert not (out / "results.json").exists()
    first = json.loads((out / "timings.json").read_text())
    sft_done = (out / "sft" / "seed-0" / "done.json").stat().st_mtime_ns

    doc = run_study("study-cpu", overrides, progress=False, log=lambda line: None)
    again = json.loads((out / "timings.json").read_text())
    assert (out / "sft" / "seed-0" / "done.json").stat().st_mtime_ns == sft_done
    assert again["sft seed-0"] - first["sft seed-0"] < 5  # read back, not retrained

    assert doc["arms"] == ["sft", "whitebox", "output_only"] and doc["seeds"] == [0, 1]
    assert set(doc["benchmarks"]) == {"synthetic", "cruxeval-o", "cruxeval-i"}
    for arm in doc["arms"]:
        for seed in ("0", "1"):
            for bench in doc["benchmarks"]:
                assert (out / doc["runs"][arm][seed][bench]).is_file()
        synthetic = doc["results"][arm]["synthetic"]["question_accuracy"]
        assert synthetic["n"] == 2 * json.loads((out / "data" / "split.json").read_text())[
            "heldout_questions"]
        assert synthetic["low"] <= synthetic["value"] <= synthetic["high"]
    pairs = {(c["a"], c["b"]) for c in doc["comparisons"]}
    assert pairs == {("whitebox", "output_only"), ("whitebox", "sft"), ("output_only", "sft")}
    for arm in ("whitebox", "output_only"):  # equal compute: same steps and rollouts
        seeds = doc["training"][arm]["seeds"]
        assert [s["sequences"] for s in seeds.values()] == [4, 4]
        assert doc["training"][arm]["generated_tokens"] > 0
    # both RL arms at a seed trained on the prompts its probe kept
    for seed in (0, 1):
        probe = (out / "probe" / f"seed-{seed}" / "selection.json").read_text()
        for arm in ("whitebox", "output_only"):
            assert (out / "arms" / arm / f"seed-{seed}" / "selection.json").read_text() == probe
    report = (out / "report.md").read_text()
    assert "| comparison | metric |" in report and "whitebox - output_only" in report
    assert "## Training" in report
    for plot in ("accuracy_by_arm.png", "training_curves.png"):
        assert (out / "plots" / plot).stat().st_size > 0

    capsys.readouterr()
    assert main(["eval", "compare", str(out / "results.json")]) == 0
    assert "whitebox - output_only" in capsys.readouterr().out
    assert main(["eval", "compare", f"{out / 'results.json'}:sft",
                 f"{out / 'results.json'}:whitebox"]) == 0
    printed = capsys.readouterr().out
    assert "| synthetic | question_accuracy |" in printed and "`whitebox (seeds 0, 1)`" in printed


@pytest.mark.slow
def test_a_study_killed_in_an_rl_arm_resumes_there(tmp_path, tiny_model_dir):
    """``execverify study`` killed (SIGKILL) once the whitebox arm at seed 0 has written a
    checkpoint: the same command goes on from it and finishes; the optional arms run too."""
    out = tmp_path / "study"
    command = [sys.executable, "-m", "execverify.cli", "study", "--no-progress",
               *tiny_overrides(out, tiny_model_dir, "stage1.max_steps=4", "stage1.save_steps=1",
                               "study.seeds=1", "study.reval_limit=1",
                               "study.reval_max_new_tokens=4",
                               "study.arms=[sft,whitebox,output_only,ungated,sft_more]",
                               "demo.isolate_phases=true")]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    checkpoint = out / "arms" / "whitebox" / "seed-0" / "checkpoint-2" / "trainer_state.json"
    deadline = time.monotonic() + 900
    while not checkpoint.is_file():
        assert first.poll() is None and time.monotonic() < deadline, "no checkpoint"
        time.sleep(0.2)
    time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert not (out / "arms" / "whitebox" / "seed-0" / "done.json").exists()
    second = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    doc = json.loads((out / "results.json").read_text())
    assert doc["arms"] == ["sft", "whitebox", "output_only", "ungated", "sft_more"]
    steps = [json.loads(line)["step"] for line in
             (out / "arms" / "whitebox" / "seed-0" / "metrics.jsonl").read_text().splitlines()
             if "reward" in json.loads(line)]
    assert steps == [1, 2, 3, 4]
    assert doc["training"]["sft_more"]["seeds"]["0"]["steps"] == 4  # 4 x 2 x 2 / 4 per step
    assert "task:coverage" in doc["benchmarks"]["reval"]["metrics"]
    assert "whitebox - output_only" in second.stdout or "whitebox vs output_only" in second.stdout
