"""The recipe tree: every section loads from one file, overrides and shorthands reach the right
field, and ``reward.output_only=true`` is one recipe line that changes what TRL, verl and
OpenRLHF are rewarded with."""

from __future__ import annotations

import argparse
import dataclasses
import json

import pytest

from execverify.config import (
    SECTIONS,
    ConfigError,
    load_recipe,
    load_section,
    recipe_yaml,
    section_class,
    shorthand,
    shorthand_overrides,
)
from execverify.rewards.config import RewardConfig, reward_config, reward_fields
from execverify.tasks import answer_block, expected_answers, render_combined


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_section_builds_from_its_defaults_and_dumps_to_yaml(section):
    if section == "eval":  # the one section that needs a value: which model
        config = load_section(section, None, ["model=builtin"])
    else:
        config = load_section(section)
    assert isinstance(config, section_class(section))
    assert recipe_yaml({section: config}).startswith(f"{section}:")


def test_packaged_recipes_load_every_section_they_have():
    for name in ("cpu-demo", "paper-7b"):
        sections = load_recipe(name)
        assert sections and all(type(c) is section_class(s) for s, c in sections.items())


def test_overrides_reach_nested_and_optional_fields(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("synth:\n  num: 40\n  tasks: {max_state: 2}\ntrace:\n  max_steps: 500\n")
    synth = load_section("synth", recipe, ["seed=3", "synth.difficulty_model=builtin"])
    assert (synth.num, synth.seed, synth.tasks.max_state) == (40, 3, 2)
    assert synth.difficulty_model == "builtin" and synth.tasks.kinds == (
        "output", "input", "next_statement", "state")
    assert load_section("trace", recipe).max_steps == 500
    assert load_section("synth", recipe, {"synth.difficulty_model": None}).difficulty_model is None


@pytest.mark.parametrize(("override", "words"), [
    ("synth.num=0", ["SynthConfig.num", ">= 1", "0"]),
    ("synth.nmu=3", ["SynthConfig", "'nmu'", "known fields"]),
    ("synth.levels=[9]", ["levels", "1..6"]),
    ("tasks.kinds=[output, outptu]", ["TaskConfig.kinds", "outptu"]),
    ("reward.scale=-1", ["RewardConfig.scale", "> 0"]),
    ("reward.output_only=maybe", ["RewardConfig.output_only", "bool", "'maybe'"]),
    ("trace.max_repr=2", ["TraceOptions.max_repr", "8"]),
    ("rewrd.output_only=true", ["no section 'rewrd'", "reward"]),
])
def test_bad_values_name_the_field_the_value_and_the_fix(override, words):
    section = override.partition(".")[0]
    with pytest.raises(ConfigError) as err:
        load_section(section if section in SECTIONS else "reward", None, [override])
    for word in words:
        assert word in str(err.value)


def test_shorthand_flags_are_overrides_without_defaults_of_their_own():
    parser = argparse.ArgumentParser()
    shorthand(parser, "--num", "synth", "num")
    shorthand(parser, "--decontaminate", "synth", "decontaminate", action="store_true")
    assert shorthand_overrides(parser.parse_args([])) == {}
    assert shorthand_overrides(parser.parse_args(["--num", "7", "--decontaminate"])) == {
        "synth.num": 7, "synth.decontaminate": True}
    assert "(default: 1000)" in parser.format_help()
    with pytest.raises(ConfigError, match="no field 'nmu'"):
        shorthand(parser, "--nmu", "synth", "nmu")


def test_every_cli_shorthand_names_a_field():
    """The flags of every verb that are shorthands point at real fields (checked at build)."""
    from execverify.cli import build_parser

    build_parser()  # shorthand() raises on a flag that names no field


def _eval_config(argv: list[str]):
    from execverify.cli import build_parser, split_overrides
    from execverify.eval.cli import _run_config

    args = build_parser().parse_args(["eval", *argv])
    args.benchmarks, args.overrides = split_overrides(args.benchmarks)
    return args.benchmarks, _run_config(args)


def test_eval_reads_its_section_from_a_recipe_then_overrides_then_flags(tmp_path):
    recipe = tmp_path / "eval.yaml"
    recipe.write_text("eval:\n  model: builtin\n  temperature: 0.7\n  n: 4\n"
                      "  backend_options: {dtype: float32}\n")
    names, config = _eval_config(["mbpp", "--config", str(recipe), "eval.n=8", "humaneval",
                                  "--top-p", "0.9", "--backend-option", "device=cpu"])
    assert names == ["mbpp", "humaneval"]
    assert (config.model, config.temperature, config.n, config.top_p) == ("builtin", 0.7, 8, 0.9)
    assert config.backend_options == {"dtype": "float32", "device": "cpu"}
    assert config.progress and config.batch_size == 8  # untouched fields keep their defaults
    _, flagged = _eval_config(["mbpp", "--model", "m", "--no-progress", "--preload", "a, b"])
    assert (flagged.model, flagged.progress, flagged.preload) == ("m", False, ("a", "b"))
    with pytest.raises(ConfigError, match=r"RunConfig\.batch_size must be an integer >= 1; got 0"):
        _eval_config(["mbpp", "--model", "m", "eval.batch_size=0"])


# -- reward.output_only=true reaches every trainer ------------------------------------------


@pytest.fixture
def output_only(tmp_path):
    recipe = tmp_path / "ablation.yaml"
    recipe.write_text("reward:\n  output_only: true\n")
    return recipe


def _right_output_wrong_steps(record) -> str:
    answers = expected_answers(record)
    return answer_block([answers[0]] + ["-1" if a != "-1" else "Nil" for a in answers[1:]])


def test_output_only_changes_the_trl_reward_of_a_training_step(output_only, record, tmp_path,
                                                               tiny_model):
    from execverify.train.config import Stage1Config
    from execverify.train.grpo import build_stage1_trainer

    reward = load_section("reward", output_only)
    assert reward.output_only and reward_fields(reward) == {"output_only": True}
    completion = _right_output_wrong_steps(record)
    model, tokenizer = tiny_model
    config = Stage1Config(output_dir=str(tmp_path / "run"), input_share=0.0, num_generations=2,
                          prompts_per_step=1, max_steps=1, max_completion_length=8,
                          report_to=(), extra={"gradient_checkpointing": False})
    scores = {}
    for name, section in (("default", RewardConfig()), ("ablation", reward)):
        trainer = build_stage1_trainer(config, [record], model=model, tokenizer=tokenizer,
                                reward=section)
        rewards = [f(prompts=[render_combined(record)], completions=[completion],
                     record=[record.to_json()], task=["combined"])[0]
                   for f in trainer.reward_funcs]
        scores[name] = [r for r in rewards if r is not None]
    assert scores == {"default": [1.0], "ablation": [2.0]}


def test_output_only_reaches_verl_through_reward_kwargs(output_only, record):
    from execverify.rewards.verl import compute_score
    from execverify.train.config import Stage1Config, VerlConfig
    from execverify.train.verl_engine import plan_run

    reward = load_section("reward", output_only)
    run = plan_run("stage1", Stage1Config(prompts_per_step=16), VerlConfig(), reward)
    kwargs = run.values["reward"]["custom_reward_function"]["reward_kwargs"]
    assert kwargs == {"output_only": True}
    args = ("execverify/combined", _right_output_wrong_steps(record), record.to_json(),
            {"task": "combined"})
    assert compute_score(*args)["score"] == 1.0
    assert compute_score(*args, **kwargs)["score"] == 2.0
    default = plan_run("stage1", Stage1Config(prompts_per_step=16), VerlConfig())
    assert default.values["reward"]["custom_reward_function"]["reward_kwargs"] == {}


def test_output_only_reaches_openrlhf_through_the_environment(output_only, record,
                                                              monkeypatch):
    from execverify.data.export import trl_row
    from execverify.rewards.openrlhf import reward_func

    row = trl_row(record, "combined")
    call = ([_right_output_wrong_steps(record)], [""], [row["label"]])
    assert reward_func(*call)["rewards"].tolist() == [1.0]
    reward = load_section("reward", output_only)
    monkeypatch.setenv("EXECVERIFY_REWARD", json.dumps(reward_fields(reward)))
    assert reward_func(*call)["rewards"].tolist() == [2.0]
    monkeypatch.setenv("EXECVERIFY_REWARD", "{not json")
    with pytest.raises(ConfigError, match="EXECVERIFY_REWARD"):
        reward_func(*call)


def test_reward_config_from_keyword_arguments():
    assert reward_config({}) == RewardConfig()
    assert reward_config({"output_only": True, "unrelated": 1}).output_only is True
    assert dataclasses.asdict(reward_config({"scale": 3})) == dataclasses.asdict(
        RewardConfig(scale=3.0))
    with pytest.raises(ConfigError, match=r"RewardConfig\.scale"):
        reward_config({"scale": 0})


def test_the_repository_copies_of_the_recipes_are_the_packaged_ones():
    """``configs/`` holds a copy of every packaged recipe, for reading and editing beside the
    code; a copy that drifted would run something other than what the docs describe."""
    from pathlib import Path

    from execverify.config import RECIPES

    copies = Path(__file__).resolve().parents[1] / "configs"
    for packaged in RECIPES.glob("*.yaml"):
        assert (copies / packaged.name).read_text() == packaged.read_text(), packaged.name
