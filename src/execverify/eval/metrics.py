"""Metrics: pass@k, means with standard errors, binary-classification scores, REval consistency.

Pure functions over plain numbers, so every benchmark aggregates the same way and the tests can
check them against hand-computed values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Metric:
    """One aggregate: its value (a fraction in [0, 1] for rates), standard error, sample count."""

    value: float
    stderr: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metric:
        return cls(value=float(data["value"]), stderr=data.get("stderr"), n=int(data["n"]))


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimator of pass@k from ``n`` samples of which ``c`` are correct (Chen et al.
    2021): ``1 - C(n-c, k) / C(n, k)``, computed as a product so large ``n`` stays exact.

    Like the official CRUXEval and HumanEval code, returns 1.0 whenever ``n - c < k`` (which
    includes ``n < k``: callers that want pass@k only where it is defined check ``k <= n``).
    """
    if n < 0 or c < 0 or c > n or k < 1:
        raise ValueError(f"pass_at_k needs 0 <= c <= n and k >= 1; got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def mean_stderr(values: Sequence[float]) -> Metric:
    """Mean with the standard error of the mean (sample standard deviation / sqrt(n)), the
    convention of lm-evaluation-harness; stderr is None below two values."""
    n = len(values)
    if n == 0:
        return Metric(value=float("nan"), stderr=None, n=0)
    mean = math.fsum(values) / n
    if n < 2:
        return Metric(value=mean, stderr=None, n=n)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return Metric(value=mean, stderr=math.sqrt(variance / n), n=n)


def pass_at_k_metric(correct_counts: Sequence[tuple[int, int]], k: int) -> Metric:
    """Mean pass@k over problems given ``(n, c)`` per problem, with its standard error."""
    return mean_stderr([pass_at_k(n, c, k) for n, c in correct_counts])


def binary_scores(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of yes/no answers (REval's coverage metrics).

    Precision or recall with an empty denominator is reported as 0.0 rather than raising as
    the reference code does, so a model that never answers "yes" still gets a report.
    """
    if len(predicted) != len(actual):
        raise ValueError(f"{len(predicted)} predictions for {len(actual)} labels")
    tp = sum(p and a for p, a in zip(predicted, actual))
    tn = sum(not p and not a for p, a in zip(predicted, actual))
    fp = sum(p and not a for p, a in zip(predicted, actual))
    fn = sum(not p and a for p, a in zip(predicted, actual))
    total = tp + tn + fp + fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": (tp + tn) / total if total else float("nan"),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def consistency_score(coverage: bool, state: bool, path: bool, output: bool) -> float:
    """REval's incremental consistency credit for one probe (Chen et al., ICSE 2025).

    The tasks form a chain (coverage -> state -> path -> output); a probe earns credit only
    for an unbroken prefix of correct answers: 1 for all four, 0.5 for the first three,
    0.25 for coverage and state, 0.125 for coverage alone, and 0 otherwise (a right answer
    after a wrong one earns nothing, since it cannot come from consistent reasoning).
    """
    if coverage and state and path and output:
        return 1.0
    if coverage and state and path:
        return 0.5
    if coverage and state and not path and not output:
        return 0.25
    if coverage and not state and not path and not output:
        return 0.125
    return 0.0
