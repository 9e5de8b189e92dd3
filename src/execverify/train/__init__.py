"""Training: the SFT warm-up, stage-1 and stage-2 GRPO on TRL, and the verl launcher.

- ``config``: one validated dataclass per recipe section (``SFTConfig``, ``Stage1Config``,
  ``Stage2Config``, ``VerlConfig``, ``DemoConfig``), read from recipes by ``execverify.config``.
- ``reasoning``: verified step-by-step texts rendered from recorded traces (no teacher).
- ``teacher``: verified chain-of-thought written by any ``execverify.models`` backend.
- ``sft``: the warm-up with TRL's ``SFTTrainer`` (full or LoRA).
- ``grpo``: stage 1 (execution reasoning) with TRL's ``GRPOTrainer`` and our rewards, and the
  GRPO plumbing stage 2 shares; ``records``: level selection and the curriculum order.
- ``difficulty``: keep the prompts the starting model gets unequal rewards on (the method's
  difficulty filter, run on the policy); ``sampling``: rollouts from a bf16 copy of the policy;
  ``rollouts``: every completion of logged steps, with its reward, in ``rollouts.jsonl``;
  ``model``: loading, precision, LoRA and saving (a LoRA adapter merged).
- ``problems`` / ``stage2``: problems with unit tests (MBPP train, JSONL, Eurus-2-RL-Data) and
  stage 2 (code generation, reward 0.05 + pass fraction).
- ``tracking``: resume from the newest checkpoint, ``done.json``, metric logs and curves.
- ``verl_engine``: ``--engine verl``: Parquet data, a verl config, local or Ray launch.
- ``cli``: ``execverify train sft|stage1|stage2|pipeline --config RECIPE [key=value ...]``.

Heavy dependencies (torch, transformers, trl, peft, datasets) are imported only inside the
functions that train, so configs and reasoning load without them.
"""
