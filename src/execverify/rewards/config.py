"""Reward settings: the method's defaults, and every knob the ablations turn.

One frozen dataclass, validated when it is made, so a bad weight fails at start-up with the rule
it broke, not as a silently wrong reward a thousand steps later.

It is the ``reward`` section of a recipe (``execverify.config``), so ``reward.output_only=true``
is one recipe line; the TRL rewards take it as an argument, verl as ``reward_kwargs`` and
OpenRLHF from the environment (see each adapter).

The combined white-box reward (docs/design.md, "The method") with the defaults::

    output wrong (gate on)          -> 0
    answer lines != questions       -> scale * mismatch_fraction        = 1.0  (no step credit)
    otherwise                       -> scale * (output_weight + step_weight * step_accuracy)
                                     = 2 * (0.5 + 0.5 * step_accuracy)  in [1.0, 2.0]

so every combined score lies in ``[0, scale * (output_weight + step_weight)]``; input prediction
scores ``0`` or ``input_reward``; code generation ``0``, or ``codegen_format_bonus`` plus the
fraction of tests passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any

from execverify.validation import require


def _require(ok: bool, name: str, value: object, rule: str) -> None:
    require(ok, "RewardConfig", name, value, rule)


@dataclass(frozen=True)
class RewardConfig:
    """How completions are scored.

    scale, output_weight, step_weight: combined reward ``scale * (output_weight * output_ok +
        step_weight * step_accuracy)``.
    gate_on_output: a wrong output answer scores 0 whatever the steps (the method's gate).
    mismatch_fraction: when the number of answer lines differs from the number of questions,
        the score is ``scale * mismatch_fraction`` if the output is right (else 0): the steps
        earn nothing, since lines cannot be matched to questions.
    output_only: the ablation baseline; only the output answer (the first line) counts and
        scores ``scale`` or 0.
    input_reward: the input-prediction score when ``f(answer)`` reproduces the output.
    codegen_format_bonus: added to the pass fraction when a program could be extracted and
        parses.
    max_completion_chars: longer completions are rejected unread (status ``too_long``).
    max_answer_chars: an answer line longer than this (or than four times the longest accepted
        answer, whichever is larger) is wrong without being parsed.
    max_answer_lines: an answer block with more lines is rejected (status ``too_many_lines``).
    max_literal_depth: bracket nesting allowed in a literal before ``ast`` sees it.
    input_timeout_s, input_memory_mb: sandbox limits for running ``f(answer)``.
    """

    scale: float = 2.0
    output_weight: float = 0.5
    step_weight: float = 0.5
    gate_on_output: bool = True
    mismatch_fraction: float = 0.5
    output_only: bool = False
    input_reward: float = 2.0
    codegen_format_bonus: float = 0.05
    max_completion_chars: int = 100_000
    max_answer_chars: int = 4_096
    max_answer_lines: int = 256
    max_literal_depth: int = 64
    input_timeout_s: float = 2.0
    input_memory_mb: int = 512

    def __post_init__(self) -> None:
        _require(self.scale > 0, "scale", self.scale, "> 0 (the best combined score is scale "
              "* (output_weight + step_weight))")
        for name in ("output_weight", "step_weight", "input_reward", "codegen_format_bonus"):
            value = getattr(self, name)
            _require(isinstance(value, (int, float)) and value >= 0, name, value,
                  ">= 0; use 0 to switch that part off")
        _require(self.output_weight + self.step_weight > 0, "output_weight + step_weight",
              self.output_weight + self.step_weight, "> 0, or nothing could ever be rewarded")
        _require(0 <= self.mismatch_fraction <= 1, "mismatch_fraction", self.mismatch_fraction,
              "in [0, 1] (0.5 is the method's half reward; 0 gives nothing on a mismatch)")
        for name in ("max_completion_chars", "max_answer_chars", "max_answer_lines",
                     "max_literal_depth", "input_memory_mb"):
            value = getattr(self, name)
            _require(isinstance(value, int) and not isinstance(value, bool) and value >= 1, name,
                  value, "a positive int")
        _require(self.input_memory_mb >= 64, "input_memory_mb", self.input_memory_mb,
              ">= 64 (the interpreter needs it)")
        _require(self.input_timeout_s > 0, "input_timeout_s", self.input_timeout_s,
              "a positive number of seconds")
        for name in ("gate_on_output", "output_only"):
            _require(isinstance(getattr(self, name), bool), name, getattr(self, name),
                  "True or False")

    @property
    def max_combined(self) -> float:
        """The best combined score (2.0 with the defaults)."""
        return self.scale * (self.output_weight + self.step_weight)

    @property
    def mismatch_score(self) -> float:
        return self.scale * self.mismatch_fraction



DEFAULT_CONFIG = RewardConfig()


def reward_config(values: Mapping[str, Any] | None, base: RewardConfig = DEFAULT_CONFIG
                  ) -> RewardConfig:
    """``base`` with the fields named in ``values`` changed (other keys are ignored: adapters
    receive their trainer's own keyword arguments too). How a reward section travels as
    keyword arguments or JSON: verl's ``reward_kwargs``, OpenRLHF's environment."""
    if not values:
        return base
    known = {k: v for k, v in values.items() if k in _FIELDS}
    if not known:
        return base
    return _cached(base, tuple(sorted(known.items(), key=lambda kv: kv[0])))


@lru_cache(maxsize=64)
def _cached(base: RewardConfig, items: tuple[tuple[str, Any], ...]) -> RewardConfig:
    from execverify.config import build_config

    return build_config(RewardConfig, {**asdict(base), **dict(items)})


def reward_fields(config: RewardConfig) -> dict[str, Any]:
    """The fields of ``config`` that differ from the defaults (what a trainer must be told)."""
    return {k: v for k, v in asdict(config).items() if v != getattr(DEFAULT_CONFIG, k)}


_FIELDS = frozenset(f.name for f in fields(RewardConfig))

