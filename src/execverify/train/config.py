"""Training configs: one validated dataclass per stage (the ``sft``, ``stage1``, ``stage2``,
``verl`` and ``demo`` sections of a recipe).

Recipes are read by ``execverify.config`` (``load_section("stage1", "cpu-demo",
["max_steps=5"])``), which every verb shares; a wrong name or value fails at load time with the
field, the value and the fix (``execverify.validation``), not in the middle of a run.

Defaults follow the method (docs/design.md, "The method"): GRPO with groups of 8 rollouts, no KL
term (``beta=0``), a constant learning rate of 1e-6, and advantages normalised by the group's
standard deviation (TRL ``scale_rewards="group"``). The CPU recipe scales these down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from execverify.synth.levels import LEVELS as LEVEL_KNOBS
from execverify.tasks.prompts import TEMPLATE_SETS
from execverify.train.sampling import SAMPLERS
from execverify.validation import fail, require_choice, require_int, require_number

ALL_LEVELS: tuple[int, ...] = tuple(sorted(LEVEL_KNOBS))
SCHEDULERS = ("constant", "constant_with_warmup", "linear", "cosine")
SCALE_REWARDS = ("group", "batch", "none")
LOSS_TYPES = ("grpo", "dapo", "dr_grpo", "bnpo")
SFT_ROUTES = ("trace", "teacher", "both")
TEACHER_ROUTES = ("teacher", "both")


def _fail(cls: str, name: str, value: Any, rule: str) -> None:
    fail(cls, name, value, rule)


_positive = require_int


def _positive_float(obj: Any, *names: str) -> None:
    require_number(obj, *names)


_one_of = require_choice


def _teacher(obj: Any) -> None:
    """The teacher fields: sound always, and naming a model and a known backend when the route
    asks a teacher (checked here so a typo fails before any model loads)."""
    _positive(obj, "teacher_samples", "teacher_max_tokens")
    temp = obj.teacher_temperature
    if isinstance(temp, bool) or not isinstance(temp, (int, float)) or not 0 <= temp < 1e9:
        _fail("SFTConfig", "teacher_temperature", temp, "must be a number >= 0 (0: greedy)")
    if temp == 0 and obj.teacher_samples > 1:
        _fail("SFTConfig", "teacher_samples", obj.teacher_samples,
              "must be 1 when teacher_temperature is 0 (greedy samples are all the same); "
              "set teacher_temperature above 0 (e.g. 0.7) or teacher_samples=1")
    if obj.route not in TEACHER_ROUTES:
        return
    if not isinstance(obj.teacher_model, str) or not obj.teacher_model.strip():
        _fail("SFTConfig", "teacher_model", obj.teacher_model,
              f"must name the teacher model when route is {obj.route!r} (a hub name, a folder, "
              "a served model name, or builtin); set teacher_model=NAME, or use route=trace")
    from execverify.models import available_backends

    if obj.teacher_backend not in available_backends():
        _fail("SFTConfig", "teacher_backend", obj.teacher_backend,
              f"must be one of {available_backends()} (add others with "
              "execverify.models.register_backend before building the config)")


def _levels(obj: Any) -> None:
    levels = obj.levels
    if not levels or any(lv not in ALL_LEVELS for lv in levels):
        _fail(type(obj).__name__, "levels", levels,
              "must be a non-empty list of difficulty levels from 1 to 6 (e.g. [1, 2])")
    object.__setattr__(obj, "levels", tuple(levels))


@dataclass(frozen=True)
class SFTConfig:
    """The SFT warm-up: teach the answer format and the easy levels before GRPO.

    ``route`` is where the reasoning text comes from: ``trace`` renders each record's recorded
    execution (``execverify.train.reasoning``), ``teacher`` has the ``teacher_backend``
    (``execverify.models``) write ``teacher_samples`` chains of thought per output- and
    input-prediction prompt (``execverify.train.teacher``), ``both`` takes the two together;
    either way only texts our reward scores full are kept.
    ``lora_r`` 0 trains every weight; above 0 trains a LoRA adapter of that rank (peft).
    """

    model: str = "builtin"
    data: str = ""
    output_dir: str = "runs/sft"
    keep_checkpoints: bool = False
    """Keep the checkpoints once the stage has finished (they hold the optimiser state, about
    three times the model; a finished stage needs only its final model to go on from)."""
    route: str = "trace"
    templates: str = "method"
    """The prompts' wording (``execverify.tasks.TEMPLATE_SETS``: ``method``, or ``compact`` for
    CPU recipes); train stage 1 and evaluate with the same."""
    levels: tuple[int, ...] = ALL_LEVELS
    max_records: int = 0
    """0: every record of the chosen levels."""
    max_steps: int = 100
    learning_rate: float = 1e-5
    lr_scheduler_type: str = "constant"
    batch_size: int = 4
    gradient_accumulation_steps: int = 1
    max_length: int = 1024
    lora_r: int = 0
    lora_alpha: int = 32
    seed: int = 0
    logging_steps: int = 10
    save_steps: int = 50
    """Checkpoint every this many steps; a killed run resumes from the newest one."""
    report_to: tuple[str, ...] = ("tensorboard",)
    """Metric loggers besides the console: tensorboard, wandb (if installed), or []."""
    reasoning_steps: int = 24
    """Trace route: executed lines narrated before the rest is summarised in one line."""
    terse_reasoning: bool = False
    """Trace route: name each executed line by its number and what changed, without quoting
    its source (``execverify.train.reasoning.narrate``): shorter completions to learn, and so
    cheaper sampling and GRPO steps later, for CPU recipes."""
    gradient_checkpointing: bool = True
    """TRL's default: recompute activations to save memory (about a third more compute; a
    small model on a CPU is better off without it)."""
    teacher_backend: str = "transformers"
    teacher_model: str = ""
    """Required by the teacher routes: a hub name, folder, served model name, or builtin."""
    teacher_samples: int = 4
    teacher_temperature: float = 0.7
    teacher_max_tokens: int = 1024

    def __post_init__(self) -> None:
        _one_of(self, "route", SFT_ROUTES)
        _one_of(self, "templates", tuple(TEMPLATE_SETS))
        _teacher(self)
        _one_of(self, "lr_scheduler_type", SCHEDULERS)
        _levels(self)
        _positive(self, "max_steps", "batch_size", "gradient_accumulation_steps", "max_length",
                  "lora_alpha", "logging_steps", "save_steps", "reasoning_steps")
        _positive_float(self, "learning_rate")
        for name in ("max_records", "lora_r"):
            if getattr(self, name) < 0:
                _fail("SFTConfig", name, getattr(self, name), "must be >= 0 (0 switches it off)")


@dataclass(frozen=True)
class GRPOStageConfig:
    """The GRPO settings both RL stages share (TRL ``GRPOTrainer``).

    Each step takes ``prompts_per_step`` prompts and samples ``num_generations`` completions of
    each (one group per prompt).
    """

    model: str = "builtin"
    data: str = ""
    output_dir: str = "runs/stage1"
    keep_checkpoints: bool = False
    """Keep the checkpoints once the stage has finished (see ``SFTConfig.keep_checkpoints``)."""
    num_generations: int = 8
    prompts_per_step: int = 128
    max_steps: int = 100
    learning_rate: float = 1e-6
    lr_scheduler_type: str = "constant"
    beta: float = 0.0
    scale_rewards: str = "group"
    loss_type: str = "dapo"
    """TRL's name for verl's default token-mean loss aggregation, which the method ran."""
    temperature: float = 1.0
    max_completion_length: int = 4096
    seed: int = 0
    logging_steps: int = 1
    save_steps: int = 50
    report_to: tuple[str, ...] = ("tensorboard",)
    """Metric loggers besides the console: tensorboard, wandb (if installed), or []."""
    lora_r: int = 0
    """0 trains every weight; above 0 a LoRA adapter of that rank on every linear layer
    (peft), merged into the saved model. On a CPU it makes the backward pass about a third
    cheaper and the optimiser state (and so each checkpoint) tiny; RL needs little capacity,
    so a small rank with a larger learning rate learns about as full fine-tuning does."""
    lora_alpha: int = 32
    lora_layers: int = 0
    """With ``lora_r``: put the adapters on the last this many transformer layers only (0:
    every layer). Backward stops below them, so a step keeps fewer activations and computes a
    shorter backward pass."""
    micro_batch_size: int = 0
    """Completions per forward/backward pass (the step's gradient is accumulated over them;
    TRL's dapo loss normalises by the whole step's tokens, so the update is the same); 0: the
    whole step at once. Peak memory grows with it."""
    sampler: str = "trainer"
    """Who samples the rollouts: ``trainer`` (TRL's own generation, or vLLM with
    ``extra.use_vllm``) or ``bf16-copy`` (a bfloat16 copy of the policy, refreshed every step:
    for CPUs, where TRL generates in fp32; ``execverify.train.sampling``)."""
    share_prompt: bool = True
    """Run each prompt once per group in the loss's forward and backward passes, not once per
    completion (``execverify.train.shared_prompt``: the same log-probabilities and gradients,
    far fewer tokens); False: TRL's own pass."""
    log_rollouts_every: int = 10
    """Write every completion of every this many steps, with its reward, to
    ``<output_dir>/rollouts.jsonl`` (``execverify view`` shows them); 0: never."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Further ``GRPOConfig`` arguments, passed through as they are (e.g. ``use_vllm: true``)."""

    def __post_init__(self) -> None:
        name = type(self).__name__
        _one_of(self, "sampler", SAMPLERS)
        require_int(self, "log_rollouts_every", "lora_r", "lora_layers", "micro_batch_size",
                    low=0)
        require_int(self, "lora_alpha")
        rollouts = self.prompts_per_step * self.num_generations
        if self.micro_batch_size and rollouts % self.micro_batch_size:
            _fail(name, "micro_batch_size", self.micro_batch_size,
                  f"must divide the {rollouts} completions of a step (prompts_per_step x "
                  "num_generations), or be 0 for the whole step at once")
        _one_of(self, "lr_scheduler_type", SCHEDULERS)
        _one_of(self, "scale_rewards", SCALE_REWARDS)
        _one_of(self, "loss_type", LOSS_TYPES)
        _positive(self, "num_generations", "prompts_per_step", "max_steps",
                  "max_completion_length", "logging_steps", "save_steps")
        _positive_float(self, "learning_rate", "temperature")
        if self.num_generations < 2:
            _fail(name, "num_generations", self.num_generations,
                  "must be >= 2: GRPO compares the rollouts of a group; use 2 or more")
        if self.beta < 0:
            _fail(name, "beta", self.beta, "must be >= 0 (0 means no KL term)")
        if not isinstance(self.extra, dict):
            _fail(name, "extra", self.extra, "must be a mapping of GRPOConfig args")


@dataclass(frozen=True)
class Stage1Config(GRPOStageConfig):
    """Stage 1 GRPO on execution reasoning: ``input_share`` of the prompts are
    input-prediction prompts, the rest the method's combined white-box prompts."""

    levels: tuple[int, ...] = ALL_LEVELS
    max_records: int = 0
    input_share: float = 0.25
    templates: str = "method"
    """The prompts' wording (see ``SFTConfig.templates``)."""
    curriculum: bool = False
    """Easy first: the records level by level in ascending order (each level shuffled with
    ``seed``) instead of one shuffled mix."""
    select_samples: int = 0
    """Above 0: before training, sample this many completions of each candidate prompt from the
    starting model and keep only prompts whose rewards differ (``execverify.train.difficulty``:
    the method's difficulty filter, on the policy itself). 0: train on every prompt."""
    select_records: int = 0
    """Candidate prompts the filter probes (the first of the seeded shuffle); 0: all."""

    def __post_init__(self) -> None:
        _levels(self)
        _one_of(self, "templates", tuple(TEMPLATE_SETS))
        super().__post_init__()
        if not 0.0 <= self.input_share <= 1.0:
            _fail("Stage1Config", "input_share", self.input_share, "must be between 0 and 1")
        if self.max_records < 0:
            _fail("Stage1Config", "max_records", self.max_records, "must be >= 0 (0: all)")
        require_int(self, "select_samples", "select_records", low=0)
        if self.select_samples == 1:
            _fail("Stage1Config", "select_samples", 1, "must be 0 (no filter) or >= 2: one "
                  "sample cannot show that rewards differ")


@dataclass(frozen=True)
class Stage2Config(GRPOStageConfig):
    """Stage 2 GRPO on code generation, continuing from stage 1's model: reward 0.05 for a
    well-formed answer plus the fraction of unit tests passed.

    ``data`` is ``mbpp-train`` or a problem file (``execverify.train.problems``: our JSONL
    format, or PRIME's Eurus-2-RL-Data code rows); ``max_problems`` 0 takes every problem.
    """

    model: str = "runs/stage1"
    data: str = "mbpp-train"
    output_dir: str = "runs/stage2"
    max_problems: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.data, str) or not self.data.strip():
            _fail("Stage2Config", "data", self.data,
                  "must be mbpp-train or a problem file (.jsonl, or Eurus-2-RL-Data .parquet)")
        if self.max_problems < 0:
            _fail("Stage2Config", "max_problems", self.max_problems, "must be >= 0 (0: all)")


@dataclass(frozen=True)
class VerlConfig:
    """How ``--engine verl`` runs a stage: the cluster's shape and the knobs only verl has.

    The method's settings (model, group size, prompts per step, learning rate, KL, loss, lengths)
    come from the stage's own section, so one recipe drives both engines
    (``execverify.train.verl_engine`` maps them onto verl's keys). ``address`` empty runs
    ``verl.trainer.main_ppo`` here; a Ray dashboard address submits it to that cluster as a Ray
    job. Command-line overrides name the section: ``verl.nnodes=2``.
    """

    nnodes: int = 1
    gpus_per_node: int = 8
    tensor_parallel: int = 2
    """vLLM rollout tensor parallel size: the GPUs of one rollout engine."""
    address: str = ""
    """Empty: run here. ``http://HEAD:8265`` (the Ray dashboard): submit as a Ray job there."""
    python: str = "python3"
    """The interpreter a submitted job runs on the cluster (a local run uses this one's)."""
    val_records: int = 64
    """Records held out for verl's validation file (at most a tenth of the records)."""
    test_freq: int = 10
    """Validate every this many steps; -1 never."""
    max_prompt_length: int = 2048
    micro_batch_per_gpu: int = 4
    gpu_memory_utilization: float = 0.6
    project: str = "execverify"
    experiment: str = ""
    """The run's name in the loggers; empty: the stage's name."""
    reward_path: str = ""
    """The file verl loads our reward from; empty: this install's ``rewards/verl.py``. Set it
    when the cluster's execverify lives elsewhere (``pkg://execverify.rewards.verl`` on verl
    versions that import by module name)."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Further verl keys, dotted, set last (``actor_rollout_ref.model.lora_rank: 64``)."""

    def __post_init__(self) -> None:
        _positive(self, "nnodes", "gpus_per_node", "tensor_parallel", "val_records",
                  "max_prompt_length", "micro_batch_per_gpu")
        gpus = self.nnodes * self.gpus_per_node
        if gpus % self.tensor_parallel:
            _fail("VerlConfig", "tensor_parallel", self.tensor_parallel,
                  f"must divide the {gpus} GPUs (nnodes x gpus_per_node); use a divisor of it")
        if self.test_freq != -1 and self.test_freq < 1:
            _fail("VerlConfig", "test_freq", self.test_freq, "must be >= 1, or -1 for never")
        if not 0 < self.gpu_memory_utilization <= 1:
            _fail("VerlConfig", "gpu_memory_utilization", self.gpu_memory_utilization,
                  "must be a fraction of the GPU's memory in (0, 1], like 0.6")
        if self.address and not self.address.startswith(("http://", "https://")):
            _fail("VerlConfig", "address", self.address,
                  "must be empty (run here) or the Ray dashboard address, like "
                  "http://HEAD_IP:8265 (not the GCS port 6379)")
        if not self.python.strip():
            _fail("VerlConfig", "python", self.python, "must name an interpreter, like python3")
        if any(not isinstance(k, str) or not all(k.split(".")) for k in self.overrides):
            _fail("VerlConfig", "overrides", self.overrides,
                  "must map dotted verl keys (like trainer.val_before_train) to values")


@dataclass(frozen=True)
class DemoConfig:
    """The CPU demo (``execverify demo``): synthesise, evaluate, warm up, GRPO, evaluate again.

    The ``sft`` and ``stage1`` sections of the same recipe set the training; the demo points
    their model, data and output folders into ``out`` and their levels and seed at its own.
    Records whose arguments are longer than ``max_args_chars``, or with an answer (output,
    state value, ...) longer than ``max_output_chars``, are left out of both splits: prompt and
    answer length drive the CPU time of every phase.
    The held-out split is chosen by a hash of the record id before any training, never tuned on.
    """

    out: str = "runs/demo"
    model: str = "builtin"
    seed: int = 0
    levels: tuple[int, ...] = (1, 2)
    records: int = 600
    """Records to synthesise, before the length filter and the split."""
    heldout_records: int = 60
    min_heldout_questions: int = 200
    max_args_chars: int = 100
    max_output_chars: int = 60
    cruxeval_limit: int = 100
    """The first N CRUXEval-O problems (official direct prompt); 0 skips CRUXEval."""
    cruxeval_format: str = "chat"
    eval_max_new_tokens: int = 192
    eval_batch_size: int = 16
    heldout_tasks: tuple[str, ...] = ("combined", "input")
    """Held-out prompts per record: the combined white-box prompt and/or input prediction."""
    eval_after_sft: bool = True
    """Also evaluate between the warm-up and GRPO, to tell their effects apart."""
    isolate_phases: bool = True
    """Run each training and evaluation phase in a fresh process, so the peak memory is the
    largest phase's rather than what the phases before it left behind (``demo.run.run_phase``);
    false saves a few seconds of imports per phase (the tests' tiny runs)."""
    templates: str = "method"
    """The prompts' wording for every phase (the demo sets ``sft.templates`` and
    ``stage1.templates`` to it): ``method``, or ``compact`` (``execverify.tasks``)."""

    def __post_init__(self) -> None:
        _levels(self)
        _one_of(self, "templates", tuple(TEMPLATE_SETS))
        _one_of(self, "cruxeval_format", ("chat", "raw"))
        if not self.heldout_tasks or not set(self.heldout_tasks) <= {"combined", "input"}:
            _fail("DemoConfig", "heldout_tasks", self.heldout_tasks,
                  "must list combined and/or input")
        object.__setattr__(self, "heldout_tasks", tuple(self.heldout_tasks))
        _positive(self, "records", "heldout_records", "min_heldout_questions", "max_args_chars",
                  "max_output_chars", "eval_max_new_tokens", "eval_batch_size")
        if self.cruxeval_limit < 0:
            _fail("DemoConfig", "cruxeval_limit", self.cruxeval_limit, "must be >= 0 (0: skip)")
        if self.heldout_records >= self.records:
            _fail("DemoConfig", "heldout_records", self.heldout_records,
                  f"must be below records ({self.records}) so some remain to train on")
        if not self.out:
            _fail("DemoConfig", "out", self.out, "must name an output folder")
