"""The teacher route: a scripted teacher model, real scoring, only full-score texts kept."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from execverify.config import ConfigError, load_section
from execverify.models import BACKENDS, Backend, SamplingParams, load_backend, register_backend
from execverify.rewards import DEFAULT_CONFIG, score_batch
from execverify.tasks import TaskConfig, build_record, render_single
from execverify.train.config import SFTConfig
from execverify.train.reasoning import full_score
from execverify.train.sft import sft_examples
from execverify.train.teacher import (
    HINTS,
    teacher_examples,
    teacher_prompts,
    teacher_sampling,
)

DOUBLE = "def f(xs):\n    ys = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys\n"
LENGTH = "def f(s):\n    n = len(s)\n    return n * 2\n"
KINDS = TaskConfig(kinds=("output", "input", "state"))


def block(answer: str, reasoning: str = "Step by step.") -> str:
    return f"<reasoning>\n{reasoning}\n</reasoning>\n<answer>\n{answer}\n</answer>"


# What the scripted teacher answers, by a phrase of the question it is asked; sample j of a
# prompt is script[phrase][j % 3]. Comments say how our reward should judge each text.
SCRIPT = {
    "assert f([5, 7]) == ??": [block("[10, 14]"), block("[10, 14]"),  # right, then a copy
                               block("[10, 15]")],  # wrong value
    "assert f(??) == [10, 14]": [block("[5, 8]"), "I think it is [5, 7]",  # wrong, prose
                                 block("[5, 7]", "Halve each element.")],  # right
    "assert f([1, 2, 3]) == ??": [block("[2, 4, 5]"), "<reasoning>\nLet me see",  # wrong, open
                                  "It returns a list.\nDoubled, I think."],  # no answer
    "assert f(??) == [2, 4, 6]": [block("[1, 2]"), block("1, 2, 3"), block("")],  # all wrong
    "assert f('abc') == ??": [block("6"), block("6", "len is 3, doubled."), block("3")],
    "assert f(??) == 6": [block("'xyz'"), block("'ab'"), block("'pqr'")],  # any 3 chars do
}
RIGHT = {  # (record, task) -> the texts that must be kept with per_prompt=1
    ("double", "output"): block("[10, 14]"),
    ("double", "input"): block("[5, 7]", "Halve each element."),
    ("length", "output"): block("6"),
    ("length", "input"): block("'xyz'"),
}


class ScriptedTeacher(Backend):
    """A deterministic stand-in for a teacher model: answers by script, remembers what it saw."""

    name = "scripted-teacher"

    def __init__(self, model: str) -> None:
        self.model = model
        self.seen: list[str] = []

    def generate(self, prompts: Sequence, params: SamplingParams | None = None
                 ) -> list[list[str]]:
        params = params or SamplingParams()
        out = []
        for prompt in prompts:
            text = prompt[-1]["content"]
            self.seen.append(text)
            script = next(v for k, v in SCRIPT.items() if k in text)
            out.append([script[j % len(script)] for j in range(params.n)])
        return out


@pytest.fixture
def scripted():
    made: list[ScriptedTeacher] = []

    def factory(model, **options):
        made.append(ScriptedTeacher(model, **options))
        return made[-1]

    register_backend("scripted-teacher", factory, replace=True)
    yield made
    BACKENDS.pop("scripted-teacher", None)


@pytest.fixture(scope="module")
def records():
    calls = [("double", DOUBLE, "[5, 7]"), ("double2", DOUBLE, "[1, 2, 3]"),
             ("length", LENGTH, "'abc'")]
    return [build_record(program, "f", args, level=1, source="builtin", id=name, config=KINDS,
                         seed=1)
            for name, program, args in calls]


def test_only_right_answers_are_kept_with_the_student_prompt(records, scripted):
    teacher = load_backend("scripted-teacher", "script")
    run = teacher_examples(records, teacher, SamplingParams(n=3, temperature=1.0))
    assert {(e.id, e.task): e.completion for e in run.examples} == RIGHT
    assert (run.prompts, run.generated, run.full, run.kept, run.prompts_kept) == (6, 18, 7, 4, 4)
    assert run.kept_share == pytest.approx(4 / 6)
    assert sum(run.statuses.values()) == 18
    by_id = {r.id: r for r in records}
    for example in run.examples:
        record = by_id[example.id]
        student = render_single(record, record.questions_of(example.task)[0])
        assert example.prompt == student  # what stage 1 and evaluation ask
        assert example.messages()[-2] == {"role": "user", "content": student}
        assert f"{student}\n\n{HINTS[example.task]}" in teacher.seen  # the teacher got a hint
        rescored = score_batch([example.completion], [record], [example.task])[0]
        assert rescored.score == example.score >= full_score(example.task, DEFAULT_CONFIG)
    assert "kept 4 examples from 4 prompts (66.7% of prompts)" in run.summary()


def test_per_prompt_keeps_distinct_right_texts(records, scripted):
    teacher = load_backend("scripted-teacher", "script")
    run = teacher_examples(records, teacher, SamplingParams(n=3, temperature=1.0),
                           per_prompt=3, chunk=1)
    kept = sorted((e.id, e.task, e.completion) for e in run.examples)
    assert kept == [("double", "input", block("[5, 7]", "Halve each element.")),
                    ("double", "output", block("[10, 14]")),  # its copy is dropped
                    ("length", "input", block("'pqr'")), ("length", "input", block("'xyz'")),
                    ("length", "output", block("6")),
                    ("length", "output", block("6", "len is 3, doubled."))]
    assert (run.prompts, run.generated, run.full) == (6, 18, 7)


def test_teacher_prompts_skip_missing_questions_and_reject_unknown_tasks(records):
    no_input = build_record(LENGTH, "f", "'a'", level=1, source="builtin", id="x",
                            config=TaskConfig(kinds=("output",)))
    prompts = teacher_prompts([no_input], hints={})
    assert [(p.task, p.teacher == p.student) for p in prompts] == [("output", True)]
    with pytest.raises(ValueError, match="unknown task 'outputs'"):
        teacher_prompts(records, tasks=("outputs",))


def test_sft_routes_gather_teacher_trace_or_both(records, scripted, capsys):
    base = dict(teacher_backend="scripted-teacher", teacher_model="script", teacher_samples=3)
    teacher = sft_examples(SFTConfig(route="teacher", **base), records)
    assert {(e.id, e.task) for e in teacher} == set(RIGHT)
    assert "teacher: 6 prompts, 18 completions" in capsys.readouterr().err
    assert scripted[-1].model == "script"
    both = sft_examples(SFTConfig(route="both", **base), records)
    trace = sft_examples(SFTConfig(route="trace", **base), records)
    assert {e.task for e in trace} == {"combined", "input"}
    assert [(e.id, e.task, e.completion) for e in both] == [
        (e.id, e.task, e.completion) for e in trace + teacher]


@pytest.mark.parametrize(("values", "words"), [
    ({"route": "teacher"}, ["SFTConfig.teacher_model", "route is 'teacher'", "route=trace"]),
    ({"route": "both", "teacher_model": "  "}, ["teacher_model", "'both'"]),
    ({"route": "teacher", "teacher_model": "m", "teacher_backend": "nope"},
     ["SFTConfig.teacher_backend", "'nope'", "'transformers'", "register_backend"]),
    ({"teacher_samples": 0}, ["SFTConfig.teacher_samples", ">= 1"]),
    ({"teacher_max_tokens": -5}, ["SFTConfig.teacher_max_tokens", ">= 1"]),
    ({"teacher_temperature": -0.1}, ["SFTConfig.teacher_temperature", ">= 0"]),
    ({"teacher_temperature": 0.0}, ["SFTConfig.teacher_samples", "teacher_temperature is 0"]),
])
def test_teacher_fields_are_validated(values, words):
    with pytest.raises(ConfigError) as err:
        SFTConfig(**values)
    for word in words:
        assert word in str(err.value)


def test_teacher_fields_load_from_overrides():
    assert SFTConfig().route == "trace" and SFTConfig().teacher_model == ""  # trace needs none
    c = load_section("sft", None, ["route=teacher", "teacher_model=builtin",
                                  "teacher_temperature=0", "teacher_samples=1",
                                  "teacher_max_tokens=64", "seed=3"])
    assert (c.route, c.teacher_backend, c.teacher_model) == ("teacher", "transformers", "builtin")
    assert isinstance(c.teacher_temperature, float)
    assert teacher_sampling(c) == SamplingParams(max_new_tokens=64, temperature=0.0, n=1, seed=3)


def test_cli_dry_run_with_the_teacher_route(capsys):
    import yaml

    from execverify.cli import CliError, OneLineParser
    from execverify.train.cli import register

    def run(argv: list[str]) -> int:
        parser = OneLineParser(prog="execverify")
        register(parser.add_subparsers(dest="verb", parser_class=OneLineParser))
        args = parser.parse_args(argv)
        return args.handler(args)

    assert run(["train", "sft", "route=teacher", "teacher_model=builtin", "--dry-run"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)["sft"]
    assert (printed["route"], printed["teacher_model"], printed["teacher_samples"]) == (
        "teacher", "builtin", 4)
    with pytest.raises(CliError, match="teacher_model") as err:
        run(["train", "sft", "route=teacher", "--dry-run"])
    assert "\n" not in str(err.value)


def test_a_real_transformers_teacher_runs_end_to_end(records, tiny_model):
    """The tiny random model writes nonsense, so it may keep nothing; what it keeps is full."""
    model, tokenizer = tiny_model
    teacher = load_backend("transformers", model, tokenizer=tokenizer)
    run = teacher_examples(records[:2], teacher,
                           SamplingParams(n=2, temperature=1.0, max_new_tokens=24, seed=0))
    assert (run.prompts, run.generated) == (4, 8)
    assert sum(run.statuses.values()) == 8 and run.kept <= run.full <= 8
    by_id = {r.id: r for r in records}
    for example in run.examples:
        result = score_batch([example.completion], [by_id[example.id]], [example.task])[0]
        assert result.score >= full_score(example.task, DEFAULT_CONFIG)
