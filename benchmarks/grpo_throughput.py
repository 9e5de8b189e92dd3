"""Scored completions per CPU-second of stage-1 GRPO: the cpu-demo settings before issue 14
against today's, in one run (issue 14's 4x goal).

    python benchmarks/grpo_throughput.py [--steps 4] [--records 300] [--model builtin]
        [--baseline-model MODEL] [--out benchmarks/results/grpo_throughput.md]

Each arm is ``benchmarks/grpo_step_profile.py`` in its own process (so each has its own peak
memory), on the same model and the same synthesised records' programs: first the baseline, the
cpu-demo recipe's stage-1 settings at e8d755d (2 prompts x 4 completions, TRL's own fp32
sampling, up to 192 new tokens, the method's wording and 5 + 5 white-box questions per record,
every weight trained, the loss in one batch, TRL's own log-prob pass), then the recipe as it is
now. Stage 1 starts from an SFT model, whose answers set the completions' length: ``--model``
for today's arm, ``--baseline-model`` (default: the same) for the baseline's, e.g. the SFT
models of today's recipe and of e8d755d's. The difficulty filter's probe is off in both (its cost
is reported by the demo, ``stage1/selection.json``); the ratio is of means over steps 2.. (step 1
pays for warm-up). Both arms share this machine's noise only if nothing else runs: check the
load average in the header.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchreport import header, publish

BASELINE = (
    "stage1.sampler=trainer", "stage1.num_generations=4", "stage1.prompts_per_step=2",
    "stage1.max_completion_length=192", "stage1.extra={gradient_checkpointing: false}",
    "stage1.templates=method", "stage1.lora_r=0", "stage1.micro_batch_size=0",
    "stage1.learning_rate=1e-5", "tasks.max_next_statement=5", "tasks.max_state=5",
    "stage1.share_prompt=false",
)
"""The stage-1 settings of cpu-demo before issue 14, as overrides of today's recipe."""
COMMON = ("stage1.select_samples=0", "stage1.save_steps=1000")


def run_arm(name: str, model: str, overrides: tuple[str, ...], args: argparse.Namespace,
            tmp: Path) -> dict:
    out = tmp / f"{name}.json"
    command = [sys.executable, str(Path(__file__).with_name("grpo_step_profile.py")),
               "--steps", str(args.steps), "--records", str(args.records), "--model",
               model, "--out", str(tmp / f"{name}.md"), "--json", str(out),
               *COMMON, *overrides]
    subprocess.run(command, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--baseline-model", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.baseline_model = args.baseline_model or args.model
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        before = run_arm("baseline", args.baseline_model, BASELINE, args, tmp)
        after = run_arm("now", args.model, (), args, tmp)
        profiles = {arm: (tmp / f"{arm}.md").read_text(encoding="utf-8")
                    for arm in ("baseline", "now")}
    publish(_report(args, before, after, profiles), args.out)


def _report(args: argparse.Namespace, before: dict, after: dict, profiles: dict[str, str]
            ) -> list[str]:
    ratio = after["completions_per_cpu_s"] / before["completions_per_cpu_s"]
    rows = [("scored completions per step", "completions_per_step", "{:.0f}"),
            ("CPU-s per step", "cpu_s_per_step", "{:.1f}"),
            ("wall s per step", "wall_s_per_step", "{:.1f}"),
            ("scored completions per CPU-second", "completions_per_cpu_s", "{:.3f}"),
            ("scored completions per wall second", "completions_per_wall_s", "{:.3f}"),
            ("peak resident memory (MiB)", "peak_rss_mb", "{:,.0f}")]
    lines = [
        *header("Stage-1 GRPO throughput: cpu-demo before issue 14 against now",
                f"python benchmarks/grpo_throughput.py --steps {args.steps} --records "
                f"{args.records} --model {args.model} --baseline-model {args.baseline_model}"),
        "| | baseline (e8d755d settings) | now | now / baseline |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, key, form in rows:
        lines.append(f"| {label} | {form.format(before[key])} | {form.format(after[key])} | "
                     f"{after[key] / before[key]:.2f}x |")
    lines += ["", f"**Ratio of scored completions per CPU-second: {ratio:.2f}x** "
              f"(goal: at least 4x).", "",
              "Mean completion length per step (tokens): baseline "
              f"{_list(before['mean_completion_length'])}; now "
              f"{_list(after['mean_completion_length'])}.",
              f"Share of groups with unequal rewards per step: baseline "
              f"{_list(before['varied_group_share'], '{:.0%}')}; now "
              f"{_list(after['varied_group_share'], '{:.0%}')}.", "",
              "Baseline overrides: `" + " ".join(BASELINE) + "`; both arms: `"
              + " ".join(COMMON) + "`.", ""]
    for arm, text in profiles.items():
        lines += [f"## The {arm} arm, part by part", "",
                  *[line for line in text.splitlines()[4:]], ""]
    return lines


def _list(values: list[float], form: str = "{:.0f}") -> str:
    return ", ".join(form.format(v) for v in values) or "-"


if __name__ == "__main__":
    sys.exit(main())
