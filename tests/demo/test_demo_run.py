"""The whole demo end to end on a tiny model (the real phases, small), then a resume."""

from __future__ import annotations

import json

import pytest

from execverify.demo import run_demo


@pytest.mark.slow
def test_the_demo_runs_every_phase_and_a_rerun_resumes(tmp_path, tiny_model_dir):
    model_dir = tiny_model_dir
    out = tmp_path / "demo"
    overrides = [f"demo.out={out}", f"demo.model={model_dir}", "demo.records=60",
                 "demo.heldout_records=6", "demo.min_heldout_questions=10",
                 "demo.cruxeval_limit=2", "demo.eval_max_new_tokens=8",
                 "demo.eval_after_sft=true", "sft.max_steps=2", "sft.max_records=8",
                 "sft.report_to=[]", "stage1.max_steps=1", "stage1.num_generations=2",
                 "stage1.prompts_per_step=2", "stage1.micro_batch_size=0",
                 "stage1.max_completion_length=8",
                 "stage1.report_to=[]"]
    result = run_demo("cpu-demo", overrides, progress=False)
    assert set(result.evals) == {"base", "sft", "final"}
    for stage in result.evals.values():
        assert stage["synthetic"]["question_accuracy"]["n"] >= 10
        assert stage["cruxeval-o"]["accuracy"]["n"] == 2
    assert result.training["sft"]["steps"] == 2 and result.training["stage1"]["steps"] == 1
    for name in ("summary.md", "results.json", "before_after.png", "sft/curves.png",
                 "stage1/done.json", "timings.json"):
        assert (out / name).is_file(), name
    assert "| held-out synthetic: every question |" in (out / "summary.md").read_text()
    spent = json.loads((out / "timings.json").read_text())
    again = run_demo("cpu-demo", overrides, progress=False)
    assert again.evals == result.evals
    respent = json.loads((out / "timings.json").read_text())
    assert respent["sft"] - spent["sft"] < 5 and respent["eval base"] - spent["eval base"] < 5


@pytest.mark.slow
def test_a_demo_killed_in_grpo_resumes_there_and_logs_each_step_once(tmp_path, tiny_model_dir):
    """``execverify demo`` killed once stage 1 has written a checkpoint: the same command goes
    on from it (data, evaluations and SFT are not redone) and finishes every planned step."""
    import os
    import signal
    import subprocess
    import sys
    import time

    model_dir = tiny_model_dir
    out = tmp_path / "demo"
    command = [sys.executable, "-m", "execverify.cli", "demo", f"demo.out={out}",
               f"demo.model={model_dir}", "demo.records=60", "demo.heldout_records=6",
               "demo.min_heldout_questions=10", "demo.cruxeval_limit=0",
               "demo.eval_max_new_tokens=8", "demo.eval_after_sft=false", "sft.max_steps=2",
               "sft.max_records=8", "sft.report_to=[]", "stage1.max_steps=6",
               "stage1.save_steps=1", "stage1.num_generations=2", "stage1.prompts_per_step=2",
               "stage1.select_samples=2", "stage1.select_records=8", "stage1.micro_batch_size=0",
               "stage1.max_completion_length=8", "stage1.report_to=[]"]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    checkpoint = out / "stage1" / "checkpoint-2" / "trainer_state.json"
    deadline = time.monotonic() + 900
    while not checkpoint.is_file():
        assert first.poll() is None and time.monotonic() < deadline, "no stage-1 checkpoint"
        time.sleep(0.2)
    time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert not (out / "stage1" / "done.json").exists()
    second = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    done = json.loads((out / "stage1" / "done.json").read_text())
    assert done["steps"] == 6 and done["selection"]["probed"] == 8
    steps = [json.loads(line)["step"]
             for line in (out / "stage1" / "rollouts.jsonl").read_text().splitlines()]
    assert sorted(set(steps)) == list(range(1, 7)) and len(steps) == 6 * 2 * 2
    assert not list((out / "stage1").glob("checkpoint-*"))  # finished: dropped
    assert (out / "summary.md").is_file()
