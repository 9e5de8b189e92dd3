"""Stage 2: GRPO on code generation with TRL's ``GRPOTrainer``, continuing from stage 1.

The data are problems with unit tests (``execverify.train.problems``: MBPP train here, any file
in the documented format or PRIME's Eurus-2-RL-Data code rows for real runs), one row per
problem, laid out by the ``codegen`` task (``execverify.tasks.codegen``): the chat prompt,
which asks for a fenced Python solution, and the test suite as JSON. The reward is that task's
(the method's 0.05 for a well-formed answer plus the fraction of tests passed, every test run in
the sandbox, with the strict plain-data asserts) through ``execverify.rewards.trl``, so nothing
here re-implements scoring. The GRPO settings, the trainer and the result are stage 1's
(``execverify.train.grpo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.tasks.registry import get_task
from execverify.train.config import Stage2Config
from execverify.train.grpo import GRPOResult, grpo_trainer, rollout_log, run_grpo
from execverify.train.problems import Problem, load_problems

TASK = "codegen"


def stage2_rows(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """One training row per problem: ``prompt`` (chat messages), ``test_suite`` (JSON, what
    the codegen reward reads), ``task`` and ``id``."""
    task = get_task(TASK)
    return [row for row in map(task.row, problems) if row is not None]


def build_stage2_trainer(config: Stage2Config, problems: Sequence[Problem], *, model: Any = None,
                  tokenizer: Any = None, reward_funcs: Sequence[Any] | None = None,
                  reward: RewardConfig = DEFAULT_CONFIG, callbacks: Sequence[Any] = ()) -> Any:
    """A ready ``GRPOTrainer``. ``model``/``tokenizer`` default to ``config.model`` (stage 1's
    output folder, a hub name, or ``builtin``); ``reward_funcs`` to the codegen reward under
    ``reward`` (the recipe's reward section)."""
    from execverify.rewards.trl import task_rewards

    rewards = (reward_funcs if reward_funcs is not None
               else task_rewards([TASK], reward, observer=rollout_log(config, "stage2")))
    return grpo_trainer(config, stage2_rows(problems), rewards, model=model,
                        tokenizer=tokenizer, callbacks=callbacks)


def train_stage2(config: Stage2Config, problems: Sequence[Problem] | None = None,
                 **trainer_kwargs: Any) -> GRPOResult:
    """Run (or resume) stage 2 from the stage-1 model; saved to ``config.output_dir``."""

    def build() -> Any:
        chosen = problems if problems is not None else load_problems(
            config.data, config.max_problems, "Stage2Config")
        return build_stage2_trainer(config, chosen, **trainer_kwargs)

    return run_grpo(config, build)
