"""Paired statistics against cases computed by hand."""

from __future__ import annotations

import math

import pytest

from execverify.eval.stats import (
    BEYOND,
    WITHIN,
    bootstrap_mean,
    mcnemar_exact,
    paired_comparison,
)


@pytest.mark.parametrize(("gained", "lost", "p"), [
    (10, 2, 158 / 4096),   # 2 * (C(12,0) + C(12,1) + C(12,2)) / 2**12 = 2 * 79 / 4096
    (2, 10, 158 / 4096),   # two-sided: symmetric
    (0, 6, 2 / 64),        # 2 * C(6,0) / 2**6
    (5, 5, 1.0),           # 2 * 638 / 1024 > 1: capped
    (0, 0, 1.0),           # no disagreement: no evidence either way
    (1, 0, 1.0),           # 2 * 1/2
])
def test_mcnemar_exact_matches_the_binomial_tail(gained, lost, p):
    assert mcnemar_exact(gained, lost) == pytest.approx(p, abs=1e-12)


def test_mcnemar_rejects_negative_counts():
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 3)


def test_bootstrap_interval_of_an_enumerable_case():
    """Three clusters with differences 1, 0, 0: a resample's mean is k/3 with k ~ Bin(3, 1/3),
    so P(0) = 8/27 (above 2.5%) and P(1) = 1/27 = 3.7% (above 2.5%): the 95% interval is
    exactly [0, 1] around the mean 1/3."""
    got = bootstrap_mean({"a": [1.0], "b": [0.0], "c": [0.0]}, samples=20_000, seed=3)
    assert got.value == pytest.approx(1 / 3)
    assert (got.low, got.high) == (0.0, 1.0)
    assert (got.n, got.clusters) == (3, 3)


def test_bootstrap_interval_matches_the_normal_one_for_many_items():
    """200 paired items: 30 gained (+1), 10 lost (-1), 160 ties. Mean 0.1, variance
    0.2 - 0.01 = 0.19, standard error sqrt(0.19 / 200) = 0.0308: the 95% interval is
    0.1 +- 1.96 * 0.0308 = [0.0396, 0.1604], which the percentile bootstrap approaches."""
    values = {i: [1.0] for i in range(30)} | {i: [-1.0] for i in range(30, 40)} | {
        i: [0.0] for i in range(40, 200)}
    got = bootstrap_mean(values, samples=20_000, seed=0)
    half = 1.96 * math.sqrt(0.19 / 200)
    assert got.value == pytest.approx(0.1)
    assert got.low == pytest.approx(0.1 - half, abs=0.006)
    assert got.high == pytest.approx(0.1 + half, abs=0.006)


def test_clusters_widen_the_interval_as_they_should():
    """20 programs of 10 questions, each program all right or all wrong (10 and 10): the
    clustered interval is that of 20 items (half-width 1.96 * sqrt(0.25 / 20) = 0.219), not
    of 200 (0.069)."""
    values = {p: [float(p < 10)] * 10 for p in range(20)}
    got = bootstrap_mean(values, samples=20_000, seed=0)
    assert got.value == pytest.approx(0.5)
    assert (got.high - got.low) / 2 == pytest.approx(1.96 * math.sqrt(0.25 / 20), abs=0.03)


def test_bootstrap_is_reproducible_and_checks_its_arguments():
    values = {i: [float(i % 3 == 0)] for i in range(50)}
    assert bootstrap_mean(values, seed=7) == bootstrap_mean(values, seed=7)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_mean(values, confidence=1.5)
    with pytest.raises(ValueError, match="nothing"):
        bootstrap_mean({})


def test_paired_comparison_counts_pairs_and_gives_the_verdict():
    a = {i: i < 100 for i in range(200)}                   # right on the first 100
    b = {i: i < 100 or i >= 160 for i in range(200)}       # also right on the last 40
    found = paired_comparison(a, b, samples=5_000)
    assert (found.gained, found.lost) == (40, 0)
    assert found.difference.value == pytest.approx(0.2)
    assert found.p_value == pytest.approx(2 / 2**40)
    assert found.verdict == BEYOND
    same = paired_comparison(a, a, samples=1_000)
    assert (same.difference.low, same.difference.high, same.verdict) == (0.0, 0.0, WITHIN)
    assert paired_comparison({1: True}, {2: True}) is None


def test_paired_comparison_uses_only_shared_items_and_given_clusters():
    a = {("s0", "p1", 0): False, ("s0", "p1", 1): False, ("s1", "p2", 0): True, "only-a": True}
    b = {("s0", "p1", 0): True, ("s0", "p1", 1): True, ("s1", "p2", 0): True}
    cluster = {k: k[1] for k in b}
    found = paired_comparison(a, b, cluster, samples=2_000)
    assert found.difference.n == 3 and found.difference.clusters == 2
    assert found.difference.value == pytest.approx(2 / 3)


def test_few_discordant_questions_in_few_clusters_stay_within_noise():
    """3 gained, 0 lost, in 3 of 5 clusters (the study's first REval run had this): no
    resample goes below zero and only (2/5)**5 = 1% of them are all zero, so the 95% interval
    leaves out 0; but McNemar's p = 2 * (1/2)**3 = 0.25: within noise."""
    a = {(c, q): False for c in range(5) for q in range(4)}
    b = {**a, (0, 0): True, (1, 0): True, (2, 0): True}
    found = paired_comparison(a, b, {k: k[0] for k in a}, samples=5_000)
    assert found.p_value == pytest.approx(0.25)
    assert found.difference.low > 0  # the interval alone would call it beyond noise
    assert found.verdict == WITHIN
