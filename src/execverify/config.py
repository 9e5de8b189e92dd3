"""The recipe tree: one YAML file with a section per component, read the same way by every verb.

A recipe (``configs/NAME.yaml``, or a packaged one by name such as ``cpu-demo``) maps section
names to the fields of that section's config dataclass::

    synth:   {levels: [1, 2], num: 400}
    reward:  {output_only: true}
    stage1:  {num_generations: 4, max_steps: 8}

and every verb (``synth``, ``export``, ``eval``, ``train``, ``demo``) takes ``--config
NAME|FILE`` plus ``section.key=value`` overrides. Values are read as YAML scalars, so ``1e-6``,
``true`` and ``[1, 2]`` mean what they look like; a plain ``key=value`` sets that field in the
section the verb reads first. A wrong section, field, type or value fails when the recipe is
read, with the field, the value and the fix, not in the middle of a run.

Sections are named here once (``SECTIONS``, name -> ``"module:Class"``) and imported only when
read, so loading the reward section never imports the training code. Each config dataclass
keeps its own defaults and validation (``execverify.validation``); this module only reads,
coerces and reports. CLI flags are shorthands for fields (``shorthand``), never a second copy
of a default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from execverify.validation import ConfigError, resolve

__all__ = [
    "RECIPES",
    "SECTIONS",
    "ConfigError",
    "build_config",
    "load_recipe",
    "load_section",
    "packaged_recipes",
    "parse_overrides",
    "plain_config",
    "recipe_file",
    "recipe_yaml",
    "section_class",
]

SECTIONS: dict[str, str] = {
    "synth": "execverify.synth.pipeline:SynthConfig",
    "tasks": "execverify.tasks.selection:TaskConfig",
    "trace": "execverify.trace:TraceOptions",
    "reward": "execverify.rewards.config:RewardConfig",
    "eval": "execverify.eval.runner:RunConfig",
    "sft": "execverify.train.config:SFTConfig",
    "stage1": "execverify.train.config:Stage1Config",
    "stage2": "execverify.train.config:Stage2Config",
    "verl": "execverify.train.config:VerlConfig",
    "demo": "execverify.train.config:DemoConfig",
    "study": "execverify.study.config:StudyConfig",
}
"""Every recipe section and the dataclass it builds (imported when the section is read)."""

RECIPES = Path(__file__).parent / "recipes"
"""Recipes packaged with execverify (``cpu-demo``, ``paper-7b``, ``study-cpu``, ``study-h200``),
usable by name anywhere."""


def section_class(section: str) -> type:
    """The config dataclass of ``section``; an unknown name lists the known ones."""
    target = SECTIONS.get(section)
    if target is None:
        raise ConfigError(f"unknown config section {section!r}; use one of {list(SECTIONS)}.")
    return resolve(target)


# -- overrides -----------------------------------------------------------------------------


def parse_overrides(items: Sequence[str] | Mapping[str, Any]) -> dict[str, Any]:
    """``["a=1", "stage1.b=x"]`` -> ``{"a": 1, "stage1.b": "x"}`` (values read as YAML); a
    mapping is returned as a dict."""
    if isinstance(items, Mapping):
        return dict(items)
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


def _section_overrides(section: str, overrides: Mapping[str, Any], plain: bool
                       ) -> dict[str, Any]:
    """The overrides that set fields of ``section``: ``section.key`` always, a plain ``key``
    when ``plain`` (the verb's own section). Keys naming another section are skipped, so one
    override list serves every section a verb reads."""
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        head, dot, rest = key.partition(".")
        if dot and head in SECTIONS:
            if head == section:
                out[rest] = value
        elif dot:
            raise ConfigError(f"override {key}={value!r} names no section {head!r}; use one of "
                              f"{list(SECTIONS)}, like reward.output_only=true.")
        elif plain:
            out[key] = value
    return out


# -- recipes -------------------------------------------------------------------------------


def recipe_file(path: str | Path) -> Path:
    """``path`` if it is a file, else the packaged recipe of that name (``cpu-demo``)."""
    given = Path(path)
    if given.is_file():
        return given
    packaged = RECIPES / f"{given.name.removesuffix('.yaml')}.yaml"
    if given.parent == Path(".") and packaged.is_file():
        return packaged
    raise ConfigError(f"config file {str(path)!r} does not exist; pass a YAML recipe file or "
                      f"a packaged recipe name ({', '.join(packaged_recipes())}).")


def packaged_recipes() -> list[str]:
    """The names of the recipes packaged with execverify (``RECIPES``), sorted."""
    return sorted(p.stem for p in RECIPES.glob("*.yaml"))


def read_recipe(path: str | Path | None) -> dict[str, dict[str, Any]]:
    """A recipe's sections as plain mappings (``{}`` without a path), checked for shape."""
    if path is None:
        return {}
    return dict(_read_recipe(recipe_file(path).resolve()))


@cache
def _read_recipe(path: Path) -> tuple[tuple[str, dict[str, Any]], ...]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must be a mapping of sections "
                          f"({', '.join(SECTIONS)}); got {type(data).__name__}.")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"config file {str(path)!r} has unknown sections {unknown}; "
                          f"use {list(SECTIONS)}.")
    for name, body in data.items():
        if body is not None and not isinstance(body, dict):
            raise ConfigError(f"section {name!r} of {str(path)!r} must be a mapping of fields.")
    return tuple((name, dict(body or {})) for name, body in data.items())


def load_section(section: str, path: str | Path | None = None,
                 overrides: Sequence[str] | Mapping[str, Any] = (), *, plain: bool = True
                 ) -> Any:
    """The ``section`` config from a recipe (none: the defaults) plus overrides.

    Override keys are ``section.field``, or plain field names when ``plain`` (the default: the
    section a verb reads first); keys naming another section are skipped.
    """
    cls = section_class(section)
    values = dict(read_recipe(path).get(section, {}))
    values.update(_section_overrides(section, parse_overrides(overrides), plain))
    return build_config(cls, values)


def load_recipe(path: str | Path | None, overrides: Sequence[str] | Mapping[str, Any] = (),
                sections: Sequence[str] = ()) -> dict[str, Any]:
    """Every section in ``sections`` (default: those the recipe has), built and validated.
    Only dotted overrides apply here: with several sections a plain key would be ambiguous."""
    recipe = read_recipe(path)
    parsed = parse_overrides(overrides)
    plain = [k for k in parsed if "." not in k]
    if plain:
        raise ConfigError(f"override {plain[0]}= names no section; write it as "
                          f"SECTION.{plain[0]}=..., with SECTION one of {list(SECTIONS)}.")
    names = list(sections) or list(recipe)
    return {name: load_section(name, path, parsed, plain=False) for name in names}


def recipe_yaml(sections: Mapping[str, Any]) -> str:
    """Resolved configs as recipe YAML (``{section: config}``), what ``--dry-run`` prints."""
    import yaml

    return yaml.safe_dump({name: plain_config(config) for name, config in sections.items()},
                          sort_keys=False).rstrip()


def plain_config(value: Any) -> Any:
    """A config (or any value in one) as plain YAML/JSON data: dataclasses as dicts, tuples as
    lists, paths as strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain_config(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain_config(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_config(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


# -- building ------------------------------------------------------------------------------


def build_config(cls: type, values: Mapping[str, Any]) -> Any:
    """``cls(**values)`` with unknown names and wrong types reported field by field; nested
    config dataclasses are built from mappings the same way."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    hints = _hints(cls)
    kwargs = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(
                f"{cls.__name__} has no field {key!r} (value {value!r}); known fields: "
                f"{', '.join(sorted(fields))}."
            )
        kwargs[key] = _coerce(f"{cls.__name__}.{key}", hints[key], value, fields[key])
    missing = [n for n, f in fields.items() if n not in kwargs and f.default is
               dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{cls.__name__}.{missing[0]} has no default; set it in the recipe "
                          f"or as an override ({missing[0]}=...).")
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except ValueError as exc:  # a config not yet on execverify.validation: same type for all
        raise ConfigError(str(exc)) from None


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


_SCALARS = (bool, int, float, str)


def _coerce(where: str, kind: Any, value: Any, f: dataclasses.Field[Any] | None = None) -> Any:
    """``value`` checked against the annotation ``kind`` (YAML already gives the right types;
    ints pass as floats, ``2e-6`` written without a dot as a float, a list as a tuple)."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(where, option, value)
            except ConfigError:
                continue
        raise _wrong(where, kind, value, f)
    if kind is Any:
        return value
    if origin is tuple:
        args = [a for a in typing.get_args(kind) if a is not Ellipsis]
        inner = args[0] if args else Any
        items = value if isinstance(value, (list, tuple)) else (
            [value] if not isinstance(value, (dict, str)) or inner is str else None)
        if items is None:
            raise _wrong(where, kind, value, f)
        return tuple(_coerce(where, inner, item) for item in items)
    if origin in (dict, Mapping) or kind is dict:
        if isinstance(value, dict):
            return dict(value)
        raise _wrong(where, kind, value, f)
    if dataclasses.is_dataclass(kind):
        if isinstance(value, kind):
            return value
        if isinstance(value, dict):
            return build_config(kind, value)
        raise _wrong(where, kind, value, f)
    if kind is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
        raise _wrong(where, kind, value, f)
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):  # YAML 1.1 reads 2e-6 (no dot) as a string
            try:
                return float(value)
            except ValueError:
                pass
    elif kind in _SCALARS:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
    elif isinstance(kind, type) and isinstance(value, kind):
        return value
    raise _wrong(where, kind, value, f)


def _wrong(where: str, kind: Any, value: Any, f: dataclasses.Field[Any] | None) -> ConfigError:
    name = getattr(kind, "__name__", None) or str(kind).replace("typing.", "")
    like = ""
    if f is not None and f.default is not dataclasses.MISSING:
        like = f" (like {f.default!r})"
    return ConfigError(f"{where} must be a {name}{like}; got {value!r} "
                       f"({type(value).__name__}). Fix the recipe or the override.")


# -- CLI shorthands ------------------------------------------------------------------------


def shorthand(parser: Any, flag: str, section: str, field: str, *, help: str = "",
              **kwargs: Any) -> None:
    """Add ``flag`` as a shorthand for ``section.field``: no default of its own (the field's is
    shown in the help), so a value given on the command line becomes the override
    ``section.field=value`` and an absent flag leaves the recipe's value."""
    import argparse

    cls = section_class(section)
    match = [f for f in dataclasses.fields(cls) if f.name == field]
    if not match:
        raise ConfigError(f"shorthand {flag} names no field {field!r} of {cls.__name__}")
    default = match[0].default
    shown = "" if default is dataclasses.MISSING else f" (default: {default!r})"
    hint = _hints(cls)[field]
    options = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    if "type" not in kwargs and "action" not in kwargs and options[0] in (int, float, str):
        kwargs["type"] = options[0]
    if "action" not in kwargs:
        kwargs.setdefault("metavar", field.upper())
    parser.add_argument(flag, dest=f"{section}.{field}", default=argparse.SUPPRESS,
                        help=f"{help}{' ' if help else ''}[{section}.{field}]{shown}", **kwargs)


def shorthand_overrides(args: Any) -> dict[str, Any]:
    """The ``section.field`` values that shorthand flags set on ``args``."""
    return {key: value for key, value in vars(args).items()
            if "." in key and key.partition(".")[0] in SECTIONS}
