"""The rollout log's contract: where a GRPO stage writes the completions it sampled, and what a
line holds. ``execverify.train.rollouts`` writes it, ``execverify view`` reads it; both meet
here, in the data layer, so neither imports the other.

One JSON object per completion (``<output_dir>/rollouts.jsonl``)::

    {"stage": "stage1", "step": 3, "group": 0, "id": "L1-...", "task": "combined",
     "prompt": "...", "completion": "...", "reward": 1.5, "status": "ok",
     "breakdown": {"output_correct": 1.0, "step_accuracy": 0.5}}
"""

ROLLOUTS_FILE = "rollouts.jsonl"
