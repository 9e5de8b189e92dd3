"""The study's phases, in order, each resumable: data, SFT per seed, the difficulty probe per
seed, each arm's training per seed, each arm's evaluation per seed, the report.

Phases shared by several arms run once: the data (every arm, every seed), the SFT warm-up of a
seed (the ``sft`` arm itself, and the start of every other arm at that seed) and the probe that
picks stage 1's prompts at that seed (so the RL arms train on the very same prompts, with the
same rollouts per prompt, steps and completion budget; only their reward differs). A phase that
finished leaves its output and is skipped on a rerun; one that was killed resumes where the
trainers and the evaluation's generation cache left it. Wall time per phase is summed over runs
into ``timings.json``.

Layout of ``out``::

    data/                       the demo's synthesis and split
    sft/seed-<s>/               the warm-up at seed s (the sft arm's model)
    probe/seed-<s>/             stage 1's prompt selection at seed s
    arms/<arm>/seed-<s>/        an RL or sft_more arm's model, curves and rollouts
    eval/<arm>/seed-<s>/<bench> each evaluation's results.json
    results.json, report.md, plots/
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from execverify.config import load_section
from execverify.demo.data import DemoData, prepare_data
from execverify.demo.run import (
    TIMINGS_FILE,
    EvalRun,
    PhaseTimer,
    demo_benchmarks,
    evaluate_stage,
    run_phase,
    run_sft,
    run_stage1,
)
from execverify.rewards.config import RewardConfig
from execverify.study.config import RL_ARMS, StudyConfig
from execverify.train.config import DemoConfig, SFTConfig, Stage1Config


@dataclass(frozen=True)
class Study:
    """A study's resolved configs: its own section and the recipe's shared ones."""

    config: StudyConfig
    demo: DemoConfig
    sft: SFTConfig
    stage1: Stage1Config
    reward: RewardConfig
    tasks: Any

    @property
    def out(self) -> Path:
        return Path(self.config.out)

    @property
    def seeds(self) -> list[int]:
        return [self.demo.seed + i for i in range(self.config.seeds)]

    @property
    def data_dir(self) -> Path:
        return self.out / "data" / "train"

    def sft_config(self, seed: int) -> SFTConfig:
        """The warm-up at ``seed``: the recipe's ``sft`` section on the study's data."""
        return dataclasses.replace(self.sft, model=self.demo.model, data=str(self.data_dir),
                                   output_dir=str(self.out / "sft" / f"seed-{seed}"),
                                   levels=self.demo.levels, seed=seed,
                                   templates=self.demo.templates)

    def stage1_config(self, arm: str, seed: int) -> Stage1Config:
        """Stage 1 for an RL arm, from the seed's SFT model."""
        return self._stage1_into(self.out / "arms" / arm / f"seed-{seed}", seed)

    def probe_config(self, seed: int) -> Stage1Config:
        """The same stage-1 config, writing only the difficulty probe's selection."""
        return self._stage1_into(self.out / "probe" / f"seed-{seed}", seed)

    def _stage1_into(self, folder: Path, seed: int) -> Stage1Config:
        return dataclasses.replace(self.stage1, model=self.sft_config(seed).output_dir,
                                   data=str(self.data_dir), output_dir=str(folder),
                                   levels=self.demo.levels, seed=seed,
                                   templates=self.demo.templates)

    def sft_more_config(self, seed: int) -> SFTConfig:
        """SFT continued from the seed's warm-up for as many sequences as an RL arm trains on
        (or ``study.sft_more_steps`` steps), on a fresh shuffle of the same examples."""
        warm = self.sft_config(seed)
        steps = self.config.sft_more_steps or -(-self.rl_sequences()
                                                 // (warm.batch_size
                                                     * warm.gradient_accumulation_steps))
        return dataclasses.replace(warm, model=warm.output_dir, max_steps=steps,
                                   output_dir=str(self.out / "arms" / "sft_more" / f"seed-{seed}"),
                                   seed=seed + 1000)

    def rl_sequences(self) -> int:
        """Completions an RL arm trains on: steps x prompts per step x rollouts per prompt."""
        s = self.stage1
        return s.max_steps * s.prompts_per_step * s.num_generations

    def arm_reward(self, arm: str) -> RewardConfig:
        """The recipe's reward, turned the way the arm turns it."""
        if arm == "output_only":
            return dataclasses.replace(self.reward, output_only=True)
        if arm == "ungated":
            return dataclasses.replace(self.reward, gate_on_output=False)
        return self.reward

    def model_dir(self, arm: str, seed: int) -> str:
        """Where the arm's trained model at ``seed`` is saved."""
        if arm == "sft":
            return self.sft_config(seed).output_dir
        if arm == "sft_more":
            return self.sft_more_config(seed).output_dir
        return self.stage1_config(arm, seed).output_dir

    def eval_dir(self, arm: str, seed: int) -> Path:
        return self.out / "eval" / arm / f"seed-{seed}"

    def benchmarks(self, data: DemoData) -> list[EvalRun]:
        """The demo's held-out synthetic and CRUXEval-O subset, plus CRUXEval-I and REval."""
        from execverify.eval.cruxeval import CRUXEvalInput
        from execverify.eval.reval import REval

        runs = demo_benchmarks(self.demo, data)
        c = self.config
        if c.cruxeval_input_limit:
            runs.append(EvalRun("cruxeval-i", CRUXEvalInput(limit=c.cruxeval_input_limit),
                                self.demo.cruxeval_format, self.demo.eval_max_new_tokens))
        if c.reval_limit:
            runs.append(EvalRun("reval", REval(limit=c.reval_limit), "chat",
                                c.reval_max_new_tokens))
        return runs


def load_study(recipe: str | Path | None, overrides: Sequence[str] | dict[str, Any] = ()
               ) -> Study:
    """The study's configs from a recipe and ``section.key=value`` overrides."""
    config = load_section("study", recipe, overrides)
    demo = load_section("demo", recipe, overrides, plain=False)
    return Study(config=config, demo=dataclasses.replace(demo, out=config.out),
                 sft=load_section("sft", recipe, overrides, plain=False),
                 stage1=load_section("stage1", recipe, overrides, plain=False),
                 reward=load_section("reward", recipe, overrides, plain=False),
                 tasks=load_section("tasks", recipe, overrides, plain=False))


def run_study(recipe: str | Path | None = None,
              overrides: Sequence[str] | dict[str, Any] = (), *, progress: bool = True,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run (or resume) every phase and write the report; returns ``results.json``'s document."""
    from execverify.study.report import write_study_report

    study = load_study(recipe, overrides)
    study.out.mkdir(parents=True, exist_ok=True)
    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    timer = PhaseTimer(study.out / TIMINGS_FILE)
    with timer.phase("data"):
        data = prepare_data(study.demo, study.out, progress, study.tasks)
    say(f"study: {data.train_records} training records; held out {data.heldout_records} "
        f"records asking {data.heldout_questions} questions; arms "
        f"{', '.join(study.config.arms)} at seeds {study.seeds}")
    for name, step in study_phases(study, data, progress):
        say(f"study: {name} ...")
        with timer.phase(name):
            run_phase(step, study.demo.isolate_phases)
    return write_study_report(study, data, timer.totals())


def study_phases(study: Study, data: DemoData, progress: bool
                 ) -> list[tuple[str, Callable[[], Any]]]:
    """The phases after the data, in the order they run (shared ones first); each a
    ``functools.partial`` of a module-level function, so it can run in a process of its own
    (``demo.isolate_phases``)."""
    arms = study.config.arms
    steps: list[tuple[str, Callable[[], Any]]] = [
        (f"sft seed-{seed}", partial(run_sft, study.sft_config(seed))) for seed in study.seeds]
    for seed in study.seeds:
        if any(arm in RL_ARMS for arm in arms):
            steps.append((f"probe seed-{seed}", partial(probe, study, seed)))
        for arm in arms:
            if arm in RL_ARMS:
                steps.append((f"{arm} seed-{seed}", partial(train_rl, study, arm, seed)))
            elif arm == "sft_more":
                steps.append((f"sft_more seed-{seed}",
                              partial(run_sft, study.sft_more_config(seed))))
    runs = study.benchmarks(data)
    steps += [(f"eval {arm} seed-{seed}",
               partial(evaluate_stage, study.demo, runs, study.model_dir(arm, seed),
                       study.eval_dir(arm, seed), progress))
              for arm in arms for seed in study.seeds]
    return steps


def probe(study: Study, seed: int) -> None:
    """Stage 1's difficulty filter, run once per seed with the recipe's (method's) reward from
    the seed's SFT model; every RL arm of that seed then trains on the prompts it kept."""
    from execverify.train.difficulty import SELECTION_FILE
    from execverify.train.grpo import informative_rows, ordered_rows
    from execverify.train.model import load_model
    from execverify.train.records import load_records

    config = study.probe_config(seed)
    if not config.select_samples or (Path(config.output_dir) / SELECTION_FILE).is_file():
        return
    records = load_records(config.data, config.levels, config.max_records, "Stage1Config")
    model, tokenizer = load_model(config.model)
    informative_rows(config, ordered_rows(config, records), model, tokenizer, study.reward)


def train_rl(study: Study, arm: str, seed: int) -> dict[str, Any]:
    """Stage 1 for one RL arm at one seed, on the prompts the seed's probe kept."""
    from execverify.train.difficulty import SELECTION_FILE

    config = study.stage1_config(arm, seed)
    probed = Path(study.probe_config(seed).output_dir) / SELECTION_FILE
    mine = Path(config.output_dir) / SELECTION_FILE
    if probed.is_file() and not mine.is_file():
        mine.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(probed, mine)  # select_rows reads it back: same rows, same settings
    return run_stage1(config, study.arm_reward(arm))
