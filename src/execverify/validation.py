"""The one rule-check every config dataclass uses in ``__post_init__``.

A failed check says which field of which config broke which rule, with the value given, so the
fix is in the message: ``Limits.timeout_s must be a positive number of seconds; got -1``.
Standard library only: the sandbox worker imports it.
"""

from __future__ import annotations


def require(ok: bool, owner: str, name: str, value: object, rule: str) -> None:
    """Raise ``ValueError("<owner>.<name> must be <rule>; got <value>")`` unless ``ok``."""
    if not ok:
        raise ValueError(f"{owner}.{name} must be {rule}; got {value!r}")
