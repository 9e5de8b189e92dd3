"""Which questions to ask about a traced call: the method's selection policy, made deterministic.

- next statement: at branch and loop headers (every run), after any run that jumps
  (the next line is not the following statement: loop back-edges, calls, returns, ``break``,
  skipped branches), one run past a loop header's last (answer ``-1``), and at statement lines
  that never ran (answer ``-1``);
- state: for each variable a run of a line created or changed (values whose repr was capped,
  holds a memory address, or is longer than ``max_value_chars`` are skipped), and for variables
  that a never-run line would bind (answer ``Nil``);
- coverage / path (REval's kinds, off by default): any statement line, run or not.

Candidates are grouped by location (a line, or a line and variable) and drawn round-robin over
the groups in a seeded shuffled order, so one long loop cannot fill all five slots, and
at most ``max_end_answers`` questions per kind have the uninformative answer -1 / Nil / No.
Same program, trace, config and seed: same questions, in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from execverify.data.records import QUESTION_KINDS, Question
from execverify.tasks.answers import is_stable_repr
from execverify.tasks.lines import ProgramLines
from execverify.tasks.questions import (
    coverage_question,
    input_question,
    next_statement_question,
    output_question,
    path_question,
    state_question,
)
from execverify.trace.model import Trace
from execverify.validation import require, require_int

_T = TypeVar("_T")


@dataclass(frozen=True)
class TaskConfig:
    """What to ask about each program call.

    ``kinds`` are the question kinds to build (in record order). ``max_<kind>`` caps the
    location-based kinds per record. ``unreached`` also asks about lines that never ran;
    ``beyond_last_hit`` asks a loop header about one run more than it made. ``max_hit``, when
    set, asks only about a line's first ``max_hit`` runs (no one should have to count to the
    9,578th iteration of a loop).
    """

    kinds: tuple[str, ...] = ("output", "input", "next_statement", "state")
    max_next_statement: int = 5
    max_state: int = 5
    max_coverage: int = 5
    max_path: int = 5
    max_end_answers: int = 2
    unreached: bool = True
    beyond_last_hit: bool = True
    max_value_chars: int = 200
    max_hit: int | None = None

    def __post_init__(self) -> None:
        kinds = tuple(self.kinds)
        object.__setattr__(self, "kinds", kinds)
        unknown = [k for k in kinds if k not in QUESTION_KINDS]
        require(not unknown, "TaskConfig", "kinds", list(kinds),
                f"question kinds from {list(QUESTION_KINDS)} (unknown: {unknown})")
        require(len(set(kinds)) == len(kinds), "TaskConfig", "kinds", list(kinds),
                "a list that names each kind once")
        require_int(self, "max_next_statement", "max_state", "max_coverage", "max_path",
                    "max_end_answers", "max_value_chars", low=0)
        hit = self.max_hit
        require(hit is None or (isinstance(hit, int) and not isinstance(hit, bool) and hit >= 1),
                "TaskConfig", "max_hit", hit, "None (no cap) or an int >= 1")

    def limit(self, kind: str) -> int:
        return getattr(self, f"max_{kind}", 1)


DEFAULT_TASK_CONFIG = TaskConfig()


def select_questions(
    lines: ProgramLines,
    trace: Trace,
    *,
    args: str,
    output: str,
    config: TaskConfig = DEFAULT_TASK_CONFIG,
    seed: int = 0,
) -> list[Question]:
    """The record's questions, in ``config.kinds`` order, locations sorted within a kind.

    Each kind that draws gets its own ``random.Random`` stream derived from ``seed`` and the
    kind, so turning one kind on or off leaves the others' choices unchanged. (Output and input
    ask one fixed question and get none: seeding a generator from a string costs as much as
    building either question.)
    """
    drawn: dict[str, Callable[[random.Random], list[Question]]] = {
        "next_statement": lambda rng: _next_statements(lines, trace, config, rng),
        "state": lambda rng: _states(trace, lines, config, rng),
        "coverage": lambda rng: _coverage(lines, trace, config, rng),
        "path": lambda rng: _paths(lines, trace, config, rng),
    }
    questions: list[Question] = []
    for kind in config.kinds:
        if kind == "output":
            questions.append(output_question(output))
        elif kind == "input":
            questions.append(input_question(args))
        else:
            questions.extend(drawn[kind](random.Random(f"{seed}:{kind}")))
    return questions


def _next_statements(
    lines: ProgramLines, trace: Trace, config: TaskConfig, rng: random.Random
) -> list[Question]:
    # One pass over the path finds, per line, the runs worth asking about (a branch's every
    # run, any run that jumps); asking the trace for each run's next line costs a lookup each.
    path = trace.path()
    counts: dict[int, int] = {}
    asked: dict[int, set[int]] = {}
    branches, is_jump = lines.branches, lines.is_jump
    for line, following in zip(path, [*path[1:], None]):
        hit = counts[line] = counts.get(line, 0) + 1
        if line in branches or is_jump(line, following):
            asked.setdefault(line, set()).add(hit)
    groups: dict[int, set[int]] = {}
    for line in sorted(lines.statements):
        runs = counts.get(line, 0)
        if runs == 0:
            if config.unreached:
                groups.setdefault(line, set()).add(1)
            continue
        if line in asked:
            groups[line] = asked[line]
        if config.beyond_last_hit and line in lines.loops:
            groups.setdefault(line, set()).add(runs + 1)
    chosen = _draw(_within(config, _candidates(groups)), config.limit("next_statement"), config.max_end_answers,
                   rng, key=lambda c: c[0], is_end=lambda c: trace.next_line(*c) is None)
    return [next_statement_question(lines, trace, line, hit) for line, hit in chosen]


def _states(
    trace: Trace, lines: ProgramLines, config: TaskConfig, rng: random.Random
) -> list[Question]:
    groups: dict[tuple[int, str], set[int]] = {}
    for step in trace.steps:
        for var, value in step.changes.items():
            if value is None or var in step.truncated or not var.isidentifier():
                continue
            if len(value[0]) > config.max_value_chars or not is_stable_repr(value[0]):
                continue
            groups.setdefault((step.line, var), set()).add(step.hit)
    if config.unreached:
        for line, names in lines.bindings.items():
            if line in lines.statements and trace.hits(line) == 0:
                for var in names:
                    groups.setdefault((line, var), set()).add(1)
    chosen = _draw(_within(config, _candidates(groups)), config.limit("state"), config.max_end_answers, rng,
                   key=lambda c: c[0], is_end=lambda c: trace.hits(c[0][0]) < c[1])
    return [state_question(trace, line, hit, var) for (line, var), hit in chosen]


def _coverage(
    lines: ProgramLines, trace: Trace, config: TaskConfig, rng: random.Random
) -> list[Question]:
    chosen = _draw(sorted(lines.statements), config.limit("coverage"), config.max_end_answers,
                   rng, key=lambda line: line, is_end=lambda line: trace.hits(line) == 0)
    return [coverage_question(trace, line) for line in chosen]


def _paths(
    lines: ProgramLines, trace: Trace, config: TaskConfig, rng: random.Random
) -> list[Question]:
    candidates = [line for line in sorted(lines.statements) if config.unreached or trace.hits(line)]
    chosen = _draw(candidates, config.limit("path"), config.max_end_answers, rng,
                   key=lambda line: line, is_end=lambda line: _ends_only(trace, line))
    return [path_question(lines, trace, line) for line in chosen]


def _ends_only(trace: Trace, line: int) -> bool:
    """True when every answer to a path question at ``line`` would be -1."""
    return all(trace.next_line(line, h) is None for h in range(1, trace.hits(line) + 1))


def _candidates(groups: dict[_T, set[int]]) -> list[tuple[_T, int]]:
    """(location, hit) pairs in sorted order."""
    return [(key, hit) for key in sorted(groups) for hit in sorted(groups[key])]  # type: ignore[type-var]


def _within(config: TaskConfig, candidates: list[tuple[_T, int]]) -> list[tuple[_T, int]]:
    """The candidates whose run number respects ``config.max_hit``."""
    if config.max_hit is None:
        return candidates
    return [c for c in candidates if c[1] <= config.max_hit]


def _draw(
    items: list[_T],
    limit: int,
    max_end: int,
    rng: random.Random,
    *,
    key: Callable[[_T], Hashable],
    is_end: Callable[[_T], bool],
) -> list[_T]:
    """Up to ``limit`` items, round-robin over their locations (``key``) in a seeded order.

    ``items`` must arrive sorted; at most ``max_end`` chosen items may satisfy ``is_end``. The
    result comes back sorted, so record order does not depend on the draw order.
    """
    groups: dict[Hashable, list[_T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    order = list(groups)
    rng.shuffle(order)
    chosen: list[_T] = []
    ends = 0
    while len(chosen) < limit and any(groups.values()):
        for k in order:
            queue = groups[k]
            while queue and len(chosen) < limit:
                item = _take_any(queue, rng)
                if is_end(item):
                    if ends >= max_end:
                        continue
                    ends += 1
                chosen.append(item)
                break
    return sorted(chosen)  # type: ignore[type-var]


def _take_any(items: list[_T], rng: random.Random) -> _T:
    """Remove and return a uniformly drawn item: drawing only the items that get taken, where
    shuffling every location's whole list first cost a sixth of building a record (a loop
    line's list holds one item per iteration, and a handful are ever taken)."""
    i = rng.randrange(len(items))
    items[i], items[-1] = items[-1], items[i]
    return items.pop()
