"""What a benchmark is: samples with prompts, a way to pull an answer out of a completion, a
scorer, and the aggregates it reports.

Every benchmark (CRUXEval, REval, HumanEval, our synthetic split, one an outsider registers)
implements this one interface, so the runner, the results schema, the report and the CLI never
need to know which benchmark they handle.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.eval.metrics import Metric, mean_stderr, pass_at_k_metric

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox


class BenchmarkDataError(RuntimeError):
    """A benchmark's data could not be found or read; the message says what to pass instead."""


@dataclass(frozen=True)
class Sample:
    """One item to answer.

    ``prompt`` is the text the model completes (the runner wraps it in a chat message for chat
    models, with ``system`` as the system message); ``reference`` holds what the scorer needs
    (gold answers, code, tests); ``group`` holds the keys results are broken down by
    (``level``, ``kind``, ``difficulty``, ``task``...).
    """

    id: str
    prompt: str
    reference: dict[str, Any]
    group: dict[str, Any] = field(default_factory=dict)
    system: str | None = None


@dataclass
class Verdict:
    """How one sample's answers scored: one entry per generation in each list."""

    id: str
    passed: list[bool]
    answers: list[str]
    statuses: list[str]
    group: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (len(self.passed) == len(self.answers) == len(self.statuses)):
            raise ValueError(
                f"Verdict {self.id!r}: passed, answers and statuses must have one entry per "
                f"generation; got {len(self.passed)}, {len(self.answers)}, {len(self.statuses)}"
            )

    @property
    def score(self) -> float:
        """Fraction of this sample's generations that passed (its pass@1 estimate)."""
        return sum(self.passed) / len(self.passed) if self.passed else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "passed": list(self.passed),
            "answers": list(self.answers),
            "statuses": list(self.statuses),
            "group": dict(self.group),
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            id=data["id"],
            passed=[bool(p) for p in data["passed"]],
            answers=list(data["answers"]),
            statuses=list(data["statuses"]),
            group=dict(data.get("group") or {}),
            details=dict(data.get("details") or {}),
        )


class Benchmark(ABC):
    """A benchmark: subclass, set the class attributes, implement ``load`` and ``score``.

    ``source`` is a local file or folder, or a Hugging Face dataset id; None means the data
    shipped with execverify where there is some, else ``hub_id``. ``limit`` keeps the first N
    samples (a stated subset, recorded in the results).
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    hub_id: ClassVar[str | None] = None
    headline: ClassVar[str] = "accuracy"
    """The aggregate the summary table shows for this benchmark."""
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct",)
    stop: ClassVar[tuple[str, ...]] = ()
    max_new_tokens: ClassVar[int] = 512
    group_keys: ClassVar[tuple[str, ...]] = ()
    """``group`` keys to break accuracy down by in the results and plots."""
    preload: ClassVar[tuple[str, ...]] = ()
    """Modules the scoring sandbox must pre-import for this benchmark's programs."""

    def __init__(
        self, source: str | None = None, *, prompt_style: str = "direct", limit: int | None = None
    ) -> None:
        if prompt_style not in self.prompt_styles:
            raise ValueError(
                f"{self.name}: prompt_style must be one of {self.prompt_styles}; got "
                f"{prompt_style!r}"
            )
        if limit is not None and limit < 1:
            raise ValueError(f"{self.name}: limit must be None or >= 1; got {limit}")
        self.source = source
        self.prompt_style = prompt_style
        self.limit = limit
        self._samples: list[Sample] | None = None

    # -- data ------------------------------------------------------------------------------
    @abstractmethod
    def load(self) -> list[Sample]:
        """Every sample of the benchmark, in its canonical order."""

    def samples(self) -> list[Sample]:
        """The samples this run uses (the first ``limit`` of ``load()``), loaded once."""
        if self._samples is None:
            loaded = self.load()
            self._samples = loaded[: self.limit] if self.limit else loaded
        return self._samples

    def restrict(self, ids: set[str]) -> list[Sample]:
        """Keep only the samples with these ids (scoring a partial generations file), so the
        data hash and the results describe exactly what was scored."""
        self._samples = [s for s in self.samples() if s.id in ids]
        return self._samples

    def data_hash(self) -> str:
        """sha256 over the samples' ids, prompts and references: two runs with the same hash
        were scored on the same data."""
        digest = hashlib.sha256()
        for s in self.samples():
            row = {"id": s.id, "prompt": s.prompt, "reference": s.reference, "system": s.system}
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
            digest.update(b"\n")
        return "sha256:" + digest.hexdigest()

    def describe(self) -> dict[str, Any]:
        """What the results record about this benchmark's configuration."""
        return {
            "name": self.name,
            "source": self.source or self.hub_id,
            "prompt_style": self.prompt_style,
            "limit": self.limit,
        }

    # -- generation, answers and scoring ---------------------------------------------------
    def max_tokens(self) -> int:
        """How many new tokens a completion may use (chain-of-thought styles need more)."""
        return self.max_new_tokens

    def stop_strings(self) -> tuple[str, ...]:
        """Strings that end a completion (the official harnesses' stop words)."""
        return self.stop

    def extract(self, completion: str) -> str:
        """The answer inside a raw model completion (default: the completion itself)."""
        return completion

    @abstractmethod
    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        """Score ``answers[i]`` (extracted answers, one per generation) for ``samples[i]``."""

    def aggregate(self, verdicts: Sequence[Verdict]) -> dict[str, Metric]:
        """``accuracy`` (mean per-sample pass rate, i.e. pass@1) and pass@k for every
        k in (5, 10, 100) that the generations per sample allow."""
        out = {"accuracy": mean_stderr([v.score for v in verdicts])}
        counts = [(len(v.passed), sum(v.passed)) for v in verdicts]
        n_min = min((n for n, _ in counts), default=0)
        for k in (1, 5, 10, 100):
            if k <= n_min:
                out[f"pass@{k}"] = pass_at_k_metric(counts, k)
        return out

    def breakdown(self, verdicts: Sequence[Verdict]) -> dict[str, dict[str, Metric]]:
        """Accuracy per value of each group key: ``{"level": {"3": Metric, ...}, ...}``."""
        out: dict[str, dict[str, Metric]] = {}
        for key in self.group_keys:
            buckets: dict[str, list[float]] = defaultdict(list)
            for v in verdicts:
                if key in v.group:
                    buckets[str(v.group[key])].append(v.score)
            if buckets:
                out[key] = {value: mean_stderr(scores) for value, scores in sorted(
                    buckets.items(), key=lambda kv: _natural(kv[0]))}
        return out


def _natural(text: str) -> tuple[int, Any]:
    """Sort "2" before "10", numbers before words."""
    return (0, int(text)) if text.lstrip("-").isdigit() else (1, text)
