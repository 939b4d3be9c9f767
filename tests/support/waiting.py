"""Waiting in tests on a condition, never for a fixed time.

:func:`wait_until` returns as soon as a condition holds (bounded); :func:`stays_false`
watches a condition for a bounded time and fails as soon as it becomes true: what to use
before asserting that something did NOT happen (a request that must not arrive), instead of
a fixed sleep that passes whether or not anything was watched.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0, step: float = 0.02) -> bool:
    """True as soon as ``condition()`` is; False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def stays_false(condition: Callable[[], bool], *, within: float = 0.3, step: float = 0.01) -> bool:
    """True when ``condition()`` stays false for ``within`` seconds (checked every ``step``);
    False the moment it becomes true."""
    return not wait_until(condition, timeout=within, step=step)


__all__ = ["stays_false", "wait_until"]
