"""The difficulty filter on the policy: probe the starting model, keep the prompts whose
rewards differ; deterministic given the seed, and not probed again on resume."""

from __future__ import annotations

import json

import pytest

from execverify.tasks import TaskConfig, answer_block, build_record, render_combined
from execverify.train.config import Stage1Config
from execverify.train.difficulty import SELECTION_FILE, Probe, informative, select_rows
from execverify.train.grpo import informative_rows, stage1_rows

from .test_grpo_smoke import PROGRAM, teach_half_right

pytest.importorskip("torch")

OTHER = "def g(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"


def _records():
    config = TaskConfig(kinds=("output",))
    taught = build_record(PROGRAM, "f", "[5, 7]", level=1, source="builtin", id="taught",
                          config=config)
    other = build_record(OTHER, "g", "4", level=1, source="builtin", id="other", config=config)
    return taught, other


def test_keeps_what_the_policy_solves_sometimes_and_the_same_each_time(tmp_path, tiny_model):
    taught, other = _records()
    model, tokenizer = tiny_model
    teach_half_right(model, tokenizer, render_combined(taught), answer_block(["[10, 14]"]),
                     answer_block(["[10, 15]"]))
    rows = stage1_rows([other, taught], input_share=0.0)
    probe = Probe(samples=6, max_new_tokens=24, seed=1)

    kept = select_rows(rows, model, tokenizer, probe, tmp_path)
    assert [row["id"] for row in kept] == ["taught"]  # g(4) is never answered right
    saved = json.loads((tmp_path / SELECTION_FILE).read_text())
    assert saved["probed"] == 2 and saved["kept"] == 1
    assert saved["rewards"]["combined/other"] == [0.0] * 6
    assert informative(saved["rewards"]["combined/taught"])

    (tmp_path / SELECTION_FILE).unlink()
    select_rows(rows, model, tokenizer, probe, tmp_path)  # probed again: same draws
    assert json.loads((tmp_path / SELECTION_FILE).read_text()) == saved
    # a resumed stage reads the probe back instead of sampling (no model needed)
    assert select_rows(rows, None, None, probe, tmp_path) == kept


def test_a_probe_that_keeps_nothing_says_so_and_trains_on_every_prompt(tmp_path, tiny_model):
    _, other = _records()
    model, tokenizer = tiny_model
    config = Stage1Config(output_dir=str(tmp_path), input_share=0.0, select_samples=2,
                          max_completion_length=8)
    rows = stage1_rows([other], 0.0)
    with pytest.warns(RuntimeWarning, match="select_records"):
        assert informative_rows(config, rows, model, tokenizer) == rows


def test_select_samples_of_one_is_refused():
    with pytest.raises(ValueError, match="select_samples"):
        Stage1Config(select_samples=1)
