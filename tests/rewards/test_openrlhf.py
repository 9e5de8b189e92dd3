"""OpenRLHF: ``reward_func`` loaded from its file the way OpenRLHF loads ``--remote_rm_url``."""

from __future__ import annotations

import importlib.util
import json

import torch

from execverify.data.export import trl_row
from execverify.tasks import expected_completion

RM_FILE = importlib.util.find_spec("execverify.rewards.openrlhf").origin


def _reward_func():
    spec = importlib.util.spec_from_file_location("reward_func", RM_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.reward_func


def _chatml(messages):
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + "<|im_start|>assistant\n"


def test_reward_func_batch(records, sandbox):
    reward_func = _reward_func()
    record = records["loop"]
    combined, inputs = trl_row(record, "combined"), trl_row(record, "input")
    output = trl_row(record, "output")
    prompts = [_chatml(row["prompt"]) for row in (combined, combined, inputs, inputs, output)]
    responses = [expected_completion(record), "<answer>[0]</answer>",
                 "<answer>[1, 5, 3], 2</answer>", "<answer>[], 0</answer>",
                 "<answer>[1, 10, 6]</answer>"]
    queries = [p + r + "<|im_end|>" for p, r in zip(prompts, responses)]
    queries[2] = "<s>" + queries[2]  # a BOS the prompt string lacks: found by its tail
    labels = [row["label"] for row in (combined, combined, inputs, inputs, output)]
    out = reward_func(queries, prompts, labels)
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert isinstance(out["rewards"], torch.Tensor)
    assert out["rewards"].tolist() == [2.0, 0.0, 2.0, 0.0, 2.0]
    assert out["scores"].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert out["extra_logs"]["execverify_acc"].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert all(len(v) == 5 for v in out["extra_logs"].values())


def test_explicit_task_labels_and_bad_labels(records):
    reward_func = _reward_func()
    record = records["unreached"]
    label = json.dumps({"task": "output", "record": record.to_dict()})
    out = reward_func(["<answer>'00000abc'</answer>", "x"], ["", ""], [label, "{broken"])
    assert out["rewards"].tolist() == [2.0, 0.0]
    assert out["extra_logs"]["execverify_format_ok"].tolist() == [1.0, 0.0]


def test_a_label_without_a_task_is_not_guessed(records):
    """A bare record (no task named) scores 0 with status bad_task, whatever the prompt."""
    from execverify.rewards.openrlhf import task_and_truth

    record = records["unreached"]
    assert task_and_truth(record.to_json()) == ("", record.to_dict())
    out = _reward_func()(["<answer>'00000abc'</answer>"], [""], [record.to_json()])
    assert out["rewards"].tolist() == [0.0]
    assert out["extra_logs"]["execverify_format_ok"].tolist() == [0.0]
