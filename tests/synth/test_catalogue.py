import ast

import pytest

from execverify.synth import types as ty
from execverify.synth.catalogue import ATOM, MODES, catalogue, reach
from execverify.synth.nesting import seed_feeds

CAT = catalogue()


def test_at_least_150_seeds_over_every_family():
    assert len(CAT.seeds) >= 150
    families = {s.split(".")[0] for s in CAT.seeds if "." in s}
    assert {"str", "list", "dict", "set", "tuple", "int", "float"} <= families
    for name in ("enumerate", "zip", "range", "filter", "reversed", "sorted", "len", "divmod",
                 "min", "max", "sum", "any", "all", "map", "abs", "round"):  # fmt: skip
        assert name in CAT.seeds


def test_every_op_is_well_typed_and_renders_valid_python():
    for op in CAT.ops:
        assert op.result == "None" or op.result in ty.ALL_TYPES, op
        for slot in op.slots:
            assert slot.mode in MODES, op
            assert ty.accepted(slot.type), (op.template, slot.type)
        code = op.render([f"x{i}" for i in range(len(op.slots))])
        ast.parse(code)  # a statement or an expression


def test_mutating_ops_take_a_variable_receiver():
    for op in CAT.ops:
        if op.mut is not None:
            assert op.slots[0].mode == "v", op.template


def test_precedence_puts_parentheses_where_python_needs_them():
    add = next(op for op in CAT.variants("str.__add__"))
    upper = next(op for op in CAT.variants("str.upper"))
    assert upper.slots[0].prec == ATOM  # a receiver
    assert add.prec < ATOM
    mul = next(op for op in CAT.variants("int.__mul__"))
    assert mul.slots[0].prec <= mul.prec < mul.slots[1].prec or mul.slots[1].prec > add.prec


def test_adapters_connect_the_common_types():
    for source, slot in [("int", "str"), ("str", "int"), ("list[str]", "str"), ("bool", "int")]:
        assert CAT.adapters.get((source, slot)), (source, slot)


def test_every_expression_seed_can_nest_or_chain_through_its_receiver():
    for seed in CAT.seeds:
        variants = CAT.variants(seed)
        if seed_feeds(seed):
            continue
        # no syntactic nesting: the seed must mutate a receiver it can be called on again
        assert any(op.mut is not None for op in variants), seed


def test_every_seed_has_a_variant_whose_slots_inputs_can_reach():
    depths = reach()
    for seed in CAT.seeds:
        assert any(
            all(depths.get(s.type, 99) <= 2 for s in op.slots if s.mode in ("e", "v"))
            for op in CAT.variants(seed)
        ), seed


def test_unknown_seed_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown seed method"):
        CAT.variants("str.frobnicate")
