"""``execverify eval``: evaluate a model (or score a generations file) on benchmarks.

    execverify eval cruxeval-o reval --model builtin --limit 50 --out runs/base
    execverify eval cruxeval --task input --generations gens.json --scored-out scored.json
    execverify eval compare runs/base/results.json runs/trained/results.json
    execverify eval list
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="evaluate a model or a generations file on benchmarks",
        description="Generate with a model and score on benchmarks (CRUXEval, REval, "
        "LiveCodeBench, HumanEval(+), MBPP(+), BigCodeBench, synthetic held-out), or score an "
        "existing generations file; writes results.json, summary.md and plots/ into --out. "
        "`eval compare A.json B.json` shows two runs side by side; `eval list` lists benchmarks.",
    )
    from execverify.cli import add_recipe_arguments
    from execverify.config import shorthand

    p.add_argument("benchmarks", nargs="+", metavar="BENCH",
                   help="benchmark names (see `eval list`), or compare A.json B.json, or list; "
                   "items with '=' are recipe overrides of the eval section (eval.n=5)")
    shorthand(p, "--model", "eval", "model",
              help="model name or path; 'builtin' is SmolLM2-135M-Instruct")
    shorthand(p, "--backend", "eval", "backend", help="transformers | vllm | openai")
    p.add_argument("--backend-option", action="append", default=[], metavar="KEY=VALUE",
                   help="passed to the backend (e.g. base_url=http://..., dtype=bfloat16), "
                   "over the recipe's eval.backend_options")
    p.add_argument("--task", choices=("output", "input"), default="output",
                   help="for `cruxeval`, `cruxeval-x` and `cruxeval-x-<language>`: output or input "
                   "prediction")
    p.add_argument("--prompt-style", default="direct", help="direct | cot | instruct")
    shorthand(p, "--prompt-format", "eval", "prompt_format", choices=("chat", "raw"),
              help="chat: through the model's chat template; raw: complete the text")
    p.add_argument("--data", action="append", default=[], metavar="[BENCH=]PATH",
                   help="local file/folder or hub id for a benchmark's data")
    p.add_argument("--limit", type=int, default=None, help="first N samples (REval: programs)")
    shorthand(p, "--out", "eval", "out_dir", type=Path,
              help="output folder (resumable); default eval-runs/<model>, or "
              "<generations file>-eval next to a generations file")
    p.add_argument("--generations", type=Path, default=None,
                   help="score this JSON file {sample_id: [answer, ...]} instead of generating")
    p.add_argument("--scored-out", type=Path, default=None,
                   help="with --generations on CRUXEval: write the official scored-results JSON")
    shorthand(p, "--max-new-tokens", "eval", "max_new_tokens",
              help="None: each benchmark's own budget")
    shorthand(p, "--temperature", "eval", "temperature", help="0 = greedy")
    shorthand(p, "--top-p", "eval", "top_p")
    shorthand(p, "--n", "eval", "n", help="samples per prompt (pass@k)")
    shorthand(p, "--seed", "eval", "seed")
    shorthand(p, "--batch-size", "eval", "batch_size", help="prompts per generation batch")
    shorthand(p, "--workers", "eval", "workers", help="sandbox workers (None: CPUs)")
    shorthand(p, "--preload", "eval", "preload", type=_modules,
              help="extra modules the sandbox pre-imports (a,b)")
    shorthand(p, "--no-progress", "eval", "progress", action="store_false")
    add_recipe_arguments(p, overrides=False)
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from execverify.cli import CliError, split_overrides

    head = args.benchmarks[0].lower()
    try:
        if head == "compare":
            return _compare(args.benchmarks[1:])
        if head == "list":
            return _list()
        args.benchmarks, args.overrides = split_overrides(args.benchmarks)
        if not args.benchmarks:
            raise CliError("eval needs at least one benchmark name (see `eval list`)")
        config = _run_config(args)
        benches = [_build(name, args) for name in args.benchmarks]
        if args.generations is not None:
            return _score_file(benches, args, config)
        return _generate(benches, args, config)
    except CliError:
        raise
    except (ValueError, OSError, ImportError, RuntimeError) as exc:
        raise CliError(_one_line(exc)) from exc


def _build(name: str, args: argparse.Namespace) -> Any:
    from execverify.cli import CliError
    from execverify.eval.registry import benchmark_class

    cls = benchmark_class(_task_key(name, args.task))
    style = args.prompt_style
    if style not in cls.prompt_styles:
        if len(args.benchmarks) == 1:
            raise CliError(f"{cls.name} has prompt styles {', '.join(cls.prompt_styles)}; "
                           f"got --prompt-style {style}")
        print(f"note: {cls.name} has no {style!r} prompt style; using {cls.prompt_styles[0]!r}",
              file=sys.stderr)
        style = cls.prompt_styles[0]
    return cls(_source(name, cls.name, args.data), prompt_style=style, limit=args.limit)


def _task_key(name: str, task: str) -> str:
    """``cruxeval``, ``cruxeval-x`` and ``cruxeval-x-<language>`` take ``--task``: the
    registered name with ``-o`` or ``-i`` (``cruxeval-x-java`` -> ``cruxeval-x-i-java``)."""
    head = "cruxeval-x" if name.startswith("cruxeval-x") else "cruxeval"
    rest = name[len(head):]
    if name == head or (head == "cruxeval-x" and rest.count("-") == 1 and rest not in ("-o", "-i")):
        return f"{head}-{task[0]}{rest}"
    return name


def _source(given: str, name: str, data: list[str]) -> str | None:
    """``--data PATH`` (when it is the only one) or ``--data BENCH=PATH`` for this benchmark."""
    for item in data:
        bench, sep, path = item.partition("=")
        if sep and bench in (given, name):
            return path
    plain = [item for item in data if "=" not in item]
    return plain[0] if len(plain) == 1 else None


def _run_config(args: argparse.Namespace) -> Any:
    """The recipe's ``eval`` section (``--config``), then its overrides, then the shorthand
    flags. Scoring a generations file needs no model: it reads only the sandbox fields."""
    from execverify.cli import CliError
    from execverify.config import load_section, parse_overrides, read_recipe, shorthand_overrides

    overrides = {**parse_overrides(args.overrides), **shorthand_overrides(args)}
    recipe = read_recipe(args.config).get("eval", {})
    if args.backend_option:
        given = overrides.get("eval.backend_options", recipe.get("backend_options", {}))
        overrides["eval.backend_options"] = {**given, **_options(args.backend_option)}
    if args.generations is not None:  # the model's name, in the results, is the file's
        overrides.setdefault("eval.model", str(args.generations))
    elif not ({"eval.model", "model"} & set(overrides) or "model" in recipe):
        raise CliError("eval needs --model NAME_OR_PATH (or --generations FILE to score a file)")
    return load_section("eval", args.config, overrides)


def _generate(benches: list[Any], args: argparse.Namespace, config: Any) -> int:
    from dataclasses import replace

    from execverify.cli import CliError
    from execverify.eval.report import summary_markdown
    from execverify.eval.runner import evaluate
    from execverify.models import BackendError, BackendUnavailable

    out = config.out_dir or Path("eval-runs") / _safe(config.model)
    config = replace(config, out_dir=out)
    try:
        doc = evaluate(benches, config)
    except (BackendUnavailable, BackendError) as exc:
        raise CliError(_one_line(exc)) from exc
    print(summary_markdown(doc).split("\n## ")[0].rstrip())
    print(f"\nresults in {out}/results.json (summary.md, plots/)", file=sys.stderr)
    return 0


def _score_file(benches: list[Any], args: argparse.Namespace, config: Any) -> int:
    from execverify.cli import CliError
    from execverify.eval.cruxeval import official_scored_results
    from execverify.eval.report import fmt
    from execverify.eval.runner import score_generations
    from execverify.eval.schema import write_json_atomic

    if len(benches) != 1:
        raise CliError("--generations scores one benchmark at a time")
    bench = benches[0]
    if args.scored_out and not bench.name.startswith("cruxeval"):
        raise CliError("--scored-out writes the official CRUXEval format; use it with cruxeval")
    generations = _read_generations(args.generations)
    out = config.out_dir or args.generations.parent / f"{args.generations.stem}-eval"
    doc = score_generations(bench, generations, out_dir=out, source=str(args.generations),
                            workers=config.workers, preload=config.preload)
    result = doc["benchmarks"][0]
    if args.scored_out:
        from execverify.eval.base import Verdict

        verdicts = [Verdict.from_dict(s) for s in result["samples"]]
        write_json_atomic(args.scored_out, official_scored_results(generations, verdicts))
    head = result["headline"]
    print(f"{bench.name}: {head} {fmt(head, result['aggregates'][head])} % on "
          f"{result['n_samples']} samples")
    for k in (5, 10):
        if f"pass@{k}" in result["aggregates"]:
            print(f"pass@{k} {fmt('pass', result['aggregates'][f'pass@{k}'])} %")
    print(f"results in {out}/results.json" + (f", official scores in {args.scored_out}"
                                              if args.scored_out else ""), file=sys.stderr)
    return 0


def _read_generations(path: Path) -> dict[str, list[str]]:
    from execverify.cli import CliError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CliError(f"cannot read generations {str(path)!r}: {_one_line(exc)}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(g, str) for g in v) for v in data.values()
    ):
        raise CliError(f"{str(path)!r}: expected a JSON object {{sample_id: [generation, ...]}}")
    return data


def _compare(paths: list[str]) -> int:
    """Two results files side by side; a study's results.json alone prints its arm and
    pairwise tables, and ``STUDY/results.json:ARM`` stands for one of its arms."""
    from execverify.cli import CliError
    from execverify.eval.report import compare_markdown

    study = _study(paths[0]) if len(paths) == 1 else None
    if study is not None:
        from execverify.study.markdown import study_tables

        print(study_tables(study), end="")
        return 0
    if len(paths) != 2:
        raise CliError(f"eval compare needs two results files (or one study's results.json); "
                       f"got {len(paths)}")
    (a, left), (b, right) = (_compared(p) for p in paths)
    print(compare_markdown(a, b, names=(left or "A", right or "B")), end="")
    return 0


def _study(path: str) -> dict[str, Any] | None:
    """The study results document at ``path``, or None when it is not one (or unreadable)."""
    from execverify.study.report import load_study_results

    try:
        return load_study_results(path)
    except (OSError, ValueError):
        return None


def _compared(spec: str) -> tuple[dict[str, Any], str]:
    """An evaluation run's results document and its label (its folder's name), or a study
    arm's (``PATH:ARM``, labelled by the arm) shaped like one; each file read once."""
    from execverify.eval.schema import ResultsError, load_results

    path, sep, arm = spec.rpartition(":")
    study = _study(path) if sep and arm and not Path(spec).is_file() else None
    if study is not None:
        from execverify.study.report import arm_document

        return arm_document(study, arm), arm
    try:
        return load_results(spec), Path(spec).parent.name
    except ResultsError:
        if _study(spec) is not None:
            raise ValueError(f"{spec!r} is a study: name an arm (`{spec}:whitebox`), or "
                             "compare its arms with `eval compare` on it alone") from None
        raise


def _list() -> int:
    from execverify.eval.registry import BENCHMARKS, benchmark_class

    width = max(len(n) for n in BENCHMARKS)
    for name in BENCHMARKS:
        cls = benchmark_class(name)
        styles = "/".join(cls.prompt_styles)
        print(f"{name:<{width}}  [{styles}]  {cls.description}")
    return 0


def _options(items: list[str]) -> dict[str, Any]:
    from execverify.cli import CliError

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--backend-option needs KEY=VALUE; got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _modules(text: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in text.split(",") if m.strip())


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", Path(name).name or name)[:80]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
