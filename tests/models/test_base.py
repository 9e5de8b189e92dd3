from __future__ import annotations

import pytest

from execverify.models import (
    BACKENDS,
    Backend,
    SamplingParams,
    available_backends,
    load_backend,
    register_backend,
)
from execverify.models.base import as_messages, cut_at_stop, is_chat


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
        ({"n": 0}, "n"),
        ({"seed": -1}, "seed"),
        ({"stop": ["ok", ""]}, "stop"),
    ],
)
def test_sampling_params_reject_bad_values_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"SamplingParams\.{field} must be"):
        SamplingParams(**kwargs)


def test_sampling_params_normalise_stop_and_greedy():
    assert SamplingParams(stop="\n").stop == ("\n",)
    assert SamplingParams(stop=["a", "b"]).stop == ("a", "b")
    assert SamplingParams().greedy
    assert not SamplingParams(temperature=0.7).greedy


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("abc\ndef", ["\n"], "abc"),
        ("abc\ndef", [], "abc\ndef"),
        ("x = 1</answer>more\n", ["\n", "</answer>"], "x = 1"),
        ("no stop here", ["###"], "no stop here"),
        ("###", ["###"], ""),
    ],
)
def test_cut_at_stop_cuts_before_the_earliest_stop(text, stop, expected):
    assert cut_at_stop(text, stop) == expected


def test_prompt_kinds():
    chat = [{"role": "user", "content": "hi"}]
    assert is_chat(chat) and not is_chat("hi")
    assert as_messages("hi") == chat
    with pytest.raises(ValueError, match="at least one message"):
        is_chat([])
    with pytest.raises(TypeError, match="a prompt must be"):
        is_chat([{"role": "user"}])
    with pytest.raises(TypeError, match="a prompt must be"):
        is_chat(42)


class Echo(Backend):
    """An outsider's backend: echoes each prompt n times."""

    name = "echo"

    def __init__(self, model, suffix=""):
        self.suffix = suffix

    def generate(self, prompts, params=None):
        params = params or SamplingParams()
        return [[f"{p}{self.suffix}"] * params.n for p in prompts]


def test_registry_builds_builtin_and_registered_backends(monkeypatch):
    monkeypatch.setattr("execverify.models.registry.BACKENDS", dict(BACKENDS))
    assert {"transformers", "vllm", "openai"} <= set(available_backends())
    register_backend("echo", Echo)
    backend = load_backend("echo", "any-model", suffix="!")
    assert backend.generate(["a", "b"], SamplingParams(n=2)) == [["a!", "a!"], ["b!", "b!"]]
    assert backend.complete("c") == "c!"
    with pytest.raises(ValueError, match="already registered"):
        register_backend("echo", Echo)
    register_backend("echo", Echo, replace=True)


def test_load_backend_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown backend 'nope'; choose one of \["):
        load_backend("nope", "m")


def test_importing_models_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, execverify.models; print('torch' in sys.modules, 'vllm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
