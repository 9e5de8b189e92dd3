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
from execverify.rewards.score import score_question
from execverify.tasks.prompts import as_chat, render_single


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
        questions = [r.questions_of("output")[0] for r in records]
        prompts = [as_chat(render_single(r, q)) for r, q in zip(records, questions)]
        params = SamplingParams(max_new_tokens=self.max_new_tokens, temperature=self.temperature,
                                n=self.k, seed=self.seed)
        samples = self.backend.generate(prompts, params) if prompts else []
        return [
            sum(score_question(text, record, question).score == 1.0 for text in texts)
            for record, question, texts in zip(records, questions, samples)
        ]

    def keep(self, records: Sequence[Record]) -> list[bool]:
        return [count <= self.t for count in self.solved(records)]
