import pytest

from execverify.synth.levels import CONTROL_KINDS, LEVELS, Knobs, knobs_for, level_of


def test_levels_add_one_constraint_each():
    assert [LEVELS[i].seed_nesting for i in range(1, 7)] == [2] * 6
    assert [LEVELS[i].extra_methods for i in range(1, 7)] == [0, 1, 1, 1, 1, 1]
    assert [LEVELS[i].control_depth for i in range(1, 7)] == [0, 0, 1, 2, 3, 3]
    assert [LEVELS[i].helper_call for i in range(1, 7)] == [False] * 5 + [True]
    assert all(LEVELS[i].control_kinds == CONTROL_KINDS for i in LEVELS)


def test_level_round_trip_and_custom_knobs_have_no_level():
    for level in LEVELS:
        assert level_of(knobs_for(level)) == level
    assert level_of(Knobs(control_depth=2, helper_call=True)) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed_nesting": 1}, "seed_nesting must be 2..4"),
        ({"seed_nesting": 9}, "seed_nesting must be 2..4"),
        ({"extra_methods": -1}, "extra_methods must be 0..4"),
        ({"control_depth": 4}, "control_depth must be 0..3"),
        ({"control_kinds": ("if", "switch")}, "control_kinds must be a non-empty subset"),
        ({"control_kinds": ()}, "control_kinds must be a non-empty subset"),
        ({"control_kinds": ("for", "for")}, "duplicates"),
    ],
)
def test_knobs_validation_states_rule_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Knobs(**kwargs)


def test_knobs_accept_lists_and_serialise():
    knobs = Knobs(control_depth=1, control_kinds=["while"])
    assert knobs.control_kinds == ("while",)
    assert knobs.to_dict()["control_kinds"] == ["while"]
    hash(knobs)


def test_unknown_level_is_a_clear_error():
    with pytest.raises(ValueError, match="level must be one of"):
        knobs_for(7)
