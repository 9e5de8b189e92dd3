"""How a value flows into a variable that outlives the block computing it.

Real code makes loop bodies and branches matter by updating something that lives outside
them: ``result.append(word)``, ``total += n``, ``counts[ch] = counts.get(ch, 0) + 1``. The
builder uses these forms to consume every value it computes (so nothing is dead code) and to
give every block an effect. ``additive`` forms grow the target by the size of the value, so
inside a loop the value must not be computed from the target itself (``s += s`` doubles every
iteration); ``lo`` says what the update does to the target's lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from execverify.synth import types as ty


@dataclass(frozen=True)
class UpdateForm:
    acc: str  # the target's type
    value: str  # slot type of the value
    template: str  # with {a} (target) and {v} (value)
    op: str | None  # the catalogue seed it exercises, for the features
    additive: bool
    lo: str  # "inc" | "keep" | "sum" | "neg" | "min" | "max"
    value_prec: int  # the value needs at least this precedence
    init: str | None  # initial value for a fresh accumulator, or None: only existing targets
    elem: str = ""  # "v": the value becomes an element (key); "elems": its elements do
    needs_name: bool = False  # the value appears twice, so it must be a plain name


_FORMS = """
list[T] | T | {a}.append({v}) | list.append | - | inc | 0 | []
list[T] | T | {a}.insert(0, {v}) | list.insert | - | inc | 0 | []
list[T] | it[T] | {a}.extend({v}) | list.extend | add | keep | 0 | []
list[T] | T | {a} += [{v}] | list.__add__ | - | inc | 0 | -
set[T] | T | {a}.add({v}) | set.add | - | keep | 0 | set()
set[T] | uit[T] | {a}.update({v}) | set.update | add | keep | 0 | set()
int | int | {a} += {v} | int.__add__ | add | sum | 0 | 0
int | int | {a} -= {v} | int.__sub__ | add | neg | 0 | 0
int | int | {a} = max({a}, {v}) | max | - | max | 0 | -
int | int | {a} = min({a}, {v}) | min | - | min | 0 | -
float | float | {a} += {v} | float.__add__ | add | sum | 0 | 0.0
str | str | {a} += {v} | str.__add__ | add | sum | 0 | ''
str | str | {a} = {v} + {a} | str.__add__ | add | sum | 61 | ''
str | str | {a} = max({a}, {v}) | max | - | min | 0 | -
bool | bool | {a} = {a} or {v} | - | - | keep | 11 | False
bool | bool | {a} = {a} and {v} | - | - | keep | 21 | True
dict[str,int] | str | {a}[{v}] = {a}.get({v}, 0) + 1 | dict.get | - | keep | 100 | {}
dict[str,int] | int | {a}[str({v})] = {v} | dict.__setitem__ | - | keep | 0 | -
dict[int,str] | int | {a}[{v}] = str({v}) | dict.__setitem__ | - | keep | 0 | {}
"""


_ELEM = {
    "list.append": "v",
    "list.insert": "v",
    "list.__add__": "v",
    "set.add": "v",
    "list.extend": "elems",
    "set.update": "elems",
    "dict.get": "v",
    "dict.__setitem__": "v",
}


def _parse() -> tuple[UpdateForm, ...]:
    forms = []
    for line in _FORMS.strip().splitlines():
        acc, value, template, op, additive, lo, prec, init = (p.strip() for p in line.split("|"))
        for elem in ty.ELEMENTS if "T" in acc else (None,):
            a = acc.replace("T", elem) if elem else acc
            v = value.replace("T", elem) if elem else value
            forms.append(
                UpdateForm(
                    acc=a,
                    value=v,
                    template=template,
                    op=None if op == "-" else op,
                    additive=additive == "add",
                    lo=lo,
                    value_prec=int(prec),
                    init=None if init == "-" else init,
                    elem=_ELEM.get(op, "") if a.startswith(("list", "set", "dict")) else "",
                    needs_name=template.count("{v}") > 1,
                )
            )
    return tuple(forms)


FORMS: tuple[UpdateForm, ...] = _parse()


def forms_for(value_type: str) -> tuple[UpdateForm, ...]:
    """The forms that can take a value of this type."""
    return _BY_VALUE.get(value_type, ())


_BY_VALUE: dict[str, tuple[UpdateForm, ...]] = {
    t: tuple(f for f in FORMS if ty.accepts(f.value, t)) for t in ty.ALL_TYPES
}
