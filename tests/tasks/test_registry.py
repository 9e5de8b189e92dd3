"""The task registry: built-in tasks, errors, and a toy task registered from outside the package
that exports, scores through every adapter, and trains a TRL step without touching our code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from execverify.data.dataset import write_records
from execverify.data.export import export
from execverify.rewards import RewardConfig, ScoreResult, score_batch
from execverify.rewards.parse import parse_completion
from execverify.rewards.score import QuestionScore
from execverify.tasks import (
    Task,
    TaskConfig,
    build_record,
    get_task,
    register_task,
    task_names,
    unregister_task,
)

PROGRAM = "def f(xs):\n    ys = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys\n"


class LineCount(Task):
    """A toy task: how many lines does the program have? Answered in the usual answer block."""

    name = "toy_lines"
    description = "count the program's lines"

    def prompt(self, item: Any) -> str | None:
        return f"How many lines does this program have?\n\n{item.program}"

    def truth(self, item: Any) -> str:
        return json.dumps({"lines": len(item.program.splitlines())})

    def score(self, completions: Sequence[Any], truths: Sequence[Any],
              config: RewardConfig | None = None, *, sandbox: Any = None) -> list[ScoreResult]:
        out = []
        for completion, truth in zip(completions, truths):
            want = str(json.loads(truth)["lines"])
            parsed = parse_completion(completion)
            got = parsed.answers[0].strip() if parsed.ok and parsed.answers else None
            right = got == want
            out.append(ScoreResult(float(right), "ok" if parsed.ok else parsed.status, self.name,
                                   breakdown=(QuestionScore("lines", right, "", got),)))
        return out

    def best_score(self, config: RewardConfig | None = None) -> float:
        return 1.0


@pytest.fixture
def toy():
    task = LineCount()
    register_task(task)
    yield task
    unregister_task(task.name)


@pytest.fixture
def dataset(tmp_path):
    record = build_record(PROGRAM, "f", "[5, 7]", level=1, source="builtin", id="r0",
                          config=TaskConfig(kinds=("output", "input", "state")))
    write_records(tmp_path / "ds", [record], {"generator": "test"})
    return tmp_path / "ds", record


def test_builtin_tasks_and_their_best_scores():
    assert {"combined", "output", "input", "codegen"} <= set(task_names())
    config = RewardConfig()
    assert get_task("combined").best_score(config) == 2.0
    assert get_task("combined").best_score(RewardConfig(output_only=True, scale=3.0)) == 3.0
    assert get_task("input").best_score(RewardConfig(input_reward=1.5)) == 1.5
    assert get_task("codegen").best_score(config) == pytest.approx(1.05)
    assert get_task("codegen").truth_column == "test_suite"


def test_registry_errors_name_the_fix(toy):
    with pytest.raises(ValueError, match=r"unknown task 'nope'.*register_task"):
        get_task("nope")
    with pytest.raises(ValueError, match="already registered"):
        register_task(LineCount())
    register_task(LineCount(), replace=True)
    with pytest.raises(TypeError):
        register_task("not a task")
    unregister_task("combined")  # a built-in comes back as it was
    assert get_task("combined").name == "combined"


def test_a_prompt_that_does_not_apply_is_skipped():
    no_input = build_record(PROGRAM, "f", "[5, 7]", level=1, source="builtin", id="r1",
                            config=TaskConfig(kinds=("output",)))
    assert get_task("input").prompt(no_input) is None
    assert get_task("input").row(no_input) is None
    assert get_task("combined").prompt(no_input) is not None


def test_a_toy_task_exports_and_scores_through_every_adapter(toy, dataset, tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from execverify.rewards.openrlhf import reward_func
    from execverify.rewards.trl import ExecVerifyReward
    from execverify.rewards.verl import compute_score

    folder, _ = dataset
    summary = export(folder, tmp_path / "toy.jsonl", "trl", tasks=("toy_lines", "combined"))
    assert dict(summary.per_task) == {"toy_lines": 1, "combined": 1}
    rows = [json.loads(line) for line in (tmp_path / "toy.jsonl").read_text().splitlines()]
    row = rows[0]
    assert row["task"] == "toy_lines" and row["id"] == "r0"
    assert json.loads(row["label"])["task"] == "toy_lines"

    right, wrong = "<answer>5</answer>", "<answer>4</answer>"
    assert [r.score for r in score_batch([right, wrong], [row["record"]] * 2, "toy_lines")] == [
        1.0, 0.0]
    reward = ExecVerifyReward("toy_lines")
    assert reward(completions=[right, wrong, right], record=[r["record"] for r in rows[:1]] * 3,
                  task=["toy_lines", "toy_lines", "combined"]) == [1.0, 0.0, None]
    out = reward_func([right, wrong], ["", ""], [row["label"]] * 2)
    assert out["rewards"].tolist() == [1.0, 0.0] and out["scores"].tolist() == [1.0, 0.0]

    export(folder, tmp_path / "toy.parquet", "verl", tasks=("toy_lines",))
    verl = pq.read_table(tmp_path / "toy.parquet").to_pylist()[0]
    assert verl["data_source"] == "execverify/toy_lines"
    assert verl["extra_info"]["task"] == "toy_lines" and verl["extra_info"]["id"] == "r0"
    scored = compute_score(verl["data_source"], right, verl["reward_model"]["ground_truth"],
                           verl["extra_info"])
    assert scored["score"] == 1.0 and scored["acc"] == 1.0


def test_a_toy_task_trains_one_trl_step(toy, dataset, tmp_path, tiny_model):
    from execverify.rewards.trl import ExecVerifyReward
    from execverify.train.config import Stage1Config
    from execverify.train.grpo import grpo_trainer

    _, record = dataset
    model, tokenizer = tiny_model
    reward = ExecVerifyReward("toy_lines")
    config = Stage1Config(output_dir=str(tmp_path / "run"), num_generations=2,
                          prompts_per_step=1, max_steps=1, max_completion_length=8,
                          logging_steps=1, save_steps=100, report_to=(),
                          extra={"gradient_checkpointing": False})
    trainer = grpo_trainer(config, [toy.row(record)] * 2, [reward], model=model,
                           tokenizer=tokenizer)
    trainer.train()
    assert trainer.state.global_step == 1
    assert any("execverify_toy_lines/score_mean" in row for row in trainer.state.log_history)
