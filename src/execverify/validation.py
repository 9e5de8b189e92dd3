"""The one rule-check every config dataclass uses in ``__post_init__``.

A failed check says which field of which config broke which rule, with the value given, so the
fix is in the message: ``Limits.timeout_s must be a positive number of seconds; got -1``.
Every config error is a ``ConfigError`` (a ``ValueError``), whichever package raises it.
Standard library only: the sandbox worker imports it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


class ConfigError(ValueError):
    """A config value that breaks a rule; the message names the field, the value and the fix."""


def fail(owner: str, name: str, value: object, rule: str) -> None:
    """Raise ``ConfigError("<owner>.<name> <rule>; got <value>")``: ``rule`` says what the
    field must be and, where it is not obvious, how to fix it."""
    raise ConfigError(f"{owner}.{name} {rule}; got {value!r}")


def require(ok: bool, owner: str, name: str, value: object, rule: str) -> None:
    """Raise ``ConfigError("<owner>.<name> must be <rule>; got <value>")`` unless ``ok``."""
    if not ok:
        fail(owner, name, value, f"must be {rule}")


def require_int(obj: object, *names: str, low: int = 1, optional: bool = False) -> None:
    """Each named field of ``obj`` is an int (not a bool) of at least ``low`` (or None, with
    ``optional``: the field's "not set" value)."""
    for name in names:
        value = getattr(obj, name)
        if optional and value is None:
            continue
        require(isinstance(value, int) and not isinstance(value, bool) and value >= low,
                type(obj).__name__, name, value,
                f"{'None or ' if optional else ''}an integer >= {low}")


def require_number(obj: object, *names: str, positive: bool = True) -> None:
    """Each named field of ``obj`` is a number (not a bool), above 0 or (``positive`` False)
    at least 0."""
    for name in names:
        value = getattr(obj, name)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (
            value > 0 if positive else value >= 0)
        require(ok, type(obj).__name__, name, value, "a number > 0" if positive else
                "a number >= 0")


def require_choice(obj: object, name: str, allowed: tuple[object, ...] | list[object]) -> None:
    """The named field of ``obj`` is one of ``allowed``."""
    value = getattr(obj, name)
    require(value in allowed, type(obj).__name__, name, value, f"one of {list(allowed)}")


def resolve(reference: str) -> object:
    """The object a ``"module:object"`` reference names, imported now: how recipe sections,
    tasks and benchmarks are registered, so that nothing is imported before it is used. A
    reference that does not resolve is a ``ConfigError`` naming it."""
    module, _, name = reference.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"{reference!r} names no importable object ('module:object'): "
                          f"{exc}") from exc


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """A package's module ``__getattr__`` (PEP 562) for its public names, each imported from
    ``package.<exports[name]>`` the first time it is asked for and kept on the package.

    Why: the sandbox worker imports ``execverify.sandbox`` into every fork's heap, and
    ``execverify.eval`` would otherwise import every benchmark and the model backends."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
