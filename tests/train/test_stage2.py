"""Stage 2: problem loaders (MBPP train, our JSONL format, Eurus-2-RL-Data rows), their errors,
the config, and a smoke run of real GRPO steps rewarded by our code-generation reward."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest
import yaml

from execverify.config import ConfigError, load_section
from execverify.eval.mbpp import SPLITS
from execverify.rewards.codegen import TestSuite, run_many
from execverify.rewards.trl import ExecVerifyReward
from execverify.tasks import get_task
from execverify.train.config import GRPOStageConfig, Stage1Config, Stage2Config
from execverify.train.problems import (
    Problem,
    ProblemDataError,
    eurus_problem,
    load_problems,
    mbpp_train_problems,
)
from execverify.train.stage2 import stage2_rows

RECIPE = Path(__file__).resolve().parents[2] / "configs" / "cpu-demo.yaml"
ADD = Problem("add", "Write add(a, b) returning a + b.",
              TestSuite(kind="assert", tests=("assert add(1, 2) == 3", "assert add(0, 0) == 0"),
                        entry="add"))
ECHO = Problem("echo", "Print the sum of the two integers on stdin.",
               TestSuite(kind="stdio", tests=("1 2\n", "5 5\n"), expected=("3\n", "10\n"),
                         timeout_s=5.0), source="handmade")


# -- MBPP train ------------------------------------------------------------------------------


def test_mbpp_train_is_the_train_split_and_disjoint_from_the_test_ids():
    problems = mbpp_train_problems()
    ids = [int(p.id.removeprefix("Mbpp/")) for p in problems]
    assert len(problems) == 120 and len(set(ids)) == 120  # the sanitized set's train split
    assert all(i in SPLITS["train"] for i in ids)
    assert not set(ids) & set(SPLITS["test"])
    assert all(p.suite.kind == "assert" and p.suite.tests and p.suite.entry for p in problems)
    first = problems[0]
    assert first.id == "Mbpp/602" and "first_repeated_char" in first.prompt
    assert all(test in first.prompt for test in first.suite.tests)  # the tests are shown
    assert load_problems("mbpp-train", max_problems=5) == problems[:5]


# -- our JSONL format ----------------------------------------------------------------------


def test_jsonl_round_trip(tmp_path):
    path = tmp_path / "problems.jsonl"
    path.write_text(ADD.to_json() + "\n\n" + ECHO.to_json() + "\n", encoding="utf-8")
    assert load_problems(str(path)) == [ADD, ECHO]
    assert load_problems(str(path), max_problems=1) == [ADD]
    row = json.loads(ECHO.to_json())
    assert row["suite"]["expected"] == ["3\n", "10\n"] and row["source"] == "handmade"
    assert "source" not in json.loads(ADD.to_json())


GOOD = ADD.to_json()


@pytest.mark.parametrize(("line", "words"), [
    ("{not json", ["not valid JSON", "one JSON object per line"]),
    ("[1, 2]", ["is a list, not an object"]),
    ('{"id": "x", "prompt": "p", "suite": {"kind": "assert", "tests": ["assert 1"]}, '
     '"promt": "typo"}', ["field 'promt'", "use only"]),
    ('{"id": "", "prompt": "p", "suite": {"kind": "assert", "tests": ["assert 1"]}}',
     ["field 'id'", "unique id"]),
    ('{"id": "x", "suite": {"kind": "assert", "tests": ["assert 1"]}}',
     ["field 'prompt'", "None", "problem statement"]),
    ('{"id": "x", "prompt": "p", "suite": ["assert 1"]}', ["field 'suite'", "an object"]),
    ('{"id": "x", "prompt": "p", "suite": {"kind": "pytest", "tests": ["t"]}}',
     ["field 'suite.kind'", "'pytest'", "stdio"]),
    ('{"id": "x", "prompt": "p", "suite": {"kind": "assert", "tests": []}}',
     ["field 'suite.tests'", "at least one test"]),
    ('{"id": "x", "prompt": "p", "suite": {"kind": "stdio", "tests": ["1"]}}',
     ["field 'suite.expected'", "one expected output per test"]),
    ('{"id": "x", "prompt": "p", "suite": {"kind": "assert", "tests": ["t"], "entry": "a b"}}',
     ["field 'suite.entry'", "function name"]),
    ('{"id": "x", "prompt": "p", "suite": {"kind": "assert", "tests": ["t"], "timeout": 1}}',
     ["field 'suite.timeout'", "not a TestSuite field"]),
    (GOOD, ["id 'add' repeats", ":1", "its own id"]),
    ('{"ability": "code", "prompt": [{"role": "user", "content": "q"}], '
     '"reward_model": {"ground_truth": "{oops"}}',
     ["field 'reward_model.ground_truth'", "not valid JSON"]),
    ('{"ability": "code", "prompt": [{"role": "user", "content": "q"}], '
     '"reward_model": {"ground_truth": "{\\"inputs\\": [\\"1\\"], \\"outputs\\": []}"}}',
     ["'inputs' and 'outputs'", "same length"]),
    ('{"ability": "code", "prompt": [{"role": "system", "content": "s"}], '
     '"reward_model": {"ground_truth": "{\\"inputs\\": [\\"1\\"], \\"outputs\\": [\\"1\\"]}"}}',
     ["field 'prompt'", "user message"]),
])
def test_bad_rows_name_the_file_line_field_and_fix(tmp_path, line, words):
    path = tmp_path / "bad.jsonl"
    path.write_text(GOOD + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ProblemDataError) as err:
        load_problems(str(path))
    message = str(err.value)
    assert f"{path}:2: " in message
    for word in words:
        assert word in message


def test_bad_data_arguments(tmp_path):
    with pytest.raises(ProblemDataError, match=r"Stage2Config\.data is empty"):
        load_problems("")
    with pytest.raises(ProblemDataError, match="neither 'mbpp-train' nor a file"):
        load_problems(str(tmp_path / "missing.jsonl"))
    (tmp_path / "p.csv").write_text("id,prompt\n")
    with pytest.raises(ProblemDataError, match="unknown problem file type"):
        load_problems(str(tmp_path / "p.csv"))
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(ProblemDataError, match="holds no problems"):
        load_problems(str(tmp_path / "empty.jsonl"))


# -- Eurus-2-RL-Data -----------------------------------------------------------------------


def eurus_row(index: int, question: str, truth: dict, ability: str = "code") -> dict:
    """A row shaped like PRIME's Eurus-2-RL-Data (ground truth as JSON text)."""
    return {"data_source": "taco", "ability": ability,
            "prompt": [{"role": "system", "content": "Eurus system prompt"},
                       {"role": "user", "content": question}],
            "reward_model": {"style": "rule", "ground_truth": json.dumps(truth)},
            "extra_info": {"split": "train", "index": index}}


STDIO_ROW = eurus_row(0, "Read n and print n * 2.\n\n```python\nYour code\n```",
                      {"inputs": ["3\n", ["4"]], "outputs": ["6\n", ["8"]]})
CALL_ROW = eurus_row(1, "Return the pair (n, n + 1) as a list.",
                     {"inputs": [[1], "2"], "outputs": [[[1, 2]], "[2, 3]"], "fn_name": "pair"})
LEETCODE_ROW = eurus_row(2, "class Solution:\n    def double(self, n: int) -> int:",
                         {"inputs": [[1], [2]], "outputs": [2, 4], "fn_name": "double"})
MATH_ROW = eurus_row(3, "What is 1 + 1?", {"inputs": [], "outputs": []}, ability="math")


def test_eurus_rows_become_stdio_and_call_suites_that_judge_like_apps():
    stdio, call, leetcode = (eurus_problem(r) for r in (STDIO_ROW, CALL_ROW, LEETCODE_ROW))
    assert (stdio.id, stdio.source, stdio.prompt) == (
        "eurus/taco/0", "eurus:taco", STDIO_ROW["prompt"][1]["content"])
    assert stdio.suite.kind == "stdio" and stdio.suite.expected == ("6\n", "8")
    assert call.suite.kind == "assert" and call.suite.entry == "pair"
    assert leetcode.suite.entry is None and "Solution().double" in leetcode.suite.tests[0]
    cases = [
        ("print(int(input()) * 2)", stdio, 2),
        ("print(int(input()) * 3)", stdio, 0),
        ("def pair(n):\n    return (n, n + 1)", call, 2),  # a tuple equals the expected list
        ("def pair(n):\n    return [n, n]", call, 0),
        ("class Any:\n    def __eq__(self, o):\n        return True\n"
         "def pair(n):\n    return Any()", call, 0),  # no plain data, no pass
        ("class Solution:\n    def double(self, n):\n        return 2 * n", leetcode, 2),
        ("class Solution:\n    def double(self, n):\n        return n + 1", leetcode, 1),
    ]
    outcomes = run_many([(code, p.suite) for code, p, _ in cases])
    assert [o.passed for o in outcomes] == [want for *_, want in cases], outcomes


def test_eurus_files_keep_the_code_rows_jsonl_and_parquet(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    rows = [STDIO_ROW, MATH_ROW, CALL_ROW]
    jsonl = tmp_path / "eurus.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    parquet = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    for path in (jsonl, parquet):
        assert [p.id for p in load_problems(str(path))] == ["eurus/taco/0", "eurus/taco/1"]
    many = eurus_row(9, "q", {"inputs": [f"{i}\n" for i in range(25)],
                              "outputs": [f"{i}\n" for i in range(25)]})
    assert len(eurus_problem(many).suite.tests) == 10  # EURUS_MAX_TESTS


# -- rows and config -----------------------------------------------------------------------


def test_rows_carry_the_chat_prompt_and_the_suite_our_reward_reads():
    mbpp = mbpp_train_problems()[0]
    rows = stage2_rows([ADD, mbpp])
    assert [r["task"] for r in rows] == ["codegen", "codegen"]
    assert TestSuite.from_json(rows[0]["test_suite"]) == ADD.suite
    asked = rows[0]["prompt"][-1]["content"]
    assert asked.startswith("Write a solution") and "```python" in asked
    assert asked.endswith(ADD.prompt)
    assert get_task("codegen").prompt(mbpp) == mbpp.prompt  # MBPP's instruct prompt asks already
    assert get_task("codegen").prompt(mbpp).count("```python") == 1
    right = "```python\ndef add(a, b):\n    return a + b\n```"
    scores = ExecVerifyReward("codegen")(prompts=[r["prompt"] for r in rows[:1]] * 2,
                             completions=[right, "no code here"],
                             test_suite=[rows[0]["test_suite"]] * 2, task=["codegen"] * 2)
    assert scores == [pytest.approx(1.05), 0.0]


def test_stage2_config_continues_stage1_with_the_method_settings():
    c, s1 = Stage2Config(), Stage1Config()
    assert (c.model, c.data, c.output_dir, c.max_problems) == (
        "runs/stage1", "mbpp-train", "runs/stage2", 0)
    shared = [f.name for f in fields(GRPOStageConfig) if f.name not in ("model", "data",
                                                                         "output_dir")]
    assert {n: getattr(c, n) for n in shared} == {n: getattr(s1, n) for n in shared}
    demo = load_section("stage2", RECIPE)
    assert isinstance(demo, Stage2Config) and demo.model == "runs/demo/stage1"
    assert demo.num_generations < 8 and demo.prompts_per_step < 128 and demo.beta == 0.0


@pytest.mark.parametrize(("override", "words"), [
    ("max_problems=-1", ["Stage2Config.max_problems", ">= 0", "-1"]),
    ("num_generations=1", ["Stage2Config.num_generations", ">= 2"]),
    ("data=", ["Stage2Config.data", "mbpp-train"]),
    ("levels=[1]", ["Stage2Config has no field 'levels'"]),
    ("loss_type=ppo", ["Stage2Config.loss_type", "'dapo'"]),
])
def test_bad_stage2_values_name_the_field_and_the_rule(override, words):
    with pytest.raises(ConfigError) as err:
        load_section("stage2", None, [override])
    for word in words:
        assert word in str(err.value)


def test_the_cli_resolves_stage2(capsys, tmp_path):
    from execverify.cli import CliError, OneLineParser
    from execverify.train.cli import register

    def run(argv):
        parser = OneLineParser(prog="execverify")
        register(parser.add_subparsers(dest="verb", parser_class=OneLineParser))
        args = parser.parse_args(argv)
        return args.handler(args)

    assert run(["train", "stage2", "--config", str(RECIPE), "max_steps=3", "--dry-run"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)["stage2"]
    assert printed == {**asdict(load_section("stage2", RECIPE, ["max_steps=3"])),
                       "report_to": list(load_section("stage2", RECIPE).report_to)}
    with pytest.raises(CliError, match="nor a file"):
        run(["train", "stage2", f"output_dir={tmp_path}", "data=/no/such/problems.jsonl"])


# -- smoke ---------------------------------------------------------------------------------


class CountingReward(ExecVerifyReward):
    """Our code-generation reward, keeping every score it gave."""

    def __init__(self) -> None:
        super().__init__("codegen")
        self.scores: list[float | None] = []

    def __call__(self, prompts=None, completions=None, **columns):
        out = super().__call__(prompts, completions, **columns)
        self.scores.extend(out)
        return out


@pytest.fixture
def one_thread():
    """Torch on one thread for the duration: the tiny model's matrices are too small to split,
    and on a shared 2-core machine threads that wait for each other made a GRPO step 5x
    slower (11 s against 2 s)."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_a_few_grpo_steps_on_code_generation_with_our_reward(tmp_path, tiny_model, one_thread):
    """The tiny model is first taught to answer with a right or a wrong solution equally
    often (as in the stage-1 smoke test), so groups get unequal rewards only our tests tell."""
    torch = pytest.importorskip("torch")
    from execverify.train.stage2 import train_stage2

    from .test_grpo_smoke import teach_half_right

    problem = Problem("inc", "Write inc(x) returning x + 1.",
                      TestSuite(kind="assert", tests=("assert inc(1) == 2", "assert inc(5) == 6"),
                                entry="inc"))
    model, tokenizer = tiny_model
    right = "```python\ndef inc(x):\n    return x + 1\n```"
    wrong = right.replace("+ 1", "+ 2")
    assert teach_half_right(model, tokenizer, get_task("codegen").prompt(problem), right, wrong) < 0.2

    config = Stage2Config(output_dir=str(tmp_path), num_generations=4, prompts_per_step=2,
                          max_steps=2, learning_rate=1e-4, max_completion_length=24,
                          logging_steps=1, save_steps=100, report_to=(),
                          extra={"gradient_checkpointing": False})
    reward = CountingReward()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    result = train_stage2(config, [problem] * 4, model=model, tokenizer=tokenizer,
                          reward_funcs=[reward])

    assert result.steps == 2 and (tmp_path / "done.json").is_file()
    assert len(reward.scores) == 2 * 2 * 4  # steps x prompts x rollouts, all scored by us
    assert None not in reward.scores
    print(f"rewards: {reward.scores}; share of varied groups {result.varied_group_share}")
    assert pytest.approx(1.05) in reward.scores and pytest.approx(0.05) in reward.scores
    assert any("execverify_codegen/score_mean" in row for row in result.log_history)
    changed = [n for n, p in model.named_parameters() if not torch.equal(before[n], p.detach())]
    assert changed, "no parameter changed"
    again = train_stage2(config, [problem], model=model, tokenizer=tokenizer,
                         reward_funcs=[reward])
    assert again.steps == 2 and len(reward.scores) == 16  # finished: not trained again
