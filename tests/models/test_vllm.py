from __future__ import annotations

import importlib.util

import pytest

from execverify.models import BackendUnavailable, load_backend


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed")
def test_missing_vllm_says_how_to_install_it():
    with pytest.raises(BackendUnavailable, match=r"pip install 'execverify\[vllm\]'") as info:
        load_backend("vllm", "builtin")
    assert "the vllm backend needs the vllm package" in str(info.value)
    assert "transformers" in str(info.value)  # and what to use instead
    assert isinstance(info.value, ImportError)


def test_module_imports_without_vllm():
    from execverify.models import vllm_backend

    assert vllm_backend.VLLMBackend.name == "vllm"
