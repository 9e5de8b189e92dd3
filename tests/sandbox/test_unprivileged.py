"""The sandbox as an unprivileged user: with user namespaces (isolated), and without them
(rlimits only, with a loud warning, or a refusal when asked to require namespaces).

These run a copy of the sandbox package as uid 65534 under the system interpreter, inside a
user namespace of our own where nested user namespaces can be switched off."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import execverify

SYSTEM_PYTHON = "/usr/bin/python3"

SCRIPT = r"""
import json, sys, warnings
sys.path.insert(0, sys.argv[1])
from execverify.sandbox import Sandbox, SandboxUnavailable, IsolationWarning
out = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with Sandbox(workers=1, isolation=sys.argv[2]) as sb:
        out["isolation"] = sb.isolation
        out["net"] = sb.run("import socket\nsocket.create_connection(('127.0.0.1', 9), 0.3)").error_type
        out["etc"] = sb.run("open('/etc/x-execverify', 'w')").error_type
        out["ok"] = sb.run("print(6 * 7)").stdout
        out["fork_bomb"] = sb.run("import os\nwhile True:\n    os.fork()").status
    out["warnings"] = [str(w.message) for w in caught if issubclass(w.category, IsolationWarning)]
print(json.dumps(out))
"""


def _can_run() -> str | None:
    if os.geteuid() != 0:
        return "needs root to set up the unprivileged user"
    if not os.path.exists(SYSTEM_PYTHON):
        return "needs a system interpreter at /usr/bin/python3 that uid 65534 can run"
    return None


@pytest.fixture(scope="module")
def package_copy():
    reason = _can_run()
    if reason:
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="execverify-unpriv-"))  # pytest's tmp dirs are 0700
    src = Path(execverify.__file__).parent
    dest = root / "execverify"
    dest.mkdir()
    shutil.copy(src / "__init__.py", dest)
    shutil.copy(src / "validation.py", dest)
    shutil.copytree(src / "sandbox", dest / "sandbox", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "script.py").write_text(SCRIPT)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield root
    shutil.rmtree(root)


# Runs as root: enter a fresh user namespace mapping uids 0..65535 to themselves, optionally
# forbid nested user namespaces there, then become uid 65534 and run the script.
LAUNCHER = r"""
import ctypes, os, sys
allow, python, script, root, isolation = sys.argv[1:]
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    assert libc.unshare(0x10000000) == 0, "unshare(CLONE_NEWUSER) failed"
    os.write(w, b"x")
    os.read(r2, 1)
    if allow == "0":
        with open("/proc/sys/user/max_user_namespaces", "w") as fh:
            fh.write("0")
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    os.execv(python, [python, script, root, isolation])
os.read(r, 1)
for name in ("uid_map", "gid_map"):
    with open(f"/proc/{pid}/{name}", "w") as fh:
        fh.write("0 0 65536")
os.write(w2, b"x")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_as_nobody(root: Path, isolation: str, allow_userns: bool) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", LAUNCHER, "1" if allow_userns else "0", SYSTEM_PYTHON,
           str(root / "script.py"), str(root), isolation]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")


def test_user_namespaces_isolate_an_unprivileged_user(package_copy):
    proc = _run_as_nobody(package_copy, "namespaces", allow_userns=True)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["isolation"] == "namespaces"
    assert out["net"] == "OSError"  # network unreachable: no interfaces up
    assert out["etc"] in ("OSError", "PermissionError")
    assert out["ok"] == "42\n"
    assert out["fork_bomb"] in ("error", "timeout")
    assert out["warnings"] == []


def test_fallback_warns_loudly_once(package_copy):
    proc = _run_as_nobody(package_copy, "auto", allow_userns=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["isolation"] == "rlimits"
    assert out["ok"] == "42\n"
    assert len(out["warnings"]) == 1 and "rlimits only" in out["warnings"][0]


def test_refuses_without_namespaces_when_required(package_copy):
    proc = _run_as_nobody(package_copy, "namespaces", allow_userns=False)
    assert proc.returncode != 0
    assert "SandboxUnavailable" in proc.stderr and "namespaces unavailable" in proc.stderr


def test_host_python_is_what_we_test_elsewhere():
    assert sys.version_info >= (3, 11)
