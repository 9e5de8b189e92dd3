"""Reward speed: combined-question scoring per core, input prediction through the sandbox pool,
and one GRPO step's worth of rollouts (128 prompts x 8).

    python benchmarks/rewards_speed.py [--prompts 128] [--rollouts 8]
                                       [--out benchmarks/results/rewards_speed.md]

Records come from the built-in generator (levels 1..6 in turn), traced through the sandbox and
turned into records by ``build_record``. Each prompt gets ``--rollouts`` completions in a mix
that looks like training: perfect ones, one or two wrong steps, a wrong output, a missing line,
reformatted answers (no spaces, numbering, fences, ``Answer:`` prefixes: these need literal
parsing) and unusable text.

1. Combined scoring, no execution: CPU time of one thread (completions per CPU-second = per
   core), warm (caches as they are across a training run, where a group's rollouts repeat
   answers) and cold (every cache emptied before each pass: each distinct answer parsed anew).
2. Input prediction: every rollout's arguments run as ``f(args)`` in the pool; the raw pool
   rate for the same calls (``Sandbox.run_jobs``, no scoring) is the ceiling.
3. 1,024 rollouts: wall time to score a step of combined rollouts, of input rollouts, and of
   a half-and-half mix (what ``score_batch`` does for a GRPO step).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from execverify.data.records import Record  # noqa: E402
from execverify.rewards import (  # noqa: E402
    checks,
    inputs,
    score,
    score_batch,
    score_combined,
    values,
)
from execverify.sandbox import Job, Limits, Sandbox  # noqa: E402
from execverify.tasks import answer_block, build_record, expected_answers  # noqa: E402
from execverify.trace import trace_many  # noqa: E402

REASONING = ("Line 2 runs first and binds the list. The loop then visits each element; "
             "I track the values line by line. ") * 4


def make_records(n: int, sb: Sandbox, seed: int = 0) -> list[Record]:
    from execverify.synth import generate

    rng = random.Random(seed)
    programs = []
    while len(programs) < n * 2:
        programs.append(generate(1 + len(programs) % 6, rng))
    traces = trace_many([(p.source, p.entry, p.args) for p in programs], sandbox=sb)
    records = []
    for i, (p, t) in enumerate(zip(programs, traces)):
        if len(records) == n:
            break
        try:
            records.append(build_record(p.source, p.entry, p.args, level=p.level,
                                        source="builtin", id=f"b{i}", trace=t, seed=i))
        except ValueError:
            continue  # calls that raise cannot become records
    return records


def _spaceless(answer: str) -> str:
    return re.sub(r"(?<=[,:]) ", "", answer)


def combined_rollouts(record: Record, k: int, rng: random.Random) -> list[str]:
    """``k`` completions for one prompt, cycling through the training-like mix."""
    right = expected_answers(record)
    out = []
    for i in range(k):
        answers = list(right)
        kind = i % 8
        if kind == 1 and len(answers) > 1:
            answers[rng.randrange(1, len(answers))] = str(rng.randrange(100))
        elif kind == 2 and len(answers) > 2:
            for j in rng.sample(range(1, len(answers)), 2):
                answers[j] = f"[{rng.randrange(100)}]; list"
        elif kind == 3:
            answers[0] = f"{answers[0][:-1]}{rng.randrange(10)}{answers[0][-1:]}"
        elif kind == 4 and len(answers) > 1:
            answers.pop()
        elif kind in (5, 7):
            answers = [_spaceless(a) for a in answers]
        if kind == 6:
            out.append("I am not sure what this program does, sorry.")
        elif kind == 2:
            out.append(f"<reasoning>{REASONING}</reasoning>\n<answer>\n```\n"
                       + "\n".join(f"Answer: {a}" for a in answers) + "\n```\n</answer>")
        elif kind == 5:
            out.append(f"<reasoning>{REASONING}</reasoning>\n<answer>\n"
                       + "\n".join(f"{n}. {a}" for n, a in enumerate(answers, 1)) + "\n</answer>")
        else:
            out.append(answer_block(answers, REASONING))
    return out


def input_rollouts(record: Record, k: int, rng: random.Random) -> list[str]:
    """``k`` input answers for one prompt: the original arguments and digit mutations."""
    out = []
    for i in range(k):
        args = record.args
        digits = [m.start() for m in re.finditer(r"\d", args)]
        if i % 2 and digits:
            at = rng.choice(digits)
            args = args[:at] + str(rng.randrange(10)) + args[at + 1:]
        out.append(f"<reasoning>{REASONING}</reasoning>\n<answer>\n{args}\n</answer>")
    return out


def clear_caches() -> None:
    values.literal.cache_clear()
    checks.normalise_code.cache_clear()
    checks._call_dump.cache_clear()
    checks._accepted_lines.cache_clear()
    checks._longest.cache_clear()
    score._record_from_json.cache_clear()
    inputs.RUN_CACHE.clear()


def per_core_rate(completions: list[str], records: list[str], passes: int, cold: bool) -> float:
    """Completions scored per CPU-second of this (single) thread, best of ``passes``."""
    best = float("inf")
    for _ in range(passes):
        if cold:
            clear_caches()
        start = time.process_time()
        for completion, record in zip(completions, records):
            score_combined(completion, record)
        best = min(best, time.process_time() - start)
    return len(completions) / best


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=128)
    parser.add_argument("--rollouts", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/rewards_speed.md"))
    args = parser.parse_args()
    rng = random.Random(0)
    with Sandbox(workers=args.workers, limits=Limits(timeout_s=2.0)) as sb:
        records = make_records(args.prompts, sb)
        jsons = [r.to_json() for r in records]
        completions, owners = [], []
        for record, text in zip(records, jsons):
            completions += combined_rollouts(record, args.rollouts, rng)
            owners += [text] * args.rollouts
        n_questions = sum(len(expected_answers(r)) for r in records) / len(records)
        perfect = sum(score_combined(c, o).score == 2.0 for c, o in zip(completions, owners))

        warm = per_core_rate(completions, owners, passes=5, cold=False)
        cold = per_core_rate(completions, owners, passes=5, cold=True)

        input_texts, input_owners = [], []
        for record, text in zip(records, jsons):
            input_texts += input_rollouts(record, args.rollouts, rng)
            input_owners += [text] * args.rollouts
        clear_caches()
        parsed = [inputs.input_arguments(score.parse_completion(c).answers[0], r,
                                         score.DEFAULT_CONFIG)[0]
                  for c, r in zip(input_texts, [Record.from_json(o) for o in input_owners])]
        unique = sorted({(r.program, r.entry, a) for r, a in
                         zip([Record.from_json(o) for o in input_owners], parsed) if a})
        limits = Limits(timeout_s=2.0)
        sb.run_jobs([Job(source="def f():\n    return 0", entry="f", limits=limits)] * 64)  # warm
        _, raw_s = timed(lambda: sb.run_jobs([Job(source=p, entry=e, args=a, limits=limits)
                                              for p, e, a in unique]))
        clear_caches()
        input_results, input_s = timed(lambda: score_batch(input_texts, input_owners, "input",
                                                           sandbox=sb))
        input_right = sum(r.score == 2.0 for r in input_results)

        clear_caches()
        _, step_combined_s = timed(lambda: score_batch(completions, owners, "combined"))
        clear_caches()
        _, step_input_s = timed(lambda: score_batch(input_texts, input_owners, "input",
                                                    sandbox=sb))
        half = len(completions) // 2
        mixed = completions[:half] + input_texts[half:]
        mixed_owners = owners[:half] + input_owners[half:]
        tasks = ["combined"] * half + ["input"] * (len(mixed) - half)
        clear_caches()
        _, step_mixed_s = timed(lambda: score_batch(mixed, mixed_owners, tasks, sandbox=sb))
        isolation = sb.isolation

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    n = len(completions)
    lines = [
        "# Reward speed",
        "",
        f"Command: `python benchmarks/rewards_speed.py --prompts {args.prompts} "
        f"--rollouts {args.rollouts}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs; sandbox: {args.workers} workers, isolation {isolation}; "
        f"load average at the end {load}.",
        "",
        f"Data: {len(records)} records from the built-in generator (levels 1..6), "
        f"{args.rollouts} rollouts each = {n} completions; {n_questions:.1f} questions per "
        f"combined prompt on average; {perfect} of the {n} combined completions are perfect "
        "(2.0).",
        "",
        "## 1. Combined-question scoring, no execution (one thread, CPU time)",
        "",
        "| caches | completions per CPU-second (per core) |",
        "|---|---:|",
        f"| warm (as across training: repeated answers are parsed once) | {warm:,.0f} |",
        f"| cold (every cache emptied before each pass) | {cold:,.0f} |",
        "",
        "## 2. Input prediction through the sandbox pool",
        "",
        f"{n} input completions, {len(unique)} distinct calls to run "
        f"({input_right} reproduce the output).",
        "",
        "| what | wall time | distinct calls per second |",
        "|---|---:|---:|",
        f"| raw pool: `run_jobs` of the distinct calls | {raw_s:.2f} s | {len(unique) / raw_s:,.0f} |",
        f"| `score_batch(..., 'input')`: parse, check literals, run, compare | {input_s:.2f} s "
        f"| {len(unique) / input_s:,.0f} |",
        "",
        f"## 3. One GRPO step: {n} rollouts ({args.prompts} prompts x {args.rollouts})",
        "",
        "| rollouts | wall time |",
        "|---|---:|",
        f"| {n} combined (no execution) | {step_combined_s:.3f} s |",
        f"| {n} input (sandbox) | {step_input_s:.3f} s |",
        f"| {half} combined + {n - half} input | {step_mixed_s:.3f} s |",
        "",
        "Wall times are on a shared machine: other jobs were running (see the load average).",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
