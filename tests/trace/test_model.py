"""The Trace model on hand-written traces: queries, both input forms, JSON round trips."""

from __future__ import annotations

import json

from execverify.trace import Step, Trace

STEPS = [  # f(2) calling g on line 3; g's line 7 runs twice (two activations)
    {"line": 2, "func": "f", "depth": 0, "frame": 0, "hit": 1,
     "changes": {"x": ["1", "int"]}, "args": {"n": ["2", "int"]}},
    {"line": 3, "func": "f", "depth": 0, "frame": 0, "hit": 1, "changes": {"x": ["5", "int"]}},
    {"line": 7, "func": "g", "depth": 1, "frame": 1, "hit": 1, "changes": {"y": ["[]", "list"]},
     "args": {"a": ["1", "int"]}},
    {"line": 3, "func": "f", "depth": 0, "frame": 0, "hit": 2,
     "changes": {"x": None, "s": ["'a\\nb'", "str", True]}},
    {"line": 7, "func": "g", "depth": 1, "frame": 2, "hit": 2, "changes": {},
     "args": {"a": ["2", "int"]}},
]


def make() -> Trace:
    return Trace.from_dict({"status": "ok", "output": "5", "output_type": "int",
                            "steps": STEPS})


def test_queries():
    t = make()
    assert t.ok and t.output == "5" and t.error is None
    assert t.path() == [2, 3, 7, 3, 7]
    assert t.coverage() == {2, 3, 7}
    assert (t.hits(3), t.hits(7), t.hits(99)) == (2, 2, 0)
    assert t.next_line(2, 1) == 3 and t.next_line(3, 1) == 7 and t.next_line(3, 2) == 7
    assert t.next_line(7, 2) is None and t.next_line(7, 3) is None and t.next_line(7, 0) is None
    assert t.state_after(2, 1, "x") == ("1", "int")
    assert t.state_after(2, 1, "n") == ("2", "int")       # entry state
    assert t.state_after(7, 1, "x") is None                # x lives in another frame
    assert t.state_after(3, 2, "x") is None                # unbound by then
    assert t.state_after(3, 2, "n") == ("2", "int")
    assert t.state_after(7, 2, "y") is None                # second g activation never bound y
    assert t.state_after(7, 2, "a") == ("2", "int")
    assert t.state_after(4, 1, "x") is None
    assert t.changed_vars(3, 1) == {"x": ("5", "int")} and t.changed_vars(9, 1) == {}
    assert t.step_at(3, 2).truncated == frozenset({"s"})


def test_wire_round_trip_is_exact():
    t = make()
    wire = t.to_dict()
    assert wire["format"] == "execverify.trace/1"
    assert wire["frames"][0] == ["f", {"n": ["2", "int"]}]
    assert wire["steps"][3] == [3, 0, 0, {"x": None, "s": ["'a\\nb'", "str", True]}]
    back = Trace.from_json(json.dumps(wire))
    assert back == t
    assert [s.to_dict() for s in back.steps] == [Step.from_dict(s).to_dict() for s in STEPS]


def test_hits_are_derived_from_the_wire_form():
    t = Trace.from_dict({"status": "ok", "frames": [["f", {}]],
                         "steps": [[2, 0, 0, None], [3, 0, 0, None], [2, 0, 0, None]]})
    assert [s.hit for s in t.steps] == [1, 1, 2]
    assert t.steps[0].args == {} and t.steps[2].args is None


def test_failed_trace():
    t = Trace.failed("timeout", "Timeout: wall clock limit exceeded", sandbox_duration_s=1.0)
    assert not t.ok and t.output == t.error and t.steps == []
    assert t.path() == [] and t.next_line(1, 1) is None and t.state_after(1, 1, "x") is None
    assert Trace.from_json(t.to_json()) == t
    assert t.meta["sandbox_duration_s"] == 1.0


def test_unknown_keys_are_kept_in_meta():
    t = Trace.from_dict({"status": "ok", "steps": [], "duration_s": 0.5})
    assert t.meta == {"duration_s": 0.5}
    assert Trace.from_dict(t.to_dict()).meta == {"duration_s": 0.5}
