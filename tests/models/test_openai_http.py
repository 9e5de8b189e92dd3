"""OpenAIBackend against real HTTP servers on 127.0.0.1.

Two kinds of server: execverify's own (serving the tiny transformers model, so the HTTP route
must reproduce the direct route exactly), and small hand-written handlers that misbehave in
the ways real servers do (overload, bad requests, slowness, short answers).
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from execverify.models import BackendError, SamplingParams, load_backend
from execverify.models.openai_http import HTTPOptions, OpenAIBackend

CHAT = [{"role": "user", "content": "Write a function that adds two numbers."}]


@contextlib.contextmanager
def scripted_server(answer):
    """A server whose handler calls ``answer(path, body, headers) -> (status, payload)``."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            status, payload = answer(self.path, body, self.headers)
            data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            if not isinstance(sys.exc_info()[1], ConnectionError):  # a client timing out is fine
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def chat_reply(texts):
    return {
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": t}}
            for i, t in enumerate(texts)
        ]
    }


def echo(path, body, headers):
    """Answers with the last user message (chat) or the prompt (completions), reversed."""
    if path.endswith("/chat/completions"):
        text = body["messages"][-1]["content"][::-1]
        return 200, chat_reply([text] * body.get("n", 1))
    return 200, {"choices": [{"index": 0, "text": body["prompt"][::-1]}]}


def client(base_url, **options):
    options.setdefault("backoff_s", 0.01)
    return OpenAIBackend("test-model", base_url=base_url, **options)


def test_http_route_reproduces_the_direct_backend(tiny):
    """Served over HTTP, the tiny model answers exactly as when called directly."""
    from execverify.models.serve import serving

    prompts = ["def add(a, b):", CHAT, "x = [1, 2, 3]\n"]
    greedy = SamplingParams(max_new_tokens=10, n=2, stop=["\n\n"])
    sampled = SamplingParams(max_new_tokens=6, temperature=1.0, n=2, seed=3)
    with serving(tiny) as url, load_backend("openai", "tiny", base_url=url) as http:
        assert http.generate(prompts, greedy) == tiny.generate(prompts, greedy)
        for prompt in prompts:  # one prompt per request: the same single-prompt draws
            assert http.generate([prompt], sampled) == tiny.generate([prompt], sampled)


def test_endpoints_and_request_body():
    with scripted_server(echo) as (url, seen), client(url) as http:
        params = SamplingParams(max_new_tokens=5, temperature=0.5, top_p=0.9, seed=4, stop=["!"])
        out = http.generate(["abc", CHAT], params)
    assert out == [["cba"], [CHAT[0]["content"][::-1].split("!")[0]]]
    by_path = {s["path"]: s["body"] for s in seen}
    assert by_path["/v1/completions"] == {
        "model": "test-model",
        "max_tokens": 5,
        "temperature": 0.5,
        "n": 1,
        "top_p": 0.9,
        "seed": 4,
        "stop": ["!"],
        "prompt": "abc",
    }
    assert by_path["/v1/chat/completions"]["messages"] == CHAT


def test_chat_endpoint_wraps_text_and_completions_endpoint_refuses_chat():
    with scripted_server(echo) as (url, seen), client(url, endpoint="chat") as http:
        assert http.generate(["abc"]) == [["cba"]]
    assert seen[0]["body"]["messages"] == [{"role": "user", "content": "abc"}]
    with (
        client("http://127.0.0.1:9/v1", endpoint="completions") as http,
        pytest.raises(ValueError, match="takes text prompts only"),
    ):
        http.generate([CHAT])


def test_api_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    with scripted_server(echo) as (url, seen), client(url) as http:
        http.generate(["a"])
    assert seen[-1]["headers"]["Authorization"] == "Bearer sk-test-123"
    monkeypatch.delenv("OPENAI_API_KEY")
    with scripted_server(echo) as (url, seen), client(url) as http:
        http.generate(["a"])
    assert "Authorization" not in seen[-1]["headers"]


def test_base_url_from_the_environment(monkeypatch):
    with scripted_server(echo) as (url, _):
        monkeypatch.setenv("OPENAI_BASE_URL", url + "/")
        with OpenAIBackend("m", backoff_s=0) as http:
            assert http.generate(["xy"]) == [["yx"]]


def test_transient_errors_are_retried():
    failures = {"n": 0}

    def flaky(path, body, headers):
        failures["n"] += 1
        if failures["n"] == 1:
            return 503, {"error": {"message": "overloaded"}}
        if failures["n"] == 2:
            return 429, {"error": {"message": "slow down"}}
        return echo(path, body, headers)

    with scripted_server(flaky) as (url, seen), client(url, max_retries=3) as http:
        assert http.generate(["abc"]) == [["cba"]]
    assert len(seen) == 3


def test_retries_run_out_with_the_last_error():
    def down(path, body, headers):
        return 502, {"error": {"message": "bad gateway today"}}

    with (
        scripted_server(down) as (url, seen),
        client(url, max_retries=2) as http,
        pytest.raises(BackendError, match=r"failed after 3 attempts.*bad gateway today"),
    ):
        http.generate(["abc"])
    assert len(seen) == 3


def test_client_errors_fail_at_once_with_the_server_message():
    def reject(path, body, headers):
        return 400, {"error": {"message": "max_tokens is too large", "type": "invalid"}}

    with (
        scripted_server(reject) as (url, seen),
        client(url, max_retries=3) as http,
        pytest.raises(BackendError, match="HTTP 400: max_tokens is too large"),
    ):
        http.generate(["abc"])
    assert len(seen) == 1


def test_timeouts_are_retried_then_reported():
    def slow(path, body, headers):
        time.sleep(1.0)
        return echo(path, body, headers)

    with (
        scripted_server(slow) as (url, _),
        client(url, timeout_s=0.1, max_retries=1) as http,
        pytest.raises(BackendError, match=r"failed after 2 attempts.*timed out"),
    ):
        http.generate(["abc"])


def test_unreachable_server():
    with (
        client("http://127.0.0.1:9/v1", max_retries=0) as http,
        pytest.raises(BackendError, match="failed after 1 attempts"),
    ):
        http.generate(["abc"])


def test_malformed_answers_are_reported():
    def broken(path, body, headers):
        return 200, {"result": "not openai"}

    with (
        scripted_server(broken) as (url, _),
        client(url) as http,
        pytest.raises(BackendError, match="without the OpenAI completions format"),
    ):
        http.generate(["abc"])

    def not_json(path, body, headers):
        return 200, b"<html>proxy error</html>"

    with (
        scripted_server(not_json) as (url, _),
        client(url, max_retries=0) as http,
        pytest.raises(BackendError, match="not JSON"),
    ):
        http.generate(["abc"])


def test_requests_run_concurrently():
    """Four requests must be in flight together, or the barrier breaks and the server fails."""
    barrier = threading.Barrier(4, timeout=20)

    def gathered(path, body, headers):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return 500, {"error": {"message": "requests arrived one at a time"}}
        return echo(path, body, headers)

    with (
        scripted_server(gathered) as (url, _),
        client(url, concurrency=4, max_retries=0) as http,
    ):
        out = http.generate(["ab", "cd", "ef", "gh"])
    assert out == [["ba"], ["dc"], ["fe"], ["hg"]]


def test_short_answers_are_topped_up_with_new_seeds():
    """A server that ignores n: the backend asks again until it has n completions."""

    def one_each(path, body, headers):
        return 200, {"choices": [{"index": 0, "text": f"seed={body.get('seed')}"}]}

    with scripted_server(one_each) as (url, seen), client(url) as http:
        out = http.generate(["p"], SamplingParams(temperature=1.0, n=3, seed=5))
    assert out == [["seed=5", "seed=6", "seed=7"]]
    assert [s["body"]["n"] for s in seen] == [3, 2, 1]


def test_greedy_asks_for_one_completion_and_copies_it():
    with scripted_server(echo) as (url, seen), client(url) as http:
        assert http.generate(["ab"], SamplingParams(n=3)) == [["ba", "ba", "ba"]]
    assert seen[0]["body"]["n"] == 1 and "top_p" not in seen[0]["body"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"endpoint": "embeddings"}, "endpoint"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"max_retries": -1}, "max_retries"),
        ({"concurrency": 0}, "concurrency"),
        ({"base_url": "127.0.0.1:8000"}, "base_url"),
    ],
)
def test_options_are_validated(options, field):
    with pytest.raises(ValueError, match=rf"HTTPOptions\.{field} must be"):
        HTTPOptions(**options)
