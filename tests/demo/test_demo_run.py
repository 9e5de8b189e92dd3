"""The whole demo end to end on a tiny model (the real phases, small), then a resume."""

from __future__ import annotations

import json

import pytest

from execverify.demo import run_demo


@pytest.mark.slow
def test_the_demo_runs_every_phase_and_a_rerun_resumes(tmp_path, tiny_model):
    model, tokenizer = tiny_model
    model_dir = tmp_path / "model"
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    out = tmp_path / "demo"
    overrides = [f"demo.out={out}", f"demo.model={model_dir}", "demo.records=60",
                 "demo.heldout_records=6", "demo.min_heldout_questions=10",
                 "demo.cruxeval_limit=2", "demo.eval_max_new_tokens=8",
                 "demo.eval_after_sft=true", "sft.max_steps=2", "sft.max_records=8",
                 "sft.report_to=[]", "stage1.max_steps=1", "stage1.num_generations=2",
                 "stage1.prompts_per_step=2", "stage1.max_completion_length=8",
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
