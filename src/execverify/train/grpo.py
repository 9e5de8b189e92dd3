"""Stage 1: GRPO on execution reasoning with TRL's ``GRPOTrainer`` and our verifiable rewards.

The data are the method's combined white-box prompts plus input-prediction prompts, one row per
prompt with the record as JSON next to it; the rewards are ``execverify.rewards.trl``'s
``combined_reward`` and ``input_reward`` (each returns None for the other task's rows, so TRL
sums exactly one reward per row). Nothing here re-implements scoring: a change to the reward
code changes training.

GRPO learns only from groups whose rewards differ (a group of equal rewards has zero advantage
everywhere), so the result reports the share of such groups (``varied_group_share``, from TRL's
``frac_reward_zero_std``): near 0 means the model is too weak or too strong for the data.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from execverify.data.records import Record
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.tasks.registry import get_task
from execverify.train.config import GRPOStageConfig, Stage1Config
from execverify.train.model import (
    load_model,
    lora_config,
    precision,
    release_memory_callback,
    save_model,
)
from execverify.train.records import curriculum_order, load_records
from execverify.train.rollouts import RolloutLog
from execverify.train.sampling import PolicyCopySampler
from execverify.train.tracking import CHECKPOINTS_KEPT, report_to, run_stage


def stage1_rows(records: Sequence[Record], input_share: float, seed: int = 0,
                templates: str = "method") -> list[dict[str, Any]]:
    """One training row per record, laid out by its task (``prompt`` as chat messages, worded
    by ``templates``; ``record`` JSON, ``task``, ``id``).

    About ``input_share`` of the records (those with an input question, picked at random with
    ``seed``) become input-prediction prompts; the rest the combined white-box prompt.
    """
    worded = {name: get_task(name, templates) for name in STAGE1_TASKS}
    return [worded[task].row(record)
            for record, task in zip(records, stage1_tasks(records, input_share, seed))]


def stage1_tasks(records: Sequence[Record], input_share: float, seed: int = 0) -> list[str]:
    """The task of each record in stage 1's prompt mix (``stage1_rows``; verl's rows too)."""
    inputs = get_task("input")
    with_input = [i for i, r in enumerate(records) if inputs.prompt(r) is not None]
    rng = random.Random(seed)
    chosen = set(rng.sample(with_input, min(len(with_input), round(input_share * len(records)))))
    return ["input" if i in chosen else "combined" for i in range(len(records))]


def grpo_arguments(config: GRPOStageConfig, shuffle: bool = True) -> Any:
    """TRL ``GRPOConfig`` for either RL stage (stage 2 reuses it): one optimiser step per
    ``prompts_per_step`` groups; ``shuffle`` False keeps the rows' order (a curriculum)."""
    from trl import GRPOConfig

    rollouts = config.prompts_per_step * config.num_generations
    micro = config.micro_batch_size or rollouts
    kwargs: dict[str, Any] = {
        "output_dir": config.output_dir,
        "num_generations": config.num_generations,
        "per_device_train_batch_size": micro,
        "gradient_accumulation_steps": rollouts // micro,
        "max_steps": config.max_steps,
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": config.lr_scheduler_type,
        "beta": config.beta,
        "scale_rewards": config.scale_rewards,
        "loss_type": config.loss_type,
        "temperature": config.temperature,
        "max_completion_length": config.max_completion_length,
        "seed": config.seed,
        "logging_steps": config.logging_steps,
        "save_steps": config.save_steps,
        "save_total_limit": CHECKPOINTS_KEPT,
        "report_to": report_to(config.report_to),
        "shuffle_dataset": shuffle,
        **precision(),
    }
    kwargs.update(config.extra)
    return GRPOConfig(**kwargs)


STAGE1_TASKS = ("combined", "input")


def default_rewards(reward: RewardConfig = DEFAULT_CONFIG, observer: Any = None) -> list[Any]:
    """Stage 1's TRL rewards under ``reward`` (the recipe's reward section): one per task,
    each None on the other task's rows; ``observer`` sees what they score (a RolloutLog)."""
    from execverify.rewards.trl import task_rewards

    return task_rewards(STAGE1_TASKS, reward, observer=observer)


def rollout_log(config: GRPOStageConfig, stage: str) -> RolloutLog:
    """The stage's ``rollouts.jsonl`` writer, at the recipe's ``log_rollouts_every``."""
    return RolloutLog(config.output_dir, stage, config.log_rollouts_every,
                      config.num_generations)


@dataclass
class GRPOResult:
    """What a GRPO run (stage 1 or 2) did: steps, logged metrics, and how informative its
    groups were."""

    steps: int
    output_dir: str
    log_history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def varied_group_share(self) -> float | None:
        """Mean share of groups whose rewards were not all equal (None if never logged)."""
        equal = self._mean("frac_reward_zero_std")
        return None if equal is None else 1.0 - equal

    @property
    def reward_mean(self) -> float | None:
        return self._mean("reward")

    @property
    def output_gate_share(self) -> float | None:
        """Mean share of combined completions whose output was right (the gate the white-box
        part of the reward pays behind; None without combined rows)."""
        return self._mean("execverify_combined/output_gate")

    def per_step(self) -> list[dict[str, Any]]:
        """One row per logged step: the step, its mean reward, its share of groups with
        unequal rewards, its share of combined completions past the output gate and their
        mean step accuracy (None where the step logged no such value)."""
        rows = []
        for row in self.log_history:
            if "reward" not in row:
                continue
            equal = row.get("frac_reward_zero_std")
            rows.append({"step": row.get("step"), "reward": row["reward"],
                         "varied_group_share": None if equal is None else 1.0 - equal,
                         "output_gate_share": row.get("execverify_combined/output_gate"),
                         "gated_step_accuracy":
                             row.get("execverify_combined/gated_step_accuracy")})
        return rows

    def _mean(self, key: str) -> float | None:
        values = [row[key] for row in self.log_history if key in row]
        return sum(values) / len(values) if values else None

    def summary(self) -> dict[str, Any]:
        """What ``done.json`` records about the run (with the difficulty filter's counts when
        it ran)."""
        from execverify.train.difficulty import selection_summary

        out = {"steps": self.steps, "output_dir": self.output_dir,
               "reward_mean": self.reward_mean, "varied_group_share": self.varied_group_share,
               "output_gate_share": self.output_gate_share, "per_step": self.per_step()}
        selection = selection_summary(self.output_dir)
        if selection:
            out["selection"] = selection
        return out


def build_stage1_trainer(config: Stage1Config, records: Sequence[Record], *, model: Any = None,
                  tokenizer: Any = None, reward_funcs: Sequence[Any] | None = None,
                  reward: RewardConfig = DEFAULT_CONFIG, callbacks: Sequence[Any] = ()) -> Any:
    """A ready ``GRPOTrainer``. ``model``/``tokenizer`` default to ``config.model`` (a folder,
    a hub name, or ``builtin``); ``reward_funcs`` default to ``default_rewards(reward)``."""
    rows = ordered_rows(config, records)
    if config.select_samples:
        model, tokenizer = load_model(config.model, model, tokenizer)
        rows = informative_rows(config, rows, model, tokenizer, reward)
    rewards = (reward_funcs if reward_funcs is not None
               else default_rewards(reward, rollout_log(config, "stage1")))
    return grpo_trainer(config, rows, rewards, model=model, tokenizer=tokenizer,
                        callbacks=callbacks, shuffle=not config.curriculum)


def ordered_rows(config: Stage1Config, records: Sequence[Record]) -> list[dict[str, Any]]:
    """Stage 1's rows for ``records`` in training order (curriculum order with
    ``curriculum``), before the difficulty filter: what the filter probes."""
    if config.curriculum:
        records = curriculum_order(records, config.seed)
    return stage1_rows(records, config.input_share, config.seed, config.templates)


def informative_rows(config: Stage1Config, rows: list[dict[str, Any]], model: Any,
                     tokenizer: Any, reward: RewardConfig = DEFAULT_CONFIG
                     ) -> list[dict[str, Any]]:
    """The rows the starting model gets unequal rewards on, of the first ``select_records``
    of a seeded shuffle (in curriculum order with ``curriculum``;
    ``execverify.train.difficulty``)."""
    from execverify.train.difficulty import Probe, select_rows

    candidates = list(rows)
    if not config.curriculum:
        random.Random(config.seed).shuffle(candidates)
    if config.select_records:
        candidates = candidates[:config.select_records]
    probe = Probe(samples=config.select_samples, max_new_tokens=config.max_completion_length,
                  temperature=config.temperature, seed=config.seed)
    return select_rows(candidates, model, tokenizer, probe, config.output_dir, reward)


def grpo_trainer(config: GRPOStageConfig, rows: list[dict[str, Any]], rewards: Sequence[Any],
                 *, model: Any = None, tokenizer: Any = None, callbacks: Sequence[Any] = (),
                 shuffle: bool = True) -> Any:
    """TRL's ``GRPOTrainer`` on ``rows`` with ``rewards``: what both RL stages build."""
    from datasets import Dataset
    from trl import GRPOTrainer

    from execverify.train.shared_prompt import shared_prompt_trainer

    trainer_class = shared_prompt_trainer() if config.share_prompt else GRPOTrainer
    if model is None or tokenizer is None:
        model, tokenizer = load_model(config.model, model, tokenizer)
    sampler = PolicyCopySampler(config.seed) if config.sampler == "bf16-copy" else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*rollout_func.*experimental")
        return trainer_class(model=model, reward_funcs=list(rewards),
                           args=grpo_arguments(config, shuffle),
                           train_dataset=Dataset.from_list(rows), processing_class=tokenizer,
                           callbacks=[*callbacks, release_memory_callback()],
                           rollout_func=sampler,
                           peft_config=lora_config(config, model))


def run_grpo(config: GRPOStageConfig, build: Callable[[], Any]) -> GRPOResult:
    """Train the trainer ``build()`` makes and save the model to ``config.output_dir``.

    Rerunning a killed run resumes from its newest checkpoint; rerunning a finished one returns
    its recorded result without building or training anything."""

    def result(trainer: Any) -> GRPOResult:
        return GRPOResult(steps=trainer.state.global_step, output_dir=config.output_dir,
                          log_history=list(trainer.state.log_history))

    summary, history = run_stage(config.output_dir, build,
                                 lambda trainer: save_model(trainer, config),
                                 lambda trainer: result(trainer).summary(),
                                 keep_checkpoints=config.keep_checkpoints)
    return GRPOResult(steps=int(summary["steps"]), output_dir=config.output_dir,
                      log_history=history)


def train_stage1(config: Stage1Config, records: Sequence[Record] | None = None,
                 **trainer_kwargs: Any) -> GRPOResult:
    """Run (or resume) stage 1; the model is saved to ``config.output_dir``."""

    def build() -> Any:
        chosen = records if records is not None else load_records(
            config.data, config.levels, config.max_records, "Stage1Config")
        return build_stage1_trainer(config, chosen, **trainer_kwargs)

    return run_grpo(config, build)
