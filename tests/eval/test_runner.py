"""Runs end to end: generation with a backend, the resumable cache, results on disk."""

import importlib.util
import json
from collections.abc import Sequence

import pytest

from execverify.eval.cruxeval import CRUXEvalOutput
from execverify.eval.generation import GenerationCache, cache_key, generate_cached
from execverify.eval.runner import RunConfig, as_prompt, evaluate
from execverify.eval.schema import load_results
from execverify.models.base import Backend, Prompt, SamplingParams


class AnswerKey(Backend):
    """A "model" that knows CRUXEval-O's answers (right for even samples, wrong for odd), and
    counts how many prompts it was asked: the cache tests need to see it is not asked again."""

    name = "answer-key"

    def __init__(self) -> None:
        self.asked = 0
        rows = CRUXEvalOutput().samples()
        self.answers = {s.reference["input"]: (i, s.reference["output"]) for i, s in enumerate(rows)}

    def generate(self, prompts: Sequence[Prompt], params: SamplingParams | None = None
                 ) -> list[list[str]]:
        self.asked += len(prompts)
        out = []
        for prompt in prompts:
            text = prompt[-1]["content"] if isinstance(prompt, list) else prompt
            call = text.rsplit("assert f(", 1)[1].rsplit(") == ??", 1)[0]
            index, gold = self.answers[call]
            answer = gold if index % 2 == 0 else f"[{gold}]"
            out.append([f"assert f({call}) == {answer}\n"] * params.n)
        return out


def test_config_validation_states_the_rule():
    with pytest.raises(ValueError, match="prompt_format must be one of"):
        RunConfig(model="m", prompt_format="xml")
    with pytest.raises(ValueError, match="temperature"):
        RunConfig(model="m", temperature=-1)
    with pytest.raises(ValueError, match="batch_size"):
        RunConfig(model="m", batch_size=0)


def test_chat_and_raw_prompts():
    sample = CRUXEvalOutput(limit=1).samples()[0]
    assert as_prompt(sample, "raw") == sample.prompt
    assert as_prompt(sample, "chat") == [{"role": "user", "content": sample.prompt}]


def test_evaluate_writes_results_and_resumes_from_cache(tmp_path):
    backend = AnswerKey()
    config = RunConfig(model="answer-key", backend="answer-key", out_dir=tmp_path, batch_size=3,
                       progress=False)
    doc = evaluate([CRUXEvalOutput(limit=10)], config, backend=backend)
    assert backend.asked == 10
    result = doc["benchmarks"][0]
    assert result["aggregates"]["accuracy"]["value"] == 0.5
    assert result["decoding"]["stop"] == ["[/ANSWER]"] and result["decoding"]["temperature"] == 0
    assert load_results(tmp_path / "results.json")["benchmarks"][0]["n_samples"] == 10
    assert (tmp_path / "summary.md").read_text().count("cruxeval-o") >= 2
    if importlib.util.find_spec("matplotlib"):
        assert (tmp_path / "plots" / "accuracy_by_benchmark.png").stat().st_size > 1000
    lines = (tmp_path / "generations.jsonl").read_text().splitlines()
    assert len(lines) == 10

    again = evaluate([CRUXEvalOutput(limit=12)], config, backend=backend)
    assert backend.asked == 12  # only the two new prompts were generated
    assert again["benchmarks"][0]["samples"][0] == result["samples"][0]


def test_torn_cache_line_is_regenerated(tmp_path):
    params = SamplingParams(max_new_tokens=8)
    backend = AnswerKey()
    samples = CRUXEvalOutput(limit=3).samples()
    prompts = [as_prompt(s, "chat") for s in samples]
    path = tmp_path / "generations.jsonl"
    generate_cached(backend, prompts, params, GenerationCache(path), model="m",
                    backend_name="b", ids=[s.id for s in samples], batch_size=2)
    text = path.read_text()
    path.write_text(text[: len(text) - 20])  # the kill landed in the middle of the last line
    cache = GenerationCache(path)
    assert len(cache.entries) == 2
    out = generate_cached(backend, prompts, params, cache, model="m", backend_name="b",
                          ids=[s.id for s in samples], batch_size=2)
    assert backend.asked == 4 and all(len(o) == 1 for o in out)


def test_cache_key_covers_decoding_and_model():
    prompt = [{"role": "user", "content": "x"}]
    base = cache_key("m", "b", SamplingParams(), prompt)
    assert base != cache_key("m", "b", SamplingParams(temperature=0.5), prompt)
    assert base != cache_key("m2", "b", SamplingParams(), prompt)
    assert base == cache_key("m", "b", SamplingParams(), json.loads(json.dumps(prompt)))


def test_pass_at_k_with_several_samples(tmp_path):
    config = RunConfig(model="answer-key", n=5, temperature=0.8, seed=1, progress=False)
    doc = evaluate([CRUXEvalOutput(limit=4)], config, backend=AnswerKey())
    aggregates = doc["benchmarks"][0]["aggregates"]
    assert aggregates["pass@5"]["value"] == 0.5 and "pass@10" not in aggregates


@pytest.mark.slow
def test_builtin_model_end_to_end(tmp_path):
    """The real built-in model on CPU, two CRUXEval-O prompts, short answers."""
    pytest.importorskip("transformers")
    from execverify.models import BackendUnavailable

    config = RunConfig(model="builtin", max_new_tokens=24, out_dir=tmp_path, progress=False)
    try:
        doc = evaluate([CRUXEvalOutput(limit=2)], config)
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    samples = doc["benchmarks"][0]["samples"]
    assert len(samples) == 2 and all(len(s["details"]["completions"]) == 1 for s in samples)
