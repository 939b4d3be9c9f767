"""Cut the current process off the network, for the process that evaluates analysts' SPARQL.

Defence in depth: the query filter (:mod:`collabkg.sparql_text`) refuses SERVICE, but the
engine (pyoxigraph) would execute one through its own HTTP client if a filter ever missed
it. The process that evaluates a query written by a person therefore calls
:func:`isolate` first, which applies two independent layers, each enough on its own:

1. a **seccomp filter** (Linux, unprivileged: ``PR_SET_NO_NEW_PRIVS`` then
   ``PR_SET_SECCOMP``) under which ``socket``, ``connect``, ``sendto``, ``sendmsg`` and
   ``io_uring_setup`` fail with EACCES: no new socket can be made, so no request can
   leave, whatever the engine parses. It works in containers too (it needs no
   capability and no namespace);
2. an empty **network namespace** (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``, or
   ``CLONE_NEWNET`` alone when privileged): no interface but a loopback that is down.
   Not every machine allows it (container policies, hardened kernels); it is used when
   it is available.

If neither layer can be applied the call fails (fail closed) with :class:`QueryError`
saying so, unless ``COLLABKG_UNSANDBOXED_QUERIES=1`` is set, which runs queries with
network access and says so on standard error. Only processes made to run one query
call this (a forked child): the filter stays for the rest of that process's life.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import platform
import sys
from typing import Final

from collabkg.errors import QueryError

UNSANDBOXED_ENV: Final[str] = "COLLABKG_UNSANDBOXED_QUERIES"

_PR_SET_NO_NEW_PRIVS: Final[int] = 38
_PR_SET_SECCOMP: Final[int] = 22
_SECCOMP_MODE_FILTER: Final[int] = 2
_CLONE_NEWUSER: Final[int] = 0x10000000
_CLONE_NEWNET: Final[int] = 0x40000000
_EACCES: Final[int] = 13

_RET_KILL_PROCESS: Final[int] = 0x80000000
_RET_ERRNO: Final[int] = 0x00050000
_RET_ALLOW: Final[int] = 0x7FFF0000
_LD_W_ABS: Final[int] = 0x20
_JEQ_K: Final[int] = 0x15
_JGE_K: Final[int] = 0x35
_RET_K: Final[int] = 0x06

# (audit arch, syscalls refused: socket, connect, sendto, sendmsg, sendmmsg, io_uring_setup)
_ARCHES: Final[dict[str, tuple[int, tuple[int, ...], bool]]] = {
    "x86_64": (0xC000003E, (41, 42, 44, 46, 307, 425), True),  # True: refuse the x32 ABI
    "aarch64": (0xC00000B7, (198, 203, 206, 211, 269, 425), False),
}


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def _program(arch: int, refused: tuple[int, ...], no_x32: bool) -> list[tuple[int, int, int, int]]:
    steps = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),  # another ABI (i386 on x86_64): no way round
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if no_x32:
        steps += [(_JGE_K, 0, 1, 0x40000000), (_RET_K, 0, 0, _RET_KILL_PROCESS)]
    for number in refused:
        steps += [(_JEQ_K, 0, 1, number), (_RET_K, 0, 0, _RET_ERRNO | _EACCES)]
    steps.append((_RET_K, 0, 0, _RET_ALLOW))
    return steps


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@functools.lru_cache(maxsize=1)
def _compiled() -> tuple[object, _Program] | None:
    machine = platform.machine()
    if machine not in _ARCHES:
        return None
    steps = _program(*_ARCHES[machine])
    filters = (_Filter * len(steps))(*[_Filter(*step) for step in steps])
    return filters, _Program(len(steps), filters)


def prepare() -> None:
    """Do in the parent what need not be done in every child (a fork is cheaper then)."""
    if sys.platform.startswith("linux"):
        _libc()
        _compiled()
        import socket  # noqa: F401  (the children's self-test uses it)


def _seccomp() -> str | None:
    """Install the no-socket filter; None if done, else why not."""
    if not sys.platform.startswith("linux"):
        return f"seccomp needs Linux (this is {sys.platform})"
    compiled = _compiled()
    if compiled is None:
        return f"no seccomp filter for the {platform.machine()} architecture"
    _filters, program = compiled
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        return f"seccomp failed: {os.strerror(ctypes.get_errno())}"
    return None


def _namespace() -> str | None:
    """Move into an empty network namespace; None if done, else why not."""
    if not sys.platform.startswith("linux"):
        return "network namespaces need Linux"
    libc = _libc()
    for flags in (_CLONE_NEWUSER | _CLONE_NEWNET, _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return None
        reason = os.strerror(ctypes.get_errno())
    return f"unshare(CLONE_NEWNET) failed: {reason}"


def _socket_refused() -> bool:
    import socket

    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return True
    probe.close()
    return False


def close_inherited_fds(keep: set[int]) -> None:  # pragma: no cover - runs in children
    """Close every file descriptor but 0-2 and ``keep`` (a forked child otherwise holds its
    parent's sockets, and other children's pipes, which would hide their deaths)."""
    from pathlib import Path

    try:
        fds = [int(entry.name) for entry in Path("/proc/self/fd").iterdir()]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def isolate() -> list[str]:
    """Cut this process off the network (see the module docstring); the layers applied.

    Call it in a single-threaded process (a forked child) before running the query.
    Raises QueryError when no layer could be applied and the override is not set.
    """
    applied: list[str] = []
    problems: list[str] = []
    # the namespace first: unshare(CLONE_NEWUSER) is refused under seccomp's NO_NEW_PRIVS
    # on some kernels, never the other way round
    why_not = _namespace()
    (problems if why_not else applied).append(why_not or "network namespace")
    why_not = _seccomp()
    if why_not is None and _socket_refused():
        applied.append("seccomp")
    else:
        problems.append(why_not or "seccomp installed but sockets still open")
    if applied:
        return applied
    if os.environ.get(UNSANDBOXED_ENV, "").strip() == "1":
        print(
            f"collabkg: warning: queries run WITH network access ({UNSANDBOXED_ENV}=1): "
            + "; ".join(problems),
            file=sys.stderr,
        )
        return []
    raise QueryError(
        "cannot cut the query engine off the network on this machine: " + "; ".join(problems),
        hint=f"run on Linux with seccomp, or set {UNSANDBOXED_ENV}=1 to run queries "
        "with network access (not recommended)",
    )


__all__ = ["UNSANDBOXED_ENV", "close_inherited_fds", "isolate", "prepare"]
