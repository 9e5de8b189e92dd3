"""Length-prefixed JSON frames between the host pool and its workers.

JSON rather than pickle on purpose: a worker that were somehow subverted must not be able to
run code in the host by sending it a crafted message.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME = 256 << 20


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return _HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def write_frame(fd: int, message: dict[str, Any]) -> None:
    write_all(fd, encode(message))


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def decode(buffer: bytes) -> dict[str, Any]:
    """Decode one frame held in memory (header plus body); ValueError if malformed."""
    if len(buffer) < _HEADER.size:
        raise ValueError("truncated frame header")
    (size,) = _HEADER.unpack(buffer[: _HEADER.size])
    body = buffer[_HEADER.size : _HEADER.size + size]
    if len(body) != size:
        raise ValueError("truncated frame body")
    message = json.loads(body.decode("utf-8", "surrogatepass"))
    if not isinstance(message, dict):
        raise ValueError("frame is not an object")
    return message


def read_frame(fd: int) -> dict[str, Any] | None:
    """The next message, or None at end of stream."""
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    body = _read_exact(fd, size)
    if body is None:
        return None
    return json.loads(body.decode("utf-8", "surrogatepass"))
