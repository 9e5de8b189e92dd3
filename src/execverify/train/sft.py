"""The SFT warm-up: teach the answer format and the easy levels before GRPO (TRL SFTTrainer).

The small built-in model answers 0 of 80 CRUXEval-O problems at first, mostly because it writes
prose instead of the answer block; GRPO cannot learn from groups that all score 0. So a short
supervised pass comes first, on texts that are verified correct by our own reward
(``execverify.train.reasoning``). Rows are TRL's conversational prompt-completion form, so the
loss covers the assistant's answer only. ``lora_r > 0`` trains a LoRA adapter (peft) instead of
every weight.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from execverify.data.dataset import write_atomic
from execverify.data.records import Record
from execverify.tasks import as_chat
from execverify.train.config import TEACHER_ROUTES, SFTConfig
from execverify.train.model import (
    load_model,
    lora_config,
    precision,
    release_memory_callback,
    save_model,
)
from execverify.train.reasoning import ReasoningExample, verified_examples
from execverify.train.records import load_records
from execverify.train.tracking import CHECKPOINTS_KEPT, report_to, run_stage

EXAMPLES_FILE = "examples.jsonl"


def sft_rows(examples: Sequence[ReasoningExample]) -> list[dict[str, Any]]:
    """TRL prompt-completion rows (chat form), with the record id kept for tracing back."""
    return [{"prompt": as_chat(e.prompt),
             "completion": [{"role": "assistant", "content": e.completion}],
             "id": e.id, "task": e.task}
            for e in examples]


def fitting(examples: Sequence[ReasoningExample], tokenizer: Any, max_length: int
            ) -> list[ReasoningExample]:
    """The examples whose chat text fits ``max_length`` tokens. TRL would truncate the rest,
    cutting off the answer block at the end and teaching exactly the unclosed text the reward
    rejects, so they are left out instead."""
    kept = []
    for example in examples:
        text = tokenizer.apply_chat_template(example.messages(), tokenize=False)
        if len(tokenizer(text).input_ids) <= max_length:
            kept.append(example)
    return kept


def sft_arguments(config: SFTConfig) -> Any:
    """TRL ``SFTConfig`` for the warm-up."""
    from trl import SFTConfig as TrlSFTConfig

    return TrlSFTConfig(
        output_dir=config.output_dir,
        max_steps=config.max_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        max_length=config.max_length,
        seed=config.seed,
        logging_steps=config.logging_steps,
        save_steps=config.save_steps,
        save_total_limit=CHECKPOINTS_KEPT,
        gradient_checkpointing=config.gradient_checkpointing,
        report_to=report_to(config.report_to),
        **precision(),
    )


@dataclass
class SFTResult:
    """What the warm-up did: records read, verified examples trained on (those that fit
    ``max_length``), steps, logged metrics."""

    records: int
    examples: int
    steps: int
    output_dir: str
    log_history: list[dict[str, Any]] = field(default_factory=list)


def build_sft_trainer(config: SFTConfig, examples: Sequence[ReasoningExample], *,
                      model: Any = None, tokenizer: Any = None) -> Any:
    """A ready TRL ``SFTTrainer`` on ``examples``."""
    from datasets import Dataset
    from trl import SFTTrainer

    if model is None or tokenizer is None:
        model, tokenizer = load_model(config.model, model, tokenizer)
    examples = fitting(examples, tokenizer, config.max_length)
    if not examples:
        raise ValueError("no verified SFT examples to train on: there were no records, every "
                         "candidate text failed the reward check, or none fits "
                         f"max_length={config.max_length} tokens (raise it, or use lower "
                         "levels).")
    return SFTTrainer(model=model, args=sft_arguments(config),
                      train_dataset=Dataset.from_list(sft_rows(examples)),
                      processing_class=tokenizer, peft_config=lora_config(config),
                      callbacks=[release_memory_callback()])


def sft_examples(config: SFTConfig, records: Sequence[Record], *, sandbox: Any = None
                 ) -> list[ReasoningExample]:
    """The verified examples of ``config.route``: trace-grounded, teacher-written, or both."""
    examples: list[ReasoningExample] = []
    if config.route in ("trace", "both"):
        examples += verified_examples(list(records), sandbox=sandbox, templates=config.templates,
                                      max_steps=config.reasoning_steps,
                                      terse=config.terse_reasoning)
    if config.route in TEACHER_ROUTES:
        from execverify.train.teacher import teacher_route

        examples += teacher_route(config, records, sandbox=sandbox).examples
    return examples


def train_sft(config: SFTConfig, records: Sequence[Record] | None = None, *, model: Any = None,
              tokenizer: Any = None, sandbox: Any = None) -> SFTResult:
    """Build verified examples from ``records`` (default: ``config.data``), train, save.

    Rerunning a killed run resumes from its newest checkpoint; rerunning a finished one returns
    its recorded result without training again."""
    loaded: list[Record] = []

    def build() -> Any:
        loaded.extend(records if records is not None else load_records(
            config.data, config.levels, config.max_records, "SFTConfig"))
        examples = cached_examples(config, loaded, sandbox)
        return build_sft_trainer(config, examples, model=model, tokenizer=tokenizer)

    def summarize(trainer: Any) -> dict[str, Any]:
        return {"records": len(loaded), "examples": len(trainer.train_dataset),
                "steps": trainer.state.global_step, "output_dir": config.output_dir}

    summary, history = run_stage(config.output_dir, build, lambda t: save_model(t, config), summarize,
                                 keep_checkpoints=config.keep_checkpoints)
    return SFTResult(records=summary["records"], examples=summary["examples"],
                     steps=summary["steps"], output_dir=config.output_dir, log_history=history)


def cached_examples(config: SFTConfig, records: Sequence[Record], sandbox: Any
                    ) -> list[ReasoningExample]:
    """The route's examples, written once to ``<output_dir>/examples.jsonl`` and read back on
    a resumed run, so a restart trains on the very same texts (a sampling teacher would
    otherwise write new ones)."""
    path = Path(config.output_dir) / EXAMPLES_FILE
    if path.is_file():
        return [ReasoningExample(**json.loads(line))
                for line in path.read_text(encoding="utf-8").splitlines() if line]
    examples = sft_examples(config, records, sandbox=sandbox)
    text = "".join(json.dumps(dataclasses.asdict(e), sort_keys=True) + "\n" for e in examples)
    write_atomic(path, text.encode("utf-8"))
    return examples
