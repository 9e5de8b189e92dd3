"""Training: validated stage configs, the trace-grounded SFT warm-up, and stage-1 GRPO on TRL.

- ``config``: ``SFTConfig``, ``Stage1Config``, ``load_config(section, yaml, overrides)``.
- ``reasoning``: verified step-by-step texts rendered from recorded traces (no teacher).
- ``sft``: the warm-up with TRL's ``SFTTrainer`` (full or LoRA).
- ``grpo``: stage 1 with TRL's ``GRPOTrainer`` and ``execverify.rewards.trl``.
- ``cli``: ``execverify train sft|stage1 --config configs/NAME.yaml [key=value ...]``.

Heavy dependencies (torch, transformers, trl, peft, datasets) are imported only inside the
functions that train, so configs and reasoning load without them.
"""
