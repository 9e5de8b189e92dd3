"""Length-prefixed JSON frames between the host pool and its workers, and the job they carry.

JSON rather than pickle on purpose: a worker that were somehow subverted must not be able to
run code in the host by sending it a crafted message. A job travels as a JSON object keyed by
``WireJob``'s fields (``Job.to_wire`` writes it, ``WireJob.from_wire`` reads it in the worker).
"""

from __future__ import annotations

import json
import os
import struct
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from typing import Any, NamedTuple


class WireJob(NamedTuple):
    """One job as the worker and its child read it: ``execverify.sandbox.Job`` with its limits
    resolved to the dict ``Limits`` writes (``cpu_s`` already the effective CPU limit) and
    ``hook_options`` never None."""

    source: str
    entry: str | None
    args: str
    stdin: str | None
    hook: str | None
    hook_options: dict[str, Any]
    limits: dict[str, Any]

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> WireJob:
        return cls(data["source"], data["entry"], data["args"], data["stdin"], data["hook"],
                   data["hook_options"], data["limits"])

_HEADER = struct.Struct(">I")
MAX_FRAME = 256 << 20


def _unserialisable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# One encoder for every frame, made once: ``json.dumps`` makes a new one per call, which in a
# worker (whose pages each fork write-protects again) cost ~20 page faults per result frame.
# It is the encoder ``json.dumps`` itself builds for these arguments (minus the check for
# circular containers, which our messages never are); where the C accelerator is missing,
# ``json.dumps`` is used.
_ENCODER = (None if c_make_encoder is None or c_encode_basestring is None else
            c_make_encoder(None, _unserialisable, c_encode_basestring, None, ":", ",",
                           False, False, True))


def encode(message: dict[str, Any]) -> bytes:
    if _ENCODER is None:
        text = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    else:
        text = "".join(_ENCODER(message, 0))
    body = text.encode("utf-8", "surrogatepass")
    return _HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def write_frame(fd: int, message: dict[str, Any]) -> None:
    write_all(fd, encode(message))


def decode(buffer: bytes) -> dict[str, Any]:
    """Decode one frame held in memory (header plus body); ValueError if malformed."""
    if len(buffer) < _HEADER.size:
        raise ValueError("truncated frame header")
    (size,) = _HEADER.unpack(buffer[: _HEADER.size])
    body = buffer[_HEADER.size : _HEADER.size + size]
    if len(body) != size:
        raise ValueError("truncated frame body")
    message = _parse(body)
    if not isinstance(message, dict):
        raise ValueError("frame is not an object")
    return message


def _parse(body: bytes) -> Any:
    return json.loads(body.decode("utf-8", "surrogatepass"))


class FrameReader:
    """Frames arriving on a stream, read with as few ``os.read`` calls as the data allows.

    One read usually brings in a whole frame, often several (the host keeps a few jobs in
    flight), where reading a header and then its body took two. For the host, each read also
    meant releasing and retaking the GIL, which cost more than the read itself."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()

    def take(self) -> dict[str, Any] | None:
        """The next message if it is already buffered, else None (ValueError if malformed)."""
        buffer = self._buffer
        if len(buffer) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(buffer)
        if size > MAX_FRAME:
            raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME}")
        end = _HEADER.size + size
        if len(buffer) < end:
            return None
        body = bytes(buffer[_HEADER.size : end])
        del buffer[:end]
        return _parse(body)

    def fill(self) -> bool:
        """Read what the stream has (blocking until something comes); False at its end."""
        data = os.read(self.fd, 1 << 16)
        self._buffer += data
        return bool(data)

    def read(self) -> dict[str, Any] | None:
        """The next message, blocking; None at end of stream."""
        while (message := self.take()) is None:
            if not self.fill():
                return None
        return message
