"""The loaders and the page, without a browser: what each kind of PATH becomes."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from execverify.cli import main
from execverify.view import ViewError, detect_kind, load_view, render_page
from execverify.view.page import embed_json

from .conftest import XSS


def test_detects_each_kind(dataset, eval_run, train_run, tmp_path):
    study = tmp_path / "study"
    shutil.copytree(eval_run, study / "arms" / "base" / "eval" / "synthetic")
    assert detect_kind(dataset) == "dataset"
    assert detect_kind(eval_run) == "eval"
    assert detect_kind(eval_run / "results.json") == "eval"
    assert detect_kind(train_run) == "train"
    assert detect_kind(study) == "study"


def test_a_path_of_no_kind_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ViewError, match="none of the kinds"):
        detect_kind(tmp_path)
    with pytest.raises(ViewError, match="no such file"):
        detect_kind(tmp_path / "missing")


def test_cli_writes_the_page_and_reports_bad_paths(dataset, tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["view", str(dataset), "--out", str(out), "--no-trace"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["view", str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_dataset_view_traces_the_lines_that_ran(dataset):
    view = load_view(dataset)
    item = view.items[0]
    assert [q.kind for q in item.questions] == ["output", "input", "next_statement", "state"]
    assert item.hits == {2: 1, 3: 4, 4: 3, 5: 2, 6: 1}, item.trace_note
    assert view.charts[0].title == "records by level"


def test_eval_view_aligns_answers_with_questions(eval_run):
    view = load_view(eval_run, trace=False)
    first = view.items[0]
    assert first.program and first.trace_note.startswith("no trace")
    given = {q.kind: q.given[0] for q in first.questions}
    assert given["output"] == (0, "5", True)
    assert given["next_statement"] == (0, "for x in xs:", True)
    assert given["state"] == (0, "7; int", False)
    state = next(q for q in first.questions if q.kind == "state")
    assert state.line == 5 and state.accepted == ["2; int"]


def test_eval_view_charts_copy_results_json(eval_run):
    doc = json.loads((eval_run / "results.json").read_text())
    bench = doc["benchmarks"][0]
    charts = {c.title: c for c in load_view(eval_run, trace=False).charts}
    assert charts["accuracy by benchmark"].bars[0].value == bench["aggregates"]["accuracy"]["value"]
    assert {b.label: b.value for b in charts["synthetic by kind"].bars} == {
        k: m["value"] for k, m in bench["breakdown"]["kind"].items()}


def test_eval_view_without_its_data_still_shows_verdicts(eval_run, dataset):
    shutil.rmtree(dataset)
    view = load_view(eval_run, trace=False)
    assert view.notes and "could not be read" in view.notes[0]
    assert view.items[0].program is None and view.items[0].entries[0].ok is True


def test_study_puts_arms_side_by_side(study):
    view = load_view(study, trace=False)
    assert len(view.items) == 2
    assert [e.label for e in view.items[0].entries] == ["base", "trained"]
    state = next(q for q in view.items[0].questions if q.kind == "state")
    assert state.given == [(0, "7; int", False), (1, "2; int", True)]
    assert view.charts[0].title == "synthetic (accuracy) by arm"
    assert [(b.label, b.value) for b in view.charts[0].bars] == [("base", 0.5), ("trained", 1.0)]


def test_a_demo_folder_is_its_rollouts_and_its_eval_folder_a_study(eval_run, train_run):
    """A demo writes its own report as results.json beside stage1/ and eval/<model>/<bench>/."""
    demo = train_run
    (demo / "results.json").write_text(json.dumps({"evals": {}, "paired": {}}))
    for model in ("base", "final"):
        shutil.copytree(eval_run, demo / "eval" / model / "synthetic")
    assert detect_kind(demo) == "train"
    assert detect_kind(demo / "eval") == "study"
    assert [e.label for e in load_view(demo / "eval", trace=False).items[0].entries] == [
        "base", "final"]
    assert len(load_view(demo, "study", trace=False).items) == 2  # the report is no arm


def test_a_scored_generations_file_shows_each_answer_line(eval_run):
    """``eval --generations`` keeps the answers it scored, not completions."""
    doc = json.loads((eval_run / "results.json").read_text())
    for s in doc["benchmarks"][0]["samples"]:
        del s["details"]["completions"]
    (eval_run / "results.json").write_text(json.dumps(doc))
    first = load_view(eval_run, trace=False).items[0]
    assert [q.given[0] for q in first.questions if q.line] == [(0, "for x in xs:", True),
                                                               (0, "7; int", False)]


def test_a_mean_of_nothing_shows_as_no_number(eval_run):
    doc = json.loads((eval_run / "results.json").read_text())
    doc["benchmarks"][0]["breakdown"]["level"]["3"] = {"value": float("nan"), "n": 0}
    (eval_run / "results.json").write_text(json.dumps(doc))
    html = render_page(load_view(eval_run, trace=False))
    assert '{"label":"3","value":null,"n":0}' in html


def test_training_rollouts_grouped_by_step_and_group(train_run):
    view = load_view(train_run)
    assert [i.id for i in view.items][:2] == ["stage1 step 1 group 0: r0",
                                              "stage1 step 1 group 1: r1"]
    first = view.items[0].entries
    assert [(e.score, e.ok, e.status) for e in first] == [(0.0, False, "ok"), (2.0, True, "ok")]
    assert first[1].breakdown == {"output_correct": 1.0, "step_accuracy": 1.0}
    assert {b.label: b.value for b in view.charts[0].bars} == {"stage1 step 1": 1.0,
                                                               "stage1 step 2": 0.5}


def test_a_broken_rollout_line_names_its_place(tmp_path):
    (tmp_path / "rollouts.jsonl").write_text('{"stage": "stage1"}\n')
    with pytest.raises(ViewError, match=r"rollouts.jsonl:1: not a rollout"):
        load_view(tmp_path)


def test_untrusted_text_cannot_leave_the_data_block(eval_run):
    html = render_page(load_view(eval_run, trace=False))
    assert "<script>document.title" not in html and "<img src=x" not in html
    data = re.search(r'<script type="application/json" id="view-data">(.*?)</script>', html,
                     re.S).group(1)
    assert "<" not in data
    assert XSS in json.loads(data)["items"][1]["entries"][0]["completion"]
    assert "https://" not in html and "http://" not in html  # nothing is fetched


def test_ten_thousand_questions_make_a_reasonable_page(tmp_path):
    from execverify.data.dataset import write_records
    from execverify.data.records import Record

    from .conftest import record, results_doc, sample

    records = []
    for i in range(1000):  # 10 combined questions each: output, then 9 next/state
        r = record(f"r{i:04d}", 1 + i % 6).to_dict()
        r["questions"] = r["questions"][:1] + r["questions"][2:] * 4 + r["questions"][2:3]
        records.append(Record.from_dict(r))
    write_records(tmp_path / "ds", records, {})
    completion = "<reasoning>" + "step by step " * 25 + "</reasoning><answer>\n5\n" + \
        "for x in xs:\n2; int\n" * 4 + "</answer>"
    samples = [sample(r.id, r.level, completion, [True, True, False]) for r in records]
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.json").write_text(json.dumps(results_doc(tmp_path / "ds", samples, 1.0)))
    view = load_view(run, trace=False)
    assert sum(len(i.questions) for i in view.items) == 10_000
    size = len(render_page(view).encode("utf-8"))
    print(f"page for 10,000 questions (1,000 programs and completions): {size} bytes")
    assert size < 15_000_000


def test_embedded_json_escapes_every_angle_bracket():
    text = embed_json({"s": "</script><!-- \u2028"})
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text) == {"s": "</script><!-- \u2028"}


def test_a_relative_data_path_is_found_from_above_the_run(eval_run, dataset, monkeypatch):
    doc = json.loads((eval_run / "results.json").read_text())
    doc["benchmarks"][0]["config"]["source"] = dataset.name  # the run was started in tmp_path
    (eval_run / "results.json").write_text(json.dumps(doc))
    monkeypatch.chdir(dataset.parent.parent)
    view = load_view(eval_run, trace=False)
    assert not view.notes and view.items[0].program
