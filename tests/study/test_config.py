"""The study's config and command line, without training anything."""

from __future__ import annotations

import pytest

from execverify.cli import main
from execverify.config import ConfigError
from execverify.study import load_study
from execverify.study.config import StudyConfig


def test_packaged_recipe_gives_equal_rl_arms_and_the_seeds():
    study = load_study("study-cpu")
    assert study.config.arms == ("sft", "whitebox", "output_only")
    assert study.seeds == [0, 1]
    white, only = study.stage1_config("whitebox", 1), study.stage1_config("output_only", 1)
    assert white.model == only.model == study.sft_config(1).output_dir
    differing = {f for f in white.__dataclass_fields__ if getattr(white, f) != getattr(only, f)}
    assert differing == {"output_dir"}  # same prompts, rollouts, steps, budget and seed
    assert not study.arm_reward("whitebox").output_only
    assert study.arm_reward("output_only").output_only
    assert not study.arm_reward("ungated").gate_on_output
    assert study.demo.out == study.config.out


def test_sft_more_trains_as_many_sequences_as_an_rl_arm():
    study = load_study("study-cpu", ["stage1.max_steps=10"])
    more = study.sft_more_config(0)
    assert more.model == study.sft_config(0).output_dir
    assert more.max_steps * more.batch_size * more.gradient_accumulation_steps == \
        study.rl_sequences() == 10 * 2 * 8
    assert load_study("study-cpu", ["study.sft_more_steps=3"]).sft_more_config(0).max_steps == 3


@pytest.mark.parametrize(("field", "value", "message"), [
    ("arms", ("sft", "rl"), "distinct arms"),
    ("arms", ("sft", "sft"), "distinct arms"),
    ("arms", (), "distinct arms"),
    ("seeds", 0, "integer >= 1"),
    ("reval_limit", -1, "integer >= 0"),
    ("confidence", 1.0, "below 1"),
])
def test_bad_values_say_what_is_wrong(field, value, message):
    with pytest.raises(ConfigError, match=message):
        StudyConfig(**{field: value})


def test_the_command_prints_its_configs_and_rejects_bad_input(capsys):
    assert main(["study", "--dry-run", "--out", "elsewhere", "study.seeds=3"]) == 0
    printed = capsys.readouterr().out
    assert "study:\n  out: elsewhere" in printed and "seeds: 3" in printed
    assert main(["study", "--dry-run", "study.arms=[sft,rl]"]) == 2
    assert "StudyConfig.arms" in capsys.readouterr().err
