"""What a GRPO stage leaves behind with the CPU recipe's footprint settings: a LoRA adapter
trained in micro-batches, merged into a full model folder; checkpoints that hold the adapter
and its optimiser state only, and none once the stage has finished."""

from __future__ import annotations

import json

import pytest

from execverify.train.config import Stage1Config
from execverify.train.grpo import train_stage1
from execverify.train.rollouts import ROLLOUTS_FILE
from execverify.train.tracking import DONE_FILE

from .test_grpo_smoke import half_right

torch = pytest.importorskip("torch")
pytest.importorskip("peft")


def _size(folder):
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def test_lora_in_micro_batches_saves_a_merged_model_and_small_checkpoints(tmp_path, tiny_model):
    """Checkpoints kept (``keep_checkpoints``) to look inside; that a finished stage drops them
    by default is test_tracking's."""
    from transformers import AutoModelForCausalLM

    record, model, tokenizer = half_right(tiny_model, "lora-0")
    full = sum(p.numel() * 4 for p in model.parameters())  # fp32 bytes of the whole model
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    out = tmp_path / "stage1"
    config = Stage1Config(output_dir=str(out), input_share=0.0, num_generations=4,
                          prompts_per_step=2, micro_batch_size=2, max_steps=2,
                          learning_rate=1e-2, max_completion_length=24, save_steps=1,
                          lora_r=4, sampler="bf16-copy", log_rollouts_every=1, report_to=(),
                          keep_checkpoints=True, extra={"gradient_checkpointing": False})
    result = train_stage1(config, [record] * 4, model=model, tokenizer=tokenizer)

    assert result.steps == 2 and json.loads((out / DONE_FILE).read_text())["steps"] == 2
    saved = AutoModelForCausalLM.from_pretrained(out)  # a plain model folder: merged
    assert not any("lora" in name for name, _ in saved.named_parameters())
    changed = [n for n, p in saved.named_parameters() if n in before
               and not torch.allclose(before[n], p.detach())]
    assert changed, "the merged adapter changed no weight"
    assert not (out / "adapter_model.safetensors").exists()
    newest = sorted(out.glob("checkpoint-*"))[-1]
    assert (newest / "adapter_model.safetensors").is_file()
    assert not (newest / "model.safetensors").exists()  # no copy of the full weights
    assert _size(newest) < 0.5 * full  # the adapter and its optimiser state only
    rows = (out / ROLLOUTS_FILE).read_text().splitlines()
    assert len(rows) == 2 * 2 * 4  # every step logged: steps x prompts x rollouts


def test_micro_batch_size_must_divide_a_step():
    with pytest.raises(ValueError, match="micro_batch_size"):
        Stage1Config(num_generations=4, prompts_per_step=2, micro_batch_size=3)


def test_lora_on_the_last_layers_changes_only_those_layers(tmp_path, tiny_model):
    from transformers import AutoModelForCausalLM

    from execverify.train.model import lora_config

    record, model, tokenizer = half_right(tiny_model, "last-0")
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    config = Stage1Config(output_dir=str(tmp_path), input_share=0.0, num_generations=4,
                          prompts_per_step=2, max_steps=2, learning_rate=1e-2,
                          max_completion_length=24, lora_r=4, lora_layers=1, report_to=(),
                          sampler="bf16-copy", extra={"gradient_checkpointing": False})
    peft = lora_config(config, model)
    assert peft.layers_to_transform == [1]  # the last of the tiny model's 2 layers
    assert set(peft.target_modules) == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                        "up_proj", "down_proj"}
    train_stage1(config, [record] * 4, model=model, tokenizer=tokenizer)

    saved = AutoModelForCausalLM.from_pretrained(tmp_path)
    changed = {n for n, p in saved.named_parameters()
               if n in before and not torch.allclose(before[n], p.detach())}
    assert changed and all(".layers.1." in n for n in changed), changed


def test_lora_layers_counts_from_zero_and_is_not_negative():
    assert Stage1Config(lora_layers=0).lora_layers == 0
    with pytest.raises(ValueError, match="lora_layers"):
        Stage1Config(lora_layers=-1)
