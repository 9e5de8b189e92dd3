"""Names that read like real code: per type, per role, and per method result.

A program whose variables are ``v1, v2, v3`` teaches a model nothing about how people name
things, and makes every program look alike; so parameters are named for what they hold
(``words``, ``width``), results for what produced them (``padded``, ``parts``), loop variables
for what they range over (``word`` in ``words``).
"""

from __future__ import annotations

import builtins
import keyword
import random

PARAM_NAMES: dict[str, tuple[str, ...]] = {
    "int": ("n", "count", "width", "limit", "size", "step", "offset", "k", "threshold", "start"),
    "float": ("ratio", "rate", "scale", "factor", "weight", "price", "value", "amount"),
    "bool": ("flag", "reverse", "strict", "enabled", "verbose"),
    "str": ("text", "s", "word", "name", "label", "line", "code", "message", "token", "key"),
    "list[int]": ("nums", "numbers", "values", "scores", "items", "data", "counts", "arr"),
    "list[str]": ("words", "names", "tokens", "lines", "tags", "items", "labels", "parts"),
    "tuple[int]": ("coords", "dims", "sizes", "bounds", "shape", "readings", "samples"),
    "set[int]": ("seen", "ids", "visited", "allowed", "marks", "keys", "pool"),
    "dict[str,int]": ("counts", "scores", "inventory", "ages", "prices", "stock", "table", "d"),
}

LOCAL_NAMES: dict[str, tuple[str, ...]] = {
    "int": ("total", "result", "length", "count", "position", "index", "number", "value", "acc"),
    "float": ("ratio", "average", "share", "scaled", "result", "mean"),
    "bool": ("found", "ok", "matched", "valid", "done", "flag"),
    "str": ("result", "output", "out", "line", "prefix", "suffix", "label", "chunk", "joined"),
    "list[int]": ("result", "values", "totals", "lengths", "picked", "out", "acc", "buffer"),
    "list[str]": ("result", "parts", "pieces", "chunks", "out", "picked", "collected", "fields"),
    "tuple[int]": ("frozen", "snapshot", "packed", "fixed"),
    "tuple[str]": ("pieces", "fields", "split_parts", "sections"),
    "set[int]": ("unique", "seen", "found", "members", "bucket"),
    "set[str]": ("unique", "seen", "vocab", "members", "letters"),
    "dict[str,int]": ("counts", "mapping", "table", "index", "lookup", "freq"),
    "dict[int,str]": ("by_index", "lookup", "mapping", "positions", "table"),
}
PAIR_NAMES: tuple[str, ...] = ("pair", "entry", "item", "record")
PAIR_LIST_NAMES: tuple[str, ...] = ("pairs", "entries", "records", "rows")

# Results named for the method that produced them.
RESULT_NAMES: dict[str, tuple[str, ...]] = {
    "str.zfill": ("padded", "filled"),
    "str.center": ("centered", "padded"),
    "str.ljust": ("padded", "aligned"),
    "str.rjust": ("padded", "aligned"),
    "str.upper": ("upper", "shout", "loud"),
    "str.lower": ("lower", "quiet", "normalized"),
    "str.casefold": ("folded", "normalized"),
    "str.title": ("titled", "heading"),
    "str.capitalize": ("capitalized", "sentence"),
    "str.swapcase": ("swapped", "flipped"),
    "str.strip": ("stripped", "trimmed", "clean"),
    "str.lstrip": ("stripped", "trimmed"),
    "str.rstrip": ("stripped", "trimmed"),
    "str.replace": ("replaced", "cleaned", "fixed"),
    "str.translate": ("translated", "mapped"),
    "str.split": ("parts", "pieces", "fields"),
    "str.rsplit": ("parts", "pieces", "fields"),
    "str.splitlines": ("rows", "lines_out"),
    "str.partition": ("sections", "split_parts"),
    "str.rpartition": ("sections", "split_parts"),
    "str.join": ("joined", "combined", "merged"),
    "str.find": ("position", "pos", "where"),
    "str.rfind": ("position", "pos", "last_pos"),
    "str.index": ("position", "pos", "idx"),
    "str.rindex": ("position", "last_pos", "idx"),
    "str.count": ("occurrences", "hits", "tally"),
    "str.format": ("formatted", "message", "rendered"),
    "str.removeprefix": ("rest", "tail", "trimmed"),
    "str.removesuffix": ("stem", "head", "trimmed"),
    "str.expandtabs": ("expanded", "spaced"),
    "str.__add__": ("combined", "joined", "merged"),
    "str.__mul__": ("repeated", "echo"),
    "str.slice": ("chunk", "piece", "fragment"),
    "str.__getitem__": ("char", "letter", "ch"),
    "list.copy": ("copied", "backup", "snapshot"),
    "list.count": ("occurrences", "hits", "tally"),
    "list.index": ("position", "idx", "where"),
    "list.pop": ("popped", "last", "removed"),
    "list.slice": ("window", "head", "segment"),
    "list.__add__": ("combined", "merged", "joined"),
    "list.__mul__": ("repeated", "tiled"),
    "list.__getitem__": ("first", "pick", "chosen"),
    "dict.get": ("found", "value", "hit"),
    "dict.pop": ("removed", "taken", "popped"),
    "dict.popitem": ("last_entry", "popped"),
    "dict.setdefault": ("current", "slot", "existing"),
    "dict.copy": ("copied", "backup", "snapshot"),
    "dict.fromkeys": ("marks", "template", "blank"),
    "dict.__getitem__": ("value", "entry", "amount"),
    "dict.__or__": ("merged", "combined"),
    "set.union": ("merged", "combined", "everything"),
    "set.__or__": ("merged", "combined", "everything"),
    "set.intersection": ("common", "shared", "overlap"),
    "set.__and__": ("common", "shared", "overlap"),
    "set.difference": ("missing", "extra", "only_left"),
    "set.__sub__": ("missing", "extra", "only_left"),
    "set.symmetric_difference": ("different", "changed", "odd_ones"),
    "set.__xor__": ("different", "changed", "odd_ones"),
    "set.pop": ("taken", "picked"),
    "set.copy": ("copied", "backup"),
    "tuple.count": ("occurrences", "hits"),
    "tuple.index": ("position", "idx"),
    "tuple.__add__": ("combined", "joined"),
    "tuple.slice": ("window", "head"),
    "tuple.__getitem__": ("first", "pick", "left", "right"),
    "int.bit_length": ("bits", "width_bits", "nbits"),
    "int.bit_count": ("ones", "set_bits", "popcount"),
    "int.__add__": ("total", "shifted", "bumped"),
    "int.__sub__": ("diff", "gap", "remaining"),
    "int.__mul__": ("product", "scaled", "area"),
    "int.__floordiv__": ("half", "quotient", "chunks"),
    "int.__mod__": ("remainder", "rest", "slot"),
    "int.__pow__": ("power", "squared", "raised"),
    "int.__truediv__": ("ratio", "share", "fraction"),
    "float.__truediv__": ("ratio", "share", "fraction"),
    "float.hex": ("encoded", "hex_repr"),
    "len": ("length", "size", "count", "n_items"),
    "sum": ("total", "acc", "subtotal"),
    "min": ("smallest", "lowest", "least"),
    "max": ("largest", "highest", "best"),
    "abs": ("magnitude", "distance"),
    "divmod": ("split_result", "qr", "quot_rem"),
    "pow": ("power", "residue", "hashed"),
    "round": ("rounded", "approx"),
    "sorted": ("ordered", "ranked", "sorted_items"),
    "list": ("items_list", "collected", "materialized"),
    "tuple": ("frozen", "packed", "fixed"),
    "set": ("unique", "distinct", "members"),
    "dict": ("mapping", "lookup", "table"),
    "str": ("as_text", "rendered", "text_form"),
    "repr": ("shown", "debug_text"),
    "bin": ("bits_text", "binary"),
    "hex": ("hex_text", "encoded"),
    "oct": ("octal", "encoded"),
    "chr": ("letter", "symbol", "glyph"),
    "ord": ("code", "codepoint", "char_code"),
    "format": ("formatted", "pretty"),
    "next": ("first", "head", "leading"),
    "any": ("has_any", "found", "some"),
    "all": ("every", "all_ok", "complete"),
    "bool": ("truthy", "present"),
}

LOOP_NAMES: dict[str, tuple[str, ...]] = {
    "int": ("num", "value", "x", "n", "item", "number"),
    "str": ("word", "item", "token", "name", "part", "entry"),
    "char": ("ch", "char", "letter", "c", "symbol"),
    "index": ("i", "idx", "index", "pos", "position", "j"),
}
COUNTER_NAMES: tuple[str, ...] = ("i", "index", "step", "attempt", "pos", "k", "j", "rounds")

ENTRY_VERBS: tuple[str, ...] = (
    "process", "transform", "build", "compute", "collect", "summarize", "normalize", "encode",
    "scan", "rank", "group", "pack", "tally", "merge", "reshape", "analyze", "format", "clean",
    "extract", "combine", "score", "rebuild", "prepare", "resolve",
)  # fmt: skip
HELPER_VERBS: tuple[str, ...] = (
    "pad", "trim", "split", "shift", "fold", "measure", "check", "count", "mark", "wrap",
    "adjust", "convert", "apply", "expand", "squash", "fix", "weigh", "label",
)  # fmt: skip
NOUNS: dict[str, tuple[str, ...]] = {
    "int": ("number", "amount", "value", "count"),
    "float": ("ratio", "amount", "price"),
    "bool": ("flag", "switch"),
    "str": ("text", "word", "label", "line", "code", "name"),
    "list[int]": ("numbers", "values", "scores", "items", "data"),
    "list[str]": ("words", "names", "tokens", "lines", "tags"),
    "tuple[int]": ("point", "coords", "shape"),
    "set[int]": ("ids", "members", "pool"),
    "dict[str,int]": ("counts", "table", "inventory", "scores"),
}

RESERVED: frozenset[str] = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | {"self"}


class NamePool:
    """Hands out unique, non-builtin identifiers, preferring the given candidates in order."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken: set[str] = set(taken or ())

    def pick(self, candidates: tuple[str, ...], fallback: str = "value") -> str:
        start = int(self.rng.random() * len(candidates)) if candidates else 0
        for i in range(len(candidates)):
            name = candidates[(start + i) % len(candidates)]
            if name not in self.taken and name not in RESERVED:
                self.taken.add(name)
                return name
        base = candidates[start] if candidates else fallback
        if base in RESERVED:
            base = fallback
        n = 2
        while f"{base}{n}" in self.taken:
            n += 1
        name = f"{base}{n}"
        self.taken.add(name)
        return name

    def release(self, name: str) -> None:
        self.taken.discard(name)


def param_candidates(t: str) -> tuple[str, ...]:
    return PARAM_NAMES.get(t, LOCAL_NAMES.get(t, ("arg", "value")))


def local_candidates(t: str, seed: str | None = None) -> tuple[str, ...]:
    if seed is not None and seed in RESULT_NAMES:
        return RESULT_NAMES[seed]
    if t.startswith("list[tuple"):
        return PAIR_LIST_NAMES
    if t.startswith("tuple[") and "," in t:
        return PAIR_NAMES
    return LOCAL_NAMES.get(t, ("value", "result"))


def loop_candidates(t: str, source_name: str | None) -> tuple[str, ...]:
    """A name for the loop variable over a collection called ``source_name``."""
    if source_name:
        singular = _singular(source_name)
        if singular and singular != source_name:
            return (singular, *LOOP_NAMES.get(t, ("item",)))
        if t == "str" and source_name in PARAM_NAMES["str"] + LOCAL_NAMES["str"]:
            return LOOP_NAMES["char"]
    return LOOP_NAMES.get(t, ("item", "entry"))


def _singular(name: str) -> str | None:
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith("es") and name[:-2].endswith(("ch", "sh", "x", "ss")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name[:-1]
    return None
