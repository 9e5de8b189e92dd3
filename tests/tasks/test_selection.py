from __future__ import annotations

from collections import Counter

import pytest

from execverify.tasks import (
    DEFAULT_TASK_CONFIG,
    END,
    NIL,
    ProgramLines,
    TaskConfig,
    next_statement_question,
    select_questions,
    state_question,
)

PROGRAM = """
    def bump(acc, v):
        acc.append(v * 2)
        return len(acc)

    def f(xs, limit):
        acc = []
        seen = 0
        for x in xs:
            if x % 3 == 0:
                continue
            elif x > limit:
                break
            n = bump(acc, x)
            seen += 1
            if n > 100:
                acc = []
        while seen > 2:
            seen -= 2
        return acc, seen
"""
ARGS = "[1, 2, 3, 4, 5, 7, 8, 20, 9], 10"
ALL = ("output", "input", "next_statement", "state", "coverage", "path")


def select(traced, config=DEFAULT_TASK_CONFIG, seed=0, program=PROGRAM, args=ARGS):
    program, t = traced(program, "f", args)
    lines = ProgramLines.parse(program)
    qs = select_questions(lines, t, args=args, output=t.output, config=config, seed=seed)
    return lines, t, qs


def test_default_kinds_counts_and_order(traced):
    _, _, qs = select(traced)
    kinds = [q.kind for q in qs]
    assert kinds[:2] == ["output", "input"]
    counts = Counter(kinds)
    assert counts["next_statement"] == 5 and counts["state"] == 5
    assert kinds == sorted(kinds, key=["output", "input", "next_statement", "state"].index)
    for kind in ("next_statement", "state"):
        locs = [(q.line, q.hit, q.var or "") for q in qs if q.kind == kind]
        assert locs == sorted(locs) and len(set(locs)) == len(locs)


def test_next_statement_locations_follow_the_policy(traced):
    for seed in range(8):
        lines, t, qs = select(traced, seed=seed)
        for q in (q for q in qs if q.kind == "next_statement"):
            runs = t.hits(q.line)
            assert (
                q.line in lines.branches
                or (q.hit <= runs and lines.is_jump(q.line, t.next_line(q.line, q.hit)))
                or runs == 0
                or (q.line in lines.loops and q.hit == runs + 1)
            ), q
            assert q.answers == next_statement_question(lines, t, q.line, q.hit).answers


def test_state_questions_ask_about_changed_or_unreached_variables(traced):
    for seed in range(8):
        lines, t, qs = select(traced, seed=seed)
        for q in (q for q in qs if q.kind == "state"):
            if q.answer == NIL:
                assert t.hits(q.line) == 0 and q.var in lines.bindings[q.line]
            else:
                assert q.var in t.changed_vars(q.line, q.hit), q
            assert q.answers == state_question(t, q.line, q.hit, q.var).answers


def test_unreached_lines_are_asked_with_minus_one_and_nil(traced):
    # the `acc = []` under `if n > 100` never runs; with room for everything it must be asked
    config = TaskConfig(max_next_statement=100, max_state=100, max_end_answers=100)
    _lines, t, qs = select(traced, config)
    ns = {(q.line, q.hit): q.answer for q in qs if q.kind == "next_statement"}
    st = {(q.line, q.var): q.answer for q in qs if q.kind == "state"}
    assert t.hits(16) == 0
    assert ns[(16, 1)] == END
    assert st[(16, "acc")] == NIL
    assert ns[(8, t.hits(8) + 1)] == END  # one run past the loop header's last


def test_end_answers_are_capped(traced):
    for cap in (0, 1, 2):
        config = TaskConfig(max_next_statement=100, max_state=100, max_end_answers=cap)
        _, _, qs = select(traced, config)
        assert sum(q.answer == END for q in qs if q.kind == "next_statement") <= cap
        assert sum(q.answer == NIL for q in qs if q.kind == "state") <= cap


def test_a_long_loop_does_not_fill_every_slot(traced):
    program = """
        def f(n):
            t = 0
            for i in range(n):
                t += i
            if t > 5:
                t = t - 1
            return t
    """
    for seed in range(5):
        _, _, qs = select(traced, program=program, args="60", seed=seed)
        lines_asked = {q.line for q in qs if q.kind == "next_statement"}
        assert len(lines_asked) >= 3


def test_same_seed_same_questions_other_seeds_differ(traced):
    _, _, a = select(traced, seed=7)
    _, _, b = select(traced, seed=7)
    assert a == b
    picks = {tuple((q.line, q.hit, q.var) for q in select(traced, seed=s)[2]) for s in range(6)}
    assert len(picks) > 1


def test_switching_a_kind_off_leaves_the_others_unchanged(traced):
    _, _, full = select(traced, TaskConfig(kinds=ALL), seed=3)
    _, _, part = select(traced, TaskConfig(kinds=("state", "path")), seed=3)
    assert [q for q in full if q.kind in ("state", "path")] == part


def test_coverage_and_path_kinds(traced):
    config = TaskConfig(kinds=("coverage", "path"), max_coverage=100, max_path=100,
                        max_end_answers=100)
    lines, _t, qs = select(traced, config)
    cov = {q.line: q.answer for q in qs if q.kind == "coverage"}
    assert set(cov) == set(lines.statements)
    assert cov[16] == "No" and cov[8] == "Yes"
    path = {q.line: q.answers for q in qs if q.kind == "path"}
    assert path[16] == (END,)
    assert path[3] == ("14", "seen += 1")  # the helper returns into its caller's next line
    assert path[12] == ("17", "while seen > 2:")  # break leaves the loop


def test_long_and_unstable_values_are_not_asked(traced):
    program = """
        def f(n):
            s = 'ab' * n
            g = (i for i in range(n))
            k = n + 1
            return k
    """
    config = TaskConfig(max_state=100, max_value_chars=50)
    _, _, qs = select(traced, config, program=program, args="40")
    assert {q.var for q in qs if q.kind == "state"} == {"k"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kinds": ("output", "trace")}, "unknown: \\['trace'\\]"),
        ({"kinds": ("state", "state")}, "each kind once"),
        ({"max_state": -1}, "max_state must be an integer >= 0"),
        ({"max_next_statement": 2.5}, "max_next_statement"),
    ],
)
def test_config_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TaskConfig(**kwargs)


def test_max_hit_keeps_questions_to_early_runs(traced):
    program = """
        def f(n):
            t = 0
            for i in range(n):
                t += i
            return t
    """
    config = TaskConfig(max_next_statement=100, max_state=100, max_hit=3, max_end_answers=100)
    _, _, qs = select(traced, config, program=program, args="50")
    asked = [q for q in qs if q.kind in ("next_statement", "state")]
    assert asked and all(q.hit <= 3 for q in asked)
    assert {q.hit for q in asked if q.line == 3} == {1, 2, 3}
    with pytest.raises(ValueError, match="max_hit"):
        TaskConfig(max_hit=0)
