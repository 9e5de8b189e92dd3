"""Serve any backend over the OpenAI HTTP API (standard library only).

One model in memory can then feed many processes (synthesis shards, evaluation workers) through
:class:`~execverify.models.openai_http.OpenAIBackend`, exactly as a vLLM server would on a GPU
machine, and the HTTP backend can be tested end to end against a real server on 127.0.0.1.
Requests are answered one at a time (a lock around ``generate``): local backends are not
thread-safe, and a small CPU model gains nothing from overlapping requests.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from execverify.models.base import Backend, SamplingParams, is_chat


class BadRequest(ValueError):
    """The request body is not a valid OpenAI request; answered with HTTP 400."""


def make_server(
    backend: Backend, host: str = "127.0.0.1", port: int = 0, model_name: str = "execverify"
) -> ThreadingHTTPServer:
    """A server (not yet serving) answering /v1/chat/completions, /v1/completions, /v1/models.

    ``port=0`` picks a free port; read it back from ``server.server_address``.
    """
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                return self._send(404, _error(f"no route {self.path}", "not_found"))
            self._send(200, {"object": "list", "data": [{"id": model_name, "object": "model"}]})

        def do_POST(self) -> None:
            route = {"/v1/chat/completions": "chat", "/v1/completions": "completions"}
            kind = route.get(self.path.rstrip("/"))
            if kind is None:
                return self._send(404, _error(f"no route {self.path}", "not_found"))
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                prompts, params = parse_request(body, kind)
            except (BadRequest, ValueError, TypeError) as exc:
                return self._send(400, _error(str(exc), "invalid_request_error"))
            try:
                with lock:
                    outputs = backend.generate(prompts, params)
            except Exception as exc:
                return self._send(500, _error(f"{type(exc).__name__}: {exc}", "server_error"))
            self._send(200, render_response(outputs, kind, body.get("model") or model_name))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and pipelines
            pass

    server = _Server((host, port), Handler)
    server.daemon_threads = True
    return server


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, cancelled) is routine; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(backend: Backend, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``backend`` from a background thread; yields the base URL (``http://.../v1``)."""
    server = make_server(backend, host, port)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="openai-serve", daemon=True
    )
    thread.start()
    try:
        bound_host, bound_port = server.server_address[:2]
        yield f"http://{bound_host}:{bound_port}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def parse_request(body: Any, kind: str) -> tuple[list[Any], SamplingParams]:
    """Prompts and sampling parameters of an OpenAI request body; BadRequest if malformed."""
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    if kind == "chat":
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not is_chat(messages):
            raise BadRequest("'messages' must be a non-empty list of {role, content} objects")
        prompts: list[Any] = [messages]
    else:
        prompt = body.get("prompt")
        prompts = [prompt] if isinstance(prompt, str) else prompt
        if (
            not isinstance(prompts, list)
            or not prompts
            or not all(isinstance(p, str) for p in prompts)
        ):
            raise BadRequest("'prompt' must be a string or a non-empty list of strings")
    stop = body.get("stop") or ()
    params = SamplingParams(
        max_new_tokens=int(body.get("max_tokens") or 256),
        temperature=float(body.get("temperature", 1.0)),
        top_p=float(body.get("top_p", 1.0)),
        n=int(body.get("n", 1)),
        seed=body.get("seed"),
        stop=(stop,) if isinstance(stop, str) else tuple(stop),
    )
    return prompts, params


def render_response(outputs: list[list[str]], kind: str, model: str) -> dict[str, Any]:
    """An OpenAI response body; several prompts (completions only) number choices in order."""
    texts = [t for completions in outputs for t in completions]
    if kind == "chat":
        choices = [
            {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
            for i, t in enumerate(texts)
        ]
    else:
        choices = [{"index": i, "text": t, "finish_reason": "stop"} for i, t in enumerate(texts)]
    return {
        "id": f"{'chatcmpl' if kind == 'chat' else 'cmpl'}-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion" if kind == "chat" else "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}
