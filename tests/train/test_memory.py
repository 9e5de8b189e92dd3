"""Training's heap setting: allocations of 4 MiB or more get pages of their own, so freeing
them returns memory at once instead of fragmenting glibc's heap (glibc only)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap

import pytest

from execverify.train.model import map_large_allocations, release_memory_callback

PROBE = textwrap.dedent("""
    import ctypes, sys
    from execverify.train.model import map_large_allocations

    class Info(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.mallinfo2.restype = Info
    if sys.argv[1] == "fixed":
        assert map_large_allocations()
    libc.free(libc.malloc(16 << 20))  # a mapped block freed: glibc's own threshold -> 16 MiB
    before = libc.mallinfo2().hblks
    block = libc.malloc(6 << 20)
    print(libc.mallinfo2().hblks - before)
""")

glibc = pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallinfo2"),
                           reason="needs glibc >= 2.33 (mallinfo2)")


def _mapped_blocks_for_6_mib(mode: str) -> int:
    """New mapped blocks after a 6 MiB malloc that follows a freed 16 MiB one, in a fresh
    interpreter (the setting is process-wide and cannot be undone)."""
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


@glibc
def test_a_large_block_is_mapped_even_after_glibc_raised_its_threshold():
    assert _mapped_blocks_for_6_mib("default") == 0  # glibc's dynamic threshold: from the heap
    assert _mapped_blocks_for_6_mib("fixed") == 1    # its own pages, returned when freed


def test_trainers_set_it_when_training_begins(monkeypatch):
    calls = []
    monkeypatch.setattr("execverify.train.model.map_large_allocations",
                        lambda: calls.append("mapped"))
    release_memory_callback().on_train_begin(None, None, None)
    assert calls == ["mapped"]


def test_refused_where_there_is_no_mallopt(monkeypatch):
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())
    assert map_large_allocations() is False
