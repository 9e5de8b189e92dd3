"""Generation backends: one interface over transformers, vLLM and OpenAI-compatible servers.

>>> from execverify.models import SamplingParams, load_backend
>>> lm = load_backend("transformers", "builtin")        # SmolLM2-135M-Instruct, CPU
>>> lm.generate(["def add(a, b):"], SamplingParams(max_new_tokens=32))

Importing this package imports neither torch nor vllm; each backend loads its own dependencies
when it is built. :mod:`execverify.models.serve` puts any backend behind an OpenAI-compatible
HTTP endpoint, so one loaded model can serve many processes through the ``openai`` backend.
"""

from execverify.models.base import (
    Backend,
    BackendError,
    BackendUnavailable,
    Prompt,
    SamplingParams,
)
from execverify.models.builtin import BUILTIN_NAMES, builtin_model_path, is_builtin
from execverify.models.registry import (
    BACKENDS,
    available_backends,
    load_backend,
    register_backend,
)

__all__ = [
    "BACKENDS",
    "BUILTIN_NAMES",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Prompt",
    "SamplingParams",
    "available_backends",
    "builtin_model_path",
    "is_builtin",
    "load_backend",
    "register_backend",
]
