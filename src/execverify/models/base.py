"""The one interface every generation backend implements.

Synthesis (LLM-prompted programs), the difficulty filter, evaluation and training all need the
same thing from a model: "complete these prompts, n times each, with these sampling settings".
Keeping that contract this small lets a local transformers model, a vLLM engine and any
OpenAI-compatible server stand in for each other without the callers knowing which one runs.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from execverify.validation import require

Message = Mapping[str, str]
"""One chat message: ``{"role": "user", "content": "..."}``."""

Prompt = str | Sequence[Message]
"""Raw text (completed as is) or a chat conversation (rendered by the model's chat template)."""


def _require(ok: bool, name: str, value: object, rule: str) -> None:
    require(ok, "SamplingParams", name, value, rule)


class BackendError(RuntimeError):
    """A backend could not produce completions (server error, bad response, model failure)."""


class BackendUnavailable(ImportError):
    """A backend's optional dependency or model file is missing; the message says how to fix it."""


@dataclass(frozen=True)
class SamplingParams:
    """How to sample completions; the same meaning for every backend.

    max_new_tokens: most tokens generated per completion.
    temperature: 0 means greedy decoding (deterministic, ``top_p`` and ``seed`` unused).
    top_p: nucleus sampling mass in (0, 1]; 1 disables it.
    n: completions per prompt.
    seed: makes sampling reproducible: the same prompts, params and backend settings give the
        same completions. None draws fresh randomness.
    stop: strings that end a completion; the returned text stops before the first of them.
    """

    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    n: int = 1
    seed: int | None = None
    stop: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if isinstance(self.stop, str):
            object.__setattr__(self, "stop", (self.stop,))
        else:
            object.__setattr__(self, "stop", tuple(self.stop))
        _require(
            isinstance(self.max_new_tokens, int) and self.max_new_tokens >= 1,
            "max_new_tokens",
            self.max_new_tokens,
            "an int >= 1",
        )
        _require(
            math.isfinite(self.temperature) and self.temperature >= 0,
            "temperature",
            self.temperature,
            "a finite number >= 0 (use 0 for greedy decoding)",
        )
        _require(0 < self.top_p <= 1, "top_p", self.top_p, "in (0, 1] (1 disables nucleus sampling)")
        _require(isinstance(self.n, int) and self.n >= 1, "n", self.n, "an int >= 1")
        _require(
            self.seed is None or (isinstance(self.seed, int) and self.seed >= 0),
            "seed",
            self.seed,
            "None or an int >= 0",
        )
        _require(
            all(isinstance(s, str) and s for s in self.stop),
            "stop",
            self.stop,
            "a sequence of non-empty strings",
        )

    @property
    def greedy(self) -> bool:
        return self.temperature == 0



class Backend(ABC):
    """Generates completions for a batch of prompts.

    Implementations batch internally as suits them and return results in input order:
    ``generate(prompts, params)[i][j]`` is the j-th of ``params.n`` completions of
    ``prompts[i]``. Greedy decoding is deterministic; sampling is deterministic for a given
    ``params.seed``. Completions exclude the prompt and are cut before any stop string.
    """

    name: str = "backend"

    @abstractmethod
    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams | None = None
    ) -> list[list[str]]:
        """Return ``params.n`` completions for each prompt, in input order."""

    def complete(self, prompt: Prompt, params: SamplingParams | None = None) -> str:
        """The first completion of one prompt: the common case of a single greedy answer."""
        return self.generate([prompt], params)[0][0]

    def close(self) -> None:  # noqa: B027 (optional hook: most backends hold nothing)
        """Release what the backend holds (threads, engines, GPU memory). Safe to call twice."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_chat(prompt: Prompt) -> bool:
    """True for a chat conversation, False for raw text; raises on anything else.

    Checked up front so that a malformed prompt fails with a message naming it, not deep inside
    a tokenizer or an HTTP request.
    """
    if isinstance(prompt, str):
        return False
    if isinstance(prompt, Sequence) and all(
        isinstance(m, Mapping)
        and isinstance(m.get("role"), str)
        and isinstance(m.get("content"), str)
        for m in prompt
    ):
        if not prompt:
            raise ValueError("a chat prompt needs at least one message; got an empty list")
        return True
    raise TypeError(
        "a prompt must be a str or a list of {'role': str, 'content': str} messages; "
        f"got {prompt!r:.200}"
    )


def as_messages(prompt: Prompt) -> list[dict[str, str]]:
    """A prompt as chat messages: raw text becomes one user message."""
    if is_chat(prompt):
        return [{"role": m["role"], "content": m["content"]} for m in prompt]  # type: ignore[index]
    return [{"role": "user", "content": prompt}]  # type: ignore[dict-item]


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """Text up to (not including) the earliest stop string.

    Backends stop generating at a stop string but may overshoot it by a few characters (tokens
    span string boundaries), so every backend cuts the same way here.
    """
    cut = len(text)
    for s in stop:
        i = text.find(s)
        if 0 <= i < cut:
            cut = i
    return text[:cut]


def describe(obj: Any) -> str:
    """A short name for a model argument, for backend names and error messages."""
    return obj if isinstance(obj, str) else type(obj).__name__
