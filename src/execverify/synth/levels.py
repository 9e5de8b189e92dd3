"""Difficulty as constraint knobs, and the method's six levels as fixed settings of them.

ExecVerify makes programs harder one constraint at a time (docs/design.md, "The method"):

1. nested calls of the seed method, at least two levels, no control flow;
2. plus at least one other built-in method;
3. plus control flow of depth 1 (``if``, ``for``, ``while`` or ``if/elif``);
4. depth 2, each construct nested in the previous one;
5. depth 3;
6. depth 3 plus a call chain: a helper function A and an entry function B that calls A.

The knobs are also usable on their own (``Knobs(control_depth=2, helper_call=True)``), which
is how ablations and curricula ask for shapes the six levels do not name.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTROL_KINDS: tuple[str, ...] = ("if", "if_elif", "for", "while")
MAX_NESTING = 4
MAX_EXTRA = 4
MAX_DEPTH = 3


@dataclass(frozen=True)
class Knobs:
    """The constraints one generated program must satisfy.

    ``seed_nesting``: how many levels of seed calls feed into each other (>= 2 as in the
    method). ``extra_methods``: at least this many other built-in methods (called, not
    operators). ``control_depth``: the deepest nesting of if/for/while, exactly. ``control_kinds``:
    the constructs that nesting is drawn from. ``helper_call``: a helper function and an entry
    function that calls it.
    """

    seed_nesting: int = 2
    extra_methods: int = 0
    control_depth: int = 0
    control_kinds: tuple[str, ...] = CONTROL_KINDS
    helper_call: bool = False

    def __post_init__(self) -> None:
        if not 2 <= self.seed_nesting <= MAX_NESTING:
            raise ValueError(
                f"seed_nesting must be 2..{MAX_NESTING} (the method nests the seed at least "
                f"twice), got {self.seed_nesting}; pass e.g. seed_nesting=2"
            )
        if not 0 <= self.extra_methods <= MAX_EXTRA:
            raise ValueError(
                f"extra_methods must be 0..{MAX_EXTRA}, got {self.extra_methods}; "
                "pass e.g. extra_methods=1"
            )
        if not 0 <= self.control_depth <= MAX_DEPTH:
            raise ValueError(
                f"control_depth must be 0..{MAX_DEPTH}, got {self.control_depth}; "
                "pass e.g. control_depth=2"
            )
        kinds = tuple(self.control_kinds)
        object.__setattr__(self, "control_kinds", kinds)
        unknown = [k for k in kinds if k not in CONTROL_KINDS]
        if unknown or not kinds:
            raise ValueError(
                f"control_kinds must be a non-empty subset of {CONTROL_KINDS}, got {kinds!r}; "
                "pass e.g. control_kinds=('for', 'if')"
            )
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"control_kinds has duplicates: {kinds!r}; list each kind once")

    def to_dict(self) -> dict[str, object]:
        return {
            "seed_nesting": self.seed_nesting,
            "extra_methods": self.extra_methods,
            "control_depth": self.control_depth,
            "control_kinds": list(self.control_kinds),
            "helper_call": self.helper_call,
        }


LEVELS: dict[int, Knobs] = {
    1: Knobs(),
    2: Knobs(extra_methods=1),
    3: Knobs(extra_methods=1, control_depth=1),
    4: Knobs(extra_methods=1, control_depth=2),
    5: Knobs(extra_methods=1, control_depth=3),
    6: Knobs(extra_methods=1, control_depth=3, helper_call=True),
}


def knobs_for(level: int) -> Knobs:
    """The knobs of one of the method's six levels."""
    try:
        return LEVELS[level]
    except KeyError:
        raise ValueError(
            f"level must be one of {sorted(LEVELS)}, got {level!r}; "
            "or pass Knobs(...) for a custom combination"
        ) from None


def level_of(knobs: Knobs) -> int | None:
    """The level these knobs are, if they are exactly one of the six (else None)."""
    for level, candidate in LEVELS.items():
        if candidate == knobs:
            return level
    return None
