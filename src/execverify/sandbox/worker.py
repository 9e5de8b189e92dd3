"""The pre-forked worker: a warm interpreter that forks once per execution.

Started by the host pool as ``python -S -c "...; main()"`` (no ``site``: see
:func:`add_site_packages`) with a scrubbed environment. It reads one config frame, puts
site-packages on the path, imports what programs commonly need, isolates itself (namespaces when
the kernel allows), says hello, then serves jobs from stdin one at a time. Per job it forks a
child (see :mod:`execverify.sandbox.child`), enforces the wall clock from outside the child,
kills whatever the child left behind, and replies with a result frame on stdout.

Where the time goes (measured on a 2-core VM, benchmarks/results/sandbox_throughput.md): not
in Python but in the kernel's memory work for each fork: copying the worker's page tables,
one copy-on-write fault for every page the child or the worker writes afterwards, and tearing
the child's copy down. Hence the shape of this module: the worker imports only what children
need (the package's host-side pool stays out of its heap, and so do modules that ``.pth``
files would import), forks through libc without CPython's after-fork hooks (:func:`_fork`),
does once what each child would otherwise do for itself (binding library calls, reseeding
``random``), and hands the child a ready-made :class:`~execverify.sandbox.child.ChildPlan`
instead of letting it compute one. Between forks the worker writes to as few pages as it
can: each page it writes after a fork costs it a fault too.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import random
import select
import signal
import stat
import sys
import time
from typing import Any

from execverify.sandbox import isolation
from execverify.sandbox.child import (
    OK_FRAME,
    SETUP_FAILED_EXIT,
    ChildPlan,
    plan_rlimits,
    precompile,
    run_child,
)
from execverify.sandbox.protocol import FrameReader, WireJob, decode, write_frame

# Imported once here so programs that use them pay nothing per execution. Chosen by what
# programs import: over the 1,545 CRUXEval, HumanEval, MBPP and REval programs shipped with
# execverify, re (2.0%), math (1.6%), typing (1.4%), collections, heapq, itertools, operator,
# bisect and copy (0.06-0.7%); the rest of the list the worker and the tracer import for
# themselves anyway, but for string. Modules fewer programs use stay out (decimal, datetime,
# hashlib, statistics...: each at most 1 in 700): every mapping and page the worker holds is
# copied at every fork, which costs all programs more than the import costs the rare one that
# needs it. eval.pool preloads a wider set for benchmark scoring.
PRELOAD = (
    "abc", "bisect", "collections", "copy", "dataclasses", "enum", "functools", "heapq",
    "itertools", "json", "math", "operator", "re", "string", "textwrap", "typing",
)
MAX_RESULT_BYTES = 64 << 20
_IN, _OUT = 0, 1  # the host channel

# fork(2) called with the GIL held (PyDLL), bypassing os.fork's after-fork work. See _fork.
_libc_fork = ctypes.PyDLL(None, use_errno=True).fork
_libc_fork.restype = ctypes.c_int
_libc_fork.argtypes = []
_libc_kill = ctypes.CDLL(None).kill
_libc_kill.argtypes = [ctypes.c_int, ctypes.c_int]

# The module-level generator that programs' ``random.random()`` and friends draw from, and its
# C-level seed (None: OS entropy), bound once: the Python wrapper ``random.seed`` wrote to
# twice as many pages for the same effect.
_generator = random.seed.__self__
_reseed = super(random.Random, _generator).seed


class Worker:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.mode = "rlimits"
        self.notes: list[str] = []
        self.uid: int | None = None
        self.base = ""
        self.nproc_extra = 0

    # -- start-up -------------------------------------------------------------------------
    def start(self) -> None:
        os.environ.pop("LD_BIND_NOW", None)  # read by the dynamic linker at start (pool.py)
        add_site_packages()
        for name in list(PRELOAD) + list(self.config.get("preload", [])):
            try:
                importlib.import_module(name)
            except Exception as exc:  # a missing optional hook module must not stop the pool
                self.notes.append(f"preload {name} failed: {type(exc).__name__}: {exc}")
        # Inherited by every child: SIGINT ignored (PID 1 must have no handler for it), and
        # SIGXFSZ ignored so that a write past RLIMIT_FSIZE fails with EFBIG.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        # Decided before isolating: inside a user namespace we are uid 0 but only uid 0 maps.
        if _can_switch_uid():
            self.uid = random.SystemRandom().randrange(200_000, 2**31 - 2)
        else:
            self.nproc_extra = _count_own_processes() + 8
        self._isolate(self.config.get("isolation", "auto"))
        isolation.forbid_new_privileges()
        os.umask(0o077)  # after isolating, whose mount points others must be able to enter
        if self.uid is not None:
            os.chmod(self.base, 0o711)  # the program's uid may pass through, not list or write
        self.io_dir = os.path.join(self.base, ".io")
        self.workdir = os.path.join(self.base, "work")
        self.out_path = os.path.join(self.io_dir, "out")
        self.err_path = os.path.join(self.io_dir, "err")
        # Under its own uid in our namespaces, a program can write only its working directory
        # (/tmp and /dev/shm are root's 0755 tmpfs); otherwise sweep every writable root.
        if self.mode == "namespaces":
            self.scratch_roots = [] if self.uid is not None else ["/tmp", "/dev/shm"]
        else:
            self.scratch_roots = [self.base]
        self._reset_scratch()
        os.environ["HOME"] = os.environ["TMPDIR"] = self.workdir  # inherited by every child
        if "tempfile" in sys.modules:
            sys.modules["tempfile"].tempdir = None  # re-read TMPDIR
        self.devnull = os.open(os.devnull, os.O_RDONLY)  # every job's stdin unless it has one
        self.own_fds = _open_fds()
        self.fork = _fork if _single_threaded() else os.fork
        gc.collect()
        gc.freeze()  # children then do not dirty the pages of every pre-imported object

    def _isolate(self, wanted: str) -> None:
        if wanted != "rlimits":
            try:
                expose = _import_paths() if self.uid is not None else None
                isolation.enter_namespaces(int(self.config.get("tmp_size_mb", 256)), expose)
                if not isolation.become_pid1():
                    self.notes.append("could not mount a private /proc; host PIDs stay listed")
                self.mode, self.base = "namespaces", "/tmp"
                return
            except isolation.IsolationBroken as exc:
                write_frame(_OUT, {"hello": {"error": str(exc), "broken": True}})
                os._exit(3)
            except OSError as exc:
                if wanted == "namespaces":
                    write_frame(_OUT, {"hello": {"error": f"namespaces unavailable: {exc}"}})
                    os._exit(3)
                self.notes.append(f"namespaces unavailable ({exc}); rlimits only")
        isolation.prctl(isolation.PR_SET_CHILD_SUBREAPER, 1)
        import tempfile  # see _remove for why not at the top

        self.base = tempfile.mkdtemp(prefix="execverify-sandbox-")

    def hello(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "isolation": self.mode,
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "base": self.base if self.mode == "rlimits" else "",
            "notes": self.notes,
            "hidden_paths": _hidden_import_paths() if self.mode == "namespaces" else [],
        }

    # -- one job --------------------------------------------------------------------------
    def run(self, job: WireJob) -> dict[str, Any]:
        fds = self._prepare(job.stdin)
        read_end, fds["result"] = os.pipe()
        try:
            return self._run(job, fds, read_end)
        finally:  # whatever happened: a descriptor left open would reach the next program
            for fd in {read_end, *fds.values()} - {self.devnull}:
                os.close(fd)

    def _run(self, job: WireJob, fds: dict[str, int], read_end: int) -> dict[str, Any]:
        limits = job.limits
        program, call = precompile(job)
        plan = ChildPlan(
            fds=fds,
            close=sorted((self.own_fds | set(fds.values()) | {read_end}) - {0, 1, 2, 3}),
            rlimits=plan_rlimits(limits, limits["max_processes"] + self.nproc_extra),
            workdir=self.workdir,
            uid=self.uid,
            program=program,
            call=call,
        )
        start = time.perf_counter()
        pid = self.fork()
        if pid == 0:
            run_child(job, plan)
        os.close(fds.pop("result"))  # so the pipe ends when the child does
        payload, timed_out = self._collect(pid, read_end, start + limits["timeout_s"])
        duration = time.perf_counter() - start
        status, rusage = self._finish(pid, timed_out)
        payload += _drain(read_end)
        result = _interpret(payload, status, rusage, timed_out, limits)
        result["duration_s"] = duration
        result["cpu_s"] = rusage.ru_utime + rusage.ru_stime if rusage else 0.0
        result["max_rss_mb"] = rusage.ru_maxrss / 1024 if rusage else 0.0
        result["isolation"] = self.mode
        _read_outputs(result, fds, limits["output_bytes"])
        self._reset_scratch()
        return result

    def _reset_scratch(self) -> None:
        """Leave nothing from one program for the next: everything under the writable roots
        except our own two folders goes, and the working directory comes back empty."""
        for root in self.scratch_roots:
            for name in os.listdir(root):
                path = os.path.join(root, name)
                if path not in (self.io_dir, self.workdir):
                    _remove(path)
        for path, owner in ((self.io_dir, None), (self.workdir, self.uid)):
            try:
                st = os.lstat(path)
                fresh = stat.S_ISDIR(st.st_mode) and st.st_uid == (owner if owner is not None
                                                                   else os.getuid())
                if fresh and path == self.workdir:
                    fresh = not os.listdir(path)
            except FileNotFoundError:
                fresh = False
            if fresh:
                if stat.S_IMODE(st.st_mode) != 0o700:
                    os.chmod(path, 0o700)
                continue
            _remove(path)
            os.mkdir(path, 0o700)
            if owner is not None:
                os.chown(path, owner, owner)

    def _prepare(self, stdin: str | None) -> dict[str, int]:
        """The job's stdin, stdout and stderr. The output files are opened for reading too, so
        the worker reads back what the program wrote through these very descriptors."""
        flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC
        fds = {"stdout": os.open(self.out_path, flags, 0o600),
               "stderr": os.open(self.err_path, flags, 0o600)}
        if stdin:
            path = os.path.join(self.io_dir, "in")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(stdin)
            fds["stdin"] = os.open(path, os.O_RDONLY)
        else:
            fds["stdin"] = self.devnull
        return fds

    def _collect(self, pid: int, read_end: int, deadline: float) -> tuple[bytes, bool]:
        """Read the result pipe until the child exits or the deadline passes."""
        chunks: list[bytes] = []
        size = 0
        pidfd = os.pidfd_open(pid)
        poller = select.poll()
        poller.register(read_end, select.POLLIN)
        poller.register(pidfd, select.POLLIN)
        try:
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return b"".join(chunks), True
                events = poller.poll(max(1, int(remaining * 1000) + 1))
                exited = False
                for fd, _ in events:
                    if fd == pidfd:
                        exited = True
                    elif fd == read_end:
                        data = os.read(read_end, 1 << 16)
                        if not data:
                            poller.unregister(read_end)
                        elif size < MAX_RESULT_BYTES:
                            chunks.append(data)
                            size += len(data)
                if exited:
                    return b"".join(chunks), False
        finally:
            os.close(pidfd)

    def _finish(self, pid: int, timed_out: bool) -> tuple[int, Any]:
        """Kill the child and everything it started; reap them all."""
        if timed_out:
            _kill(pid)
        _, status, rusage = os.wait4(pid, 0)
        if self.mode == "namespaces":
            # As PID 1 of our own PID namespace: every other process in it is the program's.
            if _kill_everyone_else():
                _reap_all()
        else:
            _kill_orphans()
        return status, rusage

    def close(self) -> None:
        if self.mode == "rlimits":
            _remove(self.base)


def _read_outputs(result: dict[str, Any], fds: dict[str, int], cap: int) -> None:
    """Read back stdout and stderr (at most ``cap`` bytes each)."""
    over = False
    for name in ("stdout", "stderr"):
        fd = fds[name]
        size = os.lseek(fd, 0, os.SEEK_END)
        data = os.pread(fd, min(size, cap + 1), 0) if size else b""
        if len(data) > cap:
            over, data = True, data[:cap]
        result[name] = data.decode("utf-8", "replace")
    if over and result["status"] in ("ok", "error"):
        result["status"] = "output_limit"


def add_site_packages() -> None:
    """Put this interpreter's site-packages on ``sys.path`` as ``site`` would, without its code.

    The worker starts with ``-S``, because ``site`` runs the ``import`` lines of every ``.pth``
    file installed, and each module that pulls in stays in the worker's heap, which every fork
    copies: on the machine we measure on, one such file imported certifi, urllib, zipfile and
    60 more modules, and a package that imported a large library there would make every
    execution slow. The path lines of ``.pth`` files are honoured, so packages installed
    through them still import; ``exit``, ``quit``, ``help``, ``copyright``, ``credits`` and
    ``license`` are defined as ``site`` defines them. ``sitecustomize`` does not run.

    A virtual environment is found as ``site`` finds it (``_venv_prefixes``), so a program sees
    the packages of the environment the sandbox's interpreter belongs to, not those of the
    base installation the venv was made from."""
    import site

    prefixes = _venv_prefixes()
    if prefixes:  # as site does: the venv is this interpreter's prefix
        sys.prefix = sys.exec_prefix = prefixes[0]
    for directory in site.getsitepackages(prefixes):
        if directory in sys.path or not os.path.isdir(directory):
            continue
        sys.path.append(directory)
        for name in sorted(os.listdir(directory)):
            if name.endswith(".pth"):
                sys.path.extend(p for p in _pth_paths(directory, name) if p not in sys.path)
    site.setquit()
    site.setcopyright()
    site.sethelper()


def _venv_prefixes() -> list[str] | None:
    """The prefixes whose site-packages a venv's interpreter uses, the venv's first, or None
    outside a venv.

    ``site`` (skipped by ``-S``) is what makes a venv: it finds ``pyvenv.cfg`` next to the
    executable or one folder up, points ``sys.prefix`` at the venv and uses its site-packages,
    plus the base installation's only with ``include-system-site-packages = true``. This reads
    the same file without ``site.venv``, which would also run the ``.pth`` files' import lines."""
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    prefix = os.path.dirname(exe_dir)
    for conf in (os.path.join(exe_dir, "pyvenv.cfg"), os.path.join(prefix, "pyvenv.cfg")):
        if os.path.isfile(conf):
            break
    else:
        return None
    system_site = True
    with open(conf, encoding="utf-8") as fh:
        for line in fh:
            key, sep, value = line.partition("=")
            if sep and key.strip().lower() == "include-system-site-packages":
                system_site = value.strip().lower() == "true"
    base = sys.base_prefix
    return [prefix, base] if system_site and base != prefix else [prefix]


def _pth_paths(directory: str, name: str) -> list[str]:
    """The existing folders a ``.pth`` file lists (its ``import`` lines are not run)."""
    try:
        with open(os.path.join(directory, name), encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    paths = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", "import ", "import\t")):
            continue
        path = os.path.abspath(os.path.join(directory, line))
        if os.path.exists(path):
            paths.append(path)
    return paths


def _fork() -> int:
    """fork(2) straight from libc, for a worker that runs one thread.

    ``os.fork`` also runs CPython's after-fork handlers in the child (``threading``, ``random``,
    ``logging`` and the interpreter's own lock re-initialisation). With one thread there is no
    lock held elsewhere to repair, and those handlers write to objects spread over ~200
    copy-on-write pages: measured here, they doubled the CPU a child costs. The one visible
    effect kept is fresh randomness: ``random`` is reseeded here, before the fork, so each child
    inherits a generator seeded for it alone (reseeding in the child cost it ~30 faults)."""
    _reseed()
    if _generator.gauss_next is not None:
        _generator.gauss_next = None
    pid = _libc_fork()
    if pid < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"fork: {os.strerror(err)}")
    return pid


def _single_threaded() -> bool:
    return len(os.listdir("/proc/self/task")) == 1


def _kill_everyone_else() -> bool:
    """SIGKILL to every process we may signal but ourselves; False if there was none, the usual
    case. libc's kill reports that as ESRCH where ``os.kill`` raises: an exception per job."""
    return _libc_kill(-1, signal.SIGKILL) == 0


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            # Imported only when a program left a folder behind: shutil (and tempfile, which
            # imports it) bring in zlib, bz2 and lzma, 30 memory mappings every fork copies.
            import shutil

            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


def _kill(pid: int) -> None:
    for target in (-pid, pid):  # the child's process group (it called setsid), then itself
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _kill_orphans() -> None:
    """Without a PID namespace: as a child subreaper, every orphan of the program is
    re-parented to us; kill and reap until none is left."""
    me = os.getpid()
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        for child in _children_of(me):
            _kill(child)
        time.sleep(0.001)


def _children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


def _import_paths() -> list[str]:
    """What a program running under another uid must read: the interpreter, its standard
    library and extension modules, and every import path (site-packages, our own source)."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable))]
    return paths + [p for p in sys.path if p]


def _hidden_import_paths() -> list[str]:
    """Import paths under /tmp or /dev/shm: programs get private ones, so they cannot import
    from there (a venv made under /tmp, say); the host warns about them."""
    return [p for p in sys.path if p.startswith(("/tmp/", "/dev/shm/"))]


def _open_fds() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


def _can_switch_uid() -> bool:
    """Real root (CAP_SETUID and CAP_SETGID in effect), so children can run as a uid of their
    own; not merely uid 0 inside somebody else's user namespace without capabilities."""
    if os.getuid() != 0:
        return False
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("CapEff:"):
                caps = int(line.split()[1], 16)
                return bool(caps & (1 << 6)) and bool(caps & (1 << 7))
    return False


def _count_own_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return count


def _drain(fd: int) -> bytes:
    os.set_blocking(fd, False)
    chunks = []
    try:
        while data := os.read(fd, 1 << 16):
            chunks.append(data)
    except BlockingIOError:
        pass
    return b"".join(chunks)[:MAX_RESULT_BYTES]


def _interpret(payload: bytes, status: int, rusage: Any, timed_out: bool,
               limits: dict[str, Any]) -> dict[str, Any]:
    """Turn what the child reported (or failed to) into a result dict."""
    cpu_limit = limits["cpu_s"]  # the host sends Limits.effective_cpu_s
    cpu_used = (rusage.ru_utime + rusage.ru_stime) if rusage else 0.0
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if timed_out or sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_used >= cpu_limit - 0.05):
        kind = "wall clock" if timed_out else "CPU time"
        return {"status": "timeout", "error_type": "Timeout",
                "error_message": f"{kind} limit exceeded", "signal": sig}
    if payload == OK_FRAME:  # most runs: nothing to decode
        return {"status": "ok", "signal": sig}
    if payload:
        try:
            result = _decode(payload)
            result["signal"] = sig
            return result
        except ValueError:
            return {"status": "error", "error_type": "SandboxProtocolError",
                    "error_message": "the program corrupted its result channel", "signal": sig}
    if sig is not None:
        name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
        return {"status": "killed", "signal": sig, "error_type": name,
                "error_message": f"killed by signal {name}"}
    code = os.WEXITSTATUS(status)
    message = ("the sandbox could not set the process up" if code == SETUP_FAILED_EXIT
               else f"process exited with code {code} before reporting a result")
    return {"status": "error", "exit_code": code, "error_type": "ProcessExit",
            "error_message": message}


_REPORTED_FIELDS = ("status", "value", "value_type", "error_type", "error_message", "data",
                    "exit_code")


def _decode(payload: bytes) -> dict[str, Any]:
    """Only the fields a program's runner reports are taken from it; the rest (timings,
    isolation, outputs) are the worker's own observations."""
    message = decode(payload)
    if message.get("status") not in ("ok", "error", "memory"):
        raise ValueError("bad status")
    return {k: message[k] for k in _REPORTED_FIELDS if k in message}


def main() -> None:
    jobs = FrameReader(_IN)
    config = jobs.read() or {}
    worker = Worker(config)
    worker.start()
    write_frame(_OUT, {"hello": worker.hello()})
    try:
        while (message := jobs.read()) is not None:
            try:
                result = worker.run(WireJob.from_wire(message["job"]))
            except Exception as exc:  # a sandbox bug: report it rather than die and respawn
                result = {"status": "killed", "error_type": "SandboxError",
                          "error_message": f"{type(exc).__name__}: {exc}"}
            write_frame(_OUT, result)
    finally:
        worker.close()
