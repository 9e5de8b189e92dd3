"""Backends by name, so configs and the CLI can say ``backend: vllm`` and outsiders can add one.

The built-in entries import their module only when called: naming a backend must not pull in
torch or vLLM for a user who never uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from execverify.models.base import Backend

BackendFactory = Callable[..., Backend]
"""``factory(model, **options) -> Backend``."""


def _transformers(model: Any, **options: Any) -> Backend:
    from execverify.models.hf import TransformersBackend

    return TransformersBackend(model, **options)


def _vllm(model: Any, **options: Any) -> Backend:
    from execverify.models.vllm_backend import VLLMBackend

    return VLLMBackend(model, **options)


def _openai(model: Any, **options: Any) -> Backend:
    from execverify.models.openai_http import OpenAIBackend

    return OpenAIBackend(model, **options)


BACKENDS: dict[str, BackendFactory] = {
    "transformers": _transformers,
    "vllm": _vllm,
    "openai": _openai,
}


def register_backend(name: str, factory: BackendFactory, *, replace: bool = False) -> None:
    """Make ``load_backend(name, ...)`` call ``factory``; refuses to shadow a name silently."""
    if not name or not isinstance(name, str):
        raise ValueError(f"a backend name must be a non-empty str; got {name!r}")
    if name in BACKENDS and not replace:
        raise ValueError(
            f"backend {name!r} is already registered; pass replace=True to override it"
        )
    BACKENDS[name] = factory


def available_backends() -> list[str]:
    return sorted(BACKENDS)


def load_backend(name: str, model: Any, **options: Any) -> Backend:
    """Build the backend called ``name`` for ``model`` (a name, path, or ``"builtin"``)."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ValueError(
            f"unknown backend {name!r}; choose one of {available_backends()} "
            "or add one with execverify.models.register_backend"
        ) from None
    return factory(model, **options)
