"""TRL: the reward callables' contract, and a real ``GRPOTrainer`` step that uses them."""

from __future__ import annotations

import asyncio
import json
import pickle

import pytest

from execverify.data.export import trl_row
from execverify.rewards import TestSuite
from execverify.rewards.trl import (
    AsyncExecVerifyReward,
    ExecVerifyReward,
    async_input_reward,
    combined_reward,
    input_reward,
)
from execverify.tasks import expected_completion


def _columns(rows):
    keys = rows[0].keys() - {"prompt"}
    return {k: [row[k] for row in rows] for k in keys}


def _as_chat(text):
    return [{"role": "assistant", "content": text}]


def test_scores_own_task_and_none_for_others(records, sandbox):
    record = records["loop"]
    rows = [trl_row(record, "combined"), trl_row(record, "input"), trl_row(record, "combined")]
    completions = [_as_chat(expected_completion(record)), _as_chat("<answer>[1, 5, 3], 2</answer>"),
                   _as_chat("<answer>nope</answer>")]
    prompts = [row["prompt"] for row in rows]
    combined = ExecVerifyReward("combined", sandbox=sandbox)
    inputs = ExecVerifyReward("input", sandbox=sandbox)
    assert combined(prompts=prompts, completions=completions, **_columns(rows)) == [2.0, None, 0.0]
    assert inputs(prompts=prompts, completions=completions, **_columns(rows)) == [None, 2.0, None]
    assert combined.__name__ == "execverify_combined" and input_reward.__name__ == "execverify_input"


def test_without_a_task_column_every_row_is_the_reward_task(records):
    record = records["loop"]
    out = combined_reward(prompts=["p"], completions=[expected_completion(record)],
                          record=[record.to_json()])
    assert out == [2.0]


def test_missing_record_column_is_a_clear_error():
    with pytest.raises(ValueError, match="'record'"):
        combined_reward(prompts=["p"], completions=["<answer>1</answer>"], task=["combined"])


def test_log_metric_gets_score_and_status_rates(records):
    record = records["loop"]
    logged = {}
    combined_reward(prompts=["p", "p"], completions=[expected_completion(record), ""],
                    record=[record.to_json()] * 2, log_metric=logged.__setitem__)
    assert logged == {"execverify_combined/score_mean": 1.0,
                      "execverify_combined/status_no_answer": 0.5,
                      "execverify_combined/status_ok": 0.5,
                      "execverify_combined/output_gate": 0.5,
                      "execverify_combined/gated_step_accuracy": 1.0}


def test_async_variant_and_pickling(records, sandbox):
    record = records["unreached"]
    reward = AsyncExecVerifyReward("input", sandbox=sandbox)
    out = asyncio.run(reward(prompts=["p", "p"], completions=["<answer>'abc'</answer>", "x"],
                             record=[record.to_json()] * 2, task=["input", "input"]))
    assert out == [2.0, 0.0]
    clone = pickle.loads(pickle.dumps(reward))
    assert clone.__name__ == reward.__name__ and clone.sandbox is None
    assert async_input_reward.__name__ == "execverify_input_async"


def test_codegen_reward(sandbox):
    suite = TestSuite("assert", ("assert f(1) == 2", "assert f(2) == 4"), entry="f", timeout_s=1.0)
    reward = ExecVerifyReward("codegen", sandbox=sandbox)
    out = reward(prompts=["p"] * 3,
                 completions=["```python\ndef f(x):\n    return x + 1\n```", "no code", "x"],
                 test_suite=[suite.to_json(), suite.to_dict(), None],
                 task=["codegen", "codegen", "codegen"])
    assert out == [pytest.approx(0.55), 0.0, 0.0]  # a missing suite: 0, status bad_ground_truth


def _tiny_tokenizer(texts):
    """A byte-level BPE trained on the prompts, with a ChatML template (no hub needed)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>",
                                   pad_token="<|endoftext|>", bos_token=None)
    fast.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    return fast


@pytest.mark.slow
def test_a_real_grpo_step_uses_the_rewards(records, tmp_path):
    torch = pytest.importorskip("torch")
    trl = pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    from transformers import LlamaConfig, LlamaForCausalLM

    rows = [trl_row(r, task) for r in records.values() for task in ("combined", "input")]
    rows = [json.loads(json.dumps(row)) for row in rows if row is not None]
    dataset = datasets.Dataset.from_list(rows)
    tokenizer = _tiny_tokenizer([m["content"] for row in rows for m in row["prompt"]])
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None, tie_word_embeddings=True))
    config = trl.GRPOConfig(
        output_dir=str(tmp_path), per_device_train_batch_size=16, num_generations=4,
        max_completion_length=12, max_steps=1, learning_rate=1e-3, beta=0.0, logging_steps=1,
        report_to="none", use_cpu=True, save_strategy="no", dataloader_num_workers=0, seed=0,
    )
    trainer = trl.GRPOTrainer(model=model, processing_class=tokenizer,
                              reward_funcs=[combined_reward, async_input_reward],
                              args=config, train_dataset=dataset)
    trainer.train()
    logs = trainer.state.log_history[0]
    # both tasks were in the batch: each reward scored its rows and returned None for the rest
    assert logs["rewards/execverify_combined/mean"] is not None
    assert logs["rewards/execverify_input_async/mean"] is not None
    assert any(k.startswith("execverify_combined/status_") for k in logs)
    assert any(k.startswith("execverify_input_async/status_") for k in logs)
    assert trainer.state.global_step == 1
