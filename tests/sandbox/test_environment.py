"""The sandbox runs programs in the caller's Python environment: a venv's own packages, not the
base installation's, and never the ``import`` lines of its ``.pth`` files."""

import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

from execverify.sandbox import Sandbox


@pytest.fixture(scope="module")
def fresh_venv():
    """A new venv with one package installed only there, a ``.pth`` path line that adds a
    folder, and a ``.pth`` import line that must not run in the sandbox.

    Made in the checkout, world-readable: a program sees the host's files read-only but gets
    a private /tmp, and runs as an unprivileged uid, so a venv under /tmp or in a private
    folder is not one it can use."""
    holder = Path(__file__).resolve().parents[2] / ".pytest-envs"
    holder.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(dir=holder)) / "venv"
    root.parent.chmod(0o755)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    package = Path(site) / "only_in_fresh_venv"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 42\n")
    extra = root / "extra"
    extra.mkdir()
    (extra / "via_pth_line.py").write_text("VALUE = 'pth'\n")
    (Path(site) / "paths.pth").write_text(f"{extra}\nimport sys; sys.pth_import_ran = True\n")
    yield python
    shutil.rmtree(root.parent, ignore_errors=True)


def _run(sandbox, source):
    result = sandbox.run(source)
    return result.stdout.strip() if result.ok else f"{result.error_type}: {result.error_message}"


def test_a_venv_interpreter_sees_its_own_packages_only(fresh_venv):
    with Sandbox(workers=1, python=str(fresh_venv)) as sb:
        assert _run(sb, "import sys; print(sys.prefix)") == str(fresh_venv.parent.parent)
        assert _run(sb, "import only_in_fresh_venv as m; print(m.VALUE)") == "42"
        assert _run(sb, "import via_pth_line as m; print(m.VALUE)") == "pth"
        # the .pth import line did not run in the worker (its heap is every fork's)
        assert _run(sb, "import sys; print(hasattr(sys, 'pth_import_ran'))") == "False"
        # the caller's packages and the base installation's are not this venv's
        assert _run(sb, "import pytest").startswith("ModuleNotFoundError")


def test_the_default_sandbox_sees_the_callers_environment(fresh_venv):
    """The caller's interpreter (a venv in CI) gives the sandbox the caller's own packages,
    the very files the caller imports, and not a package of another venv."""
    with Sandbox(workers=1) as sb:
        assert _run(sb, "import pytest; print(pytest.__file__)") == pytest.__file__
        assert _run(sb, "import sys; print(sys.prefix)") == sys.prefix
        assert _run(sb, "import only_in_fresh_venv").startswith("ModuleNotFoundError")


def test_an_environment_under_tmp_is_named_in_a_warning(tmp_path):
    """Programs get a private /tmp, so a venv made there is invisible to them: say so once."""
    root = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    sandbox = Sandbox(workers=1, python=str(root / "bin" / "python"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sandbox.start()
    sandbox.close()
    if sandbox.isolation != "namespaces":
        pytest.skip("without namespaces programs share this machine's /tmp")
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("cannot import from" in m and str(root) in m for m in messages), messages
