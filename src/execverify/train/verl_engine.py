"""``execverify train stage1|stage2 --engine verl``: the same recipe, trained by verl on many GPUs.

verl (the method's own engine) reads three things, and this module writes each from the recipe:

- **data**: Parquet rows in verl's layout (chat ``prompt``, ``data_source``,
  ``reward_model.ground_truth``, ``extra_info.id``), a train file and a small held-out
  validation file. Stage 1 rows are the exporter's (``execverify.data.export.verl_row``, the
  record as ground truth) with stage 1's prompt mix (``input_share`` of input-prediction
  prompts, the rest combined white-box prompts, as TRL trains); stage 2 rows are its problems
  (``execverify.train.stage2``'s prompt, the ``TestSuite`` as ground truth);
- **reward**: verl's ``reward.custom_reward_function`` (and the top-level
  ``custom_reward_function`` that older releases read; 0.9's ``main_ppo`` ignores that one)
  names our adapter's file and ``compute_score`` (``execverify.rewards.verl``), with the
  recipe's ``reward`` section as ``reward_kwargs`` (the fields that differ from the defaults,
  so ``reward.output_only=true`` trains the ablation); verl loads that file by path with
  importlib, and it imports only ``execverify`` by absolute name, so it loads in any process
  that has execverify installed;
- **config**: one Hydra file that starts from verl's packaged ``ppo_trainer`` (its
  ``hydra.searchpath`` names the ``verl.trainer.config`` package) and sets the method's
  settings: GRPO, the group size, prompts per step, learning rate, no KL, token-mean loss,
  response length, a vLLM rollout; the cluster's shape comes from the recipe's ``verl`` section.

Then ``python -m verl.trainer.main_ppo --config-path DIR --config-name NAME`` runs here, or is
submitted to a running Ray cluster with ``ray job submit`` when ``verl.address`` is set. Every
path in the config is absolute: on a cluster, the output folder must be on storage every node
sees at the same path. verl is needed only to run, never to plan (``--dry-run``).

Where a run's files go (``<output_dir>`` of the stage)::

    <output_dir>/verl/train.parquet, val.parquet, <stage>.yaml, hydra/   data, config, logs
    <output_dir>/checkpoints/                                            verl's checkpoints
    <output_dir>/tensorboard/                                            verl's TensorBoard logs
"""

from __future__ import annotations

import importlib.util
import random
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from execverify.config import ConfigError, load_section
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig, reward_fields
from execverify.train.config import GRPOStageConfig, Stage1Config, Stage2Config, VerlConfig

if TYPE_CHECKING:
    from execverify.data.records import Record

_T = TypeVar("_T")
VERL_MAIN = "verl.trainer.main_ppo"
VERL_CONFIGS = "pkg://verl.trainer.config"
REWARD_FUNCTION = "compute_score"
VERL_STAGES = ("stage1", "stage2")
LOSS_AGG = {"dapo": "token-mean", "bnpo": "token-mean", "grpo": "seq-mean-token-mean",
            "dr_grpo": "seq-mean-token-sum-norm"}
"""TRL ``loss_type`` -> verl ``loss_agg_mode``: how the policy loss averages over tokens."""
STD_NORMALISED = {"group": True, "none": False}
"""TRL ``scale_rewards`` -> verl ``norm_adv_by_std_in_grpo`` (verl has no batch scaling)."""
VERL_SCHEDULERS = ("constant", "cosine")
SUBMIT_NEEDS = ("ray", "aiohttp", "requests")
"""What ``ray job submit`` imports (``ray[default]``)."""


class LaunchError(RuntimeError):
    """verl could not be started, or exited with an error; the message says which and why."""


@dataclass(frozen=True)
class VerlRun:
    """A planned verl run: where its files go, the config it will write, how it starts."""

    stage: str
    root: Path
    values: dict[str, Any]
    command: list[str]

    @property
    def folder(self) -> Path:
        return self.root / "verl"

    @property
    def config_file(self) -> Path:
        return self.folder / f"{self.stage}.yaml"

    @property
    def train_file(self) -> Path:
        return self.folder / "train.parquet"

    @property
    def val_file(self) -> Path:
        return self.folder / "val.parquet"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    def document(self) -> dict[str, Any]:
        """The Hydra config file's content: verl's defaults, then our values over them."""
        return {"hydra": {"searchpath": [VERL_CONFIGS], "run": {"dir": str(self.folder / "hydra")}},
                "defaults": ["ppo_trainer", "_self_"], **self.values}


# -- planning ---------------------------------------------------------------------------------


def load_verl_config(recipe: str | Path | None, overrides: Sequence[str]) -> VerlConfig:
    """The recipe's ``verl`` section plus the ``verl.*`` overrides (the others are the stage's)."""
    config = load_section("verl", recipe, overrides, plain=False)
    assert isinstance(config, VerlConfig)
    return config


def plan_run(stage: str, config: GRPOStageConfig, verl: VerlConfig,
             reward: RewardConfig = DEFAULT_CONFIG) -> VerlRun:
    """Paths, verl values and command for ``stage``; checks what verl cannot express."""
    if stage not in VERL_STAGES:
        raise ConfigError(f"--engine verl runs {', '.join(VERL_STAGES)}; got {stage!r}. Train "
                          f"{stage} with --engine trl.")
    check_mappable(config, verl)
    root = Path(config.output_dir).expanduser().resolve()
    run = VerlRun(stage, root, {}, [])
    values = verl_values(config, verl, run, reward)
    for key, value in verl.overrides.items():
        set_dotted(values, key, value)
    return VerlRun(stage, root, values, command(run, verl))


def check_mappable(config: GRPOStageConfig, verl: VerlConfig) -> None:
    """Settings TRL has and verl does not, and batch shapes verl would reject after start-up."""
    name = type(config).__name__
    if config.lr_scheduler_type not in VERL_SCHEDULERS:
        raise ConfigError(f"{name}.lr_scheduler_type {config.lr_scheduler_type!r} has no verl "
                          f"equivalent; use one of {list(VERL_SCHEDULERS)} with --engine verl.")
    if config.scale_rewards not in STD_NORMALISED:
        raise ConfigError(f"{name}.scale_rewards {config.scale_rewards!r} has no verl "
                          f"equivalent; use one of {list(STD_NORMALISED)} with --engine verl.")
    gpus = verl.nnodes * verl.gpus_per_node
    rollouts = config.prompts_per_step * config.num_generations
    if rollouts % gpus:
        raise ConfigError(f"prompts_per_step x num_generations ({rollouts}) must split evenly "
                          f"over the {gpus} GPUs (verl.nnodes x verl.gpus_per_node); change one.")
    if (rollouts // gpus) % verl.micro_batch_per_gpu:
        raise ConfigError(f"each GPU's {rollouts // gpus} rollouts per step must split into "
                          f"micro-batches of verl.micro_batch_per_gpu={verl.micro_batch_per_gpu}"
                          "; use a divisor of it.")


def verl_values(config: GRPOStageConfig, verl: VerlConfig, run: VerlRun,
                reward: RewardConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """The verl keys the recipe sets, nested as verl's ``ppo_trainer.yaml``."""
    micro = verl.micro_batch_per_gpu
    function = {"path": reward_path(verl), "name": REWARD_FUNCTION,
                "reward_kwargs": reward_fields(reward)}
    return {
        "data": {
            "train_files": str(run.train_file), "val_files": str(run.val_file),
            "prompt_key": "prompt", "train_batch_size": config.prompts_per_step,
            "max_prompt_length": verl.max_prompt_length,
            "max_response_length": config.max_completion_length,
            "filter_overlong_prompts": True, "truncation": "error",
            "shuffle": not getattr(config, "curriculum", False), "seed": config.seed,
        },
        "actor_rollout_ref": {
            "model": {"path": model_path(config.model), "use_remove_padding": True,
                      "enable_gradient_checkpointing": True},
            "actor": {
                "optim": {"lr": config.learning_rate,
                          "lr_scheduler_type": config.lr_scheduler_type},
                "ppo_mini_batch_size": config.prompts_per_step,  # one update per step
                "ppo_micro_batch_size_per_gpu": micro,
                "use_kl_loss": config.beta > 0, "kl_loss_coef": config.beta,
                "entropy_coeff": 0.0, "loss_agg_mode": LOSS_AGG[config.loss_type],
            },
            "rollout": {
                "name": "vllm", "n": config.num_generations, "temperature": config.temperature,
                "tensor_model_parallel_size": verl.tensor_parallel,
                "gpu_memory_utilization": verl.gpu_memory_utilization,
                "log_prob_micro_batch_size_per_gpu": micro,
            },
            "ref": {"log_prob_micro_batch_size_per_gpu": micro},
        },
        "critic": {"enable": False},  # GRPO's baseline is the group mean, not a value model
        "algorithm": {"adv_estimator": "grpo",
                      "norm_adv_by_std_in_grpo": STD_NORMALISED[config.scale_rewards],
                      "use_kl_in_reward": False, "kl_ctrl": {"kl_coef": 0.0}},
        "reward": {"custom_reward_function": function},
        "custom_reward_function": dict(function),  # where older verl releases read it
        "trainer": trainer_values(config, verl, run),
        "ray_kwargs": {"ray_init": {"runtime_env": {
            "env_vars": {"TENSORBOARD_DIR": str(run.root / "tensorboard")}}}},
    }


def trainer_values(config: GRPOStageConfig, verl: VerlConfig, run: VerlRun
                   ) -> dict[str, Any]:
    """verl's ``trainer`` section. ``total_epochs`` is ``max_steps``, an upper bound that
    never binds (every epoch is at least one step), so ``max_steps`` alone ends the run."""
    loggers = ["console", *(name for name in config.report_to if name != "console")]
    return {
        "nnodes": verl.nnodes, "n_gpus_per_node": verl.gpus_per_node,
        "total_training_steps": config.max_steps, "total_epochs": config.max_steps,
        "save_freq": config.save_steps, "test_freq": verl.test_freq,
        "val_before_train": True, "critic_warmup": 0, "resume_mode": "auto",
        "default_local_dir": str(run.checkpoints), "logger": loggers,
        "project_name": verl.project, "experiment_name": verl.experiment or run.stage,
    }


def model_path(name: str) -> str:
    """What verl loads: the built-in model's folder, a local folder made absolute, or a hub
    name as it is."""
    from execverify.models.builtin import builtin_model_path, is_builtin

    if is_builtin(name):
        return str(builtin_model_path())
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def reward_path(verl: VerlConfig) -> str:
    """``verl.reward_path``, else the file of this install's verl reward adapter (found without
    importing it, so planning loads nothing of the reward code)."""
    if verl.reward_path:
        return verl.reward_path
    spec = importlib.util.find_spec("execverify.rewards.verl")
    assert spec is not None and spec.origin is not None
    return str(Path(spec.origin).resolve())


def set_dotted(values: dict[str, Any], key: str, value: Any) -> None:
    """``values["a"]["b"]["c"] = value`` for ``key`` ``a.b.c``, making the levels it lacks."""
    *heads, last = key.split(".")
    node = values
    for head in heads:
        if not isinstance(node.get(head), dict):
            node[head] = {}
        node = node[head]
    node[last] = value


def command(run: VerlRun, verl: VerlConfig) -> list[str]:
    """``main_ppo`` on our config here, or wrapped in ``ray job submit`` for a cluster (its
    exit status is the job's, and it streams the job's log)."""
    if not verl.address:
        return entrypoint(run, sys.executable)
    return [sys.executable, "-m", "ray.scripts.scripts", "job", "submit",
            f"--address={verl.address}", "--", *entrypoint(run, verl.python)]


def entrypoint(run: VerlRun, python: str) -> list[str]:
    return [python, "-m", VERL_MAIN, f"--config-path={run.folder}",
            f"--config-name={run.config_file.stem}"]


def describe_run(run: VerlRun) -> str:
    """What ``--dry-run`` prints: the command, the files, and the config it would write."""
    import yaml

    return yaml.safe_dump({"engine": "verl", "stage": run.stage,
                           "command": shlex.join(run.command),
                           "config_file": str(run.config_file),
                           "data": {"train": str(run.train_file), "val": str(run.val_file)},
                           "checkpoints": str(run.checkpoints),
                           "config": run.document()}, sort_keys=False, width=1000).rstrip()


# -- data -------------------------------------------------------------------------------------


def hold_out(items: Sequence[_T], val_records: int, seed: int) -> tuple[list[_T], list[_T]]:
    """``(train, val)``: ``val_records`` items, at most a tenth, held out at random."""
    n_val = min(val_records, len(items) // 10)
    if n_val < 1:
        raise ValueError(f"--engine verl holds out a validation file, which needs at least 10 "
                         f"records or problems; the recipe selects {len(items)}. Add data or "
                         "widen the selection.")
    held = set(random.Random(seed).sample(range(len(items)), n_val))
    return ([x for i, x in enumerate(items) if i not in held],
            [x for i, x in enumerate(items) if i in held])


def verl_rows(items: Sequence[Any], tasks: Sequence[str], split: str
              ) -> list[dict[str, Any]]:
    """verl rows, each item laid out by its task (``execverify.data.export.verl_row``)."""
    from execverify.data.export import verl_row

    rows: list[dict[str, Any]] = []
    for item, task in zip(items, tasks):
        row = verl_row(item, task, len(rows), split)
        if row is not None:
            rows.append(row)
    return rows


def _stage1_rows(records: Sequence[Record], config: Stage1Config, split: str
                 ) -> list[dict[str, Any]]:
    """Stage 1's task mix, as TRL trains it (``execverify.train.grpo.stage1_tasks``)."""
    from execverify.train.grpo import stage1_tasks

    return verl_rows(records, stage1_tasks(records, config.input_share, config.seed), split)


def stage_rows(config: GRPOStageConfig, verl: VerlConfig
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(train rows, val rows)`` of the stage's data."""
    if isinstance(config, Stage2Config):
        from execverify.train.problems import load_problems

        problems = load_problems(config.data, config.max_problems, "Stage2Config")
        train_p, val_p = hold_out(problems, verl.val_records, config.seed)
        return (verl_rows(train_p, ["codegen"] * len(train_p), "train"),
                verl_rows(val_p, ["codegen"] * len(val_p), "val"))
    from execverify.train.records import curriculum_order, load_records

    assert isinstance(config, Stage1Config)
    records = load_records(config.data, config.levels, config.max_records, "Stage1Config")
    train, val = hold_out(records, verl.val_records, config.seed)
    if config.curriculum:
        train = curriculum_order(train, config.seed)
    return _stage1_rows(train, config, "train"), _stage1_rows(val, config, "val")


def write_data(config: GRPOStageConfig, verl: VerlConfig, run: VerlRun) -> tuple[int, int]:
    """Write the train and validation Parquet files; ``(train rows, val rows)``."""
    from execverify.data.export import write_parquet

    train_rows, val_rows = stage_rows(config, verl)
    if len(train_rows) < config.prompts_per_step:
        raise ValueError(f"{len(train_rows)} training rows are fewer than one step's "
                         f"prompts_per_step={config.prompts_per_step}; add data or lower "
                         "prompts_per_step.")
    if not val_rows:
        raise ValueError("no held-out item has a prompt for its task; check the dataset")
    write_parquet(train_rows, run.train_file)
    write_parquet(val_rows, run.val_file)
    return len(train_rows), len(val_rows)


def write_config(run: VerlRun, recipe: str | Path | None) -> Path:
    """The Hydra config file ``main_ppo`` reads (written atomically)."""
    import yaml

    from execverify.data.dataset import write_atomic

    header = (f"# verl config for `execverify train {run.stage} --engine verl`, written from "
              f"{recipe or 'the defaults'}.\n# Change the recipe and rerun rather than editing "
              "this file; verl's own defaults (ppo_trainer) fill in every key not set here.\n")
    text = header + yaml.safe_dump(run.document(), sort_keys=False)
    write_atomic(run.config_file, text.encode("utf-8"))
    return run.config_file


# -- running ----------------------------------------------------------------------------------


def launch(run: VerlRun, verl: VerlConfig) -> None:
    """Run the command with its output streaming to ours; a failure raises ``LaunchError``."""
    if verl.address:
        missing = [m for m in SUBMIT_NEEDS if importlib.util.find_spec(m) is None]
        if missing:
            raise LaunchError(f"submitting a Ray job needs ray[default] here (missing: "
                              f"{', '.join(missing)}); pip install 'ray[default]'")
    elif importlib.util.find_spec("verl") is None:
        raise LaunchError("verl is not installed here; pip install 'verl[vllm]' on a GPU "
                          "machine, or set verl.address to submit to a Ray cluster that has it")
    where = f"the Ray job on {verl.address}" if verl.address else VERL_MAIN
    stream(run.command, f"{where} (config: {run.config_file})")


def stream(cmd: Sequence[str], what: str) -> None:
    """Run ``cmd`` with its output going straight to ours (a long run shows progress as it
    goes); a start failure or a non-zero exit raises ``LaunchError`` naming ``what``."""
    try:
        code = subprocess.run(list(cmd), check=False).returncode
    except OSError as exc:
        raise LaunchError(f"could not start {cmd[0]} for {what}: {exc}") from exc
    if code:
        raise LaunchError(f"{what} exited with status {code}; its log is above")


def run_verl_stage(stage: str, config: GRPOStageConfig, recipe: str | Path | None,
              overrides: Sequence[str], dry_run: bool = False) -> str:
    """The ``--engine verl`` command: plan, then print (dry run) or write data, config, launch."""
    verl = load_verl_config(recipe, overrides)
    reward = load_section("reward", recipe, overrides, plain=False)
    run = plan_run(stage, config, verl, reward)
    if dry_run:
        return describe_run(run)
    train_rows, val_rows = write_data(config, verl, run)
    write_config(run, recipe)
    print(f"{stage}: wrote {train_rows} train and {val_rows} validation rows and "
          f"{run.config_file}; running: {shlex.join(run.command)}", flush=True)
    launch(run, verl)
    return f"{stage}: verl finished; checkpoints in {run.checkpoints}"
