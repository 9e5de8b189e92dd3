"""OpenAI-compatible HTTP backend, standard library only.

Talks to anything that speaks the OpenAI API (a ``vllm serve`` or SGLang server, llama.cpp's
server, a hosted API) through ``/chat/completions`` and ``/completions``. Using only ``urllib``
keeps it installable everywhere and lets synthesis or evaluation drive a remote GPU server from
a machine that has no torch at all. One request per prompt (carrying ``n``), sent from a thread
pool; transient failures (connection errors, timeouts, HTTP 408/409/429/5xx) are retried with
exponential backoff, honouring ``Retry-After``; other HTTP errors fail at once with the server's
message.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from execverify.models.base import (
    Backend,
    BackendError,
    Prompt,
    SamplingParams,
    as_messages,
    cut_at_stop,
    is_chat,
)
from execverify.validation import require

DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
ENDPOINTS = ("auto", "chat", "completions")


def _require(ok: bool, name: str, value: object, rule: str) -> None:
    require(ok, "HTTPOptions", name, value, rule)


@dataclass(frozen=True)
class HTTPOptions:
    """Connection settings for :class:`OpenAIBackend`.

    base_url: server root including the version, e.g. ``http://127.0.0.1:8000/v1``; default
        ``$OPENAI_BASE_URL``, else the OpenAI API.
    api_key: sent as a bearer token; default the environment variable named by ``api_key_env``
        (no header when neither is set, as local servers need none).
    endpoint: ``"auto"`` (chat prompts to /chat/completions, text to /completions), ``"chat"``
        (text becomes one user message) or ``"completions"`` (text prompts only).
    timeout_s: per-request socket timeout. max_retries: retries after the first attempt.
    backoff_s: first retry delay, doubled each time. concurrency: requests in flight at once.
    extra_body: merged into every request body (e.g. ``{"top_k": 20}`` for vLLM servers).
    """

    base_url: str | None = None
    api_key: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    endpoint: str = "auto"
    timeout_s: float = 120.0
    max_retries: int = 4
    backoff_s: float = 1.0
    concurrency: int = 8
    extra_body: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _require(self.endpoint in ENDPOINTS, "endpoint", self.endpoint, f"one of {ENDPOINTS}")
        _require(self.timeout_s > 0, "timeout_s", self.timeout_s, "> 0 seconds")
        _require(self.max_retries >= 0, "max_retries", self.max_retries, ">= 0")
        _require(self.backoff_s >= 0, "backoff_s", self.backoff_s, ">= 0 seconds")
        _require(self.concurrency >= 1, "concurrency", self.concurrency, ">= 1")
        url = self.resolved_base_url()
        _require(
            url.startswith(("http://", "https://")),
            "base_url",
            url,
            "an http:// or https:// URL such as http://127.0.0.1:8000/v1",
        )

    def resolved_base_url(self) -> str:
        url = self.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        return url.rstrip("/")

    def resolved_api_key(self) -> str | None:
        return self.api_key or os.environ.get(self.api_key_env) or None



class OpenAIBackend(Backend):
    """Generate through an OpenAI-compatible server; ``options`` are :class:`HTTPOptions` fields.

    Sampling is as reproducible as the server makes it: ``params.seed`` is sent with every
    request (vLLM and OpenAI honour it), and greedy requests ask for one completion.
    """

    name = "openai"

    def __init__(self, model: str, **options: Any) -> None:
        self.model = model
        self.options = HTTPOptions(**options)
        self.base_url = self.options.resolved_base_url()
        self._pool = ThreadPoolExecutor(self.options.concurrency, thread_name_prefix="openai-http")

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams | None = None
    ) -> list[list[str]]:
        params = params or SamplingParams()
        for p in prompts:  # fail on a malformed prompt before sending anything
            self._route(p)
        return list(self._pool.map(lambda p: self._complete(p, params), prompts))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _route(self, prompt: Prompt) -> str:
        chat = is_chat(prompt)
        if self.options.endpoint == "completions" and chat:
            raise ValueError(
                "endpoint='completions' takes text prompts only; got chat messages "
                "(use endpoint='auto' or 'chat')"
            )
        if self.options.endpoint == "chat" or (self.options.endpoint == "auto" and chat):
            return "chat"
        return "completions"

    def _complete(self, prompt: Prompt, params: SamplingParams) -> list[str]:
        """All ``n`` completions of one prompt, asking again if a server returns fewer."""
        want = 1 if params.greedy else params.n
        texts: list[str] = []
        for attempt in range(want):
            seed = None if params.seed is None else params.seed + attempt
            texts += self._request(prompt, params, want - len(texts), seed)
            if len(texts) >= want:
                break
        if len(texts) < want:
            raise BackendError(f"{self.base_url} returned {len(texts)} completions, asked {want}")
        texts = [cut_at_stop(t, params.stop) for t in texts[:want]]
        return texts * params.n if params.greedy else texts

    def _request(
        self, prompt: Prompt, params: SamplingParams, n: int, seed: int | None
    ) -> list[str]:
        route = self._route(prompt)
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "n": n,
        }
        if not params.greedy:
            body["top_p"] = params.top_p
        if seed is not None:
            body["seed"] = seed
        if params.stop:
            body["stop"] = list(params.stop)
        if route == "chat":
            body["messages"] = as_messages(prompt)
        else:
            body["prompt"] = prompt
        body |= dict(self.options.extra_body)
        path = "/chat/completions" if route == "chat" else "/completions"
        return _choice_texts(self._post(path, body), route, self.base_url + path)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        url = self.base_url + path
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = self.options.resolved_api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        last = ""
        for attempt in range(self.options.max_retries + 1):
            delay = self.options.backoff_s * 2**attempt * (1 + 0.25 * random.random())
            try:
                request = urllib.request.Request(url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.options.timeout_s) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {_error_detail(exc)}"
                if exc.code not in RETRY_STATUS:
                    raise BackendError(f"{url} answered {last}") from None
                delay = _retry_after(exc, delay)
            except (
                urllib.error.URLError,
                TimeoutError,
                ConnectionError,
                http.client.HTTPException,
            ) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}"
            except json.JSONDecodeError as exc:
                last = f"the response is not JSON ({exc})"
            if attempt < self.options.max_retries:
                time.sleep(delay)
        raise BackendError(
            f"{url} failed after {self.options.max_retries + 1} attempts; last error: {last}"
        )


def _choice_texts(payload: Any, route: str, url: str) -> list[str]:
    """Completion texts in choice order, with a clear error for an unexpected shape."""
    try:
        choices = sorted(payload["choices"], key=lambda c: c.get("index", 0))
        if route == "chat":
            return [c["message"].get("content") or "" for c in choices]
        return [c["text"] for c in choices]
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackendError(
            f"{url} answered without the OpenAI {route} format ({exc!r}): {str(payload)[:300]}"
        ) from None


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read().decode("utf-8", "replace")
    except OSError:
        return exc.reason or ""
    try:
        error = json.loads(raw).get("error", raw)
        return str(error.get("message", error) if isinstance(error, dict) else error)[:500]
    except (ValueError, AttributeError):
        return raw[:500]


def _retry_after(exc: urllib.error.HTTPError, default: float) -> float:
    """The server's Retry-After (seconds form), capped at a minute, else ``default``."""
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return min(max(float(value), 0.0), 60.0)
    except (TypeError, ValueError):
        return default
