"""Hostile programs, each with the outcome it must get; afterwards the host is unchanged and
the pool still serves correct results."""

import ast
import hashlib
import os
import shutil
import socket
import subprocess
import threading
import uuid

import pytest

from execverify.sandbox import Sandbox

TOKEN = uuid.uuid4().hex  # names files the programs try to create on the host
HOST_FILE = f"/var/tmp/execverify-hostile-{TOKEN}"
SECRET_DIR = f"/var/tmp/execverify-secret-{TOKEN}"
SECRET_FILE = f"{SECRET_DIR}/secret"

# (name, source, allowed statuses, extra check on the result or None)
HOSTILE = [
    ("busy_loop", "while True:\n    pass", {"timeout"}, None),
    ("c_level_loop", "pow(7, 10 ** 200000, 10 ** 3000 + 1)", {"timeout"}, None),
    ("c_level_huge_int", "x = 10 ** (10 ** 10)", {"timeout", "memory"}, None),
    ("list_bomb", "x = [0] * (10 ** 10)", {"memory"}, None),
    ("bytearray_bomb", "b = bytearray(2 ** 40)", {"memory"}, None),
    ("growing_bomb", "keep = []\nwhile True:\n    keep.append(' ' * 10 ** 6)", {"memory"}, None),
    ("fork_bomb", "import os\nwhile True:\n    os.fork()", {"error", "timeout"}, None),
    ("fork_bomb_swallowing_errors",
     "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
     {"timeout", "error"}, None),
    ("thread_outlives_program",
     "import threading, time\nthreading.Thread(target=time.sleep, args=(60,)).start()\n"
     "print('done')", {"ok"}, lambda r: r.stdout == "done\n" and r.duration_s < 0.9),
    ("daemonised_grandchild",
     "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
     "        time.sleep(60)\n    os._exit(0)\nprint('parent done')",
     {"ok"}, lambda r: r.stdout.endswith("parent done\n")),
    ("kill_parent", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('alive')",
     {"error", "ok"}, None),
    ("kill_pid_1", "import os, signal\nos.kill(1, signal.SIGKILL)\nprint('alive')",
     {"error", "ok"}, None),
    ("kill_everything", "import os, signal\nos.kill(-1, signal.SIGKILL)", {"killed", "error"},
     None),
    ("write_outside_workdir", f"open({HOST_FILE!r}, 'w').write('pwned')", {"error"}, None),
    ("write_etc", "open('/etc/execverify-pwned', 'w').write('x')", {"error"}, None),
    ("delete_system_file", "import os\nos.remove('/etc/hostname')", {"error"}, None),
    ("read_root_only_file", f"print(open({SECRET_FILE!r}).read())", {"error"},
     lambda r: r.error_type == "PermissionError"),
    ("home_is_hidden", "import os\nprint(os.listdir(os.path.expanduser('~root')))",
     {"ok", "error"}, lambda r: ".bashrc" not in r.stdout and ".ssh" not in r.stdout),
    ("env_secrets", "import os\nprint(dict(os.environ))", {"ok"},
     lambda r: "hunter2" not in r.stdout and "EXECVERIFY_TEST_SECRET" not in r.stdout),
    ("env_secrets_via_proc",
     "import os\nfor p in os.listdir('/proc'):\n    try:\n"
     "        print(open(f'/proc/{p}/environ', 'rb').read())\n    except Exception:\n        pass",
     {"ok"}, lambda r: "hunter2" not in r.stdout),
    ("socket_to_loopback", "import socket\nsocket.create_connection(('127.0.0.1', PORT), 0.5)",
     {"error"}, None),
    ("dns_lookup", "import socket\nsocket.getaddrinfo('example.com', 80)", {"error"}, None),
    ("huge_stdout", "while True:\n    print('x' * 1000)", {"output_limit"},
     lambda r: len(r.stdout) == 64 * 1024),
    ("huge_stderr", "import sys\nwhile True:\n    sys.stderr.write('y' * 1000)", {"output_limit"},
     None),
    ("huge_line_no_newline", "import sys\nsys.stdout.write('z' * (10 ** 7))", {"output_limit"},
     None),
    ("deep_recursion", "def f(n):\n    return f(n + 1)\nf(0)", {"error"},
     lambda r: r.error_type == "RecursionError"),
    ("deep_recursion_unlimited",
     "import sys\nsys.setrecursionlimit(10 ** 8)\ndef f(n):\n    return f(n + 1)\nf(0)",
     {"killed", "memory", "error", "timeout"}, None),
    ("sys_exit_nonzero", "import sys\nsys.exit(3)", {"error"},
     lambda r: r.exit_code == 3 and r.error_type == "SystemExit"),
    ("sys_exit_zero", "import sys\nprint('bye')\nsys.exit(0)", {"ok"},
     lambda r: r.stdout == "bye\n"),
    ("os_exit_skips_reporting", "import os\nos._exit(0)", {"error"},
     lambda r: r.error_type == "ProcessExit"),
    ("signal_handlers_tampered",
     "import signal\nfor s in (signal.SIGTERM, signal.SIGALRM, signal.SIGXCPU, signal.SIGINT):\n"
     "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass", {"timeout"}, None),
    ("signals_blocked",
     "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals))\n"
     "while True:\n    pass", {"timeout"}, None),
    ("ctypes_segfault", "import ctypes\nctypes.string_at(0)", {"killed"},
     lambda r: r.signal == 11),
    ("abort", "import os\nos.abort()", {"killed"}, lambda r: r.error_type == "SIGABRT"),
    ("close_stdout", "import os\nos.close(1)\nprint('lost')", {"ok", "error"}, None),
    ("replace_stdout", "import sys, io\nsys.stdout = io.StringIO()\nprint('hidden')", {"ok"},
     lambda r: r.stdout == ""),
    ("atexit_never_runs",
     "import atexit\natexit.register(lambda: [0 for _ in iter(int, 1)])\nprint('main')",
     {"ok"}, lambda r: r.stdout == "main\n" and r.duration_s < 0.9),
    ("builtins_tampering",
     "import builtins\nbuiltins.repr = lambda x: 'forged'\nbuiltins.type = None\n"
     "builtins.print = None", {"ok"}, None),
    ("long_sleep", "import time\ntime.sleep(1000)", {"timeout"},
     lambda r: r.duration_s < 1.5),
    ("fd_exhaustion", "fs = [open('/dev/null') for _ in range(10 ** 5)]", {"error"},
     lambda r: r.error_type == "OSError"),
    ("disk_fill", "open('big', 'wb').write(b'x' * (64 << 20))", {"error"},
     lambda r: "too large" in (r.error_message or "")),
    ("setuid_root", "import os\nos.setuid(0)", {"error"}, None),
    ("mount_syscall",
     "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
     "assert libc.mount(b'none', b'/', None, 32 | 1, None) == 0, 'refused'", {"error"}, None),
    ("forged_result_channel", "import os\nos.write(3, b'garbage')\nos._exit(0)", {"error"},
     None),
    ("unprintable_exception",
     "class E(Exception):\n    def __str__(self):\n        raise RuntimeError\nraise E()",
     {"error"}, lambda r: r.error_message == "<unprintable exception>"),
    ("keyboard_interrupt", "raise KeyboardInterrupt", {"error"}, None),
]


@pytest.fixture(scope="module")
def loopback_server():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def host_state():
    os.environ["EXECVERIFY_TEST_SECRET"] = "hunter2"
    os.mkdir(SECRET_DIR, 0o700)
    with open(SECRET_FILE, "w") as fh:
        fh.write("hunter2")
    with open("/etc/hostname", "rb") as fh:
        before = hashlib.sha256(fh.read()).hexdigest()
    yield
    del os.environ["EXECVERIFY_TEST_SECRET"]
    shutil.rmtree(SECRET_DIR)
    with open("/etc/hostname", "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == before


def test_suite_is_large_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("name,source,allowed,check", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile(name, source, allowed, check, sandbox, loopback_server, host_state):
    if sandbox.isolation != "namespaces" and name in {"socket_to_loopback", "read_root_only_file"}:
        pytest.skip("only namespaces isolate the network and switch uid")
    port, accepted = loopback_server
    result = sandbox.run(source.replace("PORT", str(port)))
    assert result.status in allowed, (result.status, result.error_type, result.error_message)
    if check is not None:
        assert check(result), result
    assert accepted == []


def test_builtins_tampering_cannot_forge_a_call_value(sandbox):
    src = "import builtins\nbuiltins.repr = lambda x: 'forged'\ndef f():\n    return 5"
    r = sandbox.call(src, "f")
    assert r.ok and r.value == "5" and r.value_type == "int"


def test_programs_cannot_see_or_signal_each_other(sandbox):
    if sandbox.isolation != "namespaces":
        pytest.skip("needs PID namespaces")
    victim = "import time\ntime.sleep(0.6)\nprint('alive')"
    attacker = (
        "import os, signal, time\ntime.sleep(0.1)\nme = os.getpid()\n"
        "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), me, flush=True)\n"
        "for pid in range(1, 5000):\n    if pid != me:\n        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n"
    )
    v, a = sandbox.map([victim, attacker])
    assert v.ok and v.stdout == "alive\n"
    assert a.ok
    seen, me = a.stdout.rsplit(" ", 1)
    assert ast.literal_eval(seen) == [1, int(me)]  # only the worker (PID 1) and itself


def test_nothing_left_behind(sandbox):
    assert not os.path.exists(HOST_FILE)
    assert not os.path.exists("/etc/execverify-pwned")
    # the sandboxed uids are >= 200000: no process of theirs may survive on the host
    out = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout
    leftovers = [line for line in out.splitlines() if int(line.split()[0]) >= 200_000]
    assert leftovers == []
    assert sandbox.restarts == 0
    results = sandbox.map([f"print({i} + 1)" for i in range(50)])
    assert [r.stdout for r in results] == [f"{i + 1}\n" for i in range(50)]


def test_no_state_carries_over_to_the_next_program():
    writer = (
        "import os, tempfile\nopen('note', 'w').write('left')\nos.mkdir('d')\n"
        "open(os.path.join(tempfile.gettempdir(), 'tmpnote'), 'w').write('x')\n"
        "for path in ('/tmp/leak', '/dev/shm/leak'):\n    try:\n"
        "        open(path, 'w').write('x')\n    except OSError:\n        pass\n"
        "os.chmod('.', 0)"
    )
    reader = (
        "import os\nprint(sorted(os.listdir('.')), os.path.exists('/tmp/leak'), "
        "os.path.exists('/dev/shm/leak'))"
    )
    with Sandbox(workers=1) as sb:
        results = sb.map([writer, reader, writer, reader])
    assert results[0].ok, results[0]
    assert results[1].stdout == "[] False False\n"
    assert results[3].stdout == "[] False False\n"
