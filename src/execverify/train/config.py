"""Training configs: one validated dataclass per stage, loaded from a YAML recipe plus overrides.

A recipe (``configs/NAME.yaml``) has one section per stage::

    sft:
      model: builtin
      data: runs/demo/data
      max_steps: 30
    stage1:
      num_generations: 4

and the command line can change any field with ``key=value`` (``max_steps=5``, or with the
section named, ``stage1.learning_rate=2e-6``). Values are read as YAML scalars, so ``1e-6``,
``true`` and ``[1, 2]`` mean what they look like. A wrong name or value fails at load time with
the field, the value and the fix, not in the middle of a run.

Defaults follow the method (DESIGN.md section 1): GRPO with groups of 8 rollouts, no KL term
(``beta=0``), a constant learning rate of 1e-6, and advantages normalised by the group's
standard deviation (TRL ``scale_rewards="group"``). The CPU recipe scales these down.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

LEVELS = (1, 2, 3, 4, 5, 6)
SCHEDULERS = ("constant", "constant_with_warmup", "linear", "cosine")
SCALE_REWARDS = ("group", "batch", "none")
LOSS_TYPES = ("grpo", "dapo", "dr_grpo", "bnpo")
SFT_ROUTES = ("trace",)


class ConfigError(ValueError):
    """A config value that breaks a rule; the message names the field, the value and the fix."""


def _fail(cls: str, name: str, value: Any, rule: str) -> None:
    raise ConfigError(f"{cls}.{name} {rule}; got {value!r}.")


def _positive(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            _fail(type(obj).__name__, name, value, "must be an integer >= 1; set it to 1 or more")


def _positive_float(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            _fail(type(obj).__name__, name, value, "must be a number > 0")


def _one_of(obj: Any, name: str, allowed: Sequence[str]) -> None:
    value = getattr(obj, name)
    if value not in allowed:
        _fail(type(obj).__name__, name, value, f"must be one of {list(allowed)}")


def _levels(obj: Any) -> None:
    levels = obj.levels
    if not levels or any(lv not in LEVELS for lv in levels):
        _fail(type(obj).__name__, "levels", levels,
              "must be a non-empty list of difficulty levels from 1 to 6 (e.g. [1, 2])")
    object.__setattr__(obj, "levels", tuple(levels))


@dataclass(frozen=True)
class SFTConfig:
    """The SFT warm-up: teach the answer format and the easy levels before GRPO.

    ``route`` is where the reasoning text comes from: ``trace`` renders each record's recorded
    execution (``execverify.train.reasoning``), keeping only texts our reward scores full.
    ``lora_r`` 0 trains every weight; above 0 trains a LoRA adapter of that rank (peft).
    """

    model: str = "builtin"
    data: str = ""
    output_dir: str = "runs/sft"
    route: str = "trace"
    levels: tuple[int, ...] = LEVELS
    max_records: int = 0
    """0: every record of the chosen levels."""
    max_steps: int = 100
    learning_rate: float = 1e-5
    lr_scheduler_type: str = "constant"
    batch_size: int = 4
    gradient_accumulation_steps: int = 1
    max_length: int = 1024
    lora_r: int = 0
    lora_alpha: int = 32
    seed: int = 0
    logging_steps: int = 10

    def __post_init__(self) -> None:
        _one_of(self, "route", SFT_ROUTES)
        _one_of(self, "lr_scheduler_type", SCHEDULERS)
        _levels(self)
        _positive(self, "max_steps", "batch_size", "gradient_accumulation_steps", "max_length",
                  "lora_alpha", "logging_steps")
        _positive_float(self, "learning_rate")
        for name in ("max_records", "lora_r"):
            if getattr(self, name) < 0:
                _fail("SFTConfig", name, getattr(self, name), "must be >= 0 (0 switches it off)")


@dataclass(frozen=True)
class Stage1Config:
    """Stage 1 GRPO on execution reasoning (TRL ``GRPOTrainer``).

    Each step takes ``prompts_per_step`` prompts and samples ``num_generations`` completions of
    each (one group per prompt). ``input_share`` of the prompts are input-prediction prompts,
    the rest the method's combined white-box prompts.
    """

    model: str = "builtin"
    data: str = ""
    output_dir: str = "runs/stage1"
    levels: tuple[int, ...] = LEVELS
    max_records: int = 0
    input_share: float = 0.25
    num_generations: int = 8
    prompts_per_step: int = 128
    max_steps: int = 100
    learning_rate: float = 1e-6
    lr_scheduler_type: str = "constant"
    beta: float = 0.0
    scale_rewards: str = "group"
    loss_type: str = "dapo"
    """TRL's name for verl's default token-mean loss aggregation, which the method ran."""
    temperature: float = 1.0
    max_completion_length: int = 4096
    seed: int = 0
    logging_steps: int = 1
    save_steps: int = 50
    extra: dict[str, Any] = field(default_factory=dict)
    """Further ``GRPOConfig`` arguments, passed through as they are (e.g. ``use_vllm: true``)."""

    def __post_init__(self) -> None:
        _levels(self)
        _one_of(self, "lr_scheduler_type", SCHEDULERS)
        _one_of(self, "scale_rewards", SCALE_REWARDS)
        _one_of(self, "loss_type", LOSS_TYPES)
        _positive(self, "num_generations", "prompts_per_step", "max_steps",
                  "max_completion_length", "logging_steps", "save_steps")
        _positive_float(self, "learning_rate", "temperature")
        if self.num_generations < 2:
            _fail("Stage1Config", "num_generations", self.num_generations,
                  "must be >= 2: GRPO compares the rollouts of a group; use 2 or more")
        if not 0.0 <= self.input_share <= 1.0:
            _fail("Stage1Config", "input_share", self.input_share, "must be between 0 and 1")
        if self.beta < 0:
            _fail("Stage1Config", "beta", self.beta, "must be >= 0 (0 means no KL term)")
        if self.max_records < 0:
            _fail("Stage1Config", "max_records", self.max_records, "must be >= 0 (0: all)")
        if not isinstance(self.extra, dict):
            _fail("Stage1Config", "extra", self.extra, "must be a mapping of GRPOConfig args")


SECTIONS: dict[str, type] = {"sft": SFTConfig, "stage1": Stage1Config}
C = TypeVar("C", SFTConfig, Stage1Config)


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["a=1", "stage1.b=x"]`` -> ``{"a": 1, "stage1.b": "x"}`` (values read as YAML)."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"override {item!r} is not key=value; write it like max_steps=10 or "
                "stage1.learning_rate=1e-6."
            )
        try:
            out[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError as exc:
            raise ConfigError(f"override {item!r}: the value is not valid YAML ({exc}).") from None
    return out


def load_config(section: str, path: str | Path | None = None,
                overrides: Sequence[str] | dict[str, Any] = ()) -> SFTConfig | Stage1Config:
    """The ``section`` config (``sft`` or ``stage1``) from a YAML recipe plus overrides.

    Without ``path`` the defaults are the start. Override keys are field names, or
    ``section.field``; keys naming another section are ignored, so one override list can serve
    every stage of a pipeline.
    """
    if section not in SECTIONS:
        raise ConfigError(f"unknown config section {section!r}; use one of {list(SECTIONS)}.")
    values = dict(_read_section(path, section)) if path is not None else {}
    if not isinstance(overrides, dict):
        overrides = parse_overrides(overrides)
    for key, value in overrides.items():
        head, dot, rest = key.partition(".")
        if dot and head in SECTIONS:
            if head != section:
                continue
            key = rest
        values[key] = value
    return build_config(SECTIONS[section], values)


def build_config(cls: type[C], values: dict[str, Any]) -> C:
    """``cls(**values)`` with unknown names and wrong types reported field by field."""
    names = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in names:
            raise ConfigError(
                f"{cls.__name__} has no field {key!r} (value {value!r}); known fields: "
                f"{', '.join(sorted(names))}."
            )
        kwargs[key] = _coerce(cls.__name__, names[key], value)
    return cls(**kwargs)


def _coerce(cls: str, f: dataclasses.Field[Any], value: Any) -> Any:
    """Check ``value`` against the type of the field's default (YAML gives the right types)."""
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    kind = type(default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is float and isinstance(value, str):  # YAML 1.1 reads 2e-6 (no dot) as a string
        try:
            return float(value)
        except ValueError:
            pass
    if kind is tuple and isinstance(value, (list, tuple)):
        return tuple(value)
    if kind is tuple and isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise ConfigError(
        f"{cls}.{f.name} must be a {kind.__name__} (like {default!r}); got {value!r} "
        f"({type(value).__name__}). Fix the recipe or the override."
    )


def _read_section(path: str | Path, section: str) -> dict[str, Any]:
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist; pass a YAML recipe such "
                          "as configs/cpu-demo.yaml.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must be a mapping of sections "
                          f"({', '.join(SECTIONS)}); got {type(data).__name__}.")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ConfigError(f"config file {str(path)!r} has unknown sections {sorted(unknown)}; "
                          f"use {list(SECTIONS)}.")
    body = data.get(section) or {}
    if not isinstance(body, dict):
        raise ConfigError(f"section {section!r} of {str(path)!r} must be a mapping of fields.")
    return body
