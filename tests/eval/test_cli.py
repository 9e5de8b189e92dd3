"""``execverify eval``: scoring generations files (official CRUXEval format), compare, list,
and one-line errors."""

import json

import pytest

from execverify.cli import CliError, OneLineParser
from execverify.eval import cli as eval_cli
from execverify.eval.cruxeval import CRUXEvalOutput
from execverify.eval.schema import SCHEMA, ResultsError, load_results


def run(argv):
    """Parse and run ``execverify <argv>`` with the eval verb registered (as the lead's
    ``execverify.cli`` does)."""
    parser = OneLineParser(prog="execverify")
    eval_cli.register(parser.add_subparsers(dest="verb", parser_class=OneLineParser))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(scope="module")
def generations(tmp_path_factory):
    """An official-format generations file: 3 answers for each of the first 10 samples."""
    samples = CRUXEvalOutput(limit=10).samples()
    wrong = ["'__wrong_1__'", "'__wrong_2__'", "'__wrong_3__'"]
    gens = {s.id: [s.reference["output"], wrong[0], s.reference["output"]] if i % 2 == 0
            else wrong for i, s in enumerate(samples)}
    path = tmp_path_factory.mktemp("gens") / "generations_output.json"
    path.write_text(json.dumps(gens))
    return path, gens


def test_score_generations_file_writes_both_formats(generations, tmp_path, capsys):
    path, gens = generations
    out, scored = tmp_path / "run", tmp_path / "scored.json"
    assert run(["eval", "cruxeval", "--task", "output", "--generations", str(path),
                "--scored-out", str(scored), "--out", str(out)]) == 0
    official = json.loads(scored.read_text())
    assert official["raw_generations"] == gens
    assert official["raw_scored_generations"]["sample_0"] == [True, False, True]
    assert official["pass_at_1"] == pytest.approx(100 * 5 * (2 / 3) / 10)
    doc = load_results(out / "results.json")
    bench = doc["benchmarks"][0]
    assert bench["n_samples"] == 10 and bench["decoding"] is None
    assert bench["aggregates"]["accuracy"]["value"] == pytest.approx(official["pass_at_1"] / 100)
    assert "cruxeval-o: accuracy" in capsys.readouterr().out


def test_compare_two_runs(generations, tmp_path, capsys):
    path, gens = generations
    better = {k: [CRUXEvalOutput(limit=10).samples()[i].reference["output"]] * 3
              for i, k in enumerate(gens)}
    (tmp_path / "b.json").write_text(json.dumps(better))
    run(["eval", "cruxeval-o", "--generations", str(path), "--out", str(tmp_path / "base")])
    run(["eval", "cruxeval-o", "--generations", str(tmp_path / "b.json"),
         "--out", str(tmp_path / "trained")])
    capsys.readouterr()
    assert run(["eval", "compare", str(tmp_path / "base" / "results.json"),
                str(tmp_path / "trained" / "results.json")]) == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if "| accuracy |" in line)
    assert "33.3" in row and "100.0" in row and "+66.7" in row
    assert "base" in table and "trained" in table


def test_list_names_every_benchmark(capsys):
    run(["eval", "list"])
    out = capsys.readouterr().out
    for name in ("cruxeval-o", "reval", "lcb-exec", "humaneval+", "bigcodebench-hard", "synthetic"):
        assert name in out


@pytest.mark.parametrize(("argv", "message"), [
    (["eval", "nosuch", "--model", "m"], "unknown benchmark 'nosuch'"),
    (["eval", "cruxeval-o"], "needs --model"),
    (["eval", "compare", "a.json"], "needs two results files"),
    (["eval", "humaneval", "--prompt-style", "cot", "--model", "m"], "prompt styles"),
    (["eval", "humaneval", "--generations", "x.json", "--scored-out", "s.json"],
     "official CRUXEval format"),
    (["eval", "cruxeval-o", "--generations", "/nonexistent.json"], "cannot read generations"),
    (["eval", "lcb-exec", "--model", "m"], "lcb-exec ships no data"),
    (["eval", "cruxeval-o", "--data", "/no/such/file.jsonl", "--model", "m"], "no such file"),
])
def test_bad_input_is_one_line_error(argv, message):
    with pytest.raises(CliError, match=message) as info:
        run(argv)
    assert "\n" not in str(info.value)


def test_unknown_generation_ids_are_rejected(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"sample_9999": ["1"]}))
    with pytest.raises(CliError, match="not cruxeval-o samples"):
        run(["eval", "cruxeval-o", "--generations", str(path)])


def test_results_files_are_checked(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"schema": "something/1"}))
    with pytest.raises(ResultsError, match="not an execverify results file"):
        load_results(path)
    path.write_text(json.dumps({"schema": "execverify.eval/999"}))
    with pytest.raises(ResultsError, match=SCHEMA):
        load_results(path)
