"""The catalogue's rule vocabulary: typos fail at parse time, and every rule has its table entry."""

import pytest

from execverify.synth import types as ty
from execverify.synth.catalogue import FLAG_VALUES, CatalogueError, Flag, catalogue, parse_rows
from execverify.synth.rules import (
    ELO_RULES,
    LO_RULES,
    MUTATIONS,
    NEG,
    EloRule,
    LoRule,
    MutEffect,
    lo_bound,
)

OR_ROW = "dict.__or__ ~ {0} | {1} ~ dict[K,V], dict[K,V] -> dict[K,V] ~ "
POP_ROW = "list.pop ~ {0}.pop() ~ list[T]:v -> T ~ "


def _error(row: str) -> str:
    with pytest.raises(CatalogueError) as info:
        parse_rows(row)
    return str(info.value)


def test_a_good_row_parses_into_enum_members():
    ops = parse_rows(OR_ROW + "lo=umax elo=min")
    assert len(ops) == 2  # one per dict shape
    assert all(op.lo is LoRule.UMAX and op.elo is EloRule.MIN and op.mut is None for op in ops)
    (op, *_) = parse_rows(POP_ROW + "lo=elem need0=1 mut=dec")
    assert op.mut is MutEffect.DEC and op.slots[0].need == 1
    assert parse_rows(POP_ROW + "lo=-1")[0].lo == -1


def test_a_rule_typo_fails_naming_the_row_the_value_and_the_allowed_values():
    message = _error(OR_ROW + "lo=umx elo=min")
    assert message.startswith("catalogue row 1 ('dict.__or__ ~ {0} | {1} ~")
    assert "unknown lo rule 'umx'" in message
    assert "(allowed: an int, u, keep, len, elem, " in message and "umax" in message
    assert "unknown elo rule 'mn' (allowed: u, keep, min, s0)" in _error(OR_ROW + "elo=mn")
    assert "unknown mut effect 'decc' (allowed: inc, add, one, keep, dec, zero)" in _error(
        POP_ROW + "mut=decc"
    )


def test_a_flag_typo_fails_naming_the_allowed_flags():
    message = _error(OR_ROW + "lo=umax elow=min")
    assert "unknown flag 'elow' (allowed: lo, elo, needN, mut, idem, adapt, noseed)" in message
    assert "unknown flag 'need'" in _error(POP_ROW + "need=1")


def test_malformed_flags_fail():
    assert "'idem' takes no value" in _error(POP_ROW + "idem=1")
    assert "'lo' needs =VALUE" in _error(POP_ROW + "lo")
    assert "'need1' names argument 1, but the op has 1" in _error(POP_ROW + "need1=1")
    assert "need value 'x' is not a non-negative int" in _error(POP_ROW + "need0=x")
    assert "'lo' is given twice" in _error(POP_ROW + "lo=1 lo=2")


def test_signature_typos_fail():
    allowed = "(allowed: a value or iterator type, or it[X], uit[X], seq[X], sized, any)"
    assert f"unknown type 'uitt[int]' {allowed}" in _error("sum ~ sum({0}) ~ uitt[int] -> int")
    assert "unknown type 'sized[str]'" in _error("len ~ len({0}) ~ sized[str] -> int")
    assert "unknown slot mode 'vv'" in _error("list.clear ~ {0}.clear() ~ list[T]:vv -> None")
    assert "unknown result type 'lst[int]'" in _error("list ~ list({0}) ~ it[int] -> lst[int]")


def test_the_error_names_the_failing_row_by_number():
    rows = POP_ROW + "lo=elem" + "\n" + OR_ROW + "lo=umx"
    assert _error(rows).startswith("catalogue row 2 ('dict.__or__")


def test_every_dispatch_table_covers_its_enum_exactly():
    assert set(LO_RULES) == set(LoRule)
    assert set(ELO_RULES) == set(EloRule)
    assert set(MUTATIONS) == set(MutEffect)
    assert set(FLAG_VALUES) == set(Flag)
    assert set(ty.SLOT_KINDS) == set(ty.SlotKind)


def test_every_rule_in_the_table_has_an_entry_and_every_entry_is_used():
    ops = catalogue().ops
    los = {op.lo for op in ops if not isinstance(op.lo, int)}
    assert los <= set(LO_RULES) and set(LoRule) <= los
    assert {op.elo for op in ops} == set(ELO_RULES)
    assert {op.mut for op in ops} - {None} == set(MUTATIONS)
    kinds = {s.type.partition("[")[0] for op in ops for s in op.slots} | {
        op.result.partition("[")[0] for op in ops
    }
    assert set(ty.SlotKind) <= kinds


def test_slot_kinds_accept_what_they_promise():
    assert ty.accepts("it[str]", "list[str]") and not ty.accepts("it[str]", "set[str]")
    assert ty.accepts("uit[str]", "set[str]") and not ty.accepts("uit[str]", "list[int]")
    assert ty.accepts("seq[int]", "tuple[int]") and not ty.accepts("seq[int]", "set[int]")
    assert ty.accepts("sized", "dict[str,int]") and not ty.accepts("sized", "int")
    assert ty.accepts("any", "float") and not ty.accepts("any", "set[str]")
    assert not ty.accepted("it") and not ty.accepted("sized[int]")


class _V:
    def __init__(self, lo: int, elo: int = 0, type: str = "int") -> None:
        self.lo, self.elo, self.type = lo, elo, type


def test_lo_rules_keep_their_meaning():
    assert lo_bound(3, "str", [_V(0)]) == 3
    assert lo_bound(LoRule.UNKNOWN, "int", [_V(5)]) == NEG
    assert lo_bound(LoRule.UNKNOWN, "list[int]", [_V(5)]) == 0
    assert lo_bound(LoRule.SUM, "int", [_V(2), _V(3)]) == 5
    assert lo_bound(LoRule.SUM, "int", [_V(-1), _V(3)]) == NEG
    assert lo_bound(LoRule.MUL, "int", [_V(2), _V(3)]) == 6
    assert lo_bound(LoRule.MAX, "int", [_V(2), _V(3)]) == 3
    assert lo_bound(LoRule.MAX, "str", [_V(2, type="str"), _V(3, type="str")]) == 2
    assert lo_bound(LoRule.STRX, "str", [_V(-4)]) == 1
    assert [MUTATIONS[e].after(2) for e in MutEffect] == [3, 2, 2, 2, 1, 0]
