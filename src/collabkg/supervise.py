"""Run a child process (the Streamlit server) and stop it when we are stopped.

``collabkg explore`` starts Streamlit as a child. Ctrl+C in a terminal reaches both, but a
SIGTERM (or a SIGINT sent to collabkg alone, as a process manager does) would otherwise end
collabkg and leave Streamlit running with its port held. :func:`run_until_stopped` turns
SIGTERM, SIGINT and SIGHUP into an orderly stop of the child: SIGTERM, then SIGKILL if it
has not ended within a grace period.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from types import FrameType

GRACE_SECONDS = 5.0
STOP_SIGNALS = tuple(
    sig for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)) if sig
)


class _Stopped(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def stop_child(child: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> int:
    """Ask the child to stop (SIGTERM), then kill it if it takes longer than ``grace``."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return child.returncode


def run_until_stopped(
    command: Sequence[str], env: Mapping[str, str] | None = None, grace: float = GRACE_SECONDS
) -> int:
    """Run ``command``; return its exit code, or 128 + the signal that stopped us (the child
    is stopped first, never left behind)."""
    child = subprocess.Popen(list(command), env=dict(env) if env is not None else None)
    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise _Stopped(signum)

    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            previous[sig] = signal.signal(sig, handler)
    try:
        return child.wait()
    except _Stopped as stopped:
        stop_child(child, grace)
        return 128 + stopped.signum
    except KeyboardInterrupt:
        stop_child(child, grace)
        return 128 + signal.SIGINT
    finally:
        for sig, old in previous.items():
            if old is not None:  # None: set outside Python, so nothing of ours to restore
                signal.signal(sig, old)
        if child.poll() is None:
            stop_child(child, grace)


__all__ = ["GRACE_SECONDS", "run_until_stopped", "stop_child"]
