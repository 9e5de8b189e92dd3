"""Frames between the host and its workers: encoding and the buffered reader."""

import json
import os
import struct

import pytest

from execverify.sandbox.protocol import MAX_FRAME, FrameReader, decode, encode, write_all

MESSAGES = [
    {"status": "ok", "stdout": "héllo \ud800 \x00", "cpu_s": 0.25, "signal": None},
    {"job": {"programs": [["def f(x):\n    return x", "f", "1"]], "flags": [True, False]}},
    {},
]


@pytest.mark.parametrize("message", MESSAGES)
def test_encode_is_json_dumps_compact_and_decodes_back(message):
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    assert encode(message) == struct.pack(">I", len(body.encode("utf-8", "surrogatepass"))) \
        + body.encode("utf-8", "surrogatepass")
    assert decode(encode(message)) == message


def test_encode_refuses_what_json_cannot_hold():
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode({"x": object()})


def test_reader_takes_several_frames_from_one_read_and_waits_for_split_ones():
    read_end, write_end = os.pipe()
    try:
        reader = FrameReader(read_end)
        write_all(write_end, encode(MESSAGES[0]) + encode(MESSAGES[1]))
        assert reader.take() is None  # nothing read yet
        assert reader.fill()
        assert [reader.take(), reader.take(), reader.take()] == [MESSAGES[0], MESSAGES[1], None]
        frame = encode(MESSAGES[2] | {"k": "v" * 100})
        for piece in (frame[:2], frame[2:10], frame[10:]):  # header and body cut anywhere
            assert reader.take() is None
            write_all(write_end, piece)
            assert reader.fill()
        assert reader.take() == {"k": "v" * 100}
        os.close(write_end)
        write_end = -1
        assert reader.read() is None  # end of stream
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def test_reader_refuses_a_frame_over_the_size_limit():
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, struct.pack(">I", MAX_FRAME + 1))
        reader = FrameReader(read_end)
        reader.fill()
        with pytest.raises(ValueError, match="exceeds"):
            reader.take()
    finally:
        os.close(read_end)
        os.close(write_end)
