"""Stage 2: GRPO on code generation with TRL's ``GRPOTrainer``, continuing from stage 1.

The data are problems with unit tests (``execverify.train.problems``: MBPP train here, any file
in the documented format or PRIME's Eurus-2-RL-Data code rows for real runs), one row per
problem: the chat prompt, which asks for a fenced Python solution, and the test suite as JSON.
The reward is ``execverify.rewards.trl.CodegenReward`` (the method's 0.05 for a well-formed
answer plus the fraction of tests passed, every test run in the sandbox, with the strict
plain-data asserts), so nothing here re-implements scoring. The GRPO settings, the trainer and
the result are stage 1's (``execverify.train.grpo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execverify.eval.codegen import INSTRUCT_PREFIX
from execverify.tasks import as_chat
from execverify.train.config import Stage2Config
from execverify.train.grpo import GRPOResult, grpo_trainer, run_grpo
from execverify.train.problems import Problem, load_problems

TASK = "codegen"


def codegen_prompt(problem: Problem) -> str:
    """The problem's prompt, led by the request for a fenced Python solution unless it asks
    for one already (MBPP's instruct prompt and Eurus prompts do). The request is the one the
    code-generation benchmarks' ``instruct`` prompts make, so training asks as evaluation does."""
    if "```python" in problem.prompt:
        return problem.prompt
    return INSTRUCT_PREFIX + problem.prompt


def stage2_rows(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """One training row per problem: ``prompt`` (chat messages), ``test_suite`` (JSON, what
    ``CodegenReward`` reads), ``task`` and ``id``."""
    return [{"prompt": as_chat(codegen_prompt(p)), "test_suite": p.suite.to_json(),
             "task": TASK, "id": p.id} for p in problems]


def default_rewards() -> list[Any]:
    """Our code-generation reward, reading each row's ``test_suite``."""
    from execverify.rewards.trl import CodegenReward

    return [CodegenReward()]


def build_trainer(config: Stage2Config, problems: Sequence[Problem], *, model: Any = None,
                  tokenizer: Any = None, reward_funcs: Sequence[Any] | None = None,
                  callbacks: Sequence[Any] = ()) -> Any:
    """A ready ``GRPOTrainer``. ``model``/``tokenizer`` default to ``config.model`` (stage 1's
    output folder, a hub name, or ``builtin``); ``reward_funcs`` to ``default_rewards()``."""
    rewards = reward_funcs if reward_funcs is not None else default_rewards()
    return grpo_trainer(config, stage2_rows(problems), rewards, model=model,
                        tokenizer=tokenizer, callbacks=callbacks)


def train_stage2(config: Stage2Config, problems: Sequence[Problem] | None = None,
                 **trainer_kwargs: Any) -> GRPOResult:
    """Run (or resume) stage 2 from the stage-1 model; saved to ``config.output_dir``."""

    def build() -> Any:
        chosen = problems if problems is not None else load_problems(
            config.data, config.max_problems, "Stage2Config")
        return build_trainer(config, chosen, **trainer_kwargs)

    return run_grpo(config, build)
