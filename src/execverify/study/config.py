"""The ``study`` section of a recipe: which arms, how many seeds, which evaluations.

The data and the held-out evaluation are the demo's (the recipe's ``demo`` section: records,
levels, held-out split, CRUXEval-O subset, decoding budget); training is the recipe's ``sft``,
``stage1`` and ``reward`` sections, which every arm shares except where the arm itself differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from execverify.validation import fail, require_int, require_number

ARMS = ("sft", "whitebox", "output_only", "ungated", "sft_more")
"""sft: the warm-up alone. whitebox: SFT then stage-1 GRPO with the method's reward.
output_only: the same GRPO rewarded for the output alone (``reward.output_only``). ungated:
the step reward without the output gate (``reward.gate_on_output`` false). sft_more: SFT
continued for as many training sequences as an RL arm trains on."""

RL_ARMS = ("whitebox", "output_only", "ungated")


@dataclass(frozen=True)
class StudyConfig:
    """``execverify study``: the arms, at ``seeds`` seeds each, trained from one dataset and
    evaluated on the same sets, then compared pairwise over the same questions."""

    out: str = "runs/study"
    arms: tuple[str, ...] = ("sft", "whitebox", "output_only")
    seeds: int = 2
    """Seeds ``demo.seed``, ``demo.seed + 1``, ...: each seeds its SFT run and the RL arms that
    start from it; the data and held-out split are the same for every seed."""
    cruxeval_input_limit: int = 40
    """The first N CRUXEval-I problems (0 skips); CRUXEval-O's is ``demo.cruxeval_limit``."""
    reval_limit: int = 1
    """The first N REval programs (each asks ~35-80 questions; 0 skips)."""
    reval_max_new_tokens: int = 64
    """REval's direct answers are one line; its few-shot prompts are long, so this is cheap
    insurance against a model that rambles."""
    sft_more_steps: int = 0
    """Extra SFT steps for ``sft_more``; 0 matches the sequences an RL arm trains on
    (``stage1.max_steps * prompts_per_step * num_generations``)."""
    bootstrap_samples: int = 10_000
    confidence: float = 0.95

    def __post_init__(self) -> None:
        arms = tuple(self.arms)
        unknown = [a for a in arms if a not in ARMS]
        if not arms or unknown or len(set(arms)) != len(arms):
            fail("StudyConfig", "arms", self.arms,
                 f"must list distinct arms from {', '.join(ARMS)}")
        object.__setattr__(self, "arms", arms)
        require_int(self, "seeds", "bootstrap_samples", "reval_max_new_tokens")
        require_int(self, "cruxeval_input_limit", "reval_limit", "sft_more_steps", low=0)
        require_number(self, "confidence")
        if not self.confidence < 1:
            fail("StudyConfig", "confidence", self.confidence, "must be below 1 (e.g. 0.95)")
        if not self.out:
            fail("StudyConfig", "out", self.out, "must name an output folder")
