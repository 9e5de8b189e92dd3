import ast
import random
import string

import pytest

from execverify.synth import types as ty
from execverify.synth.inputs import synth_args, synth_str, synth_value


def kind(s: str) -> str:
    if len(set(s)) == 1:
        return "repeated"
    if all(c in string.ascii_letters + string.digits for c in s):
        return "alnum"
    return "punct"


def test_string_mix_matches_the_method():
    rng = random.Random(0)
    draws = [synth_str(rng) for _ in range(4000)]
    assert all(5 <= len(s) <= 10 for s in draws)
    share = {k: sum(kind(s) == k for s in draws) / len(draws) for k in ("alnum", "repeated")}
    assert 0.45 < share["alnum"] < 0.55  # repeated-looking alnum strings are rare
    assert 0.36 < share["repeated"] < 0.44
    assert 0.07 < 1 - share["alnum"] - share["repeated"] < 0.13


@pytest.mark.parametrize("t", ty.INPUT_TYPES)
def test_every_input_type_has_bounded_literals_that_round_trip(t):
    rng = random.Random(1)
    for _ in range(200):
        value = synth_value(t, rng)
        assert ast.literal_eval(repr(value)) == value
        if t == "int":
            assert 5 <= value <= 20
        elif t in ("list[int]", "list[str]", "tuple[int]", "set[int]", "dict[str,int]"):
            assert 6 <= len(value) <= 15
        if t in ("list[int]", "tuple[int]", "set[int]"):
            assert all(5 <= x <= 20 for x in value)


def test_args_text_is_one_call_worth_of_literals_and_deterministic():
    types = ("list[int]", "str", "int", "dict[str,int]")
    text = synth_args(types, random.Random(3))
    assert text == synth_args(types, random.Random(3))
    values = ast.literal_eval(f"({text},)")
    assert [type(v) for v in values] == [list, str, int, dict]


def test_unknown_type_names_the_valid_ones():
    with pytest.raises(ValueError, match="INPUT_TYPES"):
        synth_value("list[float]", random.Random(0))
