"""The difficulty filter keeps what the reference model fails on and drops what it solves."""

import re

import pytest

from execverify.models import Backend, register_backend
from execverify.sandbox import default_sandbox
from execverify.synth.pipeline import SynthConfig, synthesize


class _Oracle(Backend):
    """Answers every output question right: it runs the call from the prompt in the sandbox."""

    def generate(self, prompts, params):
        out = []
        for messages in prompts:
            text = messages[-1]["content"]
            code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
            entry, args = re.search(r"assert (\w+)\((.*)\) == \?\?", text).groups()
            value = default_sandbox().call(code, entry, args).value
            out.append([f"<reasoning>ran it</reasoning><answer>{value}</answer>"] * params.n)
        return out


class _Clueless(Backend):
    def generate(self, prompts, params):
        return [["<answer>'no idea'</answer>"] * params.n for _ in prompts]


@pytest.fixture(scope="module", autouse=True)
def backends():
    register_backend("oracle-test", lambda model, **kw: _Oracle())
    register_backend("clueless-test", lambda model, **kw: _Clueless())


def _config(backend: str) -> SynthConfig:
    return SynthConfig(levels=(1,), num=3, batch_size=4, difficulty_model="x",
                       difficulty_backend=backend, difficulty_k=2, difficulty_t=1,
                       max_candidates_per_record=3)


def test_programs_the_model_solves_are_dropped(tmp_path):
    manifest = synthesize(_config("oracle-test"), tmp_path / "easy")
    rejected = manifest["rejected_per_level"]["1"]
    assert manifest["num_records"] == 0
    assert rejected["too_easy"] >= 3 and rejected["budget_exhausted"] == 3


def test_programs_the_model_fails_are_kept(tmp_path):
    manifest = synthesize(_config("clueless-test"), tmp_path / "hard")
    assert manifest["num_records"] == 3
    assert "too_easy" not in manifest["rejected_per_level"]["1"]


def test_difficulty_settings_are_validated():
    with pytest.raises(ValueError, match="difficulty_t"):
        SynthConfig(difficulty_k=3, difficulty_t=4)
