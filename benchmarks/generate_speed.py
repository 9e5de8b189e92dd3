"""Sampling speed of the built-in model on a CPU by weight precision and attention kernel: what
the bf16-copy sampler (train/sampling.py) should be set to.

    python benchmarks/generate_speed.py [--batch 16] [--prompt-tokens 256] [--new-tokens 128]
        [--variants fp32-sdpa,fp32-eager,bf16-sdpa,bf16-eager] [--out FILE.md]

Random prompt ids, sampled with ``min_new_tokens = max_new_tokens`` so every variant decodes the
same number of steps. Prefill is timed by a one-token generate; decode is the full generate less
that. The baseline is ``fp32-sdpa`` (transformers' default on a CPU) in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchreport import header, publish

VARIANTS = ("fp32-sdpa", "fp32-eager", "bf16-sdpa", "bf16-eager")


def main() -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from execverify.models.builtin import builtin_model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--prompt-tokens", type=int, default=256)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    variants = args.variants.split(",")
    if unknown := sorted(set(variants) - set(VARIANTS)):
        parser.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    model = AutoModelForCausalLM.from_pretrained(builtin_model_path()).eval()
    ids = torch.randint(100, 20000, (args.batch, args.prompt_tokens),
                        generator=torch.Generator().manual_seed(0))
    rows = []
    for variant in variants:
        dtype, attention = variant.split("-")
        model = model.to(torch.bfloat16 if dtype == "bf16" else torch.float32)
        model.config._attn_implementation = attention
        prefill = _generate_s(model, ids, 1)
        decode = _generate_s(model, ids, args.new_tokens) - prefill
        rows.append((variant, prefill, decode, args.batch * args.new_tokens / decode,
                     1000 * decode / args.new_tokens))
    base = rows[0][3]
    lines = [*header("Sampling speed of the built-in model by precision and attention",
                     f"python benchmarks/generate_speed.py --batch {args.batch} --prompt-tokens "
                     f"{args.prompt_tokens} --new-tokens {args.new_tokens} --variants "
                     f"{args.variants}"),
             f"| variant | prefill s | decode s | decode tokens/s | ms per step | vs {rows[0][0]} |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {v} | {p:.2f} | {d:.2f} | {t:.0f} | {ms:.0f} | {t / base:.2f}x |"
              for v, p, d, t, ms in rows]
    publish(lines, args.out)


def _generate_s(model, ids, new_tokens: int) -> float:
    import torch

    start = time.perf_counter()
    with torch.inference_mode():
        model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True,
                       max_new_tokens=new_tokens, min_new_tokens=new_tokens, pad_token_id=0)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
