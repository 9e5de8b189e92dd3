"""The statement tree the builder emits into, and how it renders.

Plain statements are strings; an if/for/while is a :class:`Compound` whose clauses are
``[header, body]`` pairs (the header can still change after the body is written, which is how a
``while`` gets an extra ``and`` condition that reads names defined for its body).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class BuildError(Exception):
    """This attempt painted itself into a corner; the caller retries with the same rng."""


@dataclass
class Compound:
    """An if/for/while statement: clauses of [header, body]."""

    clauses: list[list] = field(default_factory=list)


def render_statements(nodes: list, indent: int = 1) -> list[str]:
    """Source lines, four spaces per level."""
    pad = "    " * indent
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(pad + node)
        else:
            for header, body in node.clauses:
                out.append(pad + header)
                out.extend(render_statements(body, indent + 1))
    return out
