"""Stage-1 data and arguments: rows, record selection, and the mapping onto TRL's GRPOConfig."""

from __future__ import annotations

import pytest

from execverify.data.dataset import write_records
from execverify.train.config import Stage1Config
from execverify.train.grpo import GRPOResult, stage1_rows
from execverify.train.records import load_records, select_records


def test_stage1_rows_mix_combined_and_input_prompts(record):
    rows = stage1_rows([record] * 8, input_share=0.25, seed=3)
    assert [r["task"] for r in rows].count("input") == 2
    for row in rows:
        assert row["prompt"][-1]["role"] == "user" and row["id"] == "r"
        assert row["record"] == record.to_json()
    inputs = [r for r in rows if r["task"] == "input"]
    assert "assert f(??) == [10, 14]" in inputs[0]["prompt"][-1]["content"]
    assert all(r["task"] == "combined" for r in stage1_rows([record] * 4, 0.0))


def test_records_are_selected_by_level_and_count(record, tmp_path):
    from dataclasses import replace

    records = [replace(record, id=f"r{i}", level=1 + i % 3) for i in range(9)]
    assert [r.id for r in select_records(records, (1, 2), 4)] == ["r0", "r1", "r3", "r4"]
    write_records(tmp_path, records)
    loaded = load_records(str(tmp_path), (3,))
    assert [r.id for r in loaded] == ["r2", "r5", "r8"]
    with pytest.raises(ValueError, match="no records of levels"):
        load_records(str(tmp_path), (6,))
    with pytest.raises(ValueError, match=r"Stage1Config\.data is empty"):
        load_records("", (1,), owner="Stage1Config")
    with pytest.raises(ValueError, match="is not a folder"):
        load_records(str(tmp_path / "nope"), (1,))


def test_grpo_arguments_carry_the_method_settings():
    pytest.importorskip("trl")
    from execverify.train.grpo import grpo_arguments

    args = grpo_arguments(Stage1Config(output_dir="x", prompts_per_step=3, num_generations=4,
                                       extra={"gradient_checkpointing": False}))
    assert (args.num_generations, args.per_device_train_batch_size, args.beta) == (4, 12, 0.0)
    assert (args.scale_rewards, args.learning_rate, args.gradient_checkpointing) == (
        "group", 1e-6, False)
    assert getattr(args.lr_scheduler_type, "value", args.lr_scheduler_type) == "constant"


def test_result_reports_the_share_of_informative_groups():
    result = GRPOResult(2, "x", [{"frac_reward_zero_std": 0.25, "reward": 1.0},
                                   {"frac_reward_zero_std": 0.75, "reward": 0.0}, {"loss": 1}])
    assert result.varied_group_share == 0.5 and result.reward_mean == 0.5
    assert GRPOResult(0, "x").varied_group_share is None
    gated = GRPOResult(2, "x", [{"execverify_combined/output_gate": 0.25},
                                {"execverify_combined/output_gate": 0.75}])
    assert gated.output_gate_share == 0.5 and gated.summary()["output_gate_share"] == 0.5
    assert result.output_gate_share is None


def test_per_step_rows_carry_the_group_statistics_of_each_logged_step():
    history = [{"step": 1, "reward": 1.0, "frac_reward_zero_std": 0.25,
                "execverify_combined/output_gate": 0.5,
                "execverify_combined/gated_step_accuracy": 0.75},
               {"step": 2, "reward": 0.5, "frac_reward_zero_std": 1.0}, {"loss": 1.0}]
    rows = GRPOResult(2, "x", history).per_step()
    assert rows == [{"step": 1, "reward": 1.0, "varied_group_share": 0.75,
                     "output_gate_share": 0.5, "gated_step_accuracy": 0.75},
                    {"step": 2, "reward": 0.5, "varied_group_share": 0.0,
                     "output_gate_share": None, "gated_step_accuracy": None}]
    assert GRPOResult(2, "x", history).summary()["per_step"] == rows
