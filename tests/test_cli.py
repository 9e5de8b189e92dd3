import subprocess
import sys

from execverify import __version__
from execverify.cli import main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_verb_is_one_line_error(capsys):
    assert main(["no-such-verb"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:")
    assert len(err.splitlines()) == 1


def test_console_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "execverify.cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and __version__ in out.stdout
