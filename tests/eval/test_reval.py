"""REval on its real programs, ``mode: corrected``: ground truth from our tracer, gold answers right, wrong answers
wrong, consistency computed per probe."""

import pytest

from execverify.eval.reval import REval
from execverify.eval.reval_output import fill_with, gold_values
from execverify.eval.reval_programs import output_program
from execverify.tasks.answers import NIL


def gold_answers(bench, samples, sandbox):
    """The right answer to every question, from the tracer (outputs: the dataset's)."""
    problems, _ = bench._read()
    truths = bench._truths(problems, samples, sandbox)
    answers = []
    for s in samples:
        r = s.reference
        truth, problem = truths[(r["problem"], r["input_idx"])], problems[r["problem"]]
        if truth is None or not truth.ok:
            answers.append(["?"])
        elif r["task"] == "coverage":
            answers.append(["YES" if truth.covered(r["line"]) else "NO"])
        elif r["task"] == "path":
            nxt = min(truth.next_lines(r["line"]))
            answers.append(["-1" if nxt == -1 else problem.code.split("\n")[nxt - 1].strip()])
        elif r["task"] == "state":
            state = truth.state(r["line"], r["var"])
            answers.append(["Nil" if state == NIL else f"{state[0].text}; {state[0].type_name}"])
        else:
            answers.append([f"assert {problem.entry}{problem.inputs[r['input_idx']][:-2]}) == "
                            f"{problem.outputs[r['input_idx']]}" if problem.kind == "function"
                            else "?"])
    return answers


def wrong_answers(samples):
    flip = {"coverage": "MAYBE", "state": "-12345; int", "path": "-1234",
            "output": "assert 1 == 2"}
    return [[flip[s.reference["task"]]] for s in samples]


@pytest.fixture(scope="module")
def small():
    """The first 12 programs (all function problems) and the first class problem."""
    bench = REval(limit=12, mode="corrected")
    return bench, bench.samples()


def test_question_counts_on_full_data():
    samples = REval().samples()
    tasks = [s.group["task"] for s in samples]
    assert (tasks.count("coverage"), tasks.count("output")) == (3152, 690)
    assert tasks.count("state") == tasks.count("path") == 3152


def test_gold_answers_score_right_on_a_subset(small, sandbox):
    bench, samples = small
    verdicts = bench.score(samples, gold_answers(bench, samples, sandbox), sandbox)
    assert {v.statuses[0] for v in verdicts} == {"pass"}
    agg = bench.aggregate(verdicts)
    assert agg["consistency"].value == 1.0 and agg["accuracy"].value == 1.0
    assert agg["coverage_f1"].value == 1.0


def test_wrong_answers_score_wrong(small, sandbox):
    bench, samples = small
    verdicts = bench.score(samples, wrong_answers(samples), sandbox)
    by_task = {t: [v.passed[0] for v in verdicts if v.group["task"] == t]
               for t in ("state", "path", "output")}
    assert not any(by_task["state"] + by_task["path"] + by_task["output"])
    # an unreadable coverage answer counts as NO (REval's rule): right exactly when not covered
    for v in verdicts:
        if v.group["task"] == "coverage":
            assert v.passed[0] == (not v.details["covered"])
    assert bench.aggregate(verdicts)["consistency"].value < 0.2


def test_output_answers_must_be_values_not_calls(small, sandbox):
    bench, samples = small
    out = next(s for s in samples if s.group["task"] == "output")
    problems, _ = bench._read()
    problem = problems[out.reference["problem"]]
    call = f"{problem.entry}{problem.inputs[out.reference['input_idx']][:-2]})"
    restated = f"assert {call} == {call}"
    (verdict,) = bench.score([out], [[restated]], sandbox)
    assert verdict.passed == [False] and verdict.statuses == ["no_answer"]


def test_cot_without_closing_thought_is_unanswered():
    bench = REval(prompt_style="cot", limit=1, mode="corrected")
    assert bench.extract("[THOUGHT] thinking... [ANSWER] YES") == "<incomplete-thought>"
    assert bench.extract("t [/THOUGHT]\n[ANSWER]\nYES\n[/ANSWER]") == "YES"


@pytest.mark.slow
def test_gold_answers_score_right_on_all_154_programs(sandbox):
    """Every probe whose program runs here has a tracer ground truth that gold answers match;
    the programs that cannot run here (np.mat removed in NumPy 2, gensim/bs4 not installed)
    are reported as no_truth rather than scored."""
    bench = REval(mode="corrected")
    samples = bench.samples()
    verdicts = bench.score(samples, gold_answers(bench, samples, sandbox), sandbox)
    statuses = {}
    for v in verdicts:
        if v.group["task"] == "output" and v.group["part"] == "classeval":
            continue  # class outputs are checked by the next test
        statuses.setdefault(v.statuses[0], []).append(v.id)
    assert set(statuses) <= {"pass", "no_truth"}
    no_truth_problems = {i.split("/")[1] for i in statuses.get("no_truth", [])}
    assert no_truth_problems <= {"117", "120", "122", "149"}


@pytest.mark.slow
def test_class_output_templates_pass_with_the_original_values(sandbox):
    """The ClassEval output programs (template on a set-up test case) pass when each hole holds
    the expression REval removed: the program construction is right."""
    from execverify.eval.execcheck import run_checks

    bench = REval(mode="corrected")
    problems, tasks = bench._read()
    programs, ids = [], []
    for row in tasks:
        problem = problems[int(row["idx"])]
        if problem.kind != "class" or problem.index in (117, 120, 122, 149):
            continue
        for pair in row["tasks"]:
            values = gold_values(pair["output_pred"], problem.inputs[pair["input_idx"]])
            assert values is not None, (problem.task_id, pair["input_idx"])
            lines = fill_with(pair["output_pred"], values)
            programs.append(output_program(problem, pair["input_idx"], lines))
            ids.append((problem.task_id, pair["input_idx"]))
    results = run_checks(sandbox, programs, timeout_s=10.0)
    failed = [i for i, r in zip(ids, results) if not r.passed]
    assert failed == []
