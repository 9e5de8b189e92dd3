"""What travels between the host and the recorder in the sandbox: the trace request.

Standard library only, like the recorder, which imports it inside the sandbox worker. A trace
comes back as the dict ``execverify.trace.model.Trace.from_dict`` reads (its fields are
documented there, under ``WIRE_FORMAT``); a batch of programs goes in as the ``programs`` list
of the ``record_many`` hook's options, one ``TraceRequest`` each.
"""

from __future__ import annotations

from typing import Any, NamedTuple

WIRE_FORMAT = "execverify.trace/1"
"""The ``format`` field of every trace the recorder writes."""


class TraceRequest(NamedTuple):
    """One program of a batch: call ``entry(<args>)`` of ``source``.

    ``facts``: the program's ``StatementFacts.to_wire()``, from a caller that parsed it already
    (the recorder then compiles the text and does not parse it; None: it parses). ``code``: the
    program and its arguments compiled by ``execverify.trace.recorder.ship_code`` (then nothing
    is compiled in the sandbox; None: it compiles). On the wire it is a JSON array in field
    order, the trailing Nones optional.
    """

    source: str
    entry: str
    args: str
    facts: list[Any] | None = None
    code: str | None = None

    def to_wire(self) -> list[Any]:
        return list(self)

    @classmethod
    def from_wire(cls, data: list[Any]) -> TraceRequest:
        return cls(*data)
