"""Hand-written inputs for the viewer (a dataset, an evaluation run, a study, rollouts) and a
headless Chromium to open the pages in, as a person would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from execverify.data.dataset import write_records
from execverify.data.records import Record

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

PROGRAM = """def f(xs):
    total = 0
    for x in xs:
        if x > 1:
            total += x
    return total
"""
XSS = ("<script>document.title='pwned';window.pwned=1</script>"
       "<img src=x onerror=\"window.pwned=2\"><b>bold</b>")


def record(rid: str, level: int, program: str = PROGRAM) -> Record:
    return Record.from_dict({
        "id": rid, "level": level, "source": "builtin", "program": program, "entry": "f",
        "args": "[1, 2, 3]", "output": "5", "features": {},
        "questions": [
            {"kind": "output", "answers": ["5"], "text": "Output of f([1, 2, 3])?"},
            {"kind": "input", "answers": ["[1, 2, 3]"], "text": "Input for 5?"},
            {"kind": "next_statement", "line": 4, "hit": 1, "answers": ["for x in xs:", "3"],
             "text": "After line 4 runs the 1st time, which line runs next?"},
            {"kind": "state", "line": 5, "hit": 1, "var": "total", "answers": ["2; int"],
             "text": "Value of total after line 5 runs the 1st time?"},
        ],
    })


def metric(value: float, n: int) -> dict[str, Any]:
    return {"value": value, "stderr": 0.1, "n": n}


def sample(rid: str, level: int, completion: str, verdicts: list[bool]) -> dict[str, Any]:
    kinds = ["output", "next_statement", "state"]
    return {"id": f"{rid}/combined", "score": float(verdicts[0]), "passed": [verdicts[0]],
            "answers": [completion], "statuses": ["pass" if verdicts[0] else "fail"],
            "group": {"level": level, "task": "combined"},
            "details": {"completions": [completion], "reward": [2.0 if verdicts[0] else 0.0],
                        "questions": [[k, v] for k, v in zip(kinds, verdicts)]}}


def results_doc(dataset: Path, samples: list[dict[str, Any]], accuracy: float) -> dict[str, Any]:
    return {
        "schema": "execverify.eval/1", "created": "2025-01-01T00:00:00+00:00",
        "model": {"name": "builtin", "backend": "transformers", "prompt_format": "chat"},
        "code": {"execverify": "0.1.0", "git_commit": None, "git_dirty": None},
        "benchmarks": [{
            "name": "synthetic",
            "config": {"name": "synthetic", "source": str(dataset), "prompt_style": "direct",
                       "limit": None, "tasks": ["combined"]},
            "data_hash": "sha256:0", "n_samples": len(samples), "decoding": None,
            "headline": "accuracy",
            "aggregates": {"accuracy": metric(accuracy, len(samples)),
                           "question_accuracy": metric(0.4167, 12)},
            "breakdown": {"level": {"1": metric(1.0, 1), "2": metric(0.0, 1)},
                          "kind": {"next_statement": metric(0.5, 2), "output": metric(0.5, 2),
                                   "state": metric(0.25, 2)}},
            "status_counts": {"pass": 1, "fail": 1},
            "samples": samples,
        }],
    }


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Two records: L1 answered mostly right below, L2 with a hostile completion."""
    folder = tmp_path / "ds"
    write_records(folder, [record("r1", 1), record("r2", 2)], {})
    return folder


@pytest.fixture
def eval_run(tmp_path: Path, dataset: Path) -> Path:
    """A run: r1 right except its state answer (line 5); r2's completion is markup."""
    run = tmp_path / "run"
    run.mkdir()
    samples = [
        sample("r1", 1, "<reasoning>ok</reasoning><answer>\n5\nfor x in xs:\n7; int\n</answer>",
               [True, True, False]),
        sample("r2", 2, f"<answer>\n{XSS}\n6\n0; int\n</answer>", [False, False, False]),
    ]
    (run / "results.json").write_text(json.dumps(results_doc(dataset, samples, 0.5)))
    return run


def rollout(step: int, group: int, reward: float, completion: str = "<answer>5</answer>",
            stage: str = "stage1") -> dict[str, Any]:
    return {"stage": stage, "step": step, "group": group, "id": f"r{group}", "task": "combined",
            "prompt": "What does f([1, 2, 3]) return?", "completion": completion,
            "reward": reward, "status": "ok",
            "breakdown": {"output_correct": float(reward == 2.0), "step_accuracy": reward / 2}}


@pytest.fixture
def train_run(tmp_path: Path) -> Path:
    """A demo-like folder: stage1/ with two steps of two groups of two rollouts, each group
    one wrong (0.0) and one right (2.0), except step 2's group 1: both wrong."""
    folder = tmp_path / "demo" / "stage1"
    folder.mkdir(parents=True)
    rows = [rollout(s, g, 0.0 if (s, g) == (2, 1) else r)
            for s in (1, 2) for g in (0, 1) for r in (0.0, 2.0)]
    (folder / "rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder.parent


@pytest.fixture
def study(tmp_path: Path, dataset: Path, eval_run: Path) -> Path:
    """Two arms on the same two problems: ``base`` is ``eval_run``; ``trained`` gets r1's state
    answer (line 5) right and r2's output right."""
    folder = tmp_path / "study"
    shutil.copytree(eval_run, folder / "arms" / "base" / "eval" / "synthetic")
    trained = folder / "arms" / "trained" / "eval" / "synthetic"
    trained.mkdir(parents=True)
    samples = [sample("r1", 1, "<answer>\n5\nfor x in xs:\n2; int\n</answer>", [True, True, True]),
               sample("r2", 2, "<answer>\n5\n6\n0; int\n</answer>", [True, False, False])]
    (trained / "results.json").write_text(json.dumps(results_doc(dataset, samples, 1.0)))
    return folder


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Debian chromium through the system chromedriver (never Selenium Manager)."""
    if not (CHROMIUM.exists() or shutil.which("chromium")) or not CHROMEDRIVER.exists():
        pytest.skip("needs Debian's chromium and chromium-driver (/usr/bin/chromedriver); "
                    ".ci/run installs them with apt-get")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (dev extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()
