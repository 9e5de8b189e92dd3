"""The method's difficulty filter: drop programs a reference model already finds easy.

A model answers each record's output question ``k`` times (sampled); a record it gets right
more than ``t`` times is dropped as too easy (the method's defaults: k=10, t=3). Works with
any backend from ``execverify.models``; answers are scored by ``execverify.rewards``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from execverify.data.records import Record
from execverify.models import Backend, SamplingParams
from execverify.tasks import as_chat, get_task


@dataclass(frozen=True)
class DifficultyFilter:
    """``k`` samples per output question; keep records solved at most ``t`` times."""

    backend: Backend
    k: int = 10
    t: int = 3
    temperature: float = 0.7
    max_new_tokens: int = 512
    seed: int = 0

    def __post_init__(self) -> None:
        if self.k < 1 or not 0 <= self.t <= self.k:
            raise ValueError(
                f"DifficultyFilter needs k >= 1 and 0 <= t <= k; got k={self.k}, t={self.t}"
            )

    def solved(self, records: Sequence[Record]) -> list[int]:
        """How many of the ``k`` sampled answers to each record's output question are right."""
        task = get_task("output")
        prompts = [as_chat(task.prompt(r) or "") for r in records]
        params = SamplingParams(max_new_tokens=self.max_new_tokens, temperature=self.temperature,
                                n=self.k, seed=self.seed)
        samples = self.backend.generate(prompts, params) if prompts else []
        flat = [(i, text) for i, texts in enumerate(samples) for text in texts]
        results = task.score([text for _, text in flat], [records[i] for i, _ in flat])
        solved = [0] * len(records)
        for (i, _), result in zip(flat, results):
            solved[i] += task.correct(result)
        return solved

    def keep(self, records: Sequence[Record]) -> list[bool]:
        return [count <= self.t for count in self.solved(records)]
