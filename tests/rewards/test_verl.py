"""verl: ``compute_score`` loaded by path and driven like verl's reward managers, over the
Parquet rows ``execverify export --format verl`` writes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import defaultdict

import pytest

from execverify.data.export import export
from execverify.data.records import Record
from execverify.tasks import expected_completion

VERL_FILE = importlib.util.find_spec("execverify.rewards.verl").origin


def _load_by_path(path: str, name: str):
    """What verl's ``get_custom_reward_fn`` does with custom_reward_function.path/name."""
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.fixture
def verl_rows(records, tmp_path):
    import datasets

    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "shard-000.jsonl").write_text("".join(r.to_json() + "\n" for r in records.values()))
    (folder / "manifest.json").write_text(json.dumps({"generator": "test"}))
    out = tmp_path / "train.parquet"
    export(folder, out, "verl", tasks=("combined", "input", "output"))
    # verl's RLHFDataset reads the files with datasets' parquet loader
    return list(datasets.load_dataset("parquet", data_files=str(out))["train"])


def _responses(row):
    """(right, wrong) responses for a row, written from the record alone."""
    record = Record.from_json(row["reward_model"]["ground_truth"])
    task = row["extra_info"]["task"]
    if task == "combined":
        return expected_completion(record, "step by step"), "<answer>\nnot it\n</answer>"
    if task == "input":
        return f"<answer>{record.args}</answer>", "<answer>object()</answer>"
    return f"<answer>{record.output}</answer><|im_end|>", "<answer>None</answer>"


def test_naive_reward_manager_loop(verl_rows, sandbox):
    compute_score = _load_by_path(VERL_FILE, "compute_score")
    assert len(verl_rows) == 12
    reward_extra_info = defaultdict(list)
    for row in verl_rows:  # NaiveRewardManager: one call per row, keyword arguments
        for response, want in zip(_responses(row), (2.0, 0.0)):
            result = compute_score(
                data_source=row["data_source"],
                solution_str=response,
                ground_truth=row["reward_model"]["ground_truth"],
                extra_info=row["extra_info"],
            )
            assert isinstance(result, dict) and result["score"] == want, (row["extra_info"], result)
            for key, value in result.items():
                reward_extra_info[key].append(value)
    lengths = {len(v) for v in reward_extra_info.values()}
    assert lengths == {24}  # the same keys for every row, as verl needs
    assert all(isinstance(v, float) for vs in reward_extra_info.values() for v in vs)


def test_batch_reward_manager(verl_rows):
    compute_score_batch = _load_by_path(VERL_FILE, "compute_score_batch")
    rights = [_responses(row)[0] for row in verl_rows]
    scores = compute_score_batch(
        data_sources=[row["data_source"] for row in verl_rows],
        solution_strs=rights,
        ground_truths=[row["reward_model"]["ground_truth"] for row in verl_rows],
        extra_infos=[row["extra_info"] for row in verl_rows],
    )
    assert [s["score"] for s in scores] == [2.0] * len(verl_rows)
    assert all(s["acc"] == 1.0 and s["format_ok"] == 1.0 for s in scores)


def test_task_falls_back_to_the_data_source(records):
    from execverify.rewards.verl import compute_score

    record = records["loop"]
    out = compute_score("execverify/output", "<answer>[1, 10, 6]</answer>", record.to_json())
    assert out["score"] == 2.0 and out["step_acc"] == -1.0
    unnamed = compute_score("other", expected_completion(record), record.to_json())
    assert unnamed["score"] == 0.0 and unnamed["format_ok"] == 0.0  # no task named: not guessed
    broken = compute_score("execverify/combined", None, "{}")
    assert broken["score"] == 0.0 and broken["format_ok"] == 0.0


def test_loading_by_path_imports_nothing_heavy():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('custom_module', {VERL_FILE!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "heavy = {'torch', 'transformers', 'trl', 'pyarrow', 'datasets', 'numpy'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
