"""A seeded generator of small, terminating programs that exercise what the tracer must handle:
loops with break/continue/else, while loops, try/except/finally, helpers that mutate their
arguments, recursion, a generator, comprehensions (single and multi-line), lambdas, aliasing,
one-line compound statements, del, early returns and raised exceptions.

Used by the backend-equality property test; ``generate(seed)`` is deterministic.
"""

from __future__ import annotations

import random

HELPERS = '''\
def helper(lst, k):
    lst.append(k)
    if len(lst) > 6:
        lst.pop(0)
    return len(lst) + k

def rec(n):
    if n <= 0:
        return 0
    return n + rec(n - 1)

def gen(lst):
    for v in lst:
        if v % 3 == 0:
            continue
        got = yield v
        if got:
            return

class Box:
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return "Box(" + repr(self.v) + ")"

'''

INTS = ("a", "b", "c")


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []

    def emit(self, indent: int, text: str) -> None:
        """One or more statements; a line starting with ">" continues the one before."""
        for part in text.split("\n"):
            if part.startswith(">"):
                self.lines.append("    " * (indent + 1) + part[1:])
            else:
                self.lines.append("    " * indent + part)

    def k(self) -> int:
        return self.rng.randint(0, 5)

    def iv(self) -> str:
        return self.rng.choice(INTS)

    def simple(self, indent: int) -> None:
        r, iv, k = self.rng, self.iv(), self.k()
        choices = [
            f"{iv} = {self.iv()} + {k}",
            f"{iv} = {self.iv()} * 2 - {k}",
            f"{iv} += {k}",
            f"{iv} = len(xs) + s.count('a')",
            f"{iv} = {self.iv()} // ({self.iv()} - {k} or 1)",
            f"{iv} = max({self.iv()}, {k}) % 7",
            "xs.append(a)",
            f"xs.insert(0, {k})",
            "xs.sort()",
            "ys.reverse()",
            "if xs: xs.pop()",
            "ys = xs",
            "ys = list(xs)",
            f"{iv} = helper(xs, {k})",
            f"{iv} = helper(\n>ys,\n>{self.iv()} % 5)",
            "s = (s + 'ab')[:12]",
            "s = s.replace('a', 'b').zfill(4)[:12]",
            "t = s.upper()",
            f"d[s[:1]] = {iv}",
            f"n = d.get('a', {k}) + len(d)",
            "zs = [v * 2 for v in xs if v % 2]",
            "ws = {v: i\n>for i, v in enumerate(xs)\n>if v > 1}",
            "tot = sum(v for v in xs)",
            "u = {v % 3 for v in xs}",
            "xs = sorted(xs,\n>key=lambda v: (-v, v))[:6]",
            f"r = rec({iv} % 4)",
            "g = gen(xs)\nfirst = next(g, None)\nrest = list(g)",
            "g = gen(xs)\nfirst = next(g, None)",
            "box = Box(xs)\nbox.v = len(s)",
            "if a > b: a, b = b, a",
            "for v in xs[:3]: c += v",
            "tmp = [a, b]\ndel tmp",
            "p = 0.1 + a / 4",
            "q = 'it\\'s\\n' + s[:2]",
            f"if {iv} == {k}: raise ValueError('hit ' + str({iv}))",
            f"if {iv} > 40: return {iv}",
        ]
        self.emit(indent, r.choice(choices))

    def block(self, indent: int, depth: int, size: int) -> None:
        for _ in range(size):
            if depth < 2 and self.rng.random() < 0.35:
                self.compound(indent, depth)
            else:
                self.simple(indent)

    def compound(self, indent: int, depth: int) -> None:
        r, iv, k = self.rng, self.iv(), self.k()
        kind = r.choice(["if", "for", "for_list", "while", "try"])
        size = r.randint(1, 3)
        if kind == "if":
            self.emit(indent, f"if {iv} > {k}:")
            self.block(indent + 1, depth + 1, size)
            if r.random() < 0.5:
                self.emit(indent, f"elif {self.iv()} % 2 == 0:")
                self.block(indent + 1, depth + 1, 1)
            if r.random() < 0.5:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, 1)
        elif kind in ("for", "for_list"):
            header = f"for i in range({k}):" if kind == "for" else "for e in xs[:4]:"
            self.emit(indent, header)
            if r.random() < 0.4:
                self.emit(indent + 1, f"if {self.iv()} % 3 == {r.randint(0, 2)}:")
                self.emit(indent + 2, r.choice(["break", "continue"]))
            self.block(indent + 1, depth + 1, size)
            if r.random() < 0.3:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, 1)
        elif kind == "while":
            self.emit(indent, f"w{depth} = 0")  # one counter per nesting level
            self.emit(indent, f"while w{depth} < {k}:")
            self.emit(indent + 1, f"w{depth} += 1")
            if r.random() < 0.3:
                self.emit(indent + 1, f"if {self.iv()} > {k}:")
                self.emit(indent + 2, "break")
            self.block(indent + 1, depth + 1, size)
            if r.random() < 0.3:
                self.emit(indent, "else:")
                self.block(indent + 1, depth + 1, 1)
        else:
            self.emit(indent, "try:")
            risky = r.choice([f"{iv} = {iv} // ({self.iv()} - {k})", "n = d['zz']",
                              "n = xs[9]", "n = int(s)"])
            self.emit(indent + 1, risky)
            self.block(indent + 1, depth + 1, size - 1)
            self.emit(indent, "except (ZeroDivisionError, KeyError, IndexError,\n"
                              ">ValueError) as err:")
            self.block(indent + 1, depth + 1, 1)
            if r.random() < 0.5:
                self.emit(indent, "finally:")
                self.block(indent + 1, depth + 1, 1)


def generate(seed: int) -> tuple[str, str, str]:
    """(source, entry, args) of one terminating program."""
    rng = random.Random(seed)
    w = _Writer(rng)
    w.emit(0, "def f(xs, s, a, b):")
    w.emit(1, "c = 0\nys = xs\nd = {}")
    w.block(1, 0, rng.randint(3, 8))
    w.emit(1, "return a, b, c, xs, s, d")
    xs = [rng.randint(0, 9) for _ in range(rng.randint(0, 6))]
    text = "".join(rng.choice("abc1") for _ in range(rng.randint(0, 5)))
    args = f"{xs!r}, {text!r}, {rng.randint(-3, 9)}, {rng.randint(-3, 9)}"
    return HELPERS + "\n".join(w.lines) + "\n", "f", args
