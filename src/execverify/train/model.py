"""Loading the policy to train: a folder, a hub name, or ``builtin`` (SmolLM2-135M-Instruct)."""

from __future__ import annotations

import functools
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


def cpu_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX). There, bf16
    autocast makes a training step of the small model about 1.7x faster than fp32 (measured
    on the 2-core dev machine: 6.3 s against 11 s forward+backward for 4 x 440 tokens)."""
    import torch

    try:
        return bool(torch.backends.mkldnn.is_available()
                    and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def precision() -> dict[str, Any]:
    """Trainer precision flags: bf16 mixed precision where the GPU or CPU supports it, else
    fp32 (TRL would otherwise ask for bf16 and refuse to start on a CPU without it)."""
    import torch

    cuda = torch.cuda.is_available()
    bf16 = torch.cuda.is_bf16_supported() if cuda else cpu_bf16()
    return {"bf16": bf16, "use_cpu": not cuda}


def lora_config(config: Any, model: Any = None) -> Any:
    """A peft ``LoraConfig`` of rank ``config.lora_r`` on every linear layer, or None (full
    fine-tuning) when it is 0; any stage's config (SFT, GRPO) with ``lora_r``/``lora_alpha``.

    A config with ``lora_layers`` N > 0 (GRPO) puts the adapters on the linear layers of the
    last N of ``model``'s transformer layers only: the backward pass then stops there, and only
    those layers' activations are kept for it."""
    if config.lora_r == 0:
        return None
    from peft import LoraConfig

    last = getattr(config, "lora_layers", 0)
    where: dict[str, Any] = {"target_modules": "all-linear"}
    if last and model is not None:  # peft takes a layer list only with named modules
        layers = model.config.num_hidden_layers
        where = {"target_modules": sorted(_layer_linears(model)),
                 "layers_to_transform": list(range(max(0, layers - last), layers))}
    return LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, task_type="CAUSAL_LM",
                      **where)


def _layer_linears(model: Any) -> set[str]:
    """The names of the linear modules inside the transformer layers (``q_proj``, ...):
    every linear but the output head, as peft's ``all-linear`` picks them."""
    import torch

    head = model.get_output_embeddings()
    return {name.rsplit(".", 1)[-1] for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and module is not head}


def save_model(trainer: Any, config: Any) -> None:
    """Save a full model folder to ``config.output_dir`` either way: a LoRA adapter is merged
    into its base first, so the next stage (and evaluation) load it like any other model."""
    if config.lora_r == 0:
        trainer.save_model(config.output_dir)
        return
    merged = trainer.model.merge_and_unload()
    merged.save_pretrained(config.output_dir)
    trainer.processing_class.save_pretrained(config.output_dir)


def release_memory() -> None:
    """Hand freed memory back to the system: collect cycles, then ``malloc_trim`` (glibc keeps
    freed heap pages otherwise, so a long run's resident memory creeps up step by step, and a
    phase's peak sits on top of the last one's)."""
    import gc

    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim`` (None elsewhere), looked up once: ``release_memory`` runs after
    every training step."""
    return _libc("malloc_trim")


def _libc(name: str) -> Any:
    """The C library function ``name`` from the running process's own symbols, or None where
    that library has none (glibc's ``malloc_trim`` and ``mallopt`` are not in musl or macOS)."""
    import ctypes

    return getattr(ctypes.CDLL(None), name, None)


MMAP_THRESHOLD_BYTES = 4 << 20
"""Allocations this large or larger get pages of their own (``map_large_allocations``)."""
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter number (malloc.h)."""


def map_large_allocations(threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Give every allocation of ``threshold`` bytes or more its own ``mmap`` from now on, so
    that freeing it returns its pages at once (glibc's ``mallopt(M_MMAP_THRESHOLD)``); False
    where the C library has no ``mallopt`` or refuses.

    Why: glibc raises its threshold each time a mapped block is freed, up to 32 MiB, after
    which a training step's activations and logits tiles (a few to tens of MiB, a different
    size for every sequence length) are carved from the heap and fragment it. The demo's SFT
    phase grew from 2.3 GiB at its first step to 4.2 GiB by its twentieth that way; with the
    threshold fixed at 4 MiB it peaks at 3.6 GiB (benchmarks/results/demo_cpu.md)."""
    mallopt = _libc("mallopt")
    return bool(mallopt and mallopt(M_MMAP_THRESHOLD, threshold) == 1)


def release_memory_callback() -> Any:
    """A transformers ``TrainerCallback`` that maps large allocations when training begins
    and calls ``release_memory`` after every step."""
    from transformers import TrainerCallback

    class ReleaseMemory(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            map_large_allocations()

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            release_memory()

    return ReleaseMemory()
