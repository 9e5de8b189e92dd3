"""GRPO's rollouts sampled from a bfloat16 copy of the policy: the CPU recipes' sampler.

TRL's own transformers path generates with the policy as it trains, in fp32 on a CPU (the
trainer's bf16 autocast covers the loss, not ``generate``), and sampling was the largest part of
a step (benchmarks/results/grpo_step_profile.md). How much faster bf16 weights sample there is
not yet measured on a quiet machine (a rough check under load: 1.3x at batch 8). So ``sampler: bf16-copy`` hands TRL a ``rollout_func``
that samples from a bf16 copy of the policy, made anew once per optimiser step (the copy is the
policy of that step, a LoRA adapter merged in, rounded to bf16 as the loss's autocast rounds it
too), with ``execverify.models``' transformers backend. On a GPU keep TRL's sampler or vLLM.

Sampling is seeded per step (``seed`` and the step number), so a resumed run draws what the
uninterrupted run would have drawn.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

SAMPLERS = ("trainer", "bf16-copy")
"""``trainer``: TRL's own generation; ``bf16-copy``: ``PolicyCopySampler``."""


class PolicyCopySampler:
    """A TRL ``rollout_func``: one completion per prompt TRL passes (it passes each prompt of a
    group once per rollout), from a bf16 copy of the trainer's policy."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._backend: Any = None
        self._synced_step = -1

    def __call__(self, prompts: Sequence[Any], trainer: Any) -> dict[str, Any]:
        from execverify.models.base import SamplingParams

        backend = self.backend(trainer)
        args = trainer.args
        encoded = [backend.encode(p) for p in prompts]
        step = trainer.state.global_step
        params = SamplingParams(n=1, temperature=args.temperature, top_p=args.top_p,
                                max_new_tokens=args.max_completion_length,
                                seed=self.seed * 1_000_003 + step)
        backend.batch_size = len(encoded)
        completions = backend.generate_ids(encoded, params)
        return {"prompt_ids": encoded, "completion_ids": [c[0] for c in completions],
                "logprobs": None}

    def backend(self, trainer: Any) -> Any:
        """The transformers backend around the copy of the trainer's policy at the current
        step (made anew once per step: a copy is cheap next to a step, and a LoRA policy is
        merged into it, so sampling pays no adapter overhead)."""
        from execverify.models.hf import TransformersBackend

        if self._backend is None or self._synced_step != trainer.state.global_step:
            policy = trainer.accelerator.unwrap_model(trainer.model)
            self._backend = None  # let the old copy go before the new one is made
            self._backend = TransformersBackend(bf16_copy(policy), trainer.processing_class,
                                                progress=False)
            self._synced_step = trainer.state.global_step
        return self._backend


def bf16_copy(model: Any) -> Any:
    """A frozen bfloat16 copy of ``model`` to sample from; a peft model's adapter is merged
    into the copy's weights (the model itself is left as it is).

    A forward patched onto the instance (TRL's fused log-prob head) is dropped from the copy:
    its closure calls the *original* model's forward, so the copy would sample with the fp32
    policy, not with itself; generation needs the class's own forward."""
    import torch

    clone = copy.deepcopy(model)
    if hasattr(clone, "merge_and_unload"):
        clone = clone.merge_and_unload()
    for module in clone.modules():
        vars(module).pop("forward", None)
    clone = clone.to(torch.bfloat16)
    clone.requires_grad_(False)
    return clone
