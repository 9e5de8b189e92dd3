"""The SFT warm-up on a tiny model: verified examples in, weights (or a LoRA adapter) trained."""

from __future__ import annotations

import pytest

from execverify.tasks import TaskConfig, build_record
from execverify.train.config import SFTConfig
from execverify.train.model import save_model
from execverify.train.reasoning import verified_examples
from execverify.train.sft import build_sft_trainer, fitting, sft_rows, train_sft

PROGRAM = "def f(xs):\n    ys = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys\n"


@pytest.fixture(scope="module")
def records():
    kinds = TaskConfig(kinds=("output", "input", "state"))
    return [build_record(PROGRAM, "f", args, level=1, source="builtin", id=f"r{i}",
                         config=kinds, seed=i)
            for i, args in enumerate(["[5, 7]", "[1, 2, 3]"])]


def test_rows_are_prompt_completion_chats(records):
    rows = sft_rows(verified_examples(records))
    assert len(rows) == 4 and {r["task"] for r in rows} == {"combined", "input"}
    for row in rows:
        assert row["prompt"][-1]["role"] == "user"
        assert row["completion"][0]["role"] == "assistant"
        assert row["completion"][0]["content"].startswith("<reasoning>")


def test_full_sft_changes_the_weights_and_saves(records, tiny_model, tmp_path):
    import torch

    model, tokenizer = tiny_model
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    config = SFTConfig(output_dir=str(tmp_path), max_steps=2, batch_size=2,
                       learning_rate=1e-3, logging_steps=1)
    result = train_sft(config, records, model=model, tokenizer=tokenizer)
    assert (result.records, result.examples, result.steps) == (2, 4, 2)
    assert any("loss" in row for row in result.log_history)
    assert any(not torch.equal(before[n], p.detach()) for n, p in model.named_parameters())
    assert (tmp_path / "config.json").is_file() and (tmp_path / "tokenizer.json").is_file()


def test_lora_trains_only_the_adapter(records, tiny_model, tmp_path):
    import torch

    model, tokenizer = tiny_model
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    config = SFTConfig(output_dir=str(tmp_path), max_steps=1, batch_size=2,
                       learning_rate=1e-3, lora_r=4, lora_alpha=8)
    trainer = build_sft_trainer(config, verified_examples(records), model=model,
                                tokenizer=tokenizer)
    trainable = [n for n, p in trainer.model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    trainer.train()
    base = dict(trainer.model.get_base_model().named_parameters())
    for name, value in before.items():
        key = name if name in base else name.replace(".weight", ".base_layer.weight")
        assert torch.equal(base[key].detach(), value), name
    save_model(trainer, config)  # merged into a plain model folder that stage 1 can load
    assert (tmp_path / "config.json").is_file()
    assert not (tmp_path / "adapter_config.json").exists()


def test_no_examples_is_an_error(tiny_model):
    with pytest.raises(ValueError, match="no verified SFT examples"):
        build_sft_trainer(SFTConfig(), [], model=tiny_model[0], tokenizer=tiny_model[1])


def test_examples_longer_than_max_length_are_left_out(records, tiny_model):
    examples = verified_examples(records)
    tokenizer = tiny_model[1]
    lengths = [len(tokenizer(tokenizer.apply_chat_template(e.messages(), tokenize=False))
                   .input_ids) for e in examples]
    cut = sorted(lengths)[1]
    assert [e for e, n in zip(examples, lengths) if n <= cut] == fitting(examples, tokenizer, cut)
    assert len(fitting(examples, tokenizer, cut)) < len(examples)
    with pytest.raises(ValueError, match="max_length=10"):
        build_sft_trainer(SFTConfig(max_length=10), examples, model=tiny_model[0],
                          tokenizer=tokenizer)
