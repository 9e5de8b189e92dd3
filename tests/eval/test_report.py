import pytest

from execverify.eval.report import compare_markdown, fmt, summary_markdown, write_plots


def bench(name, value, stderr=0.05, data="sha256:aa", breakdown=None):
    return {"name": name, "config": {"name": name, "source": None}, "data_hash": data,
            "n_samples": 40, "decoding": {"temperature": 0.0, "top_p": 1.0, "n": 1,
                                          "max_new_tokens": 64},
            "headline": "accuracy",
            "aggregates": {"accuracy": {"value": value, "stderr": stderr, "n": 40},
                           "reward": {"value": 1.2, "stderr": None, "n": 40}},
            "breakdown": breakdown or {}, "status_counts": {"pass": 10, "fail": 30},
            "samples": []}


def doc(model, benches):
    return {"schema": "execverify.eval/1", "created": "now", "model": {"name": model},
            "code": {"execverify": "0.1.0", "git_commit": "abc", "git_dirty": False},
            "benchmarks": benches}


BY_LEVEL = {"level": {"1": {"value": 0.5, "stderr": 0.1, "n": 4},
                      "2": {"value": 0.25, "stderr": 0.1, "n": 4}},
            "kind": {"state": {"value": 0.3, "stderr": None, "n": 9}}}


def test_formatting_rates_and_plain_numbers():
    assert fmt("accuracy", {"value": 0.4567, "stderr": 0.0123}) == "45.7 ± 1.2"
    assert fmt("reward", {"value": 1.5, "stderr": None}) == "1.500"
    assert fmt("accuracy", None) == "-"


def test_summary_lists_every_benchmark_and_breakdown():
    text = summary_markdown(doc("m", [bench("cruxeval-o", 0.25), bench("synthetic", 0.5,
                                                                       breakdown=BY_LEVEL)]))
    assert "| cruxeval-o | 40 | accuracy | 25.0 ± 5.0 |" in text
    assert "### by level" in text and "| 2 | 25.0 ± 10.0 | 4 |" in text
    assert "### by kind" in text


def test_compare_flags_different_data_and_missing_benchmarks():
    a = doc("base", [bench("cruxeval-o", 0.25), bench("reval", 0.1)])
    b = doc("trained", [bench("cruxeval-o", 0.45, data="sha256:bb"), bench("mbpp", 0.3)])
    text = compare_markdown(a, b)
    assert "| cruxeval-o | accuracy | 25.0 ± 5.0 | 45.0 ± 5.0 | +20.0 | +2.8 |" in text
    assert "different data" in text
    assert "reval: only in A" in text and "mbpp: only in B" in text


def test_plots_by_benchmark_and_breakdown(tmp_path):
    pytest.importorskip("matplotlib")
    paths = write_plots(doc("m", [bench("synthetic", 0.5, breakdown=BY_LEVEL)]), tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["accuracy_by_benchmark.png", "synthetic_by_kind.png",
                     "synthetic_by_level.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
