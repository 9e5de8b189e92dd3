"""The host side: a pool of pre-forked workers and the ``Sandbox`` API.

One dispatcher thread per worker pulls jobs from a shared queue, so ``run_jobs`` from any
number of caller threads keeps every worker busy and returns results in input order. A worker
that dies or stops answering is replaced, and the job it held is reported as ``killed``.
"""

from __future__ import annotations

import atexit
import collections
import functools
import logging
import os
import queue
import select
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from execverify.sandbox.interpreters import SandboxUnavailable, find_python
from execverify.sandbox.limits import Limits
from execverify.sandbox.protocol import FrameReader, encode, write_all, write_frame
from execverify.sandbox.result import ExecResult, Job, Status

log = logging.getLogger("execverify.sandbox")

ISOLATION_MODES = ("auto", "namespaces", "rlimits")
ISOLATION_ENV = "EXECVERIFY_SANDBOX_ISOLATION"
DEFAULT_HOOK_MODULES = ("execverify.trace.recorder",)
_SRC_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = "import sys; sys.path.insert(0, {root!r}); from execverify.sandbox.worker import main; main()"
_START_TIMEOUT_S = 60.0
_RESTART_ATTEMPTS = 5
_GRACE_S = 10.0  # how long past a job's own timeout the host waits before declaring a worker hung


PIPELINE_DEPTH = 4
_PIPE_BUDGET = 48 * 1024  # below the 64 KiB pipe buffer
_EMPTY = object()


@dataclass
class _Item:
    frame: bytes
    timeout_s: float
    future: Future


class IsolationWarning(RuntimeWarning):
    """Programs are running without namespaces: only rlimits protect this machine."""


_warned_fallback = False


def _warn_fallback(notes: list[str]) -> None:
    global _warned_fallback
    if _warned_fallback:
        return
    _warned_fallback = True
    message = (
        "execverify sandbox: Linux namespaces are not available here, so programs run with "
        "rlimits only: they can see the network, the file system (as your user) and your "
        f"processes. Set {ISOLATION_ENV}=namespaces to refuse to run instead. "
        + "; ".join(notes)
    )
    log.warning(message)
    warnings.warn(message, IsolationWarning, stacklevel=4)


@functools.cache
def _warn_hidden(python: str, paths: tuple[str, ...]) -> None:
    """Once per interpreter: its environment lives where programs cannot see it."""
    message = (f"execverify sandbox: programs run by {python} cannot import from "
               f"{', '.join(paths)}: they get a private /tmp and /dev/shm. Put the environment "
               "(venv, checkout) elsewhere for programs to use its packages.")
    log.warning(message)
    warnings.warn(message, RuntimeWarning, stacklevel=4)


class _WorkerDied(Exception):
    pass


class _WorkerProcess:
    """One worker process and its pipes (used by exactly one dispatcher thread)."""

    def __init__(self, python: str, config: dict[str, Any]) -> None:
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": "/tmp",
            # set orders are reproducible across runs; a second pool with another seed is how
            # synthesis rejects programs whose output depends on hash order
            "PYTHONHASHSEED": str(config["hash_seed"]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8:backslashreplace",
            # Library calls bound once, at start: lazily, every child bound the calls only it
            # makes (setsid, setuid...) itself, writing each into a copy-on-write page. The
            # worker drops the variable once started; programs never see it.
            "LD_BIND_NOW": "1",
        }
        self.proc = subprocess.Popen(
            [python, "-S", "-c", _BOOT.format(root=_SRC_ROOT)],  # -S: see worker.add_site_packages
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd="/",
            close_fds=True,
            start_new_session=True,  # a terminal's Ctrl-C reaches the host, not the workers
        )
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        self.frames = FrameReader(self.rfd)
        write_frame(self.wfd, config)
        self.hello: dict[str, Any] = {}

    def wait_hello(self) -> dict[str, Any]:
        message = self._read(_START_TIMEOUT_S)
        hello = message.get("hello", {})
        if "error" in hello:
            self.kill()
            raise SandboxUnavailable(f"sandbox worker could not isolate itself: {hello['error']}")
        self.hello = hello
        return hello

    def send(self, frame: bytes) -> None:
        try:
            write_all(self.wfd, frame)
        except OSError:
            pass  # the worker is gone; receive() reports it

    def receive(self, timeout_s: float) -> dict[str, Any]:
        return self._read(timeout_s + _GRACE_S)

    def _read(self, timeout_s: float) -> dict[str, Any]:
        """The worker's next message. ``timeout_s`` bounds each wait for more bytes."""
        try:
            while (message := self.frames.take()) is None:
                ready, _, _ = select.select([self.rfd], [], [], timeout_s)
                if not ready:
                    self.kill()
                    raise _WorkerDied(f"sandbox worker stopped answering for {timeout_s:.0f} s")
                if not self.frames.fill():
                    break
        except (OSError, ValueError) as exc:
            message = None
            log.debug("bad frame from worker: %s", exc)
        if message is None:
            self.kill()
            raise _WorkerDied(f"sandbox worker died (exit code {self.proc.poll()})")
        return message

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.wait()
        base = self.hello.get("base")
        if base:
            shutil.rmtree(base, ignore_errors=True)

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class Sandbox:
    """A pool of isolated, pre-forked Python workers.

    >>> with Sandbox(workers=2, limits=Limits(timeout_s=1.0)) as sb:
    ...     sb.run("print(1)").stdout
    '1\\n'

    ``python`` picks the interpreter (None: this one; "3.12"; or a path). ``isolation``:
    "auto" (namespaces where the kernel allows, else rlimits with a warning), "namespaces"
    (refuse to run without them) or "rlimits". The default comes from
    $EXECVERIFY_SANDBOX_ISOLATION, else "auto". ``preload`` names modules every worker imports
    before forking (hook modules must be among them or importable). ``hash_seed`` is the
    workers' PYTHONHASHSEED (fixed, so set iteration order is reproducible).
    """

    def __init__(
        self,
        workers: int | None = None,
        limits: Limits | None = None,
        *,
        python: str | None = None,
        isolation: str | None = None,
        preload: Sequence[str] = DEFAULT_HOOK_MODULES,
        tmp_size_mb: int = 256,
        hash_seed: int = 0,
    ) -> None:
        isolation = isolation or os.environ.get(ISOLATION_ENV) or "auto"
        if isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {ISOLATION_MODES}; got {isolation!r}")
        workers = workers if workers is not None else (os.cpu_count() or 1)
        if workers < 1:
            raise ValueError(f"workers must be >= 1; got {workers}")
        self.workers = workers
        self.limits = limits or Limits()
        self.python = find_python(python)
        if not 0 <= hash_seed <= 4294967295:
            raise ValueError(f"hash_seed must be in 0..4294967295 (PYTHONHASHSEED); got {hash_seed}")
        self._config = {"isolation": isolation, "preload": list(preload),
                        "tmp_size_mb": tmp_size_mb, "hash_seed": hash_seed}
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self.isolation = ""
        self.python_version = ""
        self.restarts = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Sandbox:
        with self._lock:
            if self._threads:
                return self
            if self._closed:
                raise RuntimeError("this Sandbox is closed")
            procs = [_WorkerProcess(self.python, self._config) for _ in range(self.workers)]
            try:
                hellos = [p.wait_hello() for p in procs]
            except BaseException:
                for p in procs:
                    p.kill()
                raise
            self._note_hello(hellos[0])
            for proc in procs:
                thread = threading.Thread(target=self._dispatch, args=(proc,), daemon=True,
                                          name="execverify-sandbox")
                thread.start()
                self._threads.append(thread)
        return self

    def _note_hello(self, hello: dict[str, Any]) -> None:
        self.isolation = hello.get("isolation", "")
        self.python_version = hello.get("python", "")
        if self.isolation != "namespaces" and self._config["isolation"] == "auto":
            _warn_fallback(hello.get("notes", []))
        if hello.get("hidden_paths"):
            _warn_hidden(self.python, tuple(hello["hidden_paths"]))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=30)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- API -------------------------------------------------------------------------------
    def run(self, source: str, *, stdin: str | None = None, limits: Limits | None = None) -> ExecResult:
        """Run a program as ``__main__``."""
        return self.run_jobs([Job(source=source, stdin=stdin, limits=limits)])[0]

    def call(
        self,
        source: str,
        entry: str,
        args: str = "",
        *,
        hook: str | None = None,
        hook_options: dict[str, Any] | None = None,
        limits: Limits | None = None,
    ) -> ExecResult:
        """Run the program, then ``entry(args)`` (``args`` is Python source): the result's
        ``value`` is the ``repr`` of what it returned, ``value_type`` its type name."""
        job = Job(source=source, entry=entry, args=args, hook=hook, hook_options=hook_options,
                  limits=limits)
        return self.run_jobs([job])[0]

    def map(self, sources: Iterable[str], *, limits: Limits | None = None) -> list[ExecResult]:
        return self.run_jobs([Job(source=s, limits=limits) for s in sources])

    def run_jobs(self, jobs: Sequence[Job], *, progress: bool = False) -> list[ExecResult]:
        """Run a batch across the pool; results come back in input order."""
        futures = self.submit_jobs(jobs)
        if progress:
            from tqdm import tqdm

            return [f.result() for f in tqdm(futures, desc="sandbox", unit="run")]
        wait(futures)  # one wake-up for the batch, not one per result
        return [f.result() for f in futures]

    def submit_jobs(self, jobs: Sequence[Job]) -> list[Future[ExecResult]]:
        """Queue a batch and return at once: one future per job, in input order (lets a caller
        overlap its own work with the executions)."""
        self.start()
        futures: list[Future[ExecResult]] = []
        for job in jobs:
            future: Future[ExecResult] = Future()
            timeout_s = (job.limits or self.limits).timeout_s
            self._queue.put(_Item(encode({"job": job.to_wire(self.limits)}), timeout_s, future))
            futures.append(future)
        return futures

    # -- dispatch --------------------------------------------------------------------------
    def _dispatch(self, proc: _WorkerProcess) -> None:
        """Feed one worker. Up to PIPELINE_DEPTH jobs are in flight so the worker never waits
        for the host between jobs; unread frames stay under the pipe's buffer size, so neither
        side can block the other. If the worker dies, the job it was running is reported
        killed and the jobs queued behind it go back to the shared queue."""
        pending: collections.deque[_Item] = collections.deque()
        pending_bytes = 0
        stopping = False
        while pending or not stopping:
            while not stopping and len(pending) < PIPELINE_DEPTH:
                item = self._next_item(block=not pending)
                if item is _EMPTY:
                    break
                if item is None:
                    stopping = True
                    break
                if pending and pending_bytes + len(item.frame) > _PIPE_BUDGET:
                    self._queue.put(item)  # wait for room; another worker may take it
                    break
                proc.send(item.frame)
                pending.append(item)
                pending_bytes += len(item.frame)
            if not pending:
                continue
            head = pending.popleft()
            pending_bytes -= len(head.frame)
            try:
                head.future.set_result(ExecResult.from_wire(proc.receive(head.timeout_s)))
            except _WorkerDied as exc:
                head.future.set_result(ExecResult(status=Status.KILLED, error_type="WorkerDied",
                                                  error_message=str(exc), isolation=self.isolation))
                for item in pending:
                    self._queue.put(item)
                pending.clear()
                pending_bytes = 0
                try:
                    proc = self._replace(proc)
                except SandboxUnavailable as broken:
                    self._fail_forever(str(broken))
                    return
        proc.close()

    def _next_item(self, block: bool) -> _Item | object | None:
        try:
            return self._queue.get(block=block)
        except queue.Empty:
            return _EMPTY

    def _fail_forever(self, reason: str) -> None:
        """This dispatcher lost its worker for good: answer every job it takes with the reason
        (the other dispatchers keep serving), instead of hanging callers."""
        while (item := self._queue.get()) is not None:
            item.future.set_result(ExecResult(status=Status.KILLED, error_type="SandboxUnavailable",
                                          error_message=reason))

    def _replace(self, proc: _WorkerProcess) -> _WorkerProcess:
        proc.kill()
        self.restarts += 1
        for attempt in range(_RESTART_ATTEMPTS):
            try:
                fresh = _WorkerProcess(self.python, self._config)
                fresh.wait_hello()
                return fresh
            except Exception as exc:  # e.g. the host is briefly out of processes
                log.error("could not restart a sandbox worker (attempt %d): %s", attempt + 1, exc)
                threading.Event().wait(0.5 * (attempt + 1))
        raise SandboxUnavailable("sandbox workers cannot be restarted; see the log")


_default: dict[str, Sandbox] = {}
_default_lock = threading.Lock()


def default_sandbox(python: str | None = None) -> Sandbox:
    """The shared pool for convenience functions (``trace_call`` and friends), one per
    interpreter, started on first use with a worker per CPU and closed at exit."""
    path = find_python(python)
    with _default_lock:
        sandbox = _default.get(path)
        if sandbox is None or sandbox._closed:
            sandbox = Sandbox(python=path).start()
            _default[path] = sandbox
        return sandbox


@atexit.register
def _close_defaults() -> None:
    for sandbox in list(_default.values()):
        sandbox.close()


if sys.platform != "linux":  # pragma: no cover
    warnings.warn("execverify.sandbox needs Linux (fork, pidfd, rlimits)", IsolationWarning,
                  stacklevel=1)
