"""The shared-prompt log-prob pass gives TRL's log-probabilities and gradients."""

from __future__ import annotations

import pytest

from execverify.train.shared_prompt import prompt_groups, shared_prompt_logps

torch = pytest.importorskip("torch")


def _batch(pad: int = 0):
    """Two prompts (the second left-padded by ``pad``), three completions each, interleaved as
    TRL's shuffle leaves them, completions right-padded to different lengths."""
    g = torch.Generator().manual_seed(1)
    p1 = torch.randint(5, 1000, (9,), generator=g)
    p2 = torch.randint(5, 1000, (9,), generator=g)
    p2[:pad] = 0
    prompts = [p1, p2, p1, p2, p1, p2]
    masks = [torch.ones(9, dtype=torch.long) for _ in range(6)]
    for i in (1, 3, 5):
        masks[i][:pad] = 0
    completions = torch.randint(5, 1000, (6, 7), generator=g)
    cmask = torch.ones(6, 7, dtype=torch.long)
    for row, length in enumerate([7, 3, 5, 7, 1, 6]):
        cmask[row, length:] = 0
    input_ids = torch.cat([torch.stack(prompts), completions], dim=1)
    attention_mask = torch.cat([torch.stack(masks), cmask], dim=1)
    return input_ids, attention_mask, 9


def _fused(tiny_model):
    from trl.trainer.utils import add_fused_lm_head

    model, _ = tiny_model
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    return model


def _trl_pass(model, input_ids, attention_mask, prompt_len):
    """TRL's own pass (GRPOTrainer._get_per_token_logps_and_entropies, one chunk)."""
    keep = input_ids.size(1) - prompt_len
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    labels[:, :-keep] = -100
    out = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels,
                fused_lm_head=True)
    return out.log_probs[:, -keep:], out.entropy[:, -keep:]


def test_rows_are_grouped_by_prompt_and_chunked():
    input_ids, attention_mask, n = _batch(pad=2)
    assert prompt_groups(input_ids, attention_mask, n) == [[0, 2, 4], [1, 3, 5]]
    assert prompt_groups(input_ids, attention_mask, n, batch_size=2) == [[0, 2], [4], [1, 3],
                                                                         [5]]


@pytest.mark.parametrize("pad", [0, 3])
def test_log_probs_entropies_and_gradients_equal_trls(tiny_model, pad):
    model = _fused(tiny_model)
    input_ids, attention_mask, n = _batch(pad)
    cmask = attention_mask[:, n:].float()

    want, want_entropy = _trl_pass(model, input_ids, attention_mask, n)
    (want * cmask).sum().backward()
    want_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()

    got, got_entropy = shared_prompt_logps(model, input_ids, attention_mask, n,
                                           compute_entropy=True)
    (got * cmask).sum().backward()
    assert got.shape == want.shape
    torch.testing.assert_close(got * cmask, want * cmask, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(got_entropy * cmask, want_entropy * cmask, atol=1e-5, rtol=1e-4)
    for p, g in zip(model.parameters(), want_grads):
        torch.testing.assert_close(p.grad, g, atol=1e-5, rtol=1e-3)


def test_chunks_give_the_same_log_probs(tiny_model):
    model = _fused(tiny_model)
    input_ids, attention_mask, n = _batch(pad=1)
    with torch.no_grad():
        whole, _ = shared_prompt_logps(model, input_ids, attention_mask, n)
        chunked, _ = shared_prompt_logps(model, input_ids, attention_mask, n, batch_size=2)
    torch.testing.assert_close(whole, chunked)
