"""``execverify demo``: resolved configs, overrides, one-line errors."""

from __future__ import annotations

import yaml

from execverify.cli import main


def test_dry_run_points_every_stage_into_the_output_folder(tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["demo", "--dry-run", "--out", str(out), "stage1.max_steps=3",
                 "demo.seed=4"]) == 0
    configs = yaml.safe_load(capsys.readouterr().out)
    assert configs["demo"]["out"] == str(out) and configs["demo"]["seed"] == 4
    assert configs["sft"]["data"] == str(out / "data" / "train")
    assert configs["sft"]["model"] == configs["demo"]["model"] == "builtin"
    assert configs["stage1"]["model"] == configs["sft"]["output_dir"] == str(out / "sft")
    assert configs["stage1"]["max_steps"] == 3 and configs["stage1"]["seed"] == 4
    assert configs["stage1"]["levels"] == configs["demo"]["levels"] == [1, 2]


def test_bad_values_fail_in_one_line(capsys):
    assert main(["demo", "--dry-run", "demo.records=0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "DemoConfig.records" in err
    assert main(["demo", "--config", "no-such-recipe"]) == 2
    assert "no-such-recipe" in capsys.readouterr().err
