"""LiveCodeBench code execution (``livecodebench/execution-v2``): predict a LeetCode-style
function's output.

Rows hold ``code``, ``function_name``, ``input`` (the whole call, e.g.
``maxSum(nums = [1, 2])``), ``output`` (a literal) and ``difficulty``. Prompts, extraction and
scoring follow ``lcb_runner``: an answer containing the call is wrong; otherwise it is right when
``BASE_IMPORTS + code + assert <output> == <answer>`` passes within 3 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from execverify.eval.answers import lcb_execution_answer
from execverify.eval.base import Benchmark, BenchmarkDataError, Sample, Verdict
from execverify.eval.execcheck import OFFICIAL_TIMEOUT_S, run_checks
from execverify.eval.sources import read_rows

if TYPE_CHECKING:
    from execverify.sandbox import Sandbox

LCB_EXECUTION_HUB_ID = "livecodebench/execution-v2"

# lcb_runner's BASE_IMPORTS; numpy and pandas are optional here so a machine without them
# still scores the (nearly all) problems that do not use them.
BASE_IMPORTS = """\
from itertools import accumulate, chain, combinations, count, permutations, product, groupby, islice, repeat
from copy import deepcopy
from string import ascii_lowercase
from math import floor, log2, log10, sqrt, comb, gcd, ceil, inf, isqrt
from collections import defaultdict, deque, Counter
from bisect import bisect, bisect_left, bisect_right, insort
from heapq import heappush, heappop, heapify, merge
from functools import reduce, cache, lru_cache
from random import randrange, shuffle
from operator import itemgetter, sub
from re import search as re_search
from os.path import commonprefix
from typing import List, Tuple, Dict, Set, Optional, Union, Any, Callable, Iterable, Iterator, Generator
import copy
import string
import math
import collections
import bisect
import heapq
import functools
import random
import itertools
import operator
import re
try:
    import numpy as np
    import pandas as pd
except ImportError:
    pass
from math import log, prod
from collections import deque, defaultdict, Counter, OrderedDict
from itertools import accumulate, permutations, combinations, product, groupby, islice, chain, repeat, zip_longest, cycle
from functools import lru_cache, reduce, partial
from operator import iand
import sys
"""

LCB_EXECUTION_SYSTEM = (
    "You are an expert at Python programming, code execution, test case generation, and fuzzing."
)

_INSTRUCTION = (
    "You are given a Python function and an assertion containing an input to the function. "
    "Complete the assertion with a literal (no unsimplified expressions, no function calls) "
    "containing the output when executing the provided code on the given input, even if the "
    "function is incorrect or incomplete. Do NOT output any extra information."
)

DIRECT = _INSTRUCTION + """ Provide the full assertion with the correct output in [ANSWER] and [/ANSWER] tags, following the examples.

[PYTHON]
def repeatNumber(number : int) -> int:
    return number
assert repeatNumber(number = 17) == ??
[/PYTHON]
[ANSWER]
assert repeatNumber(number = 17) == 17
[/ANSWER]

[PYTHON]
def addCharacterA(string : str) -> str:
    return string + "a"
assert addCharacterA(string = "x9j") == ??
[/PYTHON]
[ANSWER]
assert addCharacterA(string = "x9j") == "x9ja"
[/ANSWER]

[PYTHON]
{code}
assert {input} == ??
[/PYTHON]
[ANSWER]
"""

COT = _INSTRUCTION + """ Execute the program step by step before arriving at an answer, and provide the full assertion with the correct output in [ANSWER] and [/ANSWER] tags, following the examples.

[PYTHON]
def performOperation(s):
    s = s + s
    return "b" + s + "a"
assert performOperation(s = "hi") == ??
[/PYTHON]
[THOUGHT]
Let's execute the code step by step:

1. The function performOperation is defined, which takes a single argument s.
2. The function is called with the argument "hi", so within the function, s is initially "hi".
3. Inside the function, s is concatenated with itself, so s becomes "hihi".
4. The function then returns a new string that starts with "b", followed by the value of s (which is now "hihi"), and ends with "a".
5. The return value of the function is therefore "bhihia".
[/THOUGHT]
[ANSWER]
assert performOperation(s = "hi") == "bhihia"
[/ANSWER]

[PYTHON]
{code}
assert {input} == ??
[/PYTHON]
[THOUGHT]
"""


class LCBExecution(Benchmark):
    name = "lcb-exec"
    description = "LiveCodeBench code execution: complete assert f(input) == ??"
    hub_id: ClassVar[str | None] = LCB_EXECUTION_HUB_ID
    prompt_styles: ClassVar[tuple[str, ...]] = ("direct", "cot")
    stop: ClassVar[tuple[str, ...]] = ("[/ANSWER]",)
    group_keys: ClassVar[tuple[str, ...]] = ("difficulty",)

    def max_tokens(self) -> int:
        return 1024 if self.prompt_style == "cot" else 256

    def load(self) -> list[Sample]:
        if self.source is None:
            raise BenchmarkDataError(
                f"lcb-exec ships no data: pass a local file in the {LCB_EXECUTION_HUB_ID} format "
                f"or the hub id {LCB_EXECUTION_HUB_ID}"
            )
        template = COT if self.prompt_style == "cot" else DIRECT
        samples = []
        for row in read_rows(self.source, hub_split="test"):
            missing = {"code", "input", "output"} - set(row)
            if missing:
                raise BenchmarkDataError(f"{self.source}: row lacks {sorted(missing)}")
            sid = str(row.get("id") or row.get("question_id") or len(samples))
            samples.append(Sample(
                id=sid, prompt=template.format(code=row["code"], input=row["input"]),
                reference={"code": row["code"], "input": row["input"], "output": row["output"]},
                group={"difficulty": row.get("difficulty", "unknown")}, system=LCB_EXECUTION_SYSTEM,
            ))
        return samples

    def extract(self, completion: str) -> str:
        return lcb_execution_answer(completion, cot=self.prompt_style == "cot")

    def score(
        self, samples: Sequence[Sample], answers: Sequence[Sequence[str]], sandbox: Sandbox
    ) -> list[Verdict]:
        programs, slots = [], []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            ref = sample.reference
            for j, g in enumerate(gens):
                if ref["input"] not in g:
                    programs.append(f"{BASE_IMPORTS}\n{ref['code']}\nassert {ref['output']} == {g}")
                    slots.append((i, j))
        checks = dict(zip(slots, run_checks(sandbox, programs, timeout_s=OFFICIAL_TIMEOUT_S)))
        verdicts = []
        for i, (sample, gens) in enumerate(zip(samples, answers)):
            results = [(checks[(i, j)].passed, checks[(i, j)].status) if (i, j) in checks
                       else (False, "restates_call") for j in range(len(gens))]
            verdicts.append(Verdict(id=sample.id, passed=[p for p, _ in results],
                                    answers=list(gens), statuses=[s for _, s in results],
                                    group=dict(sample.group)))
        return verdicts
