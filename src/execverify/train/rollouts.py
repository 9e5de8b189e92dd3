"""The rollouts GRPO sampled, written as it trains: ``<output_dir>/rollouts.jsonl``.

Reading a run's numbers is not enough to tune the method: one has to see which completions of a
group earned what. Every ``log_rollouts_every`` steps each completion of the step becomes one
JSON line (the format is ``execverify.data.rollouts``'; ``execverify view`` shows them
grouped by step and prompt group). ``group`` is the prompt's place in the step (TRL lays a step out as each prompt's
``num_generations`` completions in a row). The log is a callback of the reward
(``ExecVerifyReward``'s ``observer``), so nothing is scored twice. A resumed run first drops
what the killed run logged from the step it resumes at on, so no step appears twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from execverify.data.rollouts import ROLLOUTS_FILE
from execverify.rewards.parse import completion_text
from execverify.rewards.score import ScoreResult
from execverify.rewards.trl import ScoredBatch

__all__ = ["ROLLOUTS_FILE", "RolloutLog"]


class RolloutLog:
    """Appends the completions of every ``every``-th step (steps 1, 1 + every, ...) to
    ``output_dir/rollouts.jsonl``; ``every`` 0 logs nothing."""

    def __init__(self, output_dir: str | Path, stage: str, every: int,
                 num_generations: int) -> None:
        self.path = Path(output_dir) / ROLLOUTS_FILE
        self.stage = stage
        self.every = every
        self.num_generations = num_generations
        self._trimmed = False

    def __call__(self, batch: ScoredBatch) -> None:
        state = batch.columns.get("trainer_state")
        step = int(getattr(state, "global_step", 0)) + 1  # the step these rollouts train
        if self.every <= 0 or (step - 1) % self.every:
            return
        if not self._trimmed:
            self._trim(step)
        ids = batch.columns.get("id") or [None] * len(batch.completions)
        lines = [self._line(step, i, ids[i], batch.prompts[i] if i < len(batch.prompts)
                            else None, batch.completions[i], batch.task, result)
                 for i, result in zip(batch.rows, batch.results)]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))

    def _line(self, step: int, index: int, item_id: Any, prompt: Any, completion: Any,
              task: str, result: ScoreResult) -> dict[str, Any]:
        breakdown: dict[str, float] = {}
        if result.output_correct is not None:
            breakdown["output_correct"] = float(result.output_correct)
        if result.step_accuracy is not None:
            breakdown["step_accuracy"] = float(result.step_accuracy)
        if result.breakdown:
            breakdown["questions_right"] = float(sum(q.correct for q in result.breakdown))
            breakdown["questions"] = float(len(result.breakdown))
        return {"stage": self.stage, "step": step, "group": index // self.num_generations,
                "id": None if item_id is None else str(item_id), "task": task,
                "prompt": _prompt_text(prompt), "completion": completion_text(completion) or "",
                "reward": float(result.score), "status": result.status, "breakdown": breakdown}

    def _trim(self, step: int) -> None:
        """Keep only whole lines of steps before ``step`` (a killed run may have logged
        further, or died mid-line)."""
        self._trimmed = True
        if not self.path.is_file():
            return
        from execverify.data.dataset import write_atomic

        kept = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("step"), int) and row["step"] < step:
                kept.append(line + "\n")
        write_atomic(self.path, "".join(kept).encode("utf-8"))


def _prompt_text(prompt: Any) -> str:
    """The user's text of a chat prompt (the system text is the same for every row)."""
    if isinstance(prompt, list):
        users = [m.get("content", "") for m in prompt
                 if isinstance(m, dict) and m.get("role") == "user"]
        return "\n\n".join(str(u) for u in users)
    return "" if prompt is None else str(prompt)
