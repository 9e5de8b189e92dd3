"""The LLM-prompted generator: prompts, program and input extraction, and whole runs against
a local OpenAI-format server and against the built-in small model."""

from __future__ import annotations

import ast
import textwrap

import pytest

from execverify.models import Backend, SamplingParams
from execverify.synth import Program
from execverify.synth.levels import Knobs, knobs_for
from execverify.synth.llm import (
    REASONS,
    LLMGenerator,
    LLMGeneratorConfig,
    Rejected,
    Rejection,
    extract_program,
    parse_inputs,
    program_prompt,
    type_name,
)

LEVEL2 = '''Here is the program:

```python
def pad_code(code, width):
    # widen twice
    """Pads a code."""
    padded = code.zfill(width)
    return padded.zfill(width + 3).upper()

result = pad_code("ab1", 6)
```
It pads the code.'''

LEVEL6 = """```python
def grow(items, limit):
    out = []
    for item in items:
        if item > limit:
            while item > limit:
                item = item - limit
            out.append(str(item).zfill(3).zfill(5))
    return out

def collect(numbers, limit):
    return grow(sorted(numbers), limit)

print(collect([12, 7, 30], 5))
```"""


def dedent(code: str) -> str:
    return textwrap.dedent(code).strip("\n") + "\n"


def test_extracts_and_normalises_a_program():
    ex = extract_program(LEVEL2, "str.zfill", knobs_for(2))
    assert ex.source == dedent(
        """
        def pad_code(code, width):
            padded = code.zfill(width)
            return padded.zfill(width + 3).upper()
        """
    )
    assert (ex.entry, ex.params) == ("pad_code", ("code", "width"))
    f = ex.features
    assert (f["seed"], f["seed_calls"], f["seed_nesting"], f["control_depth"]) == (
        "str.zfill",
        2,
        2,
        0,
    )
    assert f["extra_methods"] == ["upper"] and f["helper_call"] is False


def test_extracts_a_level_6_helper_chain():
    ex = extract_program(LEVEL6, "str.zfill", knobs_for(6))
    assert ex.entry == "collect" and ex.params == ("numbers", "limit")
    assert ex.features["helper_call"] and ex.features["control_depth"] == 3
    assert ex.features["control_kinds"] == ["for", "if", "while"]
    assert "print" not in ex.source  # the example call is the pipeline's to make


def test_an_unclosed_fence_still_yields_complete_code():
    truncated = "```python\ndef f(s, n):\n    return s.zfill(n).zfill(n + 1)\n"
    assert extract_program(truncated, "str.zfill", knobs_for(1)).entry == "f"


def test_code_before_a_stray_closing_fence_is_found():
    text = "def f(s, n):\n    return s.zfill(n).zfill(n)\n```\n\nExample:\n```\nf('a', 3)\n```"
    assert extract_program(text, "str.zfill", knobs_for(1)).source.startswith("def f(s, n):")


JUNK = [
    ("I am sorry, I cannot write that program.", 1, "no_code"),
    ("```python\ndef f(s:\n    return s\n```", 1, "syntax"),
    ("```python\nx = 'abc'.zfill(5)\n```", 1, "no_code"),
    ("def f(s):\n    '''only a docstring'''\n", 1, "no_code"),
    ("import os\ndef f(s, n):\n    return s.zfill(n).zfill(n)\n", 1, "structure"),
    ("def f(s, n):\n    import re\n    return s.zfill(n).zfill(n)\n", 1, "structure"),
    ("class A:\n    pass\ndef f(s, n):\n    return s.zfill(n).zfill(n)\n", 1, "structure"),
    ("def f():\n    return '1'.zfill(3).zfill(4)\n", 1, "signature"),
    ("def f(s, n=3):\n    return s.zfill(n).zfill(n)\n", 1, "signature"),
    ("def f(*s):\n    return s\n", 1, "signature"),
    ("def f(s, n):\n    return s.zfill(n).zfill(n)\ndef g(s):\n    return s\n", 1, "entry"),
    ("def f(s, n):\n    return s.zfill(n).zfill(n)\nf('a', 2)\nf('b', 3)\n", 1, "entry"),
    ("def f(s, n):\n    return f(s.zfill(n).zfill(n), n)\n", 1, "entry"),
    ("def f(s, n):\n    return s.zfill(n)\n", 1, "knobs"),  # not nested
    ("def f(s, n):\n    return s.zfill(n).zfill(n)\n", 3, "knobs"),  # no control flow
    ("def f(s, n):\n    for c in s:\n        n += 1\n    return s.zfill(n).zfill(n)\n", 1, "knobs"),
    ("def f(s, n):\n    return s.zfill(n).zfill(n).upper()\n", 6, "knobs"),  # no helper
]


@pytest.mark.parametrize(("text", "level", "reason"), JUNK)
def test_junk_is_rejected_with_a_reason(text, level, reason):
    with pytest.raises(Rejected) as info:
        extract_program(text, "str.zfill", knobs_for(level))
    assert info.value.reason == reason and info.value.detail
    assert reason in REASONS


def test_knob_checks_can_be_switched_off():
    text = "def f(s, n):\n    return s.zfill(n)\n"
    ex = extract_program(text, "str.zfill", knobs_for(1), check_knobs=False)
    assert ex.features["seed_nesting"] == 1


def test_seed_nesting_follows_variables_and_mutation():
    code = dedent(
        """
        def f(items, extra):
            items.append(extra)
            first = items
            first.append(len(items))
            return first
        """
    )
    ex = extract_program(code, "list.append", Knobs())
    assert ex.features["seed_nesting"] == 2


@pytest.mark.parametrize(
    ("level", "expected", "absent"),
    [
        (1, ["at least 2 levels deep", "no control flow", "exactly one function"], "helper"),
        (3, ["at least 1 other built-in", "depth 1"], "helper"),
        (5, ["nested exactly 3 levels deep"], "helper"),
        (6, ["a helper function, and an entry function that calls the helper"], "one function"),
    ],
)
def test_program_prompt_states_each_knob(level, expected, absent):
    system, user = program_prompt("str.zfill", knobs_for(level))
    assert system["role"] == "system" and user["role"] == "user"
    text = user["content"]
    assert "`str.zfill` (written like `a.zfill(b)`)" in text
    assert "no default parameter values" in text and "No imports, no comments" in text
    assert "exactly one call of the entry function" in text
    assert all(e in text for e in expected)
    assert absent not in text


def test_inputs_are_parsed_as_literals_only():
    text = dedent(
        """
        ```python
        pad_code('abc', 7)
        pad_code(width=9, code='zz')
        print(pad_code('xyz', 8))
        assert pad_code('abc', 7) == '00000abc'
        pad_code(name, 3)
        pad_code('a')
        pad_code(*args)
        pad_code('q', 2 + 3)
        ```
        """
    )
    assert parse_inputs(text, "pad_code", ("code", "width")) == [
        ("abc", 7),
        ("zz", 9),
        ("xyz", 8),
    ]
    with pytest.raises(Rejected, match="non-literal") as info:
        parse_inputs("pad_code(name, 3)", "pad_code", ("code", "width"))
    assert info.value.reason == "no_inputs"
    with pytest.raises(Rejected, match="no call of pad_code"):
        parse_inputs("Sure, here are some inputs!", "pad_code", ("code", "width"))


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (3, "int"),
        (True, "bool"),
        ("a", "str"),
        ([1, 2], "list[int]"),
        (("a", "b"), "tuple[str]"),
        ({1, 2}, "set[int]"),
        ({"a": 1}, "dict[str,int]"),
        ([1, "a"], "list"),
        ([], "list"),
    ],
)
def test_type_names_match_the_synth_type_language(value, name):
    assert type_name(value) == name


def test_config_is_validated():
    with pytest.raises(ValueError, match="inputs_per_program must be an int >= 1"):
        LLMGeneratorConfig(inputs_per_program=0)
    with pytest.raises(ValueError, match="temperature"):
        LLMGeneratorConfig(temperature=-1)


class Scripted(Backend):
    """Plays a model behind an HTTP server: a valid program for str.zfill, junk otherwise."""

    def __init__(self):
        self.prompts = []

    def generate(self, prompts, params=None):
        params = params or SamplingParams()
        out = []
        for p in prompts:
            text = p[-1]["content"]
            self.prompts.append(text)
            if "Write a Python program that uses `str.zfill`" in text:
                out.append([LEVEL2] * params.n)
            elif "Write a Python program" in text:
                out.append(["As an AI, I think lists are great."] * params.n)
            elif "pad_code" in text and "`pad_code` with literal arguments" in text:
                out.append(["```\npad_code('abc12', 8)\npad_code(x, 1)\npad_code('zz', 6)\n```"])
            else:
                out.append(["no idea"])
        return out


def test_generates_programs_through_a_local_openai_server():
    from execverify.models.openai_http import OpenAIBackend
    from execverify.models.serve import serving

    model = Scripted()
    with serving(model) as url, OpenAIBackend("scripted", base_url=url, backoff_s=0) as http:
        generator = LLMGenerator(http, LLMGeneratorConfig(inputs_per_program=3, seed=1))
        results = generator.generate([("str.zfill", 2), ("list.append", 1), ("str.zfill", 1)])
    first, junk, third = results
    assert isinstance(junk, Rejection)
    assert (junk.stage, junk.reason, junk.level) == ("program", "no_code", 1)
    assert junk.completion == "As an AI, I think lists are great."
    assert [p.args for p in first] == ["'abc12', 8", "'zz', 6"]
    for program, level in ((first[0], 2), (third[0], 1)):
        assert isinstance(program, Program)
        assert (program.entry, program.seed_method, program.level) == (
            "pad_code",
            "str.zfill",
            level,
        )
        assert program.knobs == knobs_for(level)
        assert program.arg_types == ("str", "int")
        assert program.call.startswith("pad_code(")
        compile(program.source, "<program>", "exec")
        assert [ast.literal_eval(a) for a in program.args.split(", ")]
    # two rounds reached the model: 3 program prompts, then input prompts for the 2 kept
    assert sum("Write a Python program" in t for t in model.prompts) == 3
    assert sum("with literal arguments" in t for t in model.prompts) == 2


def test_input_rejections_carry_the_input_completion():
    class NoInputs(Scripted):
        def generate(self, prompts, params=None):
            return [[LEVEL2] if "Write a Python" in p[-1]["content"] else ["none"] for p in prompts]

    (result,) = LLMGenerator(NoInputs()).generate([("str.zfill", 2)])
    assert isinstance(result, Rejection)
    assert (result.stage, result.reason, result.completion) == ("inputs", "no_inputs", "none")


@pytest.mark.slow
def test_builtin_small_model_runs_the_whole_route():
    """SmolLM2-135M mostly writes junk; every request must still end as programs or a reason."""
    pytest.importorskip("transformers")
    from execverify.models import BackendUnavailable, load_backend

    try:
        backend = load_backend("transformers", "builtin", device="cpu", progress=False)
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    config = LLMGeneratorConfig(program_tokens=64, input_tokens=32, seed=0)
    requests = [("str.zfill", 1), ("zip", 6)]
    results = LLMGenerator(backend, config).generate(requests)
    assert len(results) == len(requests)
    for (seed, level), result in zip(requests, results):
        if isinstance(result, Rejection):
            assert result.reason in REASONS and result.detail
            assert (result.seed_method, result.level) == (seed, level)
        else:
            assert result, "an accepted program comes with at least one input"
            for program in result:
                compile(program.source, "<program>", "exec")
                assert program.level == level


def test_the_generator_imports_without_torch():
    """Driving a remote server must not need torch on the synthesis machine."""
    import subprocess
    import sys

    code = "import sys, execverify.synth.llm; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
