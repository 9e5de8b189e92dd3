"""vLLM backend: fast batched generation on GPU machines.

``vllm`` is imported when the backend is built, never at module import, so this module (and
``execverify.models``) loads on machines without it, and the error when it is missing says how
to install it. Chat prompts are rendered with the model's own chat template and passed as token
ids, so a template that already contains the BOS token does not get a second one.
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

VLLM_INSTALL_HINT = "pip install 'execverify[vllm]'  (or: pip install vllm; needs a CUDA GPU)"


def import_vllm() -> Any:
    """The ``vllm`` module, or :class:`BackendUnavailable` with the install command."""
    try:
        import vllm
    except ImportError as exc:
        raise BackendUnavailable(
            f"the vllm backend needs the vllm package, which is not installed; "
            f"install it with: {VLLM_INSTALL_HINT}. Without a GPU use the 'transformers' backend."
        ) from exc
    return vllm


class VLLMBackend(Backend):
    """Generate with a ``vllm.LLM`` engine.

    model: a hub id, local folder, or ``"builtin"``; engine_options go to ``vllm.LLM`` as is
    (``tensor_parallel_size``, ``gpu_memory_utilization``, ``max_model_len``, ...).
    Each request carries ``params.seed``, so sampled completions do not depend on batching.
    """

    name = "vllm"

    def __init__(self, model: str, **engine_options: Any) -> None:
        self._vllm = import_vllm()
        self.model_name = resolve_model(model)
        self.llm = self._vllm.LLM(model=self.model_name, **engine_options)
        self.tokenizer = self.llm.get_tokenizer()

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams | None = None
    ) -> list[list[str]]:
        params = params or SamplingParams()
        inputs = [self._input(p) for p in prompts]
        outputs = self.llm.generate(inputs, self._sampling(params), use_tqdm=len(inputs) > 1)
        results = []
        for out in outputs:
            texts = [cut_at_stop(c.text, params.stop) for c in out.outputs]
            results.append(texts * params.n if params.greedy else texts)
        return results

    def _input(self, prompt: Prompt) -> Any:
        if not is_chat(prompt):
            return prompt
        text = self.tokenizer.apply_chat_template(
            [dict(m) for m in prompt], tokenize=False, add_generation_prompt=True
        )
        return {"prompt_token_ids": self.tokenizer.encode(text, add_special_tokens=False)}

    def _sampling(self, params: SamplingParams) -> Any:
        # Greedy asks for one sequence (vLLM rejects n > 1 at temperature 0 in some versions).
        return self._vllm.SamplingParams(
            n=1 if params.greedy else params.n,
            temperature=params.temperature,
            top_p=1.0 if params.greedy else params.top_p,
            max_tokens=params.max_new_tokens,
            seed=params.seed,
            stop=list(params.stop) or None,
        )

    def close(self) -> None:
        self.__dict__.pop("llm", None)
