"""Kernel isolation for sandbox workers: namespaces, read-only mounts, privilege drop.

Runs inside the worker process (standard library and ctypes only). The worker calls
:func:`enter_namespaces` once at start, then :func:`become_pid1` and
:func:`forbid_new_privileges`; each forked child calls
:func:`drop_privileges` before running untrusted code.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

_SYS_MOUNT_SETATTR = 442  # the same number on x86_64 and aarch64 (unified syscall table)
_AT_FDCWD = -100
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1
_MOUNT_ATTR_NOSUID = 0x2

_OPTION_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


class IsolationBroken(RuntimeError):
    """Namespaces were entered but could not be completed; the process must exit."""


def _raise_errno(what: str) -> None:
    err = ctypes.get_errno()
    raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    args = [None if s is None else s.encode() for s in (source, target, fstype)]
    if _libc.mount(*args, flags, None if data is None else data.encode()) != 0:
        _raise_errno(f"mount {target}")


def prctl(option: int, arg: int = 0) -> None:
    if _libc.prctl(option, arg, 0, 0, 0) != 0:
        _raise_errno(f"prctl({option})")


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def enter_namespaces(tmp_size_mb: int, expose: list[str] | None = None) -> None:
    """Leave the host's mount, network, IPC, UTS and PID namespaces (PID takes effect for the
    next fork). As non-root, a user namespace maps our uid to root inside so the rest is
    permitted. Then: every mount read-only, a private size-capped tmpfs on /tmp and /dev/shm
    (not world-writable: programs write only in their own working directory).
    Raises OSError where the kernel refuses to unshare, so the caller can fall back, and
    IsolationBroken where a later step fails. ``expose``: paths an unprivileged uid must be
    able to read (the interpreter and its import path), see :func:`_expose`."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    if uid != 0:
        flags |= CLONE_NEWUSER
    if _libc.unshare(flags) != 0:
        _raise_errno("unshare")
    try:
        _set_up_mounts(uid, gid, tmp_size_mb, expose or [])
    except OSError as exc:
        # Half-isolated is worse than either state: the caller must not carry on here.
        raise IsolationBroken(f"namespaces entered but setup failed: {exc}") from exc


def _set_up_mounts(uid: int, gid: int, tmp_size_mb: int, expose: list[str]) -> None:
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    _expose(expose)
    _make_all_readonly()
    for target in ("/tmp", "/dev/shm"):
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_size_mb}m,mode=0755")


def _expose(paths: list[str]) -> None:
    """Make ``paths`` reachable for an unprivileged uid without opening anything else.

    An interpreter may live under a directory others cannot enter (pyenv in a 0700 /root).
    For each such blocking directory, an empty tmpfs is mounted over it, hiding the rest of
    its contents (keys, shell history) from programs, and each needed path under it is
    bind-mounted back at the same place, so ``sys.path`` keeps working."""
    wanted = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    wanted = [p for p in wanted if not any(p.startswith(q + os.sep) for q in wanted if q != p)]
    by_blocker: dict[str, list[str]] = {}
    for path in wanted:
        blocker = _first_closed_ancestor(path)
        if blocker is not None:
            by_blocker.setdefault(blocker, []).append(path)
    for blocker, needed in by_blocker.items():
        handles = [(p, os.open(p, os.O_PATH)) for p in needed]
        _mount("tmpfs", blocker, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for path, fd in handles:
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(path, mode=0o755, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                open(path, "w").close()
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
            os.close(fd)


def _first_closed_ancestor(path: str) -> str | None:
    """The highest directory on the way to ``path`` that others may not enter, if any."""
    parts = path.strip(os.sep).split(os.sep)
    for i in range(1, len(parts)):
        ancestor = os.sep + os.sep.join(parts[:i])
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor
    return None


def _make_all_readonly() -> None:
    attr = _MountAttr(attr_set=_MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID)
    rc = _libc.syscall(
        _SYS_MOUNT_SETATTR,
        ctypes.c_int(_AT_FDCWD),
        b"/",
        ctypes.c_uint(_AT_RECURSIVE),
        ctypes.byref(attr),
        ctypes.c_size_t(ctypes.sizeof(attr)),
    )
    if rc == 0:
        return
    # Kernels before 5.12 lack mount_setattr: remount each mount read-only, keeping the flags
    # that a user namespace is not allowed to clear.
    with open("/proc/self/mountinfo") as fh:
        rows = [line.split() for line in fh]
    for row in rows:
        target = row[4].encode().decode("unicode_escape")
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
        for opt in row[5].split(","):
            flags |= _OPTION_FLAGS.get(opt, 0)
        try:
            _mount(None, target, None, flags, None)
        except OSError:
            if target == "/":
                raise


def become_pid1() -> bool:
    """Fork into the new PID namespace. The outer process only waits and mirrors the exit
    status; the inner one returns as PID 1 with a fresh /proc (False where /proc could not be
    remounted, so host processes stay listed though never signalable)."""
    pid = os.fork()
    if pid:
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    # If the outer process is killed, so is PID 1, and with it the whole namespace. (getppid()
    # reads 0 here, since the parent lives outside the namespace; if the outer process died
    # before this line, the host closes our stdin and we exit on the next read.)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    except OSError:
        return False
    return True


def forbid_new_privileges() -> None:
    """Once in the worker, inherited by every child: no exec (setuid binaries, file
    capabilities) can gain privileges, so what :func:`drop_privileges` drops stays dropped."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int | None) -> None:
    """In a forked child, before untrusted code: as real root, switch to the worker's own
    unprivileged uid (which also clears capabilities); otherwise clear every capability we hold
    in our user namespace. The worker has already called :func:`forbid_new_privileges`."""
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    else:
        header = _CapHeader(version=0x20080522, pid=0)
        data = (_CapData * 2)()
        if _libc.capset(ctypes.byref(header), data) != 0:
            _raise_errno("capset")
