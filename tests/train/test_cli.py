"""The ``train`` verb: recipe + overrides resolved and validated, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from execverify.cli import CliError, OneLineParser
from execverify.train.cli import register

RECIPE = str(Path(__file__).resolve().parents[2] / "configs" / "cpu-demo.yaml")


def run(argv: list[str]) -> int:
    parser = OneLineParser(prog="execverify")
    register(parser.add_subparsers(dest="verb", parser_class=OneLineParser))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_dry_run_prints_the_resolved_config(capsys):
    assert run(["train", "stage1", "--config", RECIPE, "max_steps=3", "sft.max_steps=9",
                "--dry-run"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)["stage1"]
    assert printed["max_steps"] == 3 and printed["levels"] == [1, 2]
    assert printed["num_generations"] == 8 and printed["beta"] == 0.0


def test_defaults_without_a_recipe(capsys):
    assert run(["train", "sft", "--dry-run"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["sft"]["route"] == "trace"


@pytest.mark.parametrize(("argv", "words"), [
    (["train", "stage1", "num_generations=1", "--dry-run"], ["num_generations", ">= 2"]),
    (["train", "sft", "--config", "missing.yaml"], ["does not exist"]),
    (["train", "stage1", "data="], ["Stage1Config.data is empty"]),
    (["train", "sft", "data=/nonexistent/folder"], ["is not a folder"]),
    (["train", "stage3"], ["invalid choice"]),
])
def test_bad_input_is_one_line(argv, words):
    with pytest.raises(CliError) as err:
        run(argv)
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_the_verb_loads_without_the_training_stack():
    import subprocess
    import sys

    code = ("import sys, execverify.train.cli, execverify.train.grpo, execverify.train.sft; "
            "print(sorted(m for m in ('torch', 'trl', 'transformers', 'peft') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
