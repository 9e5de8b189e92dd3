"""The OpenAI-format server over a backend: routes and request validation."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from execverify.models import Backend, SamplingParams
from execverify.models.serve import parse_request, serving


class Upper(Backend):
    """Answers each prompt in upper case, tagged with the sampling settings it received."""

    def generate(self, prompts, params=None):
        params = params or SamplingParams()
        out = []
        for p in prompts:
            text = p if isinstance(p, str) else p[-1]["content"]
            out.append(
                [f"{text.upper()}|{params.temperature}|{params.seed}|{i}" for i in range(params.n)]
            )
        return out


def post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_chat_and_completions_routes():
    with serving(Upper()) as url:
        status, body = post(
            url + "/chat/completions",
            {
                "model": "m",
                "messages": [{"role": "user", "content": "hi"}],
                "n": 2,
                "seed": 3,
            },
        )
        assert status == 200 and body["object"] == "chat.completion"
        assert [c["message"]["content"] for c in body["choices"]] == ["HI|1.0|3|0", "HI|1.0|3|1"]
        status, body = post(url + "/completions", {"prompt": ["a", "b"], "temperature": 0})
        assert status == 200 and body["object"] == "text_completion"
        assert [c["text"] for c in body["choices"]] == ["A|0.0|None|0", "B|0.0|None|0"]
        with urllib.request.urlopen(url + "/models", timeout=10) as response:
            assert json.loads(response.read())["data"][0]["id"] == "execverify"


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/chat/completions", {"messages": []}, 400, "'messages' must be"),
        ("/chat/completions", {"messages": [{"role": "user"}]}, 400, "a prompt must be"),
        ("/completions", {"prompt": 3}, 400, "'prompt' must be"),
        ("/completions", {"prompt": "a", "top_p": 2}, 400, "top_p must be"),
        ("/embeddings", {"input": "a"}, 404, "no route"),
    ],
)
def test_bad_requests_get_openai_style_errors(path, body, status, message):
    with serving(Upper()) as url:
        got_status, got = post(url + path, body)
    assert got_status == status
    assert message in got["error"]["message"]


def test_backend_failures_are_server_errors():
    class Broken(Backend):
        def generate(self, prompts, params=None):
            raise RuntimeError("model fell over")

    with serving(Broken()) as url:
        status, body = post(url + "/completions", {"prompt": "a"})
    assert status == 500 and "model fell over" in body["error"]["message"]


def test_parse_request_maps_openai_fields():
    prompts, params = parse_request(
        {"prompt": "x", "max_tokens": 7, "temperature": 0.2, "stop": "\n", "n": 2, "seed": 1},
        "completions",
    )
    assert prompts == ["x"]
    assert params == SamplingParams(max_new_tokens=7, temperature=0.2, n=2, seed=1, stop=("\n",))
