"""Stage configs: method defaults, YAML recipes, key=value overrides, and errors that explain."""

from __future__ import annotations

from pathlib import Path

import pytest

from execverify.config import ConfigError, load_section, parse_overrides
from execverify.train.config import SFTConfig, Stage1Config

RECIPE = Path(__file__).resolve().parents[2] / "configs" / "cpu-demo.yaml"


def test_stage1_defaults_follow_the_method():
    c = Stage1Config()
    assert (c.num_generations, c.beta, c.lr_scheduler_type, c.scale_rewards) == (
        8, 0.0, "constant", "group")
    assert (c.prompts_per_step, c.learning_rate, c.max_completion_length) == (128, 1e-6, 4096)


def test_the_cpu_recipe_loads_and_scales_the_method_down():
    sft = load_section("sft", RECIPE)
    stage1 = load_section("stage1", RECIPE)
    assert isinstance(sft, SFTConfig) and sft.levels == (1, 2)
    assert isinstance(stage1, Stage1Config)
    assert stage1.num_generations == 8 and stage1.prompts_per_step < 128
    assert stage1.sampler == "bf16-copy" and stage1.lora_r > 0 and stage1.select_samples > 1
    assert stage1.beta == 0.0 and stage1.extra == {"gradient_checkpointing": False}


def test_overrides_plain_and_dotted_with_yaml_values():
    c = load_section("stage1", RECIPE, ["max_steps=3", "stage1.learning_rate=2e-6",
                                       "sft.max_steps=99", "levels=[3]", "temperature=1"])
    assert (c.max_steps, c.learning_rate, c.levels, c.temperature) == (3, 2e-6, (3,), 1.0)
    assert isinstance(c.temperature, float)
    assert load_section("sft", None, {"sft.max_steps": 99}).max_steps == 99


@pytest.mark.parametrize(("override", "words"), [
    ("max_stepz=3", ["Stage1Config", "max_stepz", "known fields"]),
    ("max_steps=three", ["Stage1Config.max_steps", "int", "'three'"]),
    ("max_steps=0", ["Stage1Config.max_steps", ">= 1", "0"]),
    ("num_generations=1", ["num_generations", ">= 2", "1"]),
    ("scale_rewards=std", ["scale_rewards", "'group'", "'std'"]),
    ("levels=[0, 7]", ["levels", "1 to 6"]),
    ("input_share=1.5", ["input_share", "between 0 and 1", "1.5"]),
    ("beta=-0.1", ["beta", ">= 0"]),
    ("use_kl", ["key=value"]),
])
def test_bad_values_name_the_field_the_value_and_the_rule(override, words):
    with pytest.raises(ConfigError) as err:
        load_section("stage1", None, [override])
    for word in words:
        assert word in str(err.value)


def test_bad_files_and_sections(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_section("sft", tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("stage3:\n  x: 1\n")
    with pytest.raises(ConfigError, match="unknown sections"):
        load_section("sft", bad)
    with pytest.raises(ConfigError, match="unknown config section"):
        load_section("stage9")
    with pytest.raises(ConfigError, match="bool"):
        load_section("sft", None, ["lora_r=true"])


def test_parse_overrides_reads_yaml_scalars():
    assert parse_overrides(["a=1.0e-6", "b=true", "c=x", "d=", "e=[1, 2]"]) == {
        "a": 1e-6, "b": True, "c": "x", "d": "", "e": [1, 2]}
