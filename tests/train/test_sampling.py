"""GRPO with rollouts from the bf16 copy of the policy, and the rollout log.

The tiny model is first taught to answer half right (as in test_grpo_smoke), so the groups it
samples have unequal rewards and GRPO moves its weights; the copy must follow those weights and
the log must hold every completion of every logged step, with the reward it was given.
"""

from __future__ import annotations

import json

import pytest

from execverify.rewards.score import ScoreResult
from execverify.rewards.trl import ScoredBatch
from execverify.train.config import Stage1Config
from execverify.train.grpo import build_stage1_trainer
from execverify.train.rollouts import ROLLOUTS_FILE, RolloutLog

from .test_grpo_smoke import half_right

torch = pytest.importorskip("torch")


def test_grpo_learns_from_the_bf16_copy_and_logs_every_rollout(tmp_path, tiny_model):
    record, model, tokenizer = half_right(tiny_model, "copy-0")
    config = Stage1Config(output_dir=str(tmp_path), input_share=0.0, num_generations=4,
                          prompts_per_step=2, max_steps=3, learning_rate=1e-3,
                          max_completion_length=32, logging_steps=1, save_steps=100,
                          sampler="bf16-copy", log_rollouts_every=2, report_to=(),
                          extra={"gradient_checkpointing": False})
    trainer = build_stage1_trainer(config, [record] * 6, model=model, tokenizer=tokenizer)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainer.train()

    assert trainer.state.global_step == 3
    assert any(not torch.equal(before[n], p.detach()) for n, p in model.named_parameters())
    sampler = trainer.rollout_func
    copy = sampler.backend(trainer).model  # synced to the policy after its last step
    assert next(copy.parameters()).dtype == torch.bfloat16
    for mine, theirs in zip(copy.parameters(), model.parameters()):
        assert torch.equal(mine, theirs.detach().to(torch.bfloat16))

    rows = [json.loads(line) for line in (tmp_path / ROLLOUTS_FILE).read_text().splitlines()]
    assert sorted({r["step"] for r in rows}) == [1, 3]  # every 2nd step, from the first
    assert len(rows) == 2 * 2 * 4  # logged steps x prompts x rollouts
    assert {r["group"] for r in rows} == {0, 1}
    assert all(r["task"] == "combined" and r["id"] == "copy-0" and r["stage"] == "stage1"
               for r in rows)
    assert {r["reward"] for r in rows} <= {0.0, 1.0, 2.0}
    assert any(r["reward"] == 2.0 and r["breakdown"]["output_correct"] == 1.0 for r in rows)
    assert all("Consider the call `f([5, 7])`" in r["prompt"] for r in rows)
    varied = [1 - row["frac_reward_zero_std"] for row in trainer.state.log_history
              if "frac_reward_zero_std" in row]
    assert max(varied) > 0


def _batch(step: int, n: int = 2) -> ScoredBatch:
    class State:
        global_step = step - 1

    results = [ScoreResult(float(i), "ok", "output") for i in range(n)]
    return ScoredBatch("output", [[{"role": "user", "content": "p"}]] * n, ["c"] * n,
                       list(range(n)), results, {"trainer_state": State(), "id": ["a"] * n})


def test_a_resumed_run_drops_what_the_killed_one_logged_from_its_step_on(tmp_path):
    first = RolloutLog(tmp_path, "stage1", 1, 2)
    for step in (1, 2, 3):
        first(_batch(step))
    with (tmp_path / ROLLOUTS_FILE).open("a") as out:
        out.write('{"step": 4, "gro')  # killed mid-line
    resumed = RolloutLog(tmp_path, "stage1", 1, 2)  # resumes at step 3 (checkpoint-2)
    resumed(_batch(3))
    steps = [json.loads(line)["step"] for line in (tmp_path / ROLLOUTS_FILE).read_text()
             .splitlines()]
    assert steps == [1, 1, 2, 2, 3, 3]


def test_every_zero_logs_nothing(tmp_path):
    RolloutLog(tmp_path, "stage2", 0, 2)(_batch(1))
    assert not (tmp_path / ROLLOUTS_FILE).exists()


def test_backend_ids_stop_at_the_end_token_and_decode_to_its_text(tiny_model):
    from execverify.models.base import SamplingParams
    from execverify.models.hf import TransformersBackend

    model, tokenizer = tiny_model
    backend = TransformersBackend(model, tokenizer, batch_size=2)
    prompts = [[{"role": "user", "content": "hi"}], [{"role": "user", "content": "say more"}]]
    params = SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=3)
    ids = backend.generate_ids([backend.encode(p) for p in prompts], params)
    texts = backend.generate(prompts, params)
    assert [len(c) for c in ids] == [2, 2]
    for per_ids, per_text in zip(ids, texts):
        for completion, text in zip(per_ids, per_text):
            assert 0 < len(completion) <= 12
            assert all(t not in backend.eos_ids for t in completion[:-1])
            assert tokenizer.decode(completion, skip_special_tokens=True) == text


def test_the_copy_samples_with_its_own_weights_even_after_trls_fused_head(tiny_model):
    from trl.trainer.utils import add_fused_lm_head

    from execverify.train.sampling import bf16_copy

    model, _ = tiny_model
    add_fused_lm_head(model)  # what GRPOTrainer does to the policy: forward patched on it
    ids = torch.tensor([[5, 6, 7, 8]])
    copy = bf16_copy(model)
    with torch.no_grad():
        before = copy(input_ids=ids).logits
        for p in model.parameters():
            p.zero_()  # the policy changes; the copy must not follow until copied again
        after = copy(input_ids=ids).logits
    assert before.dtype == torch.bfloat16
    assert torch.equal(before, after)
