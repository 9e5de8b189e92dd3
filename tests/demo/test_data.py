"""The demo's data: length filter, a split fixed by id hash, and no held-out program trained on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from execverify.demo.data import prepare_data, questions_asked, short_enough, split
from execverify.train.config import DemoConfig


def test_questions_asked_counts_the_chosen_prompts(record):
    both = questions_asked(record)
    assert both == questions_asked(record, ("combined",)) + 1
    assert questions_asked(record, ("input",)) == 1


def test_short_enough_limits_arguments_and_every_answer(record):
    longest = max(len(q.answers[0]) for q in record.questions if q.kind != "input")
    assert longest >= len("[10, 14]; list")  # state answers carry the type too
    config = DemoConfig(max_args_chars=len("[5, 7]"), max_output_chars=longest)
    assert short_enough(record, config)
    assert not short_enough(replace(record, args="[5, 7, 9]"), config)
    assert not short_enough(record, replace(config, max_output_chars=longest - 1))


def test_split_is_fixed_by_seed_and_keeps_held_out_programs_out_of_training(record):
    records = [replace(record, id=f"r{i}", program=record.program + f"# {i % 7}\n") for i in range(30)]
    config = DemoConfig(records=30, heldout_records=5)
    train, heldout = split(records, config)
    assert len(heldout) == 5
    assert not {r.program for r in train} & {r.program for r in heldout}
    assert [r.id for r in split(list(reversed(records)), config)[1]] == [r.id for r in heldout]
    assert [r.id for r in split(records, replace(config, seed=1))[1]] != [r.id for r in heldout]


def test_prepare_data_synthesises_once_and_refuses_a_small_held_out_set(tmp_path):
    config = DemoConfig(records=40, heldout_records=6, min_heldout_questions=10,
                        max_args_chars=10_000, max_output_chars=10_000)
    data = prepare_data(config, tmp_path, progress=False)
    assert data.heldout_records == 6 and data.heldout_questions >= 10
    assert data.train_records + data.heldout_records <= 40
    before = (tmp_path / "data" / "heldout.jsonl").read_bytes()
    assert prepare_data(config, tmp_path, progress=False) == data
    assert (tmp_path / "data" / "heldout.jsonl").read_bytes() == before
    with pytest.raises(ValueError, match="needs at least 1000"):
        prepare_data(replace(config, min_heldout_questions=1000), tmp_path / "again",
                     progress=False)
