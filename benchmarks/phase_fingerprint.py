"""Fingerprint the demo's phases (data split, SFT examples, stage-1 rows, held-out samples,
stage-2 rows) with whichever execverify is first on the path, to compare two trees:

    PYTHONPATH=OLD/src python benchmarks/phase_fingerprint.py > old.json
    PYTHONPATH=NEW/src python benchmarks/phase_fingerprint.py > new.json && diff old.json new.json
"""
import hashlib
import json
import tempfile
from pathlib import Path

from execverify.data.records import Record
from execverify.demo.data import prepare_data
from execverify.demo.run import stage_configs
from execverify.eval.synthetic import Synthetic
from execverify.train.grpo import stage1_rows
from execverify.train.problems import mbpp_train_problems
from execverify.train.sft import sft_examples
from execverify.train.stage2 import stage2_rows


def h(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


out = {}
with tempfile.TemporaryDirectory() as tmp:
    demo, sft, stage1 = stage_configs(None, [f"demo.out={tmp}"])
    data = prepare_data(demo, Path(tmp), progress=False)
    out["counts"] = [data.train_records, data.heldout_records, data.heldout_questions]
    train = sorted((json.loads(line) for p in sorted(Path(data.train).rglob("*.jsonl"))
                    for line in p.read_text().splitlines() if line.strip()), key=lambda d: d["id"])
    out["train_records"] = h(train)
    out["heldout_bytes"] = hashlib.sha256(Path(data.heldout).read_bytes()).hexdigest()[:16]
    records = [Record.from_dict(d) for d in train]
    rows = stage1_rows(records, stage1.input_share, stage1.seed)
    out["stage1_n"] = len(rows)
    out["stage1_prompts"] = h([r["prompt"] for r in rows])
    examples = sft_examples(sft, records[:60])
    out["sft_examples"] = h([(e.id, e.task, e.prompt, e.completion, e.score) for e in examples])
    bench = Synthetic(str(data.heldout), tasks=demo.heldout_tasks)
    samples = bench.samples()
    out["synthetic_n"] = len(samples)
    out["synthetic_prompts"] = h([(s.id, s.prompt) for s in samples])
    out["stage2_prompts"] = h([r["prompt"] for r in stage2_rows(mbpp_train_problems())])
print(json.dumps(out, indent=1))
