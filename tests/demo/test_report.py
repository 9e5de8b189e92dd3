"""The before/after report: numbers, the noise verdict, and the files it writes."""

from __future__ import annotations

from pathlib import Path

from execverify.demo.data import DemoData
from execverify.demo.report import conclusion, table, verdict, write_demo_report
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
    assert rows[0].endswith("| GRPO alone: z | verdict |")
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
