"""A phase run in a process of its own: its value comes back, and so does its exception."""

from __future__ import annotations

import os
from functools import partial

import pytest

from execverify.demo.run import run_phase


def test_an_isolated_phase_runs_in_another_process_and_returns_its_value():
    assert run_phase(os.getpid, isolated=False) == os.getpid()
    assert run_phase(os.getpid, isolated=True) != os.getpid()
    assert run_phase(partial(divmod, 7, 2), isolated=True) == (3, 1)


def test_an_isolated_phase_raises_its_own_error_here():
    with pytest.raises(ValueError, match="invalid literal"):
        run_phase(partial(int, "seven"), isolated=True)
