"""Per-question verdicts read from results documents, and a study arm as an eval document."""

from __future__ import annotations

import pytest

from execverify.eval.report import question_items
from execverify.study.report import arm_document


def bench(name, samples):
    return {"name": name, "data_hash": "sha256:x", "samples": samples}


def test_synthetic_prompts_give_one_item_per_question_clustered_by_record():
    items = list(question_items(bench("synthetic", [
        {"id": "L1-7/combined", "group": {"level": 1, "task": "combined"}, "passed": [False],
         "statuses": ["fail"], "details": {"questions": [["output", True], ["state", False]]}},
        {"id": "L1-7/input", "group": {"level": 1, "task": "input"}, "passed": [True],
         "statuses": ["pass"], "details": {"questions": [["input", True]]}}])))
    assert items == [("L1-7/combined", 0, True, "L1-7", ["kind:output", "level:1"]),
                     ("L1-7/combined", 1, False, "L1-7", ["kind:state", "level:1"]),
                     ("L1-7/input", 0, True, "L1-7", ["kind:input", "level:1"])]


def test_reval_probes_cluster_by_program_and_input_and_skip_programs_without_truth():
    items = list(question_items(bench("reval", [
        {"id": "DREval/3/1/0/state", "group": {"task": "state"}, "passed": [True],
         "statuses": ["pass"]},
        {"id": "DREval/3/1/output", "group": {"task": "output"}, "passed": [False],
         "statuses": ["fail"]},
        {"id": "DREval/3/2/0/path", "group": {"task": "path"}, "passed": [False],
         "statuses": ["no_truth"]}])))
    assert items == [("DREval/3/1/0/state", 0, True, "DREval/3/1", ["task:state"]),
                     ("DREval/3/1/output", 0, False, "DREval/3/1", ["task:output"])]


def test_an_arm_reads_as_an_eval_document():
    study = {"arms": ["sft"], "seeds": [0, 1], "code": {},
             "benchmarks": {"cruxeval-o": {"headline": "accuracy", "data_hash": "sha256:c"}},
             "results": {"sft": {"cruxeval-o": {"accuracy": {
                 "value": 0.5, "low": 0.3, "high": 0.692, "n": 80, "clusters": 40}}}}}
    got = arm_document(study, "sft")
    bench = got["benchmarks"][0]
    assert got["schema"] == "execverify.eval/1" and bench["data_hash"] == "sha256:c"
    assert bench["aggregates"]["accuracy"]["stderr"] == pytest.approx(0.392 / 3.92)
    with pytest.raises(ValueError, match="no arm 'rl'"):
        arm_document(study, "rl")
