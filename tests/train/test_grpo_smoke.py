"""CI smoke test: a few real GRPO steps on a tiny model, rewarded by our reward code.

The model is a 2-layer ``LlamaForCausalLM`` built from the built-in SmolLM2 config, with the
SmolLM2 tokenizer. A random model never writes an answer block, so every reward would be 0,
every group's advantage 0 and no weight would move; so it is first taught (a few dozen plain
gradient steps) to answer the prompt with the right output half the time and a wrong one the
other half. GRPO then sees groups with unequal rewards, which only our reward code can tell.
"""

from __future__ import annotations

import textwrap

import pytest

from execverify.rewards.trl import ExecVerifyReward
from execverify.tasks import TaskConfig, answer_block, as_chat, build_record, render_combined
from execverify.train.config import Stage1Config
from execverify.train.grpo import build_stage1_trainer

torch = pytest.importorskip("torch")

PROGRAM = textwrap.dedent("""
    def f(xs):
        ys = []
        for x in xs:
            ys.append(x * 2)
        return ys
""").lstrip()


class CountingReward(ExecVerifyReward):
    """Our combined reward, counting the completions it scored and the scores it gave."""

    def __init__(self) -> None:
        super().__init__("combined", name="execverify_combined")
        self.scores: list[float | None] = []

    def __call__(self, prompts=None, completions=None, **columns):
        out = super().__call__(prompts, completions, **columns)
        self.scores.extend(out)
        return out


def teach_half_right(model, tokenizer, prompt: str, right: str, wrong: str, steps: int = 80):
    """Fit the model to answer ``prompt`` with ``right`` or ``wrong`` equally often; returns the
    final loss per answer token (ln 2 / tokens is the floor for a 50/50 mix)."""
    text = tokenizer.apply_chat_template(as_chat(prompt), tokenize=False,
                                         add_generation_prompt=True)
    prompt_len = len(tokenizer(text).input_ids)
    batch = tokenizer([text + c + tokenizer.eos_token for c in (right, wrong)],
                      return_tensors="pt")  # same length: the answers differ in one digit
    targets = batch.input_ids[:, prompt_len:]
    keep = targets.shape[1] + 1  # logits only where they predict answer tokens (much cheaper)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        logits = model(**batch, logits_to_keep=keep).logits[:, :-1]
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 targets.reshape(-1))
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    return loss.item()


def half_right(tiny_model, id: str):
    """``(record, model, tokenizer)``: the loop record (output question only) and the tiny model
    taught to answer its combined prompt right ([10, 14]) half the time."""
    record = build_record(PROGRAM, "f", "[5, 7]", level=1, source="builtin", id=id,
                          config=TaskConfig(kinds=("output",)))
    model, tokenizer = tiny_model
    teach_half_right(model, tokenizer, render_combined(record), answer_block(["[10, 14]"]),
                     answer_block(["[10, 15]"]))
    return record, model, tokenizer


def test_a_few_grpo_steps_move_the_weights_with_our_rewards(tmp_path, tiny_model):
    record = build_record(PROGRAM, "f", "[5, 7]", level=1, source="builtin", id="smoke-0",
                          config=TaskConfig(kinds=("output",)))
    assert record.output == "[10, 14]"
    model, tokenizer = tiny_model
    right = answer_block(["[10, 14]"])
    wrong = answer_block(["[10, 15]"])
    assert teach_half_right(model, tokenizer, render_combined(record), right, wrong) < 0.2

    config = Stage1Config(output_dir=str(tmp_path), input_share=0.0, num_generations=4,
                          prompts_per_step=2, max_steps=2, learning_rate=1e-4,
                          max_completion_length=32, logging_steps=1, save_steps=100,
                          extra={"gradient_checkpointing": False})
    reward = CountingReward()
    trainer = build_stage1_trainer(config, [record] * 4, model=model, tokenizer=tokenizer,
                            reward_funcs=[reward])
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainer.train()

    assert trainer.state.global_step == 2
    assert len(reward.scores) == 2 * 2 * 4  # steps x prompts x rollouts, all scored by us
    assert 0.0 in reward.scores and 2.0 in reward.scores  # right and wrong answers were told apart
    logged = [row for row in trainer.state.log_history if "execverify_combined/score_mean" in row]
    assert logged, "the reward's own metrics were not logged"
    # per step, how many combined completions pass the output gate (the white-box reward pays
    # only past it) and the step accuracy of those
    assert all(0.0 <= row["execverify_combined/output_gate"] <= 1.0 for row in logged)
    assert any("execverify_combined/gated_step_accuracy" in row for row in logged)
    varied = [1 - row["frac_reward_zero_std"] for row in trainer.state.log_history
              if "frac_reward_zero_std" in row]
    print(f"share of groups with unequal rewards per step: {varied}")
    assert max(varied) > 0
    changed = [n for n, p in model.named_parameters() if not torch.equal(before[n], p.detach())]
    assert changed, "no parameter changed"

