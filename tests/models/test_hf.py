"""TransformersBackend on a tiny random model: batching, padding, chat templates, stops, seeds."""

from __future__ import annotations

import pytest

from execverify.models import SamplingParams

CHAT = [{"role": "user", "content": "Write a function that adds two numbers."}]
PROMPTS = ["def add(a, b):", CHAT, "x", "The quick brown fox jumps over the lazy dog because"]
GREEDY = SamplingParams(max_new_tokens=12)


def test_greedy_batch_equals_one_prompt_at_a_time(tiny):
    batched = tiny.generate(PROMPTS, GREEDY)
    alone = [tiny.generate([p], GREEDY)[0] for p in PROMPTS]
    assert batched == alone
    assert all(len(c) == 1 and c[0] for c in batched)


def test_greedy_is_deterministic_and_n_copies(tiny):
    params = SamplingParams(max_new_tokens=8, n=3)
    first = tiny.generate(PROMPTS[:2], params)
    assert first == tiny.generate(PROMPTS[:2], params)
    assert all(len(c) == 3 and len(set(c)) == 1 for c in first)


def test_chat_prompts_go_through_the_chat_template(tiny):
    ids = tiny.encode(CHAT)
    text = tiny.tokenizer.decode(ids)
    assert text.startswith("<|im_start|>")
    assert text.endswith("<|im_start|>assistant\n")
    assert "Write a function that adds two numbers." in text
    assert "<|im_start|>" not in tiny.tokenizer.decode(tiny.encode("def add(a, b):"))


def test_missing_chat_template_is_a_clear_error(tiny, monkeypatch):
    monkeypatch.setattr(tiny.tokenizer, "chat_template", None)
    with pytest.raises(ValueError, match="has no chat template; pass raw text prompts"):
        tiny.generate([CHAT], GREEDY)


def test_stop_strings_cut_the_completion(tiny):
    params = SamplingParams(max_new_tokens=16)
    full = tiny.generate(PROMPTS, params)
    stops = []
    for (text,) in full:
        # a stop string from the middle of the unstopped completion
        stops.append(text[len(text) // 2 : len(text) // 2 + 2] or text)
    for prompt, (text,), stop in zip(PROMPTS, full, stops):
        (cut,) = tiny.generate([prompt], SamplingParams(max_new_tokens=16, stop=[stop]))[0]
        assert cut == text.split(stop)[0]
        assert stop not in cut
    # all stops at once, in a batch: each completion stops at the first of them it meets
    batched = tiny.generate(PROMPTS, SamplingParams(max_new_tokens=16, stop=stops))
    for (text,), (cut,) in zip(full, batched):
        assert text.startswith(cut)
        assert not any(s in cut for s in stops)


def test_sampling_is_reproducible_with_a_seed(tiny):
    params = SamplingParams(max_new_tokens=6, temperature=1.0, n=3, seed=7)
    first = tiny.generate(PROMPTS[:2], params)
    assert first == tiny.generate(PROMPTS[:2], params)
    assert all(len(c) == 3 for c in first)
    # random weights and 49k tokens: three samples of 6 tokens are not all equal
    assert all(len(set(c)) > 1 for c in first)
    other = tiny.generate(
        PROMPTS[:2], SamplingParams(max_new_tokens=6, temperature=1.0, n=3, seed=8)
    )
    assert other != first


def test_a_model_in_training_mode_stays_in_training_mode(tiny):
    tiny.model.train()
    try:
        tiny.generate(["abc"], SamplingParams(max_new_tokens=2))
        assert tiny.model.training
    finally:
        tiny.model.eval()


def test_sampling_leaves_the_global_torch_rng_alone(tiny):
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    tiny.generate(["abc"], SamplingParams(max_new_tokens=4, temperature=1.0, seed=1))
    assert torch.equal(torch.rand(3), expected)


def test_progress_bar_for_many_batches(tiny_parts, capsys):
    from execverify.models.hf import TransformersBackend

    model, tokenizer = tiny_parts
    backend = TransformersBackend(model, tokenizer, batch_size=1, progress=True)
    out = backend.generate(["a", "b", "c"], SamplingParams(max_new_tokens=2))
    assert len(out) == 3
    assert "3/3" in capsys.readouterr().err


def test_empty_prompt_is_a_clear_error(tiny):
    with pytest.raises(ValueError, match=r"prompts \[1\] encode to no tokens"):
        tiny.generate(["a", ""], GREEDY)
    assert tiny.generate([], GREEDY) == []


def test_bad_batch_size(tiny_parts):
    from execverify.models.hf import TransformersBackend

    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        TransformersBackend(tiny_parts[0], tiny_parts[1], batch_size=0)


def test_loads_a_saved_folder_by_path(tiny_parts, tmp_path):
    """The from_pretrained route (hub ids take the same one): a local folder by name."""
    from execverify.models import load_backend

    model, tokenizer = tiny_parts
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    loaded = load_backend("transformers", str(tmp_path), device="cpu", progress=False)
    assert loaded.model.dtype.is_floating_point
    from execverify.models.hf import TransformersBackend

    direct = TransformersBackend(model, tokenizer)
    assert loaded.generate(PROMPTS[:2], GREEDY) == direct.generate(PROMPTS[:2], GREEDY)
