"""Resume, logs and curves shared by the training stages; and the curriculum order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from execverify.data.dataset import write_records
from execverify.tasks import TaskConfig, build_record
from execverify.train.records import curriculum_order
from execverify.train.tracking import (
    DONE_FILE,
    finish,
    finished,
    last_checkpoint,
    load_history,
    plot_curves,
    report_to,
    run_stage,
    series,
)

PROGRAM = "def f(xs):\n    ys = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys\n"

HISTORY = [
    {"step": 1, "loss": 1.5, "reward": 0.1, "frac_reward_zero_std": 0.5},
    {"step": 2, "loss": 1.2, "reward": 0.3, "frac_reward_zero_std": 0.25},
    {"step": 2, "train_runtime": 9.0},
]


@pytest.fixture(scope="module")
def record():
    return build_record(PROGRAM, "f", "[5, 7]", level=1, source="builtin", id="r",
                        config=TaskConfig(kinds=("output", "input", "state")))


def test_curriculum_puts_every_easier_level_first_and_is_seeded(record):
    records = [replace(record, id=f"r{i}", level=1 + (i * 7) % 3) for i in range(12)]
    ordered = curriculum_order(records, seed=1)
    assert [r.level for r in ordered] == sorted(r.level for r in records)
    assert sorted(r.id for r in ordered) == sorted(r.id for r in records)
    assert [r.id for r in curriculum_order(records, 1)] == [r.id for r in ordered]
    assert [r.id for r in curriculum_order(records, 2)] != [r.id for r in ordered]


def test_series_reads_one_metric_and_skips_rows_without_it():
    assert series(HISTORY, "reward") == ([1, 2], [0.1, 0.3])
    assert series(HISTORY, "absent") == ([], [])


def test_finish_writes_history_curves_and_done_last(tmp_path):
    assert finished(tmp_path) is None
    finish(tmp_path, HISTORY, {"steps": 2})
    assert finished(tmp_path) == {"steps": 2}
    assert load_history(tmp_path) == HISTORY
    png = (tmp_path / "curves.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert not plot_curves([{"step": 1, "unplotted": 3.0}], tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()


def test_report_to_drops_a_missing_wandb_with_a_warning(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "wandb" else real(name, *a))
    with pytest.warns(UserWarning, match="wandb"):
        assert report_to(("tensorboard", "wandb")) == ["tensorboard"]
    assert report_to(()) == []


def test_last_checkpoint_is_the_newest(tmp_path):
    pytest.importorskip("transformers")
    assert last_checkpoint(tmp_path / "absent") is None
    for step in (5, 10):
        (tmp_path / f"checkpoint-{step}").mkdir()
    assert last_checkpoint(tmp_path).endswith("checkpoint-10")


@pytest.mark.slow
def test_a_killed_sft_run_resumes_from_its_checkpoint(tmp_path, tiny_model, record):
    """Kill a real ``execverify train sft`` once its first checkpoint is written; the same
    command then continues from that checkpoint and finishes the planned steps."""
    model, tokenizer = tiny_model
    model_dir, data, out = tmp_path / "model", tmp_path / "data", tmp_path / "sft"
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    write_records(data, [replace(record, id=f"r{i}") for i in range(8)])
    command = [sys.executable, "-m", "execverify.cli", "train", "sft", f"model={model_dir}",
               f"data={data}", f"output_dir={out}", "max_steps=40", "save_steps=2",
               "batch_size=2", "logging_steps=1", "report_to=[]"]
    env = {**os.environ, "TRANSFORMERS_VERBOSITY": "info"}
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (out / "checkpoint-2" / "trainer_state.json").is_file():
        assert first.poll() is None and time.monotonic() < deadline, "no checkpoint written"
        time.sleep(0.2)
    time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert not (out / DONE_FILE).exists()
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "Resuming training from checkpoint" in second.stderr
    done = json.loads((out / DONE_FILE).read_text())
    assert done["steps"] == 40
    steps = [row["step"] for row in load_history(out) if "loss" in row]
    assert steps[0] == 1 and steps[-1] == 40
    # finished: the final model stays, the checkpoints (optimiser state) are gone
    assert not list(out.glob("checkpoint-*")) and (out / "config.json").is_file()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "40 steps" in again.stdout


class _Checkpointing:
    """Stands in for a Trainer in run_stage: it writes two checkpoints as it trains."""

    def __init__(self, out):
        self.out = out
        self.state = type("State", (), {"log_history": [{"step": 2, "loss": 1.0}]})()

    def train(self, resume_from_checkpoint=None):
        for step in (1, 2):
            (self.out / f"checkpoint-{step}").mkdir(parents=True)
            (self.out / f"checkpoint-{step}" / "optimizer.pt").write_bytes(b"x" * 100)


@pytest.mark.parametrize("keep", [False, True])
def test_a_finished_stage_keeps_its_checkpoints_only_when_asked(tmp_path, keep):
    def save(trainer):
        (tmp_path / "model.safetensors").write_bytes(b"weights")

    summary, _ = run_stage(tmp_path, lambda: _Checkpointing(tmp_path), save,
                           lambda trainer: {"steps": 2}, keep_checkpoints=keep)
    assert summary == {"steps": 2} and finished(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    assert sorted(p.name for p in tmp_path.glob("checkpoint-*")) == (
        ["checkpoint-1", "checkpoint-2"] if keep else [])
