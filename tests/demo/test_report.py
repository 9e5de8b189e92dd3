"""The before/after report: numbers, the noise verdict, and the files it writes."""

from __future__ import annotations

import json
from pathlib import Path

from execverify.demo.data import DemoData
from execverify.demo.report import (
    conclusion,
    demo_summary_markdown,
    paired_changes,
    paired_lines,
    table,
    verdict,
    write_demo_report,
)
from execverify.demo.run import DemoResult
from execverify.train.config import DemoConfig


def metric(value: float, stderr: float | None, n: int = 200) -> dict:
    return {"value": value, "stderr": stderr, "n": n}


def result(tmp_path: Path, final: float) -> DemoResult:
    data = DemoData(tmp_path, tmp_path, 300, 60, 210)
    evals = {
        "base": {"synthetic": {"question_accuracy": metric(0.05, 0.015)},
                 "cruxeval-o": {"accuracy": metric(0.02, 0.018, 64)}},
        "final": {"synthetic": {"question_accuracy": metric(final, 0.03)},
                  "cruxeval-o": {"accuracy": metric(0.03, 0.021, 64)}},
    }
    return DemoResult(out=tmp_path, data=data, evals=evals,
                      training={"sft": {"steps": 60, "examples": 500, "records": 300},
                                "stage1": {"steps": 10, "reward_mean": 0.4,
                                           "varied_group_share": 0.7}},
                      timings={"data": 1.0, "total": 900.0})


def test_verdict_compares_the_change_with_its_standard_error():
    assert verdict(metric(0.10, 0.01), metric(0.20, 0.01)) == "beyond noise"
    assert verdict(metric(0.10, 0.05), metric(0.15, 0.05)) == "within noise"
    assert verdict(metric(0.10, None), metric(0.5, 0.01)) == "-"
    assert verdict(metric(0.0, 0.0), metric(0.0, 0.0)) == "no change"


def test_table_has_a_row_per_measured_metric_and_the_change(tmp_path):
    rows = table(result(tmp_path, 0.40))
    assert rows[0].startswith("| metric | n | base model | after SFT + GRPO |")
    synthetic = next(r for r in rows if "every question" in r)
    assert "5.0 ± 1.5" in synthetic and "40.0 ± 3.0" in synthetic and "+35.0" in synthetic
    assert synthetic.endswith("beyond noise |")
    assert "within noise" in next(r for r in rows if "CRUXEval" in r)
    assert not any("input prediction" in r for r in rows)  # never measured: no row


def test_conclusion_says_when_nothing_beyond_noise_happened(tmp_path):
    assert "improved" in conclusion(result(tmp_path, 0.40))
    assert "within noise" in conclusion(result(tmp_path, 0.07))
    assert "did not improve" in conclusion(result(tmp_path, 0.04))


def test_an_evaluated_sft_model_gets_grpo_its_own_verdict(tmp_path):
    r = result(tmp_path, 0.40)
    r.evals["sft"] = {"synthetic": {"question_accuracy": metric(0.41, 0.03)}}
    rows = table(r)
    assert rows[0].endswith("| GRPO alone: z (unpaired) | verdict |")
    synthetic = next(row for row in rows if "every question" in row)
    assert "41.0 ± 3.0" in synthetic and synthetic.endswith("-0.2 | within noise |")
    assert "GRPO alone (after SFT -> after GRPO): 41.0 ± 3.0 -> 40.0 ± 3.0, within noise" \
        in conclusion(r)


def test_write_report_writes_summary_results_and_plot(tmp_path, capsys):
    text = write_demo_report(result(tmp_path, 0.4), DemoConfig())
    assert text in capsys.readouterr().out
    assert (tmp_path / "summary.md").read_text() == text
    assert '"conclusion"' in (tmp_path / "results.json").read_text()
    assert (tmp_path / "before_after.png").read_bytes().startswith(b"\x89PNG")


def _write_eval(out: Path, stage: str, verdicts: dict[str, list[bool]]) -> None:
    samples = [{"id": sid, "details": {"questions": [["state", v] for v in vs]}}
               for sid, vs in verdicts.items()]
    folder = out / "eval" / stage / "synthetic"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(
        {"benchmarks": [{"name": "synthetic", "samples": samples}]}))


def test_grpo_alone_is_judged_on_the_same_questions_paired(tmp_path):
    # 10 questions; GRPO turns 4 wrong answers right and 1 right answer wrong: differences
    # d = (+1 x 4, -1, 0 x 5), mean 0.3, sample sd sqrt((4 * 0.49 + 1.69 + 5 * 0.09) / 9)
    # = sqrt(4.1 / 9) = 0.6749, s.e. 0.2134, z = 1.41.
    r = result(tmp_path, 0.5)
    r.evals["sft"] = {"synthetic": {"question_accuracy": metric(0.4, 0.15, 10)}}
    _write_eval(tmp_path, "sft", {"a": [False] * 4 + [True] + [True] * 3,
                                  "b": [False, False]})
    _write_eval(tmp_path, "final", {"a": [True] * 4 + [False] + [True] * 3,
                                    "b": [False, False]})
    change = paired_changes(r)["sft->final"]
    assert change["n"] == 10 and change["gained"] == 4 and change["lost"] == 1
    assert abs(change["value"] - 0.3) < 1e-12
    assert abs(change["stderr"] - (4.1 / 9) ** 0.5 / 10 ** 0.5) < 1e-12
    assert abs(change["z"] - 1.4056) < 1e-3
    row = next(line for line in paired_lines(r) if line.startswith("| GRPO alone"))
    assert "| 10 | +30.0 | 21.3 | 4 | 1 | +1.4 | within noise |" in row
    assert "paired z +1.4: within noise" in conclusion(r)


def test_the_summary_has_a_row_per_stage1_step(tmp_path):
    from execverify.demo.report import step_lines

    r = result(tmp_path, 0.4)
    assert step_lines(r) == []
    r.training["stage1"]["per_step"] = [
        {"step": 1, "reward": 0.5, "varied_group_share": 0.5, "output_gate_share": 0.25,
         "gated_step_accuracy": 0.8},
        {"step": 2, "reward": 0.0, "varied_group_share": 0.0, "output_gate_share": None,
         "gated_step_accuracy": None}]
    rows = step_lines(r)
    assert rows[2] == "| 1 | 0.500 | 50% | 25% | 0.80 |"
    assert rows[3] == "| 2 | 0.000 | 0% | - | - |"
    assert "| 1 | 0.500 | 50% | 25% | 0.80 |" in demo_summary_markdown(r, DemoConfig())
