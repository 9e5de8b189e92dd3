"""Verifiable rewards: parse a completion, score it against a record, plug into trainers.

Typical use::

    from execverify.rewards import score_combined, score_input, RewardConfig
    result = score_combined(completion_text, record)      # ScoreResult
    result.score, result.status, result.breakdown

    from execverify.rewards.trl import combined_reward     # TRL GRPOTrainer reward_funcs
    # verl: custom_reward_function.path=<execverify>/rewards/verl.py, name=compute_score
    # OpenRLHF: --remote_rm_url <execverify>/rewards/openrlhf.py

Nothing here imports a trainer or torch; the adapters import what they need when called.
Model text is only ever read as literals (``ast.literal_eval``), except where running it is the
point (input prediction, code generation), and then only in the sandbox.
"""

from execverify.rewards.codegen import (
    TestOutcome,
    TestSuite,
    extract_code,
    run_many,
    run_tests,
    score_codegen,
)
from execverify.rewards.config import DEFAULT_CONFIG, RewardConfig
from execverify.rewards.parse import Parsed, completion_text, parse_completion
from execverify.rewards.score import (
    QuestionScore,
    ScoreResult,
    as_record,
    score_batch,
    score_combined,
    score_completion,
    score_input,
    score_inputs,
    score_output,
    score_question,
    summarise,
)

__all__ = [
    "DEFAULT_CONFIG",
    "Parsed",
    "QuestionScore",
    "RewardConfig",
    "ScoreResult",
    "TestOutcome",
    "TestSuite",
    "as_record",
    "completion_text",
    "extract_code",
    "parse_completion",
    "run_many",
    "run_tests",
    "score_batch",
    "score_codegen",
    "score_combined",
    "score_completion",
    "score_input",
    "score_inputs",
    "score_output",
    "score_question",
    "summarise",
]
