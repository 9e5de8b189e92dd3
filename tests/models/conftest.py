"""Shared fixtures for the backend tests: a tiny random model with SmolLM2's real tokenizer.

The tiny model (2 layers, random weights, SmolLM2-135M's shapes otherwise) makes batching,
padding, stop strings and seeding testable in seconds; its text is gibberish, which is fine:
the tests compare outputs of different code paths, not their quality.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_parts():
    """(model, tokenizer): SmolLM2's tokenizer and config from the GGUF, 2 random layers."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    import torch
    from transformers import AutoConfig, AutoTokenizer, LlamaForCausalLM

    from execverify.models.base import BackendUnavailable
    from execverify.models.builtin import gguf_file

    try:
        source = gguf_file()
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    folder, name = str(source.parent), source.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    config = AutoConfig.from_pretrained(folder, gguf_file=name)
    config.num_hidden_layers = 2
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    return model, tokenizer


@pytest.fixture(scope="session")
def tiny(tiny_parts):
    """A TransformersBackend over the tiny model (batch size 2, so batching is exercised)."""
    from execverify.models.hf import TransformersBackend

    model, tokenizer = tiny_parts
    return TransformersBackend(model, tokenizer, batch_size=2, progress=False)
