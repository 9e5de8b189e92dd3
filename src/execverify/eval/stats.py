"""Paired comparisons of two models on the same questions: a cluster bootstrap interval for the
difference in accuracy, and McNemar's exact test on the questions they disagree on.

Two models asked the same questions agree on most of them, so comparing their accuracies as if
they were independent samples (``report.z_value``) overstates the noise; pairing each question
with itself removes it. Questions of one program are correlated, so the bootstrap resamples
whole clusters (a program and all its questions, every seed's answer to them), not single
questions: its interval is the honest one when a program contributes several questions.

McNemar's test looks only at the discordant questions (right in one model, wrong in the other):
under "no difference" each is equally likely to go either way, so the exact two-sided p-value
is a binomial tail. Both are standard; neither needs scipy.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

BEYOND = "beyond noise"
WITHIN = "within noise"


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap interval (``low`` .. ``high`` at ``confidence``)."""

    value: float
    low: float
    high: float
    n: int
    clusters: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PairedComparison:
    """``b - a`` over the items both answered (accuracy difference, as a fraction)."""

    difference: Interval
    gained: int
    """Items ``b`` got right and ``a`` wrong."""
    lost: int
    """Items ``a`` got right and ``b`` wrong."""
    p_value: float
    """McNemar's exact two-sided p-value."""
    alpha: float = 0.05
    """One minus the interval's confidence: the p-value McNemar's test must stay under."""

    @property
    def verdict(self) -> str:
        """Beyond noise when the bootstrap interval leaves out zero *and* McNemar's test
        rejects "no difference" at ``alpha``. Either alone can mislead on few discordant
        questions in few clusters: 3 gained and 0 lost over 5 clusters gives a percentile
        interval above zero (no resample can go below), while McNemar's p is 0.25."""
        d = self.difference
        return BEYOND if (d.low > 0 or d.high < 0) and self.p_value < self.alpha else WITHIN

    def to_dict(self) -> dict[str, Any]:
        return {**self.difference.to_dict(), "gained": self.gained, "lost": self.lost,
                "p_value": self.p_value, "verdict": self.verdict}


def mcnemar_exact(gained: int, lost: int) -> float:
    """Two-sided exact McNemar p-value: twice the smaller binomial(gained + lost, 1/2) tail,
    capped at 1; 1.0 when the models never disagree."""
    if gained < 0 or lost < 0:
        raise ValueError(f"counts must be >= 0; got {gained}, {lost}")
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / 2**n
    return min(1.0, 2 * tail)


def bootstrap_mean(values: Mapping[Hashable, list[float]], *, samples: int = 10_000,
                   confidence: float = 0.95, seed: int = 0) -> Interval:
    """The mean of every value, and its percentile interval from resampling the clusters
    (the mapping's keys) with replacement ``samples`` times; seeded, so reproducible."""
    import numpy as np

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence}")
    if samples < 1:
        raise ValueError(f"samples must be >= 1; got {samples}")
    groups = [v for v in values.values() if v]
    if not groups:
        raise ValueError("nothing to bootstrap: no values")
    sums = np.array([sum(g) for g in groups], dtype=float)
    counts = np.array([len(g) for g in groups], dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(groups), size=(samples, len(groups)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(value=float(sums.sum() / counts.sum()), low=float(low), high=float(high),
                    n=int(counts.sum()), clusters=len(groups))


def by_cluster(values: Mapping[Hashable, float], cluster: Mapping[Hashable, Hashable] | None
               ) -> dict[Hashable, list[float]]:
    """The values grouped by ``cluster[item]`` (each item its own cluster when None), in the
    items' order: what ``bootstrap_mean`` resamples."""
    out: dict[Hashable, list[float]] = defaultdict(list)
    for item, value in values.items():
        out[item if cluster is None else cluster[item]].append(value)
    return dict(out)


def paired_comparison(a: Mapping[Hashable, bool], b: Mapping[Hashable, bool],
                      cluster: Mapping[Hashable, Hashable] | None = None, *,
                      samples: int = 10_000, confidence: float = 0.95, seed: int = 0
                      ) -> PairedComparison | None:
    """``b - a`` over the items in both (item -> right?), resampling ``cluster[item]`` (each
    item its own cluster when None); None when they share no item."""
    shared = sorted(a.keys() & b.keys(), key=repr)
    if not shared:
        return None
    diffs = by_cluster({item: float(b[item]) - float(a[item]) for item in shared}, cluster)
    gained = sum(b[i] and not a[i] for i in shared)
    lost = sum(a[i] and not b[i] for i in shared)
    interval = bootstrap_mean(diffs, samples=samples, confidence=confidence, seed=seed)
    return PairedComparison(interval, gained, lost, mcnemar_exact(gained, lost), 1 - confidence)
