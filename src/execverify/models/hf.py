"""transformers backend: any causal LM on CPU or one GPU, batched, with chat templates.

The backend for machines without vLLM (a laptop, CI, the CPU demo) and for reusing a model that
is already in memory (a policy under training). Prompts are left-padded so that every sequence
in a batch ends at the same column and new tokens line up; prompts are grouped by length to
waste little compute on padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execverify.models.base import (
    Backend,
    BackendUnavailable,
    Prompt,
    SamplingParams,
    cut_at_stop,
    is_chat,
)
from execverify.models.builtin import resolve_model

try:
    import torch
    import transformers
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer
except ImportError as exc:  # pragma: no cover - exercised only without the extra installed
    raise BackendUnavailable(
        "the transformers backend needs torch and transformers; "
        "install them with: pip install 'execverify[train]'"
    ) from exc


class TransformersBackend(Backend):
    """Generate with a Hugging Face causal LM.

    model: a hub id or local folder (``from_pretrained``), ``"builtin"`` for the built-in
        SmolLM2-135M-Instruct, or an already loaded ``PreTrainedModel``.
    tokenizer: a loaded tokenizer; default: loaded from the model's name or folder.
    device: where to run; default CUDA if available, else CPU (ignored for a loaded model).
    dtype: ``torch.dtype`` or its name; default fp32 on CPU, bf16 on CUDA.
    batch_size: prompts per forward pass (each expands to ``n`` sequences when sampling).
    progress: show a progress bar; default only when there is more than one batch.

    Sampling with a seed is reproducible for the same prompts, params and ``batch_size``: one
    random stream serves a whole call, so regrouping prompts changes the draws.
    """

    name = "transformers"

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        device: str | None = None,
        dtype: Any = None,
        batch_size: int = 8,
        progress: bool | None = None,
        trust_remote_code: bool = False,
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1; got {batch_size!r}")
        self.batch_size = batch_size
        self.progress = progress
        if isinstance(model, str):
            path = resolve_model(model)
            device = device or ("cuda" if torch.cuda.is_available() else "cpu")
            self.model = _load_model(path, device, dtype, trust_remote_code)
            if tokenizer is None:
                tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        else:
            self.model = model
            if tokenizer is None:
                tokenizer = AutoTokenizer.from_pretrained(model.name_or_path)
        self.tokenizer = tokenizer
        self.eos_ids = _eos_ids(self.model, tokenizer)
        if not self.eos_ids:
            raise ValueError("neither the model nor the tokenizer defines an end-of-sequence token")
        pad = tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else self.eos_ids[0]

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams | None = None
    ) -> list[list[str]]:
        params = params or SamplingParams()
        encoded = [self.encode(p) for p in prompts]
        return [[cut_at_stop(self.tokenizer.decode(ids, skip_special_tokens=True), params.stop)
                 for ids in completions]
                for completions in self.generate_ids(encoded, params)]

    def generate_ids(
        self, encoded: Sequence[Sequence[int]], params: SamplingParams | None = None
    ) -> list[list[list[int]]]:
        """``params.n`` completions per tokenised prompt, as token ids up to and including the
        first end token (what a trainer scores: GRPO reads ids, and decoding then re-encoding
        text would not give back the sampled tokens)."""
        params = params or SamplingParams()
        if empty := [i for i, ids in enumerate(encoded) if not ids]:
            raise ValueError(f"prompts {empty} encode to no tokens; give each some text")
        # Longest first: similar lengths share a batch, and running out of memory shows at once.
        order = sorted(range(len(encoded)), key=lambda i: (-len(encoded[i]), i))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        show = self.progress if self.progress is not None else len(batches) > 1
        results: list[list[list[int]]] = [[] for _ in encoded]
        devices = [self.model.device] if self.model.device.type == "cuda" else []
        was_training = self.model.training  # a policy under training goes back to train mode
        self.model.eval()
        try:
            with (
                torch.random.fork_rng(devices=devices),
                torch.inference_mode(),
                tqdm(total=len(encoded), disable=not show, desc="generate", unit="prompt") as bar,
            ):
                if params.seed is not None:
                    torch.manual_seed(params.seed)
                for batch in batches:
                    outputs = self._generate_batch([list(encoded[i]) for i in batch], params)
                    for i, completions in zip(batch, outputs):
                        results[i] = completions
                    bar.update(len(batch))
        finally:
            self.model.train(was_training)
        return results

    def encode(self, prompt: Prompt) -> list[int]:
        """Token ids of a prompt: chat messages through the chat template, text as is."""
        if not is_chat(prompt):
            return list(self.tokenizer(prompt).input_ids)
        if not getattr(self.tokenizer, "chat_template", None):
            raise ValueError(
                f"{self.model.name_or_path or 'this model'} has no chat template; "
                "pass raw text prompts instead of chat messages"
            )
        text = self.tokenizer.apply_chat_template(
            [dict(m) for m in prompt], tokenize=False, add_generation_prompt=True
        )
        return list(self.tokenizer(text, add_special_tokens=False).input_ids)

    def _generate_batch(self, batch: list[list[int]], params: SamplingParams
                        ) -> list[list[list[int]]]:
        width = max(len(ids) for ids in batch)
        device = self.model.device
        input_ids = torch.tensor(
            [[self.pad_id] * (width - len(ids)) + ids for ids in batch], device=device
        )
        mask = torch.tensor(
            [[0] * (width - len(ids)) + [1] * len(ids) for ids in batch], device=device
        )
        out = self.model.generate(
            input_ids=input_ids, attention_mask=mask, **self._generate_kwargs(params)
        )
        rows = [self._until_end(row) for row in out[:, width:].tolist()]
        if params.greedy:  # one sequence per prompt; greedy copies are identical anyway
            return [[ids] * params.n for ids in rows]
        return [rows[i : i + params.n] for i in range(0, len(rows), params.n)]

    def _until_end(self, ids: list[int]) -> list[int]:
        """New tokens up to and including the first end token (the rest is padding)."""
        ends = set(self.eos_ids)
        cut = next((k for k, token in enumerate(ids) if token in ends), None)
        return ids if cut is None else ids[: cut + 1]

    def _generate_kwargs(self, params: SamplingParams) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_new_tokens,
            "pad_token_id": self.pad_id,
            "eos_token_id": self.eos_ids,
            "do_sample": not params.greedy,
        }
        if not params.greedy:
            # top_k=0 switches off transformers' own top-k default, so only top_p applies.
            kwargs |= {
                "temperature": params.temperature,
                "top_p": params.top_p,
                "top_k": 0,
                "num_return_sequences": params.n,
            }
        if params.stop:
            kwargs |= {"stop_strings": list(params.stop), "tokenizer": self.tokenizer}
        return kwargs


def _load_model(path: str, device: str, dtype: Any, trust_remote_code: bool) -> Any:
    if dtype is None:
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    elif isinstance(dtype, str):
        dtype = getattr(torch, dtype)
    # transformers renamed torch_dtype to dtype in 4.56; accept both generations.
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
    model = AutoModelForCausalLM.from_pretrained(
        path, trust_remote_code=trust_remote_code, **{key: dtype}
    )
    return model.to(device)


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    """End tokens from the generation config (chat models often list end-of-turn there too)."""
    ids: list[int] = []
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (configured, tokenizer.eos_token_id):
        for i in value if isinstance(value, list) else [value]:
            if i is not None and i not in ids:
                ids.append(int(i))
    return ids
