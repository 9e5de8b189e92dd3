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
    p.add_argument("benchmarks", nargs="+", metavar="BENCH",
                   help="benchmark names (see `eval list`), or compare A.json B.json, or list")
    p.add_argument("--model", help="model name or path; 'builtin' is SmolLM2-135M-Instruct")
    p.add_argument("--backend", default="transformers", help="transformers | vllm | openai")
    p.add_argument("--backend-option", action="append", default=[], metavar="KEY=VALUE",
                   help="passed to the backend (e.g. base_url=http://..., dtype=bfloat16)")
    p.add_argument("--task", choices=("output", "input"), default="output",
                   help="for `cruxeval`: output (CRUXEval-O) or input (CRUXEval-I) prediction")
    p.add_argument("--prompt-style", default="direct", help="direct | cot | instruct")
    p.add_argument("--prompt-format", choices=("chat", "raw"), default="chat",
                   help="chat: through the model's chat template; raw: complete the text")
    p.add_argument("--data", action="append", default=[], metavar="[BENCH=]PATH",
                   help="local file/folder or hub id for a benchmark's data")
    p.add_argument("--limit", type=int, default=None, help="first N samples (REval: programs)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (resumable); default eval-runs/<model>, or "
                   "<generations file>-eval next to a generations file")
    p.add_argument("--generations", type=Path, default=None,
                   help="score this JSON file {sample_id: [answer, ...]} instead of generating")
    p.add_argument("--scored-out", type=Path, default=None,
                   help="with --generations on CRUXEval: write the official scored-results JSON")
    p.add_argument("--max-new-tokens", type=int, default=None)
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--n", type=int, default=1, help="samples per prompt (pass@k)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=8, help="prompts per generation batch")
    p.add_argument("--workers", type=int, default=None, help="sandbox workers (default: CPUs)")
    p.add_argument("--preload", default="", help="extra modules the sandbox pre-imports (a,b)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from execverify.cli import CliError

    head = args.benchmarks[0].lower()
    try:
        if head == "compare":
            return _compare(args.benchmarks[1:])
        if head == "list":
            return _list()
        benches = [_build(name, args) for name in args.benchmarks]
        if args.generations is not None:
            return _score_file(benches, args)
        return _generate(benches, args)
    except CliError:
        raise
    except (ValueError, OSError, ImportError, RuntimeError) as exc:
        raise CliError(_one_line(exc)) from exc


def _build(name: str, args: argparse.Namespace) -> Any:
    from execverify.cli import CliError
    from execverify.eval.registry import benchmark_class

    key = {"output": "cruxeval-o", "input": "cruxeval-i"}[args.task] if name == "cruxeval" else name
    cls = benchmark_class(key)
    style = args.prompt_style
    if style not in cls.prompt_styles:
        if len(args.benchmarks) == 1:
            raise CliError(f"{cls.name} has prompt styles {', '.join(cls.prompt_styles)}; "
                           f"got --prompt-style {style}")
        print(f"note: {cls.name} has no {style!r} prompt style; using {cls.prompt_styles[0]!r}",
              file=sys.stderr)
        style = cls.prompt_styles[0]
    return cls(_source(name, cls.name, args.data), prompt_style=style, limit=args.limit)


def _source(given: str, name: str, data: list[str]) -> str | None:
    """``--data PATH`` (when it is the only one) or ``--data BENCH=PATH`` for this benchmark."""
    for item in data:
        bench, sep, path = item.partition("=")
        if sep and bench in (given, name):
            return path
    plain = [item for item in data if "=" not in item]
    return plain[0] if len(plain) == 1 else None


def _generate(benches: list[Any], args: argparse.Namespace) -> int:
    from execverify.cli import CliError
    from execverify.eval.report import summary_markdown
    from execverify.eval.runner import RunConfig, evaluate
    from execverify.models import BackendError, BackendUnavailable

    if not args.model:
        raise CliError("eval needs --model NAME_OR_PATH (or --generations FILE to score a file)")
    out = args.out or Path("eval-runs") / _safe(args.model)
    config = RunConfig(
        model=args.model, backend=args.backend, backend_options=_options(args.backend_option),
        max_new_tokens=args.max_new_tokens, temperature=args.temperature, top_p=args.top_p,
        n=args.n, seed=args.seed, batch_size=args.batch_size, prompt_format=args.prompt_format,
        out_dir=out, workers=args.workers, preload=_modules(args.preload),
        progress=not args.no_progress,
    )
    try:
        doc = evaluate(benches, config)
    except (BackendUnavailable, BackendError) as exc:
        raise CliError(_one_line(exc)) from exc
    print(summary_markdown(doc).split("\n## ")[0].rstrip())
    print(f"\nresults in {out}/results.json (summary.md, plots/)", file=sys.stderr)
    return 0


def _score_file(benches: list[Any], args: argparse.Namespace) -> int:
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
    out = args.out or args.generations.parent / f"{args.generations.stem}-eval"
    doc = score_generations(bench, generations, out_dir=out, source=str(args.generations),
                            workers=args.workers, preload=_modules(args.preload))
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
    from execverify.cli import CliError
    from execverify.eval.report import compare_markdown
    from execverify.eval.schema import load_results

    if len(paths) != 2:
        raise CliError(f"eval compare needs two results files; got {len(paths)}")
    a, b = (load_results(p) for p in paths)
    print(compare_markdown(a, b, names=(Path(paths[0]).parent.name or "A",
                                        Path(paths[1]).parent.name or "B")), end="")
    return 0


def _list() -> int:
    from execverify.eval.registry import BENCHMARKS

    width = max(len(n) for n in BENCHMARKS)
    for name, cls in BENCHMARKS.items():
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
