"""Agreement of our REval scoring (``mode: official`` and ``mode: corrected``) with REval's own
``evaluation.py``, question by question, over its 3,152 probes and 690 output questions.

    python benchmarks/reval_agreement.py REVAL_ANSWERS.jsonl [--python PY] \\
        [--out benchmarks/results/reval_agreement.md] [--write-candidates extra.json]

``REVAL_ANSWERS.jsonl`` is what REval's own code answers, one row per question: ``id`` (our
sample id), ``task``, REval's ``truth`` (coverage: bool; path: sorted next lines; state:
"Nil" or ``[[repr, full type name], ...]``), ``verdicts`` (``{candidate answer: REval's
verdict}``) and REval's prompts (``prompt_direct``, ``prompt_cot``). It is produced by
running REval's task classes (``Coverage``, ``Path``, ``State``, ``Output`` of its
``evaluation.py``, unmodified, on a checkout *outside* this repository, Python 3.11, numpy<2)
with a scripted model that answers each question with one candidate per round and records the
prompt it was given, REval's verdict, and (patching ``States.interpret_var`` to log its result)
the state REval compares with; see the results file for the exact commands.

A question agrees when REval's truth and ours are the same (coverage, path; state values in
official mode, up to memory addresses) and every candidate answer gets the same verdict from
both scorers. Candidates: YES/NO; -1 and the text of every true next line; ``Nil``, a wrong
value, and each true value written with its short and its full type name (REval's and, with
``--write-candidates`` and a second REval run, ours); for outputs the gold test, a wrong value,
a test that restates the call, a partial answer (padded by REval) and a trivially true one.

``--python`` runs the sandbox with that interpreter (its environment must have numpy<2, gensim,
bs4 and lxml for programs 117, 122 and 149, as REval's requirements do).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TASKS = ("coverage", "state", "path", "output")
PROVENANCE = """\
## How REval's answers were produced

REval's own code (GitHub `r-eval/REval`, commit 2f148b9), unmodified, in a copy outside this
repository, under Python 3.11.7 with REval's requirements (numpy 1.26.4, pandas 3.0.6, pytz,
python-dateutil 4.0.0, tqdm, beautifulsoup4 4.15.0, gensim 4.4.0, lxml 5.1.0). `reference`
runs each of its task classes (`Coverage`, `Path`, `State`, `Output` in `evaluation.py`) once
per round with a scripted model (question i answered with its i-th candidate), one process
per run, and records REval's prompt, verdict and ground truth per question (the state truth
is what `States.interpret_var` returns, logged by wrapping it). Round 2 adds our own truths
and variants of REval's as state candidates (`--write-candidates`, `--extra`).

```
git --git-dir=<fetched r-eval/REval git dir> archive HEAD | tar -x -C /tmp/reval-ref
python3.11 -m venv /tmp/reval-ref/venv
/tmp/reval-ref/venv/bin/pip install "numpy<2" pandas pytz python-dateutil tqdm \\
    beautifulsoup4 gensim lxml==5.1.0
cp -a /tmp/reval-ref/venv /work/reval-ref-venv   # the sandbox cannot see /tmp: this copy
                                                 # is its --python (REval's environment)
cd /tmp/reval-ref && venv/bin/python /work/main/benchmarks/reval_agreement.py \\
    reference /tmp/reval-ref/round1.jsonl
cd /work/main && python benchmarks/reval_agreement.py /tmp/reval-ref/round1.jsonl \\
    --python /work/reval-ref-venv/bin/python --write-candidates /tmp/reval-ref/extra.json
cd /tmp/reval-ref && venv/bin/python /work/main/benchmarks/reval_agreement.py \\
    reference /tmp/reval-ref/reval_answers.jsonl --extra /tmp/reval-ref/extra.json
cd /work/main && python benchmarks/reval_agreement.py /tmp/reval-ref/reval_answers.jsonl \\
    --python /work/reval-ref-venv/bin/python --ablation --out benchmarks/results/reval_agreement.md
python benchmarks/reval_agreement.py /tmp/reval-ref/reval_answers.jsonl --modes official \\
    --append --out benchmarks/results/reval_agreement.md     # this venv's own environment
```
"""
ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in _jsonl(path)}


def score(mode: str, reval: dict[str, dict], python: str | None, workers: int):
    from execverify.eval.reval import REval
    from execverify.sandbox import Limits, Sandbox

    bench = REval(mode=mode)
    samples = [s for s in bench.samples() if s.id in reval]
    answers = [list(reval[s.id]["verdicts"]) for s in samples]
    with Sandbox(workers=workers, python=python, limits=Limits(timeout_s=30),
                 preload=("execverify.trace.recorder", "execverify.eval.reval_trace",
                          *bench.preload)) as sandbox:
        verdicts = bench.score(samples, answers, sandbox)
    return bench, samples, verdicts


def compare(mode: str, reval: dict[str, dict], samples, verdicts) -> tuple[dict, list]:
    table: dict[str, Counter] = defaultdict(Counter)
    diffs = []
    for sample, v in zip(samples, verdicts):
        row, task = reval[sample.id], v.group["task"]
        why = []
        if "no_truth" in v.statuses:
            why.append("no ground truth here")
        else:
            if task == "coverage" and v.details.get("covered") != row["truth"]:
                why.append(f"covered: REval {row['truth']}, ours {v.details.get('covered')}")
            if task == "path" and v.details.get("next") is not None and \
                    sorted(v.details["next"]) != row["truth"]:
                why.append(f"next lines: REval {row['truth']}, ours {v.details['next']}")
            if task == "state" and mode == "official" and _norm(v.details.get("state")) != \
                    _norm(row["truth"]):
                why.append(f"state: REval {str(row['truth'])[:200]}, "
                           f"ours {str(v.details.get('state'))[:200]}")
            for answer, ours in zip(v.answers, v.passed):
                if ours != row["verdicts"][answer]:
                    why.append(f"verdict on {answer[:120]!r}: REval {row['verdicts'][answer]}, "
                               f"ours {ours}")
        table[task]["total"] += 1
        table[task]["agree"] += not why
        table[task]["no_truth"] += "no_truth" in v.statuses
        table[task]["candidates"] += len(v.answers)
        if why:
            diffs.append({"id": sample.id, "task": task, "why": why,
                          "class": _classify(mode, task, why, row, v)})
    return table, diffs


def _classify(mode: str, task: str, why: list[str], row: dict, verdict) -> str:
    """One label per differing question, for the table of differences by class."""
    if why[0] == "no ground truth here":
        return "no ground truth"
    if any(w.startswith(("covered", "next lines", "state:")) for w in why):
        return "ground truth differs"
    if mode == "official":
        return "verdict differs"
    answers = [a for a, ours in zip(verdict.answers, verdict.passed)
               if ours != row["verdicts"][a]]
    if task == "state":
        kinds = set()
        for a in answers:
            type_part = a.rpartition(";")[2].strip()
            if type_part.startswith("<class"):
                kinds.add("type written as <class '...'> (REval unwraps it)")
            elif "." in type_part:
                kinds.add("full type name (REval resolves it with pydoc.locate)")
            else:
                kinds.add("value judged differently (REval evaluates answers; ours parses "
                          "literals, reads attributes of objects with non-literal attributes "
                          "as Nil)")
        return sorted(kinds)[-1] if len(kinds) > 1 else kinds.pop()
    if task == "output":
        if any(" == " in a and a.split(" == ")[0].removeprefix("assert ") ==
               a.split(" == ", 1)[1] for a in answers):
            return "answer restating the call (REval runs any answer code)"
        return "other answer code (REval runs the answer as code; ours fills holes with values)"
    return "verdict only"


def _norm(state):
    if not isinstance(state, list):
        return state
    return [[ADDRESS.sub(" at 0x?", text), kind] for text, kind in state]


def ablation(reval: dict[str, dict], python: str | None, workers: int) -> list[str]:
    """How many questions' REval truth changes when one REval quirk alone is corrected."""
    from execverify.eval.reval import REval
    from execverify.eval.reval_trace import FIXES
    from execverify.sandbox import Limits, Sandbox

    lines = ["## What each REval quirk decides", "",
             "Questions whose ground truth (coverage; next lines; state values) changes when "
             "the official truth corrects one quirk of REval's tracer (`reval_trace.FIXES`), "
             "or all of them:", "",
             "| corrected quirk | coverage | state | path | questions |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for fixes in [(f,) for f in FIXES] + [FIXES]:
        bench = REval(mode="official")
        bench.fixes = fixes
        samples = [s for s in bench.samples() if s.id in reval and s.group["task"] != "output"]
        with Sandbox(workers=workers, python=python, limits=Limits(timeout_s=30),
                     preload=("execverify.eval.reval_trace", *bench.preload)) as sandbox:
            verdicts = bench.score(samples, [["?"]] * len(samples), sandbox)
        changed: Counter = Counter()
        for s, v in zip(samples, verdicts):
            row, task = reval[s.id], s.group["task"]
            ours = {"coverage": v.details.get("covered"), "path": v.details.get("next"),
                    "state": _norm(v.details.get("state"))}[task]
            theirs = _norm(row["truth"]) if task == "state" else row["truth"]
            changed[task] += ours != theirs
        name = "all five" if len(fixes) > 1 else fixes[0]
        lines.append(f"| {name} | {changed['coverage']} | {changed['state']} | "
                     f"{changed['path']} | {sum(changed.values())} |")
    return [*lines, ""]


def prompts_agree(reval: dict[str, dict]) -> dict[str, Counter]:
    from execverify.eval.reval import REval

    out: dict[str, Counter] = defaultdict(Counter)
    for style in ("direct", "cot"):
        for s in REval(mode="official", prompt_style=style).samples():
            row = reval.get(s.id)
            if row is None or f"prompt_{style}" not in row:
                continue
            counts = out[f"{style}/{s.group['task']}"]
            counts["total"] += 1
            counts["agree"] += row[f"prompt_{style}"] == s.prompt
    return out


def candidates(bench_verdicts: dict[str, tuple], reval: dict[str, dict]) -> dict[str, list[str]]:
    """Our truths written as state answers, and variants of REval's (``<class '...'>`` type
    names, unquoted strings, floats off by 1e-7), for a second REval run (``--extra``)."""
    extra: dict[str, list[str]] = defaultdict(list)
    for qid, row in reval.items():
        if row["task"] != "state" or not isinstance(row["truth"], list):
            continue
        for text, kind in row["truth"][:2]:
            short = kind.rsplit(".", 1)[-1]
            extra[qid].append(f"{text}; <class '{kind.removeprefix('builtins.')}'>")
            if short == "str" and len(text) > 1:
                extra[qid].append(f"{text[1:-1]}; str")
            if short in ("float", "float64"):
                try:
                    extra[qid].append(f"{float(text) + 1e-7!r}; {short}")
                except ValueError:
                    pass
    for mode, (_, samples, verdicts) in bench_verdicts.items():
        for s, v in zip(samples, verdicts):
            if s.group["task"] != "state" or "no_truth" in v.statuses:
                continue
            if mode == "official" and isinstance(v.details.get("state"), list):
                for text, kind in v.details["state"][:3]:
                    extra[s.id] += [f"{text}; {kind.rsplit('.', 1)[-1]}", f"{text}; {kind}"]
            if mode == "corrected":
                for text in v.details.get("state_answers", []):
                    extra[s.id].append(text)
    return {k: list(dict.fromkeys(a)) for k, a in extra.items()}


# -- producing REval's answers (runs under REval's own Python, in a checkout of r-eval/REval) ---

def _stub_unused_imports():
    """``evaluation.py`` imports a terminal-menu package and the model clients; neither is
    used by the task classes' scoring."""
    import types

    bullet = types.ModuleType("bullet")
    bullet.Bullet = bullet.Input = object
    sys.modules["bullet"] = bullet
    inference = types.ModuleType("inference")

    class Model:
        def __init__(self, prompt_type):
            self.prompt_type = prompt_type
            self.info = "scripted_" + prompt_type
    inference.Model = Model
    sys.modules["inference"] = inference
    return Model


def _question_ids(task_rows: list[dict], task: str) -> list[str]:
    out = []
    for row in task_rows:
        for pair in row["tasks"]:
            base = f"DREval/{row['idx']}/{pair['input_idx']}"
            if task == "output":
                out.append(f"{base}/output")
            else:
                out.extend(f"{base}/{k}/{task}" for k in range(len(pair["task"])))
    return out


def _describe(values):
    """REval's actual state in our JSON form (``reval_trace.describe_state``, the one both
    sides are compared in), with REval's own ``Nil`` and non-list values mapped first."""
    from dynamics import Nil

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # REval's venv
    from execverify.eval.reval_trace import describe_state

    if values is Nil:
        return "Nil"
    if not isinstance(values, list):
        return {"not_a_list": repr(values)}
    return describe_state(values, limit=sys.maxsize)


def reference_child(task: str, prompt_type: str, answers_path: str, out_path: str) -> None:
    """One run of REval's ``<Task>.run()`` with a model that answers question i with
    ``answers[id_i]``; records prompts, REval's verdicts and (coverage, path: from its logs;
    state: from ``States.interpret_var``) its ground truth."""
    sys.path.insert(0, ".")
    Model = _stub_unused_imports()
    import dynamics
    import evaluation

    task_rows = _jsonl(Path("data/DREval_tasks.jsonl"))
    qids = _question_ids(task_rows, task)
    answers = json.loads(Path(answers_path).read_text())
    calls, truths = [], []

    class Scripted(Model):
        def infer(self, prompt):
            qid = qids[len(calls)]
            calls.append({"id": qid, "prompt": prompt})
            return answers.get(qid, "")

    interpret = dynamics.States.interpret_var

    def logged(self, lineno, name):
        values = interpret(self, lineno, name)
        truths.append(_describe(values))
        return values
    dynamics.States.interpret_var = logged
    runner = getattr(evaluation, task.capitalize())(Scripted(prompt_type), prompt_type)
    try:
        runner.run()
    except ZeroDivisionError:  # coverage precision when no answer is YES; the logs are complete
        pass
    results = [r for log in runner.records if "generation" in log
               for gen in log["generation"] for r in gen["results"]]
    assert len(calls) == len(results) == len(qids), (len(calls), len(results), len(qids))
    with open(out_path, "w") as f:
        for k, (call, res) in enumerate(zip(calls, results)):
            row = {"id": call["id"], "prompt": call["prompt"]}
            if task == "coverage":
                row["truth"] = bool(res["expected"])
                row["passed"] = bool(res["response"]) == bool(res["expected"])
            elif task == "path":
                row["truth"] = sorted(res["expected"])
                row["passed"] = any(y in res["expected"] for y in res["response"])
            elif task == "state":
                row["truth"] = truths[k]
                row["passed"] = bool(res["eq"])
            else:
                row["passed"] = bool(res["pass"])
            f.write(json.dumps(row) + "\n")


def _output_candidates() -> dict[str, list[str]]:
    data = _jsonl(Path("data/DREval_data.jsonl"))
    out = {}
    for row in _jsonl(Path("data/DREval_tasks.jsonl")):
        d = data[row["idx"]]
        for pair in row["tasks"]:
            i, template = pair["input_idx"], pair["output_pred"]
            qid = f"DREval/{row['idx']}/{i}/output"
            wrong = template.replace("??", "'reval-wrong'")
            if d.get("test") is None:
                call = f"{d['entry_point']}{d['inputs'][i][:-2]})"
                out[qid] = [template.replace("??", d["outputs"][i]), wrong,
                            template.replace("??", call), "assert True"]
            else:
                gold = d["inputs"][i].rstrip()
                out[qid] = [gold, wrong, gold.split("\n")[-1], "assertTrue(True)"]
    return out


def reference_main(argv: list[str]) -> int:
    """``reference OUT.jsonl [--extra EXTRA.json]``: run REval's four tasks, one process per
    task and round (so its module state grows as in one ``evaluation.py run``), answering
    with one candidate per question per round, and write one row per question."""
    import subprocess

    out_path = Path(argv[0])
    extra = json.loads(Path(argv[argv.index("--extra") + 1]).read_text()) \
        if "--extra" in argv else {}
    work = Path(str(out_path) + ".work")
    work.mkdir(parents=True, exist_ok=True)
    code_of = {row["task_id"]: row["code"] for row in _jsonl(Path("data/DREval_data.jsonl"))}

    def run(task, prompt_type, answers, tag):
        answers_path, result_path = work / f"{tag}.answers.json", work / f"{tag}.jsonl"
        answers_path.write_text(json.dumps(answers))
        subprocess.run([sys.executable, __file__, "reference-child", task, prompt_type,
                        str(answers_path), str(result_path)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [json.loads(line) for line in result_path.open()]

    given = _output_candidates()
    for qid, answers in extra.items():
        given[qid] = list(dict.fromkeys(given.get(qid, []) + answers))
    rows: dict[str, dict] = {}
    for task in TASKS:
        base = run(task, "direct", {}, f"{task}-truth")
        cands = {}
        for r in base:
            rows[r["id"]] = {"id": r["id"], "task": task, "prompt_direct": r["prompt"]}
            if "truth" in r:
                rows[r["id"]]["truth"] = r["truth"]
            c = list(given.get(r["id"], []))
            if task == "coverage":
                c = ["YES", "NO", *c]
            elif task == "path":
                lines = code_of["DREval/" + r["id"].split("/")[1]].split("\n")
                c = ["-1"] + [lines[n - 1].strip() for n in r["truth"] if n > 0] + c
            elif task == "state":
                mine = ["Nil", "-12345; int"]
                if isinstance(r["truth"], list):
                    for text, kind in r["truth"][:3]:
                        mine += [f"{text}; {kind.rsplit('.', 1)[-1]}", f"{text}; {kind}"]
                c = mine + c
            cands[r["id"]] = list(dict.fromkeys(c))
        for k in range(max(len(c) for c in cands.values())):
            answers = {q: c[k] for q, c in cands.items() if k < len(c)}
            for r in run(task, "direct", answers, f"{task}-round{k}"):
                if r["id"] in answers:
                    rows[r["id"]].setdefault("verdicts", {})[answers[r["id"]]] = r["passed"]
        for r in run(task, "cot", {}, f"{task}-cot"):
            rows[r["id"]]["prompt_cot"] = r["prompt"]
    with out_path.open("w") as f:
        for row in rows.values():
            f.write(json.dumps(row) + "\n")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "reference":
        return reference_main(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "reference-child":
        reference_child(*sys.argv[2:6])
        return 0
    from benchreport import header, publish

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("answers", type=Path, help="REval's answers (JSONL, see the docstring)")
    p.add_argument("--python", default=None, help="the sandbox's interpreter")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--modes", default="official,corrected")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--diffs", type=Path, default=None, help="write every difference (JSON)")
    p.add_argument("--write-candidates", type=Path, default=None)
    p.add_argument("--command", default=None, help="the command line to record")
    p.add_argument("--append", action="store_true", help="add to --out instead of replacing it")
    p.add_argument("--ablation", action="store_true",
                   help="also count the questions each REval quirk decides")
    args = p.parse_args()
    reval = load(args.answers)
    results, all_diffs, timing = {}, {}, {}
    for mode in args.modes.split(","):
        start = time.perf_counter()
        results[mode] = score(mode, reval, args.python, args.workers)
        timing[mode] = time.perf_counter() - start
    python = args.python or f"{sys.executable} (this environment)"
    lines = header("REval: agreement with REval's own evaluation.py",
                   args.command or "python " + " ".join(sys.argv))
    lines += [f"Sandbox interpreter: `{python}`.", ""]
    for mode, (_, samples, verdicts) in results.items():
        table, diffs = compare(mode, reval, samples, verdicts)
        all_diffs[mode] = diffs
        lines += [f"## mode: {mode} (scored in {timing[mode]:.0f} s)", "",
                  "| kind | questions | agree | agreement | no ground truth | candidate answers |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for task in TASKS:
            c = table[task]
            lines.append(f"| {task} | {c['total']} | {c['agree']} | "
                         f"{100 * c['agree'] / max(c['total'], 1):.2f}% | {c['no_truth']} | "
                         f"{c['candidates']} |")
        total = sum(table[t]["total"] for t in TASKS)
        agree = sum(table[t]["agree"] for t in TASKS)
        lines += [f"| all | {total} | {agree} | {100 * agree / max(total, 1):.2f}% | "
                  f"{sum(table[t]['no_truth'] for t in TASKS)} | "
                  f"{sum(table[t]['candidates'] for t in TASKS)} |", ""]
        if diffs:
            classes = Counter((d["task"], d["class"]) for d in diffs)
            lines += [f"Differences by class ({len(diffs)} questions):", "",
                      "| kind | class | questions |", "| --- | --- | ---: |"]
            lines += [f"| {t} | {c} | {n} |" for (t, c), n in sorted(classes.items())]
            lines += ["", "First 20:", ""]
            lines += [f"- `{d['id']}`: {'; '.join(d['why'])[:300]}" for d in diffs[:20]]
            lines.append("")
    if "official" in results:
        lines += ["## prompts (mode: official)", "", "| style/kind | prompts | identical |",
                  "| --- | ---: | ---: |"]
        for key, c in sorted(prompts_agree(reval).items()):
            lines.append(f"| {key} | {c['total']} | {c['agree']} |")
        lines.append("")
    if args.ablation:
        lines += ablation(reval, args.python, args.workers)
    if not args.append:
        lines += PROVENANCE.split("\n")
    if args.append and args.out and args.out.exists():
        lines = [args.out.read_text().rstrip("\n"), "", *lines[1:]]
    publish(lines, args.out)
    if args.diffs:
        args.diffs.write_text(json.dumps(all_diffs, indent=1))
    if args.write_candidates:
        args.write_candidates.write_text(json.dumps(candidates(results, reval), indent=0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
