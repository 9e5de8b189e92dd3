"""The synthetic held-out benchmark: our records, asked and scored as in training."""

import random

import pytest

from execverify.data.dataset import write_records
from execverify.data.records import Record
from execverify.eval.synthetic import Synthetic
from execverify.synth import generate
from execverify.tasks import build_record, expected_completion
from execverify.tasks.prompts import answer_block
from execverify.trace import trace_call


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, sandbox):
    """Six records over levels 1-3, written as one JSONL shard in a dataset folder."""
    rng = random.Random(7)
    records = []
    for level in (1, 2, 3):
        while sum(r.level == level for r in records) < 2:
            program = generate(level, rng)
            trace = trace_call(program.source, program.entry, program.args, sandbox=sandbox)
            if not trace.ok:
                continue
            records.append(build_record(program.source, program.entry, program.args,
                                        level=level, source="builtin",
                                        id=f"l{level}-{len(records)}", trace=trace))
    folder = tmp_path_factory.mktemp("heldout")
    write_records(folder, records, {"generator": "test"})
    return folder, records


def perfect(sample) -> str:
    record = Record.from_dict(sample.reference["record"])
    if sample.reference["task"] == "input":
        return answer_block([record.args])
    return expected_completion(record)


def test_two_prompts_per_record(dataset):
    folder, records = dataset
    samples = Synthetic(str(folder)).samples()
    assert len(samples) == 2 * len(records)
    assert {s.group["task"] for s in samples} == {"combined", "input"}
    assert {s.group["level"] for s in samples} == {1, 2, 3}
    assert all(s.system for s in samples)


def test_perfect_answers_score_full_marks(dataset, sandbox):
    folder, _ = dataset
    bench = Synthetic(str(folder))
    samples = bench.samples()
    verdicts = bench.score(samples, [[perfect(s)] for s in samples], sandbox)
    assert all(v.passed == [True] for v in verdicts)
    agg = bench.aggregate(verdicts)
    assert agg["accuracy"].value == 1.0 and agg["step_accuracy"].value == 1.0
    asked = sum(len(v.details["questions"]) for v in verdicts)
    assert agg["question_accuracy"].value == 1.0 and agg["question_accuracy"].n == asked
    kinds = bench.breakdown(verdicts)["kind"]
    assert "output" in kinds and "input" in kinds
    assert all(m.value == 1.0 for m in kinds.values())
    assert set(bench.breakdown(verdicts)["level"]) == {"1", "2", "3"}


def test_wrong_answers_score_zero(dataset, sandbox):
    folder, _ = dataset
    bench = Synthetic(str(folder))
    samples = bench.samples()
    wrong = [[answer_block(["'definitely wrong'"])] for _ in samples]
    verdicts = bench.score(samples, wrong, sandbox)
    assert not any(v.passed[0] for v in verdicts)
    assert bench.aggregate(verdicts)["reward"].value == 0.0
    unreadable = bench.score(samples, [["no tags at all"] for _ in samples], sandbox)
    assert bench.aggregate(unreadable)["question_accuracy"].value == 0.0
    kinds = bench.breakdown(unreadable)["kind"]  # every asked kind is counted, as wrong
    assert {"output", "input"} <= set(kinds) and all(m.value == 0.0 for m in kinds.values())


def test_a_single_jsonl_file_works_too(dataset, tmp_path):
    folder, records = dataset
    path = tmp_path / "records.jsonl"
    path.write_text((folder / "shards" / "records.jsonl").read_text(), encoding="utf-8")
    assert len(Synthetic(str(path)).samples()) == 2 * len(records)
