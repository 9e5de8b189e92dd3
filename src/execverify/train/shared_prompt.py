"""GRPO's log-probabilities with each prompt run once per group, not once per completion.

A GRPO group is one prompt and ``num_generations`` completions of it. TRL scores a completion
by running the model over prompt + completion, so a group of 8 pays for its prompt 8 times in
the loss's forward pass and 8 times again in its backward pass. On a CPU, where the combined
prompt (~250 tokens) is longer than a completion, that repeated prompt was most of a step
(benchmarks/results/grpo_step_profile.md).

``SharedPromptTrainer`` (a ``GRPOTrainer`` made by ``shared_prompt_trainer``) runs each
distinct prompt of a batch once, up to its last token, keeps its key/value cache (with its
autograd graph), repeats that cache for the completions that share the prompt, and runs only
``[last prompt token] + completion`` on top of it. The positions, the attention mask and the
labels are those of TRL's own pass, so the log-probabilities and their gradients are the same
up to float rounding (tests/train/test_shared_prompt.py compares both against TRL's); the
gradient of the shared prompt is the sum over its completions, as in the repeated pass.

Anything the shortcut does not cover (images, a MoE auxiliary loss, gradient checkpointing,
one-token prompts) falls back to TRL's own pass.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def shared_prompt_trainer() -> type:
    """TRL's ``GRPOTrainer`` with the shared-prompt log-prob pass (a class made on first use:
    TRL is imported only here)."""
    return _make_trainer()


def _make_trainer() -> type:
    from trl import GRPOTrainer

    class SharedPromptTrainer(GRPOTrainer):
        """``GRPOTrainer`` whose log-prob pass runs each distinct prompt once."""

        def _get_per_token_logps_and_entropies(self, model: Any, input_ids: Any,
                                               attention_mask: Any, logits_to_keep: int,
                                               batch_size: int | None = None,
                                               compute_entropy: bool = False,
                                               compute_aux_loss: bool = False,
                                               **media: Any) -> tuple[Any, Any, Any]:
            prompt_len = input_ids.size(1) - logits_to_keep
            if (compute_aux_loss or prompt_len < 2 or self.args.gradient_checkpointing
                    or any(value is not None for value in media.values())):
                return super()._get_per_token_logps_and_entropies(
                    model, input_ids, attention_mask, logits_to_keep, batch_size,
                    compute_entropy, compute_aux_loss, **media)
            with self.accelerator.autocast():
                logps, entropies = shared_prompt_logps(model, input_ids, attention_mask,
                                                       prompt_len, batch_size,
                                                       compute_entropy)
            return logps, entropies, None

    return SharedPromptTrainer


def prompt_groups(input_ids: Any, attention_mask: Any, prompt_len: int,
                  batch_size: int | None = None) -> list[list[int]]:
    """Row indexes grouped by identical prompt (ids and mask), in first-seen order, each
    group cut into chunks of at most ``batch_size`` rows (TRL's memory bound)."""
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]] = {}
    prompts = input_ids[:, :prompt_len].tolist()
    masks = attention_mask[:, :prompt_len].tolist()
    for row, (prompt, mask) in enumerate(zip(prompts, masks)):
        groups.setdefault((tuple(prompt), tuple(mask)), []).append(row)
    size = batch_size or input_ids.size(0)
    return [rows[i:i + size] for rows in groups.values() for i in range(0, len(rows), size)]


def shared_prompt_logps(model: Any, input_ids: Any, attention_mask: Any, prompt_len: int,
                        batch_size: int | None = None, compute_entropy: bool = False
                        ) -> tuple[Any, Any]:
    """``(log_probs, entropies)`` of the completion tokens (``input_ids[:, prompt_len:]``),
    shaped like TRL's, from a model patched with TRL's fused LM head."""
    import torch

    logps, entropies, order = [], [], []
    for rows in prompt_groups(input_ids, attention_mask, prompt_len, batch_size):
        out = _group_pass(model, input_ids, attention_mask, prompt_len, rows)
        logps.append(out.log_probs)
        if compute_entropy:
            entropies.append(out.entropy)
        order.extend(rows)
    back = torch.empty(len(order), dtype=torch.long)
    back[torch.tensor(order)] = torch.arange(len(order))
    logps_all = torch.cat(logps)[back]
    return logps_all, (torch.cat(entropies)[back] if compute_entropy else None)


def _group_pass(model: Any, input_ids: Any, attention_mask: Any, prompt_len: int,
                rows: list[int]) -> Any:
    """The fused-head output for ``rows`` (one shared prompt): the prompt but its last token
    once, its cache repeated per row, then ``[last prompt token] + completion``."""
    first = rows[0]
    head = model(input_ids=input_ids[first:first + 1, :prompt_len - 1],
                 attention_mask=attention_mask[first:first + 1, :prompt_len - 1],
                 use_cache=True, logits_to_keep=1)
    cache = head["cache"] if "cache" in head else head["past_key_values"]
    cache.batch_repeat_interleave(len(rows))
    tail = input_ids[rows, prompt_len - 1:]
    mask = attention_mask[rows]
    labels = tail.masked_fill(mask[:, prompt_len - 1:] == 0, -100)
    return model(input_ids=tail, attention_mask=mask, labels=labels, fused_lm_head=True,
                 **{_cache_argument(model): cache})


def _cache_argument(model: Any) -> str:
    """The forward's name for a key/value cache: ``cache`` from transformers 5.25 on,
    ``past_key_values`` before (the old name still works there, with a deprecation warning)."""
    import inspect

    base = getattr(model, "module", model)
    base = base.get_base_model() if hasattr(base, "get_base_model") else base
    names = inspect.signature(type(base).forward).parameters
    return "cache" if "cache" in names else "past_key_values"
