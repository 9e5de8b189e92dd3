import math
from itertools import combinations

import pytest

from execverify.eval.metrics import (
    binary_scores,
    consistency_score,
    mean_stderr,
    pass_at_k,
    pass_at_k_metric,
)


def brute_pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that a random k-subset of n samples (c correct) holds a correct one."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(combinations(range(n), k))
    return sum(any(samples[i] for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize(("n", "c", "k"), [(5, 0, 1), (5, 1, 1), (5, 2, 3), (10, 3, 5),
                                           (7, 7, 2), (6, 1, 6), (12, 5, 4)])
def test_pass_at_k_matches_brute_force(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(brute_pass_at_k(n, c, k))


def test_pass_at_k_official_quirk_when_fewer_samples_than_k():
    # CRUXEval/HumanEval return 1.0 whenever n - c < k, even for n < k with no correct sample.
    assert pass_at_k(1, 0, 5) == 1.0
    assert pass_at_k(1, 0, 1) == 0.0


def test_pass_at_k_rejects_impossible_counts():
    with pytest.raises(ValueError, match="0 <= c <= n"):
        pass_at_k(3, 4, 1)


def test_mean_stderr_is_sample_std_over_sqrt_n():
    m = mean_stderr([1.0, 0.0, 1.0, 1.0])
    assert m.value == 0.75 and m.n == 4
    assert m.stderr == pytest.approx(math.sqrt(0.25 / 4))
    assert mean_stderr([1.0]).stderr is None
    assert math.isnan(mean_stderr([]).value)


def test_pass_at_k_metric_averages_problems():
    m = pass_at_k_metric([(2, 1), (2, 0), (2, 2)], 1)
    assert m.value == pytest.approx(0.5) and m.n == 3


def test_binary_scores():
    scores = binary_scores([True, True, False, False], [True, False, True, False])
    assert scores == {"accuracy": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert binary_scores([False], [True])["precision"] == 0.0


@pytest.mark.parametrize(("flags", "credit"), [
    ((1, 1, 1, 1), 1.0),
    ((1, 1, 1, 0), 0.5),
    ((1, 1, 0, 0), 0.25),
    ((1, 0, 0, 0), 0.125),
    ((0, 1, 1, 1), 0.0),   # a chain broken at coverage earns nothing
    ((1, 0, 1, 1), 0.0),   # right answers after a wrong one are not consistent
    ((1, 1, 0, 1), 0.0),
    ((0, 0, 0, 0), 0.0),
])
def test_consistency_credit_follows_reval(flags, credit):
    assert consistency_score(*map(bool, flags)) == credit
