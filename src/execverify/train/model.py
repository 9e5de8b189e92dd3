"""Loading the policy to train: a folder, a hub name, or ``builtin`` (SmolLM2-135M-Instruct)."""

from __future__ import annotations

from typing import Any


def load_model(name: str, model: Any = None, tokenizer: Any = None) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``name``; a ``model`` or ``tokenizer`` given is kept as is
    (tests pass tiny models; callers may pass one already loaded)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from execverify.models.builtin import resolve_model

    path = resolve_model(name)
    if model is None:
        model = AutoModelForCausalLM.from_pretrained(path)
    if tokenizer is None:
        tokenizer = AutoTokenizer.from_pretrained(path)
    return model, tokenizer


def precision() -> dict[str, Any]:
    """Trainer precision flags: bf16 where the GPU supports it, else fp32 on CPU (TRL would
    otherwise ask for bf16 and refuse to start on a CPU-only machine)."""
    import torch

    cuda = torch.cuda.is_available()
    return {"bf16": cuda and torch.cuda.is_bf16_supported(), "use_cpu": not cuda}
