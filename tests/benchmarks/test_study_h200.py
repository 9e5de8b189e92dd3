"""benchmarks/gpu/study_h200.sh and pack_h200.py: their help and syntax, the wheel split, and the
script's dry run on the CPU (a tiny model, one seed, three arms)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "gpu" / "study_h200.sh"
PACK = ROOT / "benchmarks" / "gpu" / "pack_h200.py"

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")


def test_pack_h200_help():
    done = subprocess.run([sys.executable, str(PACK), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--part1-mib" in done.stdout and "--wheel" in done.stdout


@needs_bash
def test_study_h200_script_parses_and_names_the_two_device_calls():
    done = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = SCRIPT.read_text()
    assert 'carry=["benchmarks/gpu/carry/part1"]' in text
    assert 'command="bash benchmarks/gpu/study_h200.sh $OUT/study"' in text
    assert "timeout" in text
    usage = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_the_wheel_split_joins_back_to_the_same_bytes(tmp_path):
    spec = importlib.util.spec_from_file_location("pack_h200", PACK)
    pack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pack)
    wheel = tmp_path / "m-1-py3-none-any.whl"
    data = os.urandom(10 * 1024 * 1024 + 5)  # spans several 4 MiB reads
    wheel.write_bytes(data)
    part1, part2 = tmp_path / "part1", tmp_path / "part2"
    part1.mkdir()
    part2.mkdir()
    pack.split_wheel(wheel, part1, part2, 5 * 1024 * 1024 + 3)
    first = (part1 / f"{wheel.name}.part1").read_bytes()
    rest = (part2 / f"{wheel.name}.part2").read_bytes()
    assert len(first) == 5 * 1024 * 1024 + 3 and first + rest == data
    digest, name = (part2 / f"{wheel.name}.sha256").read_text().split()
    assert name == wheel.name and digest == hashlib.sha256(data).hexdigest()


@pytest.mark.slow
@needs_bash
def test_the_dry_run_writes_a_report_of_three_arms(tmp_path, tiny_model_dir):
    model_dir = tiny_model_dir
    out = tmp_path / "study"
    env = {**os.environ, "STUDY_H200_MODEL": str(model_dir), "STUDY_H200_PYTHON": sys.executable,
           "STUDY_H200_WORK": str(tmp_path / "work"), "TMPDIR": str(tmp_path)}
    done = subprocess.run(["bash", str(SCRIPT), str(out), "--dry-run"], capture_output=True,
                          text=True, env=env, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert (out / "report.md").is_file() and (out / "study.log").is_file()
    results = json.loads((out / "results.json").read_text())
    assert results["arms"] == ["sft", "whitebox", "output_only"]
    assert set(results["results"]) == {"sft", "whitebox", "output_only"}
    assert len(results["seeds"]) == 1
    assert "s/step" in done.stdout and "study wall time" in done.stdout
    assert not (out / "work").exists()  # the models stay in the work folder, not in OUT_DIR
